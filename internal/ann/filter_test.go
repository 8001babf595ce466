package ann

import (
	"fmt"
	"testing"
)

// TestFilteredSearch_Selectivity checks recall against exact search on an
// index large enough that Search takes the graph path for loose filters
// and the exact scan for tight ones, plus the adversarial filter that
// admits exactly the ids the selectivity sample probes.
func TestFilteredSearch_Selectivity(t *testing.T) {
	const n, dim, k = 20_000, 16, 10
	base, queries := testData(t, n, 40, dim, true)
	h := mustBuild(t, dim, Cosine, base, HNSWConfig{EFConstruction: 48, Workers: 4})
	f := mustFlat(t, dim, Cosine, base)
	tests := []struct {
		name      string
		filter    func(uint32) bool
		wantExact bool // the cost model must pick the scan
	}{
		{"p=0.01", uniformFilter(n, 0.01, 1), true},
		{"p=0.05", uniformFilter(n, 0.05, 2), true},
		{"p=0.20", uniformFilter(n, 0.20, 3), true},
		{"p=0.50", uniformFilter(n, 0.50, 4), false},
		{"p=0.90", uniformFilter(n, 0.90, 5), false},
		{"adversarial: sample passes 256 of 256, 256 rows admitted", adversarialFilter(n), false},
		{"adversarial: sample passes 13 of 256, 13 rows admitted", sparseAdversarialFilter(n), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.walkLimit(tc.filter, k, h.cfg.EFSearch) == 0; got != tc.wantExact {
				t.Errorf("exact scan chosen = %v, want %v", got, tc.wantExact)
			}
			r := recallAt(t, h, f, queries, k, SearchOptions{Filter: tc.filter})
			t.Logf("recall@%d %.4f", k, r)
			if r < 0.95 {
				t.Errorf("recall@%d %.4f, want >= 0.95", k, r)
			}
			if raceEnabled {
				return // sync.Pool drops items at random under the race detector
			}
			q := queries[:dim]
			if a := testing.AllocsPerRun(50, func() { h.Search(q, k, SearchOptions{Filter: tc.filter}) }); a > 1 {
				t.Errorf("%.1f allocations per search, want 1 (the result)", a)
			}
		})
	}
}

// TestFilteredSearch_WalkFallsBack checks that a walk misled by the sample
// (it sees p = 1, the filter admits 256 rows) gives up and scans: asking
// for more results than exist must return every admitted row, exactly.
func TestFilteredSearch_WalkFallsBack(t *testing.T) {
	const n, dim, k = 20_000, 16, 300
	base, queries := testData(t, n, 3, dim, true)
	h := mustBuild(t, dim, Cosine, base, HNSWConfig{EFConstruction: 32, Workers: 4})
	f := mustFlat(t, dim, Cosine, base)
	filter := adversarialFilter(n)
	for i := range 3 {
		q := queries[i*dim : (i+1)*dim]
		got, _ := h.Search(q, k, SearchOptions{Filter: filter})
		want, _ := f.Search(q, k, SearchOptions{Filter: filter})
		if len(got) != filterSamples || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("query %d: %d results, want the %d exact ones", i, len(got), len(want))
		}
	}
}

// TestSearchLayer_Limit checks that a limited walk stops and reports it.
func TestSearchLayer_Limit(t *testing.T) {
	const n, dim = 3000, 16
	base, queries := testData(t, n, 1, dim, true)
	h := mustBuild(t, dim, Cosine, base, HNSWConfig{EFConstruction: 32})
	q := clone(queries[:dim])
	Normalize(q)
	none := func(uint32) bool { return false }
	for _, limit := range []int{0, 1, 100, n} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			c := h.getCtx()
			defer h.pool.Put(c)
			done := h.searchLayer(c, q, h.entry, h.dist(q, h.entry), 10, 0, none, limit)
			if want := limit == 0 || limit >= n; done != want {
				t.Errorf("searchLayer reported complete = %v, want %v", done, want)
			}
		})
	}
}
