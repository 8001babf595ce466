package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/embedtest"
	"github.com/vendor0919/api/internal/store"
)

// TestBuild_RemoteEmbedders: build with the OpenAI and Ollama embedders
// configured by the server's variables and --model/--dims, against
// stand-ins on loopback: the manifest records provider, model and dims
// (and the server's check refuses another model), a dry run sends nothing
// and prices the work, a rebuild is served from the cache.
func TestBuild_RemoteEmbedders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      string
		env       func(url string) map[string]string
		args      []string
		wantModel string
		wantCost  string
	}{
		{embedtest.OpenAI, func(url string) map[string]string {
			return map[string]string{"EMBEDDER": "openai", "OPENAI_BASE_URL": url + "/v1", "OPENAI_API_KEY": "sk-test", "EMBEDDING_MODEL": "text-embedding-ada-002"}
		}, []string{"--model", "text-embedding-3-small", "--dims", "16"}, "text-embedding-3-small", "estimated cost less than $0.000001"},
		{embedtest.Ollama, func(url string) map[string]string {
			return map[string]string{"OLLAMA_BASE_URL": url, "EMBEDDING_MODEL": "nomic-embed-text", "EMBEDDING_DIMS": "8"}
		}, []string{"--embedder", "ollama"}, "nomic-embed-text", "estimated cost $0 (self-hosted)"},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			stand := embedtest.New(tt.kind)
			srv := httptest.NewServer(stand)
			t.Cleanup(srv.Close)
			env := tt.env(srv.URL)
			getenv := func(k string) string { return env[k] }
			corpus, cache := t.TempDir(), t.TempDir()
			if err := os.WriteFile(filepath.Join(corpus, "a.md"), []byte("# Refunds\n\nRefunds take 14 days.\n\n## Exchanges\n\nExchanges are free."), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(corpus, "b.pdf"), []byte("not a pdf"), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "store")
			build := func(extra ...string) (string, string, int) {
				var stdout, stderr bytes.Buffer
				args := append([]string{"build", "--in", corpus, "--out", out, "--cache", cache}, tt.args...)
				code := runMain(context.Background(), append(args, extra...), getenv, &stdout, &stderr)
				return stdout.String(), stderr.String(), code
			}

			stdout, stderr, code := build("--dry-run")
			if code != 0 || stand.Requests() != 0 || !strings.Contains(stdout, "dry run: 1 documents (1 skipped), 2 chunks") ||
				!strings.Contains(stdout, "to embed: 2 texts") || !strings.Contains(stdout, tt.wantCost) || !strings.Contains(stderr, "skipped b.pdf: ") {
				t.Fatalf("dry run: exit %d, %d requests\nstdout %s\nstderr %s", code, stand.Requests(), stdout, stderr)
			}

			t.Logf("dry run:\n%s%s", stdout, stderr)
			stdout, stderr, code = build()
			if code != 0 || stand.Requests() != 1 || len(stand.Texts()) != 2 ||
				!strings.Contains(stdout, "embedded 2 texts in 1 batches; cache: 0 of 2 chunks found") || !strings.Contains(stdout, "skipped 1 documents (unreadable or without text)") {
				t.Fatalf("build: exit %d, %d requests\nstdout %s\nstderr %s", code, stand.Requests(), stdout, stderr)
			}
			m, err := store.ReadManifest(out)
			if err != nil || m.Embedding.Provider != tt.kind || m.Embedding.Model != tt.wantModel || m.Embedding.Dims != map[string]int{"openai": 16, "ollama": 8}[tt.kind] {
				t.Fatalf("manifest embedding %+v, %v", m.Embedding, err)
			}
			other := m.Embedding
			other.Model = "another-model"
			if _, err := store.Open(context.Background(), out, store.OpenOptions{Embedding: other}); err == nil {
				t.Fatal("the store loaded for another model")
			}
			if _, err := store.Open(context.Background(), out, store.OpenOptions{Embedding: m.Embedding}); err != nil {
				t.Fatal(err)
			}

			t.Logf("build:\n%s", stdout)
			stand.Reset()
			stdout, _, code = build()
			if code != 0 || stand.Requests() != 0 || !strings.Contains(stdout, "embedded 0 texts in 0 batches; cache: 2 of 2 chunks found") {
				t.Fatalf("rebuild: exit %d, %d requests\n%s", code, stand.Requests(), stdout)
			}
		})
	}
}

