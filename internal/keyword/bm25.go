package keyword

import (
	"cmp"
	"math"
	"runtime"
	"slices"
	"sync"
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
	an       Analyzer
	postings map[string][]posting
	docLen   []uint32
	avgLen   float64
	owner    any // DecodeOptions.Owner: what keeps a decoded index's bytes valid

	scratch sync.Pool // *scratch
}

// Result is one ranked document.
type Result struct {
	ID    uint32
	Score float64
}

// New indexes texts with the Standard analyzer; texts[i] gets id i.
func New(texts []string) *Index { return NewWith(texts, Standard) }

// NewWith indexes texts with an; texts[i] gets id i. Queries to the index
// go through the same analyzer.
func NewWith(texts []string, an Analyzer) *Index {
	ix := &Index{an: an, postings: make(map[string][]posting), docLen: make([]uint32, len(texts))}
	var total int
	tf := make(map[string]uint32)
	for i, t := range texts {
		toks := an.Analyze(t)
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

// AnalyzerVersion returns the Version of the analyzer the index was built
// with; a persisted index records it (see AnalyzerVersion the constant).
func (ix *Index) AnalyzerVersion() string { return ix.an.Version() }

// idf is the BM25 inverse document frequency of a term found in df of n
// documents; it is never negative.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// Search returns up to k documents that share a token with query, best
// first; ties go to the lower id. When filter is non-nil only ids for which
// it returns true are considered (it may be called more than once per id).
// k <= 0 returns nil. Search is safe for concurrent use. It is
// SearchQuery(ix.Parse(query), k, filter).
func (ix *Index) Search(query string, k int, filter func(id uint32) bool) []Result {
	if k <= 0 || len(ix.docLen) == 0 {
		return nil
	}
	return ix.SearchQuery(ix.Parse(query), k, filter)
}

// SearchQuery is Search for an analysed query: each term's BM25 score is
// multiplied by its weight (Parse gives 1, Expand less to feedback terms).
// Terms whose weight is not positive are skipped.
//
// Each of fields is another field of the same documents (the same ids,
// such as their headings): a document's BM25 score for q in that field,
// with the field's own document frequencies and lengths, times the
// field's Weight, is added to its score. This is the simple form of
// multi-field BM25: a term in a short heading counts for more than in a
// long body. A field whose index has another Len, or whose Weight is not
// positive, is left out. The fields search the same documents as ix, so
// a document matching q only in a field is found too.
func (ix *Index) SearchQuery(q Query, k int, filter func(id uint32) bool, fields ...Field) []Result {
	n := len(ix.docLen)
	if k <= 0 || n == 0 {
		return nil
	}
	// The scratch goes back to the pool only after its scores are zeroed
	// again, so a filter that panics costs a scratch, not a wrong result.
	s := ix.getScratch()
	scores, touched := s.scores, s.touched[:0]
	touched = ix.accumulate(q, 1, filter, scores, touched)
	for _, f := range fields {
		switch {
		case !f.usable(ix):
		case f.Sections != nil:
			touched = f.Sections.accumulate(q, f.Weight, filter, scores, touched)
		default:
			touched = f.Index.accumulate(q, f.Weight, filter, scores, touched)
		}
	}
	top := topK(s.top[:0], scores, touched, k)
	for _, id := range touched {
		scores[id] = 0
	}
	res := make([]Result, len(top))
	copy(res, top)
	s.touched, s.top = touched, top
	ix.scratch.Put(s)
	slices.SortFunc(res, cmpResult)
	return res
}

// Field is another field of an index's documents, searched with it by
// SearchQuery, its scores times Weight: either Index, holding the field's
// text of each document under the same id (their headings), or Sections,
// the index's documents grouped into sections, each scored as one text
// (the chunks of one section, together).
type Field struct {
	Index    *Index
	Sections *Sections
	Weight   float64
}

// usable reports whether f can be searched beside ix: a positive finite
// weight, and an index of as many documents or sections of ix itself.
func (f Field) usable(ix *Index) bool {
	if !(f.Weight > 0) || math.IsInf(f.Weight, 0) {
		return false
	}
	if f.Sections != nil {
		return f.Sections.ix == ix
	}
	return f.Index != nil && f.Index.Len() == ix.Len()
}

// Sections groups an index's documents into sections for a Field that
// scores each section as one document: its term frequencies and length
// are the sums of its members', the document frequency of a term is the
// number of sections holding it, and its score counts for each member.
// That is the BM25 of an index of the members' texts joined (the
// analyzer works token by token, so joining adds or loses no token), but
// read from the index's own postings as a query is searched: it holds
// eight bytes per document and per section (and twelve per section in
// each concurrent search's scratch), where a second index of the sections
// would hold about as many postings again as the first.
type Sections struct {
	ix     *Index
	groups *Groups
	of     []uint32 // document -> section
	lens   []uint32 // section -> tokens
	avgLen float64

	scratch sync.Pool // *sectionScratch
}

// Sections returns ix's documents grouped by g, or nil when g groups
// other documents than ix's.
func (ix *Index) Sections(g *Groups) *Sections {
	if g == nil || g.Len() != len(ix.docLen) {
		return nil
	}
	s := &Sections{ix: ix, groups: g, of: make([]uint32, len(ix.docLen)), lens: make([]uint32, g.Count())}
	var total uint64
	for sec := range g.Count() {
		var n uint64
		for _, m := range g.Members(sec) {
			s.of[m] = uint32(sec)
			n += uint64(ix.docLen[m])
		}
		s.lens[sec] = uint32(min(n, math.MaxUint32))
		total += n
	}
	if g.Count() > 0 {
		s.avgLen = float64(total) / float64(g.Count())
	}
	return s
}

// sectionScratch is the per-search state of a Sections, all zero between
// searches: each section's frequency of the term at hand and its score,
// the sections holding the term, and those given a score.
type sectionScratch struct {
	tf      []uint32
	scores  []float64
	holding []uint32
	touched []uint32
}

// accumulate adds scale times each section's BM25 score for q to every
// member filter allows, as Index.accumulate does for documents. Sections
// are scored whatever filter says, as a second index of them would be
// (its statistics cover every section). Each slot is zeroed as it is
// used: a panicking filter loses the scratch, never poisons it.
func (s *Sections) accumulate(q Query, scale float64, filter func(id uint32) bool, scores []float64, touched []uint32) []uint32 {
	defer runtime.KeepAlive(s.ix) // s.ix.owner: the mapped terms and postings
	sc, _ := s.scratch.Get().(*sectionScratch)
	if sc == nil {
		sc = &sectionScratch{tf: make([]uint32, len(s.lens)), scores: make([]float64, len(s.lens))}
	}
	n, sections := len(s.ix.docLen), len(s.lens)
	all := sc.touched[:0]
	for i, tok := range q.terms {
		qw := q.weights[i] * scale
		if !(qw > 0) || math.IsInf(qw, 0) {
			continue
		}
		holding := sc.holding[:0]
		for _, p := range s.ix.postings[tok] {
			if int(p.doc) >= n || p.tf == 0 {
				continue // only a damaged file has these (Decode)
			}
			sec := s.of[p.doc]
			if sc.tf[sec] == 0 {
				holding = append(holding, sec)
			}
			sc.tf[sec] = addTF(sc.tf[sec], p.tf)
		}
		sc.holding = holding
		if len(holding) == 0 {
			continue
		}
		w := idf(sections, len(holding))
		for _, sec := range holding {
			c := termScore(qw, w, float64(sc.tf[sec]), float64(s.lens[sec]), s.avgLen)
			sc.tf[sec] = 0
			if !(c > 0) {
				continue
			}
			if sc.scores[sec] == 0 {
				all = append(all, sec)
			}
			sc.scores[sec] += c
		}
	}
	for _, sec := range all {
		c := sc.scores[sec]
		sc.scores[sec] = 0
		for _, m := range s.groups.Members(int(sec)) {
			if filter != nil && !filter(m) {
				continue
			}
			if scores[m] == 0 {
				touched = append(touched, m)
			}
			scores[m] += c
		}
	}
	sc.touched = all
	s.scratch.Put(sc)
	return touched
}

// addTF adds term frequencies, saturating instead of wrapping.
func addTF(a, b uint32) uint32 {
	if a > math.MaxUint32-b {
		return math.MaxUint32
	}
	return a + b
}

// Groups assigns each document of an index to one group, such as the
// section each chunk belongs to, for a Field indexed by group.
type Groups struct {
	start   []uint32 // group g's members are members[start[g]:start[g+1]]
	members []uint32 // every document once, by group
}

// NewGroups returns the grouping where document i belongs to group of[i],
// with n groups; nil when an entry is n or more.
func NewGroups(of []uint32, n int) *Groups {
	g := &Groups{start: make([]uint32, n+1), members: make([]uint32, len(of))}
	for _, x := range of {
		if int(x) >= n {
			return nil
		}
		g.start[x+1]++
	}
	for i := range n {
		g.start[i+1] += g.start[i]
	}
	next := slices.Clone(g.start[:n])
	for doc, x := range of {
		g.members[next[x]] = uint32(doc)
		next[x]++
	}
	return g
}

// Len is the number of documents grouped.
func (g *Groups) Len() int { return len(g.members) }

// Count is the number of groups.
func (g *Groups) Count() int { return len(g.start) - 1 }

// Members returns the documents of group i, in increasing order.
func (g *Groups) Members(i int) []uint32 { return g.members[g.start[i]:g.start[i+1]] }

// accumulate adds scale times q's BM25 scores in ix to scores (one slot
// per document, zero for documents not yet touched), appending each newly
// touched document to touched, which it returns.
func (ix *Index) accumulate(q Query, scale float64, filter func(id uint32) bool, scores []float64, touched []uint32) []uint32 {
	defer runtime.KeepAlive(ix) // ix.owner: the mapped terms and postings
	n := len(ix.docLen)
	for i, tok := range q.terms {
		qw := q.weights[i] * scale
		if !(qw > 0) || math.IsInf(qw, 0) {
			continue
		}
		ps := ix.postings[tok]
		if len(ps) == 0 {
			continue
		}
		w := idf(n, len(ps))
		for _, p := range ps {
			if int(p.doc) >= n || filter != nil && !filter(p.doc) {
				continue // an id beyond Len can only come from a damaged file (Decode)
			}
			c := termScore(qw, w, float64(p.tf), float64(ix.docLen[p.doc]), ix.avgLen)
			if !(c > 0) {
				continue // an underflow: adding it would change nothing
			}
			// Every term adds a positive amount, so a zero score means
			// the document has not been touched yet.
			if scores[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			scores[p.doc] += c
		}
	}
	return touched
}

// termScore is one query term's BM25 score in a document (or section)
// of length dl, where the average is avg: the term's weight qw, its idf
// w, its frequency f there. A weight of 1 multiplies exactly: Search's
// scores are plain BM25's, bit for bit.
func termScore(qw, w, f, dl, avg float64) float64 {
	norm := K1 * (1 - B + B*dl/avg)
	return qw * (w * f * (K1 + 1) / (f + norm))
}

// maxLinearDedup is the longest query, in tokens, whose repeated tokens
// are found by scanning instead of with a map.
const maxLinearDedup = 48

// seenBefore reports whether toks[i] occurs in toks[:i]. Queries are short,
// so a linear scan beats a map.
func seenBefore(toks []string, i int) bool {
	for _, t := range toks[:i] {
		if t == toks[i] {
			return true
		}
	}
	return false
}

// cmpResult orders results best first: higher score, then lower id.
func cmpResult(a, b Result) int {
	if a.Score != b.Score {
		if a.Score > b.Score {
			return -1
		}
		return 1
	}
	return cmp.Compare(a.ID, b.ID)
}

// worse reports whether a ranks after b under cmpResult.
func worse(a, b Result) bool {
	return a.Score < b.Score || (a.Score == b.Score && a.ID > b.ID)
}

// topK appends to h (empty, reused) the k best of the touched documents,
// unordered. h is a binary heap with the worst kept result at h[0].
func topK(h []Result, scores []float64, touched []uint32, k int) []Result {
	if k >= len(touched) {
		for _, id := range touched {
			h = append(h, Result{ID: id, Score: scores[id]})
		}
		return h
	}
	for _, id := range touched {
		r := Result{ID: id, Score: scores[id]}
		if len(h) < k {
			h = append(h, r)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !worse(h[i], h[p]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if !worse(h[0], r) {
			continue
		}
		h[0] = r
		for i := 0; ; {
			c := 2*i + 1
			if c >= len(h) {
				break
			}
			if c+1 < len(h) && worse(h[c+1], h[c]) {
				c++
			}
			if !worse(h[c], h[i]) {
				break
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	return h
}

// scratch is the per-search state, pooled per Index: a dense score per
// document, all zero between searches, the ids given a score, and the
// top-k heap.
type scratch struct {
	scores  []float64
	touched []uint32
	top     []Result
}

func (ix *Index) getScratch() *scratch {
	if s, ok := ix.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{scores: make([]float64, len(ix.docLen))}
}
