package annbench

import (
	"cmp"
	"context"
	"flag"
	"io"
	"runtime"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/synth"
	"github.com/vendor0919/api/internal/cliflag"
)

// Flags is the command line of "vectorstore bench": the files to read and
// the settings of Config. RegisterFlags gives the defaults.
type Flags struct {
	Base, Queries, Truth string
	K                    int
	Metric               string
	M, EFConstruction    int
	EFs                  string // comma-separated
	Threads              int
	BuildThreads         int // 0: Threads
	Seed                 int64
	Repeat               int
	Dir                  string
	Quantize             string
	Rescore              int
	JSON                 bool
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *Flags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Base, "base", "", "base vectors, .fvecs (required)")
	fs.StringVar(&f.Queries, "queries", "", "query vectors, .fvecs (required)")
	fs.StringVar(&f.Truth, "truth", "", "exact neighbours, .ivecs; computed with the exact index when empty")
	fs.IntVar(&f.K, "k", 10, "neighbours per query")
	fs.StringVar(&f.Metric, "metric", "cosine", "cosine, ip or l2")
	fs.IntVar(&f.M, "m", ann.DefaultM, "HNSW M")
	fs.IntVar(&f.EFConstruction, "ef-construction", ann.DefaultEFConstruction, "HNSW ef during construction")
	fs.StringVar(&f.EFs, "ef", "10,20,50,100,200", "comma-separated search ef values")
	fs.IntVar(&f.Threads, "threads", 1, "search threads for the multi-thread QPS column (QPS with 1 thread is always measured)")
	fs.IntVar(&f.BuildThreads, "build-threads", 0, "build workers (0: same as --threads)")
	fs.Int64Var(&f.Seed, "seed", 1, "HNSW level seed")
	fs.IntVar(&f.Repeat, "repeat", 3, "timed passes over the queries per ef; the best is reported")
	fs.StringVar(&f.Dir, "dir", "", "folder for the save/load measurement (default: a temporary folder)")
	fs.StringVar(&f.Quantize, "quantize", "", "\"sq8\": search on 8-bit codes (per-dimension range) and rescore with the float rows; empty: float32")
	fs.IntVar(&f.Rescore, "rescore", 0, "with --quantize sq8: candidates rescored exactly (0: all ef)")
	fs.BoolVar(&f.JSON, "json", false, "print one JSON object instead of a table")
}

// Validate checks f without reading the files; its errors are
// cliflag.UsageErrors.
func (f Flags) Validate() error {
	_, err := f.config()
	return err
}

// config returns the Config f describes, without the data.
func (f Flags) config() (Config, error) {
	if f.Base == "" || f.Queries == "" {
		return Config{}, cliflag.Usagef("--base and --queries are required")
	}
	metric, err := ann.ParseMetric(f.Metric)
	if err != nil {
		return Config{}, cliflag.UsageError{Msg: err.Error()}
	}
	efs, err := cliflag.ParseInts(f.EFs)
	if err != nil {
		return Config{}, cliflag.UsageError{Msg: "--ef: " + err.Error()}
	}
	bt := cmp.Or(f.BuildThreads, f.Threads)
	if f.Quantize != "" && f.Quantize != "sq8" {
		return Config{}, cliflag.Usagef("--quantize: %q is not one of \"\", \"sq8\"", f.Quantize)
	}
	if f.Rescore < 0 {
		return Config{}, cliflag.Usagef("--rescore must not be negative")
	}
	if f.K < 1 || f.Threads < 1 || bt < 1 || f.Repeat < 1 || f.M < 2 || f.EFConstruction < 1 {
		return Config{}, cliflag.Usagef("--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2")
	}
	return Config{TruthPath: f.Truth, K: f.K, Metric: metric, M: f.M, EFConstruction: f.EFConstruction, EFs: efs,
		Threads: f.Threads, BuildThreads: bt, Seed: f.Seed, Repeat: f.Repeat, Dir: f.Dir,
		Quantize: f.Quantize, Rescore: f.Rescore}, nil
}

// Run validates f, reads the data and runs the benchmark, logging each
// stage to log. A K larger than the base is a cliflag.UsageError.
func (f Flags) Run(ctx context.Context, log io.Writer) (Report, error) {
	cfg, err := f.config()
	if err != nil {
		return Report{}, err
	}
	cfg.Base, cfg.Queries, cfg.Dim, err = ReadData(f.Base, f.Queries)
	if err != nil {
		return Report{}, err
	}
	if n := len(cfg.Base) / cfg.Dim; f.K > n {
		return Report{}, cliflag.Usagef("--k %d exceeds the %d base vectors", f.K, n)
	}
	cfg.Log = log
	return Run(ctx, cfg)
}

