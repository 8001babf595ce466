package ann

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/ann/synth"
)

// testData returns clustered base and query vectors.
func testData(t testing.TB, n, q, dim int, normalize bool) (base, queries []float32) {
	t.Helper()
	base, queries, err := synth.Generate(synth.Config{N: n, Queries: q, Dim: dim, Clusters: 20, Rank: 12, Seed: 7, Normalize: normalize})
	if err != nil {
		t.Fatal(err)
	}
	return base, queries
}

// recallAt measures mean recall@k of idx against exact search.
func recallAt(t testing.TB, idx Index, exact *Flat, queries []float32, k int, opts SearchOptions) float64 {
	t.Helper()
	dim := idx.Dim()
	hits, total := 0, 0
	for off := 0; off+dim <= len(queries); off += dim {
		q := queries[off : off+dim]
		want, err := exact.Search(q, k, SearchOptions{Filter: opts.Filter})
		if err != nil {
			t.Fatal(err)
		}
		got, err := idx.Search(q, k, opts)
		if err != nil {
			t.Fatal(err)
		}
		if opts.Filter != nil {
			for _, g := range got {
				if !opts.Filter(g.ID) {
					t.Fatalf("filter rejected id %d returned", g.ID)
				}
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].Distance < got[i-1].Distance {
				t.Fatalf("results out of order: %v", got)
			}
		}
		total += len(want)
		for _, w := range want {
			for _, g := range got {
				if g.ID == w.ID {
					hits++
					break
				}
			}
		}
	}
	if total == 0 {
		return 1
	}
	return float64(hits) / float64(total)
}

func clone(v []float32) []float32 { return slices.Clone(v) }

