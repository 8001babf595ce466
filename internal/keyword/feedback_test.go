package keyword

import (
	"math"
	"slices"
	"testing"
)

// feedbackCorpus: a question about sending a bike back shares words with
// doc 0 only; doc 0 and doc 1 share the policy's vocabulary (refund,
// receipt), which feedback should carry over to doc 1. The other documents
// are about something else, so refund and receipt are rare.
var feedbackCorpus = []string{
	"Returning a bike: bring the bike back with the receipt for a refund.",
	"Refund policy: a refund needs the receipt and is paid within 30 days.",
	"Tyre pressure: pump the tyres to the pressure printed on the sidewall.",
	"Chain care: clean and oil the chain every month.",
	"Brake pads wear out; replace them when the groove is gone.",
	"The app pairs with the bike over Bluetooth.",
	"Lights: the front light turns on when the bike moves.",
	"Firmware updates install from the app overnight.",
	"Saddle height: set it so the leg is almost straight.",
	"Storage: keep the battery at half charge over winter.",
}

func feedbackText(id uint32) string { return feedbackCorpus[id] }

func rank(rs []Result, id uint32) int {
	for i, r := range rs {
		if r.ID == id {
			return i + 1
		}
	}
	return 0
}

func TestExpand_FindsDocumentSharingNoQueryWord(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	fb := Feedback{Docs: 2, Terms: 5, QueryWeight: 0.5, MaxDocFraction: 0.3}
	plain := ix.Parse("return a bike")
	if got := rank(ix.SearchQuery(plain, 10, nil), 1); got != 0 {
		t.Fatalf("plain search already finds doc 1 at rank %d; the corpus does not test feedback", got)
	}
	exp := ix.Expand(plain, fb, nil, feedbackText)
	if got := rank(ix.SearchQuery(exp, 10, nil), 1); got == 0 {
		t.Errorf("expanded search does not find doc 1 (terms %v)", exp.terms)
	}
	if got := rank(ix.SearchQuery(exp, 10, nil), 0); got != 1 {
		t.Errorf("expanded search ranks doc 0 at %d, want 1", got)
	}
}

func TestExpand_Weights(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	for _, lambda := range []float64{0.5, 0.8, 0.95} {
		q := ix.Parse("return a bike")
		exp := ix.Expand(q, Feedback{Docs: 3, Terms: 4, QueryWeight: lambda, MaxDocFraction: 0.3}, nil, feedbackText)
		if exp.Len() <= q.Len() || exp.Len() > q.Len()+4 {
			t.Fatalf("λ %v: %d terms after expansion of %d, want 1..4 more", lambda, exp.Len(), q.Len())
		}
		if !slices.Equal(exp.terms[:q.Len()], q.terms) {
			t.Errorf("λ %v: expanded terms %v do not start with the query's %v", lambda, exp.terms, q.terms)
		}
		// The query's terms keep weight 1 unless a feedback term adds to
		// one; the added weight is (1-λ)/λ per query term in all.
		var added float64
		for i, w := range exp.weights {
			if !(w > 0) || math.IsInf(w, 0) {
				t.Fatalf("λ %v: weight %v of %q", lambda, w, exp.terms[i])
			}
			if i < q.Len() {
				w--
			}
			added += w
		}
		if want := (1 - lambda) / lambda * float64(q.Len()); math.Abs(added-want) > 1e-9 {
			t.Errorf("λ %v: feedback weight %v, want %v", lambda, added, want)
		}
		for i := 1; i+1 < exp.Len()-q.Len(); i++ {
			if a, b := exp.weights[q.Len()+i], exp.weights[q.Len()+i+1]; a < b {
				t.Errorf("λ %v: feedback terms not heaviest first: %v", lambda, exp.weights)
			}
		}
	}
}

