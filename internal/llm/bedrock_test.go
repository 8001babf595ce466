package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/eventstream"

	"github.com/vendor0919/api/internal/awsbedrock"
)

// fakeBedrock speaks Converse (JSON) and ConverseStream (AWS event-stream
// binary framing). Script steps: "d:TEXT" contentBlockDelta, "stop"
// messageStop + metadata, "exc" a throttlingException message, "cut" drop
// the connection, "hang" wait for the client to leave, "status:N" an HTTP
// error before the stream, "full:TEXT" a Converse answer.
type fakeBedrock struct {
	t       *testing.T
	scripts func(n int) []string
	mu      sync.Mutex
	n       int
	bodies  []map[string]any
	paths   []string
	gone    chan struct{}
}

func (f *fakeBedrock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || r.Header.Get("X-Amz-Date") == "" {
		f.t.Errorf("unsigned request: Authorization=%q", auth)
	}
	f.mu.Lock()
	f.n++
	n := f.n
	f.bodies = append(f.bodies, body)
	f.paths = append(f.paths, r.URL.Path)
	f.mu.Unlock()
	enc := eventstream.NewEncoder()
	fl := w.(http.Flusher)
	started := false
	var event func(typ, payload string)
	start := func() {
		if !started {
			w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
			w.WriteHeader(200)
			started = true
			event("messageStart", `{"role":"assistant"}`)
		}
	}
	event = func(typ, payload string) {
		start()
		var m eventstream.Message
		m.Headers.Set(":message-type", eventstream.StringValue("event"))
		m.Headers.Set(":event-type", eventstream.StringValue(typ))
		m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
		m.Payload = []byte(payload)
		if err := enc.Encode(w, m); err != nil {
			f.t.Errorf("encode: %v", err)
		}
		fl.Flush()
	}
	for _, step := range f.scripts(n) {
		switch {
		case strings.HasPrefix(step, "status:"):
			code := map[string]int{"status:429": 429, "status:500": 500, "status:400": 400}[step]
			typ := map[int]string{429: "ThrottlingException", 500: "InternalServerException", 400: "ValidationException"}[code]
			w.Header().Set("X-Amzn-ErrorType", typ)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			io.WriteString(w, `{"message":"no luck"}`)
			return
		case strings.HasPrefix(step, "full:"):
			text, _ := json.Marshal(step[5:])
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"output":{"message":{"role":"assistant","content":[{"text":`+string(text)+`}]}},"stopReason":"end_turn","usage":{"inputTokens":3,"outputTokens":2,"totalTokens":5},"metrics":{"latencyMs":12}}`)
			return
		case strings.HasPrefix(step, "d:"):
			text, _ := json.Marshal(step[2:])
			event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":`+string(text)+`}}`)
		case step == "stop":
			event("contentBlockStop", `{"contentBlockIndex":0}`)
			event("messageStop", `{"stopReason":"end_turn"}`)
			event("metadata", `{"usage":{"inputTokens":3,"outputTokens":2,"totalTokens":5},"metrics":{"latencyMs":12}}`)
		case step == "exc":
			start()
			var m eventstream.Message
			m.Headers.Set(":message-type", eventstream.StringValue("exception"))
			m.Headers.Set(":exception-type", eventstream.StringValue("throttlingException"))
			m.Headers.Set(":content-type", eventstream.StringValue("application/json"))
			m.Payload = []byte(`{"message":"Too many tokens, please wait before trying again."}`)
			enc.Encode(w, m)
			fl.Flush()
		case step == "cut":
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		case step == "hang":
			start()
			<-r.Context().Done()
			close(f.gone)
			return
		}
	}
}

