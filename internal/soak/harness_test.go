package soak

// The soak's wiring: the real api binary on loopback, syncing from a real
// S3 server (versitygw), with the hash embedder and the extractive
// generator, so it runs offline. TestSoak (build tag soak, make soak) and
// TestSoak_Short use it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
	"github.com/vendor0919/api/internal/testproc"
)

const (
	soakPrefix     = "vectorstore/soak"
	soakAdminToken = "soak-admin-token"
	// soakChunks is the size of every edition of the store.
	soakChunks = 2000
)

// buildAPI builds ./cmd/api (without -race: the soak measures the binary
// as it ships) into a temporary folder.
func buildAPI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "api")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, "github.com/vendor0919/api/cmd/api").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/api: %v\n%s", err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// topics make the synthetic chunks' texts; each edition names itself in
// every chunk, so editions differ in every file.
var topics = []string{
	"Store the battery at about half charge in a cool dry place during winter.",
	"The frame is covered by the warranty for ten years, the motor for two.",
	"Keep the tire pressure between 3.5 and 5 bar and check it every two weeks.",
	"Replace the brake pads when they are thinner than 1.5 millimetres.",
	"Shipping within Japan takes two to four business days.",
	"Unused bikes may be returned within thirty days in their original box.",
	"長期間乗らない場合は、バッテリーを約50%まで充電して保管してください。",
	"フレームの保証期間は10年間です。",
}

// writeEdition writes edition n of the soak store into dir and returns its
// version label.
func writeEdition(ctx context.Context, dir string, n int) (string, error) {
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		return "", err
	}
	chunks := make([]docmodel.Chunk, soakChunks)
	texts := make([]string, soakChunks)
	for i := range chunks {
		texts[i] = fmt.Sprintf("%s Section %d of edition %d, note %d.", topics[i%len(topics)], i/len(topics), n, (i*7+n)%101)
		chunks[i] = docmodel.Chunk{ID: fmt.Sprintf("e%d-c%d", n, i), Text: texts[i], Metadata: map[string]any{
			"source": fmt.Sprintf("docs/%d.md", i%40), "edition": n, "page": i%9 + 1,
		}}
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return "", err
	}
	flat := make([]float32, 0, len(vecs)*emb.Info().Dims)
	for _, v := range vecs {
		flat = append(flat, v...)
	}
	version := "soak-" + strconv.Itoa(n)
	_, err = store.Write(ctx, dir, chunks, flat, store.WriteOptions{Version: version, Embedding: emb.Info()})
	return version, err
}

// publisher writes and pushes editions to srv as `vectorstore push` would.
type publisher struct {
	srv  *s3test.Server
	sync *s3sync.Syncer
	dir  string
}

func newPublisher(t *testing.T, srv *s3test.Server) *publisher {
	t.Helper()
	s, err := s3sync.New(context.Background(), s3sync.Config{URI: "s3://" + srv.Bucket + "/" + soakPrefix, Client: srv.Client})
	if err != nil {
		t.Fatal(err)
	}
	return &publisher{srv: srv, sync: s, dir: t.TempDir()}
}

func (p *publisher) publish(ctx context.Context, n int) (string, error) {
	dir := filepath.Join(p.dir, "edition")
	version, err := writeEdition(ctx, dir, n)
	if err != nil {
		return "", err
	}
	if _, err := p.sync.Push(ctx, dir); err != nil {
		return "", err
	}
	return version, nil
}

// server is the api process under soak.
type server struct {
	cmd  *exec.Cmd
	url  string
	log  *testproc.Output
	done chan struct{}
	code int
}

// startServer runs bin syncing from srv and waits until /ready answers 200.
func startServer(t *testing.T, bin string, srv *s3test.Server) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	s := &server{url: "http://127.0.0.1:" + port, log: &testproc.Output{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin)
	s.cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"HOST=127.0.0.1", "PORT=" + port,
		"VECTORSTORE_DIR=" + filepath.Join(t.TempDir(), "store"),
		"VECTORSTORE_S3_URI=s3://" + srv.Bucket + "/" + soakPrefix,
		"S3_ENDPOINT=" + srv.Endpoint, "AWS_REGION=" + srv.Region,
		"AWS_ACCESS_KEY_ID=" + srv.AccessKey, "AWS_SECRET_ACCESS_KEY=" + srv.SecretKey,
		"AWS_EC2_METADATA_DISABLED=true",
		"ADMIN_TOKEN=" + soakAdminToken,
		"EMBEDDER=hash", "LLM=extractive",
		"SYNC_INTERVAL=0", // reloads come from the soak, on its schedule
		"SHUTDOWN_TIMEOUT=5s",
		"LOG_LEVEL=warn",
		// One loopback address stands for many clients: per-client rate
		// limits off, the in-flight bounds at their defaults.
		"RATE_LIMIT_SEARCH=0", "RATE_LIMIT_GENERATION=0", "MAX_INFLIGHT_PER_CLIENT=0",
	}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		s.code = s.cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("api log (tail):\n%s", tail(s.log.String(), 4000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := hc.Get(s.url + "/ready")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("api exited with %d before it was ready:\n%s", s.code, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("api not ready within 60 s:\n%s", s.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// wait returns the exit code, or an error after a minute.
func (s *server) wait() (int, error) {
	select {
	case <-s.done:
		return s.code, nil
	case <-time.After(time.Minute):
		return -1, errors.New("api still running a minute after SIGTERM")
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// runSoak wires everything up, runs the soak and the drain with opts, logs
// the summary table and fails t on any violation.
func runSoak(t *testing.T, opts Options) {
	t.Helper()
	srv := s3test.Start(t)
	bin := buildAPI(t)
	pub := newPublisher(t, srv)
	ctx := t.Context()
	if _, err := pub.publish(ctx, 0); err != nil {
		t.Fatalf("publish edition 0: %v", err)
	}
	api := startServer(t, bin, srv)
	opts.Publish = pub.publish
	opts.Logf = t.Logf
	rep, err := Run(ctx, Target{URL: api.url, PID: api.cmd.Process.Pid, AdminToken: soakAdminToken}, opts)
	if err != nil {
		t.Fatal(err)
	}
	rep.Drain, err = DrainUnderLoad(ctx, api.url, func() error { return api.cmd.Process.Signal(syscall.SIGTERM) }, api.wait)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	fmt.Fprintf(&table, "load average at the end: %s", loadavg())
	rep.WriteTable(&table)
	t.Logf("summary:\n%s", table.String())
	if err := rep.Check(); err != nil {
		t.Error(err)
	}
}

// loadavg returns /proc/loadavg's first three fields and a newline.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?\n"
	}
	f := bytes.Fields(b)
	return string(bytes.Join(f[:min(3, len(f))], []byte(" "))) + "\n"
}
