package ann

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/ann/synth"
)

func BenchmarkDot_D384(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float32, 384), make([]float32, 384)
	for i := range x {
		x[i], y[i] = rng.Float32(), rng.Float32()
	}
	saved := useSIMD
	defer func() { useSIMD = saved }()
	for _, simd := range []bool{true, false} {
		name := "go"
		if simd {
			name = "simd"
			if !saved {
				continue
			}
		}
		b.Run(name, func(b *testing.B) {
			useSIMD = simd
			var s float32
			for b.Loop() {
				s += dot(x, y)
			}
			_ = s
		})
		b.Run(name+"-l2", func(b *testing.B) {
			useSIMD = simd
			var s float32
			for b.Loop() {
				s += l2sq(x, y)
			}
			_ = s
		})
	}
}

// benchIndex is the 100k x 384 cosine index shared by the search
// benchmarks: built once per process and cached in a temporary file so
// later runs only load it.
var benchIndex struct {
	once    sync.Once
	h       *HNSW
	flat    *Flat
	queries []float32
	truth   [][]Neighbor
	err     error
}

func loadBenchIndex(b *testing.B) *HNSW {
	const n, dim, nq = 100_000, 384, 1000
	benchIndex.once.Do(func() {
		base, queries, err := synth.Generate(synth.Config{N: n, Queries: nq, Dim: dim, Seed: 1, Normalize: true})
		if err != nil {
			benchIndex.err = err
			return
		}
		benchIndex.queries = queries
		path := filepath.Join(os.TempDir(), fmt.Sprintf("ann-bench-n%d-d%d-m16-efc200-v%d.hnsw", n, dim, graphVersion))
		if f, err := os.Open(path); err == nil {
			benchIndex.h, err = ReadHNSW(f, dim, Cosine, base)
			f.Close()
			if err == nil {
				return
			}
			b.Logf("cached graph unusable, rebuilding: %v", err)
		}
		b.Logf("building the %d x %d index (cached in %s)", n, dim, path)
		h, err := BuildHNSW(context.Background(), dim, Cosine, base, HNSWConfig{})
		if err != nil {
			benchIndex.err = err
			return
		}
		benchIndex.h = h
		tmp := path + ".tmp"
		if f, err := os.Create(tmp); err == nil {
			_, werr := h.WriteGraph(f)
			if cerr := f.Close(); werr == nil && cerr == nil {
				os.Rename(tmp, path)
			} else {
				os.Remove(tmp)
			}
		}
	})
	if benchIndex.err != nil {
		b.Fatal(benchIndex.err)
	}
	return benchIndex.h
}

// BenchmarkSearch_N100k_D384 measures single-thread search latency on
// 100k x 384 normalised clustered vectors, M 16, efC 200, and reports
// recall@10 against exact search.
func BenchmarkSearch_N100k_D384(b *testing.B) {
	h := loadBenchIndex(b)
	queries := benchIndex.queries
	const dim, k = 384, 10
	nq := len(queries) / dim
	if benchIndex.truth == nil {
		flat := &Flat{space: h.space, n: h.n}
		flat.qpool.New = func() any { s := make([]float32, dim); return &s }
		for i := 0; i < nq; i++ {
			t, _ := flat.Search(queries[i*dim:(i+1)*dim], k, SearchOptions{})
			benchIndex.truth = append(benchIndex.truth, t)
		}
	}
	for _, ef := range []int{10, 20, 50, 64, 100, 200} {
		b.Run(fmt.Sprintf("ef=%d", ef), func(b *testing.B) {
			hits := 0
			for i := 0; i < nq; i++ {
				res, _ := h.Search(queries[i*dim:(i+1)*dim], k, SearchOptions{EF: ef})
				for _, r := range res {
					for _, t := range benchIndex.truth[i] {
						if r.ID == t.ID {
							hits++
						}
					}
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.Search(queries[i*dim:(i+1)*dim], k, SearchOptions{EF: ef})
				if i++; i == nq {
					i = 0
				}
			}
			b.ReportMetric(float64(hits)/float64(nq*k), "recall@10")
		})
	}
}

// BenchmarkBuild_N10k_D128 measures a build with one worker and with all.
func BenchmarkBuild_N10k_D128(b *testing.B) {
	base, _, err := synth.Generate(synth.Config{N: 10_000, Dim: 128, Seed: 1, Normalize: true})
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			for b.Loop() {
				v := append([]float32(nil), base...)
				if _, err := BuildHNSW(context.Background(), 128, Cosine, v, HNSWConfig{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
