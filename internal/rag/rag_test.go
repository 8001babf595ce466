package rag

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

func newService(t *testing.T, cfg Config, gen *fakeGen) (*Service, *bowEmbedder) {
	t.Helper()
	emb := newEmbedder()
	if gen == nil {
		gen = &fakeGen{failAfter: -1}
	}
	s, err := New(cfg, emb, gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(context.Background(), newStore(emb, corpus())); err != nil {
		t.Fatal(err)
	}
	return s, emb
}

func ids(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func TestService_NotReady(t *testing.T) {
	t.Parallel()
	s, err := New(Config{}, newEmbedder(), &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if s.Snapshot() != nil {
		t.Error("Snapshot before Swap is not nil")
	}
	if _, err := s.Search(context.Background(), SearchRequest{Query: "x"}); !errors.Is(err, ErrNotReady) {
		t.Errorf("Search err = %v, want ErrNotReady", err)
	}
	called := false
	if _, err := s.Query(context.Background(), QueryRequest{Question: "x"}, func(Event) error { called = true; return nil }); !errors.Is(err, ErrNotReady) {
		t.Errorf("Query err = %v, want ErrNotReady", err)
	}
	if called {
		t.Error("Query emitted an event before the store was ready")
	}
}

func TestFuseScores_HandComputed(t *testing.T) {
	t.Parallel()
	vec := []ranked{{10, 0.8}, {11, 0.4}, {12, 0.2}, {14, -0.1}}
	kw := []ranked{{12, 6}, {10, 3}, {13, 1.5}}
	got := fuseScores(10, weighted{1, vec}, weighted{1, kw})
	// Each list divided by its top score (0.8, 6); negative scores count 0;
	// plus tieWeight over the best rank.
	want := []struct {
		row   uint32
		score float64
	}{
		{10, 1 + 0.5 + tieWeight},
		{12, 0.25 + 1 + tieWeight},
		{11, 0.5 + tieWeight/2},
		{13, 0.25 + tieWeight/3},
		{14, tieWeight / 4},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].row != w.row || math.Abs(got[i].score-w.score) > 1e-12 {
			t.Errorf("rank %d = %+v, want row %d score %v", i+1, got[i], w.row, w.score)
		}
	}
	if top := fuseScores(2, weighted{1, vec}, weighted{1, kw}); len(top) != 2 || top[1].row != 12 {
		t.Errorf("topK=2 gave %+v", top)
	}
	// A tie in score goes to the better best rank, then to the lower row.
	tie := fuseScores(10, weighted{1, []ranked{{2, 1}, {1, 0.5}}}, weighted{1, []ranked{{1, 1}, {2, 0.5}}})
	if tie[0].row != 1 || tie[1].row != 2 {
		t.Errorf("tie order %+v, want row 1 then 2", tie)
	}
	none := fuseScores(10, weighted{1, []ranked{{7, 0}, {5, 0}}}, weighted{1, nil})
	if none[0].row != 7 || none[1].row != 5 || none[1].score <= 0 {
		t.Errorf("rows without evidence %+v, want 7 then 5, scores positive", none)
	}
	// Weights: keyword at 3 puts its first (12) above the vector first (10).
	w := fuseScores(10, weighted{1, vec}, weighted{3, kw})
	if w[0].row != 12 || math.Abs(w[0].score-(0.25+3+tieWeight)) > 1e-12 {
		t.Errorf("weighted top %+v, want row 12 with 0.25+3", w[0])
	}
	// A ranking with no positive score moves nothing.
	flat := fuseScores(10, weighted{1, []ranked{{1, 0}, {2, -1}}}, weighted{1, []ranked{{2, 2}, {1, 1}}})
	if flat[0].row != 2 || math.Abs(flat[0].score-1) > 2e-6 || math.Abs(flat[1].score-0.5) > 2e-6 {
		t.Errorf("flat vector ranking: %+v, want keyword order with scores 1, 0.5", flat)
	}
}

func TestSearch_HybridFusesBothRankings(t *testing.T) {
	t.Parallel()
	// Hand-made vectors: the query vector is nearest to row 0, then 1, then
	// 2; the keyword "zebra" matches only row 2 and "lion" rows 2 and 1.
	info := docmodel.EmbeddingModel{Provider: "test", Model: "bow", Dims: 2}
	emb := &bowEmbedder{info: info}
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	chunks := []docmodel.Chunk{
		{ID: "a", Text: "apple"}, {ID: "b", Text: "lion"}, {ID: "c", Text: "zebra zebra lion"}, {ID: "d", Text: "other"},
	}
	vecs := [][]float32{{1, 0}, {0.8, 0.6}, {0.6, 0.8}, {0, -1}}
	if err := s.Swap(context.Background(), storeWithVectors(info, chunks, vecs)); err != nil {
		t.Fatal(err)
	}
	q := []float32{1, 0}
	ctx := context.Background()
	vec, err := hitsOf(s.Search(ctx, SearchRequest{Query: "zebra lion", Vector: q, Mode: ModeVector, TopK: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids(vec), ","); got != "a,b,c" {
		t.Errorf("vector order %s, want a,b,c", got)
	}
	if math.Abs(vec[0].Score-1) > 1e-6 || math.Abs(vec[1].Score-0.8) > 1e-6 {
		t.Errorf("vector scores %v, %v: want relevance 1 and 0.8", vec[0].Score, vec[1].Score)
	}
	kw, err := hitsOf(s.Search(ctx, SearchRequest{Query: "zebra lion", Mode: ModeKeyword, TopK: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids(kw), ","); got != "c,b" {
		t.Errorf("keyword order %s, want c,b", got)
	}
	hy, err := hitsOf(s.Search(ctx, SearchRequest{Query: "zebra lion", Vector: q, TopK: 4}))
	if err != nil {
		t.Fatal(err)
	}
	// Cosines a 1, b .8, c .6, d 0 (already divided by the top, 1);
	// keyword c and b, divided by c's score; a and d share no term (0).
	wv := DefaultVectorWeight
	r := kw[1].Score / kw[0].Score
	want := map[string]float64{"c": wv*0.6 + 1, "b": wv*0.8 + r, "a": wv, "d": 0}
	if got := strings.Join(ids(hy), ","); got != "c,b,a,d" || wv*0.8+r <= wv {
		t.Errorf("hybrid order %s, want c,b,a,d (scores %v)", got, want)
	}
	for _, h := range hy {
		if math.Abs(h.Score-want[h.ID]) > 2e-6 {
			t.Errorf("hybrid score of %s = %v, want %v", h.ID, h.Score, want[h.ID])
		}
	}

	// With one candidate from each ranking (a by vector, c by keyword),
	// each is completed with its score in the other ranking: c's cosine
	// .6 counts, so at vector weight 2 c (2*.6 + 1) beats a (2*1 + 0); a
	// fusion of the candidate lists alone would give c only 1.
	// The index computes c's distance directly when it can (ann.Flat), else
	// c is found by an exact search over the missing rows (the test index).
	var rows []float32
	for _, v := range vecs {
		rows = append(rows, v...)
	}
	annFlat, err := ann.NewFlat(2, ann.Cosine, rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		idx  ann.Index
	}{{"direct distances", annFlat}, {"filtered search", &flatIndex{dim: 2, vecs: vecs}}} {
		st := storeWithVectors(info, chunks, vecs)
		st.Index = tc.idx
		s2, err := New(Config{Candidates: 1, VectorWeight: 2}, emb, &fakeGen{failAfter: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s2.Swap(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		one, err := hitsOf(s2.Search(ctx, SearchRequest{Query: "zebra lion", Vector: q, TopK: 1}))
		if err != nil {
			t.Fatal(err)
		}
		if len(one) != 1 || one[0].ID != "c" || math.Abs(one[0].Score-2.2) > 2e-6 {
			t.Errorf("%s: completed fusion %+v, want c with 2*0.6+1", tc.name, one)
		}
	}
}

func TestSearch_Filters(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{}, nil)
	tests := []struct {
		name   string
		filter map[string]any
		mode   Mode
		allow  func(h Hit) bool
		errAt  string // RequestError field, "" for success
	}{
		{"equality", map[string]any{"lang": "ja"}, ModeHybrid, func(h Hit) bool { return h.Metadata["lang"] == "ja" }, ""},
		{"equality keyword mode", map[string]any{"lang": "en"}, ModeKeyword, func(h Hit) bool { return h.Metadata["lang"] == "en" }, ""},
		{"$in", map[string]any{"source": map[string]any{"$in": []any{"en/password.md", "ja/password.md"}}}, ModeVector,
			func(h Hit) bool { return strings.HasSuffix(h.Metadata["source"].(string), "password.md") }, ""},
		{"$ne", map[string]any{"lang": map[string]any{"$ne": "en"}}, ModeHybrid, func(h Hit) bool { return h.Metadata["lang"] != "en" }, ""},
		{"$nin", map[string]any{"lang": map[string]any{"$nin": []any{"en"}}}, ModeVector, func(h Hit) bool { return h.Metadata["lang"] == "ja" }, ""},
		{"json number matches int metadata", map[string]any{"chunk": float64(2)}, ModeHybrid, func(h Hit) bool { return h.ID == "c2" }, ""},
		{"unknown operator", map[string]any{"lang": map[string]any{"$regex": "e"}}, ModeHybrid, nil, "filter.lang"},
		{"logical operator", map[string]any{"$or": []any{}}, ModeHybrid, nil, "filter"},
		{"$in needs a list", map[string]any{"lang": map[string]any{"$in": "ja"}}, ModeHybrid, nil, "filter.lang.$in"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "password returns パスワード 返品", TopK: 6, Filter: tc.filter, Mode: tc.mode}))
			if tc.errAt != "" {
				var re *RequestError
				if !errors.As(err, &re) || re.Field != tc.errAt {
					t.Fatalf("err = %v, want *RequestError at %s", err, tc.errAt)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) == 0 {
				t.Fatal("no hits")
			}
			for _, h := range hits {
				if !tc.allow(h) {
					t.Errorf("hit %s (%v) passes the filter but should not", h.ID, h.Metadata)
				}
			}
		})
	}
}

func TestSearch_Validation(t *testing.T) {
	t.Parallel()
	s, emb := newService(t, Config{MaxTopK: 10}, nil)
	tests := []struct {
		name  string
		req   SearchRequest
		field string
	}{
		{"top_k too large", SearchRequest{Query: "x", TopK: 11}, "top_k"},
		{"top_k negative", SearchRequest{Query: "x", TopK: -1}, "top_k"},
		{"unknown mode", SearchRequest{Query: "x", Mode: "fuzzy"}, "mode"},
		{"empty query", SearchRequest{Query: "  "}, "query"},
		{"keyword mode needs text", SearchRequest{Vector: make([]float32, testDims), Mode: ModeKeyword}, "query"},
		{"vector of wrong length", SearchRequest{Vector: []float32{1}}, "vector"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Search(context.Background(), tc.req)
			var re *RequestError
			if !errors.As(err, &re) || re.Field != tc.field {
				t.Errorf("err = %v, want *RequestError at %s", err, tc.field)
			}
		})
	}
	hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "password"}))
	if err != nil || len(hits) != DefaultTopK {
		t.Errorf("default top_k gave %d hits, err %v", len(hits), err)
	}
	v, _ := emb.Embed(context.Background(), []string{"password"})
	if hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Vector: v[0]})); err != nil || len(hits) == 0 {
		t.Errorf("vector-only hybrid search: %d hits, err %v", len(hits), err)
	}
}

