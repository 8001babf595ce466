package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vendor0919/api/internal/rag"
)

func TestRecoverer_PanicIs500AndServerKeepsServing(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.panicOn = "panic"
	rec := ts.do("POST", "/search", `{"query":"panic"}`, nil)
	if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Internal Server Error"}` {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.logs.String(), `"msg":"panic"`) || !strings.Contains(ts.logs.String(), "boom") {
		t.Errorf("panic not logged: %s", ts.logs)
	}
	if rec := ts.do("GET", "/health", "", nil); rec.Code != 200 {
		t.Errorf("after panic: %d", rec.Code)
	}
}

func TestRecoverer_PanicMidStreamDropsConnection(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.RAG = &panicAfterSources{} })
	srv := httptest.NewServer(ts)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/query", "application/json", strings.NewReader(`{"question":"q","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil {
		t.Errorf("stream ended cleanly after a panic; body %q", b)
	}
	if strings.Contains(string(b), "Internal Server Error") {
		t.Errorf("a JSON error body was appended to the event stream: %q", b)
	}
	if !strings.Contains(string(b), "event: sources") {
		t.Errorf("the events before the panic are missing: %q", b)
	}
	// The aborted stream is still a request in the metrics (the access
	// log has its line too).
	if m := ts.do("GET", "/metrics", "", nil).Body.String(); !strings.Contains(m, `http_requests_total{method="POST",route="/query",status="200"} 1`) {
		t.Errorf("the aborted stream is not counted:\n%s", m)
	}
}

// panicAfterSources streams the sources event, then panics.
type panicAfterSources struct{ fakeRAG }

func (*panicAfterSources) Query(_ context.Context, _ rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	_ = emit(rag.Event{Type: rag.EventSources})
	panic("boom mid-stream")
}

// truncatedMapRAG reads a memory-mapped file that was truncated under it,
// as a search over a store file cut in place would.
type truncatedMapRAG struct {
	fakeRAG
	mem []byte
}

func (f *truncatedMapRAG) Search(context.Context, rag.SearchRequest) (rag.SearchResult, error) {
	return rag.SearchResult{Hits: []rag.Hit{{ID: string(f.mem[len(f.mem)-1:])}}}, nil
}

// TestRecoverer_MemoryFaultIs500: a read of a mapped page whose file was
// truncated is a 500 for that request, not a SIGBUS that kills the task.
func TestRecoverer_MemoryFaultIs500(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "vectors.f32")
	size := 2 * os.Getpagesize()
	if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Munmap(mem) })
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(o *Options) { o.RAG = &truncatedMapRAG{mem: mem} })
	rec := ts.do("POST", "/search", `{"query":"q"}`, nil)
	if rec.Code != 500 {
		t.Fatalf("got %d %s, want 500", rec.Code, rec.Body)
	}
	if !strings.Contains(ts.logs.String(), `"msg":"panic"`) {
		t.Errorf("the fault is not logged: %s", ts.logs)
	}
	if rec := ts.do("GET", "/health", "", nil); rec.Code != 200 {
		t.Errorf("after the fault: %d", rec.Code)
	}
}
