package uselite

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// reference is testdata/reference.json, written by scripts/uselite/reference.mjs
// with the model's own JavaScript implementation.
type reference struct {
	ModelPackage string `json:"model_package"`
	Backend      string `json:"backend"`
	Sentences    []struct {
		Text    string    `json:"text"`
		Tokens  []int     `json:"tokens"`
		Context string    `json:"context"`
		Vector  []float64 `json:"vector"`
	} `json:"sentences"`
	Batch struct {
		Texts   []string    `json:"texts"`
		Vectors [][]float64 `json:"vectors"`
	} `json:"batch"`
	TokenizerCases []struct {
		Text   string `json:"text"`
		Tokens []int  `json:"tokens"`
	} `json:"tokenizer_cases"`
}

func loadReference(t testing.TB, path string) *reference {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read reference: %v", err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode reference: %v", err)
	}
	if len(r.Sentences) < 20 || len(r.TokenizerCases) < 100 {
		t.Fatalf("reference too small: %d sentences, %d tokenizer cases", len(r.Sentences), len(r.TokenizerCases))
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
		t.Fatalf("New: %v", testEncErr)
	}
	return testEnc
}

const parityTol = 1e-4

func maxAbsDiff(got []float32, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var m float64
	for i := range got {
		m = max(m, math.Abs(float64(got[i])-want[i]))
	}
	return m
}

func TestEmbed_ParityWithJS(t *testing.T) {
	t.Parallel()
	checkParity(t, loadReference(t, filepath.Join("testdata", "reference.json")))
}

func checkParity(t *testing.T, ref *reference) {
	t.Helper()
	enc := encoder(t)
	texts := make([]string, len(ref.Sentences))
	for i, s := range ref.Sentences {
		texts[i] = s.Text
	}
	got, err := enc.Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	var worst float64
	for i, s := range ref.Sentences {
		if ids := enc.Tokenizer().Encode(s.Text); !slices.Equal(ids, s.Tokens) {
			t.Errorf("sentence %d %q: tokens %v, JS %v", i, s.Text, ids, s.Tokens)
		}
		d := maxAbsDiff(got[i], s.Vector)
		worst = max(worst, d)
		if d > parityTol {
			t.Errorf("sentence %d %q (%d tokens): max abs diff %.3g > %g", i, s.Text, len(s.Tokens), d, parityTol)
		}
	}
	for i, v := range ref.Batch.Vectors {
		d := maxAbsDiff(got[i], v)
		worst = max(worst, d)
		if d > parityTol {
			t.Errorf("batch row %d %q: max abs diff %.3g > %g", i, ref.Batch.Texts[i], d, parityTol)
		}
	}
	t.Logf("max abs diff vs JS (%s, %s): %.3g over %d sentences", ref.ModelPackage, ref.Backend, worst, len(ref.Sentences))
}

func TestTokenizer_ParityWithJS(t *testing.T) {
	t.Parallel()
	ref := loadReference(t, filepath.Join("testdata", "reference.json"))
	tok := encoder(t).Tokenizer()
	for i, c := range ref.TokenizerCases {
		got := tok.Encode(c.Text)
		if len(got) == 0 && len(c.Tokens) == 0 {
			continue
		}
		if !slices.Equal(got, c.Tokens) {
			t.Errorf("case %d %q: got %v, JS %v", i, c.Text, got, c.Tokens)
		}
	}
}
