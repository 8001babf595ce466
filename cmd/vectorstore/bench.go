package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/texmex"
)

func benchCommand() command {
	return command{name: "bench", summary: "benchmark the HNSW index on texmex files: recall, QPS, build, memory, save/load", run: runBench}
}

// benchReport is what bench prints; scripts/bench_hnswlib.py prints the
// same fields so scripts/bench.sh can put the two side by side.
type benchReport struct {
	Engine         string     `json:"engine"`
	N              int        `json:"n"`
	Dim            int        `json:"dim"`
	Queries        int        `json:"queries"`
	K              int        `json:"k"`
	Metric         string     `json:"metric"`
	M              int        `json:"m"`
	EFConstruction int        `json:"ef_construction"`
	BuildThreads   int        `json:"build_threads"`
	SearchThreads  int        `json:"search_threads"`
	SIMD           bool       `json:"simd"`
	TruthSource    string     `json:"truth_source"`
	BuildWallS     float64    `json:"build_wall_s"`
	BuildCPUS      float64    `json:"build_cpu_s"`
	IndexBytes     int64      `json:"index_bytes"`
	VectorBytes    int64      `json:"vector_bytes"`
	HeapBytes      int64      `json:"heap_bytes"`
	SaveS          float64    `json:"save_s"`
	LoadS          float64    `json:"load_s"`
	SavedBytes     int64      `json:"saved_bytes"`
	Rows           []benchRow `json:"rows"`
}

