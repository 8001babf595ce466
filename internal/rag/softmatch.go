package rag

import (
	"cmp"
	"slices"

	"github.com/vendor0919/api/internal/docmodel"
)

// SoftMatcher scores how well each text covers a query's words by meaning,
// each in [0, 1] (glove.Encoder.SoftMatch: word vectors, so "title" goes
// some way toward "label"). The service reranks keyword and hybrid
// candidates with it (Config.SoftMatch). It must be safe for concurrent
// use and bound its own work.
type SoftMatcher interface {
	SoftMatch(query string, texts []string) []float64
}

// softRerank reorders hits, best first, by score/best score + w x
// soft/best soft, where soft is m's score of each hit's heading path and
// text (the text its ranking indexed): the same score-aware sum as hybrid
// fusion, with soft match as a third ranking over the candidates the
// first ones found. Each hit's Score becomes that sum. Hits whose sums
// tie keep their order.
func softRerank(m SoftMatcher, w float64, query string, hits []Hit) []Hit {
	if len(hits) < 2 {
		return hits
	}
	texts := make([]string, len(hits))
	var top float64
	for i, h := range hits {
		texts[i] = docmodel.Chunk{Text: h.Text, Metadata: h.Metadata}.IndexText()
		top = max(top, h.Score)
	}
	soft := m.SoftMatch(query, texts)
	if len(soft) != len(hits) {
		return hits
	}
	var topSoft float64
	for _, s := range soft {
		topSoft = max(topSoft, s)
	}
	for i := range hits {
		hits[i].Score = share(1, hits[i].Score, top) + share(w, soft[i], topSoft)
	}
	slices.SortStableFunc(hits, func(a, b Hit) int { return cmp.Compare(b.Score, a.Score) })
	return hits
}
