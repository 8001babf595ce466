package main

// Helpers for the S3 end-to-end tests (s3_e2e_test.go): the operator's
// vectorstore tool built once, small two-edition corpora, the api's S3
// environment, a gate that holds S3 requests, and versitygw restarted on a
// reserved port. They reuse e2e_helpers_test.go (apiBinary, startServer,
// lineLog, ...) and add only what it lacks; every name starts with s3e2e.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/s3test"
)

// s3e2ePrefix is where the tests publish stores, as in production
// (s3://vendor-rag-0919/vectorstore/prod).
const s3e2ePrefix = "vectorstore/prod"

// s3e2eAdminToken is the ADMIN_TOKEN every S3 test server gets.
const s3e2eAdminToken = "s3e2e-admin-token"

var s3e2eVSBin builtBinary

// s3e2eVectorstoreBin builds ./cmd/vectorstore once per test run (without
// -race: it is the tool under use here, not under test) and returns its
// path.
func s3e2eVectorstoreBin(t testing.TB) string {
	t.Helper()
	return s3e2eVSBin.get(t, "vectorstore", "github.com/vendor0919/api/cmd/vectorstore", false, "")
}

// s3e2eAWSEnv is the AWS part of a child's environment: static keys for
// the default credential chain, the region, and no instance metadata (so
// a bad key fails at once instead of probing IMDS).
func s3e2eAWSEnv(srv *s3test.Server) map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":         srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY":     srv.SecretKey,
		"AWS_REGION":                srv.Region,
		"AWS_EC2_METADATA_DISABLED": "true",
	}
}

// s3e2eURI is the store's URI in srv's bucket.
func s3e2eURI(srv *s3test.Server) string { return "s3://" + srv.Bucket + "/" + s3e2ePrefix }

// s3e2eEnv is the api's environment for a store synced from uri through
// endpoint into dir, with srv's credentials.
func s3e2eEnv(srv *s3test.Server, endpoint, dir string) map[string]string {
	env := baseEnv(dir)
	for k, v := range s3e2eAWSEnv(srv) {
		env[k] = v
	}
	env["VECTORSTORE_S3_URI"] = s3e2eURI(srv)
	env["S3_ENDPOINT"] = endpoint
	env["ADMIN_TOKEN"] = s3e2eAdminToken
	env["SYNC_TIMEOUT"] = "20s"
	return env
}

