package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/vendor0919/api/internal/awsbedrock"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embedtest"
)

// titanServer speaks Bedrock Runtime InvokeModel for Titan v2.
type titanServer struct {
	t        *testing.T
	calls    atomic.Int32
	inflight atomic.Int32
	maxSeen  atomic.Int32
	mu       sync.Mutex
	fail     func(n int32, w http.ResponseWriter) bool
	dimsOut  int
}

func (s *titanServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.calls.Add(1)
	cur := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	s.mu.Lock()
	if cur > s.maxSeen.Load() {
		s.maxSeen.Store(cur)
	}
	s.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/model/amazon.titan-embed-text-v2:0/invoke" {
		s.t.Errorf("%s %s", r.Method, r.URL.Path)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDTEST/") || !strings.Contains(auth, "/ap-northeast-1/bedrock/aws4_request") || !strings.Contains(auth, "Signature=") {
		s.t.Errorf("Authorization = %q", auth)
	}
	if r.Header.Get("X-Amz-Date") == "" {
		s.t.Error("no X-Amz-Date")
	}
	var req titanRequest
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, &req); err != nil || req.Dimensions != 256 || !req.Normalize || req.InputText == "" {
		s.t.Errorf("body = %s", b)
	}
	if s.fail != nil && s.fail(n, w) {
		return
	}
	dims := req.Dimensions
	if s.dimsOut != 0 {
		dims = s.dimsOut
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(titanResponse{Embedding: fakeVec(req.InputText, dims), InputTextTokenCount: 3})
}

func newTestBedrock(t *testing.T, url string, conc int) *Bedrock {
	t.Helper()
	b, err := NewBedrock(context.Background(), BedrockConfig{
		Region: "ap-northeast-1", Dims: 256, Concurrency: conc, BaseEndpoint: url,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""), Retry: fastRetry,
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBedrock_Embed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		texts     []string
		fail      func(n int32, w http.ResponseWriter) bool
		dimsOut   int
		wantErr   error
		wantCalls int32
	}{
		{name: "ok in order", texts: []string{"a", "bb", "ccc", "dddd", "eeeee"}, wantCalls: 5},
		{name: "throttled then ok", texts: []string{"a"}, wantCalls: 2, fail: func(n int32, w http.ResponseWriter) bool {
			if n == 1 {
				w.Header().Set("X-Amzn-ErrorType", "ThrottlingException")
				w.WriteHeader(429)
				io.WriteString(w, `{"message":"Too many requests, please wait before trying again."}`)
				return true
			}
			return false
		}},
		{name: "500 exhausted", texts: []string{"a"}, wantErr: ErrUpstream, wantCalls: 3, fail: func(_ int32, w http.ResponseWriter) bool {
			w.Header().Set("X-Amzn-ErrorType", "InternalServerException")
			w.WriteHeader(500)
			io.WriteString(w, `{"message":"internal"}`)
			return true
		}},
		{name: "access denied not retried", texts: []string{"a"}, wantErr: ErrUpstream, wantCalls: 1, fail: func(_ int32, w http.ResponseWriter) bool {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
			w.WriteHeader(403)
			io.WriteString(w, `{"message":"You don't have access to the model with the specified model ID."}`)
			return true
		}},
		{name: "wrong dims", texts: []string{"a"}, dimsOut: 5, wantErr: ErrBadResponse, wantCalls: 1},
		{name: "bad json", texts: []string{"a"}, wantErr: ErrBadResponse, wantCalls: 1, fail: func(_ int32, w http.ResponseWriter) bool {
			io.WriteString(w, `{"embedding":[1,`)
			return true
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &titanServer{t: t, fail: tc.fail, dimsOut: tc.dimsOut}
			hs := httptest.NewServer(s)
			defer hs.Close()
			b := newTestBedrock(t, hs.URL, 2)
			got, err := b.Embed(context.Background(), tc.texts)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.HasPrefix(err.Error(), "bedrock: ") {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "SECRETTEST") {
					t.Errorf("err leaks secret: %v", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				for i, txt := range tc.texts {
					if len(got[i]) != 256 || got[i][0] != float32(len(txt)) {
						t.Errorf("vector %d wrong (len %d, first %v)", i, len(got[i]), got[i][0])
					}
				}
			}
			if s.calls.Load() != tc.wantCalls {
				t.Errorf("calls = %d, want %d", s.calls.Load(), tc.wantCalls)
			}
			if s.maxSeen.Load() > 2 {
				t.Errorf("%d calls in flight, concurrency is 2", s.maxSeen.Load())
			}
		})
	}
}

func TestNewBedrock_Config(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	for _, cfg := range []BedrockConfig{
		{Region: "us-east-1", Dims: 300, Credentials: creds},
		{Region: "us-east-1", Concurrency: -1, Credentials: creds},
	} {
		if _, err := NewBedrock(context.Background(), cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: err = %v, want ErrConfig", cfg, err)
		}
	}
	b, err := NewBedrock(context.Background(), BedrockConfig{Region: "us-east-1", Credentials: creds})
	if err != nil || b.Info() != (docmodel.EmbeddingModel{Provider: "bedrock", Model: "amazon.titan-embed-text-v2:0", Dims: 1024}) {
		t.Errorf("defaults: %v %+v", err, b)
	}
}

// TestNewBedrock_Models: only the Titan models, whose request body this
// embedder writes, are accepted, each with its own vector sizes; any
// other id (Cohere, Nova, an inference profile) is refused naming the
// supported ones, and not in words that send the user to --dims.
func TestNewBedrock_Models(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider("a", "b", "")
	tests := []struct {
		model    string
		dims     int
		wantDims int    // 0: refused
		wantErr  string // in the error
	}{
		{TitanV2, 0, 1024, ""},
		{TitanV2, 512, 512, ""},
		{TitanV2, 1536, 0, "not one of 256, 512, 1024"},
		{TitanV1, 0, 1536, ""},
		{TitanV1, 1536, 1536, ""},
		{TitanV1, 1024, 0, "returns 1536 only"},
		{"cohere.embed-english-v3", 0, 0, "use amazon.titan-embed-text-v2:0 (the default) or amazon.titan-embed-text-v1"},
		{"cohere.embed-english-v3", 1024, 0, "request format only"},
		{"amazon.nova-2-multimodal-embeddings-v1:0", 0, 0, "request format only"},
		{"us.amazon.titan-embed-text-v2:0", 0, 0, "request format only"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.model, tt.dims), func(t *testing.T) {
			b, err := NewBedrock(context.Background(), BedrockConfig{Region: "us-east-1", ModelID: tt.model, Dims: tt.dims, Credentials: creds})
			if tt.wantDims == 0 {
				if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrConfig saying %q", err, tt.wantErr)
				}
				if !strings.Contains(tt.model, "titan") && strings.Contains(err.Error(), "dims") {
					t.Errorf("err = %v speaks of dims", err)
				}
				return
			}
			if err != nil || b.Info().Dims != tt.wantDims || b.Info().Model != tt.model {
				t.Fatalf("err %v, info %+v, want %d dims", err, b, tt.wantDims)
			}
		})
	}
}

