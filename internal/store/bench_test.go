package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
)

// The start-up trade-off: a LangChain folder builds its graph at Open, a
// native store loads the persisted one. Run with -benchtime=1x.
const benchN, benchDims = 20000, 384

func BenchmarkOpen_LangChain_N20k_D384(b *testing.B) {
	dir := b.TempDir()
	_, vecs := testData(benchN, benchDims, 3)
	texts := make([]string, benchN)
	for i := range texts {
		texts[i] = fmt.Sprintf("文書 %d", i)
	}
	writeLangChain(b, dir, benchDims, false, vecs, texts)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(context.Background(), dir, OpenOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen_Native_N20k_D384(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "s")
	chunks, vecs := testData(benchN, benchDims, 3)
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{
		Embedding: docmodel.EmbeddingModel{Dims: benchDims}, Metric: ann.L2, HNSW: ann.HNSWConfig{EFConstruction: 100},
	}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(context.Background(), dir, OpenOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
