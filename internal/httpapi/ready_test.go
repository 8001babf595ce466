package httpapi

import (
	"strings"
	"sync"
	"testing"
)

// fakeReadiness is a Readiness the test sets directly.
type fakeReadiness struct {
	mu     sync.Mutex
	ok     bool
	detail string
}

func (f *fakeReadiness) set(ok bool, detail string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ok, f.detail = ok, detail
}

func (f *fakeReadiness) Check() (bool, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ok, f.detail
}

func TestReady_FollowsReadiness(t *testing.T) {
	t.Parallel()
	rd := &fakeReadiness{}
	var info *StoreInfo
	ts := newTestServer(t, func(o *Options) {
		o.Readiness = rd
		o.StoreStatus = storeStatusFunc(func() *StoreInfo { return info })
	})
	tests := []struct {
		ok     bool
		detail string
		info   *StoreInfo
		status int
		body   string
	}{
		{false, "Loading the vector store", nil, 503, `{"detail":"Loading the vector store"}`},
		{true, "", nil, 200, `{"status":"ready"}`},
		{true, "Serving the local copy", &StoreInfo{Count: 3}, 200, `{"status":"ready","detail":"Serving the local copy","vectorstore":{"format":"","count":3,`},
		{false, "Service is shutting down", &StoreInfo{Count: 3}, 503, `{"detail":"Service is shutting down"}`},
	}
	for _, tt := range tests {
		rd.set(tt.ok, tt.detail)
		info = tt.info
		rec := ts.do("GET", "/ready", "", nil)
		if rec.Code != tt.status || !strings.HasPrefix(rec.Body.String(), tt.body) {
			t.Errorf("ready=%v %q: got %d %s, want %d %s", tt.ok, tt.detail, rec.Code, rec.Body, tt.status, tt.body)
		}
	}
}

func TestReady_NoReadinessIsReady(t *testing.T) {
	t.Parallel()
	rec := newTestServer(t, nil).do("GET", "/ready", "", nil)
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ready"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}

// TestReady_APIKeysHideDetails: with API_KEYS set, /ready answers only
// ready or not; a Readiness without Brief gives "Not ready", and the
// store's description is left out.
func TestReady_APIKeysHideDetails(t *testing.T) {
	t.Parallel()
	rd := &fakeReadiness{}
	ts := newTestServer(t, func(o *Options) {
		o.APIKeys = []string{"k1"}
		o.Readiness = rd
		o.StoreStatus = storeStatusFunc(func() *StoreInfo { return &StoreInfo{Count: 3, Source: "s3://b/p", Dir: "/app/vectorstore"} })
	})
	for _, tt := range []struct {
		ok     bool
		detail string
		status int
		body   string
	}{
		{false, "Vector store not loaded: store: open /app/vectorstore: corrupt", 503, `{"detail":"Not ready"}`},
		{true, "Serving the local copy of s3://b/p", 200, `{"status":"ready"}`},
	} {
		rd.set(tt.ok, tt.detail)
		rec := ts.do("GET", "/ready", "", nil)
		if got := strings.TrimSpace(rec.Body.String()); rec.Code != tt.status || got != tt.body {
			t.Errorf("ready=%v: got %d %s, want %d %s", tt.ok, rec.Code, got, tt.status, tt.body)
		}
	}
}