// TestBuild_EmbedderUsageErrors: an unknown embedder or a model whose
// dims nobody knows is a usage error (exit 2) before any work.
func TestBuild_EmbedderUsageErrors(t *testing.T) {
	t.Parallel()
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "a.md"), []byte("# A\n\nText."), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"OPENAI_API_KEY": "sk-test", "OLLAMA_BASE_URL": "http://127.0.0.1:1"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--embedder", "nope"}, `embedder "nope"`},
		{[]string{"--embedder", "openai", "--model", "my-custom"}, "--dims"},
		{[]string{"--embedder", "ollama", "--model", "nomic-embed-text"}, "--dims"},
		{[]string{"--embedder", "bedrock", "--dims", "300"}, "not one of 256, 512, 1024"},
		{[]string{"--embedder", "hash", "--dims", "-3"}, "--dims -3"},
		// A model the flag chose but did not name: the message says how.
		{[]string{"--embedder", "ollama"}, "--model NAME"},
		// Values a fixed model cannot take are refused, not ignored.
		{[]string{"--embedder", "minilm", "--dims", "100"}, "--dims (or EMBEDDING_DIMS) 100 does not apply to minilm"},
		{[]string{"--embedder", "hash", "--model", "foo"}, `"foo" does not apply to hash`},
		{[]string{"--embedder", "use-lite", "--model", "foo"}, `"foo" does not apply to use-lite`},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		args := append([]string{"build", "--in", corpus, "--out", filepath.Join(t.TempDir(), "s"), "--cache", "off"}, tt.args...)
		if tt.args[1] == "bedrock" {
			args = append(args, "--dry-run") // a region is not needed to fail
		}
		code := runMain(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr.String(), tt.want)
		}
		// A flag's problem in the flag's words, not a server's start-up
		// error's ("config: invalid setting: --dims ...").
		if strings.Contains(stderr.String(), "invalid setting") {
			t.Errorf("%v: stderr %q", tt.args, stderr.String())
		}
	}
	// A bad variable is as much a usage error as a bad flag.
	for _, env := range []map[string]string{{"EMBEDDER": "nope"}, {"EMBEDDER": "ollama"}, {"EMBEDDING_DIMS": "x"}} {
		var stdout, stderr bytes.Buffer
		args := []string{"build", "--in", corpus, "--out", filepath.Join(t.TempDir(), "s"), "--cache", "off"}
		code := runMain(context.Background(), args, func(k string) string { return env[k] }, &stdout, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "config: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 naming the variable", env, code, stderr.String())
		}
	}
}

// TestBuild_DryRunNeedsNoCredentials: a dry run names the model and prices
// the work without OPENAI_API_KEY or AWS_REGION, and sends nothing.
func TestBuild_DryRunNeedsNoCredentials(t *testing.T) {
	t.Parallel()
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "a.md"), []byte("# A\n\nSome text to embed."), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--embedder", "openai", "--model", "text-embedding-3-large"}, "openai/text-embedding-3-large 3072 dims"},
		{[]string{"--embedder", "bedrock"}, "bedrock/amazon.titan-embed-text-v2:0 1024 dims"},
		{[]string{"--embedder", "openai", "--model", "my-custom", "--dims", "64"}, "estimated cost unknown"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		args := append([]string{"build", "--in", corpus, "--dry-run", "--cache", "off"}, tt.args...)
		code := runMain(context.Background(), args, func(string) string { return "" }, &stdout, &stderr)
		if code != 0 || !strings.Contains(stdout.String(), tt.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tt.args, code, stdout.String(), stderr.String())
		}
	}
}

// TestBuild_OutNotAStoreIsUsage: an --out holding something other than a
// store (a folder of documents, a file) is the operator's mistake, exit 2
// like a bad flag, before any work; the folder is left as it was.
func TestBuild_OutNotAStoreIsUsage(t *testing.T) {
	t.Parallel()
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "a.md"), []byte("# A\n\nText."), 0o600); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	keep := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := runMain(context.Background(), []string{"build", "--in", corpus, "--out", out, "--embedder", "hash", "--cache", "off", "--quiet"},
		func(string) string { return "" }, &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--out:") || !strings.Contains(stderr.String(), "not a store folder") {
		t.Errorf("exit %d, stderr %q; want 2 naming --out", code, stderr.String())
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Errorf("the folder was touched: %q %v", b, err)
	}
}

// TestBuild_RidesOutRateLimits: a build uses the batch retry policy, not
// the server's: four 429s in a row (the server's policy gives up after
// four attempts) do not stop it. Real time: up to 15 s of backoff.
func TestBuild_RidesOutRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out real backoff")
	}
	t.Parallel()
	stand := embedtest.New(embedtest.OpenAI)
	stand.FailWith(func(n int) embedtest.Failure {
		if n <= 4 {
			return embedtest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"0"}}, Message: "rate limited"}
		}
		return embedtest.Failure{}
	})
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	env := map[string]string{"EMBEDDER": "openai", "OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": "sk-test"}
	corpus := t.TempDir()
	if err := os.WriteFile(filepath.Join(corpus, "a.md"), []byte("# A\n\nSome text to embed."), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := runMain(context.Background(), []string{"build", "--in", corpus, "--out", filepath.Join(t.TempDir(), "s"), "--cache", "off", "--dims", "8"},
		func(k string) string { return env[k] }, &stdout, &stderr)
	if code != 0 || stand.Requests() != 5 {
		t.Fatalf("exit %d after %d requests\nstdout %s\nstderr %s", code, stand.Requests(), stdout.String(), stderr.String())
	}
}
