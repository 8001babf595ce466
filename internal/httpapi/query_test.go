package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
)

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

// slowRAG answers after a delay, for timeout tests over real HTTP.
type slowRAG struct {
	fakeRAG
	delay time.Duration
}

func (s *slowRAG) Search(ctx context.Context, req rag.SearchRequest) (rag.SearchResult, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return rag.SearchResult{}, ctx.Err()
	}
	return s.fakeRAG.Search(ctx, req)
}

func (s *slowRAG) Query(ctx context.Context, req rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return rag.QueryResult{}, ctx.Err()
	}
	return s.fakeRAG.Query(ctx, req, emit)
}

// serveWithWriteTimeout serves opts over loopback with a 100 ms
// WriteTimeout, shorter than the slow fakes' 400 ms: an answer that
// outlives it reaches the client only if the handler moved the deadline.
func serveWithWriteTimeout(t *testing.T, opts Options) *httptest.Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(s)
	srv.Config.WriteTimeout = 100 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func TestQuery_OutlivesServerWriteTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		path    string
		timeout time.Duration // QueryTimeout, or SearchTimeout for /search
		body    string
		status  int
	}{
		{"json answer slower than WriteTimeout", "/query", 5 * time.Second, `{"question":"q"}`, 200},
		{"stream slower than WriteTimeout", "/query", 5 * time.Second, `{"question":"q","stream":true}`, 200},
		{"query timeout is a 504", "/query", 100 * time.Millisecond, `{"question":"q"}`, 504},
		// A hosted embedder can take longer than WriteTimeout: the
		// answer, or the 504 that ends a hung one, must still arrive.
		{"search slower than WriteTimeout", "/search", 5 * time.Second, `{"query":"q"}`, 200},
		{"search timeout is a 504", "/search", 100 * time.Millisecond, `{"query":"q"}`, 504},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			slow := &slowRAG{delay: 400 * time.Millisecond}
			slow.hits = []rag.Hit{{ID: "c1", Text: "t"}}
			slow.deltas = []string{"ok"}
			srv := serveWithWriteTimeout(t, Options{RAG: slow, QueryTimeout: tt.timeout, SearchTimeout: tt.timeout})
			resp, err := http.Post(srv.URL+tt.path, "application/json", strings.NewReader(tt.body))
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

// TestQuery_Usage: the generator's token counts come back as usage
// {prompt_tokens, completion_tokens, total_tokens} on the JSON answer and
// on the stream's done event; without counts the field is absent, neither
// null nor zeros, so a client written before it sees the same answer.
func TestQuery_Usage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		usage *llm.Usage
		want  string // the usage member, "" for none
	}{
		{"counted", &llm.Usage{PromptTokens: 120, CompletionTokens: 9}, `"usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129}`},
		{"a known zero is sent", &llm.Usage{PromptTokens: 7}, `"usage":{"prompt_tokens":7,"completion_tokens":0,"total_tokens":7}`},
		{"not counted", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.usage = tc.usage

			rec := ts.do("POST", "/query", `{"question":"q"}`, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("JSON: status %d: %s", rec.Code, rec.Body)
			}
			end := `"model":"fake"}`
			if tc.want != "" {
				end = `"model":"fake",` + tc.want + "}"
			}
			if body := strings.TrimSpace(rec.Body.String()); !strings.HasSuffix(body, end) {
				t.Errorf("JSON answer %s, want it to end %s", body, end)
			}

			rec = ts.do("POST", "/query", `{"question":"q","stream":true}`, nil)
			evs := readSSE(t, rec.Body)
			if rec.Code != http.StatusOK || len(evs) == 0 || evs[len(evs)-1].name != "done" {
				t.Fatalf("stream: status %d, events %+v", rec.Code, evs)
			}
			done := `{"id":"` + fakeAnswerID + `","answer":"Refunds take 14 days [1].",` + end
			if got := evs[len(evs)-1].data; got != done {
				t.Errorf("done event %s, want %s", got, done)
			}
			for _, e := range evs[:len(evs)-1] {
				if strings.Contains(e.data, `"usage"`) {
					t.Errorf("%s event has a usage: %s", e.name, e.data)
				}
			}
		})
	}
}