func mustBuild(t testing.TB, dim int, m Metric, base []float32, cfg HNSWConfig) *HNSW {
	t.Helper()
	h, err := BuildHNSW(context.Background(), dim, m, clone(base), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustFlat(t testing.TB, dim int, m Metric, base []float32) *Flat {
	t.Helper()
	f, err := NewFlat(dim, m, clone(base))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRecallAllMetrics(t *testing.T) {
	const n, dim, k = 5000, 64, 10
	base, queries := testData(t, n, 100, dim, false)
	for _, m := range []Metric{Cosine, InnerProduct, L2} {
		t.Run(m.String(), func(t *testing.T) {
			h := mustBuild(t, dim, m, base, HNSWConfig{EFConstruction: 100})
			f := mustFlat(t, dim, m, base)
			r := recallAt(t, h, f, queries, k, SearchOptions{})
			t.Logf("%v recall@%d at default ef %d: %.4f", m, k, h.Config().EFSearch, r)
			if r < 0.95 {
				t.Errorf("recall@%d = %.4f < 0.95", k, r)
			}
			// A sharper check: with ef = k a sound graph still finds most.
			r = recallAt(t, h, f, queries, k, SearchOptions{EF: k})
			t.Logf("%v recall@%d at ef %d: %.4f", m, k, k, r)
			if r < 0.85 {
				t.Errorf("recall@%d at ef %d = %.4f < 0.85", k, k, r)
			}
		})
	}
}

func TestSearchBothKernels(t *testing.T) {
	if !useSIMD {
		t.Log("CPU lacks AVX2/FMA: only the pure-Go kernels run here")
	}
	const n, dim, k = 1000, 32, 10
	base, queries := testData(t, n, 30, dim, true)
	saved := useSIMD
	defer func() { useSIMD = saved }()
	var results [2][][]Neighbor
	for i, simd := range []bool{false, saved} {
		useSIMD = simd
		h := mustBuild(t, dim, Cosine, base, HNSWConfig{Workers: 1, EFConstruction: 64})
		f := mustFlat(t, dim, Cosine, base)
		if r := recallAt(t, h, f, queries, k, SearchOptions{}); r < 0.95 {
			t.Errorf("simd=%v: recall %.4f", simd, r)
		}
		for off := 0; off < len(queries); off += dim {
			res, _ := f.Search(queries[off:off+dim], k, SearchOptions{})
			results[i] = append(results[i], res)
		}
	}
	for qi := range results[0] {
		for j := range results[0][qi] {
			a, b := results[0][qi][j], results[1][qi][j]
			if math.Abs(float64(a.Distance-b.Distance)) > 1e-4 {
				t.Fatalf("query %d rank %d: go %v simd %v", qi, j, a, b)
			}
		}
	}
}

func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range []int{1, 3, 4, 7, 16, 31, 32, 33, 100, 384, 1000} {
		a, b := make([]float32, d), make([]float32, d)
		for i := range a {
			a[i], b[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		var wantDot, wantL2 float64
		for i := range a {
			wantDot += float64(a[i]) * float64(b[i])
			x := float64(a[i]) - float64(b[i])
			wantL2 += x * x
		}
		tol := 1e-4 * float64(d)
		check := func(name string, got float32, want float64) {
			if math.Abs(float64(got)-want) > tol {
				t.Errorf("d=%d %s = %v, want %v", d, name, got, want)
			}
		}
		check("dotGo", dotGo(a, b), wantDot)
		check("l2sqGo", l2sqGo(a, b), wantL2)
		check("dot", dot(a, b), wantDot)
		check("l2sq", l2sq(a, b), wantL2)
	}
}

// TestNormalizable: Normalizable is true exactly for the vectors that
// Normalize scales to unit length.
func TestNormalizable(t *testing.T) {
	t.Parallel()
	fill := func(x float32, n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = x
		}
		return v
	}
	tests := []struct {
		name string
		v    []float32
		want bool
	}{
		{"unit", []float32{0.6, 0.8}, true},
		{"long", []float32{3, 4}, true},
		{"small but normal", fill(1e-15, 8), true},
		{"large but finite norm", fill(1e18, 8), true},
		{"1024 dims", fill(0.03125, 1024), true},
		{"empty", nil, false},
		{"zero", fill(0, 8), false},
		{"squares underflow to zero", fill(1e-45, 8), false},
		{"subnormal squared norm", append([]float32{1e-22}, fill(0, 7)...), false},
		{"squared norm overflows", fill(3e38, 8), false},
		{"NaN", []float32{float32(math.NaN()), 1}, false},
		{"infinite", []float32{float32(math.Inf(-1)), 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := append([]float32(nil), tc.v...)
			if got := Normalizable(v); got != tc.want {
				t.Fatalf("Normalizable = %v, want %v", got, tc.want)
			}
			if len(v) == 0 {
				return
			}
			Normalize(v)
			var sq float64
			for _, x := range v {
				sq += float64(x) * float64(x)
			}
			if unit := math.Abs(sq-1) <= 1e-3; unit != tc.want {
				t.Fatalf("after Normalize the squared norm is %g; Normalizable said %v", sq, tc.want)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	Normalize(v)
	if math.Abs(float64(v[0])-0.6) > 1e-6 || math.Abs(float64(v[1])-0.8) > 1e-6 {
		t.Fatal(v)
	}
	z := []float32{0, 0}
	Normalize(z)
	if z[0] != 0 || z[1] != 0 {
		t.Fatal(z)
	}
	Normalize(nil)
	// normalizeRows leaves unit rows bit-identical.
	rows := []float32{0.6, 0.8, 3, 4}
	normalizeRows(rows, 2)
	if rows[0] != 0.6 || rows[1] != 0.8 || math.Abs(float64(rows[2])-0.6) > 1e-6 {
		t.Fatal(rows)
	}
}

// TestSelectNeighbors checks the heuristic on points on a line and a plane.
func TestSelectNeighbors(t *testing.T) {
	// Base at the origin. Candidates: 1 at (1,0); 2 at (1.1,0.1) is closer
	// to 1 than to the base, so it is dropped; 3 at (-1.2,0) lies the
	// other way and is kept; 4 at (0,1.5) is kept.
	vecs := []float32{0, 0, 1, 0, 1.1, 0.1, -1.2, 0, 0, 1.5}
	s := &space{dim: 2, metric: L2, vectors: vecs}
	var cands []Neighbor
	for id := uint32(1); id <= 4; id++ {
		cands = append(cands, Neighbor{ID: id, Distance: s.pairDist(0, id)})
	}
	sortNeighbors(cands)
	got := s.selectNeighbors(cands, 3, nil)
	ids := []uint32{}
	for _, g := range got {
		ids = append(ids, g.ID)
	}
	if !slices.Equal(ids, []uint32{1, 3, 4}) {
		t.Fatalf("selected %v, want [1 3 4]", ids)
	}
	// With m=2 it stops after two kept.
	if got := s.selectNeighbors(cands, 2, nil); len(got) != 2 || got[1].ID != 3 {
		t.Fatalf("m=2 selected %v", got)
	}
	// Fewer candidates than m: all kept, no pruning.
	if got := s.selectNeighbors(cands[:2], 3, nil); len(got) != 2 {
		t.Fatalf("short list pruned: %v", got)
	}
}

func TestFilteredSearch(t *testing.T) {
	const n, dim, k = 4000, 32, 10
	base, queries := testData(t, n, 50, dim, true)
	// Four workers even on a one-CPU machine: the parallel build is
	// exercised (and checked by -race) wherever the test runs.
	h := mustBuild(t, dim, Cosine, base, HNSWConfig{EFConstruction: 64, Workers: 4})
	f := mustFlat(t, dim, Cosine, base)
	for _, mod := range []uint32{2, 5, 50, 1000} {
		filter := func(id uint32) bool { return id%mod == 0 }
		r := recallAt(t, h, f, queries, k, SearchOptions{Filter: filter, EF: 100})
		t.Logf("filter 1/%d: recall %.4f", mod, r)
		if r < 0.95 {
			t.Errorf("filter 1/%d: recall %.4f", mod, r)
		}
		if r := recallAt(t, f, f, queries, k, SearchOptions{Filter: filter}); r != 1 {
			t.Errorf("flat filtered recall %.4f", r)
		}
	}
	// Nothing admitted.
	res, err := h.Search(queries[:dim], k, SearchOptions{Filter: func(uint32) bool { return false }})
	if err != nil || len(res) != 0 {
		t.Fatalf("reject-all: %v %v", res, err)
	}
	// The graph path (not the exact fallback) on its own.
	c := h.getCtx()
	defer h.pool.Put(c)
	q := clone(queries[:dim])
	Normalize(q)
	h.searchLayer(c, q, h.entry, h.dist(q, h.entry), 50, 0, func(id uint32) bool { return id%3 == 0 }, 0)
	if len(c.res) != 50 {
		t.Fatalf("graph filtered search held %d results, want 50", len(c.res))
	}
	for _, x := range c.res {
		if x.ID%3 != 0 {
			t.Fatalf("graph filtered search admitted %d", x.ID)
		}
	}
}

func TestConcurrentSearch(t *testing.T) {
	const n, dim, k = 3000, 32, 10
	base, queries := testData(t, n, 64, dim, true)
	h := mustBuild(t, dim, Cosine, base, HNSWConfig{EFConstruction: 64})
	nq := len(queries) / dim
	want := make([][]Neighbor, nq)
	for i := range want {
		want[i], _ = h.Search(queries[i*dim:(i+1)*dim], k, SearchOptions{})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < 3; r++ {
				for i := (g + r) % nq; i < nq; i += 5 {
					got, err := h.Search(queries[i*dim:(i+1)*dim], k, SearchOptions{})
					if err != nil || !slices.Equal(got, want[i]) {
						errs <- "concurrent result differs"
						return
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestEdgeCases(t *testing.T) {
	ctx := context.Background()
	// Empty index.
	h, err := BuildHNSW(ctx, 4, L2, nil, HNSWConfig{})
	if err != nil || h.Len() != 0 {
		t.Fatal(h, err)
	}
	if res, err := h.Search(make([]float32, 4), 3, SearchOptions{}); err != nil || len(res) != 0 {
		t.Fatal(res, err)
	}
	f, err := NewFlat(4, L2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := f.Search(make([]float32, 4), 3, SearchOptions{}); err != nil || len(res) != 0 {
		t.Fatal(res, err)
	}
	// Empty graph round trip.
	var buf bytes.Buffer
	if _, err := h.WriteGraph(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadHNSW(&buf, 4, L2, nil); err != nil {
		t.Fatal(err)
	}

	// k > n, single vector, k <= 0.
	base := []float32{0, 0, 1, 0, 0, 1, 1, 1, 5, 5}
	h = mustBuild(t, 2, L2, base, HNSWConfig{})
	res, err := h.Search([]float32{0, 0}, 10, SearchOptions{})
	if err != nil || len(res) != 5 || res[0].ID != 0 || res[4].ID != 4 {
		t.Fatalf("k>n: %v %v", res, err)
	}
	if res, _ := h.Search([]float32{0, 0}, 0, SearchOptions{}); len(res) != 0 {
		t.Fatal(res)
	}
	fl := mustFlat(t, 2, L2, base)
	// Small integers: every kernel computes exactly 25+25 (issue 9).
	if res, _ := fl.Search([]float32{0, 0}, 10, SearchOptions{}); len(res) != 5 || res[4].Distance != 50 {
		t.Fatal(res)
	}
	one := mustBuild(t, 2, Cosine, []float32{1, 2}, HNSWConfig{})
	if res, _ := one.Search([]float32{1, 2}, 3, SearchOptions{}); len(res) != 1 || math.Abs(float64(res[0].Distance)) > 1e-6 {
		t.Fatal(res)
	}

	// Dimension mismatches.
	for _, idx := range []Index{h, fl} {
		if _, err := idx.Search([]float32{1, 2, 3}, 1, SearchOptions{}); !errors.Is(err, ErrDimension) {
			t.Errorf("%T: %v", idx, err)
		}
	}
	if _, err := BuildHNSW(ctx, 3, L2, []float32{1, 2}, HNSWConfig{}); !errors.Is(err, ErrDimension) {
		t.Error(err)
	}
	if _, err := NewFlat(3, L2, []float32{1, 2}); !errors.Is(err, ErrDimension) {
		t.Error(err)
	}
	var g bytes.Buffer
	h.WriteGraph(&g)
	if _, err := ReadHNSW(bytes.NewReader(g.Bytes()), 2, L2, []float32{1, 2, 3}); !errors.Is(err, ErrDimension) {
		t.Error(err)
	}
	// Bad arguments.
	for _, bad := range []func() error{
		func() error { _, err := BuildHNSW(ctx, 0, L2, nil, HNSWConfig{}); return err },
		func() error { _, err := BuildHNSW(ctx, 2, Metric(9), nil, HNSWConfig{}); return err },
		func() error { _, err := BuildHNSW(ctx, 2, L2, nil, HNSWConfig{M: 1}); return err },
		func() error { _, err := BuildHNSW(ctx, 2, L2, nil, HNSWConfig{EFSearch: -1}); return err },
		func() error { _, err := BuildHNSW(ctx, 2, L2, nil, HNSWConfig{Workers: -1}); return err },
		func() error { _, err := BuildHNSW(ctx, 2, L2, nil, HNSWConfig{Workers: MaxWorkers + 1}); return err },
		func() error { _, err := NewFlat(2, 0, nil); return err },
	} {
		if bad() == nil {
			t.Error("bad argument accepted")
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	h := mustBuild(t, 2, L2, []float32{1, 2, 3, 4}, HNSWConfig{})
	c := h.Config()
	if c.M != 16 || c.EFConstruction != 200 || c.EFSearch != DefaultEFSearch || c.Workers != runtime.GOMAXPROCS(0) || c.Seed != 1 {
		t.Fatalf("%+v", c)
	}
}

func TestBuildCancel(t *testing.T) {
	base, _ := testData(t, 20000, 0, 32, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := BuildHNSW(ctx, 32, Cosine, clone(base), HNSWConfig{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := BuildHNSW(ctx, 32, Cosine, base, HNSWConfig{})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled mid-build: %v", err)
	}
}

func TestDeterministicSingleWorker(t *testing.T) {
	base, _ := testData(t, 1500, 0, 16, true)
	var a, b bytes.Buffer
	mustBuild(t, 16, Cosine, base, HNSWConfig{Workers: 1, EFConstruction: 50}).WriteGraph(&a)
	mustBuild(t, 16, Cosine, base, HNSWConfig{Workers: 1, EFConstruction: 50}).WriteGraph(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("single-worker builds differ")
	}
}

func TestGraphInvariants(t *testing.T) {
	base, _ := testData(t, 4000, 0, 24, true)
	h := mustBuild(t, 24, Cosine, base, HNSWConfig{M: 8, EFConstruction: 60})
	// Every node except a lone entry has level-0 links; ReadHNSW's checks
	// (range, no self link, trailing empties, levels) hold after a build.
	var buf bytes.Buffer
	if _, err := h.WriteGraph(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadHNSW(&buf, 24, Cosine, clone(h.Vectors())); err != nil {
		t.Fatal(err)
	}
	empty := 0
	for i := 0; i < h.n; i++ {
		if listLen(h.links(uint32(i), 0)) == 0 {
			empty++
		}
	}
	if empty > 0 {
		t.Fatalf("%d nodes without level-0 links", empty)
	}
	if int(h.levels[h.entry]) != h.maxLevel {
		t.Fatal("entry not on the top level")
	}
}

func TestPersistRoundTrip(t *testing.T) {
	const n, dim, k = 2000, 32, 10
	base, queries := testData(t, n, 40, dim, false)
	for _, m := range []Metric{Cosine, InnerProduct, L2} {
		h := mustBuild(t, dim, m, base, HNSWConfig{M: 12, EFConstruction: 80, EFSearch: 40, Seed: 5})
		var buf bytes.Buffer
		wn, err := h.WriteGraph(&buf)
		if err != nil || wn != int64(buf.Len()) {
			t.Fatal(wn, err)
		}
		// The store persists h.Vectors() (already normalised for cosine).
		h2, err := ReadHNSW(bytes.NewReader(buf.Bytes()), dim, m, clone(h.Vectors()))
		if err != nil {
			t.Fatal(err)
		}
		if h2.Config() != h.Config() {
			t.Fatalf("config %+v != %+v", h2.Config(), h.Config())
		}
		for off := 0; off < len(queries); off += dim {
			a, _ := h.Search(queries[off:off+dim], k, SearchOptions{})
			b, _ := h2.Search(queries[off:off+dim], k, SearchOptions{})
			if !slices.Equal(a, b) {
				t.Fatalf("%v: results differ after reload:\n%v\n%v", m, a, b)
			}
		}
		var buf2 bytes.Buffer
		h2.WriteGraph(&buf2)
		if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Fatal("rewritten graph differs")
		}
	}
}

func smallGraph(t testing.TB) ([]byte, []float32) {
	base, _ := testData(t, 300, 0, 8, true)
	h := mustBuild(t, 8, Cosine, base, HNSWConfig{M: 4, EFConstruction: 20, Workers: 1})
	var buf bytes.Buffer
	h.WriteGraph(&buf)
	return buf.Bytes(), h.Vectors()
}

func TestReadCorrupt(t *testing.T) {
	good, vecs := smallGraph(t)
	n := len(vecs) / 8
	read := func(b []byte) error {
		_, err := ReadHNSW(bytes.NewReader(b), 8, Cosine, clone(vecs))
		return err
	}
	if err := read(good); err != nil {
		t.Fatal(err)
	}
	// Every truncation fails with a GraphError at the cut.
	for cut := 0; cut < len(good); cut++ {
		err := read(good[:cut])
		var ge *GraphError
		if !errors.As(err, &ge) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if ge.Offset != int64(cut) {
			t.Fatalf("cut %d: offset %d (%v)", cut, ge.Offset, err)
		}
	}
	level0 := headerSize + n
	// A level-0 slot after an empty one: the last slot of the first
	// node whose list is not full.
	gap, gapID := -1, uint32(0)
	for i := 0; i < n && gap < 0; i++ {
		last := level0 + 4*(i*8+7)
		if binary.LittleEndian.Uint32(good[last-4:]) == none {
			gap, gapID = last, uint32(i+1)%uint32(n)
		}
	}
	patch := func(off int, v uint32) []byte {
		b := slices.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	cases := []struct {
		name string
		data []byte
		off  int
		want string
	}{
		{"magic", patch(0, 0), 0, "magic"},
		{"version", patch(8, 2), 8, "version"},
		{"dim", patch(12, 9), 12, "dimension"},
		{"metric", patch(16, 3), 16, "metric"},
		{"n", patch(20, uint32(n+1)), 20, "nodes"},
		{"M", patch(24, 0), 24, "M"},
		{"M huge", patch(24, 1<<30), 24, "M"},
		{"efc", patch(28, 0), 28, "EFConstruction"},
		{"efs", patch(32, 1<<30), 32, "EFSearch"},
		{"workers", patch(36, 0), 36, "Workers"},
		{"entry", patch(48, uint32(n)), 48, "entry"},
		{"max level", patch(52, 200), 52, "max level"},
		{"upper slots", patch(56, 12345), 56, "upper slots"},
		{"link range", patch(level0, uint32(n)), level0, "out of range"},
		{"self link", patch(level0, 0), level0, "itself"},
		{"gap", patch(gap, gapID), gap, "after an empty slot"},
	}
	for _, c := range cases {
		err := read(c.data)
		var ge *GraphError
		if !errors.As(err, &ge) || ge.Offset != int64(c.off) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (want offset %d, %q)", c.name, err, c.off, c.want)
		}
	}
	// A flipped bit in a level byte or a link that stays valid is caught
	// by the checksum at the end.
	b := slices.Clone(good)
	b[level0+1] ^= 0x01
	var ge *GraphError
	if err := read(b); !errors.As(err, &ge) {
		t.Errorf("flipped link bit: %v", err)
	}
}

func FuzzReadHNSW(f *testing.F) {
	// A small graph keeps inputs short so the fuzzer mutates headers and
	// links rather than spending its time copying.
	base, _ := testData(f, 40, 0, 4, true)
	h := mustBuild(f, 4, Cosine, base, HNSWConfig{M: 2, EFConstruction: 8, Workers: 1})
	var buf bytes.Buffer
	h.WriteGraph(&buf)
	good, vecs := buf.Bytes(), h.Vectors()
	f.Add(good)
	f.Add(good[:headerSize])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Once as given, and once with the checksum recomputed so that
		// mutated graphs which pass every check are searched too.
		inputs := [][]byte{data}
		if len(data) >= 4 {
			fixed := slices.Clone(data)
			binary.LittleEndian.PutUint32(fixed[len(fixed)-4:], crc32.Checksum(fixed[:len(fixed)-4], castagnoli))
			inputs = append(inputs, fixed)
		}
		for _, in := range inputs {
			g, err := ReadHNSW(bytes.NewReader(in), 4, Cosine, clone(vecs))
			if err != nil {
				var ge *GraphError
				if !errors.As(err, &ge) {
					t.Fatalf("error is not a GraphError: %v", err)
				}
				continue
			}
			// Whatever loads must be searchable without panicking.
			for _, q := range [][]float32{vecs[:4], {1, 0, 0, 0}} {
				if _, err := g.Search(q, 5, SearchOptions{EF: 10}); err != nil {
					t.Fatal(err)
				}
				if _, err := g.Search(q, 5, SearchOptions{Filter: func(id uint32) bool { return id%2 == 0 }}); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func TestSearchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	base, queries := testData(t, 3000, 10, 32, true)
	h := mustBuild(t, 32, Cosine, base, HNSWConfig{EFConstruction: 64})
	f := mustFlat(t, 32, Cosine, base)
	q := queries[:32]
	filter := func(id uint32) bool { return id%2 == 0 }
	for name, fn := range map[string]func(){
		"hnsw":          func() { h.Search(q, 10, SearchOptions{}) },
		"hnsw filtered": func() { h.Search(q, 10, SearchOptions{Filter: filter}) },
		"flat":          func() { f.Search(q, 10, SearchOptions{}) },
	} {
		fn()
		if a := testing.AllocsPerRun(200, fn); a > 1 {
			t.Errorf("%s: %.1f allocations per search, want 1 (the result)", name, a)
		}
	}
}

// TestReadHNSWUnit_LeavesRowsAlone: ReadHNSWUnit neither normalises nor
// needs to write the rows (they may be a read-only mapping), and on unit
// rows it searches exactly as ReadHNSW does.
func TestReadHNSWUnit_LeavesRowsAlone(t *testing.T) {
	t.Parallel()
	graph, unit := smallGraph(t)
	scaled := clone(unit)
	for i := range scaled {
		scaled[i] *= 3
	}
	tests := []struct {
		name   string
		read   func(io.Reader, int, Metric, []float32) (*HNSW, error)
		rows   []float32
		wantEq []float32 // the rows after the read
	}{
		{"ReadHNSW normalises", ReadHNSW, clone(scaled), unit},
		{"ReadHNSWUnit leaves them", ReadHNSWUnit, clone(scaled), scaled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := tt.read(bytes.NewReader(graph), 8, Cosine, tt.rows); err != nil {
				t.Fatal(err)
			}
			for i := range tt.rows {
				if d := tt.rows[i] - tt.wantEq[i]; d > 1e-5 || d < -1e-5 {
					t.Fatalf("row component %d = %v, want %v", i, tt.rows[i], tt.wantEq[i])
				}
			}
		})
	}
	a, err := ReadHNSW(bytes.NewReader(graph), 8, Cosine, clone(unit))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadHNSWUnit(bytes.NewReader(graph), 8, Cosine, clone(unit))
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(unit); off += 8 * 17 {
		ra, _ := a.Search(unit[off:off+8], 5, SearchOptions{})
		rb, _ := b.Search(unit[off:off+8], 5, SearchOptions{})
		if !slices.Equal(ra, rb) {
			t.Fatalf("query %d: %v vs %v", off/8, ra, rb)
		}
	}
}

// TestHNSWConfig_DefaultWorkersWithinBound: the default of one worker per
// CPU never exceeds MaxWorkers, so a machine with more CPUs (or a large
// GOMAXPROCS) still builds with the zero config. Not parallel: it sets
// GOMAXPROCS for the whole process, and parallel tests wait for it.
func TestHNSWConfig_DefaultWorkersWithinBound(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(MaxWorkers + 1))
	c, err := HNSWConfig{}.withDefaults()
	if err != nil || c.Workers != MaxWorkers {
		t.Fatalf("withDefaults at GOMAXPROCS %d: Workers %d, %v; want %d", MaxWorkers+1, c.Workers, err, MaxWorkers)
	}
}
