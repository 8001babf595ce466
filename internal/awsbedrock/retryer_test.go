package awsbedrock

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/logging"
)

// TestNew_SDKDoesNotRetry: package retry owns Bedrock retries, so one call
// to a server that always answers 503 is one request, not the SDK's three.
func TestNew_SDKDoesNotRetry(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	t.Setenv("AWS_RETRY_MODE", "")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c, err := New(context.Background(), Config{Region: "us-east-1", BaseEndpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
		ModelId: aws.String("m"), Body: []byte("{}"), ContentType: aws.String("application/json"),
	})
	if err == nil {
		t.Fatal("want an error from a 503")
	}
	if hits.Load() != 1 {
		t.Errorf("server saw %d requests for one call, want 1", hits.Load())
	}
}

// TestNew_SDKLogsNothing: the SDK's own logger would print plain text to
// stderr amid the server's JSON lines; the client logs nowhere.
func TestNew_SDKLogsNothing(t *testing.T) {
	t.Parallel()
	c, err := New(context.Background(), Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Options().Logger.(logging.Nop); !ok {
		t.Errorf("the client logs to %T, want logging.Nop", c.Options().Logger)
	}
}
