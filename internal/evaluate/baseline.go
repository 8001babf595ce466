package evaluate

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/rag"
)

// BaselineMode names the plain-BM25 reference row (Flags.Baseline).
const BaselineMode rag.Mode = "plain-bm25"

// Chunks is the read side of a store that Baseline needs.
type Chunks interface {
	ChunkCount() int
	Chunk(i int) docmodel.Chunk
}

// section is one retrievable unit of the baseline: the chunks that share
// a url, joined.
type section struct {
	hit  rag.Hit  // metadata url and source, for rag.FirstRelevant
	ids  []string // every chunk's id, for questions labelled by chunk
	toks []string
}

// relevant reports whether the section answers q: by its url or source,
// or by any of its chunks.
func (s section) relevant(q rag.EvalQuestion) bool {
	for _, id := range s.ids {
		h := s.hit
		h.ID = id
		if rag.FirstRelevant([]rag.Hit{h}, q) == 1 {
			return true
		}
	}
	return false
}

// Baseline scores qs with the reference of issue 10's table: "a 20-line
// plain BM25 over one chunk per HTML section, no stemming". Each section
// is one document: the chunks sharing a url (or, without one, each chunk
// alone) joined under their heading path. Text is lower-cased and split
// into runs of ASCII letters, digits and underscores, with CJK runs as
// overlapping character bigrams; nothing is stemmed or dropped. BM25 uses
// k1 1.2 and b 0.75. It is a yardstick for the keyword ranking, which
// must not be worse (docs/BENCHMARKS.md), not a mode the service offers.
//
// It holds every section's term counts in memory: meant for evaluation
// stores, not for a store of millions of chunks.
func Baseline(ctx context.Context, st Chunks, qs []rag.EvalQuestion) (rag.EvalMetrics, []int, error) {
	type posting struct{ sec, tf int }
	secs := sections(st)
	postings := map[string][]posting{}
	lens := make([]float64, len(secs))
	var total float64
	for i, s := range secs {
		lens[i] = float64(len(s.toks))
		total += lens[i]
		tf := map[string]int{}
		for _, t := range s.toks {
			tf[t]++
		}
		for t, f := range tf {
			postings[t] = append(postings[t], posting{i, f})
		}
		secs[i].toks = nil
	}
	n := float64(len(secs))
	avg := total / max(n, 1)
	ranks := make([]int, len(qs))
	for qi, q := range qs {
		if err := ctx.Err(); err != nil {
			return rag.EvalMetrics{}, nil, err
		}
		score := map[int]float64{}
		for _, t := range plainTokens(q.Question) { // repeated words count again, as in rank_bm25
			ps := postings[t]
			idf := math.Log(1 + (n-float64(len(ps))+0.5)/(float64(len(ps))+0.5))
			for _, p := range ps {
				f := float64(p.tf)
				score[p.sec] += idf * f * (keyword.K1 + 1) / (f + keyword.K1*(1-keyword.B+keyword.B*lens[p.sec]/avg))
			}
		}
		order := make([]int, 0, len(score))
		for i := range score {
			order = append(order, i)
		}
		// Best first; equal scores in store order, so the ranking is the
		// same on every run.
		slices.SortFunc(order, func(a, b int) int {
			if c := cmp.Compare(score[b], score[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		for r, i := range order[:min(len(order), rag.EvalK)] {
			if secs[i].relevant(q) {
				ranks[qi] = r + 1
				break
			}
		}
	}
	return rag.Summarize(BaselineMode, ranks), ranks, nil
}

// sections groups st's chunks by url (docmodel.SectionOf), in order of
// first appearance: by url alone, not SectionKey, as the questions label
// sections by url and the reference row of issue 10 is one document per
// labelled section.
func sections(st Chunks) []section {
	chunks := make([]docmodel.Chunk, st.ChunkCount())
	for i := range chunks {
		chunks[i] = st.Chunk(i)
	}
	of, n := docmodel.SectionOf(len(chunks), func(i int) string {
		url, _ := chunks[i].Metadata[docmodel.MetaURL].(string)
		return url
	})
	out := make([]section, n)
	for i, c := range chunks {
		sec := &out[of[i]]
		if len(sec.ids) == 0 {
			url, _ := c.Metadata[docmodel.MetaURL].(string)
			src, _ := c.Metadata[docmodel.MetaSource].(string)
			sec.hit = rag.Hit{ID: c.ID, Metadata: map[string]any{docmodel.MetaURL: url, docmodel.MetaSource: src}}
			path, _ := c.Metadata[docmodel.MetaHeadingPath].(string)
			sec.toks = plainTokens(path)
		}
		sec.ids = append(sec.ids, c.ID)
		sec.toks = append(sec.toks, plainTokens(c.Text)...)
	}
	return out
}

// plainTokens is the baseline's analysis: lower-cased runs of ASCII
// letters, digits and "_", and overlapping bigrams of CJK runs (a lone
// CJK character stands alone).
func plainTokens(s string) []string {
	var out []string
	var word strings.Builder
	var cjk []rune
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
		switch {
		case len(cjk) == 1:
			out = append(out, string(cjk))
		case len(cjk) > 1:
			for i := 0; i+1 < len(cjk); i++ {
				out = append(out, string(cjk[i:i+2]))
			}
		}
		cjk = cjk[:0]
	}
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'):
			if len(cjk) > 0 {
				flush()
			}
			word.WriteRune(unicode.ToLower(r))
		case keyword.IsCJK(r):
			if word.Len() > 0 {
				flush()
			}
			cjk = append(cjk, r)
		default:
			flush()
		}
	}
	flush()
	return out
}
