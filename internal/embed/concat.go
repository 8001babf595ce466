package embed

import (
	"context"
	"fmt"
	"math"

	"github.com/vendor0919/api/internal/docmodel"
)

// Concat is an Embedder that joins others: a text's vector is its parts'
// vectors, each scaled to unit length, one after the other, and the whole
// scaled to unit length. With two parts that both see the text, the
// cosine of two joined vectors is the mean of the parts' cosines, so a
// store ranks by both models at once, with one index. A part that gives
// a text the zero vector (a word-vector model that knows none of its
// words) leaves its share zero, and the other parts decide alone.
type Concat struct {
	name  docmodel.EmbeddingModel
	parts []Embedder
}

// tokenCounter is an embedder that counts its own input tokens.
type tokenCounter interface{ CountTokens(string) int }

// countingConcat is a Concat whose first part counts tokens: it passes
// the count on, so that ingest.LimitsFor sees the limit that part sets.
type countingConcat struct {
	*Concat
	counter tokenCounter
}

// CountTokens counts s as the first part does.
func (c countingConcat) CountTokens(s string) int { return c.counter.CountTokens(s) }

// MaxInputTokens is the first part's, or 0 (no limit known) when it does
// not say.
func (c countingConcat) MaxInputTokens() int {
	if m, ok := c.counter.(interface{ MaxInputTokens() int }); ok {
		return m.MaxInputTokens()
	}
	return 0
}

// NewConcat joins parts (at least two) under name's Provider and Model;
// Dims is the sum of theirs. When the first part counts its own tokens
// (CountTokens), the result does too. The error wraps ErrConfig.
func NewConcat(name docmodel.EmbeddingModel, parts ...Embedder) (Embedder, error) {
	if len(parts) < 2 || name.Provider == "" || name.Model == "" {
		return nil, fmt.Errorf("concat: want a provider, a model and two parts or more: %w", ErrConfig)
	}
	name.Dims = 0
	for _, p := range parts {
		name.Dims += p.Info().Dims
	}
	c := &Concat{name: name, parts: parts}
	if tc, ok := parts[0].(tokenCounter); ok {
		return countingConcat{Concat: c, counter: tc}, nil
	}
	return c, nil
}

// Info reports the name given to NewConcat and the sum of the parts' Dims.
func (c *Concat) Info() docmodel.EmbeddingModel { return c.name }

// Embed embeds texts with every part in turn and joins the vectors. A
// part's error is returned as it is; a part that returns the wrong count
// or length of vectors is an ErrBadResponse.
func (c *Concat) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	backing := make([]float32, len(texts)*c.name.Dims)
	for i := range out {
		out[i] = backing[i*c.name.Dims : (i+1)*c.name.Dims : (i+1)*c.name.Dims]
	}
	off := 0
	for _, p := range c.parts {
		vs, err := p.Embed(ctx, texts)
		if err != nil {
			return nil, err
		}
		d := p.Info().Dims
		if len(vs) != len(texts) {
			return nil, fmt.Errorf("concat: %s returned %d vectors for %d texts: %w", p.Info().Provider, len(vs), len(texts), ErrBadResponse)
		}
		for i, v := range vs {
			if len(v) != d {
				return nil, fmt.Errorf("concat: %s returned %d dims, want %d: %w", p.Info().Provider, len(v), d, ErrBadResponse)
			}
			Unit(out[i][off:off+d], v) // a zero or non-finite part stays zero
		}
		off += d
	}
	for _, v := range out {
		Unit(v, v)
	}
	return out, nil
}

// Unit writes src scaled to unit Euclidean length into dst (len(dst) >=
// len(src); dst may be src). The norm is summed in float64, so a vector
// comes out the same on every CPU, unlike ann.Normalize, whose float32
// dot product takes the SIMD path where there is one. It returns false,
// leaving dst as it was, when src is zero or its norm is not finite.
func Unit(dst, src []float32) bool {
	var sq float64
	for _, x := range src {
		sq += float64(x) * float64(x)
	}
	if sq == 0 || math.IsInf(sq, 0) || math.IsNaN(sq) {
		return false
	}
	r := 1 / math.Sqrt(sq)
	for j, x := range src {
		dst[j] = float32(float64(x) * r)
	}
	return true
}
