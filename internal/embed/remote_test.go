package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/retry"
)

var fastRetry = retry.Policy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond}

// fakeVec is the vector the fake servers return for a text: its length,
// then ones.
func fakeVec(text string, dims int) []float32 {
	v := make([]float32, dims)
	v[0] = float32(len(text))
	for i := 1; i < dims; i++ {
		v[i] = 1
	}
	return v
}

// openAIServer answers like POST /v1/embeddings; mutate may rewrite the
// response data (as a generic JSON value) or the status per attempt.
type openAIServer struct {
	mu       sync.Mutex
	attempts int
	requests []map[string]any
	headers  []http.Header
	paths    []string
	handle   func(w http.ResponseWriter, attempt int, input []string) bool // true: handled
	dims     int
	reverse  bool
}

func (s *openAIServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req map[string]any
	body, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(body, &req)
	s.mu.Lock()
	s.attempts++
	n := s.attempts
	s.requests = append(s.requests, req)
	s.headers = append(s.headers, r.Header.Clone())
	s.paths = append(s.paths, r.URL.RequestURI())
	s.mu.Unlock()
	var input []string
	if arr, ok := req["input"].([]any); ok {
		for _, x := range arr {
			str, _ := x.(string)
			input = append(input, str)
		}
	}
	if s.handle != nil && s.handle(w, n, input) {
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	for i, t := range input {
		data = append(data, item{"embedding", i, fakeVec(t, s.dims)})
	}
	if s.reverse {
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req["model"],
		"usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
}

// srvSpec is the per-case behaviour of an openAIServer.
type srvSpec struct {
	handle  func(w http.ResponseWriter, attempt int, input []string) bool
	reverse bool
}

func TestOpenAI_Embed(t *testing.T) {
	t.Parallel()
	const key = "sk-test-SECRET-123456"
	tests := []struct {
		name         string
		srv          srvSpec
		cfg          func(*OpenAIConfig)
		texts        []string
		wantErr      error // nil: success
		wantAttempts int
		check        func(t *testing.T, s *openAIServer, err error)
	}{
		{name: "ordered by index", srv: srvSpec{reverse: true}, texts: []string{"a", "bb", "ccc"}, wantAttempts: 1},
		{name: "batching splits", srv: srvSpec{}, cfg: func(c *OpenAIConfig) { c.BatchSize = 2 },
			texts: []string{"a", "bb", "ccc", "dddd", "eeeee"}, wantAttempts: 3,
			check: func(t *testing.T, s *openAIServer, _ error) {
				var sizes []int
				for _, r := range s.requests {
					sizes = append(sizes, len(r["input"].([]any)))
				}
				if fmt.Sprint(sizes) != "[2 2 1]" {
					t.Errorf("batch sizes %v, want [2 2 1]", sizes)
				}
			}},
		{name: "request shape and bearer key", srv: srvSpec{}, cfg: func(c *OpenAIConfig) { c.SendDimensions = true },
			texts: []string{"x", ""}, wantAttempts: 1,
			check: func(t *testing.T, s *openAIServer, _ error) {
				r := s.requests[0]
				if r["model"] != "m" || r["dimensions"] != float64(4) || r["encoding_format"] != "float" {
					t.Errorf("request = %v", r)
				}
				if in := r["input"].([]any); in[1] != " " {
					t.Errorf("empty input sent as %q, want a space", in[1])
				}
				if got := s.headers[0].Get("Authorization"); got != "Bearer "+key {
					t.Errorf("Authorization = %q", got)
				}
				if s.paths[0] != "/v1/embeddings" {
					t.Errorf("path = %q", s.paths[0])
				}
			}},
		{name: "azure api-key header and url override", srv: srvSpec{},
			cfg: func(c *OpenAIConfig) {
				c.AuthHeader = "api-key"
				c.URL = c.BaseURL[:strings.Index(c.BaseURL, "/v1")] + "/openai/deployments/dep/embeddings?api-version=2024-10-21"
			},
			texts: []string{"x"}, wantAttempts: 1,
			check: func(t *testing.T, s *openAIServer, _ error) {
				if s.headers[0].Get("api-key") != key || s.headers[0].Get("Authorization") != "" {
					t.Errorf("headers = %v", s.headers[0])
				}
				if s.paths[0] != "/openai/deployments/dep/embeddings?api-version=2024-10-21" {
					t.Errorf("path = %q", s.paths[0])
				}
			}},
		{name: "429 then success", texts: []string{"a"}, wantAttempts: 2, srv: srvSpec{handle: func(w http.ResponseWriter, n int, _ []string) bool {
			if n == 1 {
				w.Header().Set("Retry-After-Ms", "5")
				w.WriteHeader(429)
				io.WriteString(w, `{"error":{"message":"Rate limit reached"}}`)
				return true
			}
			return false
		}}},
		{name: "500 until retries exhausted", texts: []string{"a"}, wantErr: ErrUpstream, wantAttempts: 3,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool { w.WriteHeader(500); return true }},
			check: func(t *testing.T, _ *openAIServer, err error) {
				var he *retry.HTTPError
				if !errors.As(err, &he) || he.Status != 500 || he.Provider != "openai" {
					t.Errorf("err = %v, want HTTPError 500", err)
				}
			}},
		{name: "401 not retried and key not leaked", texts: []string{"a"}, wantErr: ErrUpstream, wantAttempts: 1,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool {
				w.WriteHeader(401)
				io.WriteString(w, `{"error":{"message":"Incorrect API key provided: `+key+`.","code":"invalid_api_key"}}`)
				return true
			}},
			check: func(t *testing.T, _ *openAIServer, err error) {
				if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "401") {
					t.Errorf("err = %q", err)
				}
			}},
		{name: "bad json", texts: []string{"a"}, wantErr: ErrBadResponse, wantAttempts: 1,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool { io.WriteString(w, `{"data":[`); return true }}},
		{name: "wrong count", texts: []string{"a", "b"}, wantErr: ErrBadResponse, wantAttempts: 1,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool {
				io.WriteString(w, `{"data":[{"index":0,"embedding":[1,1,1,1]}]}`)
				return true
			}}},
		{name: "wrong dims", texts: []string{"a"}, wantErr: ErrBadResponse, wantAttempts: 1,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool {
				io.WriteString(w, `{"data":[{"index":0,"embedding":[1,1]}]}`)
				return true
			}}},
		{name: "missing index", texts: []string{"a", "b"}, wantErr: ErrBadResponse, wantAttempts: 1,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool {
				io.WriteString(w, `{"data":[{"index":0,"embedding":[1,1,1,1]},{"embedding":[1,1,1,1]}]}`)
				return true
			}}},
		{name: "repeated index", texts: []string{"a", "b"}, wantErr: ErrBadResponse, wantAttempts: 1,
			srv: srvSpec{handle: func(w http.ResponseWriter, _ int, _ []string) bool {
				io.WriteString(w, `{"data":[{"index":1,"embedding":[1,1,1,1]},{"index":1,"embedding":[1,1,1,1]}]}`)
				return true
			}}},
		{name: "no texts no call", texts: nil, wantAttempts: 0, srv: srvSpec{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &openAIServer{handle: tc.srv.handle, reverse: tc.srv.reverse, dims: 4}
			hs := httptest.NewServer(s)
			defer hs.Close()
			cfg := OpenAIConfig{BaseURL: hs.URL + "/v1", APIKey: key, Model: "m", Dims: 4, Retry: fastRetry, Timeout: 5 * time.Second}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			e, err := NewOpenAI(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Embed(context.Background(), tc.texts)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "openai: ") {
					t.Errorf("err %q lacks provider prefix", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tc.texts) {
					t.Fatalf("got %d vectors for %d texts", len(got), len(tc.texts))
				}
				for i, txt := range tc.texts {
					if want := fakeVec(strings.ReplaceAll(txt+"\x00", "\x00", ""), 4); txt != "" && fmt.Sprint(got[i]) != fmt.Sprint(want) {
						t.Errorf("vector %d = %v, want %v", i, got[i], want)
					}
				}
			}
			if s.attempts != tc.wantAttempts {
				t.Errorf("server saw %d requests, want %d", s.attempts, tc.wantAttempts)
			}
			if tc.check != nil {
				tc.check(t, s, err)
			}
		})
	}
}