// GenFlags is the command line of "vectorstore gen": a GenConfig and the
// folder to write.
type GenFlags struct {
	Out                             string
	N, Dim, Queries, Clusters, Rank int
	Spread, Noise                   float64
	Seed                            uint64
	Normalize, Truth                bool
	TruthK                          int
	Metric                          string
	Threads                         int
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *GenFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.IntVar(&f.N, "n", 100000, "base vectors")
	fs.IntVar(&f.Dim, "dim", 384, "dimension")
	fs.IntVar(&f.Queries, "queries", 1000, "query vectors, held out from the same distribution")
	fs.IntVar(&f.Clusters, "clusters", 100, "mixture components")
	fs.IntVar(&f.Rank, "rank", 24, "intrinsic dimension of each cluster")
	fs.Float64Var(&f.Spread, "spread", 0.6, "in-cluster spread relative to unit cluster centres")
	fs.Float64Var(&f.Noise, "noise", 0.15, "isotropic noise scale")
	fs.Uint64Var(&f.Seed, "seed", 1, "random seed")
	fs.BoolVar(&f.Normalize, "normalize", true, "scale every vector to unit length")
	fs.StringVar(&f.Out, "out", "", "output folder (required)")
	fs.BoolVar(&f.Truth, "truth", false, "also write truth.ivecs: the exact neighbours of each query")
	fs.IntVar(&f.TruthK, "truth-k", 100, "neighbours per query in truth.ivecs")
	fs.StringVar(&f.Metric, "metric", "cosine", "metric for truth.ivecs: cosine, ip or l2")
	fs.IntVar(&f.Threads, "threads", runtime.GOMAXPROCS(0), "threads for computing truth")
}

// Bounds of gen's data, which it holds in memory: 65,536 dims as a store
// may have, and 4 Gi floats (16 GiB).
const (
	maxGenDims   = 1 << 16
	maxGenFloats = 1 << 32
)

// Validate checks f; its errors are cliflag.UsageErrors.
func (f GenFlags) Validate() error {
	_, err := f.config()
	return err
}

func (f GenFlags) config() (GenConfig, error) {
	if f.Out == "" {
		return GenConfig{}, cliflag.Usagef("--out is required")
	}
	if f.N < 1 || f.Dim < 1 || f.Queries < 0 || f.Clusters < 1 || f.Rank < 1 || f.TruthK < 1 || f.Threads < 1 {
		return GenConfig{}, cliflag.Usagef("--n, --dim, --clusters, --rank, --truth-k and --threads must be positive; --queries must not be negative")
	}
	// The vectors are made in memory before they are written: bounded
	// as a store is (a billion rows of 100,000 dims panicked in makeslice).
	if f.Dim > maxGenDims || int64(f.N) > maxGenFloats || int64(f.Queries) > maxGenFloats || int64(f.N+f.Queries)*int64(f.Dim) > maxGenFloats {
		return GenConfig{}, cliflag.Usagef("--dim must be at most %d and (--n + --queries) x --dim at most %d floats (%d GiB)", maxGenDims, int64(maxGenFloats), maxGenFloats*4>>30)
	}
	metric, err := ann.ParseMetric(f.Metric)
	if err != nil {
		return GenConfig{}, cliflag.UsageError{Msg: err.Error()}
	}
	return GenConfig{
		Config: synth.Config{N: f.N, Queries: f.Queries, Dim: f.Dim, Clusters: f.Clusters, Rank: f.Rank,
			Spread: f.Spread, Noise: f.Noise, Seed: f.Seed, Normalize: f.Normalize},
		Truth: f.Truth, TruthK: f.TruthK, Metric: metric, Threads: f.Threads,
	}, nil
}

// Run validates f and writes the data set with WriteDataSet, reporting
// each file to w.
func (f GenFlags) Run(ctx context.Context, w io.Writer) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	return WriteDataSet(ctx, f.Out, cfg, w)
}

// WriteText writes r as WriteTable does, for cliflag.Write.
func (r Report) WriteText(w io.Writer) { r.WriteTable(w) }

// WriteJSON writes r as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error { return cliflag.WriteJSON(w, r) }
