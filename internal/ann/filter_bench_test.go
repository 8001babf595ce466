package ann

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/ann/synth"
)

// filterBench holds the 128-dimension indexes BenchmarkFilteredSearch_D128
// runs on, built once per process.
var filterBench struct {
	sync.Mutex
	idx map[int]*filterBenchIndex
}

type filterBenchIndex struct {
	h       *HNSW
	queries []float32
}

func loadFilterBench(b *testing.B, n int) *filterBenchIndex {
	filterBench.Lock()
	defer filterBench.Unlock()
	if x := filterBench.idx[n]; x != nil {
		return x
	}
	base, queries, err := synth.Generate(synth.Config{N: n, Queries: 200, Dim: 128, Seed: 1, Normalize: true})
	if err != nil {
		b.Fatal(err)
	}
	h, err := BuildHNSW(context.Background(), 128, Cosine, base, HNSWConfig{})
	if err != nil {
		b.Fatal(err)
	}
	if filterBench.idx == nil {
		filterBench.idx = map[int]*filterBenchIndex{}
	}
	x := &filterBenchIndex{h: h, queries: queries}
	filterBench.idx[n] = x
	return x
}

// uniformFilter admits each id independently with probability p.
func uniformFilter(n int, p float64, seed uint64) func(uint32) bool {
	rng := rand.New(rand.NewPCG(seed, 11))
	adm := make([]bool, n)
	for i := range adm {
		adm[i] = rng.Float64() < p
	}
	return func(id uint32) bool { return adm[id] }
}

// adversarialFilter admits every id the selectivity sample probes and only
// them: the sample sees p = 1 while the real fraction is 256/n.
func adversarialFilter(n int) func(uint32) bool {
	step := uint32(n / filterSamples)
	return func(id uint32) bool { return id%step == 0 && id/step < filterSamples }
}

// sparseAdversarialFilter admits every 20th sampled id and nothing else:
// 13 of the 256 sampled ids pass (about 5%) while 13 rows of n are admitted.
func sparseAdversarialFilter(n int) func(uint32) bool {
	every := uint32(20 * (n / filterSamples))
	adv := adversarialFilter(n)
	return func(id uint32) bool { return id%every == 0 && adv(id) }
}

// BenchmarkFilteredSearch_D128 compares, per filter selectivity and index
// size, the exact scan (path=exact), the unbounded graph walk as it was
// before the cost model (path=graph) and Search's own choice (path=auto),
// k = 10, default ef 64. It calibrates graphDistPerEF and filterCostRatio.
func BenchmarkFilteredSearch_D128(b *testing.B) {
	const k = 10
	for _, n := range []int{20_000, 50_000} {
		x := loadFilterBench(b, n)
		h := x.h
		nq := len(x.queries) / 128
		filters := []struct {
			name string
			f    func(uint32) bool
		}{
			{"p=0.01", uniformFilter(n, 0.01, 1)},
			{"p=0.05", uniformFilter(n, 0.05, 2)},
			{"p=0.10", uniformFilter(n, 0.10, 3)},
			{"p=0.20", uniformFilter(n, 0.20, 4)},
			{"p=0.30", uniformFilter(n, 0.30, 5)},
			{"p=0.50", uniformFilter(n, 0.50, 6)},
			{"sample256of256", adversarialFilter(n)},
			{"sample13of256", sparseAdversarialFilter(n)},
		}
		paths := []struct {
			name   string
			search func(q []float32, f func(uint32) bool) int
		}{
			{"exact", func(q []float32, f func(uint32) bool) int {
				return len(scanTopK(&h.space, h.n, q, k, f))
			}},
			{"graph", func(q []float32, f func(uint32) bool) int {
				c := h.getCtx()
				defer h.pool.Put(c)
				ep, epDist := h.entry, h.dist(q, h.entry)
				for l := h.maxLevel; l > 0; l-- {
					ep, epDist = h.greedy(c, q, ep, epDist, l)
				}
				h.searchLayer(c, q, ep, epDist, h.cfg.EFSearch, 0, f, 0)
				return len(c.res)
			}},
			{"auto", func(q []float32, f func(uint32) bool) int {
				res, _ := h.Search(q, k, SearchOptions{Filter: f})
				return len(res)
			}},
		}
		for _, fl := range filters {
			for _, p := range paths {
				b.Run(fmt.Sprintf("n=%d/%s/path=%s", n, fl.name, p.name), func(b *testing.B) {
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						p.search(x.queries[i*128:(i+1)*128], fl.f)
						if i++; i == nq {
							i = 0
						}
					}
				})
			}
		}
	}
}
