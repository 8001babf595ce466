package annbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/texmex"
)

// Report is what Run measured; "vectorstore bench --json" prints it.
// scripts/bench_hnswlib.py prints the same fields.
type Report struct {
	Engine         string  `json:"engine"`
	N              int     `json:"n"`
	Dim            int     `json:"dim"`
	Queries        int     `json:"queries"`
	K              int     `json:"k"`
	Metric         string  `json:"metric"`
	M              int     `json:"m"`
	EFConstruction int     `json:"ef_construction"`
	BuildThreads   int     `json:"build_threads"`
	SearchThreads  int     `json:"search_threads"`
	SIMD           bool    `json:"simd"`
	TruthSource    string  `json:"truth_source"`
	BuildWallS     float64 `json:"build_wall_s"`
	BuildCPUS      float64 `json:"build_cpu_s"`
	IndexBytes     int64   `json:"index_bytes"`
	VectorBytes    int64   `json:"vector_bytes"`
	HeapBytes      int64   `json:"heap_bytes"`
	SaveS          float64 `json:"save_s"`
	LoadS          float64 `json:"load_s"`
	SavedBytes     int64   `json:"saved_bytes"`
	Quantize       string  `json:"quantize,omitempty"`
	Rescore        int     `json:"rescore,omitempty"`
	CodeBytes      int64   `json:"code_bytes,omitempty"` // SQ8 codes and ranges
	QuantizeS      float64 `json:"quantize_s,omitempty"` // train and encode, wall
	Rows           []Row   `json:"rows"`
}

// Row is the search measurement at one ef.
type Row struct {
	EF     int     `json:"ef"`
	Recall float64 `json:"recall"`
	QPS1   float64 `json:"qps_1"`
	// QPS1CPU divides the queries by the process CPU seconds of the
	// single-thread pass: on a shared, overloaded machine it is steadier
	// than wall-clock QPS because time spent waiting for a core is left out.
	QPS1CPU float64 `json:"qps_1_cpu"`
	QPSN    float64 `json:"qps_n,omitempty"`
}

// Config describes one benchmark. Base and Queries are row-major, Dim
// wide; every other field is required (Run does not default them).
type Config struct {
	Base, Queries  []float32
	Dim            int
	TruthPath      string // exact neighbours, .ivecs; "" computes them with the exact index
	K              int    // neighbours per query
	Metric         ann.Metric
	M              int   // HNSW M
	EFConstruction int   // HNSW ef during construction
	EFs            []int // search ef values, one Row each
	Threads        int   // search threads for Row.QPSN (QPS with 1 thread is always measured)
	BuildThreads   int
	Seed           int64  // HNSW level seed
	Repeat         int    // timed passes per ef; the best is reported
	Dir            string // folder for the save/load measurement; "" uses a temporary one
	// Quantize is "" (float32 search) or "sq8": search on 8-bit codes and
	// rescore Rescore candidates (0: all ef) with the float rows.
	Quantize string
	Rescore  int
	// Log, if not nil, receives a line per finished stage.
	Log io.Writer
}

// ReadData reads base and query vectors from .fvecs files and checks that
// their dimensions agree.
func ReadData(basePath, queryPath string) (base, queries []float32, dim int, err error) {
	base, dim, err = texmex.ReadFvecsFile(basePath)
	if err != nil {
		return nil, nil, 0, err
	}
	queries, qdim, err := texmex.ReadFvecsFile(queryPath)
	if err != nil {
		return nil, nil, 0, err
	}
	if dim == 0 || qdim != dim {
		return nil, nil, 0, fmt.Errorf("base dimension %d and query dimension %d differ or are empty", dim, qdim)
	}
	return base, queries, dim, nil
}

