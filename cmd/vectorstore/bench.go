// The vector benchmark commands (gen, bench): flags, then one call into
// package annbench.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/annbench"
	"github.com/vendor0919/api/internal/ann/synth"
)

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
	base, queries, dim, err := annbench.ReadData(*basePath, *queryPath)
	if err != nil {
		return err
	}
	if n := len(base) / dim; *k > n {
		return usageError{msg: fmt.Sprintf("--k %d exceeds the %d base vectors", *k, n)}
	}
	rep, err := annbench.Run(ctx, annbench.Config{
		Base: base, Queries: queries, Dim: dim, TruthPath: *truthPath, K: *k, Metric: metric,
		M: *m, EFConstruction: *efc, EFs: efs, Threads: *threads, BuildThreads: *buildThreads,
		Seed: *seed, Repeat: *repeat, Dir: *dir, Log: stderr,
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteTable(stdout)
	return nil
}

// parseInts parses a comma-separated list of positive integers (--ef).
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

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("gen", stderr)
	n := fs.Int("n", 100000, "base vectors")
	dim := fs.Int("dim", 384, "dimension")
	nq := fs.Int("queries", 1000, "query vectors, held out from the same distribution")
	clusters := fs.Int("clusters", 100, "mixture components")
	rank := fs.Int("rank", 24, "intrinsic dimension of each cluster")
	spread := fs.Float64("spread", 0.6, "in-cluster spread relative to unit cluster centres")
	noise := fs.Float64("noise", 0.15, "isotropic noise scale")
	seed := fs.Uint64("seed", 1, "random seed")
	normalize := fs.Bool("normalize", true, "scale every vector to unit length")
	out := fs.String("out", "", "output folder (required)")
	truth := fs.Bool("truth", false, "also write truth.ivecs: the exact neighbours of each query")
	truthK := fs.Int("truth-k", 100, "neighbours per query in truth.ivecs")
	metricName := fs.String("metric", "cosine", "metric for truth.ivecs: cosine, ip or l2")
	threads := fs.Int("threads", runtime.GOMAXPROCS(0), "threads for computing truth")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore gen --out DIR [--n 100000 --dim 384 --queries 1000 --clusters 100 --seed 1 --truth]")
		fmt.Fprintln(stderr, "\nWrites DIR/base.fvecs and DIR/queries.fvecs (and DIR/truth.ivecs with --truth).")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{msg: "--out is required"}
	}
	if *n < 1 || *dim < 1 || *nq < 0 || *clusters < 1 || *rank < 1 || *truthK < 1 || *threads < 1 {
		return usageError{msg: "--n, --dim, --clusters, --rank, --truth-k and --threads must be positive; --queries must not be negative"}
	}
	metric, err := ann.ParseMetric(*metricName)
	if err != nil {
		return usageError{msg: err.Error()}
	}
	return annbench.WriteDataSet(ctx, *out, annbench.GenConfig{
		Config: synth.Config{N: *n, Queries: *nq, Dim: *dim, Clusters: *clusters, Rank: *rank,
			Spread: *spread, Noise: *noise, Seed: *seed, Normalize: *normalize},
		Truth: *truth, TruthK: *truthK, Metric: metric, Threads: *threads,
	}, stdout)
}
