package main

import (
	"context"
	"fmt"
	"io"
	"runtime"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/annbench"
	"github.com/vendor0919/api/internal/ann/synth"
)

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
