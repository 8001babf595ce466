package embed

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

// fixed embeds every text as the vector its table gives (zero if none).
type fixed struct {
	name    string
	dims    int
	vecs    map[string][]float32
	err     error
	short   bool // return one vector too few
	badDims bool // return vectors one component short
}

func (f fixed) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: f.name, Model: f.name, Dims: f.dims}
}

func (f fixed) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]float32, 0, len(texts))
	for _, t := range texts {
		v := make([]float32, f.dims)
		copy(v, f.vecs[t])
		if f.badDims {
			v = v[:f.dims-1]
		}
		out = append(out, v)
	}
	if f.short {
		out = out[:len(out)-1]
	}
	return out, nil
}

type counting struct{ fixed }

func (counting) CountTokens(s string) int { return len(s) }

func TestConcat_Vectors(t *testing.T) {
	t.Parallel()
	a := fixed{name: "a", dims: 2, vecs: map[string][]float32{"x": {3, 4}, "y": {4, 3}, "z": {0, 2}}}
	b := fixed{name: "b", dims: 3, vecs: map[string][]float32{"x": {0, 0, 2}, "y": {0, 1, 0}}}
	c, err := NewConcat(docmodel.EmbeddingModel{Provider: "ab", Model: "a+b", Dims: 99}, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Info(); got != (docmodel.EmbeddingModel{Provider: "ab", Model: "a+b", Dims: 5}) {
		t.Errorf("Info = %+v", got)
	}
	vs, err := c.Embed(context.Background(), []string{"x", "y", "z", "none"})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs[:3] {
		if n := dot(v, v); math.Abs(n-1) > 1e-6 {
			t.Errorf("vector %d has norm² %v", i, n)
		}
	}
	// Both parts see x and y: the joined cosine is the mean of the parts'
	// cosines, (24/25 + 0) / 2.
	if got := dot(vs[0], vs[1]); math.Abs(got-0.48) > 1e-6 {
		t.Errorf("cos(x, y) = %v, want 0.48", got)
	}
	// b gives z the zero vector: z is a's direction alone.
	want := []float32{0, 1, 0, 0, 0}
	for i := range want {
		if math.Abs(float64(vs[2][i]-want[i])) > 1e-6 {
			t.Errorf("z = %v, want %v", vs[2], want)
			break
		}
	}
	if n := dot(vs[3], vs[3]); n != 0 {
		t.Errorf("a text no part knows has norm² %v, want 0", n)
	}
}

func TestConcat_Errors(t *testing.T) {
	t.Parallel()
	ok := fixed{name: "ok", dims: 2}
	boom := errors.New("boom")
	name := docmodel.EmbeddingModel{Provider: "p", Model: "m"}
	if _, err := NewConcat(name, ok); !errors.Is(err, ErrConfig) {
		t.Errorf("one part: err = %v, want ErrConfig", err)
	}
	if _, err := NewConcat(docmodel.EmbeddingModel{}, ok, ok); !errors.Is(err, ErrConfig) {
		t.Errorf("no name: err = %v, want ErrConfig", err)
	}
	tests := []struct {
		name string
		part fixed
		want error
	}{
		{"part fails", fixed{name: "f", dims: 2, err: boom}, boom},
		{"part returns too few vectors", fixed{name: "f", dims: 2, short: true}, ErrBadResponse},
		{"part returns short vectors", fixed{name: "f", dims: 2, badDims: true}, ErrBadResponse},
	}
	for _, tt := range tests {
		c, err := NewConcat(name, ok, tt.part)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Embed(context.Background(), []string{"x", "y"}); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestConcat_CountTokens(t *testing.T) {
	t.Parallel()
	plain := fixed{name: "plain", dims: 2}
	name := docmodel.EmbeddingModel{Provider: "p", Model: "m"}
	c, _ := NewConcat(name, counting{plain}, plain)
	tc, ok := c.(tokenCounter)
	if !ok || tc.CountTokens("abcd") != 4 {
		t.Errorf("a first part that counts tokens: counter %v", ok)
	}
	c, _ = NewConcat(name, plain, counting{plain})
	if _, ok := c.(tokenCounter); ok {
		t.Error("counts tokens though its first part does not")
	}
}

func TestUnit(t *testing.T) {
	t.Parallel()
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	tests := []struct {
		name string
		src  []float32
		ok   bool
	}{
		{"scaled", []float32{3, 4}, true},
		{"zero", []float32{0, 0}, false},
		{"infinite", []float32{inf, 1}, false},
		{"NaN", []float32{nan, 1}, false},
	}
	for _, tt := range tests {
		dst := []float32{7, 7}
		if ok := Unit(dst, tt.src); ok != tt.ok {
			t.Errorf("%s: Unit = %v, want %v", tt.name, ok, tt.ok)
		}
		if !tt.ok && (dst[0] != 7 || dst[1] != 7) {
			t.Errorf("%s: dst changed to %v", tt.name, dst)
		}
		if tt.ok && (math.Abs(float64(dst[0])-0.6) > 1e-7 || math.Abs(float64(dst[1])-0.8) > 1e-7) {
			t.Errorf("%s: dst = %v, want [0.6 0.8]", tt.name, dst)
		}
	}
}
