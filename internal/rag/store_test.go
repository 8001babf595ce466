package rag

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

// TestSearch_RealStore writes a native store with store.Write, opens it
// with store.Open (HNSW graph and all) and checks that vector results and
// scores agree with the in-memory exact index.
func TestSearch_RealStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emb := newEmbedder()
	chunks := corpus()
	mem := newStore(emb, chunks)
	flat := make([]float32, 0, len(chunks)*testDims)
	for _, v := range mem.Index.(*flatIndex).vecs {
		flat = append(flat, v...)
	}
	dir := filepath.Join(t.TempDir(), "store")
	if _, err := store.Write(ctx, dir, chunks, flat, store.WriteOptions{Embedding: emb.Info()}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dir, store.OpenOptions{Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	disk, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := disk.Swap(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	ref, _ := newService(t, Config{}, nil)
	for _, q := range []string{"password reset", "返品 30日", "warranty two years"} {
		for _, mode := range []Mode{ModeVector, ModeHybrid, ModeKeyword} {
			got, err := hitsOf(disk.Search(ctx, SearchRequest{Query: q, TopK: 3, Mode: mode}))
			if err != nil {
				t.Fatal(err)
			}
			want, err := hitsOf(ref.Search(ctx, SearchRequest{Query: q, TopK: 3, Mode: mode}))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || got[0].ID != want[0].ID {
				t.Errorf("%s %q: on-disk store gives %v, in-memory %v", mode, q, ids(got), ids(want))
				continue
			}
			if mode == ModeVector && (got[0].Score-want[0].Score > 1e-5 || want[0].Score-got[0].Score > 1e-5) {
				t.Errorf("%q: score %v vs %v", q, got[0].Score, want[0].Score)
			}
			if got[0].Metadata["source"] != want[0].Metadata["source"] {
				t.Errorf("%q: metadata %v vs %v", q, got[0].Metadata, want[0].Metadata)
			}
		}
	}
}

// TestSearch_RealStoreSectionsAndFilters: on a native store opened from
// disk, whose Chunks is nil and whose metadata is decoded per row
// (store.Store.ChunkMetadata), a result still holds one chunk per section
// and a metadata filter still selects rows.
func TestSearch_RealStoreSectionsAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emb := newEmbedder()
	chunks := []docmodel.Chunk{
		{ID: "a1", Text: "brake pads brake pads wear", Metadata: map[string]any{"url": "bike.html#brakes", "lang": "en"}},
		{ID: "a2", Text: "brake pads brake cable", Metadata: map[string]any{"url": "bike.html#brakes", "lang": "en"}},
		{ID: "a3", Text: "brake pads and more brake", Metadata: map[string]any{"url": "bike.html#brakes", "lang": "en"}},
		{ID: "b1", Text: "brake lever", Metadata: map[string]any{"url": "bike.html#levers", "lang": "en"}},
		{ID: "j1", Text: "brake pads ブレーキ", Metadata: map[string]any{"url": "bike.html#ja", "lang": "ja"}},
	}
	mem := newStore(emb, chunks)
	flat := make([]float32, 0, len(chunks)*testDims)
	for _, v := range mem.Index.(*flatIndex).vecs {
		flat = append(flat, v...)
	}
	dir := filepath.Join(t.TempDir(), "store")
	if _, err := store.Write(ctx, dir, chunks, flat, store.WriteOptions{Embedding: emb.Info(), Exact: true}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dir, store.OpenOptions{Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	if st.Chunks != nil {
		t.Fatal("a native store opened from disk holds its chunks in memory; this test wants the mapped ones")
	}
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []Mode{ModeHybrid, ModeVector, ModeKeyword} {
		hits, err := hitsOf(s.Search(ctx, SearchRequest{Query: "brake pads", Mode: mode, TopK: 3}))
		if err != nil {
			t.Fatal(err)
		}
		brakes := 0
		for _, h := range hits {
			if h.Metadata["url"] == "bike.html#brakes" {
				brakes++
			}
		}
		if len(hits) != 3 || brakes != 1 {
			t.Errorf("%s: hits %v hold %d chunks of the brakes section, want 3 hits and 1", mode, ids(hits), brakes)
		}
		hits, err = hitsOf(s.Search(ctx, SearchRequest{Query: "brake pads", Mode: mode, TopK: 3,
			Filter: map[string]any{"lang": "ja"}}))
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].ID != "j1" {
			t.Errorf("%s: filter lang=ja gives %v, want [j1]", mode, ids(hits))
		}
	}
}
