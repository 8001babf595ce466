package main

// Helpers for the end-to-end tests: they build the real api binary once,
// run it as a child process on a free 127.0.0.1 port with an explicit
// environment, capture its stdout (JSON log lines) and stderr, and stop it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

// e2eRoot is a temporary folder shared by the tests of this package: the
// built binary and the fixture store live there. TestMain removes it.
var e2eRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "api-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: temp dir:", err)
		os.Exit(1)
	}
	e2eRoot = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// The version stamped into the test binary with -ldflags.
const (
	e2eVersion = "202609250200"
	e2eCommit  = "e2e0123"
)

// builtBinary is a Go program built once per test run.
type builtBinary struct {
	once sync.Once
	path string
	err  error
}

// get builds pkg into e2eRoot/name on first use (with -race when asked)
// and returns its path; a build failure fails every test that needs it.
func (b *builtBinary) get(t testing.TB, name, pkg string, race bool, ldflags string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: -short skips tests that build and run the binaries")
	}
	b.once.Do(func() {
		b.path = filepath.Join(e2eRoot, name)
		args := []string{"build", "-o", b.path}
		if ldflags != "" {
			args = append(args, "-ldflags", ldflags)
		}
		if race {
			args = append(args, "-race")
		}
		args = append(args, pkg)
		start := time.Now()
		out, err := exec.Command("go", args...).CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out)
			return
		}
		fmt.Fprintf(os.Stderr, "e2e: built %s (race=%v) in %s\n", b.path, race, time.Since(start).Round(time.Millisecond))
	})
	if b.err != nil {
		t.Fatalf("build %s: %v", name, b.err)
	}
	return b.path
}

var apiBin builtBinary

// apiBinary builds ./cmd/api once per test run (with -race when the tests
// themselves run with -race), stamped as the Dockerfile and Makefile stamp
// release builds (not -trimpath: it would miss the build cache the test
// binary just filled and rebuild every dependency with -race).
func apiBinary(t testing.TB) string {
	t.Helper()
	return apiBin.get(t, "api", ".", raceEnabled, "-X main.version="+e2eVersion+" -X main.commit="+e2eCommit)
}

// Fixture store: twelve short chunks in English and Japanese, embedded
// with the hash embedder (EMBEDDER=hash, 384 dims) and written with the
// project's own store.Write, so the server loads it as it would a real one.
type fixtureChunk struct {
	id, source, lang, topic, text string
}

var fixtureChunks = []fixtureChunk{
	{"battery-en-1", "en/battery-care.md", "en", "battery", "Store the battery at about 50 percent charge in a cool dry place when the bike is not used for several weeks. Check the charge level every month during storage."},
	{"battery-en-2", "en/battery-care.md", "en", "battery", "Never leave the battery on the charger for weeks. Remove it after the charge light turns green."},
	{"charging-en", "en/charging.md", "en", "charging", "A full charge from empty takes about four hours with the standard charger. The charger light blinks orange while charging and turns green when the battery is full."},
	{"warranty-en", "en/warranty.md", "en", "warranty", "The frame is covered by the warranty for ten years. The battery and the motor are covered for two years from the date of purchase."},
	{"returns-en", "en/returns.md", "en", "returns", "Returns are accepted within thirty days of delivery if the bike is unused and in its original box. Refunds are paid to the original payment method."},
	{"tires-en", "en/tire-pressure.md", "en", "tires", "Keep the tire pressure between 3.5 and 5 bar. Check it every two weeks with a pressure gauge."},
	{"brakes-en", "en/brake-maintenance.md", "en", "brakes", "Replace the brake pads when the pad material is thinner than 1.5 millimetres. Squealing brakes usually mean dirty pads."},
	{"shipping-en", "en/shipping.md", "en", "shipping", "Shipping within Japan takes two to four business days. Deliveries to remote islands may take longer."},
	{"battery-ja", "ja/battery-care.md", "ja", "battery", "長期間乗らない場合は、バッテリーを約50%まで充電し、涼しく乾燥した場所で保管してください。保管中は毎月残量を確認してください。"},
	{"warranty-ja", "ja/warranty.md", "ja", "warranty", "フレームの保証期間は10年間です。バッテリーとモーターの保証期間は購入日から2年間です。"},
	{"returns-ja", "ja/returns.md", "ja", "returns", "商品到着から30日以内で未使用の場合、返品を受け付けます。返金は元のお支払い方法で行います。"},
	{"charging-ja", "ja/charging.md", "ja", "charging", "空の状態から満充電までは標準充電器で約4時間かかります。充電中はランプがオレンジ色に点滅します。"},
}

