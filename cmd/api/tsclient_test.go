package main

// The contract as the frontend consumes it: a TypeScript client generated
// from api/openapi.json with openapi-typescript, called through
// openapi-fetch, must type-check under tsc --strict and work against the
// real binary; and the document must lint clean under Redocly's
// recommended rules; and Swagger UI's Authorize and "Try it out" must work
// with the document's own examples. The npm packages are pinned in
// scripts/tsclient (npm ci by scripts/install-tools.sh).

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	tsclientDir = "../../scripts/tsclient"
	contractDoc = "../../api/openapi.json"
)

// tsTools returns the node binary and scripts/tsclient's node_modules, or
// skips (fails with VENDOR0919_REQUIRE_TOOLS=1) when either is missing.
func tsTools(t *testing.T) (node, modules string) {
	t.Helper()
	return nodeModules(t, tsclientDir, "openapi-typescript", "openapi-fetch", "typescript", "@redocly/cli")
}

// runNode runs node with args in dir and returns its stdout.
func runNode(t *testing.T, node, dir string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1", "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	t.Logf("node %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Logf("stdout:\n%s\nstderr:\n%s", tail(stdout.String(), 4000), tail(stderr.String(), 4000))
	}
	return stdout.Bytes(), err
}

func TestTSClient_AgainstServer(t *testing.T) {
	t.Parallel()
	node, modules := tsTools(t)
	src, err := os.ReadFile(filepath.Join(tsclientDir, "client.ts"))
	if err != nil {
		t.Fatal(err)
	}
	// A non-null assertion (x!.y, x!;) would hide a field the document
	// leaves optional.
	if m := regexp.MustCompile(`[\w)\]]!(\.|;|,|\)|\[)`).Find(src); m != nil {
		t.Fatalf("client.ts uses a non-null assertion: %q", m)
	}
	doc, err := filepath.Abs(contractDoc)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, data := range map[string][]byte{"client.ts": src, "package.json": []byte(`{"type":"module"}`)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tsconfig, err := os.ReadFile(filepath.Join(tsclientDir, "tsconfig.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tsconfig.json"), tsconfig, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	if _, err := runNode(t, node, dir, filepath.Join(modules, "openapi-typescript", "bin", "cli.js"), doc, "-o", "api.d.ts"); err != nil {
		t.Fatalf("openapi-typescript: %v", err)
	}
	if out, err := runNode(t, node, dir, filepath.Join(modules, "typescript", "bin", "tsc"), "-p", "."); err != nil {
		t.Fatalf("tsc --strict on the generated client: %v\n%s", err, out)
	}

	// The client runs twice: against the offline extractive generator,
	// which counts no tokens, and against an OpenAI stand-in upstream that
	// counts 412 + 17 for the one call a question makes.
	upstream := httptest.NewServer(usageStandIn{})
	t.Cleanup(upstream.Close) // after the parallel subtests, unlike defer
	tests := []struct {
		name  string
		env   map[string]string
		usage *tsUsage // on the JSON answer and the done event; nil: none
	}{
		{"extractive, no counts", nil, nil},
		{"upstream counts tokens", map[string]string{"LLM": "openai", "OPENAI_BASE_URL": upstream.URL + "/v1", "OPENAI_API_KEY": "stand-in"},
			&tsUsage{412, 17, 429}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := readyFixtureServer(t, tc.env)
			out, err := runNode(t, node, dir, filepath.Join("out", "client.js"), p.URL)
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			var rep struct {
				Error  string `json:"error"`
				Search struct {
					Count  int      `json:"count"`
					IDs    []string `json:"ids"`
					Score  float64  `json:"score"`
					Source string   `json:"source"`
					Mode   string   `json:"mode"`
					TopK   int      `json:"top_k"`
				} `json:"search"`
				Query struct {
					Answer string   `json:"answer"`
					Cited  []string `json:"cited"`
					Model  string   `json:"model"`
					Usage  *tsUsage `json:"usage"`
				} `json:"query"`
				VectorStore struct {
					Count   int    `json:"count"`
					Dims    int    `json:"dims"`
					Version string `json:"version"`
					Format  string `json:"format"`
				} `json:"vectorstore"`
				Invalid []struct {
					Type string `json:"type"`
					Loc  []any  `json:"loc"`
				} `json:"invalid"`
				Stream struct {
					Events  []string `json:"events"`
					Sources int      `json:"sources"`
					Text    string   `json:"text"`
					Done    string   `json:"done"`
					Usage   *tsUsage `json:"usage"`
				} `json:"stream"`
			}
			if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); jerr != nil || err != nil || rep.Error != "" {
				t.Fatalf("client.js: %v, report %q (%v)", err, lines[len(lines)-1], jerr)
			}
			if rep.Search.Count != 3 || rep.Search.TopK != 3 || rep.Search.Mode != "hybrid" || !slices.Contains(rep.Search.IDs, "warranty-en") ||
				rep.Search.Score <= 0 || rep.Search.Source == "" {
				t.Errorf("search through the client: %+v", rep.Search)
			}
			if rep.Query.Answer == "" || len(rep.Query.Cited) == 0 || rep.Query.Model == "" {
				t.Errorf("query through the client: %+v", rep.Query)
			}
			if rep.VectorStore.Count != len(fixtureChunks) || rep.VectorStore.Dims != 384 || rep.VectorStore.Version != fixtureVersion || rep.VectorStore.Format != "native" {
				t.Errorf("vectorstore through the client: %+v", rep.VectorStore)
			}
			var invalid []string
			for _, it := range rep.Invalid {
				b, _ := json.Marshal(it.Loc)
				invalid = append(invalid, it.Type+" "+string(b))
			}
			if want := []string{`string_too_short ["body","question"]`, `less_than_equal ["body","top_k"]`}; !slices.Equal(invalid, want) {
				t.Errorf("422 through the client: %q, want %q", invalid, want)
			}
			ev := rep.Stream.Events
			if len(ev) < 3 || ev[0] != "sources" || ev[len(ev)-1] != "done" || rep.Stream.Sources == 0 || rep.Stream.Text == "" || rep.Stream.Text != rep.Stream.Done {
				t.Errorf("stream through the client: %+v", rep.Stream)
			}
			for what, got := range map[string]*tsUsage{"query": rep.Query.Usage, "stream's done": rep.Stream.Usage} {
				if !reflect.DeepEqual(got, tc.usage) {
					t.Errorf("%s usage through the client: %+v, want %+v", what, got, tc.usage)
				}
			}
		})
	}
}

