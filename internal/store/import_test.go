package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
)

func TestImportLangChain_KeepsRowsAndNamesModel(t *testing.T) {
	t.Parallel()
	in := filepath.Join(fixtureDir, "hnsw_flat_pydantic_v2")
	lc, err := Open(context.Background(), in, OpenOptions{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "native")
	res, err := ImportLangChain(context.Background(), in, out, ImportOptions{
		Embedding: docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: 999},
		Version:   "imp1", HNSW: ann.HNSWConfig{M: 4, EFConstruction: 40},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest
	want := docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: 8}
	if m.Embedding != want || m.Version != "imp1" || m.Metric != "l2" || m.Count != 24 || m.Index.Type != "hnsw" || m.Index.M != 4 {
		t.Fatalf("manifest %+v", m)
	}
	s, err := Open(context.Background(), out, OpenOptions{Embedding: want})
	if err != nil {
		t.Fatal(err)
	}
	if s.ChunkCount() != len(lc.Chunks) {
		t.Fatalf("%d chunks, LangChain folder has %d", s.ChunkCount(), len(lc.Chunks))
	}
	for i, c := range chunksOf(s) {
		if c.ID != lc.Chunks[i].ID || c.Text != lc.Chunks[i].Text {
			t.Fatalf("chunk %d: %q, LangChain row %d is %q", i, c.ID, i, lc.Chunks[i].ID)
		}
	}
	res, err = ImportLangChain(context.Background(), in, out, ImportOptions{Metric: ann.Cosine, Exact: true})
	if err != nil || res.Manifest.Metric != "cosine" || res.Manifest.Index.Type != "flat" {
		t.Fatalf("metric override: %+v, %v", res.Manifest, err)
	}
}
