package keyword

import (
	"math"
	"sort"
)

// BM25 parameters.
const (
	K1 = 1.2
	B  = 0.75
)

// posting is one document's term frequency for a term.
type posting struct {
	doc uint32
	tf  uint32
}

// Index is a BM25 index over documents with dense ids 0..Len()-1.
type Index struct {
	postings map[string][]posting
	docLen   []uint32
	avgLen   float64
}

// Result is one ranked document.
type Result struct {
	ID    uint32
	Score float64
}

// New indexes texts; texts[i] gets id i.
func New(texts []string) *Index {
	ix := &Index{postings: make(map[string][]posting), docLen: make([]uint32, len(texts))}
	var total int
	tf := make(map[string]uint32)
	for i, t := range texts {
		toks := Tokenize(t)
		ix.docLen[i] = uint32(len(toks))
		total += len(toks)
		clear(tf)
		for _, tok := range toks {
			tf[tok]++
		}
		for tok, n := range tf {
			ix.postings[tok] = append(ix.postings[tok], posting{doc: uint32(i), tf: n})
		}
	}
	if len(texts) > 0 {
		ix.avgLen = float64(total) / float64(len(texts))
	}
	return ix
}

// Len returns the number of indexed documents.
func (ix *Index) Len() int { return len(ix.docLen) }

// idf is the BM25 inverse document frequency of a term found in df of n
// documents; it is never negative.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// Search returns up to k documents that share a token with query, best
// first; ties go to the lower id. When filter is non-nil only ids for which
// it returns true are considered. k <= 0 returns nil.
func (ix *Index) Search(query string, k int, filter func(id uint32) bool) []Result {
	if k <= 0 || len(ix.docLen) == 0 {
		return nil
	}
	seen := make(map[string]bool)
	scores := make(map[uint32]float64)
	n := len(ix.docLen)
	for _, tok := range Tokenize(query) {
		if seen[tok] {
			continue
		}
		seen[tok] = true
		ps := ix.postings[tok]
		if len(ps) == 0 {
			continue
		}
		w := idf(n, len(ps))
		for _, p := range ps {
			if filter != nil && !filter(p.doc) {
				continue
			}
			f := float64(p.tf)
			norm := K1 * (1 - B + B*float64(ix.docLen[p.doc])/ix.avgLen)
			scores[p.doc] += w * f * (K1 + 1) / (f + norm)
		}
	}
	res := make([]Result, 0, len(scores))
	for id, s := range scores {
		res = append(res, Result{ID: id, Score: s})
	}
	sort.Slice(res, func(i, j int) bool {
		if res[i].Score != res[j].Score {
			return res[i].Score > res[j].Score
		}
		return res[i].ID < res[j].ID
	})
	if len(res) > k {
		res = res[:k]
	}
	return res
}
