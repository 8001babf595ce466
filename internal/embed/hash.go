package embed

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// HashConfig configures the [Hash] development embedder.
type HashConfig struct {
	// Dims is the vector length. Zero means 384. Valid: 8..65536.
	Dims int
}

// Hash is a deterministic, offline feature-hashing bag-of-words embedder
// for development and tests: words (lower-cased, full-width ASCII folded)
// and CJK character bigrams are hashed into Dims signed buckets, weighted
// by 1+log(tf), and the vector is L2-normalised. Texts sharing words score
// high under cosine similarity; it knows nothing of synonyms or meaning.
//
// A text with no word or CJK character embeds to the zero vector.
type Hash struct {
	dims int
}

// NewHash returns a Hash embedder, or an error wrapping ErrConfig when Dims
// is out of range.
func NewHash(cfg HashConfig) (*Hash, error) {
	if cfg.Dims == 0 {
		cfg.Dims = 384
	}
	if cfg.Dims < 8 || cfg.Dims > 65536 {
		return nil, fmt.Errorf("hash: dims %d out of range 8..65536: %w", cfg.Dims, ErrConfig)
	}
	return &Hash{dims: cfg.Dims}, nil
}

// Info reports Provider "hash", Model "hash-v1" and the configured Dims.
func (h *Hash) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: docmodel.ProviderHash, Model: "hash-v1", Dims: h.dims}
}

// Embed returns one vector per text. It fails only when ctx is done.
func (h *Hash) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("hash: embed: %w", err)
			}
		}
		out[i] = h.vector(t)
	}
	return out, nil
}

func (h *Hash) vector(text string) []float32 {
	tf := map[string]int{}
	for _, t := range keyword.Tokenize(text) {
		tf[t]++
	}
	acc := make([]float64, h.dims)
	for t, n := range tf {
		hs := fnv.New64a()
		hs.Write([]byte(t))
		sum := hs.Sum64()
		idx := int(sum % uint64(h.dims))
		w := 1 + math.Log(float64(n))
		if sum>>63 == 1 {
			w = -w
		}
		acc[idx] += w
	}
	var norm float64
	for _, v := range acc {
		norm += v * v
	}
	vec := make([]float32, h.dims)
	if norm == 0 {
		return vec
	}
	inv := 1 / math.Sqrt(norm)
	for i, v := range acc {
		vec[i] = float32(v * inv)
	}
	return vec
}
