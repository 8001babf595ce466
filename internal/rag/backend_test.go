package rag

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
)

// scoringSnapshot makes the embedded store a ScoringBackend, so FuseHybrid
// can be checked against the embedded store's own hybrid search.
type scoringSnapshot struct{ *snapshot }

func (s scoringSnapshot) rows(ids []string) map[uint32]bool {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := map[uint32]bool{}
	for i := range s.st.ChunkCount() {
		if want[s.st.Chunk(i).ID] {
			out[uint32(i)] = true
		}
	}
	return out
}

func (s scoringSnapshot) VectorScores(ctx context.Context, vec []float32, ids []string) ([]Hit, error) {
	rows := s.rows(ids)
	list, err := nearest(s.snapshot, vec, len(rows), func(id uint32) bool { return rows[id] })
	if err != nil {
		return nil, err
	}
	return s.hits(ctx, list, nil)
}

func (s scoringSnapshot) KeywordScores(ctx context.Context, query string, ids []string) ([]Hit, error) {
	rows := s.rows(ids)
	return s.hits(ctx, keywordRanking(s.snapshot, query, len(rows), func(id uint32) bool { return rows[id] }), nil)
}

func TestFuseHybrid_MatchesEmbeddedHybrid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, emb := newService(t, Config{}, nil)
	sn := s.snap.Load()
	filters := []map[string]any{nil, {"lang": "en"}, {"lang": map[string]any{"$ne": "en"}}}
	for _, q := range []string{"password reset", "返品 30日", "warranty two years", "battery"} {
		for _, fm := range filters {
			t.Run(fmt.Sprintf("%s/%v", q, fm), func(t *testing.T) {
				f, err := ParseFilter(fm)
				if err != nil {
					t.Fatal(err)
				}
				vs, err := emb.Embed(ctx, []string{q})
				if err != nil {
					t.Fatal(err)
				}
				hq := HybridQuery{Query: q, Vector: vs[0], K: 3, Candidates: 4, VectorWeight: DefaultVectorWeight, KeywordWeight: 1, Filter: f}
				want, err := sn.SearchHybrid(ctx, hq)
				if err != nil {
					t.Fatal(err)
				}
				got, err := FuseHybrid(ctx, scoringSnapshot{sn}, hq)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("FuseHybrid %v, embedded %v", ids(got), ids(want))
				}
				for i := range got {
					// Ties may order differently (first seen vs lower row); scores agree.
					if math.Abs(got[i].Score-want[i].Score) > 1e-5 {
						t.Errorf("hit %d: FuseHybrid %s %.6f, embedded %s %.6f", i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
					}
				}
			})
		}
	}
}

// stubBackend answers every search with its hits or its error.
type stubBackend struct {
	hits []Hit
	err  error
	got  []string // methods called
}

func (b *stubBackend) SearchVector(context.Context, []float32, int, *Filter) ([]Hit, error) {
	b.got = append(b.got, "vector")
	return b.hits, b.err
}

func (b *stubBackend) SearchKeyword(context.Context, string, int, *Filter) ([]Hit, error) {
	b.got = append(b.got, "keyword")
	return b.hits, b.err
}

func (b *stubBackend) SearchHybrid(context.Context, HybridQuery) ([]Hit, error) {
	b.got = append(b.got, "hybrid")
	return b.hits, b.err
}

func TestUseBackend_SearchesTheBackend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	emb := newEmbedder()
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, SearchRequest{Query: "q"}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("before UseBackend: %v, want ErrNotReady", err)
	}
	b := &stubBackend{hits: []Hit{{ID: "remote-1", Text: "t", Score: 0.5}}}
	s.UseBackend(b)
	for _, mode := range Modes {
		res, err := s.Search(ctx, SearchRequest{Query: "q", Mode: mode})
		if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != "remote-1" || res.Mode != mode {
			t.Errorf("%s: %+v %v", mode, res, err)
		}
	}
	if fmt.Sprint(b.got) != "[hybrid vector keyword]" {
		t.Errorf("backend calls %v", b.got)
	}
	b.err = fmt.Errorf("down: %w", ErrUnavailable)
	if _, err := s.Query(ctx, QueryRequest{Question: "q"}, nil); !errors.Is(err, ErrUnavailable) {
		t.Errorf("query with the backend down: %v, want ErrUnavailable", err)
	}
	if _, err := s.Search(ctx, SearchRequest{Query: "q", Filter: map[string]any{"$or": 1}}); err == nil {
		t.Error("an invalid filter reached the backend")
	}
}