func TestNewOpenAI_Config(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     OpenAIConfig
		wantErr bool
		want    docmodel.EmbeddingModel
	}{
		{"defaults", OpenAIConfig{}, false, docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: 1536}},
		{"large", OpenAIConfig{Model: "text-embedding-3-large"}, false, docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-large", Dims: 3072}},
		{"unknown model needs dims", OpenAIConfig{Model: "bge-m3"}, true, docmodel.EmbeddingModel{}},
		{"bad url", OpenAIConfig{BaseURL: "ftp://x"}, true, docmodel.EmbeddingModel{}},
		{"bad batch", OpenAIConfig{BatchSize: 5000}, true, docmodel.EmbeddingModel{}},
		{"negative timeout", OpenAIConfig{Timeout: -1}, true, docmodel.EmbeddingModel{}},
		{"negative retries", OpenAIConfig{Retry: retry.Policy{MaxAttempts: -1}}, true, docmodel.EmbeddingModel{}},
	}
	for _, tc := range tests {
		e, err := NewOpenAI(tc.cfg)
		if tc.wantErr {
			if !errors.Is(err, ErrConfig) {
				t.Errorf("%s: err = %v, want ErrConfig", tc.name, err)
			}
			continue
		}
		if err != nil || e.Info() != tc.want {
			t.Errorf("%s: err=%v info=%+v", tc.name, err, e.Info())
		}
	}
}

