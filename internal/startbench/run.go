package startbench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

// Flags is the command line of "vectorstore bench-startup".
type Flags struct {
	Work    string // folder for the stores (kept between runs: generating 1M takes minutes)
	Sizes   string // comma-separated chunk counts
	Binary  string // the server binary
	Python  string // the Python with faiss and numpy
	Runs    int    // warm starts per store
	Queries int    // searches before the second RSS reading
	Cold    bool   // also a start with the page cache dropped (needs root)
	// LangChainGraphMax is the largest LangChain folder whose HNSW graph
	// is built once before the warm starts (so they load it, as a restart
	// does); larger ones start with the graph deferred (built in the
	// background after ready, which does not delay /ready either way).
	LangChainGraphMax int
	JSON              bool
	// S3Endpoint, when set, is an S3-compatible server (credentials from
	// the environment) with the bucket S3Bucket, from which every store is
	// also mirrored with s3sync and with the AWS CLI (AWS) for the sync
	// columns.
	S3Endpoint, S3Bucket, AWS string
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *Flags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Work, "work", filepath.Join(os.TempDir(), "vendor0919-bench-startup"), "folder for the generated stores (reused when present)")
	fs.StringVar(&f.Sizes, "sizes", "200000,1000000", "comma-separated store sizes, in chunks of 384 dims")
	fs.StringVar(&f.Binary, "binary", "bin/api", "the server binary to start")
	fs.StringVar(&f.Python, "python", "/usr/bin/python3", "Python with faiss and numpy, for the LangChain folders and their read time; \"\" skips them")
	fs.IntVar(&f.Runs, "runs", 3, "warm starts per store; the median is reported")
	fs.IntVar(&f.Queries, "queries", 50, "searches after ready before RSS is read again")
	fs.BoolVar(&f.Cold, "cold", false, "also start once after dropping the page cache (writes /proc/sys/vm/drop_caches; needs root)")
	fs.IntVar(&f.LangChainGraphMax, "langchain-graph-max", 300000, "build the HNSW graph of LangChain folders up to this size before the warm starts (larger: deferred)")
	fs.BoolVar(&f.JSON, "json", false, "print JSON instead of a table")
	fs.StringVar(&f.S3Endpoint, "s3-endpoint", "", "S3-compatible server to time the sync from (credentials from the environment); \"\" leaves the sync columns out")
	fs.StringVar(&f.S3Bucket, "s3-bucket", "bench", "existing bucket on --s3-endpoint for the uploaded stores")
	fs.StringVar(&f.AWS, "aws", "aws", "the AWS CLI, which uploads the stores and is the sync peer")
}

// Validate checks f; its errors are cliflag.UsageErrors.
func (f Flags) Validate() error {
	sizes, err := cliflag.ParseInts(f.Sizes)
	if err != nil || len(sizes) == 0 || slices.ContainsFunc(sizes, func(n int) bool { return n < 1 || n > 1<<24 }) {
		return cliflag.Usagef("--sizes: want chunk counts between 1 and %d", 1<<24)
	}
	if f.Runs < 1 || f.Queries < 0 || f.Work == "" || f.Binary == "" {
		return cliflag.Usagef("--runs must be positive, --queries not negative, --work and --binary set")
	}
	if f.S3Endpoint != "" && (f.S3Bucket == "" || f.AWS == "") {
		return cliflag.Usagef("--s3-endpoint needs --s3-bucket and --aws")
	}
	return nil
}

// Row is one store's measurements.
type Row struct {
	Store     string `json:"store"`
	Chunks    int    `json:"chunks"`
	FileBytes int64  `json:"file_bytes"` // the store files (vectors + text)
	// VectorBytes and TextBytes are what the memory budget is stated in:
	// count*dims*4, and the chunk texts file (chunks.jsonl or index.pkl).
	VectorBytes int64 `json:"vector_bytes"`
	TextBytes   int64 `json:"text_bytes"`
	// First is the start that hashes and checks everything (and, for a
	// LangChain folder, builds its keyword index): the first after a build
	// or a sync.
	First Run `json:"first"`
	// Warm is the median start of Runs with the verified state recorded
	// (and a LangChain folder's derived files saved), page cache warm.
	Warm Run `json:"warm"`
	// Cold is one such start after dropping the page cache; zero when not
	// measured.
	Cold Run `json:"cold"`
	// PythonRead is Python's faiss.read_index + pickle.load of the same
	// LangChain folder (fastest of Runs); zero for native stores.
	PythonRead time.Duration `json:"python_read,omitempty"`
	// Graph says how a LangChain folder's warm starts got their graph:
	// "loaded" (saved beside the files) or "deferred".
	Graph string `json:"graph,omitempty"`
	// SyncMBps and AWSSyncMBps are the best throughput of s3sync and of
	// `aws s3 sync` mirroring the store from S3Endpoint; -1 when not
	// measured.
	SyncMBps    float64 `json:"sync_mb_per_s"`
	AWSSyncMBps float64 `json:"aws_sync_mb_per_s"`
}