// Run builds an HNSW index over cfg.Base (which it takes ownership of),
// saves and reloads it, and measures recall and QPS at every ef.
func Run(ctx context.Context, cfg Config) (Report, error) {
	logf := func(format string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", a...)
		}
	}
	base, queries, dim, metric := cfg.Base, cfg.Queries, cfg.Dim, cfg.Metric
	n, nq := len(base)/dim, len(queries)/dim
	rep := Report{
		Engine: "vectorstore", N: n, Dim: dim, Queries: nq, K: cfg.K, Metric: metric.String(),
		M: cfg.M, EFConstruction: cfg.EFConstruction, BuildThreads: cfg.BuildThreads, SearchThreads: cfg.Threads,
		SIMD: ann.SIMD(), VectorBytes: int64(len(base)) * 4,
	}

	// Ground truth.
	var truth [][]uint32
	if cfg.TruthPath != "" {
		ids, tk, err := texmex.ReadIvecsFile(cfg.TruthPath)
		if err != nil {
			return Report{}, err
		}
		if tk < cfg.K || len(ids)/tk != nq {
			return Report{}, fmt.Errorf("%s: %d rows of %d ids, want %d rows of at least %d", cfg.TruthPath, len(ids)/max(tk, 1), tk, nq, cfg.K)
		}
		truth = make([][]uint32, nq)
		for i := range truth {
			for _, id := range ids[i*tk : i*tk+cfg.K] {
				truth[i] = append(truth[i], uint32(id))
			}
		}
		rep.TruthSource = cfg.TruthPath
	} else {
		start := time.Now()
		flat, err := ann.NewFlat(dim, metric, append([]float32(nil), base...))
		if err != nil {
			return Report{}, err
		}
		ids, err := ExactNeighbors(ctx, flat, queries, cfg.K, runtime.GOMAXPROCS(0))
		if err != nil {
			return Report{}, err
		}
		truth = make([][]uint32, nq)
		for i := range truth {
			for _, id := range ids[i*cfg.K : (i+1)*cfg.K] {
				truth[i] = append(truth[i], uint32(id))
			}
		}
		rep.TruthSource = "exact scan"
		logf("exact truth for %d queries in %.1fs", nq, time.Since(start).Seconds())
	}

	// Build.
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuSeconds()
	start := time.Now()
	h, err := ann.BuildHNSW(ctx, dim, metric, base, ann.HNSWConfig{M: cfg.M, EFConstruction: cfg.EFConstruction, Workers: cfg.BuildThreads, Seed: cfg.Seed})
	if err != nil {
		return Report{}, err
	}
	rep.BuildWallS = time.Since(start).Seconds()
	rep.BuildCPUS = cpuSeconds() - cpu0
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	rep.IndexBytes = h.MemoryBytes()
	rep.HeapBytes = int64(after.HeapInuse) - int64(before.HeapInuse) + rep.VectorBytes // the vectors were already on the heap
	logf("built %d x %d (M %d, efC %d, %d workers) in %.1fs wall, %.1fs CPU", n, dim, cfg.M, cfg.EFConstruction, cfg.BuildThreads, rep.BuildWallS, rep.BuildCPUS)

	// Save and load: graph plus the raw float32 vectors, as a store keeps them.
	h, err = saveLoad(h, cfg.Dir, &rep)
	if err != nil {
		return Report{}, err
	}

	if cfg.Quantize == "sq8" {
		start := time.Now()
		sq, err := ann.TrainSQ8(h.Vectors(), dim)
		if err != nil {
			return Report{}, err
		}
		codes := make([]uint8, len(h.Vectors()))
		sq.Encode(h.Vectors(), codes)
		if h, err = h.WithSQ8(sq, codes, cfg.Rescore); err != nil {
			return Report{}, err
		}
		rep.QuantizeS = time.Since(start).Seconds()
		rep.Quantize, rep.Rescore, rep.CodeBytes = cfg.Quantize, cfg.Rescore, h.CodeBytes()
		logf("sq8: %d code bytes (%.2fx less than the float rows) in %.2fs", rep.CodeBytes, float64(rep.VectorBytes)/float64(rep.CodeBytes), rep.QuantizeS)
	}

	// Search.
	for _, ef := range cfg.EFs {
		if err := ctx.Err(); err != nil {
			return Report{}, err
		}
		row := Row{EF: ef}
		hits := 0
		res := make([][]ann.Neighbor, nq)
		for i := 0; i < nq; i++ { // untimed pass: warm-up and recall
			if res[i], err = h.Search(queries[i*dim:(i+1)*dim], cfg.K, ann.SearchOptions{EF: ef}); err != nil {
				return Report{}, err
			}
		}
		for i, r := range res {
			for _, nb := range r {
				for _, t := range truth[i] {
					if nb.ID == t {
						hits++
						break
					}
				}
			}
		}
		row.Recall = float64(hits) / float64(nq*cfg.K)
		row.QPS1, row.QPS1CPU = bestQPS(h, queries, dim, cfg.K, ef, 1, cfg.Repeat)
		if cfg.Threads > 1 {
			row.QPSN, _ = bestQPS(h, queries, dim, cfg.K, ef, cfg.Threads, cfg.Repeat)
		}
		rep.Rows = append(rep.Rows, row)
	}

	return rep, nil
}

