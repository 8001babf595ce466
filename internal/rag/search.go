package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/store"
)

// SearchRequest asks for the chunks nearest a query.
type SearchRequest struct {
	// Query is the text to search for. It may be empty in vector mode when
	// Vector is set.
	Query string
	// Vector, when set, is used instead of embedding Query; its length must
	// equal the embedder's dimensions.
	Vector []float32
	// TopK is the number of hits; 0 means Config.DefaultTopK. Values below
	// 0 or above Config.MaxTopK are a *RequestError.
	TopK int
	// Filter restricts hits by metadata; see the package documentation.
	Filter map[string]any
	// Mode is ModeHybrid, ModeVector or ModeKeyword; "" means Config.Mode.
	Mode Mode
}

// SearchResult is the answer to a SearchRequest.
type SearchResult struct {
	// Hits are the chunks found, best first.
	Hits []Hit
	// Mode is the mode the search ran in, which is not always the one
	// asked for: a hybrid search without query text (a bare vector) ranks
	// by vector alone and reports ModeVector.
	Mode Mode
}

// Hit is one retrieved chunk. Score is higher for better hits; its scale
// depends on the mode (see the package documentation).
type Hit struct {
	ID       string
	Text     string
	Score    float64
	Metadata map[string]any
}

// ranked is one entry of a single ranking: a store row and its score.
type ranked struct {
	row   uint32
	score float64
}

// Search returns up to TopK chunks for req, best first, and the mode it
// used. It returns ErrNotReady before the first Swap and a *RequestError
// for an invalid request.
func (s *Service) Search(ctx context.Context, req SearchRequest) (SearchResult, error) {
	be := s.backend()
	if be == nil {
		return SearchResult{}, ErrNotReady
	}
	start := time.Now()
	if err := s.validateQuestion(req.Query); err != nil {
		err.Field = "query"
		return SearchResult{}, err
	}
	hits, mode, err := s.search(ctx, be, req)
	if err != nil {
		return SearchResult{}, err
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "rag: search",
		slog.String("mode", string(mode)), slog.Int("top_k", req.TopK), slog.Int("query_len", len(req.Query)),
		slog.Int("hits", len(hits)), logctx.Took(start))
	return SearchResult{Hits: hits, Mode: mode}, nil
}

// search validates req and runs it against be; it also returns the mode
// used. It is the one place a request's top_k, mode and query are checked.
func (s *Service) search(ctx context.Context, be Backend, req SearchRequest) ([]Hit, Mode, error) {
	topK := req.TopK
	switch {
	case topK == 0:
		topK = s.cfg.DefaultTopK
	case topK < 0 || topK > s.cfg.MaxTopK:
		return nil, "", &RequestError{Field: "top_k", Msg: fmt.Sprintf("must be between 1 and %d", s.cfg.MaxTopK)}
	}
	mode := req.Mode
	if mode == "" {
		mode = s.cfg.Mode
	}
	if !mode.Valid() {
		return nil, "", &RequestError{Field: "mode", Msg: fmt.Sprintf("unknown mode %q (want hybrid, vector or keyword)", mode)}
	}
	query := strings.TrimSpace(req.Query)
	if req.Vector != nil && len(req.Vector) != s.emb.Info().Dims {
		return nil, "", &RequestError{Field: "vector", Msg: fmt.Sprintf("has %d dimensions, want %d", len(req.Vector), s.emb.Info().Dims)}
	}
	if query == "" && (req.Vector == nil || mode == ModeKeyword) {
		return nil, "", &RequestError{Field: "query", Msg: "must not be empty", Input: req.Query}
	}
	if query == "" && mode == ModeHybrid {
		mode = ModeVector // nothing to match by keyword
	}
	if mode == ModeHybrid && req.Vector == nil && s.emb.Info().EnglishOnly() && !readsAsEnglish(query) {
		// An English-only embedder (the offline models) gives a
		// Japanese question a vector that ranks at random: fused in, it
		// only moves keyword search's ranking by chance. Hybrid is
		// keyword search then, and the mode returned says so.
		mode = ModeKeyword
	}
	filter, err := ParseFilter(req.Filter)
	if err != nil {
		return nil, "", err
	}
	cand := s.cfg.Candidates
	if cand == 0 {
		cand = 4 * topK
	}
	cand = max(cand, topK)

	// depth is how far the backend ranks: top_k, or the candidate depth
	// when hits of one section are merged afterwards, so that merging
	// still leaves top_k sections where the store has them.
	depth := topK
	if !s.cfg.SameSection {
		depth = cand
	}
	vec := req.Vector
	if mode != ModeKeyword && vec == nil {
		if vec, err = s.embedQuery(ctx, query); err != nil {
			return nil, "", err
		}
	}
	var hits []Hit
	switch mode {
	case ModeVector:
		hits, err = be.SearchVector(ctx, vec, depth, filter)
	case ModeKeyword:
		hits, err = be.SearchKeyword(ctx, query, depth, filter)
	case ModeHybrid:
		hits, err = be.SearchHybrid(ctx, HybridQuery{Query: query, Vector: vec, K: depth, Candidates: cand,
			VectorWeight: s.cfg.VectorWeight, KeywordWeight: s.cfg.KeywordWeight, Filter: filter})
	}
	if errors.Is(err, ann.ErrNonFinite) && req.Vector != nil {
		return nil, "", &RequestError{Field: "vector", Msg: "values must be finite and small enough that distances do not overflow"}
	}
	if err != nil {
		return nil, "", err
	}
	if mode != ModeVector && s.cfg.SoftMatch != nil && s.cfg.SoftMatchWeight > 0 {
		hits = softRerank(s.cfg.SoftMatch, s.cfg.SoftMatchWeight, query, hits)
	}
	if !s.cfg.SameSection {
		hits = onePerSection(hits)
	}
	return hits[:min(len(hits), topK)], mode, nil
}