func TestExpand_LeavesQueryAlone(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	on := Feedback{Docs: 2, Terms: 5, QueryWeight: 0.5, MaxDocFraction: 0.3}
	with := func(f func(*Feedback)) Feedback { fb := on; f(&fb); return fb }
	for _, tc := range []struct {
		name  string
		query string
		fb    Feedback
		text  func(uint32) string
	}{
		{"feedback off", "return a bike", Feedback{}, feedbackText},
		{"no documents", "return a bike", with(func(f *Feedback) { f.Docs = 0 }), feedbackText},
		{"no terms", "return a bike", with(func(f *Feedback) { f.Terms = 0 }), feedbackText},
		{"query weight 1", "return a bike", with(func(f *Feedback) { f.QueryWeight = 1 }), feedbackText},
		{"query weight 0", "return a bike", with(func(f *Feedback) { f.QueryWeight = 0 }), feedbackText},
		{"query weight NaN", "return a bike", with(func(f *Feedback) { f.QueryWeight = math.NaN() }), feedbackText},
		{"no fraction", "return a bike", with(func(f *Feedback) { f.MaxDocFraction = 0 }), feedbackText},
		{"every term too common", "return a bike", with(func(f *Feedback) { f.MaxDocFraction = 0.01 }), feedbackText},
		{"no text", "return a bike", on, nil},
		{"unknown text", "return a bike", on, func(uint32) string { return "zebra" }},
		{"no match", "zebra", on, feedbackText},
		{"empty query", "", on, feedbackText},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := ix.Parse(tc.query)
			got := ix.Expand(q, tc.fb, nil, tc.text)
			if !slices.Equal(got.terms, q.terms) || !slices.Equal(got.weights, q.weights) {
				t.Errorf("Expand changed the query: %v %v -> %v %v", q.terms, q.weights, got.terms, got.weights)
			}
		})
	}
}

func TestExpand_ReadsOnlyFilteredDocuments(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	var read []uint32
	text := func(id uint32) string { read = append(read, id); return feedbackCorpus[id] }
	only5 := func(id uint32) bool { return id == 5 }
	ix.Expand(ix.Parse("bike"), Feedback{Docs: 3, Terms: 5, QueryWeight: 0.5, MaxDocFraction: 0.5}, only5, text)
	if !slices.Equal(read, []uint32{5}) {
		t.Errorf("read documents %v, want [5]", read)
	}
}

func TestParse_SearchQueryIsSearch(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	for _, q := range []string{"bike", "the bike bike receipt", "", "zebra", "Refund RECEIPT 30"} {
		pq := ix.Parse(q)
		if len(pq.weights) != pq.Len() {
			t.Fatalf("%q: %d weights for %d terms", q, len(pq.weights), pq.Len())
		}
		for _, w := range pq.weights {
			if w != 1 {
				t.Errorf("%q: Parse weight %v, want 1", q, w)
			}
		}
		terms, _ := pq.Terms()
		if len(terms) != len(slices.Compact(slices.Sorted(slices.Values(terms)))) {
			t.Errorf("%q: Parse repeats a term: %v", q, terms)
		}
		if got, want := ix.SearchQuery(pq, 10, nil), searchRef(ix, q, 10, nil); !sameResults(got, want) {
			t.Errorf("%q: SearchQuery(Parse) %v, reference %v", q, got, want)
		}
	}
}

func TestSearchQuery_SkipsBadWeights(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	for _, w := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		q := Query{terms: []string{"bike"}, weights: []float64{w}}
		if got := ix.SearchQuery(q, 10, nil); len(got) != 0 {
			t.Errorf("weight %v: %d results, want none", w, len(got))
		}
	}
}