func TestSearch_ReportsModeUsed(t *testing.T) {
	t.Parallel()
	s, emb := newService(t, Config{}, nil)
	v, _ := emb.Embed(context.Background(), []string{"password"})
	tests := []struct {
		name string
		req  SearchRequest
		want Mode
	}{
		{"default mode", SearchRequest{Query: "password"}, ModeHybrid},
		{"asked for vector", SearchRequest{Query: "password", Mode: ModeVector}, ModeVector},
		{"asked for keyword", SearchRequest{Query: "password", Mode: ModeKeyword}, ModeKeyword},
		{"bare vector, default hybrid", SearchRequest{Vector: v[0]}, ModeVector},
		{"bare vector, asked for hybrid", SearchRequest{Vector: v[0], Mode: ModeHybrid}, ModeVector},
		{"vector and text stay hybrid", SearchRequest{Query: "password", Vector: v[0]}, ModeHybrid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := s.Search(context.Background(), tc.req)
			if err != nil || res.Mode != tc.want {
				t.Errorf("mode %q, err %v; want %q", res.Mode, err, tc.want)
			}
		})
	}
	kw, _ := newService(t, Config{Mode: ModeKeyword}, nil)
	res, err := kw.Query(context.Background(), QueryRequest{Question: "password"}, nil)
	if err != nil || res.Mode != ModeKeyword {
		t.Errorf("query in the configured mode: %q, err %v", res.Mode, err)
	}
}

