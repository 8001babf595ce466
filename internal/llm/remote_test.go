package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/retry"
)

var fastRetry = retry.Policy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond}

// wire writes one provider's documented stream format.
type wire struct {
	name        string
	path        string
	contentType string
	delta       func(s string) string
	done        string
	streamErr   string
	bad         string
	full        func(s string) string // non-streamed answer body
	newGen      func(base string) (Generator, error)
}

var wires = []wire{
	{
		name: "openai", path: "/v1/chat/completions", contentType: "text/event-stream",
		delta: func(s string) string {
			b, _ := json.Marshal(s)
			return `data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"content":` + string(b) + `},"finish_reason":null}]}` + "\n\n"
		},
		// With stream_options.include_usage, a last chunk with no choices
		// carries the counts.
		done: "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
			"data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-test\",\"choices\":[],\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":7,\"total_tokens\":28}}\n\ndata: [DONE]\n\n",
		streamErr: "data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n",
		bad:       "data: {bad json\n\n",
		full: func(s string) string {
			b, _ := json.Marshal(s)
			return `{"id":"c1","object":"chat.completion","model":"gpt-test","choices":[{"index":0,"message":{"role":"assistant","content":` + string(b) + `},"finish_reason":"stop"}],` +
				`"usage":{"prompt_tokens":21,"completion_tokens":7,"total_tokens":28}}`
		},
		newGen: func(base string) (Generator, error) {
			return NewOpenAI(OpenAIConfig{BaseURL: base + "/v1", APIKey: "sk-secret-key-123456", Model: "gpt-test", MaxTokens: 50, Retry: fastRetry, Timeout: 5 * time.Second})
		},
	},
	{
		name: "ollama", path: "/api/chat", contentType: "application/x-ndjson",
		delta: func(s string) string {
			b, _ := json.Marshal(s)
			return `{"model":"llama-test","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":` + string(b) + `},"done":false}` + "\n"
		},
		done:      `{"model":"llama-test","created_at":"2025-01-01T00:00:00Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":21,"eval_count":7}` + "\n",
		streamErr: `{"error":"an error was encountered while running the model"}` + "\n",
		bad:       "{bad json\n",
		full: func(s string) string {
			b, _ := json.Marshal(s)
			return `{"model":"llama-test","message":{"role":"assistant","content":` + string(b) + `},"done":true,"prompt_eval_count":21,"eval_count":7}`
		},
		newGen: func(base string) (Generator, error) {
			return NewOllama(OllamaConfig{BaseURL: base, Model: "llama-test", MaxTokens: 50, Retry: fastRetry, Timeout: 5 * time.Second})
		},
	},
}

// script steps: "d:TEXT" delta, "done", "err" stream error, "bad" bad
// line, "cut" drop the connection, "hang" wait for the client to leave,
// "status:N" answer status N before any body, "full:TEXT" whole answer.
type fakeLLM struct {
	t       *testing.T
	w       wire
	scripts func(attempt int) []string
	mu      sync.Mutex
	n       int
	reqs    []map[string]any
	hdrs    []http.Header
	gone    chan struct{} // closed when a hanging handler saw the client leave
	hanging chan struct{} // if set, closed when the handler starts to hang
}

func (f *fakeLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != f.w.path || r.Method != http.MethodPost {
		f.t.Errorf("%s %s, want POST %s", r.Method, r.URL.Path, f.w.path)
	}
	var req map[string]any
	_ = json.NewDecoder(r.Body).Decode(&req)
	f.mu.Lock()
	f.n++
	n := f.n
	f.reqs = append(f.reqs, req)
	f.hdrs = append(f.hdrs, r.Header.Clone())
	f.mu.Unlock()
	fl := w.(http.Flusher)
	started := false
	start := func() {
		if !started {
			w.Header().Set("Content-Type", f.w.contentType)
			w.WriteHeader(200)
			started = true
		}
	}
	for _, step := range f.scripts(n) {
		switch {
		case strings.HasPrefix(step, "status:"):
			code, _ := strconv.Atoi(step[7:])
			if code == 429 {
				w.Header().Set("Retry-After", "0")
			}
			w.WriteHeader(code)
			io.WriteString(w, `{"error":{"message":"upstream says no to sk-secret-key-123456"}}`)
			return
		case strings.HasPrefix(step, "full:"):
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, f.w.full(step[5:]))
			return
		case strings.HasPrefix(step, "d:"):
			start()
			io.WriteString(w, f.w.delta(step[2:]))
		case step == "done":
			start()
			io.WriteString(w, f.w.done)
		case step == "err":
			start()
			io.WriteString(w, f.w.streamErr)
		case step == "bad":
			start()
			io.WriteString(w, f.w.bad)
		case step == "cut":
			start()
			fl.Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				f.t.Errorf("hijack: %v", err)
				return
			}
			conn.Close()
			return
		case step == "hang":
			start()
			fl.Flush()
			if f.hanging != nil {
				close(f.hanging)
			}
			<-r.Context().Done()
			close(f.gone)
			return
		}
		fl.Flush()
	}
}

