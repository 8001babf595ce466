package keyword

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
)

// searchRef is the straightforward Search the index shipped with: a map of
// scores per query and a full sort of every match. It is the reference the
// pooled, heap-based Search must equal bit for bit.
func searchRef(ix *Index, query string, k int, filter func(id uint32) bool) []Result {
	if k <= 0 || len(ix.docLen) == 0 {
		return nil
	}
	seen := make(map[string]bool)
	scores := make(map[uint32]float64)
	n := len(ix.docLen)
	for _, tok := range ix.an.Analyze(query) {
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

// randomText draws words tokens from a small vocabulary of English words and
// CJK characters, so documents repeat and scores tie often.
func randomText(rng *rand.Rand, words int, vocab []string) string {
	var sb strings.Builder
	for range words {
		sb.WriteString(vocab[rng.IntN(len(vocab))])
		if rng.IntN(3) > 0 {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

var testVocab = []string{"api", "key", "reset", "password", "返", "品", "検", "索", "結", "果", "パ", "ス", "ー", "ド", "ship", "days"}

func sameResults(got, want []Result) bool {
	if (got == nil) != (want == nil) || len(got) != len(want) {
		return false
	}
	for i := range got {
		// Scores must be bit-identical, not merely close.
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestSearch_MatchesReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		docs, maxLen  int
		vocab         int
		duplicateDocs bool
	}{
		{"tiny", 3, 4, 4, false},
		{"small vocabulary many ties", 60, 6, 5, true},
		{"mixed", 300, 30, len(testVocab), false},
		{"duplicates", 200, 10, 8, true},
		{"empty docs", 50, 1, len(testVocab), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(20) {
				rng := rand.New(rand.NewPCG(seed, 7))
				vocab := testVocab[:tc.vocab]
				texts := make([]string, tc.docs)
				for i := range texts {
					if tc.duplicateDocs && i > 0 && rng.IntN(3) == 0 {
						texts[i] = texts[rng.IntN(i)]
						continue
					}
					texts[i] = randomText(rng, rng.IntN(tc.maxLen+1), vocab)
				}
				ix := New(texts)
				for q := range 30 {
					query := randomText(rng, 1+rng.IntN(8), vocab)
					if q%5 == 4 {
						query = randomText(rng, 40+rng.IntN(40), vocab) // past maxLinearDedup
					}
					k := []int{0, 1, 2, 3, 5, 10, tc.docs, tc.docs + 5}[q%8]
					var filter func(uint32) bool
					if q%3 == 1 {
						mod := uint32(2 + rng.IntN(3))
						filter = func(id uint32) bool { return id%mod != 0 }
					}
					got, want := ix.Search(query, k, filter), searchRef(ix, query, k, filter)
					if !sameResults(got, want) {
						t.Fatalf("seed %d: Search(%q, %d) =\n%v\nwant\n%v", seed, query, k, got, want)
					}
				}
			}
		})
	}
}

func FuzzSearch(f *testing.F) {
	f.Add("a b c a", "a b", 2, uint8(0))
	f.Add("検索結果 検索 結果", "検索結果", 1, uint8(2))
	f.Add("", "x", 3, uint8(1))
	f.Fuzz(func(t *testing.T, corpus, query string, k int, mod uint8) {
		ix := New(strings.Split(corpus, "\n"))
		ix2 := New(strings.Split(corpus, " "))
		var filter func(uint32) bool
		if mod > 1 {
			filter = func(id uint32) bool { return id%uint32(mod) != 0 }
		}
		k %= 64
		for _, x := range []*Index{ix, ix2} {
			if got, want := x.Search(query, k, filter), searchRef(x, query, k, filter); !sameResults(got, want) {
				t.Fatalf("Search(%q, %d) = %v, want %v", query, k, got, want)
			}
		}
	})
}

func TestSearch_ConcurrentMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	texts := make([]string, 500)
	for i := range texts {
		texts[i] = randomText(rng, rng.IntN(20), testVocab)
	}
	ix := New(texts)
	queries := make([]string, 40)
	want := make([][]Result, len(queries))
	for i := range queries {
		queries[i] = randomText(rng, 1+rng.IntN(6), testVocab)
		want[i] = searchRef(ix, queries[i], 7, nil)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for r := range 50 {
				i := (g*7 + r) % len(queries)
				if got := ix.Search(queries[i], 7, nil); !sameResults(got, want[i]) {
					t.Errorf("Search(%q) = %v, want %v", queries[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSearch_PanickingFilterLeavesIndexUsable(t *testing.T) {
	t.Parallel()
	ix := New([]string{"a b", "a", "b c", "a c"})
	func() {
		defer func() { _ = recover() }()
		ix.Search("a b c", 3, func(id uint32) bool {
			if id == 2 {
				panic("boom")
			}
			return true
		})
	}()
	for range 10 {
		if got, want := ix.Search("a b c", 3, nil), searchRef(ix, "a b c", 3, nil); !sameResults(got, want) {
			t.Fatalf("after panic: %v, want %v", got, want)
		}
	}
}

// benchCorpus builds n documents of zipf-distributed tokens and a query of
// qlen tokens drawn the same way. CJK documents are runs of kana and kanji
// (about 200 characters), so every character pair is a bigram token;
// English ones are about 120 words from a 5,000-word vocabulary.
func benchCorpus(n, qlen int, cjk bool) ([]string, []string) {
	rng := rand.New(rand.NewPCG(1, 2))
	var vocab []string
	if cjk {
		for r := rune(0x3041); r <= 0x3093; r++ { // hiragana
			vocab = append(vocab, string(r))
		}
		for r := rune(0x30A1); r <= 0x30F3; r++ { // katakana
			vocab = append(vocab, string(r))
		}
		for r := rune(0x4E00); len(vocab) < 1500; r += 7 { // kanji
			vocab = append(vocab, string(r))
		}
	} else {
		for i := range 5000 {
			vocab = append(vocab, fmt.Sprintf("w%x", uint64(i)*2654435761%1000003))
		}
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	text := func(tokens int) string {
		var sb strings.Builder
		for range tokens {
			sb.WriteString(vocab[zipf.Uint64()])
			if !cjk {
				sb.WriteByte(' ')
			}
		}
		return sb.String()
	}
	docLen := 120
	if cjk {
		docLen = 200
	}
	texts := make([]string, n)
	for i := range texts {
		texts[i] = text(docLen/2 + rng.IntN(docLen))
	}
	queries := make([]string, 64)
	for i := range queries {
		queries[i] = text(qlen)
	}
	return texts, queries
}

func benchSearch(b *testing.B, n, qlen int, cjk bool) {
	texts, queries := benchCorpus(n, qlen, cjk)
	ix := New(texts)
	impls := []struct {
		name   string
		search func(string, int, func(uint32) bool) []Result
	}{
		{"impl=map-sort", func(q string, k int, f func(uint32) bool) []Result { return searchRef(ix, q, k, f) }},
		{"impl=dense-heap", ix.Search},
	}
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				im.search(queries[i%len(queries)], 10, nil)
				i++
			}
		})
	}
}

// BenchmarkSearch_N20k_CJK runs 30-character Japanese queries (29 bigrams)
// against 20,000 documents, old implementation next to the new one.
func BenchmarkSearch_N20k_CJK(b *testing.B) { benchSearch(b, 20_000, 30, true) }

// BenchmarkSearch_N20k_English runs 8-word queries against 20,000 English
// documents.
func BenchmarkSearch_N20k_English(b *testing.B) { benchSearch(b, 20_000, 8, false) }

// BenchmarkNew_N20k indexes the 20,000 documents the search benchmarks
// use: the analysis of every document is paid here, at each store swap.
func BenchmarkNew_N20k(b *testing.B) {
	for _, lang := range []string{"en", "ja"} {
		texts, _ := benchCorpus(20_000, 1, lang == "ja")
		b.Run("lang="+lang, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				New(texts)
			}
		})
	}
}

// BenchmarkSearchQuery_SectionField_N20k: 8-word English queries over
// 20,000 documents in 5,000 groups of four (sections of four chunks),
// without a field and with the groups as a field indexed once
// (rag.Config.SectionWeight); build is the field's cost at each swap.
func BenchmarkSearchQuery_SectionField_N20k(b *testing.B) {
	texts, queries := benchCorpus(20_000, 8, false)
	ix := New(texts)
	of := make([]uint32, len(texts))
	sections := make([]string, len(texts)/4)
	for i, t := range texts {
		of[i] = uint32(i / 4)
		sections[i/4] += t + "\n"
	}
	build := func() Field {
		return Field{Sections: ix.Sections(NewGroups(of, len(sections))), Weight: 0.2}
	}
	field := build()
	for _, bc := range []struct {
		name   string
		fields []Field
	}{{"field=none", nil}, {"field=section", []Field{field}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				ix.SearchQuery(ix.Parse(queries[i%len(queries)]), 10, nil, bc.fields...)
				i++
			}
		})
	}
	// build is the field as Swap makes it; build=analysed is a second
	// index of the joined texts, as the field was made before Sections.
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			build()
		}
	})
	b.Run("build=analysed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			New(sections)
		}
	})
}