// TestSearch_EnglishOnlyEmbedderLeavesOtherScriptsToKeyword: with the
// offline English models, a hybrid search for a question not mostly in
// Latin letters, or with Japanese grammar (hiragana), runs as keyword
// search and says so; other embedders, other modes and English
// questions are unchanged.
func TestSearch_EnglishOnlyEmbedderLeavesOtherScriptsToKeyword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		provider string
		req      SearchRequest
		want     Mode
	}{
		{"Japanese, offline", docmodel.ProviderUseLiteGlove, SearchRequest{Query: "パスワードを忘れた"}, ModeKeyword},
		{"Japanese with a command name, use-lite", docmodel.ProviderUseLite, SearchRequest{Query: "grep で正規表現を使う"}, ModeKeyword},
		{"mostly Latin, offline", docmodel.ProviderUseLiteGlove, SearchRequest{Query: "reset password パス"}, ModeHybrid},
		{"Japanese grammar around Latin commands, minilm", docmodel.ProviderMiniLM, SearchRequest{Query: "postinst がエラーで apt install も apt remove も止まる"}, ModeKeyword},
		{"English quoting a katakana word, minilm", docmodel.ProviderMiniLM, SearchRequest{Query: "what does the option named パスワード do in the config file"}, ModeHybrid},
		{"no letters, offline", docmodel.ProviderUseLiteGlove, SearchRequest{Query: "2>&1"}, ModeHybrid},
		{"Japanese, asked for vector", docmodel.ProviderUseLiteGlove, SearchRequest{Query: "パスワード", Mode: ModeVector}, ModeVector},
		{"Japanese, multilingual embedder", docmodel.ProviderOpenAI, SearchRequest{Query: "パスワードを忘れた"}, ModeHybrid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emb := newEmbedder()
			emb.info.Provider = tc.provider
			s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(context.Background(), newStore(emb, corpus())); err != nil {
				t.Fatal(err)
			}
			res, err := s.Search(context.Background(), tc.req)
			if err != nil || res.Mode != tc.want {
				t.Errorf("mode %q, err %v; want %q", res.Mode, err, tc.want)
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	for _, m := range Modes {
		if got, err := ParseMode(string(m)); err != nil || got != m {
			t.Errorf("ParseMode(%q) = %q, %v", m, got, err)
		}
	}
	for _, bad := range []string{"", "Hybrid", "fuzzy"} {
		if _, err := ParseMode(bad); err == nil {
			t.Errorf("ParseMode(%q) accepted", bad)
		}
	}
}

func TestSearch_EmbedderErrorIsWrapped(t *testing.T) {
	t.Parallel()
	s, emb := newService(t, Config{}, nil)
	boom := errors.New("boom")
	emb.fail = boom // set before any concurrent use of this service
	if _, err := s.Search(context.Background(), SearchRequest{Query: "x"}); !errors.Is(err, boom) {
		t.Errorf("err = %v, want wrapping boom", err)
	}
}

func TestSwap_Incompatible(t *testing.T) {
	t.Parallel()
	emb := newEmbedder()
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	good := newStore(emb, corpus())
	otherModel := *good
	otherModel.Manifest.Embedding = docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: testDims}
	otherDims := storeWithVectors(docmodel.EmbeddingModel{Provider: "test", Model: "bow", Dims: 3}, corpus()[:1], [][]float32{{1, 0, 0}})
	short := *good
	short.Chunks = good.Chunks[:2]
	tests := []struct {
		name   string
		st     *store.Store
		incomp bool
	}{
		{"other model", &otherModel, true},
		{"other dims", otherDims, true},
		{"chunk count differs from index", &short, false},
		{"nil store", nil, false},
	}
	for _, tc := range tests {
		err := s.Swap(context.Background(), tc.st)
		if err == nil || errors.Is(err, ErrIncompatible) != tc.incomp {
			t.Errorf("%s: err = %v, incompatible want %v", tc.name, err, tc.incomp)
		}
	}
	if s.Snapshot() != nil {
		t.Error("a failed Swap installed a store")
	}
	if err := s.Swap(context.Background(), good); err != nil || s.Snapshot() != good {
		t.Errorf("good swap: %v", err)
	}
}

// TestSwap_OtherProviderWarns checks that a store built with another
// provider of the same model is served (Ollama's OpenAI-compatible /v1)
// and the difference logged once at the swap, and that the same provider
// logs nothing.
func TestSwap_OtherProviderWarns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		provider string
		warn     bool
	}{{"ollama", true}, {"test", false}, {"", false}} {
		emb := newEmbedder()
		var logs bytes.Buffer
		s, err := New(Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, emb, &fakeGen{failAfter: -1})
		if err != nil {
			t.Fatal(err)
		}
		st := newStore(emb, corpus())
		st.Manifest.Embedding.Provider = tc.provider
		if err := s.Swap(context.Background(), st); err != nil {
			t.Fatalf("%q: %v", tc.provider, err)
		}
		if got := strings.Contains(logs.String(), `"store_provider":"ollama"`) && strings.Contains(logs.String(), `"level":"WARN"`); got != tc.warn {
			t.Errorf("store provider %q: warned %v, want %v; logs:\n%s", tc.provider, got, tc.warn, logs.String())
		}
	}
}