// readsAsEnglish reports whether an English model can read s: it has no
// hiragana and at least half of its letters are Latin (a query without
// letters counts). Hiragana write Japanese grammar (particles, verb
// endings), so a sentence with them is Japanese however many Latin
// command names it quotes ("apt install も apt remove も止まる"), while an
// English question quoting a katakana word stays English.
func readsAsEnglish(s string) bool {
	letters, latin := 0, 0
	for _, r := range s {
		if unicode.Is(unicode.Hiragana, r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
			if unicode.Is(unicode.Latin, r) {
				latin++
			}
		}
	}
	return 2*latin >= letters
}

// embedQuery embeds the query text.
func (s *Service) embedQuery(ctx context.Context, query string) ([]float32, error) {
	vs, err := s.emb.Embed(ctx, []string{query})
	if err != nil {
		return nil, fmt.Errorf("rag: embed query: %w", err)
	}
	if len(vs) != 1 {
		return nil, fmt.Errorf("rag: embed query: got %d vectors for 1 text", len(vs))
	}
	return vs[0], nil
}

// nearest searches the store's index and scores each neighbour by
// store.Relevance.
func nearest(snap *snapshot, vec []float32, k int, filter func(uint32) bool) ([]ranked, error) {
	ns, err := snap.st.Index.Search(vec, k, ann.SearchOptions{Filter: filter})
	if err != nil {
		return nil, fmt.Errorf("rag: vector search: %w", err)
	}
	metric := snap.st.Index.Metric()
	out := make([]ranked, len(ns))
	for i, n := range ns {
		out[i] = ranked{row: n.ID, score: float64(store.Relevance(metric, n.Distance))}
	}
	return out, nil
}