// s3e2eRun runs the vectorstore tool with args and env (nothing else is
// inherited) and returns its stdout; a failure fails the test.
func s3e2eRun(t testing.TB, env map[string]string, args ...string) string {
	t.Helper()
	cmd := exec.Command(s3e2eVectorstoreBin(t), args...)
	cmd.Env = []string{}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("vectorstore %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	t.Logf("vectorstore %s (%s):\n%s", args[0], time.Since(start).Round(time.Millisecond), strings.TrimSpace(stdout.String()))
	return stdout.String()
}

// s3e2eEdition is a small corpus whose every document names its edition:
// the file names start with the edition ("alpha/kayak.md") and each text
// carries the marker "edition-<name>", so a search hit tells which store
// version answered it. All documents share the words "equipment care
// guide", so any query with them matches every document of either
// edition.
func s3e2eEdition(edition string) map[string]string {
	docs := map[string]string{
		"kayak":   "# Kayak storage\n\nStore the tandem kayak upside down on padded racks, away from direct sunlight. Rinse the hull with fresh water after every trip to the sea.",
		"lantern": "# Lantern maintenance\n\nClean the brass lantern chimney with a soft cloth once a month. Trim the cotton wick straight before lighting it again.",
		"tent":    "# Tent drying\n\nPitch the nylon tent in the garden after a rainy weekend and let it dry completely before folding, or mildew spots appear on the fly.",
		"stove":   "# Stove fuel\n\nKeep the camping stove fuel canister below forty degrees. Check the rubber seal for cracks before screwing the burner on.",
	}
	out := map[string]string{}
	for topic, body := range docs {
		name := edition + "/" + topic + ".md"
		out[name] = body + "\n\nEquipment care guide, edition-" + edition + ". This text belongs to edition-" + edition + " of the store.\n"
	}
	if edition == "bravo" {
		// Only the second edition knows about bicycles.
		out["bravo/bicycle.md"] = "# Bicycle chain\n\nOil the bicycle chain with two drops per link after riding through puddles, then wipe the surplus off with a rag.\n\nEquipment care guide, edition-bravo. This text belongs to edition-bravo of the store.\n"
	}
	return out
}

// s3e2eBuild writes the edition's corpus into a temporary folder and
// builds a store from it with `vectorstore build --embedder hash`, labelled
// version. It returns the store folder.
func s3e2eBuild(t testing.TB, edition, version string) string {
	t.Helper()
	root := t.TempDir()
	in := filepath.Join(root, "corpus")
	for name, body := range s3e2eEdition(edition) {
		p := filepath.Join(in, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(root, "store")
	s3e2eRun(t, nil, "build", "--in", in, "--out", out, "--embedder", "hash", "--version", version, "--quiet")
	return out
}

// s3e2ePush publishes the store folder dir to srv with `vectorstore push`
// through srv's endpoint, credentials from the environment.
func s3e2ePush(t testing.TB, srv *s3test.Server, dir string) {
	t.Helper()
	out := s3e2eRun(t, s3e2eAWSEnv(srv), "push", "--dir", dir, "--to", s3e2eURI(srv), "--endpoint", srv.Endpoint, "--path-style")
	if !strings.Contains(out, "manifest.json uploaded last") {
		t.Fatalf("push output lacks the manifest line:\n%s", out)
	}
}

// s3e2eGate is a reverse proxy in front of an S3 server that holds every
// request until Open is called. It keeps the Host header, which the SigV4
// signature covers.
type s3e2eGate struct {
	URL      string
	open     chan struct{}
	once     sync.Once
	mu       sync.Mutex
	requests int // requests that arrived, held or not
}

func s3e2eNewGate(t testing.TB, target string) *s3e2eGate {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	g := &s3e2eGate{open: make(chan struct{})}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		g.requests++
		g.mu.Unlock()
		select {
		case <-g.open:
		case <-r.Context().Done():
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { g.Open(); srv.Close() })
	g.URL = srv.URL
	return g
}

// Open lets held and future requests through.
func (g *s3e2eGate) Open() { g.once.Do(func() { close(g.open) }) }

// Requests is the number of requests that reached the gate.
func (g *s3e2eGate) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}

// s3e2eReservePort binds a 127.0.0.1 port without listening, so
// connections to it are refused and no other test takes it, until release
// is called (or the test ends).
func s3e2eReservePort(t testing.TB) (port int, release func()) {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	var once sync.Once
	release = func() { once.Do(func() { _ = syscall.Close(fd) }) }
	t.Cleanup(release)
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		t.Fatalf("setsockopt: %v", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	return sa.(*syscall.SockaddrInet4).Port, release
}

// s3e2eRestartVersity runs versitygw again over the data folder of a
// stopped s3test server (same bucket, objects and credentials) on
// 127.0.0.1:port, waits until it answers and stops it when the test ends.
// It returns the new endpoint.
func s3e2eRestartVersity(t testing.TB, old *s3test.Server, port int) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(s3test.RequireBinary(t), "--port", addr, "--quiet", "posix", old.Dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+old.AccessKey, "ROOT_SECRET_KEY="+old.SecretKey)
	out := newLineLog()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); out.close(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	endpoint := "http://" + addr
	// Any authenticated answer will do: list the bucket with the client.
	client := s3test.NewClient(endpoint, old.AccessKey, old.SecretKey)
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("versitygw on %s exited:\n%s", addr, out)
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := client.ListBuckets(ctx, nil)
		cancel()
		if err == nil {
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw on %s not answering after 30s: %v\n%s", addr, err, out)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
}

// s3e2eHit is one search hit (the JSON of /search results and /query
// sources).
type s3e2eHit struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Metadata map[string]any `json:"metadata"`
}

// s3e2eEditionOf names the single edition every hit comes from, checking
// that text marker and source path agree; it returns an error for an empty
// list, for a hit without a marker, and for a mix of editions.
func s3e2eEditionOf(hits []s3e2eHit) (string, error) {
	if len(hits) == 0 {
		return "", fmt.Errorf("no hits")
	}
	edition := ""
	for _, h := range hits {
		e := ""
		for _, cand := range []string{"alpha", "bravo"} {
			if strings.Contains(h.Text, "edition-"+cand) {
				e = cand
			}
		}
		src, _ := h.Metadata["source"].(string)
		if e == "" || !strings.HasPrefix(src, e+"/") {
			return "", fmt.Errorf("hit %s (source %q) carries no consistent edition marker: %q", h.ID, src, h.Text)
		}
		if edition != "" && e != edition {
			return "", fmt.Errorf("one response mixes editions %s and %s", edition, e)
		}
		edition = e
	}
	return edition, nil
}

// s3e2eDetail returns a FastAPI error body's "detail" string, or fails.
func s3e2eDetail(t testing.TB, body []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || len(m) != 1 {
		t.Fatalf("error body %q is not FastAPI-shaped {\"detail\": ...}", body)
	}
	d, ok := m["detail"].(string)
	if !ok {
		t.Fatalf("error body %q: detail is not a string", body)
	}
	return d
}

// s3e2eBearer is a header with a JSON content type and, unless tok is
// empty, a bearer token.
func s3e2eBearer(tok string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	if tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	return h
}