func TestSwap_ConcurrentSearches(t *testing.T) {
	t.Parallel()
	emb := newEmbedder()
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(prefix string) *store.Store {
		cs := corpus()
		for i := range cs {
			cs[i].ID = prefix + cs[i].ID
		}
		return newStore(emb, cs)
	}
	a, b := mk("A-"), mk("B-")
	if err := s.Swap(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		wg       sync.WaitGroup
		stop     atomic.Bool
		searches atomic.Int64
		errs     = make(chan error, 16)
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				hits, err := hitsOf(s.Search(ctx, SearchRequest{Query: "password 返品", TopK: 4}))
				if err == nil && len(hits) == 0 {
					err = errors.New("no hits")
				}
				for _, h := range hits {
					if h.ID[:2] != hits[0].ID[:2] {
						err = fmt.Errorf("hits mix stores: %v", ids(hits))
					}
				}
				if err != nil {
					errs <- err
					return
				}
				searches.Add(1)
			}
		}()
	}
	for i := 0; i < 200; i++ {
		st := a
		if i%2 == 0 {
			st = b
		}
		if err := s.Swap(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}
	for searches.Load() < 100 && len(errs) == 0 {
		// let the workers run against the last store too
		if err := s.Swap(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestQuery_StreamOrder(t *testing.T) {
	t.Parallel()
	gen := &fakeGen{failAfter: -1}
	s, _ := newService(t, Config{}, gen)
	var events []Event
	res, err := s.Query(context.Background(), QueryRequest{Question: "How do I reset my password?", TopK: 3},
		func(e Event) error { events = append(events, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 3 || events[0].Type != EventSources || events[len(events)-1].Type != EventDone {
		t.Fatalf("event types %v, want sources, deltas..., done", types(events))
	}
	var b strings.Builder
	for _, e := range events[1 : len(events)-1] {
		if e.Type != EventDelta {
			t.Fatalf("event types %v: middle must be deltas", types(events))
		}
		b.WriteString(e.Delta)
	}
	done := events[len(events)-1]
	if b.String() != done.Answer || done.Answer != res.Answer || done.Model != "fake-1" || res.Model != "fake-1" {
		t.Errorf("deltas %q, done %q/%q, result %q/%q", b.String(), done.Answer, done.Model, res.Answer, res.Model)
	}
	if got := len(events[0].Sources); got != 3 || len(res.Sources) != 3 {
		t.Errorf("sources event has %d hits, result %d, want 3", got, len(res.Sources))
	}
	req := gen.request()
	for i, p := range req.Passages {
		if p.N != i+1 || p.ID != res.Sources[i].ID {
			t.Errorf("passage %d = N%d %s, source %s", i, p.N, p.ID, res.Sources[i].ID)
		}
	}
	if res.Sources[0].Metadata["source"] != "en/password.md" {
		t.Errorf("top source %v, want en/password.md", res.Sources[0].Metadata["source"])
	}
}

func types(es []Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Type
	}
	return out
}

func TestQuery_GeneratorFailsMidStream(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{}, &fakeGen{failAfter: 1})
	var events []Event
	_, err := s.Query(context.Background(), QueryRequest{Question: "password"}, func(e Event) error { events = append(events, e); return nil })
	if !errors.Is(err, ErrGenerate) || !errors.Is(err, errFake) {
		t.Errorf("err = %v, want ErrGenerate wrapping the cause", err)
	}
	if got := strings.Join(types(events), ","); got != "sources,delta,error" {
		t.Fatalf("events %s, want sources,delta,error", got)
	}
	if last := events[len(events)-1]; last.Err == "" || strings.Contains(last.Err, errFake.Error()) {
		t.Errorf("error event %q must be set and must not leak the cause", last.Err)
	}
}

func TestQuery_EmitErrorStops(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{}, nil)
	gone := errors.New("client gone")
	n := 0
	_, err := s.Query(context.Background(), QueryRequest{Question: "password"}, func(e Event) error {
		n++
		if e.Type == EventDelta {
			return gone
		}
		return nil
	})
	if !errors.Is(err, gone) || n != 2 {
		t.Errorf("err = %v after %d events, want client gone after 2", err, n)
	}
}

func TestQuery_NonStreaming(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{}, nil)
	res, err := s.Query(context.Background(), QueryRequest{Question: "返品の期限は？", TopK: 2, Filter: map[string]any{"lang": "ja"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(res.Answer, "[1] [2] ") || len(res.Sources) != 2 || res.Sources[0].ID != "c3" {
		t.Errorf("answer %q sources %v", res.Answer, ids(res.Sources))
	}
	if _, err := s.Query(context.Background(), QueryRequest{Question: ""}, nil); err == nil {
		t.Error("empty question accepted")
	} else if re := (*RequestError)(nil); !errors.As(err, &re) || re.Field != "question" {
		t.Errorf("empty question err = %v, want *RequestError at question", err)
	}
}

func TestQuery_PromptHasNumberedPassages(t *testing.T) {
	t.Parallel()
	gen := &fakeGen{failAfter: -1}
	s, _ := newService(t, Config{}, gen)
	if _, err := s.Query(context.Background(), QueryRequest{Question: "warranty defects", TopK: 2}, nil); err != nil {
		t.Fatal(err)
	}
	req := gen.request()
	if len(req.Messages) != 2 || req.Messages[0].Role != "system" || req.Messages[1].Role != "user" {
		t.Fatalf("messages %+v", req.Messages)
	}
	if !strings.Contains(req.Messages[0].Content, "same language as the question") {
		t.Error("system prompt lacks the language instruction")
	}
	user := req.Messages[1].Content
	for _, p := range req.Passages {
		if !strings.Contains(user, fmt.Sprintf("[%d] ", p.N)) || !strings.Contains(user, p.Text) {
			t.Errorf("user prompt lacks passage [%d]: %q", p.N, user)
		}
	}
	if !strings.Contains(user, "Question: warranty defects") {
		t.Errorf("user prompt lacks the question: %q", user)
	}
}

func TestNew_PromptTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tmpl string
		ok   bool
	}{
		{"custom", `{{define "system"}}S{{end}}{{define "user"}}{{.Question}}{{range .Passages}} {{.N}}{{end}}{{end}}`, true},
		{"missing user", `{{define "system"}}S{{end}}`, false},
		{"syntax error", `{{define "system"}}{{.Question{{end}}`, false},
	}
	for _, tc := range tests {
		_, err := New(Config{PromptTemplate: tc.tmpl}, newEmbedder(), &fakeGen{failAfter: -1})
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

func TestFitBudget_Cuts(t *testing.T) {
	t.Parallel()
	en := strings.Repeat("abcd", 10) // 10 tokens
	ja := strings.Repeat("日本", 10)   // 30 tokens: one and a half a Han character
	hits := []Hit{{ID: "1", Text: en}, {ID: "2", Text: en}, {ID: "3", Text: "ab"}}
	tests := []struct {
		name     string
		hits     []Hit
		budget   int
		n        int
		firstLen int // runes in the first passage
	}{
		{"all fit", hits, 21, 3, 40},
		{"lowest ranked dropped", hits, 20, 2, 40},
		{"stop at the first that does not fit", hits, 15, 1, 40},
		{"oversize top passage cut", hits, 5, 1, 20},
		{"oversize japanese cut at rune", []Hit{{ID: "j", Text: ja}}, 7, 1, 4},
		{"zero budget", hits, 0, 0, 0},
	}
	for _, tc := range tests {
		ps, used := fitBudget(tc.hits, tc.budget)
		if len(ps) != tc.n || len(used) != tc.n {
			t.Errorf("%s: %d passages, %d sources, want %d", tc.name, len(ps), len(used), tc.n)
			continue
		}
		if tc.n == 0 {
			continue
		}
		if got := utf8.RuneCountInString(ps[0].Text); got != tc.firstLen || !utf8.ValidString(ps[0].Text) {
			t.Errorf("%s: first passage has %d runes (valid %v), want %d", tc.name, got, utf8.ValidString(ps[0].Text), tc.firstLen)
		}
		for i, p := range ps {
			if p.N != i+1 {
				t.Errorf("%s: passage %d numbered %d", tc.name, i, p.N)
			}
		}
	}
}

func TestSummarize_HandChecked(t *testing.T) {
	t.Parallel()
	m := Summarize("hybrid", []int{1, 3, 0, 6, 2, 11, 5})
	// hit@1: 1 of 7; hit@5: ranks 1,3,2,5 -> 4 of 7;
	// MRR@5: (1 + 1/3 + 0 + 0 + 1/2 + 0 + 1/5) / 7 = (61/30) / 7; rank 6 is
	// past the cut-off.
	if m.Questions != 7 || math.Abs(m.HitAt1-1.0/7) > 1e-12 || math.Abs(m.HitAt5-4.0/7) > 1e-12 || math.Abs(m.MRR-61.0/30/7) > 1e-12 {
		t.Errorf("Summarize = %+v", m)
	}
	if z := Summarize("x", nil); z.Questions != 0 || z.MRR != 0 {
		t.Errorf("empty Summarize = %+v", z)
	}
}

func TestFirstRelevant_DocumentsAndChunks(t *testing.T) {
	t.Parallel()
	hits := []Hit{
		{ID: "a", Metadata: map[string]any{"source": "x.md"}},
		{ID: "b", Metadata: map[string]any{"source": "y.md"}},
		{ID: "c", Metadata: map[string]any{"source": "z.md"}},
	}
	tests := []struct {
		q    EvalQuestion
		want int
	}{
		{EvalQuestion{Documents: []string{"y.md"}}, 2},
		{EvalQuestion{Chunks: []string{"c"}}, 3},
		{EvalQuestion{Documents: []string{"z.md"}, Chunks: []string{"a"}}, 1},
		{EvalQuestion{Documents: []string{"w.md"}}, 0},
	}
	for i, tc := range tests {
		if got := FirstRelevant(hits, tc.q); got != tc.want {
			t.Errorf("case %d: rank %d, want %d", i, got, tc.want)
		}
		if tc.q.Level() != "document" {
			t.Errorf("case %d: level %q, want document", i, tc.q.Level())
		}
	}
}

// TestFirstRelevant_Sections: with section labels a hit counts only when
// its url is labelled exactly; the right document, a parent section or a
// subsection of a labelled section is not enough.
func TestFirstRelevant_Sections(t *testing.T) {
	t.Parallel()
	hit := func(id, url string) Hit {
		src, _, _ := strings.Cut(url, "#")
		return Hit{ID: id, Metadata: map[string]any{"source": src, "url": url}}
	}
	hits := []Hit{
		hit("a", "json.html#module-json"),                          // the page's introduction
		hit("b", "json.html#basic-usage"),                          // the parent section
		hit("c", "json.html#json.dumps"),                           // an API entry inside it
		hit("d", "json.html#json.JSONEncoder"),                     // a sibling entry
		{ID: "e", Metadata: map[string]any{"source": "json.html"}}, // no url at all
	}
	tests := []struct {
		name     string
		sections []string
		chunks   []string
		want     int
	}{
		{"entry labelled", []string{"json.html#json.dumps"}, nil, 3},
		{"parent or entry labelled: first of either", []string{"json.html#basic-usage", "json.html#json.dumps"}, nil, 2},
		{"subsection only: the parent's chunk is no hit", []string{"json.html#json.JSONEncoder"}, nil, 4},
		{"parent only: its entries are no hits", []string{"json.html#basic-usage"}, nil, 2},
		{"same document, other section", []string{"json.html#encoders-and-decoders"}, nil, 0},
		{"prefix of a url is no match", []string{"json.html#json"}, nil, 0},
		{"chunk id still counts", []string{"json.html#nowhere"}, []string{"e"}, 5},
	}
	for _, tc := range tests {
		q := EvalQuestion{Documents: []string{"json.html"}, Sections: tc.sections, Chunks: tc.chunks}
		if got := FirstRelevant(hits, q); got != tc.want {
			t.Errorf("%s: rank %d, want %d", tc.name, got, tc.want)
		}
		if q.Level() != "section" {
			t.Errorf("%s: level %q, want section", tc.name, q.Level())
		}
	}
}

func TestEvaluate_OnCorpus(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{}, nil)
	qs := []EvalQuestion{
		{ID: "q1", Question: "reset password login", Documents: []string{"en/password.md"}},
		{ID: "q2", Question: "返品 30日", Documents: []string{"ja/returns.md"}},
	}
	m, ranks, err := Evaluate(context.Background(), s, qs, ModeKeyword)
	if err != nil {
		t.Fatal(err)
	}
	if ranks[0] != 1 || ranks[1] != 1 || m.HitAt1 != 1 || m.MRR != 1 {
		t.Errorf("metrics %+v ranks %v", m, ranks)
	}
	if _, _, err := Evaluate(context.Background(), s, []EvalQuestion{{ID: "bad", Question: "x"}}, ModeKeyword); err == nil {
		t.Error("question without labels accepted")
	}
}

func TestSearch_NonFiniteClientVectorIsRequestError(t *testing.T) {
	t.Parallel()
	emb := newEmbedder()
	st := newStore(emb, corpus())
	flat := make([]float32, 0, len(st.Chunks)*testDims)
	for _, v := range st.Index.(*flatIndex).vecs {
		flat = append(flat, v...)
	}
	idx, err := ann.NewFlat(testDims, ann.Cosine, flat)
	if err != nil {
		t.Fatal(err)
	}
	st.Index = idx
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	q := make([]float32, testDims)
	q[0], q[1] = 1e20, 1e20
	_, err = s.Search(context.Background(), SearchRequest{Vector: q, Mode: ModeVector})
	var re *RequestError
	if !errors.As(err, &re) || re.Field != "vector" {
		t.Fatalf("err %v, want a RequestError on vector", err)
	}
}

func TestFilter_LargeIntegersCompareExactly(t *testing.T) {
	t.Parallel()
	md := map[string]any{"id": json.Number("9007199254740993"), "page": float64(3)} // 2^53 + 1
	tests := []struct {
		filter map[string]any
		want   bool
	}{
		{map[string]any{"id": json.Number("9007199254740993")}, true},
		{map[string]any{"id": json.Number("9007199254740992")}, false},
		{map[string]any{"id": float64(9007199254740992)}, false}, // the nearest float64 is another integer
		{map[string]any{"id": map[string]any{"$in": []any{json.Number("1"), json.Number("9007199254740993")}}}, true},
		{map[string]any{"id": map[string]any{"$ne": json.Number("9007199254740993")}}, false},
		{map[string]any{"page": json.Number("3")}, true},
		{map[string]any{"page": json.Number("3.5")}, false},
	}
	for _, tt := range tests {
		m, err := ParseFilter(tt.filter)
		if err != nil {
			t.Fatalf("%v: %v", tt.filter, err)
		}
		if got := m.Match(md); got != tt.want {
			t.Errorf("filter %v on %v = %v, want %v", tt.filter, md, got, tt.want)
		}
	}
}

func TestSwap_ReusesKeywordIndexForSameChunks(t *testing.T) {
	t.Parallel()
	s, emb := newService(t, Config{}, nil)
	first := s.snap.Load()
	up := *first.st // as store.WithHNSW does: same chunks, new index
	if err := s.Swap(context.Background(), &up); err != nil {
		t.Fatal(err)
	}
	if s.snap.Load().kw != first.kw {
		t.Error("keyword index rebuilt for the same chunks")
	}
	if err := s.Swap(context.Background(), newStore(emb, corpus())); err != nil {
		t.Fatal(err)
	}
	if s.snap.Load().kw == first.kw {
		t.Error("keyword index reused for other chunks")
	}
}

// upperAnalyzer indexes each whitespace-separated word upper-cased, so a
// search can only match if the configured analyzer is the one used.
type upperAnalyzer struct{}

func (upperAnalyzer) Analyze(text string) []string { return strings.Fields(strings.ToUpper(text)) }
func (upperAnalyzer) Version() string              { return "upper/1" }

func TestSearch_KeywordAnalyzerFromConfig(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{KeywordAnalyzer: upperAnalyzer{}}, nil)
	hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "reset your password", Mode: ModeKeyword, TopK: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].ID != "c2" {
		t.Fatalf("hits %v, want c2 first", ids(hits))
	}
	if got := s.snap.Load().kw.AnalyzerVersion(); got != "upper/1" {
		t.Errorf("keyword index built with %q, want upper/1", got)
	}
}

// textChooser picks upperAnalyzer for a corpus whose first text holds
// pick, keyword.Standard otherwise, and fails when it holds "fail".
type textChooser struct{ pick string }

func (c textChooser) Choose(n int, text func(int) string) (keyword.Analyzer, error) {
	switch {
	case n > 0 && strings.Contains(text(0), "fail"):
		return nil, errors.New("no dictionary")
	case n > 0 && strings.Contains(text(0), c.pick):
		return upperAnalyzer{}, nil
	}
	return keyword.Standard, nil
}

// TestSwap_KeywordAnalyzerChosenPerStore: with Config.KeywordAnalyzers
// each store swapped in is indexed by the analyzer chosen from its own
// chunks' keyword texts (KEYWORD_JAPANESE=auto), kept for the same chunks
// behind a new index, and a failed choice keeps the store in use.
func TestSwap_KeywordAnalyzerChosenPerStore(t *testing.T) {
	t.Parallel()
	s, emb := newService(t, Config{KeywordAnalyzers: textChooser{pick: "UPPER"}}, nil)
	if got := s.snap.Load().kw.AnalyzerVersion(); got != keyword.AnalyzerVersion {
		t.Fatalf("first store indexed with %q, want the standard analyzer", got)
	}
	picked := newStore(emb, []docmodel.Chunk{
		{ID: "u1", Text: "UPPER case manual"},
		{ID: "u2", Text: "reset your password here"},
	})
	if err := s.Swap(context.Background(), picked); err != nil {
		t.Fatal(err)
	}
	sn := s.snap.Load()
	if got := sn.kw.AnalyzerVersion(); got != "upper/1" {
		t.Fatalf("second store indexed with %q, want upper/1", got)
	}
	if s.analyzer() != (upperAnalyzer{}) {
		t.Errorf("the conversation rule uses %T, want the store's analyzer", s.analyzer())
	}
	hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "reset your password", Mode: ModeKeyword, TopK: 1}))
	if err != nil || len(hits) == 0 || hits[0].ID != "u2" {
		t.Fatalf("keyword search on the chosen analyzer: %v, %v", ids(hits), err)
	}
	up := *picked // the same chunks behind a new index
	if err := s.Swap(context.Background(), &up); err != nil {
		t.Fatal(err)
	}
	if got := s.snap.Load(); got.an != sn.an || got.kw != sn.kw {
		t.Error("the same chunks were indexed again")
	}
	if err := s.Swap(context.Background(), newStore(emb, []docmodel.Chunk{{ID: "f1", Text: "fail here"}})); err == nil {
		t.Fatal("a store whose analyzer could not be chosen was swapped in")
	}
	if s.snap.Load().st != &up {
		t.Error("a failed choice replaced the store in use")
	}
}