const fixtureVersion = "e2e-fixture-1"

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// fixtureStore returns the path of the shared, read-only fixture store.
func fixtureStore(t testing.TB) string {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureDir = filepath.Join(e2eRoot, "store")
		fixtureErr = writeFixtureStore(context.Background(), fixtureDir)
	})
	if fixtureErr != nil {
		t.Fatalf("fixture store: %v", fixtureErr)
	}
	return fixtureDir
}

// writeFixtureStore writes the fixture store into dir (replacing it).
func writeFixtureStore(ctx context.Context, dir string) error {
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		return err
	}
	chunks := make([]docmodel.Chunk, len(fixtureChunks))
	texts := make([]string, len(fixtureChunks))
	for i, c := range fixtureChunks {
		chunks[i] = docmodel.Chunk{ID: c.id, Text: c.text, Metadata: map[string]any{
			"source": c.source, "lang": c.lang, "topic": c.topic, "chunk": 0, "page": i%3 + 1,
		}}
		texts[i] = c.text
	}
	vecs, err := emb.Embed(ctx, texts)
	if err != nil {
		return err
	}
	flat := make([]float32, 0, len(vecs)*emb.Info().Dims)
	for _, v := range vecs {
		flat = append(flat, v...)
	}
	_, err = store.Write(ctx, dir, chunks, flat, store.WriteOptions{Version: fixtureVersion, Embedding: emb.Info()})
	return err
}

// lineLog collects a child's output line by line and lets tests wait for
// a line. It is an io.Writer safe for concurrent use.
type lineLog struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	changed chan struct{} // closed and replaced whenever lines grows or the log closes
	closed  bool
}

func newLineLog() *lineLog { return &lineLog{changed: make(chan struct{})} }

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	grew := false
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
		grew = true
	}
	if grew {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return len(p), nil
}

// close marks the end of output (the process exited).
func (l *lineLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.partial) > 0 {
		l.lines = append(l.lines, string(l.partial))
		l.partial = nil
	}
	if !l.closed {
		l.closed = true
		close(l.changed)
	}
}

// Lines returns a copy of the complete lines so far.
func (l *lineLog) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

func (l *lineLog) String() string { return strings.Join(l.Lines(), "\n") }

// wait returns the first line (from the start) that satisfies match,
// waiting up to timeout for it to appear.
func (l *lineLog) wait(timeout time.Duration, match func(string) bool) (string, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	next := 0
	for {
		l.mu.Lock()
		for ; next < len(l.lines); next++ {
			if match(l.lines[next]) {
				s := l.lines[next]
				l.mu.Unlock()
				return s, true
			}
		}
		closed, ch := l.closed, l.changed
		l.mu.Unlock()
		if closed {
			return "", false
		}
		select {
		case <-ch:
		case <-deadline.C:
			return "", false
		}
	}
}

// logRecord is one parsed JSON log line.
type logRecord map[string]any

func (r logRecord) str(k string) string { s, _ := r[k].(string); return s }

// waitRecord waits for a JSON log line for which match is true.
func (l *lineLog) waitRecord(timeout time.Duration, match func(logRecord) bool) (logRecord, bool) {
	var rec logRecord
	_, ok := l.wait(timeout, func(line string) bool {
		var r logRecord
		if json.Unmarshal([]byte(line), &r) != nil {
			return false
		}
		if match(r) {
			rec = r
			return true
		}
		return false
	})
	return rec, ok
}

