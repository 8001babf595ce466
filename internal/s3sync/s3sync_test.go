package s3sync

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestParseURI_Cases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		uri, bucket, prefix string
		wantErr             bool
	}{
		{"s3://vendor-rag-0919/vectorstore/prod", "vendor-rag-0919", "vectorstore/prod/", false},
		{"s3://vendor-rag-0919/vectorstore/prod/", "vendor-rag-0919", "vectorstore/prod/", false},
		{"s3://b", "b", "", false},
		{"s3://b/", "b", "", false},
		{"s3://b//x", "", "", true},
		{"s3:///x", "", "", true},
		{"s3://b/a/../p", "", "", true},
		{"s3://b/./p", "", "", true},
		{"s3://b/p/..", "", "", true},
		{"s3://b/p..q/.x", "b", "p..q/.x/", false},
		{"https://b/x", "", "", true},
		{"b/x", "", "", true},
		{"", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			b, p, err := ParseURI(tt.uri)
			if tt.wantErr {
				if !errors.Is(err, ErrBadURI) {
					t.Fatalf("ParseURI(%q) err = %v, want ErrBadURI", tt.uri, err)
				}
				return
			}
			if err != nil || b != tt.bucket || p != tt.prefix {
				t.Fatalf("ParseURI(%q) = %q, %q, %v; want %q, %q", tt.uri, b, p, err, tt.bucket, tt.prefix)
			}
		})
	}
}

func TestNew_Config(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"bad uri", Config{URI: "bucket/prefix"}, "bad S3 URI"},
		{"no region no endpoint", Config{URI: "s3://b/p"}, "no AWS region"},
		{"endpoint without region", Config{URI: "s3://b/p", Endpoint: "http://127.0.0.1:9000", PathStyle: true}, ""},
		{"bad endpoint", Config{URI: "s3://b/p", Endpoint: "127.0.0.1:9000"}, "bad endpoint \"127.0.0.1:9000\""},
		// Never echoed: the user info may hold a password.
		{"bad endpoint with a password", Config{URI: "s3://b/p", Endpoint: "user:Pr0xyPassw0rd@127.0.0.1:9000"}, "bad endpoint"},
		{"bad endpoint with a password after the scheme", Config{URI: "s3://b/p", Endpoint: "ftp://user:Pr0xyPassw0rd@host"}, "bad endpoint"},
		{"region", Config{URI: "s3://b/p", Region: "ap-northeast-1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(context.Background(), tt.cfg)
			if tt.wantErr == "" {
				if err != nil || s == nil {
					t.Fatalf("New = %v, %v", s, err)
				}
				if s.URI() != "s3://b/p/" || s.concurrency != DefaultConcurrency || s.maxAttempts != DefaultMaxAttempts {
					t.Fatalf("defaults not applied: %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New err = %v, want one mentioning %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "Pr0xyPassw0rd") {
				t.Errorf("New err = %v shows the endpoint's password", err)
			}
		})
	}
}

// TestNew_BoundsConcurrency: a caller's huge concurrency cannot size the
// transfer manager's work or the GET slots' channel by it.
func TestNew_BoundsConcurrency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		files, parts     int
		wantFiles, wantP int
	}{
		{"defaults", 0, 0, DefaultConcurrency, DefaultPartConcurrency},
		{"negative", -3, -3, DefaultConcurrency, DefaultPartConcurrency},
		{"within", 3, 5, 3, 5},
		{"at the bound", MaxConcurrency, MaxConcurrency, MaxConcurrency, MaxConcurrency},
		{"huge", math.MaxInt, math.MaxInt, MaxConcurrency, MaxConcurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(context.Background(), Config{URI: "s3://b/p", Region: "ap-northeast-1",
				Client: s3.New(s3.Options{Region: "ap-northeast-1"}), Concurrency: tt.files, PartConcurrency: tt.parts})
			if err != nil {
				t.Fatal(err)
			}
			if s.concurrency != tt.wantFiles || cap(s.slots) != tt.wantP {
				t.Errorf("concurrency %d, GET slots %d; want %d, %d", s.concurrency, cap(s.slots), tt.wantFiles, tt.wantP)
			}
		})
	}
}

func TestBackoff_BoundsGrowAndCap(t *testing.T) {
	t.Parallel()
	s := &Syncer{retryBase: 100 * time.Millisecond, retryMax: time.Second}
	tests := []struct {
		attempt int
		max     time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{4, 800 * time.Millisecond},
		{5, time.Second},
		{30, time.Second},
	}
	for _, tt := range tests {
		var hi time.Duration
		for range 2000 {
			d := s.backoff(tt.attempt)
			if d <= 0 || d > tt.max {
				t.Fatalf("backoff(%d) = %v, want in (0, %v]", tt.attempt, d, tt.max)
			}
			hi = max(hi, d)
		}
		if hi < tt.max/2 { // full jitter spreads over the whole range
			t.Fatalf("backoff(%d) never above %v in 2000 draws (max %v)", tt.attempt, hi, tt.max)
		}
	}
}

func TestRetryable_Classes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{ErrUnreachable, true},
		{ErrChanged, true},
		{ErrVerify, true},
		{ErrAccessDenied, false},
		{ErrNotFound, false},
		{ErrFormat, false},
		{errors.New("disk full"), true},
	}
	for _, tt := range tests {
		if got := retryable(fmtWrap(tt.err)); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func fmtWrap(err error) error { return errors.Join(errors.New("s3sync: op"), err) }

// TestSync_SilentServerFailsTheAttempt: a server that accepts and never
// answers fails each attempt after the header timeout (ErrUnreachable),
// so the attempts retry within the sync's deadline instead of the first
// one holding it all (the SDK sets no timeout for S3).
func TestSync_SilentServerFailsTheAttempt(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	t.Cleanup(func() { ln.Close(); conns.Wait() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() { defer conns.Done(); _, _ = io.Copy(io.Discard, c); c.Close() }() // reads, never answers
		}
	}()
	s, err := New(t.Context(), Config{URI: "s3://b/p", Endpoint: "http://" + ln.Addr().String(), PathStyle: true,
		MaxAttempts: 2, RetryBase: 10 * time.Millisecond, RetryMax: 20 * time.Millisecond, headerTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	res, err := s.Sync(ctx, filepath.Join(t.TempDir(), "vs"))
	if !errors.Is(err, ErrUnreachable) || res.Attempts != 2 || ctx.Err() != nil {
		t.Fatalf("Sync: %v after %d attempts (ctx %v); want ErrUnreachable after 2, within the deadline", err, res.Attempts, ctx.Err())
	}
}

// TestNew_SlowUploadIsNotSilence: Push's client has no header timeout:
// an upload slower than it, while it progresses, succeeds (the server
// says nothing until it has the whole body, and the socket's buffer holds
// the last of it after the client has written all; a review caught push
// failing so with a read timeout).
func TestNew_SlowUploadIsNotSilence(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRETTEST")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		for { // about 1.3 MB/s
			if _, err := r.Body.Read(buf); err != nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		w.Header().Set("ETag", `"x"`)
	}))
	defer srv.Close()
	_, c, err := newClients(t.Context(), Config{Endpoint: srv.URL, PathStyle: true, headerTimeout: 200 * time.Millisecond}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("a"), 1<<20)
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body)))}); err != nil {
		t.Errorf("a progressing upload failed: %v", err)
	}
}
