package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
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

// renamedAnalyzer is the standard analyzer under another version, as the
// server's choice for a Japanese store would differ from the default.
type renamedAnalyzer struct{ keyword.Analyzer }

func (renamedAnalyzer) Version() string { return "renamed/1" }

// recordingChooser picks an and records the texts it was shown.
type recordingChooser struct {
	an    keyword.Analyzer
	texts []string
}

func (c *recordingChooser) Choose(n int, text func(int) string) (keyword.Analyzer, error) {
	for i := range n {
		c.texts = append(c.texts, text(i))
	}
	return c.an, nil
}

// TestImportLangChain_PersistsTheChosenKeywordAnalyzer: an import chooses
// the keyword analyzer from the chunks, as the server will, so the
// server loads the index instead of building one at every start (an
// imported Japanese store was rebuilt with KEYWORD_JAPANESE=auto).
func TestImportLangChain_PersistsTheChosenKeywordAnalyzer(t *testing.T) {
	t.Parallel()
	in := filepath.Join(fixtureDir, "hnsw_flat_pydantic_v2")
	out := filepath.Join(t.TempDir(), "native")
	ch := &recordingChooser{an: renamedAnalyzer{keyword.Standard}}
	res, err := ImportLangChain(context.Background(), in, out, ImportOptions{Exact: true, KeywordAnalyzers: ch})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeywordAnalyzer != "renamed/1" {
		t.Errorf("ImportResult.KeywordAnalyzer = %q", res.KeywordAnalyzer)
	}
	s, err := Open(context.Background(), out, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, loaded := s.KeywordIndex(ch.an); !loaded {
		t.Error("the chosen analyzer's index was not persisted")
	}
	var want []string
	for i := range s.ChunkCount() {
		want = append(want, s.Chunk(i).KeywordText())
	}
	if !slices.Equal(ch.texts, want) {
		t.Errorf("the chooser saw %d texts, not the %d stored chunks' keyword texts", len(ch.texts), len(want))
	}
}