// FuzzExpand: any query and any feedback texts give an expansion whose
// weights are positive and finite and whose search returns each document
// at most once.
func FuzzExpand(f *testing.F) {
	f.Add("return a bike", "refund receipt", 3, 5, 0.5, 0.3)
	f.Add("返品 自転車", "返金 レシート", 20, 30, 0.8, 0.05)
	f.Add("", "", 0, 0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, query, extra string, docs, terms int, lambda, frac float64) {
		ix := New(append(slices.Clone(feedbackCorpus), extra))
		text := func(id uint32) string {
			if int(id) < len(feedbackCorpus) {
				return feedbackCorpus[id]
			}
			return extra
		}
		exp := ix.Expand(ix.Parse(query), Feedback{Docs: docs, Terms: terms, QueryWeight: lambda, MaxDocFraction: frac}, nil, text)
		if exp.Len() > ix.Parse(query).Len()+MaxFeedbackTerms {
			t.Fatalf("%d terms", exp.Len())
		}
		for i, w := range exp.weights {
			if !(w > 0) || math.IsInf(w, 0) {
				t.Fatalf("weight %v of %q", w, exp.terms[i])
			}
		}
		seen := map[uint32]bool{}
		for _, r := range ix.SearchQuery(exp, ix.Len(), nil) {
			if seen[r.ID] || !(r.Score > 0) {
				t.Fatalf("result %+v repeated or not positive", r)
			}
			seen[r.ID] = true
		}
	})
}

// BenchmarkExpand_N20k is a keyword search with DefaultFeedback against the
// 20,000 documents of the search benchmarks: the first search, the
// analysis of its 20 best documents and the expanded search.
func BenchmarkExpand_N20k(b *testing.B) {
	for _, lang := range []string{"en", "ja"} {
		qlen := 8
		if lang == "ja" {
			qlen = 30
		}
		texts, queries := benchCorpus(20_000, qlen, lang == "ja")
		ix := New(texts)
		text := func(id uint32) string { return texts[id] }
		b.Run("lang="+lang, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := ix.Expand(ix.Parse(queries[i%len(queries)]), DefaultFeedback, nil, text)
				ix.SearchQuery(q, 10, nil)
				i++
			}
		})
	}
}

