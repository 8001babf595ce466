package ann

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/vendor0919/api/internal/texmex"
)

// BenchmarkSearch_RealData searches a texmex data set named by
// ANN_BENCH_DATA (a folder holding base.fvecs, queries.fvecs and
// truth.ivecs, such as the GloVe word vectors scripts/bench.sh prepares
// with DATA=glove), cosine, M 16, efConstruction 200, one search thread,
// at each ef of ANN_BENCH_EF (default 160). The graph is cached beside the
// data (graph-m16-efc200.bin) so a profile run spends its time searching.
// It reports recall@10 as a metric. Skipped when ANN_BENCH_DATA is unset.
func BenchmarkSearch_RealData(b *testing.B) {
	dir := os.Getenv("ANN_BENCH_DATA")
	if dir == "" {
		b.Skip("ANN_BENCH_DATA not set")
	}
	base, dim, err := texmex.ReadFvecsFile(filepath.Join(dir, "base.fvecs"))
	if err != nil {
		b.Fatal(err)
	}
	queries, _, err := texmex.ReadFvecsFile(filepath.Join(dir, "queries.fvecs"))
	if err != nil {
		b.Fatal(err)
	}
	truth, tk, err := texmex.ReadIvecsFile(filepath.Join(dir, "truth.ivecs"))
	if err != nil {
		b.Fatal(err)
	}
	graphPath := filepath.Join(dir, "graph-m16-efc200.bin")
	var h *HNSW
	if g, err := os.ReadFile(graphPath); err == nil {
		h, err = ReadHNSW(bytes.NewReader(g), dim, Cosine, base)
		if err != nil {
			b.Fatal(err)
		}
	} else {
		h, err = BuildHNSW(context.Background(), dim, Cosine, base, HNSWConfig{M: 16, EFConstruction: 200})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := h.WriteGraph(&buf); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(graphPath, buf.Bytes(), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	efs := []int{160}
	if s := os.Getenv("ANN_BENCH_EF"); s != "" {
		efs = efs[:0]
		for _, f := range bytes.Split([]byte(s), []byte(",")) {
			ef, err := strconv.Atoi(string(f))
			if err != nil {
				b.Fatal(err)
			}
			efs = append(efs, ef)
		}
	}
	nq := len(queries) / dim
	for _, ef := range efs {
		b.Run("ef"+strconv.Itoa(ef), func(b *testing.B) {
			hits := 0
			for qi := range nq {
				res, _ := h.Search(queries[qi*dim:(qi+1)*dim], 10, SearchOptions{EF: ef})
				for _, r := range res {
					for _, t := range truth[qi*tk : qi*tk+10] {
						if uint32(t) == r.ID {
							hits++
						}
					}
				}
			}
			b.ReportMetric(float64(hits)/float64(nq*10), "recall@10")
			i := 0
			cpu0 := processCPU()
			for b.Loop() {
				_, _ = h.Search(queries[i*dim:(i+1)*dim], 10, SearchOptions{EF: ef})
				i = (i + 1) % nq
			}
			// CPU time leaves out waiting for a core on a shared machine.
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU returns the process's user+system CPU time in nanoseconds.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
