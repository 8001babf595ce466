package glove

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func newEncoder(t *testing.T) *Encoder {
	t.Helper()
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func norm(v []float32) float64 { return math.Sqrt(cosine(v, v)) }

func TestNew_EmbeddedModel(t *testing.T) {
	t.Parallel()
	e := newEncoder(t)
	if got := e.Info(); got.Provider != Provider || got.Model != Model || got.Dims != 100 {
		t.Errorf("Info = %+v", got)
	}
	// The converter keeps the word-rune words among GloVe's 150,000 most
	// frequent: most of them, and every common one.
	if e.Len() < 140_000 || e.Len() > SourceMaxRank {
		t.Errorf("Len = %d, want 140,000 to %d", e.Len(), SourceMaxRank)
	}
	for _, w := range []string{"the", "directory", "permissions", "timeout", "redirect"} {
		if _, ok := e.id(w); !ok {
			t.Errorf("%q not in the vocabulary", w)
		}
	}
}

// TestEmbed_RanksRelatedTextsCloser checks the vectors carry meaning:
// texts that share no word but a topic are closer than texts of other
// topics. Margins are wide, so no CPU's rounding decides them.
func TestEmbed_RanksRelatedTextsCloser(t *testing.T) {
	t.Parallel()
	e := newEncoder(t)
	tests := []struct{ query, related, unrelated string }{
		{"delete the folder", "remove a directory", "the football match tonight"},
		{"how fast is the car", "vehicle speed and acceleration", "bake bread with flour"},
		{"lowercase letters", "uppercase characters", "stock market prices fell"},
	}
	for _, tt := range tests {
		vs, err := e.Embed(context.Background(), []string{tt.query, tt.related, tt.unrelated})
		if err != nil {
			t.Fatal(err)
		}
		rel, unrel := cosine(vs[0], vs[1]), cosine(vs[0], vs[2])
		if rel < unrel+0.1 {
			t.Errorf("%q: cos to %q = %.3f, to %q = %.3f; want the first higher by 0.1", tt.query, tt.related, rel, tt.unrelated, unrel)
		}
	}
}

func TestEmbed_Vectors(t *testing.T) {
	t.Parallel()
	e := newEncoder(t)
	long := strings.Repeat("alpha ", MaxWords)
	tests := []struct {
		name string
		a, b string
		same bool // the two texts embed to the same vector
		zero bool // a embeds to the zero vector
	}{
		{name: "case is folded", a: "Delete The FILE", b: "delete the file", same: true},
		{name: "punctuation separates words", a: "delete,the-file", b: "delete the file", same: true},
		{name: "words past MaxWords are not read", a: long + "banana", b: long + "cherry", same: true},
		{name: "word order does not matter", a: "file delete", b: "delete file", same: true},
		{name: "different words differ", a: "delete the file", b: "create the file"},
		{name: "empty text is zero", a: "", b: "x", zero: true},
		{name: "Japanese is unknown, zero", a: "ファイルを削除する", b: "x", zero: true},
		{name: "invalid UTF-8 separates words", a: "delete\xffthe\xfefile", b: "delete the file", same: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vs, err := e.Embed(context.Background(), []string{tt.a, tt.b})
			if err != nil {
				t.Fatal(err)
			}
			if len(vs[0]) != 100 || len(vs[1]) != 100 {
				t.Fatalf("dims %d, %d", len(vs[0]), len(vs[1]))
			}
			if tt.zero {
				if n := norm(vs[0]); n != 0 {
					t.Errorf("norm of %q = %v, want 0", tt.a, n)
				}
				return
			}
			if n := norm(vs[0]); math.Abs(n-1) > 1e-5 {
				t.Errorf("norm of %q = %v, want 1", tt.a, n)
			}
			// Order-independent texts sum the same terms in another order:
			// equal within float32 rounding, not bit for bit.
			if c := cosine(vs[0], vs[1]); tt.same != (c > 1-1e-5) {
				t.Errorf("cos(%q, %q) = %.6f, same = %v", tt.a, tt.b, c, tt.same)
			}
		})
	}
}

func TestEmbed_ContextCancelled(t *testing.T) {
	t.Parallel()
	e := newEncoder(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Embed(ctx, []string{"a"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	vs, err := e.Embed(context.Background(), nil)
	if err != nil || len(vs) != 0 {
		t.Errorf("Embed(nil) = %v, %v", vs, err)
	}
}

func TestEachWord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"Hello, World!", []string{"hello", "world"}},
		{"os.chmod(path, mode)", []string{"os", "chmod", "path", "mode"}},
		{"Ünïcode ÉTÉ", []string{"ünïcode", "été"}},
		{"a\xffb", []string{"a", "b"}},
		{"x2 3.14", []string{"x2", "3", "14"}},
	}
	for _, tt := range tests {
		var got []string
		eachWord(tt.in, func(w string) bool { got = append(got, w); return true })
		if !slices.Equal(got, tt.want) {
			t.Errorf("eachWord(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	var n int
	eachWord("a b c d", func(string) bool { n++; return n < 2 })
	if n != 2 {
		t.Errorf("eachWord went on after false: %d calls", n)
	}
}

func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEmbed embeds a 200-word paragraph, about one chunk.
func BenchmarkEmbed(b *testing.B) {
	e, err := New()
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("The rewrite engine applies each rule to the requested URL path, in the order the rules appear. ", 12)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Embed(context.Background(), []string{text}); err != nil {
			b.Fatal(err)
		}
	}
}
