package lifecycle

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// fakeRemote answers Check with its current state.
type fakeRemote struct {
	mu      sync.Mutex
	err     error
	version string
}

func (f *fakeRemote) set(version string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.version, f.err = version, err
}

func (f *fakeRemote) Check(context.Context) (Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return Status{}, f.err
	}
	return Status{Format: "weaviate", Count: 3, Dims: 4, Version: f.version, Source: "weaviate:Docs"}, nil
}

type publicErr struct{}

func (publicErr) Error() string        { return "dial tcp 10.0.0.7:8080: connection refused" }
func (publicErr) PublicDetail() string { return "Weaviate unreachable; details in the logs" }

func TestLoader_RemoteFollowsHealth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rem := &fakeRemote{err: publicErr{}}
	ld, err := New(Config{Remote: rem})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		version string
		err     error
		ready   bool
		detail  string
		brief   string
	}{
		{"down at start-up", "", publicErr{}, false, "Vector store not loaded: Weaviate unreachable", "Vector store not loaded"},
		{"up", "v1", nil, true, "", ""},
		{"one failed check is not enough", "", publicErr{}, true, "", ""},
		{"down mid-traffic", "", publicErr{}, false, "Vector store unavailable: Weaviate unreachable; details in the logs", "Vector store unavailable"},
		{"recovers without a restart", "v1", nil, true, "", ""},
		{"alias moved", "v2", nil, true, "", ""},
	}
	for i, st := range steps {
		rem.set(st.version, st.err)
		_, _, err := ld.Load(ctx)
		if (err == nil) != (st.err == nil) {
			t.Fatalf("%s: load error %v", st.name, err)
		}
		if i == 0 {
			// As LoadUntilReady reports a failed start-up load.
			ld.Readiness().SetNotLoaded(PublicReason(err))
		}
		ok, detail := ld.Readiness().Check()
		_, brief := ld.Readiness().Brief()
		if ok != st.ready || !strings.HasPrefix(detail, st.detail) || brief != st.brief {
			t.Errorf("%s: ready %v %q brief %q, want %v %q %q", st.name, ok, detail, brief, st.ready, st.detail, st.brief)
		}
		if strings.Contains(detail, "10.0.0.7") {
			t.Errorf("%s: address leaked: %q", st.name, detail)
		}
	}
	s := ld.Status()
	if s == nil || s.Version != "v2" || s.Reloads != 1 || s.LastError != "" && s.LastErrorAt == nil {
		t.Errorf("status %+v", s)
	}
	ld.Readiness().SetDraining()
	rem.set("", errors.New("down"))
	_, _, _ = ld.Load(ctx)
	if _, brief := ld.Readiness().Brief(); brief != "Service is shutting down" {
		t.Errorf("draining overridden: %q", brief)
	}
}
