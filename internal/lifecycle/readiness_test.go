package lifecycle

import (
	"context"
	"errors"
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

// TestReady_BriefWithAPIKeys drives /ready through every transition with
// API_KEYS set: /ready needs no key, so it must say only ready or not and
// why in a few words, never the S3 URI, the local folder, the model or the
// sync state that /vectorstore shows behind the key.
func TestReady_BriefWithAPIKeys(t *testing.T) {
	t.Parallel()
	rd := &Readiness{}
	info := &fixedStatus{
		Count: 3, Source: "s3://secret-bucket/prefix", Dir: "/app/vectorstore",
		Embedding: httpapi.EmbeddingInfo{Provider: "bedrock", Model: "amazon.titan-embed-text-v2:0"},
		LastError: "S3 unreachable; details in the logs", ServingLocal: true,
	}
	api, err := httpapi.New(httpapi.Options{Readiness: rd, StoreStatus: info, APIKeys: []string{"k1"}})
	if err != nil {
		t.Fatal(err)
	}
	check := func(status int, body string) {
		t.Helper()
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", "/ready", nil))
		if got := strings.TrimSpace(rec.Body.String()); rec.Code != status || got != body {
			t.Errorf("got %d %s, want %d %s", rec.Code, got, status, body)
		}
	}
	check(503, `{"detail":"Service is starting"}`)
	rd.SetStarting("Loading the vector store from s3://secret-bucket/prefix")
	check(503, `{"detail":"Service is starting"}`)
	rd.SetNotLoaded("store: open /app/vectorstore/index.faiss: corrupt")
	check(503, `{"detail":"Vector store not loaded"}`)
	rd.SetStarting("Loading the vector store")
	check(503, `{"detail":"Vector store not loaded"}`)
	rd.SetReady("S3 unreachable: serving the verified local copy in /app/vectorstore")
	check(200, `{"status":"ready"}`)
	rd.SetDraining()
	check(503, `{"detail":"Service is shutting down"}`)

	// The same facts stay available behind the key.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/vectorstore", nil)
	req.Header.Set("Authorization", "Bearer k1")
	api.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), "s3://secret-bucket/prefix") {
		t.Errorf("/vectorstore with the key: %d %s, want the source", rec.Code, rec.Body)
	}
}

func TestReadiness_NotLoadedDetailWithoutKeys(t *testing.T) {
	t.Parallel()
	var r Readiness
	r.SetNotLoaded("S3 unreachable; details in the logs")
	if ok, detail := r.Check(); ok || detail != "Vector store not loaded: S3 unreachable; details in the logs" {
		t.Errorf("Check = %v %q", ok, detail)
	}
}

// keysNotLoaded is a JWT verifier whose issuer's keys cannot be fetched.
type keysNotLoaded struct{}

func (keysNotLoaded) Identify(context.Context, string) (string, error) {
	return "", errors.New("keys not loaded")
}
func (keysNotLoaded) Ready() bool { return false }

// TestReady_TaskScope: /ready?scope=task, the container health check,
// answers for the task alone. An issuer whose keys cannot be fetched, or a
// remote store that stopped answering after one was served, keeps /ready
// 503 (the target group's view) but not the task scope, or ECS would
// replace every task in a loop through the other system's outage; a task
// that never served a store, or one shutting down, fails both.
func TestReady_TaskScope(t *testing.T) {
	t.Parallel()
	rd := &Readiness{}
	api, err := httpapi.New(httpapi.Options{Readiness: rd, JWT: keysNotLoaded{}})
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) int {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	steps := []struct {
		name      string
		do        func()
		ready     int
		taskReady int
	}{
		{"starting", func() {}, 503, 503},
		{"store never loaded", func() { rd.SetNotLoaded("S3 unreachable") }, 503, 503},
		{"remote store down before serving", func() { rd.SetUnavailable("weaviate: connection refused") }, 503, 503},
		{"served, keys not loaded", func() { rd.SetReady("") }, 503, 200},
		{"remote store stopped answering", func() { rd.SetUnavailable("weaviate: connection refused") }, 503, 200},
		{"a later load failed meanwhile", func() { rd.SetNotLoaded("dims mismatch") }, 503, 200},
		{"draining", rd.SetDraining, 503, 503},
	}
	for _, st := range steps {
		st.do()
		if got, gotTask := get("/ready"), get("/ready?scope=task"); got != st.ready || gotTask != st.taskReady {
			t.Errorf("%s: /ready %d, ?scope=task %d; want %d, %d", st.name, got, gotTask, st.ready, st.taskReady)
		}
	}
	if got := get("/ready?scope=all"); got != 422 {
		t.Errorf("unknown scope: %d, want 422", got)
	}
}