// onePerSection keeps, of the hits (best first) that share a section
// (docmodel.SectionKey), only the first; hits without a url are all kept.
// It runs over every backend's hits, so the embedded store and Weaviate
// merge alike.
func onePerSection(hits []Hit) []Hit {
	seen := make(map[string]bool, len(hits))
	out := hits[:0]
	for _, h := range hits {
		if key := docmodel.SectionKey(h.Metadata); key != "" {
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		out = append(out, h)
	}
	return out
}

// keywordRanking ranks the snapshot's chunks for query by BM25 with
// pseudo-relevance feedback (keywordQuery), up to k of those filter
// allows.
func keywordRanking(snap *snapshot, query string, k int, filter func(uint32) bool) []ranked {
	return rankKeyword(snap, keywordQuery(snap, query), k, filter)
}

// keywordQuery analyses query and expands it with the snapshot's
// feedback (keyword.Index.Expand). The expansion reads the whole store,
// not the request's filter, so it depends on the query alone: a ranking
// and the keyword scores that complete a hybrid fusion (hybridRanking,
// FuseHybrid's KeywordScores) come from the same expanded query. Its
// first search adds the heading field, so the feedback chunks are the
// best of the ranking the query would get without feedback.
func keywordQuery(snap *snapshot, query string) keyword.Query {
	q := snap.kw.Parse(query)
	return snap.kw.Expand(q, snap.fb, nil, func(id uint32) string {
		if int(id) >= snap.st.ChunkCount() {
			return ""
		}
		return snap.st.Chunk(int(id)).KeywordText()
	}, snap.fields()...)
}

// rankKeyword ranks the snapshot's chunks for an analysed query: BM25 of
// the whole keyword text plus the weighted BM25 of the heading path
// alone (Config.HeadingWeight).
func rankKeyword(snap *snapshot, q keyword.Query, k int, filter func(uint32) bool) []ranked {
	rs := snap.kw.SearchQuery(q, k, filter, snap.fields()...)
	out := make([]ranked, len(rs))
	for i, r := range rs {
		out[i] = ranked{row: r.ID, score: r.Score}
	}
	return out
}

// hybridRanking fuses the vector and keyword candidates of one query by
// their scores (see fuseScores). First it completes them: a row only one
// ranking found gets its score in the other too (its cosine computed for
// just those rows, its BM25 score by a keyword search over just those
// rows; 0 when it shares no term with the query), so that a
// row is never judged by one ranking alone just because it fell outside
// the other's candidate depth. qvec is the query vector vectorRanking
// used and kq the keyword query kw was ranked by, so the query is
// embedded and expanded once.
func hybridRanking(snap *snapshot, kq keyword.Query, qvec []float32, vec, kw []ranked, topK int, cfg Config) ([]ranked, error) {
	rowOf := func(r ranked) uint32 { return r.row }
	needVec, needKw := missingFrom(kw, vec, rowOf), missingFrom(vec, kw, rowOf)
	if len(needVec) > 0 {
		more, err := scoreRows(snap, qvec, needVec)
		if err != nil {
			return nil, err
		}
		vec = append(vec, more...)
	}
	if len(needKw) > 0 {
		want := make(map[uint32]bool, len(needKw))
		for _, row := range needKw {
			want[row] = true
		}
		kw = append(kw, rankKeyword(snap, kq, len(needKw), func(id uint32) bool { return want[id] })...)
	}
	return fuseScores(topK, weighted{cfg.VectorWeight, vec}, weighted{cfg.KeywordWeight, kw}), nil
}

// missingFrom returns the keys of the entries of from that other lacks,
// in from's order: the hits one ranking found that the other must still
// score before the two are fused (hybridRanking, FuseHybrid).
func missingFrom[T any, K comparable](from, other []T, key func(T) K) []K {
	in := make(map[K]bool, len(other))
	for _, x := range other {
		in[key(x)] = true
	}
	var out []K
	for _, x := range from {
		if k := key(x); !in[k] {
			out = append(out, k)
		}
	}
	return out
}

// rowDistancer is an index that computes the distances of given rows
// directly (ann.Flat and ann.HNSW do).
type rowDistancer interface {
	Distances(query []float32, ids []uint32) ([]ann.Neighbor, error)
}

// scoreRows returns the vector score (store.Relevance) of each of rows:
// one distance per row when the index can compute them directly, else by
// an exact search over just those rows.
func scoreRows(snap *snapshot, qvec []float32, rows []uint32) ([]ranked, error) {
	d, ok := snap.st.Index.(rowDistancer)
	if !ok {
		want := make(map[uint32]bool, len(rows))
		for _, row := range rows {
			want[row] = true
		}
		return nearest(snap, qvec, len(rows), func(id uint32) bool { return want[id] })
	}
	ns, err := d.Distances(qvec, rows)
	if err != nil {
		return nil, fmt.Errorf("rag: vector scores: %w", err)
	}
	metric := snap.st.Index.Metric()
	out := make([]ranked, len(ns))
	for i, n := range ns {
		out[i] = ranked{row: n.ID, score: float64(store.Relevance(metric, n.Distance))}
	}
	return out, nil
}

// weighted is a ranking with its fusion weight.
type weighted struct {
	w    float64
	list []ranked
}

// tieWeight scales the rank term fuseScores adds to every row: small
// enough never to reorder rows whose fused scores differ by more than a
// millionth, large enough to order equal ones.
const tieWeight = 1e-6

// share is w times score's share of top, the best score of its ranking:
// the unit of score-aware fusion (fuseScores, softRerank). A score that is
// not positive, or a ranking whose best is not, counts 0.
func share(w, score, top float64) float64 {
	if top > 0 && score > 0 {
		return w * score / top
	}
	return 0
}

// fuseScores merges rankings by their scores: each list's scores are
// divided by its largest (negative scores count as 0), and a row scores
// the weighted sum of its normalised scores over the lists, 0 where a list
// lacks it. Dividing by the maximum, unlike min-max scaling, keeps each
// ranking's own contrast: a ranking whose scores are nearly equal (an
// embedder that does not know the corpus language gives every chunk about
// the same cosine) moves rows little, and one that separates its top hit
// from the rest moves them much, whereas rank fusion gives both the same
// say. Every row also gets tieWeight/best, best its best 1-based rank in
// any list: rows with equal scores (such as those neither ranking finds
// relevant, which would score 0) go in the order of their best single
// rank, and every score stays positive. Remaining ties go to the lower
// row.
func fuseScores(topK int, lists ...weighted) []ranked {
	type acc struct {
		score float64
		best  int
	}
	by := make(map[uint32]*acc)
	for _, l := range lists {
		top := 0.0
		for _, r := range l.list {
			top = max(top, r.score)
		}
		for i, r := range l.list {
			a := by[r.row]
			if a == nil {
				a = &acc{best: math.MaxInt}
				by[r.row] = a
			}
			a.score += share(l.w, r.score, top)
			a.best = min(a.best, i+1)
		}
	}
	out := make([]ranked, 0, len(by))
	for row, a := range by {
		out = append(out, ranked{row: row, score: a.score + tieWeight/float64(a.best)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].row < out[j].row
	})
	if len(out) > topK {
		out = out[:topK]
	}
	return out
}