// saveLoad writes h's graph and vectors into dir (a temporary folder when
// empty), reads them back, and records the times and size in rep.
func saveLoad(h *ann.HNSW, dir string, rep *Report) (*ann.HNSW, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "vectorstore-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	graphPath, vecPath := filepath.Join(dir, "bench.hnsw"), filepath.Join(dir, "bench.f32")
	start := time.Now()
	g, err := os.Create(graphPath)
	if err != nil {
		return nil, err
	}
	gn, err := h.WriteGraph(g)
	if err == nil {
		err = g.Sync()
	}
	if cerr := g.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	vecs := h.Vectors()
	if err := writeFileSync(vecPath, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(vecs))), 4*len(vecs))); err != nil { //nolint:gosec // G103: raw float32 file in host byte order, as a store keeps it
		return nil, err
	}
	rep.SaveS = time.Since(start).Seconds()
	rep.SavedBytes = gn + int64(4*len(vecs))

	start = time.Now()
	raw, err := os.ReadFile(vecPath)
	if err != nil {
		return nil, err
	}
	if len(raw)%4 != 0 {
		return nil, errors.New("vector file is not whole float32s")
	}
	loaded := unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(raw))), len(raw)/4) //nolint:gosec // G103: see save
	g, err = os.Open(graphPath)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	h2, err := ann.ReadHNSW(g, h.Dim(), h.Metric(), loaded)
	if err != nil {
		return nil, err
	}
	rep.LoadS = time.Since(start).Seconds()
	return h2, nil
}

// writeFileSync writes b to path and fsyncs it.
func writeFileSync(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// bestQPS runs all queries `repeat` times over `threads` goroutines and
// returns the best queries per wall-clock second and per process CPU second.
func bestQPS(idx ann.Index, queries []float32, dim, k, ef, threads, repeat int) (wall, cpu float64) {
	nq := len(queries) / dim
	for r := 0; r < repeat; r++ {
		start, cpu0 := time.Now(), cpuSeconds()
		var wg sync.WaitGroup
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func(t int) {
				defer wg.Done()
				for i := t; i < nq; i += threads {
					_, _ = idx.Search(queries[i*dim:(i+1)*dim], k, ann.SearchOptions{EF: ef})
				}
			}(t)
		}
		wg.Wait()
		wall = max(wall, float64(nq)/time.Since(start).Seconds())
		if c := cpuSeconds() - cpu0; c > 0 {
			cpu = max(cpu, float64(nq)/c)
		}
	}
	return wall, cpu
}

// ExactNeighbors returns the exact top-k ids of every query, row-major,
// using threads goroutines; ids past the end of a short result are -1.
func ExactNeighbors(ctx context.Context, flat *ann.Flat, queries []float32, k, threads int) ([]int32, error) {
	dim := flat.Dim()
	nq := len(queries) / dim
	out := make([]int32, nq*k)
	var wg sync.WaitGroup
	errs := make([]error, threads)
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			for i := t; i < nq; i += threads {
				if err := ctx.Err(); err != nil {
					errs[t] = err
					return
				}
				res, err := flat.Search(queries[i*dim:(i+1)*dim], k, ann.SearchOptions{})
				if err != nil {
					errs[t] = err
					return
				}
				for j := range k {
					out[i*k+j] = -1
					if j < len(res) {
						out[i*k+j] = int32(res[j].ID)
					}
				}
			}
		}(t)
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// WriteTable writes r for people: the set-up, build, memory and persist
// lines, then one row per ef.
func (r Report) WriteTable(w io.Writer) {
	mb := func(b int64) float64 { return float64(b) / 1e6 }
	fmt.Fprintf(w, "engine %s: %d x %d base, %d queries, k %d, metric %s, SIMD %v, truth: %s\n", r.Engine, r.N, r.Dim, r.Queries, r.K, r.Metric, r.SIMD, r.TruthSource)
	fmt.Fprintf(w, "build: M %d, ef_construction %d, %d threads: %.2fs wall, %.2fs CPU\n", r.M, r.EFConstruction, r.BuildThreads, r.BuildWallS, r.BuildCPUS)
	fmt.Fprintf(w, "memory: index %.1f MB (%.3fx the %.1f MB of raw vectors); heap growth %.1f MB\n", mb(r.IndexBytes), float64(r.IndexBytes)/float64(r.VectorBytes), mb(r.VectorBytes), mb(r.HeapBytes))
	fmt.Fprintf(w, "persist: save %.3fs, load %.3fs (%.1f MB: graph + vectors)\n", r.SaveS, r.LoadS, mb(r.SavedBytes))
	head := fmt.Sprintf("%6s  %9s  %12s  %14s", "ef", "recall@"+strconv.Itoa(r.K), "QPS 1 thread", "QPS/CPU-second")
	if r.SearchThreads > 1 {
		head += fmt.Sprintf("  %14s", fmt.Sprintf("QPS %d threads", r.SearchThreads))
	}
	fmt.Fprintln(w, head)
	for _, row := range r.Rows {
		line := fmt.Sprintf("%6d  %9.4f  %12.0f  %14.0f", row.EF, row.Recall, row.QPS1, row.QPS1CPU)
		if r.SearchThreads > 1 {
			line += fmt.Sprintf("  %14.0f", row.QPSN)
		}
		fmt.Fprintln(w, line)
	}
}