type benchRow struct {
	EF     int     `json:"ef"`
	Recall float64 `json:"recall"`
	QPS1   float64 `json:"qps_1"`
	// QPS1CPU divides the queries by the process CPU seconds of the
	// single-thread pass: on a shared, overloaded machine it is steadier
	// than wall-clock QPS because time spent waiting for a core is left out.
	QPS1CPU float64 `json:"qps_1_cpu"`
	QPSN    float64 `json:"qps_n,omitempty"`
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	basePath := fs.String("base", "", "base vectors, .fvecs (required)")
	queryPath := fs.String("queries", "", "query vectors, .fvecs (required)")
	truthPath := fs.String("truth", "", "exact neighbours, .ivecs; computed with the exact index when empty")
	k := fs.Int("k", 10, "neighbours per query")
	metricName := fs.String("metric", "cosine", "cosine, ip or l2")
	m := fs.Int("m", ann.DefaultM, "HNSW M")
	efc := fs.Int("ef-construction", ann.DefaultEFConstruction, "HNSW ef during construction")
	efList := fs.String("ef", "10,20,50,100,200", "comma-separated search ef values")
	threads := fs.Int("threads", 1, "search threads for the multi-thread QPS column (QPS with 1 thread is always measured)")
	buildThreads := fs.Int("build-threads", 0, "build workers (0: same as --threads)")
	seed := fs.Int64("seed", 1, "HNSW level seed")
	repeat := fs.Int("repeat", 3, "timed passes over the queries per ef; the best is reported")
	dir := fs.String("dir", "", "folder for the save/load measurement (default: a temporary folder)")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore bench --base B.fvecs --queries Q.fvecs [--truth T.ivecs] [--k 10 --metric cosine --m 16 --ef-construction 200 --ef 10,20,50,100,200 --threads 1] [--json]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *basePath == "" || *queryPath == "" {
		return usageError{msg: "--base and --queries are required"}
	}
	metric, err := ann.ParseMetric(*metricName)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	efs, err := parseInts(*efList)
	if err != nil {
		return usageError{msg: "--ef: " + err.Error()}
	}
	if *buildThreads == 0 {
		*buildThreads = *threads
	}
	if *k < 1 || *threads < 1 || *buildThreads < 1 || *repeat < 1 || *m < 2 || *efc < 1 {
		return usageError{msg: "--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2"}
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }

	base, dim, err := texmex.ReadFvecsFile(*basePath)
	if err != nil {
		return err
	}
	queries, qdim, err := texmex.ReadFvecsFile(*queryPath)
	if err != nil {
		return err
	}
	if dim == 0 || qdim != dim {
		return fmt.Errorf("base dimension %d and query dimension %d differ or are empty", dim, qdim)
	}
	n, nq := len(base)/dim, len(queries)/dim
	if *k > n {
		return usageError{msg: fmt.Sprintf("--k %d exceeds the %d base vectors", *k, n)}
	}
	rep := benchReport{
		Engine: "vectorstore", N: n, Dim: dim, Queries: nq, K: *k, Metric: metric.String(),
		M: *m, EFConstruction: *efc, BuildThreads: *buildThreads, SearchThreads: *threads,
		SIMD: ann.SIMD(), VectorBytes: int64(len(base)) * 4,
	}

	// Ground truth.
	var truth [][]uint32
	if *truthPath != "" {
		ids, tk, err := texmex.ReadIvecsFile(*truthPath)
		if err != nil {
			return err
		}
		if tk < *k || len(ids)/tk != nq {
			return fmt.Errorf("%s: %d rows of %d ids, want %d rows of at least %d", *truthPath, len(ids)/max(tk, 1), tk, nq, *k)
		}
		truth = make([][]uint32, nq)
		for i := range truth {
			for _, id := range ids[i*tk : i*tk+*k] {
				truth[i] = append(truth[i], uint32(id))
			}
		}
		rep.TruthSource = *truthPath
	} else {
		start := time.Now()
		flat, err := ann.NewFlat(dim, metric, append([]float32(nil), base...))
		if err != nil {
			return err
		}
		ids, err := exactNeighbors(ctx, flat, queries, *k, runtime.GOMAXPROCS(0))
		if err != nil {
			return err
		}
		truth = make([][]uint32, nq)
		for i := range truth {
			for _, id := range ids[i**k : (i+1)**k] {
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
	h, err := ann.BuildHNSW(ctx, dim, metric, base, ann.HNSWConfig{M: *m, EFConstruction: *efc, Workers: *buildThreads, Seed: *seed})
	if err != nil {
		return err
	}
	rep.BuildWallS = time.Since(start).Seconds()
	rep.BuildCPUS = cpuSeconds() - cpu0
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	rep.IndexBytes = h.MemoryBytes()
	rep.HeapBytes = int64(after.HeapInuse) - int64(before.HeapInuse) + rep.VectorBytes // the vectors were already on the heap
	logf("built %d x %d (M %d, efC %d, %d workers) in %.1fs wall, %.1fs CPU", n, dim, *m, *efc, *buildThreads, rep.BuildWallS, rep.BuildCPUS)

	// Save and load: graph plus the raw float32 vectors, as a store keeps them.
	h, err = benchSaveLoad(h, *dir, &rep)
	if err != nil {
		return err
	}

	// Search.
	for _, ef := range efs {
		if err := ctx.Err(); err != nil {
			return err
		}
		row := benchRow{EF: ef}
		hits := 0
		res := make([][]ann.Neighbor, nq)
		for i := 0; i < nq; i++ { // untimed pass: warm-up and recall
			if res[i], err = h.Search(queries[i*dim:(i+1)*dim], *k, ann.SearchOptions{EF: ef}); err != nil {
				return err
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
		row.Recall = float64(hits) / float64(nq**k)
		row.QPS1, row.QPS1CPU = bestQPS(h, queries, dim, *k, ef, 1, *repeat)
		if *threads > 1 {
			row.QPSN, _ = bestQPS(h, queries, dim, *k, ef, *threads, *repeat)
		}
		rep.Rows = append(rep.Rows, row)
	}

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printBenchTable(stdout, rep)
	return nil
}

func benchSaveLoad(h *ann.HNSW, dir string, rep *benchReport) (*ann.HNSW, error) {
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

// exactNeighbors returns the exact top-k ids of every query, row-major,
// using `threads` goroutines.
func exactNeighbors(ctx context.Context, flat *ann.Flat, queries []float32, k, threads int) ([]int32, error) {
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

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func printBenchTable(w io.Writer, r benchReport) {
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