// tsUsage is /query's usage as client.ts reports it.
type tsUsage struct {
	Prompt     int `json:"prompt_tokens"`
	Completion int `json:"completion_tokens"`
	Total      int `json:"total_tokens"`
}

// TestOpenAPI_Lint lints the contract with Redocly's recommended rules:
// no errors. The warnings left are logged; see docs/ARCHITECTURE.md.
func TestOpenAPI_Lint(t *testing.T) {
	t.Parallel()
	node, modules := tsTools(t)
	doc, err := filepath.Abs(contractDoc)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runNode(t, node, t.TempDir(), filepath.Join(modules, "@redocly", "cli", "bin", "cli.js"), "lint", "--format=json", doc)
	var rep struct {
		Totals struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
		} `json:"totals"`
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if jerr := json.Unmarshal(out, &rep); jerr != nil {
		t.Fatalf("redocly lint: %v; output %q: %v", err, tail(string(out), 2000), jerr)
	}
	for _, p := range rep.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		if p.Severity == "error" {
			t.Errorf("redocly %s %s: %s", p.RuleID, where, p.Message)
		} else {
			t.Logf("redocly %s %s %s: %s", p.Severity, p.RuleID, where, p.Message)
		}
	}
	if rep.Totals.Errors != 0 || err != nil {
		t.Errorf("redocly lint: %d errors (%v)", rep.Totals.Errors, err)
	}
}

// TestBrowser_DocsTryItOut: in Swagger UI on a server with API_KEYS, the
// bare key in Authorize (no hand-typed "Bearer ") and the request bodies
// the page fills in from the document's examples succeed as they stand.
func TestBrowser_DocsTryItOut(t *testing.T) {
	t.Parallel()
	env := browserEnv(t)
	p := readyFixtureServer(t, map[string]string{"API_KEYS": "try-key-1"})
	var rep struct {
		SchemeText string `json:"schemeText"`
		Tries      map[string]struct {
			Sent   string `json:"sent"`
			Status string `json:"status"`
			Body   string `json:"body"`
		} `json:"tries"`
		Auth []string `json:"auth"`
	}
	runBrowserScript(t, env, &rep, "tryit.mjs", p.URL, "try-key-1")
	if !strings.Contains(rep.SchemeText, "http, Bearer") || strings.Contains(rep.SchemeText, "<token>") {
		t.Errorf("Authorize shows %q, want the http bearer scheme", rep.SchemeText)
	}
	for _, path := range []string{"/search", "/query"} {
		try := rep.Tries[path]
		if try.Status != "200" || !strings.Contains(try.Sent, "How long is the warranty?") || strings.Contains(try.Sent, "additionalProp") {
			t.Errorf("Try it out %s sent %s: %s %.300s", path, try.Sent, try.Status, try.Body)
		}
	}
	if len(rep.Auth) != 2 || rep.Auth[0] != "Bearer try-key-1" || rep.Auth[1] != "Bearer try-key-1" {
		t.Errorf("Authorization headers sent: %q", rep.Auth)
	}
}