// TestSearch_OnePerSection_PageWithoutIDs: an HTML page whose headings
// carry no ids links every chunk to the page alone; its sections are told
// apart by heading path (docmodel.SectionKey). Merged by url, the best
// warranty section hid the other one and every other section of the page.
func TestSearch_OnePerSection_PageWithoutIDs(t *testing.T) {
	t.Parallel()
	md := func(path string) map[string]any {
		return map[string]any{"url": "faq.html", "heading_path": "FAQ > " + path}
	}
	chunks := []docmodel.Chunk{
		{ID: "bw1", Text: "battery warranty covers the battery for two years", Metadata: md("Battery warranty")},
		{ID: "bw2", Text: "battery warranty claims need the receipt", Metadata: md("Battery warranty")},
		{ID: "sw1", Text: "screen warranty covers dead pixels", Metadata: md("Screen warranty")},
		{ID: "sh1", Text: "shipping takes three days", Metadata: md("Shipping")},
	}
	for _, mode := range []Mode{ModeHybrid, ModeVector, ModeKeyword} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			emb := newEmbedder()
			s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(context.Background(), newStore(emb, chunks)); err != nil {
				t.Fatal(err)
			}
			hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "warranty", Mode: mode, TopK: 3}))
			if err != nil {
				t.Fatal(err)
			}
			// Keyword search finds the two warranty sections only; the
			// others rank every chunk, so the third is shipping's.
			got := ids(hits)
			want := 3
			if mode == ModeKeyword {
				want = 2
			}
			if len(hits) != want || !slices.Contains(got, "sw1") || (want == 3 && !slices.Contains(got, "sh1")) ||
				slices.Contains(got, "bw1") == slices.Contains(got, "bw2") {
				t.Errorf("hits %v, want one battery warranty chunk and sw1 (and sh1 when every chunk ranks)", got)
			}
		})
	}
}