func TestSearchQuery_Fields(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	heads := make([]string, len(feedbackCorpus))
	for i := range heads {
		heads[i] = []string{"Returns", "Refunds", "Tyres", "Chain", "Brakes", "Connectivity", "Lights", "Firmware", "Saddle", "Battery storage"}[i]
	}
	hx := New(heads)
	short := New(heads[:3])
	bySum := func(q string, w float64) map[uint32]float64 {
		out := map[uint32]float64{}
		for _, r := range ix.Search(q, 100, nil) {
			out[r.ID] += r.Score
		}
		for _, r := range hx.Search(q, 100, nil) {
			out[r.ID] += w * r.Score
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		query  string
		fields []Field
		want   map[uint32]float64 // nil: Search's results
	}{
		{"no fields", "bike refund", nil, nil},
		{"nil index", "bike refund", []Field{{Index: nil, Weight: 1}}, nil},
		{"other length", "bike refund", []Field{{Index: short, Weight: 1}}, nil},
		{"zero weight", "bike refund", []Field{{Index: hx, Weight: 0}}, nil},
		{"negative weight", "bike refund", []Field{{Index: hx, Weight: -1}}, nil},
		{"NaN weight", "bike refund", []Field{{Index: hx, Weight: math.NaN()}}, nil},
		{"infinite weight", "bike refund", []Field{{Index: hx, Weight: math.Inf(1)}}, nil},
		{"added", "bike refund", []Field{{Index: hx, Weight: 0.2}}, bySum("bike refund", 0.2)},
		{"both", "storage", []Field{{Index: hx, Weight: 0.5}}, bySum("storage", 0.5)},
		// No body has the word: the field alone finds doc 5.
		{"field only", "connectivity", []Field{{Index: hx, Weight: 0.5}}, bySum("connectivity", 0.5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ix.SearchQuery(ix.Parse(tc.query), 100, nil, tc.fields...)
			if tc.want == nil {
				if want := ix.Search(tc.query, 100, nil); !sameResults(got, want) {
					t.Errorf("got %v, want Search's %v", got, want)
				}
				return
			}
			if len(got) != len(tc.want) || len(got) == 0 {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for _, r := range got {
				if math.Abs(r.Score-tc.want[r.ID]) > 1e-12 {
					t.Errorf("doc %d: score %v, want %v", r.ID, r.Score, tc.want[r.ID])
				}
			}
		})
	}
}

// The first search of Expand ranks with the fields: a query matching a
// document's heading only still gets that document's terms.
func TestExpand_FirstSearchUsesFields(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	heads := make([]string, len(feedbackCorpus))
	heads[5] = "Connectivity" // no body has the word
	hx := New(heads)
	fb := Feedback{Docs: 1, Terms: 3, QueryWeight: 0.5, MaxDocFraction: 0.5}
	q := ix.Parse("connectivity")
	if got := ix.Expand(q, fb, nil, feedbackText); got.Len() != q.Len() {
		t.Fatalf("without the field: %v, want no expansion", got.terms)
	}
	got := ix.Expand(q, fb, nil, feedbackText, Field{Index: hx, Weight: 1})
	if got.Len() <= q.Len() || !slices.Contains(got.terms, "bluetooth") {
		t.Errorf("with the field: %v, want doc 5's terms (bluetooth)", got.terms)
	}
}

// TestSearchQuery_GroupedField: a field indexed by group (the section of
// each chunk, once) adds its group's score to every member the filter
// allows, finds members sharing no word with the query, and is left out
// when its grouping does not fit.
func TestSearchQuery_GroupedField(t *testing.T) {
	t.Parallel()
	ix := New(feedbackCorpus)
	of := []uint32{0, 0, 1, 1, 1, 2, 3, 3, 4, 4}
	texts := make([]string, 5)
	for d, g := range of {
		texts[g] += feedbackCorpus[d] + "\n"
	}
	gx := New(texts)
	groups := NewGroups(of, 5)
	if groups == nil || groups.Len() != 10 || groups.Count() != 5 || !slices.Equal(groups.Members(1), []uint32{2, 3, 4}) {
		t.Fatalf("groups %+v", groups)
	}
	if NewGroups([]uint32{0, 5}, 5) != nil {
		t.Error("a group beyond the count was accepted")
	}
	const w = 0.3
	for _, tc := range []struct {
		query  string
		filter func(uint32) bool
	}{
		{"bike refund", nil},
		{"storage", nil},
		{"bike refund", func(id uint32) bool { return id%2 == 0 }},
	} {
		want := map[uint32]float64{}
		for _, r := range ix.SearchQuery(ix.Parse(tc.query), 100, tc.filter) {
			want[r.ID] += r.Score
		}
		for _, r := range gx.Search(tc.query, 100, nil) {
			for _, m := range groups.Members(int(r.ID)) {
				if tc.filter == nil || tc.filter(m) {
					want[m] += w * r.Score
				}
			}
		}
		got := ix.SearchQuery(ix.Parse(tc.query), 100, tc.filter, Field{Sections: ix.Sections(groups), Weight: w})
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%q: got %v, want %v", tc.query, got, want)
		}
		for _, r := range got {
			if math.Abs(r.Score-want[r.ID]) > 1e-12 {
				t.Errorf("%q doc %d: score %v, want %v", tc.query, r.ID, r.Score, want[r.ID])
			}
		}
	}
	// A grouping of other documents is refused, and sections of another
	// index are left out.
	if ix.Sections(NewGroups(of[:9], 5)) != nil || ix.Sections(nil) != nil {
		t.Error("a grouping of other documents was accepted")
	}
	plain := ix.Search("bike refund", 100, nil)
	for _, f := range []Field{
		{Sections: New(feedbackCorpus).Sections(groups), Weight: w},
		{Sections: ix.Sections(groups), Weight: 0},
	} {
		if got := ix.SearchQuery(ix.Parse("bike refund"), 100, nil, f); !sameResults(got, plain) {
			t.Errorf("unfit grouping used: %v", got)
		}
	}
}
