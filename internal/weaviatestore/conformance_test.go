package weaviatestore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/vendor0919/api/internal/rag"
)

// conformanceFilters are the filters both backends must answer with the
// same chunks: equality, $in, $nin and $ne on strings, numbers and
// booleans, fields some chunks lack, values of another type, and fields
// no chunk has.
var conformanceFilters = []map[string]any{
	nil,
	{"lang": "en"},
	{"lang": map[string]any{"$eq": "de"}},
	{"lang": map[string]any{"$in": []any{"en", "de"}}},
	{"lang": map[string]any{"$nin": []any{"en"}}},
	{"lang": map[string]any{"$ne": "ja"}},
	{"page": float64(3)},
	{"page": map[string]any{"$in": []any{float64(1), float64(2), float64(3)}}},
	{"page": map[string]any{"$nin": []any{float64(1), float64(2)}}},
	{"page": map[string]any{"$ne": float64(5)}},
	{"public": true},
	{"public": map[string]any{"$ne": true}},
	{"public": map[string]any{"$in": []any{false}}},
	{"public": map[string]any{"$nin": []any{true}}},
	{"lang": "en", "page": map[string]any{"$ne": float64(2)}, "public": true},
	{"odd-key": "x1"},
	{"odd-key": map[string]any{"$nin": []any{"x1", "x2"}}},
	{"nosuch": "a"},
	{"nosuch": map[string]any{"$ne": "a"}},
	{"lang": float64(5)},
	{"lang": map[string]any{"$ne": float64(5)}},
	{"page": map[string]any{"$in": []any{"3", float64(4)}}},
}

// TestConformance_ExactSearch runs the same searches through the service
// over the embedded store and over Weaviate (flat index: exact). Vector
// search must give the same chunks in the same order with the same
// scores. Keyword and hybrid search must pass the same filter and give
// the same number of hits, mostly the same ones: Weaviate's BM25
// statistics (object count and mean length, kept per shard and updated
// in the background) differ slightly from the embedded index's exact
// ones, so BM25 scores differ by a few percent.
func TestConformance_ExactSearch(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	chunks := corpus(600)
	dir := writeStore(t, emb, chunks)
	alias := newAlias(t)
	o := pushOpts(srv, alias)
	o.Index = IndexFlat
	if _, err := Push(ctx, dir, storeOpen(), o); err != nil {
		t.Fatal(err)
	}
	mem, wv := services(t, emb, dir, openStore(t, srv, alias, emb.Info(), FusionService))
	queries := []string{"battery warranty", "password reset account", "tire pressure brake", "helmet kids safety chain"}
	for _, mode := range rag.Modes {
		for _, q := range queries {
			for _, f := range conformanceFilters {
				t.Run(fmt.Sprintf("%s/%s/%v", mode, q, f), func(t *testing.T) {
					req := rag.SearchRequest{Query: q, TopK: 10, Mode: mode, Filter: f}
					want, err := mem.Search(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					got, err := wv.Search(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					if mode == rag.ModeVector {
						sameHits(t, got.Hits, want.Hits)
						return
					}
					similarHits(t, req, got.Hits, want.Hits)
				})
			}
		}
	}
	t.Run("a field of mixed types is refused, not silently wrong", func(t *testing.T) {
		_, err := wv.Search(ctx, rag.SearchRequest{Query: "battery", Filter: map[string]any{"mixed": "s"}})
		var re *rag.RequestError
		if !errors.As(err, &re) || re.Field != "filter.mixed" {
			t.Errorf("got %v, want a RequestError on filter.mixed", err)
		}
	})
}

// sameHits wants the same scores rank by rank (1e-4) and the same ids
// except where scores tie (1e-5).
func sameHits(t *testing.T, got, want []rag.Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("weaviate %v, embedded %v", idsOf(got), idsOf(want))
	}
	for i := range got {
		if math.Abs(got[i].Score-want[i].Score) > 1e-4 {
			t.Fatalf("rank %d: weaviate %s %.6f, embedded %s %.6f\nweaviate %v\nembedded %v", i, got[i].ID, got[i].Score, want[i].ID, want[i].Score, idsOf(got), idsOf(want))
		}
		// Different chunks at one rank are fine when they tie: with a
		// neighbour, or with each other (at the last rank the chunk that
		// ties may lie just below the cut, outside the list).
		if got[i].ID != want[i].ID && !tied(want, i) && math.Abs(got[i].Score-want[i].Score) >= 1e-5 {
			t.Fatalf("rank %d: weaviate %s %.6f, embedded %s %.6f\nweaviate %v\nembedded %v", i, got[i].ID, got[i].Score, want[i].ID, want[i].Score, idsOf(got), idsOf(want))
		}
		if got[i].ID == want[i].ID && fmt.Sprint(got[i].Metadata) != fmt.Sprint(want[i].Metadata) {
			t.Fatalf("%s: metadata %v vs %v", got[i].ID, got[i].Metadata, want[i].Metadata)
		}
	}
}

func tied(h []rag.Hit, i int) bool {
	return (i > 0 && math.Abs(h[i].Score-h[i-1].Score) < 1e-5) || (i+1 < len(h) && math.Abs(h[i].Score-h[i+1].Score) < 1e-5)
}

// minOverlap is the share of the embedded store's keyword and hybrid hits
// Weaviate must also return.
const minOverlap = 0.7

func similarHits(t *testing.T, req rag.SearchRequest, got, want []rag.Hit) {
	t.Helper()
	f, err := rag.ParseFilter(req.Filter)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("weaviate %d hits %v, embedded %d %v", len(got), idsOf(got), len(want), idsOf(want))
	}
	in := map[string]bool{}
	for _, h := range want {
		in[h.ID] = true
	}
	common := 0
	for _, h := range got {
		if !f.Match(h.Metadata) {
			t.Fatalf("weaviate hit %s (%v) does not pass the filter", h.ID, h.Metadata)
		}
		if in[h.ID] {
			common++
		}
	}
	if len(want) > 0 && float64(common)/float64(len(want)) < minOverlap {
		t.Errorf("only %d of %d hits in common\nweaviate %v\nembedded %v", common, len(want), idsOf(got), idsOf(want))
	}
}
