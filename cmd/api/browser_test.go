package main

// Real-browser tests: headless Chromium (Debian's chromium, driven by npm
// playwright-core) against the real api binary. The scripts live in
// testdata/browser; each prints one JSON line that the test parses.
// Install the tools with: eval "$(bash scripts/install-tools.sh)".

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/testproc"
)

// browserEnv returns the environment for node, or skips (fails with
// VENDOR0919_REQUIRE_TOOLS=1) when node, chromium or playwright-core is
// missing.
func browserEnv(t *testing.T) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser: -short skips tests driving Chromium")
	}
	missing := func(format string, args ...any) { t.Helper(); testproc.Missing(t, format, args...) }
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found: %v", err)
	}
	chromium := os.Getenv("CHROMIUM_BIN")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("chromium not found: %v", err)
	}
	nodePath := os.Getenv("PLAYWRIGHT_NODE_PATH")
	if nodePath == "" {
		missing("PLAYWRIGHT_NODE_PATH is not set")
	}
	if _, err := os.Stat(filepath.Join(nodePath, "playwright-core", "package.json")); err != nil {
		missing("playwright-core not in PLAYWRIGHT_NODE_PATH: %v", err)
	}
	return []string{
		"PATH=" + filepath.Dir(node) + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"NODE_PATH=" + nodePath,
		"CHROMIUM_BIN=" + chromium,
		"TMPDIR=" + t.TempDir(),
	}
}

// runBrowserScript runs node testdata/browser/<script> args... and decodes
// its JSON report into v.
func runBrowserScript(t *testing.T, env []string, v any, script string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{filepath.Join("testdata", "browser", script)}, args...)...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("node %s: %s", script, time.Since(start).Round(time.Millisecond))
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	last := lines[len(lines)-1]
	var rep struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal([]byte(last), &rep)
	if err != nil || rep.Error != "" {
		t.Fatalf("node %s: %v\nreport error: %s\nstdout:\n%s\nstderr:\n%s", script, err, rep.Error, stdout.String(), stderr.String())
	}
	if err := json.Unmarshal([]byte(last), v); err != nil {
		t.Fatalf("node %s: report %q: %v", script, last, err)
	}
}

func TestBrowser_Docs(t *testing.T) {
	t.Parallel()
	env := browserEnv(t)
	p := readyFixtureServer(t, nil)
	shot := filepath.Join(t.TempDir(), "docs.png")
	var rep struct {
		Status     int    `json:"status"`
		Title      string `json:"title"`
		Operations []struct {
			Method  string `json:"method"`
			Path    string `json:"path"`
			Summary string `json:"summary"`
		} `json:"operations"`
		Failed        []string `json:"failed"`
		ConsoleErrors []string `json:"consoleErrors"`
		TryIt         struct {
			Status string `json:"status"`
			Body   string `json:"body"`
			URL    string `json:"url"`
		} `json:"tryIt"`
	}
	runBrowserScript(t, env, &rep, "docs.mjs", p.URL, shot)
	if rep.Status != 200 {
		t.Errorf("/docs status %d", rep.Status)
	}
	t.Logf("Swagger UI title %q, %d operations", rep.Title, len(rep.Operations))
	ops := map[string]string{}
	for _, op := range rep.Operations {
		ops[strings.ToUpper(op.Method)+" "+op.Path] = op.Summary
	}
	for op, summary := range map[string]string{
		"POST /search": "Search the vector store",
		"POST /query":  "Answer a question from the vector store",
		"GET /health":  "Liveness check",
		"GET /ready":   "Readiness check",
	} {
		got, ok := ops[op]
		if !ok {
			t.Errorf("Swagger UI does not list %s; it lists %v", op, keys(ops))
		} else if got != summary {
			t.Errorf("%s summary %q, want %q", op, got, summary)
		}
	}
	if len(rep.Failed) > 0 {
		t.Errorf("requests failed while rendering /docs: %q", rep.Failed)
	}
	if len(rep.ConsoleErrors) > 0 {
		t.Errorf("console errors on /docs: %q", rep.ConsoleErrors)
	}
	checkScreenshot(t, shot)

	// "Try it out" on POST /search ran against this server.
	if rep.TryIt.Status != "200" || rep.TryIt.URL != p.URL+"/search" {
		t.Errorf("Try it out: status %q, request URL %q; want 200 from %s/search", rep.TryIt.Status, rep.TryIt.URL, p.URL)
	}
	var res searchResult
	if err := json.Unmarshal([]byte(rep.TryIt.Body), &res); err != nil || len(res.Results) != 2 {
		t.Errorf("Try it out response %q (%v), want 2 results", tail(rep.TryIt.Body, 300), err)
	}
	if _, ok := p.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
		return r.str("msg") == "request" && r.str("route") == "/search" && r["status"] == float64(200)
	}); !ok {
		t.Errorf("the server logged no POST /search from Swagger UI")
	}
}

