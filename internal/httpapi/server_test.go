package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"

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
	failMid  bool   // fail after the sources event
	panicOn  string // a query that makes Search panic
}

func (f *fakeRAG) Search(_ context.Context, req rag.SearchRequest) ([]rag.Hit, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searches = append(f.searches, req)
	if f.panicOn != "" && req.Query == f.panicOn {
		panic("boom")
	}
	return f.hits, f.err
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
		if err := emit(rag.Event{Type: rag.EventSources, Sources: f.hits}); err != nil {
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
		if err := emit(rag.Event{Type: rag.EventDone, Answer: answer, Model: "fake"}); err != nil {
			return rag.QueryResult{}, err
		}
	}
	return rag.QueryResult{Answer: answer, Sources: f.hits, Model: "fake"}, nil
}

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

func TestRoutes_FastAPIStatusBodies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name, method, path string
		status             int
		body               string
		allow              string
		location           string
	}{
		{"health", "GET", "/health", 200, `{"status":"ok"}`, "", ""},
		{"HEAD on a GET route, as Starlette", "HEAD", "/health", 200, "", "", ""},
		{"HEAD redirects slashes too", "HEAD", "/health/", 307, "", "", "/health"},
		{"root is 404", "GET", "/", 404, `{"detail":"Not Found"}`, "", ""},
		{"unknown path", "GET", "/nope", 404, `{"detail":"Not Found"}`, "", ""},
		{"wrong method on health", "POST", "/health", 405, `{"detail":"Method Not Allowed"}`, "GET", ""},
		{"wrong method on search", "GET", "/search", 405, `{"detail":"Method Not Allowed"}`, "POST", ""},
		{"trailing slash redirects", "GET", "/health/?x=1", 307, "", "", "/health?x=1"},
		{"missing slash on unknown stays 404", "GET", "/nope/", 404, `{"detail":"Not Found"}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do(tt.method, tt.path, "", nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.body != "" && strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Errorf("body %s, want %s", rec.Body, tt.body)
			}
			if tt.body != "" && rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
			if got := strings.Join(rec.Header().Values("Allow"), ","); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
		})
	}
}

func TestQuery_Validation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name   string
		body   string
		status int
		want   []ValidationItem // type and loc checked; msg when set
	}{
		{"missing question", `{}`, 422, []ValidationItem{{Type: "missing", Loc: []any{"body", "question"}, Msg: "Field required"}}},
		{"question wrong type", `{"question": 5}`, 422, []ValidationItem{{Type: "string_type", Loc: []any{"body", "question"}, Msg: "Input should be a valid string"}}},
		{"empty question", `{"question": ""}`, 422, []ValidationItem{{Type: "string_too_short", Loc: []any{"body", "question"}, Msg: "String should have at least 1 character"}}},
		{"top_k too small", `{"question":"q","top_k":0}`, 422, []ValidationItem{{Type: "greater_than_equal", Loc: []any{"body", "top_k"}, Msg: "Input should be greater than or equal to 1"}}},
		{"top_k too big", `{"question":"q","top_k":51}`, 422, []ValidationItem{{Type: "less_than_equal", Loc: []any{"body", "top_k"}, Msg: "Input should be less than or equal to 50"}}},
		{"top_k fractional", `{"question":"q","top_k":2.5}`, 422, []ValidationItem{{Type: "int_from_float", Loc: []any{"body", "top_k"}}}},
		{"top_k text", `{"question":"q","top_k":"many"}`, 422, []ValidationItem{{Type: "int_parsing", Loc: []any{"body", "top_k"}}}},
		{"stream wrong type", `{"question":"q","stream":[]}`, 422, []ValidationItem{{Type: "bool_type", Loc: []any{"body", "stream"}}}},
		{"filter wrong type", `{"question":"q","filter":"x"}`, 422, []ValidationItem{{Type: "dict_type", Loc: []any{"body", "filter"}}}},
		{"mode literal", `{"question":"q","mode":"fuzzy"}`, 422, []ValidationItem{{Type: "literal_error", Loc: []any{"body", "mode"}, Msg: "Input should be 'hybrid', 'vector' or 'keyword'"}}},
		{"two errors at once", `{"top_k":0}`, 422, []ValidationItem{{Type: "missing", Loc: []any{"body", "question"}}, {Type: "greater_than_equal", Loc: []any{"body", "top_k"}}}},
		{"malformed json", `{"question": }`, 422, []ValidationItem{{Type: "json_invalid", Loc: []any{"body", float64(13)}, Msg: "JSON decode error"}}},
		{"truncated json", `{"question": "q"`, 422, []ValidationItem{{Type: "json_invalid", Msg: "JSON decode error"}}},
		{"trailing data", `{"question": "q"} x`, 422, []ValidationItem{{Type: "json_invalid", Loc: []any{"body", float64(18)}}}},
		{"array body", `[1,2]`, 422, []ValidationItem{{Type: "model_attributes_type", Loc: []any{"body"}}}},
		{"empty body", ` `, 422, []ValidationItem{{Type: "missing", Loc: []any{"body"}}}},
		{"lax coercions accepted", `{"question":"q","top_k":"3","stream":"false","unknown":1}`, 200, nil},
		{"null optional accepted", `{"question":"q","top_k":null}`, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", "/query", tt.body, nil)
			if tt.body == " " {
				rec = ts.do("POST", "/query", "", map[string]string{"Content-Type": "application/json"})
			}
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 422 {
				return
			}
			var got struct{ Detail []ValidationItem }
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Detail) != len(tt.want) {
				t.Fatalf("detail %+v, want %d items", got.Detail, len(tt.want))
			}
			for i, w := range tt.want {
				g := got.Detail[i]
				if g.Type != w.Type {
					t.Errorf("item %d type %q, want %q", i, g.Type, w.Type)
				}
				if w.Loc != nil && !equalLoc(g.Loc, w.Loc) {
					t.Errorf("item %d loc %v, want %v", i, g.Loc, w.Loc)
				}
				if w.Msg != "" && g.Msg != w.Msg {
					t.Errorf("item %d msg %q, want %q", i, g.Msg, w.Msg)
				}
			}
			if strings.Contains(rec.Body.String(), `"url"`) {
				t.Errorf("FastAPI >= 0.110.2 sends no url key: %s", rec.Body)
			}
		})
	}
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

func TestQuery_MissingEchoesInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/query", `{"top_k": 3}`, nil)
	want := `{"detail":[{"type":"missing","loc":["body","question"],"msg":"Field required","input":{"top_k":3}}]}`
	if strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("body %s\nwant %s", rec.Body, want)
	}
}

func TestBody_ContentTypeAndSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name   string
		ctype  string
		body   string
		status int
	}{
		{"text/plain refused", "text/plain", `{"question":"q"}`, 415},
		{"form refused", "application/x-www-form-urlencoded", `question=q`, 415},
		{"json with charset", "application/json; charset=utf-8", `{"question":"q"}`, 200},
		{"vendor json", "application/vnd.api+json", `{"question":"q"}`, 200},
		{"too large", "application/json", `{"question":"` + strings.Repeat("x", 5000) + `"}`, 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", "/query", tt.body, map[string]string{"Content-Type": tt.ctype})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if d, ok := decode(t, rec)["detail"]; tt.status >= 400 && (!ok || d == nil) {
				t.Errorf("no detail: %s", rec.Body)
			}
		})
	}
	// No Content-Type at all is parsed as JSON, as FastAPI does.
	req := httptest.NewRequest("POST", "/query", strings.NewReader(`{"question":"q"}`))
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("no content type: %d %s", rec.Code, rec.Body)
	}
}

func TestSearch_Cases(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/search", `{"query":"refund","top_k":3,"filter":{"lang":{"$in":["en"]}},"mode":"vector"}`, nil)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got searchResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != 1 || got.Results[0].ID != "c1" || got.Results[0].Metadata["source"] != "refund.md" {
		t.Errorf("results %+v", got.Results)
	}
	req := ts.rag.searches[0]
	if req.Query != "refund" || req.TopK != 3 || req.Mode != "vector" || req.Filter["lang"] == nil {
		t.Errorf("request passed on as %+v", req)
	}
	// Numbers in filters reach rag as chunk metadata holds them: float64,
	// and integers beyond float64 precision exactly, as json.Number.
	ts.do("POST", "/search", `{"query":"q","filter":{"page":3,"year":{"$in":[2024,2025.5]},"id":9007199254740993}}`, nil)
	f := ts.rag.searches[1].Filter
	in, _ := f["year"].(map[string]any)["$in"].([]any)
	if f["page"] != float64(3) || len(in) != 2 || in[0] != float64(2024) || in[1] != 2025.5 || f["id"] != json.Number("9007199254740993") {
		t.Errorf("filter numbers %#v", f)
	}

	rec = ts.do("POST", "/search", `{"vector":[0.1,"x",true]}`, nil)
	var v struct{ Detail []ValidationItem }
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	if rec.Code != 422 || len(v.Detail) != 2 || v.Detail[0].Type != "float_parsing" || !equalLoc(v.Detail[1].Loc, []any{"body", "vector", float64(2)}) {
		t.Errorf("vector items: %d %s", rec.Code, rec.Body)
	}
	for _, f := range []string{`{"source":1e999999}`, `{"a":{"$in":[1e400]}}`, `{"id":12345678901234567890123456789012345678901}`} {
		rec = ts.do("POST", "/search", `{"query":"q","filter":`+f+`}`, nil)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"finite_number"`) {
			t.Errorf("filter %s: %d %s, want 422 finite_number", f, rec.Code, rec.Body)
		}
	}
	rec = ts.do("POST", "/search", `{"vector":[1e300, 1]}`, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"type":"finite_number"`) {
		t.Errorf("float32 overflow: %d %s", rec.Code, rec.Body)
	}
	rec = ts.do("POST", "/search", `{"top_k":2}`, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"loc":["body","query"]`) {
		t.Errorf("missing query and vector: %d %s", rec.Code, rec.Body)
	}
}