// records returns the JSON log lines so far; lines that are not JSON
// objects are returned in bad.
func (l *lineLog) records() (recs []logRecord, bad []string) {
	for _, line := range l.Lines() {
		var r logRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			bad = append(bad, line)
			continue
		}
		recs = append(recs, r)
	}
	return recs, bad
}

// apiProcess is one running api binary.
type apiProcess struct {
	t      testing.TB
	cmd    *exec.Cmd
	Port   int
	URL    string // http://127.0.0.1:PORT
	Env    map[string]string
	Stdout *lineLog
	Stderr *lineLog
	Client *http.Client // does not follow redirects

	done     chan struct{} // closed when the process has exited
	exitCode int
	waitErr  error
}

// baseEnv is the explicit environment every test server starts from.
// Every test client is 127.0.0.1, so the per-client rate limits are off
// (load, reload and drain tests send thousands of requests);
// TestE2E_RateLimitDefaults checks them with their defaults.
func baseEnv(storeDir string) map[string]string {
	return map[string]string{
		"HOST":                  "127.0.0.1",
		"VECTORSTORE_DIR":       storeDir,
		"EMBEDDER":              "hash",
		"LOG_LEVEL":             "debug",
		"CORS_ALLOW_ORIGINS":    "http://localhost:3000",
		"SHUTDOWN_TIMEOUT":      "20s",
		"RATE_LIMIT_SEARCH":     "0",
		"RATE_LIMIT_GENERATION": "0",
		// and so is the per-client in-flight bound (load tests hold many
		// requests at once from one address).
		"MAX_INFLIGHT_PER_CLIENT": "0",
	}
}

// freePort returns a port that was free on 127.0.0.1 a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return port
}

// launch starts the binary with exactly env (plus PORT when env has none)
// and args, without waiting for it to serve. The caller stops it.
func launch(t testing.TB, env map[string]string, args ...string) *apiProcess {
	t.Helper()
	return launchBin(t, apiBinary(t), env, args...)
}

// launchBin is launch with another build of the binary.
func launchBin(t testing.TB, bin string, env map[string]string, args ...string) *apiProcess {
	t.Helper()
	p := &apiProcess{t: t, Env: map[string]string{}, Stdout: newLineLog(), Stderr: newLineLog(), done: make(chan struct{})}
	for k, v := range env {
		p.Env[k] = v
	}
	if _, ok := p.Env["PORT"]; !ok {
		p.Env["PORT"] = strconv.Itoa(freePort(t))
	}
	p.Port, _ = strconv.Atoi(p.Env["PORT"])
	p.URL = "http://127.0.0.1:" + p.Env["PORT"]
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = raceEnv()
	for k, v := range p.Env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.Stdout, p.Stderr
	// If the test binary dies (a timeout panic, SIGKILL), take the server
	// with it rather than leave it listening.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start api: %v", err)
	}
	go func() {
		err := p.cmd.Wait()
		p.waitErr = err
		p.exitCode = p.cmd.ProcessState.ExitCode()
		p.Stdout.close()
		p.Stderr.close()
		close(p.done)
	}()
	p.Client = &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 8},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return p
}

// startServer starts the binary as a server with env (PORT is chosen
// here), waits until /health answers 200 and stops it when the test ends.
// A port taken between choosing and binding is retried.
func startServer(t testing.TB, env map[string]string) *apiProcess {
	t.Helper()
	return startServerBin(t, apiBinary(t), env)
}

// startServerBin is startServer with another build of the binary.
func startServerBin(t testing.TB, bin string, env map[string]string) *apiProcess {
	t.Helper()
	for attempt := 0; ; attempt++ {
		e := map[string]string{}
		for k, v := range env {
			e[k] = v
		}
		delete(e, "PORT")
		p := launchBin(t, bin, e)
		err := p.waitHealthy(60 * time.Second)
		if err == nil {
			t.Cleanup(p.stopForCleanup)
			return p
		}
		p.kill()
		// The exit is logged as JSON on stdout (plain stderr before the
		// logger exists).
		if attempt < 4 && strings.Contains(p.Stderr.String()+p.Stdout.String(), "address already in use") {
			continue
		}
		t.Fatalf("api did not become healthy: %v\nstderr:\n%s\nstdout:\n%s", err, p.Stderr, p.Stdout)
	}
}