// TestBedrock_TitanV1Body: Titan v1 gets the text alone (it refuses
// "dimensions" and "normalize") and answers 1536 floats.
func TestBedrock_TitanV1Body(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil || len(m) != 1 || m["inputText"] != "hello" || r.URL.Path != "/model/amazon.titan-embed-text-v1/invoke" {
			t.Errorf("%s: body %s", r.URL.Path, body)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(titanResponse{Embedding: fakeVec("hello", 1536), InputTextTokenCount: 1})
	}))
	defer hs.Close()
	b, err := NewBedrock(context.Background(), BedrockConfig{Region: "us-east-1", ModelID: TitanV1, BaseEndpoint: hs.URL,
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", ""), Retry: fastRetry})
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Embed(context.Background(), []string{"hello"})
	if err != nil || len(out) != 1 || len(out[0]) != 1536 {
		t.Fatalf("err %v, %d vectors", err, len(out))
	}
}

// smallSendBuffers gives the connections it accepts a 64 KiB send
// buffer, so that what a stand-in has written is close to what its client
// read: the kernel would otherwise grow it to megabytes.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(64 << 10)
	}
	return c, err
}

// TestBedrock_ResponseCapped: an InvokeModel answer streamed far past
// the 1 MiB cap (a valid Titan answer after 64 MiB of JSON whitespace,
// so that only the cap refuses it) fails as ErrBadResponse, unretried,
// once the client has read little more than the cap: the stand-in, which
// stops at the first write that fails, wrote near the cap, not the
// body.
func TestBedrock_ResponseCapped(t *testing.T) {
	t.Parallel()
	const (
		pad = 64 << 20
		// slack is what the client's receive buffer and the stand-in's
		// send buffer may hold beyond what the client read (measured:
		// 0.1 to 1.5 MiB with smallSendBuffers, 3 MiB without).
		slack = 4 << 20
	)
	for _, tc := range []struct {
		name    string
		pad     int64
		wantErr bool
	}{
		{"within the cap", maxTitanResponse - 64<<10, false},
		{"far past the cap", pad, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := embedtest.New(embedtest.Bedrock)
			srv.PadWith(tc.pad)
			hs := httptest.NewUnstartedServer(srv)
			hs.Listener = smallSendBuffers{hs.Listener}
			hs.Start()
			defer hs.Close()
			// Five attempts: a body over the cap retried would take all
			// five, while fewer leave room for an attempt the transport
			// cut before the cap (Go closes the connection now and then
			// on a loaded machine; ClassifyAWS retries that).
			policy := fastRetry
			policy.MaxAttempts = 5
			b, err := NewBedrock(context.Background(), BedrockConfig{Region: "us-east-1", Dims: 1024, BaseEndpoint: hs.URL,
				Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", ""), Retry: policy})
			if err != nil {
				t.Fatal(err)
			}
			vecs, err := b.Embed(t.Context(), []string{"a"})
			written := srv.Written()
			t.Logf("%d bytes written of %d, err %v", written, tc.pad, err)
			if !tc.wantErr {
				if err != nil || len(vecs) != 1 || len(vecs[0]) != 1024 {
					t.Fatalf("err %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBadResponse) || !errors.Is(err, awsbedrock.ErrResponseTooLarge) || !strings.HasPrefix(err.Error(), "bedrock: ") {
				t.Fatalf("vectors %d, err %v; want %v and %v", len(vecs), err, ErrBadResponse, awsbedrock.ErrResponseTooLarge)
			}
			n := srv.Requests()
			if n >= policy.MaxAttempts {
				t.Errorf("%d requests: a body over the cap is not retried", n)
			}
			if written > int64(n)*(maxTitanResponse+slack) {
				t.Errorf("the stand-in wrote %d bytes in %d requests before the client hung up; cap %d each", written, n, maxTitanResponse)
			}
			if errs := srv.Errors(); len(errs) > 0 {
				t.Errorf("bad requests: %q", errs)
			}
		})
	}
}
