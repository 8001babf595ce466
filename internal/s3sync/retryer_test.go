package s3sync

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// TestNew_OneRetryOwner: a client New builds does not retry on its own, so
// an S3 that always answers 503 sees exactly Config.MaxAttempts requests,
// not MaxAttempts times the SDK's default of three.
func TestNew_OneRetryOwner(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "SECRET")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	t.Setenv("AWS_RETRY_MODE", "")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	const attempts = 2
	s, err := New(context.Background(), Config{
		URI: "s3://bucket/p", Region: "us-east-1", Endpoint: srv.URL, PathStyle: true,
		MaxAttempts: attempts, RetryBase: time.Millisecond, RetryMax: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(context.Background(), filepath.Join(dir, "vs"))
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if res.Attempts != attempts || hits.Load() != attempts {
		t.Errorf("%d sync attempts, server saw %d requests; want %d of each", res.Attempts, hits.Load(), attempts)
	}
}