func TestSearch_RAGErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"not ready", rag.ErrNotReady, 503, `"Vector store is not loaded yet"`},
		{"bad filter", &rag.RequestError{Field: "filter.lang", Msg: "unknown operator $regex"}, 422, `"loc":["body","filter","lang"]`},
		{"internal", errors.New("disk on fire at /secret/path"), 500, `"Internal Server Error"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.err = tt.err
			rec := ts.do("POST", "/search", `{"query":"q"}`, nil)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.detail) {
				t.Errorf("got %d %s, want %d with %s", rec.Code, rec.Body, tt.status, tt.detail)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("internal error text leaked: %s", rec.Body)
			}
		})
	}
}

func TestSearch_NoRAGIs503(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.RAG = nil })
	rec := ts.do("POST", "/search", `{"query":"q"}`, nil)
	if rec.Code != 503 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Vector store is not loaded yet"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	// Validation still comes first.
	if rec := ts.do("POST", "/search", `{"top_k":0,"query":"q"}`, nil); rec.Code != 422 {
		t.Errorf("validation before 503: got %d", rec.Code)
	}
}

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

func TestQuery_JSONAnswer(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/query", `{"question":"How long do refunds take?"}`, nil)
	var got queryResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("%d %s %v", rec.Code, rec.Body, err)
	}
	if got.Answer != "Refunds take 14 days [1]." || got.Model != "fake" || len(got.Sources) != 1 {
		t.Errorf("got %+v", got)
	}
	if ts.rag.queries[0].TopK != 5 {
		t.Errorf("default top_k not applied: %+v", ts.rag.queries[0])
	}
}

type sseEvent struct{ name, data string }

func readSSE(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" || cur.data != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data = strings.TrimPrefix(line, "data: ")
		}
	}
	return out
}

func TestQuery_StreamFraming(t *testing.T) {
	t.Parallel()
	for _, failMid := range []bool{false, true} {
		ts := newTestServer(t, nil)
		ts.rag.failMid = failMid
		rec := ts.do("POST", "/query", `{"question":"q","stream":true}`, nil)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
			t.Fatalf("failMid=%v: %d %q", failMid, rec.Code, rec.Header().Get("Content-Type"))
		}
		evs := readSSE(t, rec.Body)
		var names []string
		for _, e := range evs {
			names = append(names, e.name)
			if !json.Valid([]byte(e.data)) {
				t.Errorf("event %s data not JSON: %s", e.name, e.data)
			}
		}
		want := "sources,delta,delta,done"
		if failMid {
			want = "sources,delta,delta,error"
		}
		if got := strings.Join(names, ","); got != want {
			t.Errorf("failMid=%v: events %s, want %s", failMid, got, want)
		}
		if !strings.Contains(evs[0].data, `"id":"c1"`) || evs[1].data != `{"text":"Refunds "}` {
			t.Errorf("payloads: %+v", evs)
		}
	}
}

func TestQuery_StreamErrorBeforeFirstByteIsStatus(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.err = rag.ErrNotReady
	rec := ts.do("POST", "/query", `{"question":"q","stream":true}`, nil)
	if rec.Code != 503 || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
}

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

func TestCORS_StarletteSemantics(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) {
		o.CORSAllowOrigins = []string{"http://localhost:3000", "https://main.example.amplifyapp.com"}
	})
	tests := []struct {
		name      string
		method    string
		hdr       map[string]string
		status    int
		acao      string
		creds     bool
		varyOrig  bool
		allowMeth bool
	}{
		{"allowed simple", "GET", map[string]string{"Origin": "http://localhost:3000"}, 200, "http://localhost:3000", true, true, false},
		{"allowed amplify", "GET", map[string]string{"Origin": "https://main.example.amplifyapp.com"}, 200, "https://main.example.amplifyapp.com", true, true, false},
		{"disallowed simple", "GET", map[string]string{"Origin": "https://evil.example"}, 200, "", false, true, false},
		{"allowed origin, unrouted method still readable", "DELETE", map[string]string{"Origin": "http://localhost:3000"}, 405, "http://localhost:3000", true, true, false},
		{"no origin untouched", "GET", nil, 200, "", false, false, false},
		{"preflight allowed", "OPTIONS", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"}, 200, "http://localhost:3000", true, true, true},
		{"preflight bad origin", "OPTIONS", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, 400, "", false, true, false},
		{"preflight bad method", "OPTIONS", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "DELETE"}, 400, "", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do(tt.method, "/health", "", tt.hdr)
			h := rec.Header()
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if h.Get("Access-Control-Allow-Origin") != tt.acao {
				t.Errorf("ACAO %q, want %q", h.Get("Access-Control-Allow-Origin"), tt.acao)
			}
			if (h.Get("Access-Control-Allow-Credentials") == "true") != tt.creds {
				t.Errorf("credentials header %q", h.Get("Access-Control-Allow-Credentials"))
			}
			if strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") != tt.varyOrig {
				t.Errorf("Vary %q", h.Values("Vary"))
			}
			if (h.Get("Access-Control-Allow-Methods") != "") != tt.allowMeth {
				t.Errorf("Allow-Methods %q", h.Get("Access-Control-Allow-Methods"))
			}
		})
	}
	rec := ts.do("OPTIONS", "/health", "", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"})
	if rec.Body.String() != "Disallowed CORS origin, method" {
		t.Errorf("Starlette's 400 text: %q", rec.Body)
	}
}

func TestCORS_WildcardEchoesOrigin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.CORSAllowOrigins = []string{"*"} })
	rec := ts.do("GET", "/health", "", map[string]string{"Origin": "https://anything.example"})
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://anything.example" {
		t.Errorf("with credentials the origin must be echoed, not *: %q", rec.Header().Get("Access-Control-Allow-Origin"))
	}
}

func TestRequestID_HonouredOrGenerated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("GET", "/health", "", map[string]string{"X-Request-ID": "abc-123"})
	if rec.Header().Get("X-Request-ID") != "abc-123" {
		t.Errorf("not honoured: %q", rec.Header().Get("X-Request-ID"))
	}
	for _, bad := range []string{"", "has space", strings.Repeat("x", 200), "new\nline"} {
		rec := ts.do("GET", "/health", "", map[string]string{"X-Request-ID": bad})
		if got := rec.Header().Get("X-Request-ID"); len(got) != 32 || got == bad {
			t.Errorf("for %q got %q, want a fresh 32-hex id", bad, got)
		}
	}
}

func TestAccessLog_OneLinePerRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.APIKeys = []string{"sekret-key"} })
	ts.do("POST", "/search", `{"query":"my private question"}`, map[string]string{"X-Request-ID": "rid-1", "Authorization": "Bearer sekret-key"})
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(ts.logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			if line != nil {
				t.Fatalf("more than one request line: %s", ts.logs)
			}
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no request line: %s", ts.logs)
	}
	for k, want := range map[string]any{"req_id": "rid-1", "method": "POST", "route": "/search", "status": float64(200)} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	for _, k := range []string{"bytes", "took_ms"} {
		if _, ok := line[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	for _, secret := range []string{"sekret-key", "my private question"} {
		if strings.Contains(ts.logs.String(), secret) {
			t.Errorf("log leaks %q", secret)
		}
	}
}

func TestAuth_APIKeysAndAdmin(t *testing.T) {
	t.Parallel()
	reloads := 0
	ts := newTestServer(t, func(o *Options) {
		o.APIKeys = []string{"k1", "k2"}
		o.AdminToken = "adm"
		o.Reload = func(context.Context) (any, error) { reloads++; return map[string]any{"version": "v2"}, nil }
	})
	noAdmin := newTestServer(t, nil)
	tests := []struct {
		name   string
		ts     testServer
		path   string
		auth   string
		status int
		detail string
	}{
		{"search without token", ts, "/search", "", 401, "Not authenticated"},
		{"search wrong token", ts, "/search", "Bearer nope", 401, "Invalid authentication credentials"},
		{"search basic scheme", ts, "/search", "Basic azE=", 401, "Not authenticated"},
		{"search good token", ts, "/search", "Bearer k2", 200, ""},
		{"admin disabled", noAdmin, "/admin/reload", "Bearer x", 403, "ADMIN_TOKEN"},
		{"admin without token", ts, "/admin/reload", "", 401, "Not authenticated"},
		{"admin wrong token", ts, "/admin/reload", "Bearer k1", 403, "Invalid admin token"},
		{"admin ok", ts, "/admin/reload", "Bearer adm", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"query":"q"}`
			if tt.path == "/admin/reload" {
				body = ""
			}
			rec := tt.ts.do("POST", tt.path, body, map[string]string{"Authorization": tt.auth})
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.detail) {
				t.Errorf("got %d %s, want %d %q", rec.Code, rec.Body, tt.status, tt.detail)
			}
			if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
	if reloads != 1 {
		t.Errorf("reloads = %d, want 1", reloads)
	}
	// Health stays open.
	if rec := ts.do("GET", "/health", "", nil); rec.Code != 200 {
		t.Errorf("health behind auth: %d", rec.Code)
	}
}