func TestOpenAI_ContextCanceledWhileSlow(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hs.Close()
	defer close(release)
	e, _ := NewOpenAI(OpenAIConfig{BaseURL: hs.URL, Model: "m", Dims: 4, Retry: fastRetry})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := e.Embed(ctx, []string{"a"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %v to give up", el)
	}
}

func TestOpenAI_AttemptTimeoutRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
		if n.Add(1) == 1 {
			<-r.Context().Done() // hang the first attempt
			return
		}
		io.WriteString(w, `{"data":[{"index":0,"embedding":[1,1,1,1]}]}`)
	}))
	defer hs.Close()
	e, _ := NewOpenAI(OpenAIConfig{BaseURL: hs.URL, Model: "m", Dims: 4, Retry: fastRetry, Timeout: 50 * time.Millisecond})
	if _, err := e.Embed(context.Background(), []string{"a"}); err != nil {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("attempts = %d, want 2", n.Load())
	}
}

func TestOpenAI_ConnectionRefusedRetried(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close()
	e, _ := NewOpenAI(OpenAIConfig{BaseURL: url, APIKey: "sk-abcdefgh", Model: "m", Dims: 4, Retry: fastRetry})
	_, err := e.Embed(context.Background(), []string{"a"})
	if !errors.Is(err, ErrUpstream) || !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("err = %v", err)
	}
}

func TestOllama_Embed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		handler      func(w http.ResponseWriter, n int, req map[string]any)
		texts        []string
		batch        int
		wantErr      error
		wantAttempts int
	}{
		{name: "ok batched", texts: []string{"a", "bb", "ccc"}, batch: 2, wantAttempts: 2,
			handler: func(w http.ResponseWriter, _ int, req map[string]any) {
				var embs [][]float32
				for _, x := range req["input"].([]any) {
					embs = append(embs, fakeVec(x.(string), 3))
				}
				json.NewEncoder(w).Encode(map[string]any{"model": req["model"], "embeddings": embs})
			}},
		{name: "503 then ok", texts: []string{"a"}, wantAttempts: 2,
			handler: func(w http.ResponseWriter, n int, req map[string]any) {
				if n == 1 {
					w.WriteHeader(503)
					return
				}
				io.WriteString(w, `{"embeddings":[[1,1,1]]}`)
			}},
		{name: "model not found", texts: []string{"a"}, wantErr: ErrUpstream, wantAttempts: 1,
			handler: func(w http.ResponseWriter, _ int, _ map[string]any) {
				w.WriteHeader(404)
				io.WriteString(w, `{"error":"model \"m\" not found, try pulling it first"}`)
			}},
		{name: "wrong count", texts: []string{"a", "b"}, wantErr: ErrBadResponse, wantAttempts: 1,
			handler: func(w http.ResponseWriter, _ int, _ map[string]any) { io.WriteString(w, `{"embeddings":[[1,1,1]]}`) }},
		{name: "wrong dims", texts: []string{"a"}, wantErr: ErrBadResponse, wantAttempts: 1,
			handler: func(w http.ResponseWriter, _ int, _ map[string]any) { io.WriteString(w, `{"embeddings":[[1,1]]}`) }},
		{name: "bad json", texts: []string{"a"}, wantErr: ErrBadResponse, wantAttempts: 1,
			handler: func(w http.ResponseWriter, _ int, _ map[string]any) { io.WriteString(w, `nope`) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			n := 0
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/api/embed" || r.Method != http.MethodPost {
					t.Errorf("%s %s", r.Method, r.URL.Path)
				}
				var req map[string]any
				json.NewDecoder(r.Body).Decode(&req)
				mu.Lock()
				n++
				k := n
				mu.Unlock()
				tc.handler(w, k, req)
			}))
			defer hs.Close()
			e, err := NewOllama(OllamaConfig{BaseURL: hs.URL, Model: "m", Dims: 3, BatchSize: tc.batch, Retry: fastRetry})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Embed(context.Background(), tc.texts)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.HasPrefix(err.Error(), "ollama: ") {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if len(got) != len(tc.texts) {
				t.Fatalf("got %d vectors", len(got))
			} else if tc.name == "ok batched" && (got[0][0] != 1 || got[2][0] != 3) {
				t.Errorf("vectors out of order: %v", got)
			}
			if n != tc.wantAttempts {
				t.Errorf("attempts = %d, want %d", n, tc.wantAttempts)
			}
		})
	}
	if _, err := NewOllama(OllamaConfig{Model: "m"}); !errors.Is(err, ErrConfig) {
		t.Errorf("missing dims: err = %v", err)
	}
}
