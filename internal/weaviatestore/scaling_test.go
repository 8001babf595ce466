package weaviatestore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

// TestScaling_WriteStore writes the synthetic store scripts/scaling.sh
// measures: VENDOR0919_SCALING_N chunks of about 80 Zipf-distributed words
// (a 5000-word vocabulary) with source/page/lang metadata, embedded by the
// hash embedder (384 dims), HNSW graph included, into
// VENDOR0919_SCALING_DIR. Opt-in: it is a tool, not a check.
func TestScaling_WriteStore(t *testing.T) {
	dir := os.Getenv("VENDOR0919_SCALING_DIR")
	if dir == "" {
		t.Skip("set VENDOR0919_SCALING_DIR (and VENDOR0919_SCALING_N) to write the scaling store")
	}
	n, err := strconv.Atoi(os.Getenv("VENDOR0919_SCALING_N"))
	if err != nil || n < 1 {
		t.Fatalf("VENDOR0919_SCALING_N=%q: want a positive count", os.Getenv("VENDOR0919_SCALING_N"))
	}
	ctx := context.Background()
	emb, err := embed.NewHash(embed.HashConfig{Dims: 384})
	if err != nil {
		t.Fatal(err)
	}
	words := make([]string, 5000)
	for i := range words {
		words[i] = fmt.Sprintf("w%x", i*2654435761%1000003)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 5)), 1.1, 2, uint64(len(words)-1))
	chunks := make([]docmodel.Chunk, n)
	vecs := make([]float32, 0, n*384)
	const batch = 4096
	texts := make([]string, 0, batch)
	for i := range chunks {
		var b strings.Builder
		for j := range 60 + rng.IntN(40) {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[zipf.Uint64()])
		}
		chunks[i] = docmodel.Chunk{ID: fmt.Sprintf("doc%06d#%d", i/8, i%8), Text: b.String(), Metadata: map[string]any{
			"source": fmt.Sprintf("docs/doc%06d.md", i/8), "page": float64(i % 8), "lang": []string{"en", "ja"}[i%2],
		}}
		texts = append(texts, chunks[i].IndexText())
		if len(texts) == batch || i == n-1 {
			vs, err := emb.Embed(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				vecs = append(vecs, v...)
			}
			texts = texts[:0]
		}
	}
	if _, err := store.Write(ctx, dir, chunks, vecs, store.WriteOptions{Version: fmt.Sprintf("scaling-%d", n), Embedding: emb.Info()}); err != nil {
		t.Fatal(err)
	}
}