// checkScreenshot asserts shot is a real PNG of a rendered page: large
// enough and not a blank page of one colour.
func checkScreenshot(t *testing.T, shot string) {
	t.Helper()
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	bounds := img.Bounds()
	colours := map[[4]uint32]bool{}
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 4 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 4 {
			r, g, bl, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, bl, a}] = true
		}
	}
	t.Logf("screenshot %dx%d, %d bytes, %d colours sampled", bounds.Dx(), bounds.Dy(), len(b), len(colours))
	if bounds.Dx() < 400 || bounds.Dy() < 400 || len(b) < 20_000 || len(colours) < 20 {
		t.Errorf("screenshot looks trivial: %dx%d, %d bytes, %d colours", bounds.Dx(), bounds.Dy(), len(b), len(colours))
	}
}

// TestBrowser_CORS: a page from another origin (http://localhost:PAGE)
// calls the API (http://127.0.0.1:API) with credentials. The browser must
// accept the answer from a server whose CORS_ALLOW_ORIGINS names the page's
// origin and block it (fetch rejects with TypeError) from one that does
// not.
func TestBrowser_CORS(t *testing.T) {
	t.Parallel()
	env := browserEnv(t)
	pageHTML, err := os.ReadFile(filepath.Join("testdata", "browser", "page.html"))
	if err != nil {
		t.Fatal(err)
	}
	pageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/page.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(pageHTML)
	}))
	defer pageSrv.Close()
	_, port, _ := net.SplitHostPort(pageSrv.Listener.Addr().String())
	pageOrigin := "http://localhost:" + port // not 127.0.0.1: host and port both differ from the API's

	allowed := readyFixtureServer(t, map[string]string{"CORS_ALLOW_ORIGINS": "http://localhost:3000," + pageOrigin})
	denied := readyFixtureServer(t, map[string]string{"CORS_ALLOW_ORIGINS": "http://localhost:3000"})
	if allowed.URL == pageOrigin || strings.Contains(allowed.URL, "localhost") {
		t.Fatalf("API origin %s must differ from the page origin %s", allowed.URL, pageOrigin)
	}
	cases, _ := json.Marshal([]map[string]string{
		{"name": "allowed", "page": pageOrigin + "/page.html", "api": allowed.URL},
		{"name": "denied", "page": pageOrigin + "/page.html", "api": denied.URL},
	})
	var rep struct {
		Results []struct {
			Name         string   `json:"name"`
			Origin       string   `json:"origin"`
			OK           bool     `json:"ok"`
			Status       int      `json:"status"`
			RequestID    string   `json:"requestId"`
			JSON         any      `json:"json"`
			ErrorName    string   `json:"errorName"`
			ErrorMessage string   `json:"errorMessage"`
			Console      []string `json:"console"`
		} `json:"results"`
	}
	runBrowserScript(t, env, &rep, "cors.mjs", string(cases))
	if len(rep.Results) != 2 {
		t.Fatalf("results: %+v", rep.Results)
	}
	ok, blocked := rep.Results[0], rep.Results[1]
	t.Logf("allowed: ok=%v status=%d request id %q; denied: %s: %s", ok.OK, ok.Status, ok.RequestID, blocked.ErrorName, blocked.ErrorMessage)
	if ok.Origin != pageOrigin {
		t.Errorf("page origin %q, want %q", ok.Origin, pageOrigin)
	}

	// Allowed: the page read the JSON and the exposed X-Request-ID.
	if !ok.OK || ok.Status != 200 {
		t.Errorf("allowed origin: the browser did not deliver the response: %+v", ok)
	}
	if res, _ := ok.JSON.(map[string]any)["results"].([]any); len(res) != 2 {
		t.Errorf("allowed origin: page saw %v, want 2 results", ok.JSON)
	}
	if ok.RequestID == "" {
		t.Errorf("allowed origin: X-Request-ID not readable by the page (Access-Control-Expose-Headers)")
	}
	// The browser preflighted (JSON content type) and then posted.
	for _, want := range []struct {
		method string
		status int
	}{{"OPTIONS", 200}, {"POST", 200}} {
		if _, found := allowed.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
			return r.str("msg") == "request" && r.str("method") == want.method && r["status"] == float64(want.status)
		}); !found {
			t.Errorf("allowed server logged no %s answered %d", want.method, want.status)
		}
	}

	// Denied: fetch rejected with a TypeError, and the server saw the
	// preflight and refused it (so it was CORS, not a network failure).
	if blocked.OK || blocked.ErrorName != "TypeError" {
		t.Errorf("denied origin: want fetch to reject with TypeError, got %+v", blocked)
	}
	if _, found := denied.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
		return r.str("msg") == "request" && r.str("method") == "OPTIONS" && r["status"] == float64(400)
	}); !found {
		t.Errorf("denied server logged no refused preflight:\n%s", denied.Stdout)
	}
	recs, _ := denied.Stdout.records()
	for _, r := range recs {
		if r.str("msg") == "request" && r.str("method") == "POST" {
			t.Errorf("denied server received the POST although the preflight failed: %v", r)
		}
	}
}
