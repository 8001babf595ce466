package startbench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/synth"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

// Embedding is the model recorded in generated stores: the server's hash
// embedder, which needs no model files, at Dims dimensions.
func Embedding(dims int) docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: docmodel.ProviderHash, Model: "hash-v1", Dims: dims}
}

// GenConfig describes a generated store.
type GenConfig struct {
	N    int    // chunks
	Dims int    // vector dimensions [384]
	Seed uint64 // [1]
	// M and EFConstruction shape the HNSW graph [16, 40]: a start-up
	// benchmark needs a graph of the usual size, not a high-recall one,
	// and a lower EFConstruction keeps the 1M build within minutes.
	M, EFConstruction int
}

func (c GenConfig) withDefaults() GenConfig {
	if c.Dims == 0 {
		c.Dims = 384
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.M == 0 {
		c.M = 16
	}
	if c.EFConstruction == 0 {
		c.EFConstruction = 40
	}
	return c
}

// Generate writes a native store of cfg.N synthetic chunks into dir.
func Generate(ctx context.Context, dir string, cfg GenConfig) (*store.Manifest, error) {
	c := cfg.withDefaults()
	if c.N < 1 || c.N > 1<<24 || c.Dims < 1 || c.Dims > store.MaxDims {
		return nil, fmt.Errorf("startbench: generate: n %d, dims %d out of range", c.N, c.Dims)
	}
	vecs, _, err := synth.Generate(synth.Config{N: c.N, Dim: c.Dims, Seed: c.Seed, Normalize: true})
	if err != nil {
		return nil, fmt.Errorf("startbench: generate: %w", err)
	}
	chunks := Chunks(c.N, c.Seed)
	return store.Write(ctx, dir, chunks, vecs, store.WriteOptions{
		Version:   fmt.Sprintf("bench-%d", c.N),
		Embedding: Embedding(c.Dims),
		Metric:    ann.Cosine,
		HNSW:      ann.HNSWConfig{M: c.M, EFConstruction: c.EFConstruction, Seed: int64(c.Seed)},
	})
}

// vocabSize is the number of distinct words texts draw from.
const vocabSize = 50000

// Chunks returns n deterministic synthetic chunks: about 430 bytes of
// text each, words drawn from a Zipf distribution over vocabSize made-up
// words (so the keyword index has a realistic long tail), and metadata
// with a source, a heading path and a url, as chunk.Loader.LoadDir gives.
func Chunks(n int, seed uint64) []docmodel.Chunk {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	vocab := make([]string, vocabSize)
	syl := []string{"ka", "lo", "mi", "ner", "tu", "sa", "ve", "ri", "on", "ex", "qu", "dra", "pel", "sto", "vin", "ar"}
	for i := range vocab {
		var b strings.Builder
		for x, k := i+1, 0; x > 0 || k < 2; x, k = x/len(syl), k+1 {
			b.WriteString(syl[x%len(syl)])
		}
		vocab[i] = b.String()
	}
	zipf := rand.NewZipf(rng, 1.1, 2, vocabSize-1)
	chunks := make([]docmodel.Chunk, n)
	var b strings.Builder
	for i := range chunks {
		doc, sec := i/20, i%20
		b.Reset()
		for b.Len() < 400 {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(vocab[zipf.Uint64()])
		}
		b.WriteByte('.')
		chunks[i] = docmodel.Chunk{
			ID:   fmt.Sprintf("doc-%06d.md#%d", doc, sec),
			Text: b.String(),
			Metadata: map[string]any{
				"source":                 fmt.Sprintf("doc-%06d.md", doc),
				"url":                    fmt.Sprintf("doc-%06d.md#s%d", doc, sec),
				docmodel.MetaHeadingPath: fmt.Sprintf("%s %s > %s", vocab[doc%vocabSize], vocab[(doc*7)%vocabSize], vocab[(i*13)%vocabSize]),
			},
		}
	}
	return chunks
}
