package keyword

import (
	"cmp"
	"math"
	"runtime"
	"slices"
)

// Query is an analysed keyword query: distinct tokens, each with a
// positive weight that scales its BM25 term score. Parse makes one with
// every weight 1 (plain BM25); Expand adds feedback terms. The zero
// Query matches nothing.
type Query struct {
	terms   []string
	weights []float64
}

// Len returns the number of distinct terms in q.
func (q Query) Len() int { return len(q.terms) }

// Terms returns q's terms and their weights, in order: the query's own
// tokens first, in order of appearance, then any feedback terms, best
// first. The slices are copies.
func (q Query) Terms() ([]string, []float64) {
	return slices.Clone(q.terms), slices.Clone(q.weights)
}

// Parse analyses query with the index's analyzer into a Query of its
// distinct tokens, each of weight 1: SearchQuery(Parse(s), ...) is
// Search(s, ...).
func (ix *Index) Parse(query string) Query {
	toks := ix.an.Analyze(query)
	var seen map[string]bool // long queries only; short ones scan toks
	if len(toks) > maxLinearDedup {
		seen = make(map[string]bool, len(toks))
	}
	q := Query{terms: toks[:0]}
	for i, tok := range toks {
		if seen != nil {
			if seen[tok] {
				continue
			}
			seen[tok] = true
		} else if seenBefore(toks, i) {
			continue
		}
		q.terms = append(q.terms, tok)
	}
	q.weights = make([]float64, len(q.terms))
	for i := range q.weights {
		q.weights[i] = 1
	}
	return q
}

// Feedback configures pseudo-relevance feedback (Expand): the best
// documents of a first search are taken as relevant, and the terms that
// are frequent in them but rare in the collection are added to the query.
// A question worded differently from its answer ("send back" for
// "return") shares few words with it, but the passages it does match
// often use the answer's words.
type Feedback struct {
	// Docs is how many of the first search's best documents are read;
	// 0 or less turns feedback off.
	Docs int
	// Terms is how many feedback terms are added at most.
	Terms int
	// QueryWeight (λ, in (0, 1]) is the original query's share of the
	// expanded query's weight; the feedback terms share 1 - λ.
	QueryWeight float64
	// MaxDocFraction leaves out terms found in more than this fraction
	// of the documents: they say little about any one passage (the
	// document title, a word every page uses) and would pull the whole
	// collection along.
	MaxDocFraction float64
}

// DefaultFeedback is the feedback the service uses unless configured
// otherwise: RM3 over the best 20 documents, up to 30 terms, the query
// keeping 0.8 of the weight, terms in at most 5% of the documents.
// Measured on the evaluation sets in docs/BENCHMARKS.md; every setting
// near it gave the same gains.
var DefaultFeedback = Feedback{Docs: 20, Terms: 30, QueryWeight: 0.8, MaxDocFraction: 0.05}

// Feedback bounds: Expand reads at most MaxFeedbackDocs documents and adds
// at most MaxFeedbackTerms terms, whatever Feedback asks.
const (
	MaxFeedbackDocs  = 100
	MaxFeedbackTerms = 100
)

// Expand returns q with pseudo-relevance feedback terms added, by RM3
// (Lavrenko and Croft's relevance model, mixed with the query as Abdul-Jaleel
// et al. describe): it searches with q, takes the best fb.Docs documents
// the filter allows, and gives each term t of them the weight
//
//	p(t|R) = sum over those documents d of s(d)/s(best) * tf(t,d)/len(d)
//
// where s is the BM25 score. The fb.Terms heaviest terms found in at most
// fb.MaxDocFraction of all documents are added, their weights scaled to
// sum to (1-λ)/λ times the number of query terms, so that the query's own
// terms keep weight 1 (their scores stay BM25 scores) and hold λ of the
// whole. The first search adds fields as SearchQuery does, so the
// feedback documents are the best of the ranking q would get without
// feedback. text returns the text document id was indexed from; Expand
// analyses the feedback documents again rather than keep a forward index,
// which would double the index's memory. Text the index does not know
// contributes nothing. With feedback off, no match, or no term to add, q
// is returned as it is.
func (ix *Index) Expand(q Query, fb Feedback, filter func(id uint32) bool, text func(id uint32) string, fields ...Field) Query {
	n := len(ix.docLen)
	if fb.Docs <= 0 || fb.Terms <= 0 || q.Len() == 0 || n == 0 || text == nil ||
		!(fb.QueryWeight > 0 && fb.QueryWeight < 1) || !(fb.MaxDocFraction > 0) {
		return q
	}
	defer runtime.KeepAlive(ix) // ix.owner: the mapped terms and postings
	first := ix.SearchQuery(q, min(fb.Docs, MaxFeedbackDocs), filter, fields...)
	if len(first) == 0 || first[0].Score <= 0 {
		return q
	}
	maxDF := int(math.Floor(fb.MaxDocFraction * float64(n)))
	rm := make(map[string]float64)
	tf := make(map[string]uint32)
	for _, r := range first {
		clear(tf)
		for _, tok := range ix.an.Analyze(text(r.ID)) {
			tf[tok]++
		}
		l := float64(max(ix.docLen[r.ID], 1))
		w := r.Score / first[0].Score
		for t, f := range tf {
			if df := len(ix.postings[t]); df == 0 || df > maxDF {
				continue
			}
			rm[t] += w * float64(f) / l
		}
	}
	type termWeight struct {
		term string
		w    float64
	}
	add := make([]termWeight, 0, len(rm))
	for t, w := range rm {
		add = append(add, termWeight{t, w})
	}
	slices.SortFunc(add, func(a, b termWeight) int {
		if c := cmp.Compare(b.w, a.w); c != 0 {
			return c
		}
		return cmp.Compare(a.term, b.term)
	})
	add = add[:min(len(add), fb.Terms, MaxFeedbackTerms)]
	var sum float64
	for _, tw := range add {
		sum += tw.w
	}
	if len(add) == 0 || !(sum > 0) {
		return q
	}
	scale := (1 - fb.QueryWeight) / fb.QueryWeight * float64(q.Len()) / sum
	out := Query{terms: slices.Clone(q.terms), weights: slices.Clone(q.weights)}
	for _, tw := range add {
		w := tw.w * scale
		if i := slices.Index(out.terms, tw.term); i >= 0 {
			out.weights[i] += w
			continue
		}
		out.terms = append(out.terms, tw.term)
		out.weights = append(out.weights, w)
	}
	return out
}
