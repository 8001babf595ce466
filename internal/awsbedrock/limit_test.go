package awsbedrock

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
)

// TestNew_MaxResponseBytes: an InvokeModel body of up to
// MaxResponseBytes comes back whole; one byte more fails with
// ErrResponseTooLarge, as a non-2xx body over the cap does; zero means no
// cap.
func TestNew_MaxResponseBytes(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	const limit = 1 << 10
	for _, tc := range []struct {
		name    string
		limit   int64
		status  int
		size    int
		wantErr bool
	}{
		{"under", limit, 200, limit - 1, false},
		{"at", limit, 200, limit, false},
		{"one over", limit, 200, limit + 1, true},
		{"far over", limit, 200, 64 * limit, true},
		{"error body over", limit, 500, limit + 1, true},
		{"no cap", 0, 200, 2 * limit, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := bytes.Repeat([]byte("x"), tc.size)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(tc.status)
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			c, err := New(context.Background(), Config{Region: "us-east-1", BaseEndpoint: srv.URL, MaxResponseBytes: tc.limit,
				Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", "")})
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String("m"), Body: []byte("{}"), ContentType: aws.String("application/json"),
			})
			if tc.wantErr {
				if !errors.Is(err, ErrResponseTooLarge) {
					t.Fatalf("err %v, want %v", err, ErrResponseTooLarge)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Body, body) {
				t.Fatalf("body of %d bytes, want %d", len(out.Body), len(body))
			}
		})
	}
}