func TestDocs_SwaggerUIAndOpenAPI(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("GET", "/docs", "", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "swagger-ui") || !strings.Contains(rec.Body.String(), `<base href="/docs/">`) {
		t.Fatalf("/docs: %d %.200s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "cdn") || strings.Contains(rec.Body.String(), "unpkg") {
		t.Errorf("/docs loads from a CDN")
	}
	for _, asset := range []string{"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"} {
		if rec := ts.do("GET", asset, "", nil); rec.Code != 200 || rec.Body.Len() < 1000 {
			t.Errorf("%s: %d (%d bytes)", asset, rec.Code, rec.Body.Len())
		}
	}
	for _, missing := range []string{"/docs/no-such-asset.js", "/docs/../openapi.json", "/docs/dist/index.html"} {
		if rec := ts.do("GET", missing, "", nil); rec.Code != 404 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Not Found"}` {
			t.Errorf("%s: %d %q", missing, rec.Code, rec.Body)
		}
	}
	rec = ts.do("GET", "/openapi.json", "", nil)
	doc := decode(t, rec)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi version %v", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/health", "/ready", "/search", "/query", "/vectorstore", "/admin/reload"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("spec lacks %s", p)
		}
	}
}

func TestOpenAPI_CoversEveryRoute(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(ts.openapi, &spec); err != nil {
		t.Fatal(err)
	}
	undocumented := map[string]bool{"/docs": true, "/docs/*": true, "/openapi.json": true, "/metrics": true}
	err := chi.Walk(ts.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if undocumented[route] {
			return nil
		}
		if _, ok := spec.Paths[route][strings.ToLower(method)]; !ok {
			t.Errorf("%s %s is served but not in the OpenAPI document", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMetrics_CountsByRoutePattern(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.do("GET", "/health", "", nil)
	ts.do("GET", "/no/such/path/123", "", nil)
	ts.do("POST", "/query", `{}`, nil)
	rec := ts.do("GET", "/metrics", "", nil)
	body := rec.Body.String()
	for _, want := range []string{
		`http_requests_total{method="GET",route="/health",status="200"} 1`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_requests_total{method="POST",route="/query",status="422"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/no/such/path") {
		t.Errorf("raw paths must not become labels")
	}
}

// slowRAG answers after a delay, for timeout tests over real HTTP.
type slowRAG struct {
	fakeRAG
	delay time.Duration
}

func (s *slowRAG) Query(ctx context.Context, req rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return rag.QueryResult{}, ctx.Err()
	}
	return s.fakeRAG.Query(ctx, req, emit)
}

func TestQuery_OutlivesServerWriteTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		queryTimeout time.Duration
		body         string
		status       int
	}{
		{"json answer slower than WriteTimeout", 5 * time.Second, `{"question":"q"}`, 200},
		{"stream slower than WriteTimeout", 5 * time.Second, `{"question":"q","stream":true}`, 200},
		{"query timeout is a 504", 100 * time.Millisecond, `{"question":"q"}`, 504},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slow := &slowRAG{delay: 400 * time.Millisecond}
			slow.hits = []rag.Hit{{ID: "c1", Text: "t"}}
			slow.deltas = []string{"ok"}
			s, err := New(Options{RAG: slow, QueryTimeout: tt.queryTimeout})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(s)
			srv.Config.WriteTimeout = 100 * time.Millisecond
			srv.Start()
			defer srv.Close()
			resp, err := http.Post(srv.URL+"/query", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatalf("the answer was dropped: %v", err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("got %d %q %v, want %d", resp.StatusCode, b, err, tt.status)
			}
		})
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
}

// panicAfterSources streams the sources event, then panics.
type panicAfterSources struct{ fakeRAG }

func (*panicAfterSources) Query(_ context.Context, _ rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	_ = emit(rag.Event{Type: rag.EventSources})
	panic("boom mid-stream")
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
