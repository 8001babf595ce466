package rag

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"

	"github.com/vendor0919/api/internal/keyword"
)

// ErrUnavailable wraps a failure of an external backend to answer (down,
// unreachable, timed out): the HTTP layer answers 503.
var ErrUnavailable = errors.New("rag: vector store unavailable")

// Backend is what the service asks of a store: ranked chunks by vector,
// by keyword and by both. The embedded store (Swap) and an external engine
// (UseBackend) implement it. Methods are called concurrently; the returned
// hits belong to the caller, but the values inside their Metadata may be
// shared and must not be modified.
//
// Scores follow the package documentation: SearchVector reports
// store.Relevance of the backend's distance, SearchKeyword a BM25 score,
// SearchHybrid a fused score, always higher for better hits.
type Backend interface {
	// SearchVector returns up to k chunks nearest vec that pass f (nil:
	// all), best first.
	SearchVector(ctx context.Context, vec []float32, k int, f *Filter) ([]Hit, error)
	// SearchKeyword returns up to k chunks ranked by BM25 for query that
	// pass f, best first; chunks sharing no term with query are left out.
	SearchKeyword(ctx context.Context, query string, k int, f *Filter) ([]Hit, error)
	// SearchHybrid returns up to q.K chunks ranked by both.
	SearchHybrid(ctx context.Context, q HybridQuery) ([]Hit, error)
}

// HybridQuery is one hybrid search: the query text and its vector, the
// number of hits, how many candidates each ranking contributes and the
// rankings' weights (Config.VectorWeight and Config.KeywordWeight).
type HybridQuery struct {
	Query                       string
	Vector                      []float32
	K, Candidates               int
	VectorWeight, KeywordWeight float64
	Filter                      *Filter
}

// AnalyzerBackend is a Backend that says which keyword analyzer made its
// index (internal/weaviatestore: the one its collection records), for
// the conversation rule's keyword tokens.
type AnalyzerBackend interface {
	Backend
	KeywordAnalyzer() keyword.Analyzer
}

// remote holds the external backend set by UseBackend.
type remote struct{ b Backend }

// UseBackend makes the service search b instead of an embedded store:
// Search and Query stop answering ErrNotReady, and Swap has no effect on
// what they search. It is meant to be called once, before serving.
func (s *Service) UseBackend(b Backend) {
	if b == nil {
		s.remote.Store(nil)
		return
	}
	s.remote.Store(&remote{b: b})
}

// backend returns what a request searches: the external backend, else
// the current snapshot, else nil.
func (s *Service) backend() Backend {
	if r := s.remote.Load(); r != nil {
		return r.b
	}
	if sn := s.snap.Load(); sn != nil {
		return sn
	}
	return nil
}

// The embedded store's Backend: a snapshot, searched in memory.
var _ Backend = (*snapshot)(nil)

// SearchVector implements Backend.
func (sn *snapshot) SearchVector(ctx context.Context, vec []float32, k int, f *Filter) ([]Hit, error) {
	defer runtime.KeepAlive(sn) // the store's mappings, which its indexes and chunks read
	filter, cancelled := sn.rowFilter(ctx, f)
	list, err := nearest(sn, vec, k, filter)
	if err != nil {
		return nil, err
	}
	return sn.hits(ctx, list, cancelled)
}

// SearchKeyword implements Backend.
func (sn *snapshot) SearchKeyword(ctx context.Context, query string, k int, f *Filter) ([]Hit, error) {
	defer runtime.KeepAlive(sn) // the store's mappings, which its indexes and chunks read
	filter, cancelled := sn.rowFilter(ctx, f)
	return sn.hits(ctx, keywordRanking(sn, query, k, filter), cancelled)
}

// SearchHybrid implements Backend with the service's fusion (see the
// package documentation).
func (sn *snapshot) SearchHybrid(ctx context.Context, q HybridQuery) ([]Hit, error) {
	defer runtime.KeepAlive(sn) // the store's mappings, which its indexes and chunks read
	filter, cancelled := sn.rowFilter(ctx, q.Filter)
	vec, err := nearest(sn, q.Vector, q.Candidates, filter)
	if err != nil {
		return nil, err
	}
	kq := keywordQuery(sn, q.Query)
	list, err := hybridRanking(sn, kq, q.Vector, vec, rankKeyword(sn, kq, q.Candidates, filter), q.K,
		Config{VectorWeight: q.VectorWeight, KeywordWeight: q.KeywordWeight})
	if err != nil {
		return nil, err
	}
	return sn.hits(ctx, list, cancelled)
}