func TestRemoteGenerators_Stream(t *testing.T) {
	t.Parallel()
	type tc struct {
		name         string
		scripts      func(n int) []string
		stream       bool
		emitErrAt    int // >0: emit fails on that delta
		wantText     string
		wantEmitted  string
		wantErr      error
		wantAttempts int
	}
	always := func(s ...string) func(int) []string { return func(int) []string { return s } }
	cases := []tc{
		{name: "stream ok", stream: true, scripts: always("d:Hello", "d:, ", "d:世界", "done"),
			wantText: "Hello, 世界", wantEmitted: "Hello, 世界", wantAttempts: 1},
		{name: "non-stream ok", scripts: always("full:Whole answer [1]"), wantText: "Whole answer [1]", wantAttempts: 1},
		{name: "429 then success", stream: true, scripts: func(n int) []string {
			if n == 1 {
				return []string{"status:429"}
			}
			return []string{"d:ok", "done"}
		}, wantText: "ok", wantEmitted: "ok", wantAttempts: 2},
		{name: "500 until exhausted", stream: true, scripts: always("status:500"), wantErr: ErrUpstream, wantAttempts: 3},
		{name: "400 not retried", scripts: always("status:400"), wantErr: ErrUpstream, wantAttempts: 1},
		{name: "stream error midway not retried", stream: true, scripts: always("d:partial", "err"),
			wantEmitted: "partial", wantErr: ErrUpstream, wantAttempts: 1},
		{name: "disconnect midway not retried", stream: true, scripts: always("d:partial", "cut"),
			wantEmitted: "partial", wantErr: ErrUpstream, wantAttempts: 1},
		{name: "disconnect before bytes retried", stream: true, scripts: func(n int) []string {
			if n == 1 {
				return []string{"cut"}
			}
			return []string{"d:again", "done"}
		}, wantText: "again", wantEmitted: "again", wantAttempts: 2},
		{name: "bad json chunk", stream: true, scripts: always("bad"), wantErr: ErrBadResponse, wantAttempts: 1},
		{name: "missing end marker", stream: true, scripts: always("d:a"), wantEmitted: "a", wantErr: ErrBadResponse, wantAttempts: 1},
		{name: "bad non-stream json", scripts: always("d:not an answer object"), wantErr: ErrBadResponse, wantAttempts: 1},
		{name: "emit error stops", stream: true, emitErrAt: 2, scripts: always("d:a", "d:b", "d:c", "done"),
			wantEmitted: "a", wantErr: errEmit, wantAttempts: 1},
	}
	for _, w := range wires {
		for _, c := range cases {
			t.Run(w.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				f := &fakeLLM{t: t, w: w, scripts: c.scripts, gone: make(chan struct{})}
				hs := httptest.NewServer(f)
				defer hs.Close()
				g, err := w.newGen(hs.URL)
				if err != nil {
					t.Fatal(err)
				}
				var emitted strings.Builder
				var emit func(string) error
				if c.stream {
					k := 0
					emit = func(d string) error {
						k++
						if k == c.emitErrAt {
							return errEmit
						}
						emitted.WriteString(d)
						return nil
					}
				}
				ans, err := g.Generate(context.Background(), Request{Messages: []Message{{"system", "be brief"}, {"user", "hi"}}, Temperature: 0.2}, emit)
				if c.wantErr != nil {
					if !errors.Is(err, c.wantErr) {
						t.Fatalf("err = %v, want %v", err, c.wantErr)
					}
					if !strings.HasPrefix(err.Error(), w.name+": ") || strings.Contains(err.Error(), "secret-key") {
						t.Errorf("err %q: want provider prefix and no key", err)
					}
				} else {
					if err != nil {
						t.Fatal(err)
					}
					if ans.Text != c.wantText || ans.Model == "" {
						t.Errorf("answer = %+v, want text %q", ans, c.wantText)
					}
					// Every successful script ends with the provider's counts.
					if ans.Usage == nil || *ans.Usage != (Usage{PromptTokens: 21, CompletionTokens: 7}) {
						t.Errorf("usage = %+v, want 21 prompt and 7 completion tokens", ans.Usage)
					}
				}
				if emitted.String() != c.wantEmitted {
					t.Errorf("emitted %q, want %q", emitted.String(), c.wantEmitted)
				}
				if f.n != c.wantAttempts {
					t.Errorf("attempts = %d, want %d", f.n, c.wantAttempts)
				}
				if f.n > 0 {
					req := f.reqs[0]
					if req["stream"] != c.stream {
						t.Errorf("stream flag = %v, want %v", req["stream"], c.stream)
					}
					if so := fmt.Sprint(req["stream_options"]); w.name == "openai" && c.stream && so != "map[include_usage:true]" {
						t.Errorf("stream_options = %s, want include_usage", so)
					}
					msgs, _ := req["messages"].([]any)
					if len(msgs) != 2 || fmt.Sprint(msgs[0]) != "map[content:be brief role:system]" {
						t.Errorf("messages = %v", req["messages"])
					}
				}
			})
		}
	}
}

