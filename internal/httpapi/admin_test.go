package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// reloaderFunc adapts a function to Reloader.
type reloaderFunc func(context.Context) (*StoreInfo, error)

func (f reloaderFunc) Reload(ctx context.Context) (*StoreInfo, error) { return f(ctx) }

// storeStatusFunc adapts a function to StoreStatus.
type storeStatusFunc func() *StoreInfo

func (f storeStatusFunc) Status() *StoreInfo { return f() }

// TestStoreInfo_JSONNames pins the wire names of /vectorstore, which the
// loader's status had before it became a typed struct.
func TestStoreInfo_JSONNames(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 9, 25, 2, 0, 0, 0, time.UTC)
	full := StoreInfo{Format: "native", Count: 3, Dims: 8, Metric: "cosine", Embedding: EmbeddingInfo{Provider: "hash", Model: "hash-v1", Dims: 8},
		Version: "v1", Source: "s3://b/p", Dir: "/d", Index: "hnsw", LoadedAt: at, LastSyncAt: &at, LastError: "sync: S3 unreachable",
		LastErrorAt: &at, ServingLocal: true, Reloads: 2}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"format":"native","count":3,"dims":8,"metric":"cosine","embedding":{"provider":"hash","model":"hash-v1","dims":8},` +
		`"version":"v1","source":"s3://b/p","dir":"/d","index":"hnsw","loaded_at":"2025-09-25T02:00:00Z","last_sync_at":"2025-09-25T02:00:00Z",` +
		`"last_error":"sync: S3 unreachable","last_error_at":"2025-09-25T02:00:00Z","serving_local_copy":true,"reloads":2}`
	if string(b) != want {
		t.Errorf("full:\n got %s\nwant %s", b, want)
	}
	b, _ = json.Marshal(StoreInfo{LoadedAt: at})
	want = `{"format":"","count":0,"dims":0,"metric":"","embedding":{"provider":"","model":"","dims":0},"version":"","source":"","dir":"","index":"","loaded_at":"2025-09-25T02:00:00Z","reloads":0}`
	if string(b) != want {
		t.Errorf("optional fields:\n got %s\nwant %s", b, want)
	}
}

func TestVectorstore_StoreStatus(t *testing.T) {
	t.Parallel()
	var info *StoreInfo
	ts := newTestServer(t, func(o *Options) { o.StoreStatus = storeStatusFunc(func() *StoreInfo { return info }) })
	none := newTestServer(t, nil)
	for _, s := range []testServer{ts, none} {
		if rec := s.do("GET", "/vectorstore", "", nil); rec.Code != 503 || !strings.Contains(rec.Body.String(), "Vector store is not loaded yet") {
			t.Errorf("nothing loaded: %d %s", rec.Code, rec.Body)
		}
	}
	info = &StoreInfo{Version: "v7", Count: 4}
	rec := ts.do("GET", "/vectorstore", "", nil)
	if got := decode(t, rec); rec.Code != 200 || got["version"] != "v7" || got["count"] != float64(4) {
		t.Errorf("loaded: %d %v", rec.Code, got)
	}
}

func TestReload_Reloader(t *testing.T) {
	t.Parallel()
	var gotCtx context.Context
	fail := false
	failErr := errors.New("loader: sync: open /app/vectorstore/chunks.jsonl: boom")
	ts := newTestServer(t, func(o *Options) {
		o.AdminToken = "adm"
		o.Reloader = reloaderFunc(func(ctx context.Context) (*StoreInfo, error) {
			gotCtx = ctx
			if fail {
				return nil, failErr
			}
			return &StoreInfo{Version: "v2", Reloads: 1}, nil
		})
	})
	admin := map[string]string{"Authorization": "Bearer adm"}
	rec := ts.do("POST", "/admin/reload", "", admin)
	if got := decode(t, rec); rec.Code != 200 || got["version"] != "v2" || got["reloads"] != float64(1) || gotCtx == nil {
		t.Errorf("reload: %d %v", rec.Code, got)
	}
	fail = true
	rec = ts.do("POST", "/admin/reload", "", admin)
	// Internal detail (paths) goes to the log, not to the client.
	if got := strings.TrimSpace(rec.Body.String()); rec.Code != 503 || got != `{"detail":"Reload failed; the previous vector store is still served"}` {
		t.Errorf("failed reload: %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.logs.String(), "/app/vectorstore/chunks.jsonl: boom") {
		t.Errorf("the failed reload's error is not logged: %s", ts.logs)
	}
	failErr = fmt.Errorf("loader: %w", publicDetail{"S3 unreachable; details in the logs"})
	rec = ts.do("POST", "/admin/reload", "", admin)
	if got := strings.TrimSpace(rec.Body.String()); rec.Code != 503 || got != `{"detail":"Reload failed; the previous vector store is still served: S3 unreachable; details in the logs"}` {
		t.Errorf("failed reload with a public detail: %d %s", rec.Code, rec.Body)
	}
	noReloader := newTestServer(t, func(o *Options) { o.AdminToken = "adm" })
	if rec := noReloader.do("POST", "/admin/reload", "", admin); rec.Code != 503 || !strings.Contains(rec.Body.String(), "Reload is not available") {
		t.Errorf("no reloader: %d %s", rec.Code, rec.Body)
	}
}

// publicDetail is an error with a PublicDetail, as lifecycle's are.
type publicDetail struct{ public string }

func (e publicDetail) Error() string        { return "s3sync: list s3://bucket/prefix: " + e.public }
func (e publicDetail) PublicDetail() string { return e.public }
