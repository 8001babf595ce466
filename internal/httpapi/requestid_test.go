package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

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

// failingGen is a generator whose answers always fail, so a request logs
// from rag's error path as well.
type failingGen struct{}

func (failingGen) Generate(context.Context, llm.Request, func(string) error) (llm.Answer, error) {
	return llm.Answer{}, errors.New("upstream down")
}
func (failingGen) Model() string { return "failing" }

// newRealRAG returns a rag.Service over a three-chunk in-memory store,
// with the offline hash embedder, logging to log.
func newRealRAG(t *testing.T, log *slog.Logger, gen llm.Generator) *rag.Service {
	t.Helper()
	emb, err := embed.NewHash(embed.HashConfig{Dims: 32})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"Refunds take 14 days.", "Passwords are reset from the login page.", "Shipping is free over 50 euros."}
	vecs, err := emb.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var flat []float32
	chunks := make([]docmodel.Chunk, len(texts))
	for i, v := range vecs {
		flat = append(flat, v...)
		chunks[i] = docmodel.Chunk{ID: fmt.Sprintf("c%d", i), Text: texts[i], Metadata: map[string]any{"source": "faq.md"}}
	}
	idx, err := ann.NewFlat(32, ann.Cosine, flat)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rag.New(rag.Config{Logger: log}, emb, gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Swap(context.Background(), &store.Store{Chunks: chunks, Index: idx, Manifest: store.Manifest{Embedding: emb.Info()}}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestRequestID_OnEveryLineOfTheRequest serves requests through the whole
// handler with a real rag.Service and checks that every line logged while
// a request is served, by httpapi or by rag, carries that request's id and
// trace id, and that rag did log.
func TestRequestID_OnEveryLineOfTheRequest(t *testing.T) {
	t.Parallel()
	extractive, err := llm.NewExtractive(llm.ExtractiveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, body string
		gen              llm.Generator
		status           int
	}{
		{"search", "/search", `{"query":"refund"}`, extractive, 200},
		{"query", "/query", `{"question":"How long do refunds take?"}`, extractive, 200},
		{"streamed query", "/query", `{"question":"How long do refunds take?","stream":true}`, extractive, 200},
		{"failing query", "/query", `{"question":"How long do refunds take?"}`, failingGen{}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			logs := &bytes.Buffer{}
			log := logctx.New(slog.NewJSONHandler(&syncWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
			svc := newRealRAG(t, log, tt.gen)
			ts := newTestServer(t, func(o *Options) { o.Logger = log; o.RAG = svc })
			logs.Reset() // start-up lines (the swap) belong to no request
			id := "rid-" + strings.ReplaceAll(tt.name, " ", "-")
			rec := ts.do("POST", tt.path, tt.body, map[string]string{"X-Request-ID": id, "X-Amzn-Trace-Id": "Root=1-abc"})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			var msgs []string
			for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil {
					t.Fatalf("log line %q: %v", l, err)
				}
				msg, _ := m["msg"].(string)
				msgs = append(msgs, msg)
				if m["req_id"] != id || m["trace_id"] != "Root=1-abc" {
					t.Errorf("line %q has req_id %v, trace_id %v", msg, m["req_id"], m["trace_id"])
				}
				if strings.Count(l, `"req_id"`) != 1 {
					t.Errorf("req_id more than once: %s", l)
				}
			}
			joined := strings.Join(msgs, "|")
			if !strings.Contains(joined, "request") || (tt.status == 200 && !strings.Contains(joined, "rag: ")) {
				t.Errorf("want lines from rag and the access log, got %q", msgs)
			}
			if n := strings.Count(logs.String(), "upstream down"); tt.status != 200 && n != 1 {
				t.Errorf("the generator's failure is logged %d times, want once:\n%s", n, logs)
			}
		})
	}
}

// TestRequestID_OnTheSwapLine: a store swapped in for a request (an admin
// reload) logs "rag: store swapped in" with that request's id, as every
// other line of the request (a review found it without one).
func TestRequestID_OnTheSwapLine(t *testing.T) {
	t.Parallel()
	logs := &bytes.Buffer{}
	log := logctx.New(slog.NewJSONHandler(&syncWriter{w: logs}, nil))
	svc := newRealRAG(t, log, failingGen{})
	st := svc.Snapshot()
	logs.Reset()
	if err := svc.Swap(logctx.WithRequest(context.Background(), "rid-reload", "Root=1-abc"), st); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(logs.Bytes()), &m); err != nil {
		t.Fatalf("log %q: %v", logs, err)
	}
	if m["msg"] != "rag: store swapped in" || m["req_id"] != "rid-reload" || m["trace_id"] != "Root=1-abc" {
		t.Errorf("swap line %v, want the request's ids", m)
	}
}
