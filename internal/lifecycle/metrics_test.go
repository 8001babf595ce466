package lifecycle

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// gather scrapes cs and returns each metric's value by name.
func gather(t *testing.T, cs []prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(cs...)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		switch {
		case m.GetGauge() != nil:
			out[mf.GetName()] = m.GetGauge().GetValue()
		case m.GetCounter() != nil:
			out[mf.GetName()] = m.GetCounter().GetValue()
		}
	}
	return out
}

func TestCollectors_FollowLoads(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1"}
	l := h.loader(t, true)
	cs := l.Collectors()
	want := func(step string, w map[string]float64) {
		t.Helper()
		got := gather(t, cs)
		for name, v := range w {
			if g, ok := got[name]; !ok || g != v {
				t.Errorf("%s: %s = %v (present %v), want %v", step, name, g, ok, v)
			}
		}
	}
	want("before any load", map[string]float64{"vectorstore_chunks": 0, "vectorstore_loaded_timestamp_seconds": 0,
		"vectorstore_reloads_total": 0, "vectorstore_last_load_failed": 0, "service_ready": 0})
	ctx := context.Background()
	if _, _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	loadedAt := float64(l.Status().LoadedAt.Unix())
	want("loaded", map[string]float64{"vectorstore_chunks": 3, "vectorstore_loaded_timestamp_seconds": loadedAt,
		"vectorstore_reloads_total": 0, "vectorstore_last_load_failed": 0, "service_ready": 1})
	h.syncErr = errors.New("refused")
	l.Load(ctx)
	want("failed reload", map[string]float64{"vectorstore_chunks": 3, "vectorstore_last_load_failed": 1, "service_ready": 1})
	h.syncErr = nil
	l.Load(ctx)
	want("reloaded", map[string]float64{"vectorstore_reloads_total": 1, "vectorstore_last_load_failed": 0})
	l.Readiness().SetDraining()
	want("draining", map[string]float64{"service_ready": 0, "vectorstore_chunks": 3})
}
