package embedtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// Wire formats a Server speaks.
const (
	OpenAI  = "openai"
	Ollama  = "ollama"
	Bedrock = "bedrock"
)

// TitanPath is the InvokeModel path of Titan Text Embeddings v2.
const TitanPath = "/model/amazon.titan-embed-text-v2:0/invoke"

// Failure is a scripted answer: Status with Header, and an error message
// in the provider's error body. A zero Status serves the request.
type Failure struct {
	Status  int
	Header  http.Header
	Message string
}

// Server is an embedding provider stand-in.
type Server struct {
	kind string

	mu       sync.Mutex
	requests int
	texts    []string // texts answered with a vector, in answer order
	maxBatch int
	fail     func(n int) Failure
	vector   func(text string, dims int) []float32
	pad      int64
	written  int64
	errs     []string
}

// New returns a stand-in speaking kind's wire format (OpenAI, Ollama or
// Bedrock). Vectors have the length the request asks for (OpenAI's
// "dimensions", Titan's "dimensions"), else 8.
func New(kind string) *Server { return &Server{kind: kind} }

// FailWith scripts answers: f is called with each request's number (from
// 1, counting every attempt) and may return a Failure.
func (s *Server) FailWith(f func(n int) Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// VectorsWith scripts the vectors answered: f(text, dims) gives text's
// vector instead of [Vector], e.g. all zeros or values whose squared norm
// overflows float32, as a faulty provider might send them; nil restores
// Vector. The answer is still encoded in the provider's wire format, so f
// cannot send NaN or infinities, which JSON cannot carry.
func (s *Server) VectorsWith(f func(text string, dims int) []float32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vector = f
}

// PadWith scripts answers n bytes longer: the provider's answer after n
// bytes of JSON whitespace, still valid JSON, so that only a size cap
// refuses it. The padding goes out in flushed 64 KiB writes and stops at
// the first that fails, so a client that stops reading stops the
// stand-in. Serve it with httptest.NewServer: Client's in-process
// transport holds a whole answer in memory. Zero restores plain answers.
func (s *Server) PadWith(n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pad = n
}

// Written returns the bytes of answer bodies written so far, padding
// included: with httptest.NewServer, what the client read plus what the
// sockets hold.
func (s *Server) Written() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.written
}

// Requests returns the number of requests received.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Texts returns the texts answered with a vector so far.
func (s *Server) Texts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.texts...)
}

// MaxBatch returns the most texts one request carried.
func (s *Server) MaxBatch() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxBatch
}

// Errors returns what was wrong with requests (path, signature, body); a
// test should expect none.
func (s *Server) Errors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

// Reset forgets counts and texts (not the script).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests, s.texts, s.maxBatch = 0, nil, 0
}

// Client returns an HTTP client whose transport serves every request with
// s in-process, whatever the URL's host.
func (s *Server) Client() *http.Client { return &http.Client{Transport: transport{s}} }

type transport struct{ h http.Handler }

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func (s *Server) bad(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, a...))
}

// ServeHTTP answers one embeddings request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	n, fail := s.requests, s.fail
	s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	texts, dims, ok := s.decode(r, body)
	if !ok {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if fail != nil {
		if f := fail(n); f.Status != 0 {
			s.writeError(w, f)
			return
		}
	}
	s.mu.Lock()
	s.texts = append(s.texts, texts...)
	s.maxBatch = max(s.maxBatch, len(texts))
	vector, pad := s.vector, s.pad
	s.mu.Unlock()
	if vector == nil {
		vector = Vector
	}
	w.Header().Set("Content-Type", "application/json")
	var resp any
	switch s.kind {
	case OpenAI:
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		data := make([]item, len(texts))
		for i, t := range texts {
			data[i] = item{"embedding", i, vector(t, dims)}
		}
		resp = map[string]any{"object": "list", "data": data, "model": "stand-in"}
	case Ollama:
		vecs := make([][]float32, len(texts))
		for i, t := range texts {
			vecs[i] = vector(t, dims)
		}
		resp = map[string]any{"model": "stand-in", "embeddings": vecs}
	case Bedrock:
		resp = map[string]any{"embedding": vector(texts[0], dims), "inputTextTokenCount": len(strings.Fields(texts[0]))}
	}
	var answer bytes.Buffer
	if err := json.NewEncoder(&answer).Encode(resp); err != nil {
		s.bad("encode answer: %v", err)
		return
	}
	cw := countingWriter{w: w, s: s}
	if pad > 0 {
		// As the providers send it: a length, not chunks.
		w.Header().Set("Content-Length", strconv.FormatInt(pad+int64(answer.Len()), 10))
		if !s.writePadding(cw, pad) {
			return // the client stopped reading
		}
	}
	if _, err := cw.Write(answer.Bytes()); err != nil && pad == 0 {
		s.bad("write answer: %v", err)
	}
}

