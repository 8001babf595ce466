package rag

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
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

// TestFuseHybrid_MatchesEmbeddedHybrid: FuseHybrid over the embedded
// store's rankings and keyword scores equals the embedded hybrid search,
// with keyword feedback at its default, at a setting that expands even
// this small corpus (both then complete the fusion with the same expanded
// query), and off.
func TestFuseHybrid_MatchesEmbeddedHybrid(t *testing.T) {
	t.Parallel()
	for _, fb := range []keyword.Feedback{{}, smallFeedback, {Docs: -1}} {
		t.Run(fmt.Sprintf("feedback %+v", fb), func(t *testing.T) {
			t.Parallel()
			fuseMatchesEmbedded(t, Config{KeywordFeedback: fb})
		})
	}
}

func fuseMatchesEmbedded(t *testing.T, cfg Config) {
	ctx := context.Background()
	s, emb := newService(t, cfg, nil)
	sn := s.snap.Load()
	filters := []map[string]any{nil, {"lang": "en"}, {"lang": map[string]any{"$ne": "en"}}}
	for _, q := range []string{"password reset", "返品 30日", "warranty two years", "battery", "receipt"} {
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
	k    []int    // the k (hybrid: K) of each call
}

func (b *stubBackend) SearchVector(_ context.Context, _ []float32, k int, _ *Filter) ([]Hit, error) {
	b.got, b.k = append(b.got, "vector"), append(b.k, k)
	return b.hits, b.err
}

func (b *stubBackend) SearchKeyword(_ context.Context, _ string, k int, _ *Filter) ([]Hit, error) {
	b.got, b.k = append(b.got, "keyword"), append(b.k, k)
	return b.hits, b.err
}

func (b *stubBackend) SearchHybrid(_ context.Context, q HybridQuery) ([]Hit, error) {
	b.got, b.k = append(b.got, "hybrid"), append(b.k, q.K)
	return b.hits, b.err
}

// TestUseBackend_OnePerSection: an external backend's hits are merged by
// section as the embedded store's are, from a ranking Candidates deep,
// and SameSection turns the merge off.
func TestUseBackend_OnePerSection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hit := func(id, url string) Hit {
		md := map[string]any{}
		if url != "" {
			md["url"] = url
		}
		return Hit{ID: id, Text: id, Score: 1, Metadata: md}
	}
	hits := []Hit{hit("a1", "a#x"), hit("a2", "a#x"), hit("n1", ""), hit("n2", ""), hit("b1", "b#y"), hit("a3", "a#x"), hit("c1", "c#z")}
	tests := []struct {
		name      string
		cfg       Config
		wantIDs   string
		wantDepth int
	}{
		{"merged", Config{Candidates: 10}, "[a1 n1 n2 b1]", 10},
		{"merged, default depth", Config{}, "[a1 n1 n2 b1]", 16},
		{"same section", Config{SameSection: true, Candidates: 10}, "[a1 a2 n1 n2]", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tt.cfg, newEmbedder(), &fakeGen{failAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range Modes {
				b := &stubBackend{hits: append([]Hit(nil), hits...)}
				s.UseBackend(b)
				res, err := s.Search(ctx, SearchRequest{Query: "q", TopK: 4, Mode: mode})
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprint(ids(res.Hits)); got != tt.wantIDs {
					t.Errorf("%s: hits %s, want %s", mode, got, tt.wantIDs)
				}
				if len(b.k) != 1 || b.k[0] != tt.wantDepth {
					t.Errorf("%s: backend asked for %v hits, want %d", mode, b.k, tt.wantDepth)
				}
			}
		})
	}
}