// filterCheckEvery is how many filter calls pass between two looks at
// the request's context: often enough that a cancelled scan ends within
// microseconds, rarely enough that the look costs nothing measurable.
const filterCheckEvery = 64

// rowFilter turns f into a row filter over the snapshot's chunks; nil for
// a nil f. A filtered scan may visit every row: the filter checks ctx
// every filterCheckEvery calls and, once it is done, rejects the rest, so
// a client that left stops the scan within a few rows; *cancelled then
// reports it.
func (sn *snapshot) rowFilter(ctx context.Context, f *Filter) (filter func(uint32) bool, cancelled *bool) {
	cancelled = new(bool)
	if f == nil {
		return nil, cancelled
	}
	st := sn.st
	n := st.ChunkCount()
	calls := 0
	return func(id uint32) bool {
		if calls++; calls%filterCheckEvery == 0 && !*cancelled && ctx.Err() != nil {
			*cancelled = true
		}
		return !*cancelled && int(id) < n && f.Match(st.ChunkMetadata(int(id)))
	}, cancelled
}

// hits turns ranked rows into hits, or reports a scan the request's
// context cut short.
func (sn *snapshot) hits(ctx context.Context, list []ranked, cancelled *bool) ([]Hit, error) {
	if cancelled != nil && *cancelled {
		return nil, fmt.Errorf("rag: filtered search: %w", context.Cause(ctx))
	}
	out := make([]Hit, len(list))
	for i, r := range list {
		c := sn.st.Chunk(int(r.row))
		out[i] = Hit{ID: c.ID, Text: c.Text, Score: r.score, Metadata: maps.Clone(c.Metadata)}
	}
	return out, nil
}

// ScoringBackend is a Backend that can also score given chunks: what
// FuseHybrid needs to give a chunk found by one ranking its score in the
// other.
type ScoringBackend interface {
	Backend
	// VectorScores returns the vector score of each chunk of ids (by Hit
	// ID) for vec; ids it does not know are left out.
	VectorScores(ctx context.Context, vec []float32, ids []string) ([]Hit, error)
	// KeywordScores returns the BM25 score of each chunk of ids that
	// shares a term with query.
	KeywordScores(ctx context.Context, query string, ids []string) ([]Hit, error)
}

// FuseHybrid runs the service's own hybrid fusion over any ScoringBackend:
// q.Candidates hits from each ranking, each completed with its score in
// the other, fused as the embedded store fuses them (max-normalised
// weighted sum). Ties go to the hit seen first, vector hits before
// keyword hits.
func FuseHybrid(ctx context.Context, b ScoringBackend, q HybridQuery) ([]Hit, error) {
	vec, err := b.SearchVector(ctx, q.Vector, q.Candidates, q.Filter)
	if err != nil {
		return nil, err
	}
	kw, err := b.SearchKeyword(ctx, q.Query, q.Candidates, q.Filter)
	if err != nil {
		return nil, err
	}
	idOf := func(h Hit) string { return h.ID }
	needVec, needKw := missingFrom(kw, vec, idOf), missingFrom(vec, kw, idOf)
	if len(needVec) > 0 {
		more, err := b.VectorScores(ctx, q.Vector, needVec)
		if err != nil {
			return nil, fmt.Errorf("rag: hybrid vector scores: %w", err)
		}
		vec = append(vec, more...)
	}
	if len(needKw) > 0 {
		more, err := b.KeywordScores(ctx, q.Query, needKw)
		if err != nil {
			return nil, fmt.Errorf("rag: hybrid keyword scores: %w", err)
		}
		kw = append(kw, more...)
	}
	// Dense rows in order of first appearance, so fuseScores' tie-break
	// (lower row first) means "seen first".
	rows := map[string]uint32{}
	var byRow []Hit
	toRanked := func(hs []Hit) []ranked {
		out := make([]ranked, len(hs))
		for i, h := range hs {
			r, ok := rows[h.ID]
			if !ok {
				r = uint32(len(byRow))
				rows[h.ID] = r
				byRow = append(byRow, h)
			}
			out[i] = ranked{row: r, score: h.Score}
		}
		return out
	}
	vr, kr := toRanked(vec), toRanked(kw)
	fused := fuseScores(q.K, weighted{q.VectorWeight, vr}, weighted{q.KeywordWeight, kr})
	out := make([]Hit, len(fused))
	for i, r := range fused {
		h := byRow[r.row]
		h.Score = r.score
		out[i] = h
	}
	return out, nil
}