var errEmit = errors.New("client went away")

func TestRemoteGenerators_CancelSlowStream(t *testing.T) {
	t.Parallel()
	for _, w := range wires {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeLLM{t: t, w: w, scripts: func(int) []string { return []string{"d:first", "hang"} },
				gone: make(chan struct{}), hanging: make(chan struct{})}
			hs := httptest.NewServer(f)
			defer hs.Close()
			g, _ := w.newGen(hs.URL)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// The client goes away once it has the first delta and the
			// server holds the stream open, so the reader is (or is about
			// to be) blocked on a body that sends nothing more.
			_, err := g.Generate(ctx, Request{Question: "q"}, func(d string) error {
				go func() { <-f.hanging; cancel() }()
				return nil
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			// No clock: a reader that missed the cancel hangs in Generate, a
			// connection left open hangs here, and go test's -timeout names
			// either with every goroutine's stack.
			<-f.gone
		})
	}
}

func TestOpenAI_RequestShape(t *testing.T) {
	t.Parallel()
	f := &fakeLLM{t: t, w: wires[0], scripts: func(int) []string { return []string{"full:x"} }}
	hs := httptest.NewServer(f)
	defer hs.Close()
	g, _ := NewOpenAI(OpenAIConfig{BaseURL: hs.URL + "/v1", APIKey: "sk-abcdef", Model: "gpt-test", MaxCompletionTokens: true, MaxTokens: 99})
	if _, err := g.Generate(context.Background(), Request{Question: "q", Temperature: 0.5}, nil); err != nil {
		t.Fatal(err)
	}
	req := f.reqs[0]
	if req["model"] != "gpt-test" || req["max_completion_tokens"] != float64(99) || req["temperature"] != 0.5 || req["max_tokens"] != nil {
		t.Errorf("request = %v", req)
	}
	if got := f.hdrs[0].Get("Authorization"); got != "Bearer sk-abcdef" {
		t.Errorf("Authorization = %q", got)
	}
	if _, err := g.Generate(context.Background(), Request{}, nil); err == nil {
		t.Error("empty request accepted")
	}
}

func TestOllama_RequestShape(t *testing.T) {
	t.Parallel()
	f := &fakeLLM{t: t, w: wires[1], scripts: func(int) []string { return []string{"full:x"} }}
	hs := httptest.NewServer(f)
	defer hs.Close()
	g, _ := NewOllama(OllamaConfig{BaseURL: hs.URL, Model: "llama-test", Temperature: 0.3})
	if _, err := g.Generate(context.Background(), Request{Question: "q", MaxTokens: 7}, nil); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(f.reqs[0]["options"]); got != "map[num_predict:7 temperature:0.3]" {
		t.Errorf("options = %s", got)
	}
}