// TestUseBackend_FilterLimitsBeforeEmbedding: the filter limits hold for
// an external backend too, checked before the query is embedded and
// before the backend is asked anything.
func TestUseBackend_FilterLimitsBeforeEmbedding(t *testing.T) {
	t.Parallel()
	emb := &countingEmbedder{bowEmbedder: newEmbedder()}
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	b := &stubBackend{}
	s.UseBackend(b)
	filters := map[string]map[string]any{
		"filter.id.$in": {"id": map[string]any{"$in": fortyDigits(MaxFilterListItems + 1)}},
		"filter":        {"$or": []any{}},
		"filter.lang":   {"lang": map[string]any{"$regex": "e"}},
	}
	for field, f := range filters {
		_, err := s.Search(context.Background(), SearchRequest{Query: "q", Filter: f})
		var re *RequestError
		if !errors.As(err, &re) || re.Field != field {
			t.Errorf("filter %v: err %v, want a RequestError at %s", field, err, field)
		}
	}
	if n := emb.calls.Load(); n != 0 || len(b.got) != 0 {
		t.Errorf("%d embedder calls and backend calls %v, want none", n, b.got)
	}
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

// TestSwap_FeedbackByDocuments: keyword feedback applies to a store of at
// least FeedbackMinDocuments documents, or one that does not record how
// many it holds, and to every store when FeedbackMinDocuments is negative.
func TestSwap_FeedbackByDocuments(t *testing.T) {
	t.Parallel()
	emb := newEmbedder()
	for _, tc := range []struct {
		documents, minDocuments int
		want                    bool
	}{
		{0, 0, true},   // not recorded: as before the count
		{1, 0, false},  // one document: below the default 3
		{2, 0, false},  // two: likewise
		{3, 0, true},   // the default's first store with feedback
		{44, 0, true},  // the demo
		{2, -1, true},  // every store
		{2, 2, true},   // a lower bound
		{9, 10, false}, // a higher one
	} {
		s, err := New(Config{FeedbackMinDocuments: tc.minDocuments}, emb, &fakeGen{failAfter: -1})
		if err != nil {
			t.Fatal(err)
		}
		st := newStore(emb, []docmodel.Chunk{{ID: "a", Text: "refunds take five days"}, {ID: "b", Text: "shipping is free"}})
		st.Manifest.Documents = tc.documents
		if err := s.Swap(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		if got := s.snap.Load().fb.Docs > 0; got != tc.want {
			t.Errorf("%d documents, FeedbackMinDocuments %d: feedback %v, want %v", tc.documents, tc.minDocuments, got, tc.want)
		}
	}
}

// analyzerBackend is a stubBackend that says which analyzer made its index.
type analyzerBackend struct {
	stubBackend
	an keyword.Analyzer
}

func (b *analyzerBackend) KeywordAnalyzer() keyword.Analyzer { return b.an }

// TestAnalyzer_OfTheStoreSearched: the conversation rule's keyword tokens
// come from the analyzer of what is searched: an external backend's own
// (a Weaviate collection's), the setting's for a backend that does not
// say (KEYWORD_JAPANESE=kagome used bigrams with Weaviate), the embedded
// store's.
func TestAnalyzer_OfTheStoreSearched(t *testing.T) {
	t.Parallel()
	cfg := Config{KeywordAnalyzers: textChooser{pick: ""}} // picks upperAnalyzer for any text, none for no text
	s, emb := newService(t, cfg, nil)
	if err := s.Swap(context.Background(), newStore(emb, []docmodel.Chunk{{ID: "u1", Text: "any text"}})); err != nil {
		t.Fatal(err)
	}
	if got := s.analyzer(); got != (upperAnalyzer{}) {
		t.Errorf("embedded store: %T, want the store's upperAnalyzer", got)
	}
	s.UseBackend(&stubBackend{})
	if got := s.analyzer(); got != keyword.Standard {
		t.Errorf("a backend that does not say: %T, want the setting's choice for no text (standard)", got)
	}
	s.UseBackend(&analyzerBackend{an: upperAnalyzer{}})
	if got := s.analyzer(); got != (upperAnalyzer{}) {
		t.Errorf("a backend that says: %T, want its upperAnalyzer", got)
	}
}