// TestSearch_OnePerSection: by default a result holds the best chunk of
// each section (url) only, every mode ranks deep enough that merging still
// fills top_k, and chunks without a url are never merged; SameSection
// keeps them all.
func TestSearch_OnePerSection(t *testing.T) {
	t.Parallel()
	chunks := []docmodel.Chunk{
		{ID: "a1", Text: "brake pads brake pads wear", Metadata: map[string]any{"url": "bike.html#brakes"}},
		{ID: "a2", Text: "brake pads brake cable", Metadata: map[string]any{"url": "bike.html#brakes"}},
		{ID: "a3", Text: "brake pads and more brake", Metadata: map[string]any{"url": "bike.html#brakes"}},
		{ID: "b1", Text: "brake lever", Metadata: map[string]any{"url": "bike.html#levers"}},
		{ID: "n1", Text: "brake noise", Metadata: map[string]any{"source": "notes.txt"}},
		{ID: "n2", Text: "brake noise again", Metadata: map[string]any{"source": "notes.txt"}},
		{ID: "z1", Text: "charging the battery", Metadata: map[string]any{"url": "bike.html#charging"}},
	}
	sectionOf := map[string]string{"a1": "brakes", "a2": "brakes", "a3": "brakes", "b1": "levers", "n1": "n1", "n2": "n2", "z1": "charging"}
	for _, mode := range []Mode{ModeHybrid, ModeVector, ModeKeyword} {
		for _, same := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/same=%v", mode, same), func(t *testing.T) {
				t.Parallel()
				emb := newEmbedder()
				s, err := New(Config{SameSection: same}, emb, &fakeGen{failAfter: -1})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Swap(context.Background(), newStore(emb, chunks)); err != nil {
					t.Fatal(err)
				}
				hits, err := hitsOf(s.Search(context.Background(), SearchRequest{Query: "brake pads", Mode: mode, TopK: 4}))
				if err != nil {
					t.Fatal(err)
				}
				if len(hits) != 4 {
					t.Fatalf("%d hits %v, want 4", len(hits), ids(hits))
				}
				if hits[0].ID != "a1" && hits[0].ID != "a2" && hits[0].ID != "a3" {
					t.Errorf("first hit %s, want a chunk of the brakes section", hits[0].ID)
				}
				seen := map[string]int{}
				for _, h := range hits {
					seen[sectionOf[h.ID]]++
				}
				if same && seen["brakes"] < 2 {
					t.Errorf("SameSection: hits %v hold %d brakes chunks, want the section's chunks kept", ids(hits), seen["brakes"])
				}
				if !same {
					for sec, n := range seen {
						if n > 1 {
							t.Errorf("hits %v hold %d chunks of section %s, want 1", ids(hits), n, sec)
						}
					}
				}
			})
		}
	}
}