func TestNewRemote_Config(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
	}{
		{"openai bad url", func() error { _, err := NewOpenAI(OpenAIConfig{BaseURL: "localhost:1"}); return err }()},
		{"openai temperature", func() error { _, err := NewOpenAI(OpenAIConfig{Temperature: 3}); return err }()},
		{"openai timeout", func() error { _, err := NewOpenAI(OpenAIConfig{Timeout: -time.Second}); return err }()},
		{"ollama no model", func() error { _, err := NewOllama(OllamaConfig{}); return err }()},
		{"ollama retry", func() error {
			_, err := NewOllama(OllamaConfig{Model: "m", Retry: retry.Policy{BaseDelay: -1}})
			return err
		}()},
	}
	for _, tc := range tests {
		if !errors.Is(tc.err, ErrConfig) {
			t.Errorf("%s: err = %v, want ErrConfig", tc.name, tc.err)
		}
	}
}

// TestUsage_Reported: counts a provider left out, or reported as
// nonsense, are no Usage, and sums keep what is known.
func TestUsage_Reported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prompt, completion int
		want               *Usage
	}{
		{0, 0, nil},
		{-1, 5, nil},
		{5, -1, nil},
		{12, 0, &Usage{PromptTokens: 12}},
		{12, 3, &Usage{PromptTokens: 12, CompletionTokens: 3}},
	}
	for _, tt := range tests {
		got := usage(tt.prompt, tt.completion)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("usage(%d, %d) = %+v, want %+v", tt.prompt, tt.completion, got, tt.want)
		}
	}
	a, b := &Usage{PromptTokens: 10, CompletionTokens: 2}, &Usage{PromptTokens: 5, CompletionTokens: 1}
	if got := a.Plus(b); *got != (Usage{PromptTokens: 15, CompletionTokens: 3}) {
		t.Errorf("Plus = %+v", got)
	}
	if got := (*Usage)(nil).Plus(b); got != b {
		t.Errorf("nil.Plus(b) = %+v", got)
	}
	if got := a.Plus(nil); got != a {
		t.Errorf("a.Plus(nil) = %+v", got)
	}
	if got := (*Usage)(nil).Plus(nil); got != nil {
		t.Errorf("nil.Plus(nil) = %+v", got)
	}
}

// TestOpenAI_StreamWithoutUsage: a server that ignores stream_options
// streams no counts, and the answer says so (nil) rather than zero.
func TestOpenAI_StreamWithoutUsage(t *testing.T) {
	t.Parallel()
	w := wires[0]
	w.done = "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
	f := &fakeLLM{t: t, w: w, scripts: func(int) []string { return []string{"d:hi", "done"} }}
	hs := httptest.NewServer(f)
	defer hs.Close()
	g, err := w.newGen(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := g.Generate(context.Background(), Request{Question: "q"}, func(string) error { return nil })
	if err != nil || ans.Text != "hi" || ans.Usage != nil {
		t.Fatalf("answer %+v, err %v: want text hi and no usage", ans, err)
	}
}

// TestOpenAI_StreamOptionsRefused: a server that does not know
// stream_options (older Azure API versions) refuses it with a 400; the
// generator asks again without it, and does not send it again.
func TestOpenAI_StreamOptionsRefused(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var asked []bool
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		_ = json.NewDecoder(r.Body).Decode(&req)
		_, has := req["stream_options"]
		mu.Lock()
		asked = append(asked, has)
		mu.Unlock()
		if has {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":{"message":"Unrecognized request argument supplied: stream_options","type":"invalid_request_error","param":null,"code":null}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, wires[0].delta("fine")+"data: [DONE]\n\n")
	}))
	defer hs.Close()
	g, err := wires[0].newGen(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		ans, err := g.Generate(context.Background(), Request{Question: "q"}, func(string) error { return nil })
		if err != nil || ans.Text != "fine" || ans.Usage != nil {
			t.Fatalf("call %d: answer %+v, err %v", i, ans, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(asked) != "[true false false]" {
		t.Errorf("stream_options sent on the calls: %v, want [true false false]", asked)
	}
}

// TestOpenAI_OddUsageKeepsTheAnswer: counts are information; a server
// that writes them oddly loses the counts, never the answer.
func TestOpenAI_OddUsageKeepsTheAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		usage string
		want  *Usage
	}{
		{`{"prompt_tokens":12.0,"completion_tokens":3}`, &Usage{PromptTokens: 12, CompletionTokens: 3}},
		{`{"prompt_tokens":"12","completion_tokens":3}`, nil},
		{`{"prompt_tokens":1.5,"completion_tokens":3}`, nil},
		{`"none"`, nil},
		{`null`, nil},
	}
	for _, tt := range tests {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":`+tt.usage+`}`)
		}))
		g, _ := wires[0].newGen(hs.URL)
		ans, err := g.Generate(context.Background(), Request{Question: "q"}, nil)
		hs.Close()
		if err != nil || ans.Text != "hi" || (ans.Usage == nil) != (tt.want == nil) || ans.Usage != nil && *ans.Usage != *tt.want {
			t.Errorf("usage %s: answer %+v, err %v, want usage %+v", tt.usage, ans, err, tt.want)
		}
	}
}

