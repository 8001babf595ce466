package rag

import (
	"context"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

func TestSwap_KeywordIndexUsesHeadingPath(t *testing.T) {
	t.Parallel()
	emb := newEmbedder()
	s, err := New(Config{Mode: ModeKeyword}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	chunks := []docmodel.Chunk{
		{ID: "a", Text: "Run the installer twice.", Metadata: map[string]any{docmodel.MetaHeadingPath: "Guide > Troubleshooting"}},
		{ID: "b", Text: "Plain passage about bicycles."},
	}
	if err := s.Swap(context.Background(), newStore(emb, chunks)); err != nil {
		t.Fatal(err)
	}
	hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "troubleshooting", Mode: ModeKeyword, TopK: 2}))
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != "a" || hits[0].Text != "Run the installer twice." {
		t.Fatalf("hits = %+v, want chunk a found by its heading and returned without it", hits)
	}
}