// Report is the outcome of Flags.Run.
type Report struct {
	Machine string `json:"machine"`
	Load    string `json:"load_average"`
	Rows    []Row  `json:"rows"`
}

// loadBudget lifts the load budget (STORE_LOAD_MAX_BYTES): without a
// memory limit it defaults to 2 GiB, below what a 1M x 384 store is
// charged (vectors, text times store.TextCost, graph: about 3.4 GB). The
// benchmark measures start-up, not the budget, which store's tests cover.
const loadBudget = 64 << 30

// Run generates what is missing under f.Work and measures every store.
// Progress goes to log.
func (f Flags) Run(ctx context.Context, log io.Writer) (*Report, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	sizes, _ := cliflag.ParseInts(f.Sizes)
	rep := &Report{Machine: machine(), Load: loadAverage()}
	env := []string{"EMBEDDER=hash", "EMBEDDING_DIMS=384", "LOG_LEVEL=warn", "STORE_LOAD_MAX_BYTES=" + strconv.FormatInt(loadBudget, 10)}
	for _, n := range sizes {
		native := filepath.Join(f.Work, fmt.Sprintf("native-%d", n))
		if _, err := os.Stat(filepath.Join(native, store.ManifestFile)); err != nil {
			fmt.Fprintf(log, "generating %s\n", native)
			if _, err := Generate(ctx, native, GenConfig{N: n}); err != nil {
				return nil, err
			}
		}
		row, err := f.measure(ctx, log, "native", native, env, n)
		if err != nil {
			return nil, err
		}
		rep.Rows = append(rep.Rows, row)
		if f.Python == "" {
			continue
		}
		lc := filepath.Join(f.Work, fmt.Sprintf("langchain-%d", n))
		if _, err := os.Stat(filepath.Join(lc, store.LangChainDocsFile)); err != nil {
			fmt.Fprintf(log, "writing %s with %s\n", lc, f.Python)
			if err := f.python(ctx, io.Discard, "write", "--native", native, "--out", lc); err != nil {
				return nil, err
			}
		}
		row, err = f.measure(ctx, log, "langchain", lc, env, n)
		if err != nil {
			return nil, err
		}
		var out strings.Builder
		if err := f.python(ctx, &out, "read", "--dir", lc, "--repeat", fmt.Sprint(f.Runs)); err != nil {
			return nil, err
		}
		var secs float64
		if _, err := fmt.Sscanf(out.String(), `{"seconds": %g`, &secs); err != nil {
			return nil, fmt.Errorf("startbench: python read output %q: %w", out.String(), err)
		}
		row.PythonRead = time.Duration(secs * float64(time.Second))
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// measure runs the first, warm and cold starts of one store.
func (f Flags) measure(ctx context.Context, log io.Writer, kind, dir string, env []string, n int) (Row, error) {
	row := Row{Store: kind, Chunks: n, VectorBytes: int64(n) * 384 * 4, SyncMBps: -1, AWSSyncMBps: -1}
	files := []string{store.VectorsFile, store.ChunksFile}
	if kind == "langchain" {
		files = []string{store.LangChainIndexFile, store.LangChainDocsFile}
	}
	for i, name := range files {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return row, fmt.Errorf("startbench: %w", err)
		}
		row.FileBytes += st.Size()
		if i == 1 {
			row.TextBytes = st.Size()
		}
	}
	cfg := MeasureConfig{Binary: f.Binary, Env: append(slices.Clone(env), "VECTORSTORE_DIR="+dir), Queries: f.Queries}
	// The first start finds nothing recorded: forget what an earlier run
	// recorded or derived. Files younger than the racy window would not be
	// recorded yet; a real store is older than that when a server starts.
	if err := forget(dir); err != nil {
		return row, err
	}
	settle(dir)
	fmt.Fprintf(log, "%s %d: first start\n", kind, n)
	var err error
	if row.First, err = Measure(ctx, cfg); err != nil {
		return row, err
	}
	if kind == "langchain" {
		// What the server builds after it is ready (the graph) or before
		// (the keyword index), built here so the warm starts find them.
		row.Graph = "deferred"
		if n <= f.LangChainGraphMax {
			row.Graph = "loaded"
		}
		fmt.Fprintf(log, "%s %d: building the keyword index (and graph: %s) once\n", kind, n, row.Graph)
		if err := prepareLangChain(ctx, dir, row.Graph == "loaded"); err != nil {
			return row, err
		}
	}
	var warm []Run
	for i := range f.Runs {
		fmt.Fprintf(log, "%s %d: warm start %d\n", kind, n, i+1)
		r, err := Measure(ctx, cfg)
		if err != nil {
			return row, err
		}
		warm = append(warm, r)
	}
	slices.SortFunc(warm, func(a, b Run) int { return int(a.Ready - b.Ready) })
	row.Warm = warm[len(warm)/2]
	if f.Cold {
		if err := dropCaches(); err != nil {
			fmt.Fprintf(log, "cold start skipped: %v\n", err)
		} else if row.Cold, err = Measure(ctx, cfg); err != nil {
			return row, err
		}
	}
	if f.S3Endpoint != "" {
		if row.SyncMBps, row.AWSSyncMBps, err = f.measureSync(ctx, log, fmt.Sprintf("%s-%d", kind, n), dir); err != nil {
			return row, err
		}
	}
	return row, nil
}

// forget removes the verified state and derived files of dir.
func forget(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("startbench: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if n == store.VerifiedFile || strings.HasPrefix(n, ".index.") {
			if err := os.Remove(filepath.Join(dir, n)); err != nil {
				return fmt.Errorf("startbench: %w", err)
			}
		}
	}
	return nil
}

