package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
)

// fakeRAG is a stand-in for the retrieval service in handler tests: it
// records requests and answers from fields.
type fakeRAG struct {
	mu       sync.Mutex
	searches []rag.SearchRequest
	queries  []rag.QueryRequest
	hits     []rag.Hit
	err      error
	deltas   []string
	failMid  bool     // fail after the sources event
	panicOn  string   // a query that makes Search panic
	ranMode  rag.Mode // the mode Search reports; "": the one asked for
	usage    *llm.Usage
}

func (f *fakeRAG) Search(_ context.Context, req rag.SearchRequest) (rag.SearchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches = append(f.searches, req)
	if f.panicOn != "" && req.Query == f.panicOn {
		panic("boom")
	}
	return rag.SearchResult{Hits: f.hits, Mode: cmp.Or(f.ranMode, req.Mode)}, f.err
}

func (f *fakeRAG) Query(ctx context.Context, req rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	f.mu.Lock()
	f.queries = append(f.queries, req)
	f.mu.Unlock()
	if f.err != nil {
		return rag.QueryResult{}, f.err
	}
	answer := strings.Join(f.deltas, "")
	if emit != nil {
		if err := emit(rag.Event{Type: rag.EventSources, ID: fakeAnswerID, Sources: f.hits}); err != nil {
			return rag.QueryResult{}, err
		}
		for _, d := range f.deltas {
			if err := emit(rag.Event{Type: rag.EventDelta, Delta: d}); err != nil {
				return rag.QueryResult{}, err
			}
		}
		if f.failMid {
			_ = emit(rag.Event{Type: rag.EventError, Err: "Answer generation failed"})
			return rag.QueryResult{}, rag.ErrGenerate
		}
		if err := emit(rag.Event{Type: rag.EventDone, ID: fakeAnswerID, Answer: answer, Model: "fake", Usage: f.usage}); err != nil {
			return rag.QueryResult{}, err
		}
	}
	return rag.QueryResult{ID: fakeAnswerID, Answer: answer, Sources: f.hits, Model: "fake", Mode: req.Mode, Query: req.Question, Usage: f.usage}, nil
}

// fakeEmbedder embeds text i as [len(text), i, 0.5, -1] under make run's
// embedder's model id, or fails with err.
type fakeEmbedder struct{ err error }

func (f fakeEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = []float32{float32(len(t)), float32(i), 0.5, -1}
	}
	return out, nil
}

func (fakeEmbedder) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: "use-lite", Model: "universal-sentence-encoder-lite", Dims: 4}
}

// fakeAnswerID is the id fakeRAG gives every answer.
const fakeAnswerID = "ans_abcdefghijklmnopqrstuvwx"

type testServer struct {
	*Server
	logs *bytes.Buffer
	rag  *fakeRAG
}

func newTestServer(t testing.TB, mod func(*Options)) testServer {
	t.Helper()
	logs := &bytes.Buffer{}
	f := &fakeRAG{hits: []rag.Hit{{ID: "c1", Text: "Refunds take 14 days.", Score: 0.9, Metadata: map[string]any{"source": "refund.md"}}}, deltas: []string{"Refunds ", "take 14 days [1]."}}
	opts := Options{
		Logger:           slog.New(slog.NewJSONHandler(&syncWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		CORSAllowOrigins: []string{"http://localhost:3000"},
		MaxBodyBytes:     4096,
		RAG:              f,
		Embedder:         fakeEmbedder{},
		GeneratorModel:   "fake-gen",
	}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return testServer{Server: s, logs: logs, rag: f}
}

// syncWriter makes a buffer safe for the logger's concurrent writes.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func (ts testServer) do(method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, req)
	return rec
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body %q is not JSON: %v", rec.Body.String(), err)
	}
	return m
}

func equalLoc(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pipeServer serves a handler over HTTP/1.1 on in-memory connections
// (net.Pipe), so requests pass through net/http's client and server inside
// a synctest bubble, whose clock a loopback socket would stall (a
// goroutine in a socket read is never durably blocked).
type pipeServer struct {
	*httptest.Server
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

// newPipeServer starts h; it stops at the end of the test.
func newPipeServer(t *testing.T, h http.Handler) *pipeServer {
	t.Helper()
	ps := &pipeServer{conns: make(chan net.Conn), done: make(chan struct{})}
	ps.Server = &httptest.Server{Listener: pipeListener{ps}, Config: &http.Server{Handler: h}}
	ps.Start()
	t.Cleanup(ps.Close)
	return ps
}

// client returns a client whose connections the server sees coming from
// peer (host:port, RemoteAddr); its idle connections close at the end of
// the test.
func (ps *pipeServer) client(t *testing.T, peer string) *http.Client {
	t.Helper()
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, s := net.Pipe()
		select {
		case ps.conns <- peerConn{s, pipeAddr(peer)}:
			return c, nil
		case <-ps.done:
		case <-ctx.Done():
		}
		_ = c.Close()
		_ = s.Close()
		return nil, net.ErrClosed
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// pipeListener hands the server the connections clients dial.
type pipeListener struct{ ps *pipeServer }

func (l pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ps.conns:
		return c, nil
	case <-l.ps.done:
		return nil, net.ErrClosed
	}
}

func (l pipeListener) Close() error {
	l.ps.once.Do(func() { close(l.ps.done) })
	return nil
}

func (pipeListener) Addr() net.Addr { return pipeAddr("pipe:80") }

// peerConn is the server's end of a pipe, from a chosen peer address.
type peerConn struct {
	net.Conn
	peer net.Addr
}

func (c peerConn) RemoteAddr() net.Addr { return c.peer }

type pipeAddr string

func (pipeAddr) Network() string  { return "pipe" }
func (a pipeAddr) String() string { return string(a) }
