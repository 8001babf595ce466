package store

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// TestOpen_MappingsOutliveTheirUse: every mapping stays mapped while
// anything reads it. A mapping is unmapped by a cleanup once its owner is
// unreachable, and the GC may find an owner unreachable while a slice of
// its bytes is still being read: Open decoded the chunk offsets of a
// mapping nothing referenced any more, and a GC in the middle unmapped
// them (SIGSEGV in decodeChunkIndex, seen starting the server on a 1M
// store). Opens and chunk reads run here with collections forced
// throughout; a read of an unmapped page kills the test binary.
func TestOpen_MappingsOutliveTheirUse(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	// Enough chunks that decoding the offsets takes a while (a 400 KB
	// offsets file), few dimensions so writing is quick.
	writeTestStore(t, dir, 50_000, WriteOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 2}, Exact: true})
	defer collectConstantly()()
	for range 20 {
		st, err := Open(context.Background(), dir, OpenOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if c := st.Chunk(st.ChunkCount() - 1); c.ID == "" {
			t.Fatal("last chunk decoded empty")
		}
	}
}

// TestIndexes_KeepTheirMappings: an index over a store's mapped files
// keeps the mappings it reads, so searching it after its Store is dropped
// is safe. Tests that searched a persisted keyword index after their last
// use of the Store died with SIGSEGV when a collection in between ran the
// mapping's cleanup. Here the Store is dropped at once and collections are
// forced throughout; a read of an unmapped page kills the test binary.
func TestIndexes_KeepTheirMappings(t *testing.T) {
	t.Parallel()
	emb := docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 8}
	// sq8 reads the mapped rows only to rescore, through WithSQ8's copy
	// of the graph; with ef it is wrapped (efDefault), and hybrid search
	// scores rows through its Distances.
	for _, tc := range []struct {
		name     string
		exact    bool
		quantize string
		ef       int
	}{{"hnsw", false, "", 0}, {"flat", true, "", 0}, {"sq8 with ef", false, QuantizeSQ8, 80}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			chunks, vecs := writeTestStore(t, dir, 2000, WriteOptions{Embedding: emb, Exact: tc.exact, HNSW: smallHNSW(), Quantization: tc.quantize})
			texts := make([]string, len(chunks))
			for i, c := range chunks {
				texts[i] = c.KeywordText()
			}
			wantKW := keyword.New(texts)
			wantVec, err := ann.NewFlat(emb.Dims, ann.Cosine, append([]float32(nil), vecs...))
			if err != nil {
				t.Fatal(err)
			}
			idx, kw := openIndexes(t, dir, OpenOptions{Embedding: emb, EFSearch: tc.ef})
			rows, ok := idx.(interface {
				Distances(query []float32, ids []uint32) ([]ann.Neighbor, error)
			})
			if !ok {
				t.Fatalf("%T has no Distances", idx)
			}

			defer collectConstantly()()
			for i := range 200 {
				q := chunks[i%len(chunks)]
				if got, want := kw.Search(q.Text, 10, nil), wantKW.Search(q.Text, 10, nil); !reflect.DeepEqual(got, want) {
					t.Fatalf("keyword %q: mapped %v, built %v", q.Text, got, want)
				}
				query := vecs[(i%len(chunks))*emb.Dims : (i%len(chunks)+1)*emb.Dims]
				got, err := idx.Search(query, 1, ann.SearchOptions{})
				want, _ := wantVec.Search(query, 1, ann.SearchOptions{})
				if err != nil || len(got) != 1 || got[0].Distance > want[0].Distance+1e-4 {
					t.Fatalf("vector query %d: mapped %v (%v), exact %v", i, got, err, want)
				}
				id := uint32(i % len(chunks))
				d, err := rows.Distances(query, []uint32{id})
				w, _ := wantVec.Distances(query, []uint32{id})
				if err != nil || len(d) != 1 || math.Abs(float64(d[0].Distance-w[0].Distance)) > 1e-4 {
					t.Fatalf("distance of row %d: mapped %v (%v), heap %v", id, d, err, w)
				}
			}
		})
	}
}

// openIndexes opens the store at dir and returns its vector and keyword
// indexes, and nothing that holds the Store: it is unreachable once this
// returns.
func openIndexes(t *testing.T, dir string, opts OpenOptions) (ann.Index, *keyword.Index) {
	t.Helper()
	st, err := Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	kw, loaded := st.KeywordIndex(keyword.Standard)
	if !loaded {
		t.Fatal("the persisted keyword index was not used")
	}
	return st.Index, kw
}

// collectConstantly runs garbage collections back to back until the
// function it returns is called, so that a mapping whose owner becomes
// unreachable is unmapped as soon as possible.
func collectConstantly() (stop func()) {
	var done atomic.Bool
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for !done.Load() {
			runtime.GC()
		}
	}()
	return func() { done.Store(true); <-finished }
}