// settle waits until every file in dir is older than the verified state's
// racy window (2 s), as files a build or sync wrote are when a task starts.
func settle(dir string) {
	entries, _ := os.ReadDir(dir)
	var newest time.Time
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	if wait := time.Until(newest.Add(2100 * time.Millisecond)); wait > 0 {
		time.Sleep(wait)
	}
}

// prepareLangChain opens dir as the server does and builds what it builds.
func prepareLangChain(ctx context.Context, dir string, graph bool) error {
	st, err := store.Open(ctx, dir, store.OpenOptions{DeferGraph: true, MaxBytes: loadBudget})
	if err != nil {
		return err
	}
	st.KeywordIndex(keyword.Standard)
	if graph {
		_, err = st.WithHNSW(ctx, 0)
	}
	return err
}

func (f Flags) python(ctx context.Context, stdout io.Writer, args ...string) error {
	script := filepath.Join("scripts", "bench_startup_lc.py")
	cmd := exec.CommandContext(ctx, f.Python, append([]string{script}, args...)...) //nolint:gosec // G204: the configured interpreter runs our script
	cmd.Stdout = stdout
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("startbench: %s %s: %w: %s", f.Python, strings.Join(args, " "), err, stderr.String())
	}
	return nil
}

// dropCaches empties the page cache, so the next start reads from disk.
func dropCaches() error {
	if err := exec.Command("sync").Run(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	return os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0o600)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func machine() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	model := "unknown CPU"
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs", model, runtime.NumCPU())
}

// WriteText prints the report as a table.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "machine: %s; load average at start: %s\n", r.Machine, r.Load)
	fmt.Fprintf(w, "%-10s %8s %9s %8s %8s %8s %9s %9s %9s %11s %9s %9s %9s\n", "store", "chunks", "files MB", "first s", "warm s", "cold s",
		"RSS MiB", "HWM MiB", "+queries", "budget MiB", "python s", "sync MB/s", "aws MB/s")
	for _, x := range r.Rows {
		cold, py, syncMB, awsMB := "-", "-", "-", "-"
		if x.SyncMBps > 0 {
			syncMB, awsMB = fmt.Sprintf("%.0f", x.SyncMBps), fmt.Sprintf("%.0f", x.AWSSyncMBps)
		}
		if x.Cold.Ready > 0 {
			cold = fmt.Sprintf("%.2f", x.Cold.Ready.Seconds())
		}
		if x.PythonRead > 0 {
			py = fmt.Sprintf("%.2f", x.PythonRead.Seconds())
		}
		fmt.Fprintf(w, "%-10s %8d %9.0f %8.2f %8.2f %8s %9d %9d %9d %11d %9s %9s %9s\n", x.Store, x.Chunks, float64(x.FileBytes)/1e6,
			x.First.Ready.Seconds(), x.Warm.Ready.Seconds(), cold, x.Warm.RSS>>20, x.Warm.HWM>>20, x.Warm.RSSAfterQueries>>20,
			Budget(x.VectorBytes, x.TextBytes)>>20, py, syncMB, awsMB)
		if x.Graph != "" {
			fmt.Fprintf(w, "%-10s graph on warm starts: %s\n", "", x.Graph)
		}
	}
	fmt.Fprintln(w, "warm: median start with the verified state recorded; RSS/HWM at the first /ready 200; +queries: RSS after the searches;")
	fmt.Fprintln(w, "budget: 1.3 x (vector + text bytes) + 80 MiB; sync and aws MB/s: best of the runs mirroring the store files from the S3 server")
}

// WriteJSON prints the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error { return cliflag.WriteJSON(w, r) }

// Budget is the memory target for a store: 1.3 x (vector + text bytes) +
// 80 MiB.
func Budget(vectorBytes, textBytes int64) int64 {
	return (vectorBytes+textBytes)*13/10 + 80<<20
}
