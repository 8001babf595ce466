package logctx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"
)

func newJSON(buf *bytes.Buffer) *slog.Logger {
	return New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestHandler_AddsRequestAttrs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := newJSON(&buf)
	ctx := WithRequest(context.Background(), "rid-1", "Root=1-abc")
	log.InfoContext(ctx, "with", slog.Int("n", 1))
	log.Info("without")
	log.InfoContext(WithRequest(context.Background(), "rid-2", ""), "no trace")
	got := lines(t, &buf)
	if got[0]["req_id"] != "rid-1" || got[0]["trace_id"] != "Root=1-abc" || got[0]["n"] != float64(1) {
		t.Errorf("request line %v", got[0])
	}
	if _, ok := got[1]["req_id"]; ok {
		t.Errorf("a record without a request context got a req_id: %v", got[1])
	}
	if _, ok := got[2]["trace_id"]; ok || got[2]["req_id"] != "rid-2" {
		t.Errorf("an empty trace id must be left out: %v", got[2])
	}
}

func TestHandler_WithAttrsAndWithGroupKeepWorking(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	ctx := WithRequest(context.Background(), "rid-1", "tr")
	base := newJSON(&buf)
	base.With("component", "loader").WithGroup("s3").With("bucket", "b").InfoContext(ctx, "synced", slog.Int("files", 3))
	base.WithGroup("g").InfoContext(context.Background(), "plain", slog.Int("x", 1))
	got := lines(t, &buf)
	l := got[0]
	if l["component"] != "loader" || l["req_id"] != "rid-1" || l["trace_id"] != "tr" {
		t.Errorf("top level %v", l)
	}
	g, _ := l["s3"].(map[string]any)
	if g["bucket"] != "b" || g["files"] != float64(3) || g["req_id"] != nil {
		t.Errorf("group s3 = %v: want bucket and files inside, req_id outside", l["s3"])
	}
	if g, _ := got[1]["g"].(map[string]any); g["x"] != float64(1) {
		t.Errorf("grouped line without a request %v", got[1])
	}
	// Deriving loggers must not share op slices.
	buf.Reset()
	parent := base.WithGroup("p")
	a, b := parent.With("a", 1), parent.With("b", 2)
	a.InfoContext(ctx, "a")
	b.InfoContext(ctx, "b")
	got = lines(t, &buf)
	if pa, _ := got[0]["p"].(map[string]any); pa["a"] != float64(1) || pa["b"] != nil {
		t.Errorf("logger a: %v", got[0])
	}
	if pb, _ := got[1]["p"].(map[string]any); pb["b"] != float64(2) || pb["a"] != nil {
		t.Errorf("logger b: %v", got[1])
	}
}

// TestHandler_SlogContract runs the standard library's handler conformance
// tests through the wrapper, with and without a request in the context.
func TestHandler_SlogContract(t *testing.T) {
	t.Parallel()
	for _, ctx := range []context.Context{context.Background(), WithRequest(context.Background(), "rid", "")} {
		var buf bytes.Buffer
		h := NewHandler(slog.NewJSONHandler(&buf, nil))
		results := func() []map[string]any {
			var ms []map[string]any
			for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
				var m map[string]any
				if err := json.Unmarshal(l, &m); err != nil {
					t.Fatal(err)
				}
				delete(m, KeyRequestID) // added at the top level by design
				ms = append(ms, m)
			}
			return ms
		}
		if err := slogtest.TestHandler(ctxHandler{h, ctx}, results); err != nil {
			t.Errorf("request=%q: %v", RequestID(ctx), err)
		}
	}
}

// ctxHandler makes every record carry ctx, as request code logging with
// LogAttrs(ctx, ...) does.
type ctxHandler struct {
	h   slog.Handler
	ctx context.Context
}

func (c ctxHandler) Enabled(_ context.Context, l slog.Level) bool  { return c.h.Enabled(c.ctx, l) }
func (c ctxHandler) Handle(_ context.Context, r slog.Record) error { return c.h.Handle(c.ctx, r) }
func (c ctxHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return ctxHandler{c.h.WithAttrs(as), c.ctx}
}
func (c ctxHandler) WithGroup(n string) slog.Handler { return ctxHandler{c.h.WithGroup(n), c.ctx} }

func TestWithRequest_TruncatesTraceID(t *testing.T) {
	t.Parallel()
	ctx := WithRequest(context.Background(), "r", strings.Repeat("x", 5000))
	if got := len(TraceID(ctx)); got != maxTraceID {
		t.Errorf("trace id kept %d bytes, want %d", got, maxTraceID)
	}
	if RequestID(context.Background()) != "" || TraceID(context.Background()) != "" {
		t.Errorf("ids from an empty context")
	}
}

func TestTook_FloatMilliseconds(t *testing.T) {
	t.Parallel()
	if got := Millis(1500 * time.Microsecond); got != 1.5 {
		t.Errorf("Millis = %v, want 1.5", got)
	}
	a := Took(time.Now())
	if a.Key != "took_ms" || a.Value.Kind() != slog.KindFloat64 {
		t.Errorf("Took = %v (%v)", a, a.Value.Kind())
	}
}
