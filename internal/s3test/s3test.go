package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vendor0919/api/internal/testproc"
)

// Region is the region every Server reports and every Client signs for.
const Region = "us-east-1"

// startTimeout bounds how long Start waits for versitygw to answer.
const startTimeout = 30 * time.Second

// Server is a running versitygw instance with one bucket.
type Server struct {
	Endpoint  string     // base URL, e.g. http://127.0.0.1:40123
	Region    string     // always Region
	AccessKey string     // root access key
	SecretKey string     // root secret key
	Bucket    string     // created by Start
	Dir       string     // posix backend root; objects live in Dir/Bucket/key
	Client    *s3.Client // path-style client with the root credentials

	cmd  *exec.Cmd
	out  *testproc.Output
	once sync.Once
	done chan struct{}
}

// Binary returns the path of the versitygw binary, or "" if none is found.
// See the package documentation for the search order.
func Binary() string { return testproc.FindBinary("VERSITYGW_BIN", "versitygw") }

// RequireBinary returns the versitygw path, or skips t (fails it when
// VENDOR0919_REQUIRE_TOOLS=1) if there is none.
func RequireBinary(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("s3test: -short skips tests against a real S3 server")
	}
	p := Binary()
	if p != "" {
		return p
	}
	testproc.Missing(t, "s3test: versitygw not found (set VERSITYGW_BIN, put it on PATH, or run scripts/versitygw.sh)")
	return ""
}

// Start runs versitygw on a free 127.0.0.1 port over a new temporary folder,
// creates a bucket, and returns the Server. The server is stopped by
// t.Cleanup; its log is printed if the test failed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := RequireBinary(t)
	s := &Server{
		Region:    Region,
		AccessKey: "AK" + randHex(t, 8),
		SecretKey: "SK" + randHex(t, 16),
		Bucket:    "test-" + randHex(t, 6),
		Dir:       t.TempDir(),
		out:       &testproc.Output{},
		done:      make(chan struct{}),
	}
	ctx := context.Background()
	var lastErr error
	for try := 0; try < 3; try++ { // the free port may be taken between probe and bind
		port := FreePort(t)
		s.Endpoint = "http://" + port
		s.cmd = exec.Command(bin, "--port", port, "--quiet", "posix", s.Dir) //nolint:gosec // G204: test harness runs the versitygw binary it found
		s.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+s.AccessKey, "ROOT_SECRET_KEY="+s.SecretKey)
		s.cmd.Stdout = s.out
		s.cmd.Stderr = s.out
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("s3test: start %s: %v", bin, err)
		}
		exited := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(exited) }()
		s.done = exited
		if lastErr = waitReady(ctx, s.Endpoint, exited); lastErr == nil {
			break
		}
		s.kill()
	}
	if lastErr != nil {
		t.Fatalf("s3test: versitygw did not start: %v\n%s", lastErr, s.out.String())
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("s3test: versitygw log:\n%s", s.out.String())
		}
	})
	s.Client = NewClient(s.Endpoint, s.AccessKey, s.SecretKey)
	cctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	if _, err := s.Client.CreateBucket(cctx, &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		t.Fatalf("s3test: create bucket %s: %v\n%s", s.Bucket, err, s.out.String())
	}
	return s
}

// waitReady polls endpoint until it answers HTTP (any status) or the
// process exits.
func waitReady(ctx context.Context, endpoint string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	hc := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/", nil)
		if resp, err := hc.Do(req); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer from %s within %v", endpoint, startTimeout)
}

// Stop terminates the server and waits for it to exit. It is safe to call
// more than once; Start registers it with t.Cleanup.
func (s *Server) Stop() {
	s.once.Do(s.kill)
}

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// Log returns what versitygw has printed so far.
func (s *Server) Log() string { return s.out.String() }

// Put stores data at key in the server's bucket. Failures are reported
// with t.Errorf, so Put (like Delete and Keys) may be called from any
// goroutine, e.g. a proxy handler in a fault test.
func (s *Server) Put(t testing.TB, key string, data []byte) {
	t.Helper()
	_, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key), Body: bytes.NewReader(data),
	})
	if err != nil {
		t.Errorf("s3test: put %s: %v", key, err)
	}
}

// Delete removes key from the server's bucket (errors: see Put).
func (s *Server) Delete(t testing.TB, key string) {
	t.Helper()
	_, err := s.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key),
	})
	if err != nil {
		t.Errorf("s3test: delete %s: %v", key, err)
	}
}

// Keys lists every key under prefix, sorted (errors: see Put; the keys
// listed so far are returned).
func (s *Server) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.Client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.Bucket), Prefix: aws.String(prefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Errorf("s3test: list %s: %v", prefix, err)
			return keys
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// ObjectPath returns the backend file that holds key, for tests that damage
// an object behind the server's back (its stored ETag then goes stale).
func (s *Server) ObjectPath(key string) string {
	return filepath.Join(s.Dir, s.Bucket, filepath.FromSlash(key))
}

// NewClient returns a path-style S3 client for endpoint with static
// credentials, signing for Region, with the SDK's own retries turned off so
// tests see each failure.
func NewClient(endpoint, accessKey, secretKey string) *s3.Client {
	return s3.New(s3.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(endpoint),
		UsePathStyle:     true,
		Credentials:      credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		RetryMaxAttempts: 1,
	})
}

// FreePort returns a 127.0.0.1:PORT address that was free a moment ago.
// Nothing listens on it afterwards, so it also serves as an unreachable
// endpoint.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3test: free port: %v", err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

func randHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("s3test: random: %v", err)
	}
	return strings.ToLower(hex.EncodeToString(b))
}
