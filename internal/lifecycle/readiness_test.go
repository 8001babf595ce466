package lifecycle

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/httpapi"
)

// fixedStatus is a StoreStatus that always describes the same store.
type fixedStatus httpapi.StoreInfo

func (f *fixedStatus) Status() *httpapi.StoreInfo { return (*httpapi.StoreInfo)(f) }

// TestReady_Lifecycle drives /ready through every Readiness transition.
func TestReady_Lifecycle(t *testing.T) {
	t.Parallel()
	rd := &Readiness{}
	api, err := httpapi.New(httpapi.Options{Readiness: rd, StoreStatus: &fixedStatus{Count: 3}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	check := func(status int, sub string) {
		t.Helper()
		rec := get("/ready")
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
	if strings.Contains(get("/ready").Body.String(), "local copy") {
		t.Errorf("a clean reload must clear the note")
	}
	if rd.Draining() {
		t.Errorf("draining before SetDraining")
	}
	rd.SetDraining()
	check(503, "shutting down")
	rd.SetReady("")
	check(503, "shutting down")
	rd.SetStarting("Loading again")
	check(503, "shutting down")
	if !rd.Draining() {
		t.Errorf("not draining after SetDraining")
	}
	if rec := get("/health"); rec.Code != 200 {
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