// writePadding writes n bytes of whitespace in flushed 64 KiB writes; it
// reports false when one fails.
func (s *Server) writePadding(w countingWriter, n int64) bool {
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	rc := http.NewResponseController(w.w)
	for n > 0 {
		k := int(min(n, int64(len(chunk))))
		if _, err := w.Write(chunk[:k]); err != nil {
			return false
		}
		if err := rc.Flush(); err != nil {
			return false
		}
		n -= int64(k)
	}
	return true
}

// countingWriter adds the bytes it writes to its Server's Written.
type countingWriter struct {
	w http.ResponseWriter
	s *Server
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.s.mu.Lock()
	c.s.written += int64(n)
	c.s.mu.Unlock()
	return n, err
}

func (s *Server) decode(r *http.Request, body []byte) (texts []string, dims int, ok bool) {
	if r.Method != http.MethodPost {
		s.bad("method %s", r.Method)
		return nil, 0, false
	}
	dims = 8
	switch s.kind {
	case OpenAI:
		var req struct {
			Model      string   `json:"model"`
			Input      []string `json:"input"`
			Dimensions int      `json:"dimensions"`
		}
		if r.URL.Path != "/v1/embeddings" || json.Unmarshal(body, &req) != nil || req.Model == "" || len(req.Input) == 0 || len(req.Input) > 2048 {
			s.bad("openai: %s %.200s", r.URL.Path, body)
			return nil, 0, false
		}
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			s.bad("openai: no bearer token")
		}
		if req.Dimensions > 0 {
			dims = req.Dimensions
		}
		return req.Input, dims, true
	case Ollama:
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if r.URL.Path != "/api/embed" || json.Unmarshal(body, &req) != nil || req.Model == "" || len(req.Input) == 0 {
			s.bad("ollama: %s %.200s", r.URL.Path, body)
			return nil, 0, false
		}
		return req.Input, dims, true
	case Bedrock:
		var req struct {
			InputText  string `json:"inputText"`
			Dimensions int    `json:"dimensions"`
		}
		if r.URL.Path != TitanPath || json.Unmarshal(body, &req) != nil || req.InputText == "" || len([]rune(req.InputText)) > 50_000 {
			s.bad("bedrock: %s %.200s", r.URL.Path, body)
			return nil, 0, false
		}
		if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=") || !strings.Contains(auth, "/bedrock/aws4_request") {
			s.bad("bedrock: not SigV4-signed: %q", auth)
		}
		if req.Dimensions > 0 {
			dims = req.Dimensions
		}
		return []string{req.InputText}, dims, true
	}
	s.bad("unknown kind %q", s.kind)
	return nil, 0, false
}

func (s *Server) writeError(w http.ResponseWriter, f Failure) {
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	w.Header().Set("Content-Type", "application/json")
	var body any
	switch s.kind {
	case OpenAI:
		body = map[string]any{"error": map[string]any{"message": msg, "type": "server_error"}}
	case Ollama:
		body = map[string]any{"error": msg}
	case Bedrock:
		code := "InternalServerException"
		if f.Status == http.StatusTooManyRequests {
			code = "ThrottlingException"
		}
		w.Header().Set("X-Amzn-ErrorType", code)
		body = map[string]any{"message": msg}
	}
	w.WriteHeader(f.Status)
	if err := json.NewEncoder(w).Encode(body); err != nil {
		s.bad("write error answer: %v", err)
	}
}

// Vector is the stand-in's vector for text: dims floats drawn from
// SHA-256 of the text, the same on every call.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	seed := sha256.Sum256([]byte(text))
	for i := range v {
		h := sha256.Sum256(append(seed[:], byte(i), byte(i>>8)))
		v[i] = float32(int32(binary.LittleEndian.Uint32(h[:4]))) / (1 << 31)
	}
	return v
}
