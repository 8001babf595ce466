package keyword

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// withJoined is what SearchQuery with a Sections field must give: each
// document's own score plus w times the score of its section in an index
// of the sections' texts joined.
func withJoined(ix *Index, texts []string, of []uint32, groups int, q string, w float64, filter func(uint32) bool) map[uint32]float64 {
	parts := make([][]string, groups)
	for i, t := range texts {
		parts[of[i]] = append(parts[of[i]], t)
	}
	joined := make([]string, groups)
	for g, p := range parts {
		joined[g] = strings.Join(p, "\n")
	}
	want := map[uint32]float64{}
	for _, r := range ix.Search(q, len(texts)+1, filter) {
		want[r.ID] += r.Score
	}
	for _, r := range New(joined).Search(q, groups+1, nil) {
		for d, g := range of {
			if g == r.ID && (filter == nil || filter(uint32(d))) {
				want[uint32(d)] += w * r.Score
			}
		}
	}
	return want
}

// sameScores compares results with want within a relative 1e-9: the field
// sums a section's terms before weighting them, the reference after.
func sameScores(t *testing.T, q string, got []Result, want map[uint32]float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%q: %d results, want %d: %v, want %v", q, len(got), len(want), got, want)
	}
	for _, r := range got {
		w, ok := want[r.ID]
		if !ok || math.Abs(r.Score-w) > 1e-9*math.Max(1, math.Abs(w)) {
			t.Fatalf("%q doc %d: score %v, want %v (found %v)", q, r.ID, r.Score, w, ok)
		}
	}
}

func TestSections_EqualsJoinedIndex(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	random := make([]string, 300)
	randomOf := make([]uint32, len(random))
	for i := range random {
		random[i] = randomText(rng, rng.IntN(12), testVocab)
		randomOf[i] = uint32(rng.IntN(40)) // members apart, some sections empty
	}
	tests := []struct {
		name   string
		texts  []string
		of     []uint32
		groups int
	}{
		{"consecutive sections", []string{"Reset the password", "password reset key", "API keys", "ship in days"}, []uint32{0, 0, 1, 2}, 3},
		{"a section seen again later", []string{"api key", "reset api", "api api", "key days"}, []uint32{1, 0, 1, 0}, 2},
		{"one document per section", []string{"api key", "key reset"}, []uint32{0, 1}, 2},
		{"one section", []string{"shipping", "ships", "shipped days"}, []uint32{0, 0, 0}, 1},
		{"empty texts and an empty section", []string{"", "api", ""}, []uint32{0, 2, 0}, 3},
		{"japanese bigrams", []string{"返品の検索結果", "パスワード", "返品"}, []uint32{0, 0, 1}, 2},
		{"random", random, randomOf, 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ix := New(tc.texts)
			secs := ix.Sections(NewGroups(tc.of, tc.groups))
			if secs == nil {
				t.Fatal("Sections returned nil")
			}
			for i, q := range []string{"api key", "reset password", "返品", "ship days", "nothing", "api"} {
				var filter func(uint32) bool
				if i%2 == 1 {
					filter = func(id uint32) bool { return id%3 != 1 }
				}
				for _, w := range []float64{0.3, 2} {
					got := ix.SearchQuery(ix.Parse(q), len(tc.texts)+1, filter, Field{Sections: secs, Weight: w})
					sameScores(t, q, got, withJoined(ix, tc.texts, tc.of, tc.groups, q, w, filter))
				}
			}
		})
	}
}

// runsOf groups n documents into sections of size consecutive ones (the
// last may be shorter).
func runsOf(n, size int) *Groups {
	of := make([]uint32, n)
	for i := range of {
		of[i] = uint32(i / size)
	}
	return NewGroups(of, (n+size-1)/size)
}

// TestSections_DecodedIndex: the sections of a persisted index, read in
// place, score as those of the index it was written from.
func TestSections_DecodedIndex(t *testing.T) {
	t.Parallel()
	texts, queries := benchCorpus(400, 6, false)
	groups := runsOf(len(texts), 3)
	built := New(texts)
	decoded := persisted(t, built, DecodeOptions{})
	for _, q := range queries[:20] {
		got := decoded.SearchQuery(decoded.Parse(q), 20, nil, Field{Sections: decoded.Sections(groups), Weight: 0.4})
		want := built.SearchQuery(built.Parse(q), 20, nil, Field{Sections: built.Sections(groups), Weight: 0.4})
		if !sameResults(got, want) {
			t.Fatalf("%q: decoded %v, built %v", q, got, want)
		}
	}
}

// TestSections_SkipsDamagedPostings: postings naming a document beyond
// Len or a frequency of 0 (only a damaged file has them: Decode does not
// check each one) add nothing, as Search leaves them out.
func TestSections_SkipsDamagedPostings(t *testing.T) {
	t.Parallel()
	texts := []string{"api key", "key", "reset"}
	of := []uint32{0, 0, 1}
	ix := New(texts)
	ix.postings["key"] = append(ix.postings["key"], posting{doc: 7, tf: 3}, posting{doc: 2, tf: 0})
	clean := New(texts)
	for _, q := range []string{"key", "api key reset"} {
		// The damaged postings change the documents' own idf, not the
		// sections' scores: want is the damaged index's own scores plus
		// the clean index's section scores.
		want := map[uint32]float64{}
		for _, r := range ix.Search(q, 10, nil) {
			want[r.ID] += r.Score
		}
		for _, r := range clean.SearchQuery(clean.Parse(q), 10, nil, Field{Sections: clean.Sections(NewGroups(of, 2)), Weight: 1}) {
			want[r.ID] += r.Score
		}
		for _, r := range clean.Search(q, 10, nil) {
			want[r.ID] -= r.Score
		}
		got := ix.SearchQuery(ix.Parse(q), 10, nil, Field{Sections: ix.Sections(NewGroups(of, 2)), Weight: 1})
		sameScores(t, q, got, want)
	}
}

// TestSections_Concurrent: searches sharing one Sections (its pooled
// scratch) give what one search alone gives; run with -race.
func TestSections_Concurrent(t *testing.T) {
	t.Parallel()
	texts, queries := benchCorpus(1000, 5, false)
	ix := New(texts)
	f := Field{Sections: ix.Sections(runsOf(len(texts), 4)), Weight: 0.5}
	want := make([][]Result, 40)
	for i := range want {
		want[i] = ix.SearchQuery(ix.Parse(queries[i]), 10, nil, f)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for r := range 50 {
				i := (w*7 + r) % len(want)
				if got := ix.SearchQuery(ix.Parse(queries[i]), 10, nil, f); !sameResults(got, want[i]) {
					t.Errorf("query %d: %v, want %v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestAddTF_Saturates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ a, b, want uint32 }{
		{1, 2, 3},
		{1<<32 - 2, 1, 1<<32 - 1},
		{1<<32 - 2, 5, 1<<32 - 1},
		{1<<32 - 1, 1<<32 - 1, 1<<32 - 1},
	} {
		if got := addTF(tc.a, tc.b); got != tc.want {
			t.Errorf("addTF(%d, %d) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
