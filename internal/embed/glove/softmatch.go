package glove

import (
	"cmp"
	"slices"
	"sync"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/embed"
)

// Bounds of SoftMatch's work: the query's words it matches (its rarest)
// and the distinct words of each text it reads (its first). A chunk of the
// default 800 runes has about 130 words, 100 of them distinct; a query of
// a few dozen words keeps all of its content words. At the bounds, a
// search of top_k 50 (200 candidates) costs about 160 million
// multiply-adds (BenchmarkSoftMatch_Bounds).
const (
	MaxSoftQueryWords = 32
	MaxSoftTextWords  = 256
)

// SoftMatch returns, for each text, how well it covers query's words by
// meaning, in [0, 1]: each known query word's best cosine to any known word
// of the text (negative counts 0), averaged with SIF weights, so that
// "the", "my" and "how" count for little and a rare word for much. A word
// the text has scores 1; a related word ("keystroke" for "typing") more
// than an unrelated one. A text or query with no known word scores 0.
// Only the MaxSoftQueryWords rarest distinct words of the query and the
// first MaxSoftTextWords distinct words of each text (within its first
// MaxWords words) are read, which bounds the work to about
// MaxSoftQueryWords x MaxSoftTextWords x Dims operations a text.
//
// It ranks passages the way keyword search cannot (a question worded
// differently from its answer), as DESM (Mitra et al., 2016) reranks BM25's
// candidates by word embeddings; rag uses it that way.
func (e *Encoder) SoftMatch(query string, texts []string) []float64 {
	dims := e.m.header.Dims
	type qword struct {
		id int32
		w  float64
	}
	var qs []qword
	seen := make(map[int32]struct{}, 256)
	n := 0
	eachWord(query, func(w string) bool {
		if id, ok := e.id(w); ok {
			if _, dup := seen[id]; !dup {
				seen[id] = struct{}{}
				qs = append(qs, qword{id, e.sif(id)})
			}
		}
		n++
		return n < MaxWords
	})
	out := make([]float64, len(texts))
	if len(qs) == 0 {
		return out
	}
	if len(qs) > MaxSoftQueryWords {
		slices.SortStableFunc(qs, func(a, b qword) int { return cmp.Compare(b.w, a.w) })
		qs = qs[:MaxSoftQueryWords]
	}
	var total float64
	qv := make([]float32, len(qs)*dims)
	for j, q := range qs {
		e.unit(qv[j*dims:(j+1)*dims], q.id)
		total += q.w
	}
	// Each distinct word's cosines to the query words are computed once
	// per call: the candidates of one search mostly share their words.
	cosines := make(map[int32][]float32, 1024)
	dv := make([]float32, dims)
	scratch := make([]float32, len(qs)) // once the cache is full
	cosOf := func(id int32) []float32 {
		if c, ok := cosines[id]; ok {
			return c
		}
		c := scratch
		if len(cosines) < maxCachedWords {
			c = make([]float32, len(qs))
			cosines[id] = c
		}
		e.unit(dv, id)
		for j := range qs {
			c[j] = ann.Dot(dv, qv[j*dims:(j+1)*dims])
		}
		return c
	}
	best := make([]float32, len(qs))
	for i, t := range texts {
		clear(best)
		clear(seen)
		n = 0
		eachWord(t, func(w string) bool {
			n++
			id, ok := e.id(w)
			if !ok {
				return n < MaxWords
			}
			if _, dup := seen[id]; dup {
				return n < MaxWords
			}
			seen[id] = struct{}{}
			for j, c := range cosOf(id) {
				best[j] = max(best[j], c)
			}
			return n < MaxWords && len(seen) < MaxSoftTextWords
		})
		var s float64
		for j, q := range qs {
			s += q.w * float64(min(best[j], 1))
		}
		out[i] = s / total
	}
	return out
}

// maxCachedWords bounds SoftMatch's per-call cache of cosines (about
// 1.5 MiB with MaxSoftQueryWords, map included); the candidates of one
// search seldom hold more distinct words.
const maxCachedWords = 8192

// unit writes word id's vector, L2-normalised, into dst (zero for a zero
// vector).
func (e *Encoder) unit(dst []float32, id int32) {
	row := e.m.codes[int(id)*len(dst) : (int(id)+1)*len(dst)]
	for d := range dst {
		dst[d] = float32(int8(row[d]))
	}
	embed.Unit(dst, dst) // a zero vector stays zero
}

// sif returns word id's SIF weight a/(a+p(w)) (see New).
func (e *Encoder) sif(id int32) float64 {
	p := 1 / (float64(e.m.ranks[id]+1) * e.h)
	return sifA / (sifA + p)
}

// shared is the one Encoder Shared returns.
var shared = sync.OnceValues(New)

// Shared returns an Encoder parsed once per process, for the embedder and
// SoftMatch to share (New parses the model again, about 5 MB of heap).
func Shared() (*Encoder, error) { return shared() }