func newTestBedrockGen(t *testing.T, url string) *Bedrock {
	t.Helper()
	g, err := NewBedrock(context.Background(), BedrockConfig{
		Region: "ap-northeast-1", ModelID: "anthropic.claude-3-haiku-20240307-v1:0", MaxTokens: 64, BaseEndpoint: url,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""), Retry: fastRetry, Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestBedrock_Generate(t *testing.T) {
	t.Parallel()
	always := func(s ...string) func(int) []string { return func(int) []string { return s } }
	tests := []struct {
		name         string
		scripts      func(n int) []string
		stream       bool
		emitErr      bool
		wantText     string
		wantEmitted  string
		wantErr      error
		wantAttempts int
	}{
		{name: "converse ok", scripts: always("full:Answer [1]"), wantText: "Answer [1]", wantAttempts: 1},
		{name: "converse 400 not retried", scripts: always("status:400"), wantErr: ErrUpstream, wantAttempts: 1},
		{name: "converse 429 then ok", scripts: func(n int) []string {
			if n == 1 {
				return []string{"status:429"}
			}
			return []string{"full:ok"}
		}, wantText: "ok", wantAttempts: 2},
		{name: "stream ok", stream: true, scripts: always("d:こんにちは", "d:、世界", "stop"),
			wantText: "こんにちは、世界", wantEmitted: "こんにちは、世界", wantAttempts: 1},
		{name: "stream 500 exhausted", stream: true, scripts: always("status:500"), wantErr: ErrUpstream, wantAttempts: 3},
		{name: "stream exception midway not retried", stream: true, scripts: always("d:part", "exc"),
			wantEmitted: "part", wantErr: ErrUpstream, wantAttempts: 1},
		{name: "stream exception before text retried", stream: true, scripts: func(n int) []string {
			if n == 1 {
				return []string{"exc"}
			}
			return []string{"d:ok", "stop"}
		}, wantText: "ok", wantEmitted: "ok", wantAttempts: 2},
		{name: "stream cut midway not retried", stream: true, scripts: always("d:part", "cut"),
			wantEmitted: "part", wantErr: ErrUpstream, wantAttempts: 1},
		{name: "stream emit error", stream: true, emitErr: true, scripts: always("d:a", "d:b", "stop"),
			wantErr: errEmit, wantAttempts: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeBedrock{t: t, scripts: tc.scripts, gone: make(chan struct{})}
			hs := httptest.NewServer(f)
			defer hs.Close()
			g := newTestBedrockGen(t, hs.URL)
			var emitted strings.Builder
			var emit func(string) error
			if tc.stream {
				emit = func(d string) error {
					if tc.emitErr {
						return errEmit
					}
					emitted.WriteString(d)
					return nil
				}
			}
			req := Request{Messages: []Message{{"system", "cite sources"}, {"user", "ctx"}, {"user", "question"}}, Temperature: 0.5}
			ans, err := g.Generate(context.Background(), req, emit)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.HasPrefix(err.Error(), "bedrock: ") || strings.Contains(err.Error(), "SECRETTEST") {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if ans.Text != tc.wantText || ans.Model != g.Model() {
					t.Errorf("answer = %+v, want %q", ans, tc.wantText)
				}
				// Converse's usage, or the stream's metadata event after messageStop.
				if ans.Usage == nil || *ans.Usage != (Usage{PromptTokens: 3, CompletionTokens: 2}) {
					t.Errorf("usage = %+v, want 3 input and 2 output tokens", ans.Usage)
				}
			}
			if emitted.String() != tc.wantEmitted {
				t.Errorf("emitted %q, want %q", emitted.String(), tc.wantEmitted)
			}
			if f.n != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", f.n, tc.wantAttempts)
			}
			wantPath := "/model/anthropic.claude-3-haiku-20240307-v1:0/converse"
			if tc.stream {
				wantPath += "-stream"
			}
			if f.paths[0] != wantPath {
				t.Errorf("path = %q, want %q", f.paths[0], wantPath)
			}
			b, _ := json.Marshal(f.bodies[0])
			const want = `{"inferenceConfig":{"maxTokens":64,"temperature":0.5},"messages":[{"content":[{"text":"ctx"},{"text":"question"}],"role":"user"}],"system":[{"text":"cite sources"}]}`
			if string(b) != want {
				t.Errorf("body = %s\nwant   %s", b, want)
			}
		})
	}
}

func TestBedrock_CancelSlowStream(t *testing.T) {
	t.Parallel()
	f := &fakeBedrock{t: t, scripts: func(int) []string { return []string{"d:first", "hang"} }, gone: make(chan struct{})}
	hs := httptest.NewServer(f)
	defer hs.Close()
	g := newTestBedrockGen(t, hs.URL)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The client goes away after the first delta, while the server holds
	// the stream open. (Cancelling from a timer goroutine while the reader
	// is blocked flaked about one run in five under -race with "use of
	// closed network connection" and a live context: the cause was not
	// found; see the closing note of issue 4.)
	_, err := g.Generate(ctx, Request{Question: "q"}, func(string) error {
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// No clock: a reader that missed the cancel hangs in Generate, a
	// connection left open hangs here, and go test's -timeout names
	// either with every goroutine's stack.
	<-f.gone
}

// TestBedrock_ConverseBodyCapped: a Converse answer longer than the
// non-streamed cap (maxResponseBody, as for OpenAI and Ollama) fails
// instead of being read whole, and is not asked again.
func TestBedrock_ConverseBodyCapped(t *testing.T) {
	t.Parallel()
	f := &fakeBedrock{t: t, scripts: func(int) []string { return []string{"full:" + strings.Repeat("x", maxResponseBody+1)} }, gone: make(chan struct{})}
	hs := httptest.NewServer(f)
	defer hs.Close()
	g := newTestBedrockGen(t, hs.URL)
	_, err := g.Generate(context.Background(), Request{Messages: []Message{{"user", "q"}}}, nil)
	if !errors.Is(err, awsbedrock.ErrResponseTooLarge) || !errors.Is(err, ErrBadResponse) || !strings.HasPrefix(err.Error(), "bedrock: ") {
		t.Fatalf("err = %v, want a bedrock bad response wrapping %v", err, awsbedrock.ErrResponseTooLarge)
	}
	if f.n != 1 {
		t.Errorf("attempts = %d, want 1", f.n)
	}
}
