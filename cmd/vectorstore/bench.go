package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/annbench"
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