// waitHealthy polls /health until it answers 200 or the process exits.
func (p *apiProcess) waitHealthy(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: 2 * time.Second}
	defer c.CloseIdleConnections()
	for {
		select {
		case <-p.done:
			return fmt.Errorf("process exited with code %d", p.exitCode)
		default:
		}
		resp, err := c.Get(p.URL + "/health")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no 200 from /health within %s (last error: %w)", timeout, err)
		}
		time.Sleep(20 * time.Millisecond) // polling interval, not synchronisation
	}
}

// waitReady polls /ready until it answers 200 and returns the body.
func (p *apiProcess) waitReady(timeout time.Duration) map[string]any {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		status, body := p.getJSON("/ready")
		if status == http.StatusOK {
			return body
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("/ready still %d after %s: %v\nstdout:\n%s", status, timeout, body, p.Stdout)
		}
		time.Sleep(25 * time.Millisecond) // polling interval
	}
}

// signal sends sig to the process.
func (p *apiProcess) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits for the process to exit and returns its exit code, or fails
// the test after timeout.
func (p *apiProcess) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.exitCode
	case <-time.After(timeout):
		p.kill()
		p.t.Fatalf("api did not exit within %s\nstdout:\n%s\nstderr:\n%s", timeout, p.Stdout, p.Stderr)
		return -1
	}
}

func (p *apiProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill stops the process hard and waits for it.
func (p *apiProcess) kill() {
	if !p.exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// stopForCleanup stops a server the test left running: SIGTERM, then it
// must exit 0 without a data race report. On failure it dumps the logs.
func (p *apiProcess) stopForCleanup() {
	t := p.t
	p.Client.CloseIdleConnections()
	if !p.exited() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
			if p.exitCode != 0 {
				t.Errorf("api exited with code %d after SIGTERM", p.exitCode)
			}
		case <-time.After(30 * time.Second):
			p.kill()
			t.Errorf("api did not exit within 30s of SIGTERM")
		}
	}
	if strings.Contains(p.Stderr.String(), "DATA RACE") {
		t.Errorf("the race detector reported a data race in the api binary:\n%s", p.Stderr)
	}
	if t.Failed() {
		t.Logf("api stdout:\n%s\napi stderr:\n%s", tail(p.Stdout.String(), 8000), tail(p.Stderr.String(), 8000))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// do sends a request and returns the response with its body read.
func (p *apiProcess) do(method, path string, header http.Header, body string) (*http.Response, []byte) {
	p.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.URL+path, rd)
	if err != nil {
		p.t.Fatalf("new request: %v", err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}

// postJSON posts body as application/json.
func (p *apiProcess) postJSON(path, body string) (*http.Response, []byte) {
	p.t.Helper()
	return p.do(http.MethodPost, path, http.Header{"Content-Type": {"application/json"}}, body)
}

// getJSON GETs path and decodes a JSON object body (nil if it is not one).
func (p *apiProcess) getJSON(path string) (int, map[string]any) {
	p.t.Helper()
	resp, b := p.do(http.MethodGet, path, nil, "")
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

// decode unmarshals b into v or fails the test.
func decode(t testing.TB, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %q: %v", tail(string(b), 500), err)
	}
}

// closedPort returns a 127.0.0.1 port on which connections are refused for
// the rest of the test: a socket is bound to it but never listens, so no
// other test's server can take it meanwhile.
func closedPort(t testing.TB) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}

// dialRefused reports whether a TCP connection to addr is refused.
func dialRefused(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// raceEnv is the environment for the race runtime of a -race binary: it
// must not sleep a second before every successful exit (its default).
func raceEnv() []string {
	if !raceEnabled {
		return []string{}
	}
	return []string{"GORACE=atexit_sleep_ms=0"}
}
