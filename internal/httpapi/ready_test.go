package httpapi

import (
	"strings"
	"sync"
	"testing"
)

func TestReady_Lifecycle(t *testing.T) {
	t.Parallel()
	rd := &Readiness{}
	ts := newTestServer(t, func(o *Options) {
		o.Readiness = rd
		o.StoreInfo = func() any { return map[string]any{"count": 3} }
	})
	check := func(status int, sub string) {
		t.Helper()
		rec := ts.do("GET", "/ready", "", nil)
		if rec.Code != status || !strings.Contains(rec.Body.String(), sub) {
			t.Errorf("got %d %s, want %d with %q", rec.Code, rec.Body, status, sub)
		}
	}
	check(503, `"detail":"Service is starting"`)
	rd.SetStarting("Loading the vector store")
	check(503, "Loading the vector store")
	rd.SetReady("Serving the local copy")
	check(200, `"count":3`)
	check(200, "Serving the local copy")
	rd.SetStarting("a later load failed")
	check(200, `"count":3`)
	rd.SetReady("")
	if strings.Contains(ts.do("GET", "/ready", "", nil).Body.String(), "local copy") {
		t.Errorf("a clean reload must clear the note")
	}
	rd.SetDraining()
	check(503, "shutting down")
	rd.SetReady("")
	check(503, "shutting down")
	if rec := ts.do("GET", "/health", "", nil); rec.Code != 200 {
		t.Errorf("health while draining: %d", rec.Code)
	}
}

func TestReadiness_StateAndDetailChangeTogether(t *testing.T) {
	t.Parallel()
	for i := 0; i < 500; i++ {
		var r Readiness
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); r.SetStarting("Vector store not loaded: S3 unreachable") }()
		go func() { defer wg.Done(); r.SetReady("") }()
		wg.Wait()
		if ok, detail := r.Check(); !ok || detail != "" {
			t.Fatalf("after a racing SetStarting and SetReady: ready=%v detail=%q", ok, detail)
		}
	}
}