// TestOllama_UncountedPrompt: an Ollama that leaves prompt_eval_count out
// (a cached prompt, older servers) gives no usage, not a 0-token prompt.
func TestOllama_UncountedPrompt(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"model":"llama-test","message":{"role":"assistant","content":"hi"},"done":true,"eval_count":7}`)
	}))
	defer hs.Close()
	g, err := wires[1].newGen(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	ans, err := g.Generate(context.Background(), Request{Question: "q"}, nil)
	if err != nil || ans.Text != "hi" || ans.Usage != nil {
		t.Fatalf("answer %+v, err %v: want text hi and no usage", ans, err)
	}
}

// TestStream_AnswerCapped: an upstream that streams past maxAnswerBytes
// (ignoring max_tokens) ends the answer with ErrBadResponse, once, with no
// retry, instead of growing it without end.
func TestStream_AnswerCapped(t *testing.T) {
	t.Parallel()
	// A cap of 1 MiB rather than the default 16: the test streams past it
	// in well under the generators' 5 s attempt timeout on a loaded
	// machine under -race. TestAnswerCap_Default checks the default.
	const maxAnswerBytes = 1 << 20
	chunk := strings.Repeat("x", 64<<10)
	endless := make([]string, maxAnswerBytes/len(chunk)+2)
	for i := range endless {
		endless[i] = "d:" + chunk
	}
	endless = append(endless, "done")
	gens := map[string]func(t *testing.T) (Generator, func() int){}
	for _, w := range wires {
		gens[w.name] = func(t *testing.T) (Generator, func() int) {
			f := &fakeLLM{t: t, w: w, scripts: func(int) []string { return endless }}
			hs := httptest.NewServer(f)
			t.Cleanup(hs.Close)
			g, err := w.newGen(hs.URL)
			if err != nil {
				t.Fatal(err)
			}
			switch g := g.(type) {
			case *OpenAI:
				g.maxAnswer = maxAnswerBytes
			case *Ollama:
				g.maxAnswer = maxAnswerBytes
			}
			return g, func() int { f.mu.Lock(); defer f.mu.Unlock(); return f.n }
		}
	}
	gens["bedrock"] = func(t *testing.T) (Generator, func() int) {
		endless := append(endless[:len(endless)-1:len(endless)-1], "stop")
		f := &fakeBedrock{t: t, scripts: func(int) []string { return endless }, gone: make(chan struct{})}
		hs := httptest.NewServer(f)
		t.Cleanup(hs.Close)
		g := newTestBedrockGen(t, hs.URL)
		g.maxAnswer = maxAnswerBytes
		return g, func() int { return f.n }
	}
	for name, newGen := range gens {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g, attempts := newGen(t)
			emitted := 0
			_, err := g.Generate(context.Background(), Request{Question: "q"}, func(d string) error {
				emitted += len(d)
				return nil
			})
			if !errors.Is(err, ErrBadResponse) {
				t.Fatalf("err = %v, want ErrBadResponse", err)
			}
			if emitted > maxAnswerBytes || emitted < maxAnswerBytes-len(chunk) {
				t.Errorf("emitted %d bytes, want just under the cap of %d", emitted, maxAnswerBytes)
			}
			if n := attempts(); n != 1 {
				t.Errorf("attempts = %d, want 1", n)
			}
		})
	}
}

// TestAnswerCap_Default: a generator configured without MaxAnswerBytes
// caps a streamed answer at 16 MiB, the cap of a whole answer's body.
func TestAnswerCap_Default(t *testing.T) {
	t.Parallel()
	o, err := NewOpenAI(OpenAIConfig{APIKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewOllama(OllamaConfig{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if o.maxAnswer != 16<<20 || l.maxAnswer != 16<<20 || answerCap(0) != 16<<20 || answerCap(5) != 5 {
		t.Errorf("caps %d, %d, %d", o.maxAnswer, l.maxAnswer, answerCap(0))
	}
}
