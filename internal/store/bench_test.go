package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
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

// BenchmarkSections: the section field's cost on a store of
// BENCH_SECTIONS_CHUNKS chunks (default 20,000; docs/BENCHMARKS.md gives
// 1,000,000) of about 430 bytes of Zipf-drawn words in sections of one
// to four chunks: grouping the chunks at a swap (Store.Sections, from
// SectionsFile; group=urls from every chunk's metadata, as for a store
// without the file), and 8-word keyword searches with and without the
// field. Run with -benchtime=20x or so: the store is
// written once, before the timer.
func BenchmarkSections(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("BENCH_SECTIONS_CHUNKS")); err == nil && v > 0 {
		n = v
	}
	rng := rand.New(rand.NewPCG(11, 12))
	vocab := make([]string, 50000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%x", uint64(i)*2654435761%1000003)
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	chunks := make([]docmodel.Chunk, n)
	vecs := make([]float32, n*4)
	var sb strings.Builder
	for i, sec, left := 0, 0, 0; i < n; i++ {
		if left == 0 {
			sec, left = sec+1, 1+rng.IntN(4)
		}
		left--
		sb.Reset()
		for sb.Len() < 430 {
			sb.WriteString(vocab[zipf.Uint64()])
			sb.WriteByte(' ')
		}
		chunks[i] = docmodel.Chunk{ID: fmt.Sprint(i), Text: sb.String(), Metadata: map[string]any{
			"source": fmt.Sprintf("doc-%d.html", sec/20), docmodel.MetaURL: fmt.Sprintf("doc-%d.html#s%d", sec/20, sec),
			docmodel.MetaHeadingPath: vocab[sec%len(vocab)] + " > " + vocab[(sec*7)%len(vocab)],
		}}
		vecs[4*i] = 1
	}
	dir := filepath.Join(b.TempDir(), "s")
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: docmodel.EmbeddingModel{Dims: 4}, Exact: true}); err != nil {
		b.Fatal(err)
	}
	// The budget is lifted: a million chunks of text are over the 2 GiB
	// a machine without a memory limit allows.
	st, err := Open(context.Background(), dir, OpenOptions{MaxBytes: 64 << 30})
	if err != nil {
		b.Fatal(err)
	}
	kw, _ := st.KeywordIndex(nil)
	queries := make([]string, 64)
	for i := range queries {
		sb.Reset()
		for range 8 {
			sb.WriteString(vocab[zipf.Uint64()] + " ")
		}
		queries[i] = sb.String()
	}
	b.Run("group", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if st.Sections(kw) == nil {
				b.Fatal("no sections")
			}
		}
	})
	// group=urls is the grouping of a store without SectionsFile: every
	// chunk's metadata decoded for its url.
	b.Run("group=urls", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			of, n, ok := chunkSections(st.ChunkCount(), func(i int) string {
				url, _ := st.ChunkMetadata(i)[docmodel.MetaURL].(string)
				return url
			})
			if !ok || kw.Sections(keyword.NewGroups(of, n)) == nil {
				b.Fatal("no sections")
			}
		}
	})
	secs := keyword.Field{Sections: st.Sections(kw), Weight: 0.3}
	for _, bc := range []struct {
		name   string
		fields []keyword.Field
	}{{"search", nil}, {"search+section", []keyword.Field{secs}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				kw.SearchQuery(kw.Parse(queries[i%len(queries)]), 10, nil, bc.fields...)
				i++
			}
		})
	}
}
