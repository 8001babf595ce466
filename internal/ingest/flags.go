package ingest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

// CacheOff is the --cache value that disables the embedding cache.
const CacheOff = "off"

// BuildFlags are the flags of "vectorstore build" (cliflag.Options). The
// embedder is chosen by providers.EmbedderFlags and providers.ModelFlags
// beside them.
type BuildFlags struct {
	// KeywordAnalyzers is not a flag: the caller sets the analyzer choice
	// the server is configured with (nil: keyword.Standard); see Config.
	KeywordAnalyzers keyword.Chooser
	// PDF is not a flag either: the caller sets how PDFs are parsed (nil:
	// in this process); see Config.
	PDF chunk.PDFParser

	In, Out, Version   string
	ChunkSize, Overlap int
	M, EFConstruction  int
	// HNSWWorkers is --hnsw-workers: goroutines inserting into the graph;
	// 0 means one per CPU, 1 the same graph on every build.
	HNSWWorkers    int
	Batch, Workers int
	Exact, Quiet   bool
	// Cache is --cache: the folder of embedding caches; empty means the
	// user cache folder for minilm and the remote embedders (openai, bedrock, ollama)
	// and none for the other local ones; CacheOff means none.
	Cache  string
	DryRun bool
	// Quantize is --quantize: "" or store.QuantizeSQ8.
	Quantize string
}

// RegisterFlags binds f to fs.
func (f *BuildFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.In, "in", "", "folder of .md, .txt, .html and .pdf documents (required)")
	fs.StringVar(&f.Out, "out", "", "store folder to write; replaced atomically (required)")
	fs.IntVar(&f.ChunkSize, "chunk-size", chunk.DefaultSize, "largest chunk, in runes")
	fs.IntVar(&f.Overlap, "overlap", chunk.DefaultOverlap, "runes a chunk may repeat from the previous one; negative for none")
	fs.IntVar(&f.M, "m", 0, "HNSW links per node (0: ann default)")
	fs.IntVar(&f.EFConstruction, "ef-construction", 0, "HNSW build candidate list size (0: ann default)")
	fs.IntVar(&f.HNSWWorkers, "hnsw-workers", 0, "goroutines inserting into the HNSW graph (0: one per CPU; 1: the same graph from the same vectors on every build, slower)")
	fs.IntVar(&f.Batch, "batch", DefaultBatch, "most texts per embedding call (the provider's limits may lower it)")
	fs.IntVar(&f.Workers, "workers", 0, "same as --concurrency")
	fs.IntVar(&f.Workers, "concurrency", 0, fmt.Sprintf("embedding calls in flight (0: one for the in-process models, which use every CPU within a call; %d for remote embedders; at most %d)", DefaultConcurrency, MaxConcurrency))
	fs.StringVar(&f.Version, "version", "", "store version label (default: UTC time)")
	fs.BoolVar(&f.Exact, "exact", false, "write no HNSW graph; the store is served by exact search")
	fs.BoolVar(&f.Quiet, "quiet", false, "no progress on stderr (a bar on a terminal, else a line every 30 s)")
	fs.StringVar(&f.Cache, "cache", "", `embedding cache folder, "off" for none (default: $XDG_CACHE_HOME/vendor0919/embcache, else ~/.cache/..., for minilm, openai, bedrock and ollama; none for use-lite-glove, use-lite and hash)`)
	fs.StringVar(&f.Quantize, "quantize", "", "\"sq8\": also store 8-bit codes (a quarter of the vector bytes) that searches walk the graph on, rescoring with the float rows; empty: float32 only")
	fs.BoolVar(&f.DryRun, "dry-run", false, "report documents, chunks, tokens, cache hits and estimated cost; embed and write nothing")
}

// Validate checks the flags' values.
func (f BuildFlags) Validate() error {
	if f.In == "" || (f.Out == "" && !f.DryRun) {
		return cliflag.Usagef("--in and --out are required")
	}
	if err := store.CheckQuantization(f.Quantize); err != nil {
		return cliflag.Usagef("--quantize: %v", err)
	}
	// Checked here, not after the embedding: a store it would write must open.
	if err := store.CheckVersion(f.Version); err != nil {
		return cliflag.Usagef("--version: %v", err)
	}
	if f.Batch < 1 || f.Workers < 0 || f.ChunkSize < 1 {
		return cliflag.Usagef("--batch, --workers and --chunk-size must be positive")
	}
	if err := cliflag.InRange("--chunk-size", f.ChunkSize, 1, chunk.MaxSize); err != nil {
		return err
	}
	// Each call in flight holds a batch of texts and its vectors: bounded
	// as vectorstore push's --concurrency is.
	if err := cliflag.InRange("--concurrency", f.Workers, 0, MaxConcurrency); err != nil {
		return err
	}
	if err := cliflag.InRange("--hnsw-workers", f.HNSWWorkers, 0, ann.MaxWorkers); err != nil {
		return err
	}
	// Before anything is embedded, not when the graph is built after.
	if err := (ann.HNSWConfig{M: f.M, EFConstruction: f.EFConstruction}).Check(); err != nil {
		return cliflag.Usagef("--m, --ef-construction: %v", err)
	}
	// An --out that is not a store is the operator's mistake, like a bad
	// flag value (exit 2); Build checks it again for other callers.
	if f.Out != "" && !f.DryRun {
		if err := store.CheckReplaceable(f.Out); errors.Is(err, store.ErrNotReplaceable) {
			return cliflag.Usagef("--out: %v", err)
		}
	}
	return nil
}

// Config returns the Build configuration the flags describe, with
// progress drawn on progress unless --quiet. The cache folder is left as
// given (see Run).
func (f BuildFlags) Config(progress io.Writer) Config {
	cfg := Config{
		Chunk: chunk.Options{Size: f.ChunkSize, Overlap: f.Overlap}, Batch: f.Batch, Workers: f.Workers,
		Version: f.Version, HNSW: ann.HNSWConfig{M: f.M, EFConstruction: f.EFConstruction, Workers: f.HNSWWorkers}, Exact: f.Exact, Progress: progress,
		DryRun: f.DryRun, KeywordAnalyzers: f.KeywordAnalyzers, Quantization: f.Quantize, PDF: f.PDF,
	}
	if f.Cache != CacheOff {
		cfg.Cache = f.Cache
	}
	if f.Quiet {
		cfg.Progress = nil
	}
	return cfg
}

// DefaultCacheDir returns where builds cache embeddings by default:
// vendor0919/embcache under the user's cache folder (os.UserCacheDir:
// $XDG_CACHE_HOME, else ~/.cache on Linux).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "vendor0919", "embcache"), nil
}

// Run validates the flags, builds the embedder newEmbedder returns and
// runs Build (or the dry run), printing the summary on stdout and skipped
// documents, warnings and progress (a bar on a terminal, plain lines
// elsewhere) on stderr.
// An embedder that cannot be configured (unknown name, a model of unknown
// dims) is a cliflag.UsageError.
func (f BuildFlags) Run(ctx context.Context, newEmbedder func() (embed.Embedder, error), stdout, stderr io.Writer) error {
	if err := f.Validate(); err != nil {
		return err
	}
	start := time.Now()
	emb, err := newEmbedder()
	if errors.Is(err, embed.ErrConfig) {
		if strings.Contains(err.Error(), "dims") {
			return cliflag.Usagef("%v (set the vector length with --dims or EMBEDDING_DIMS)", err)
		}
		return cliflag.UsageError{Msg: err.Error()}
	}
	if err != nil {
		return err
	}
	cfg := f.Config(stderr)
	// A log (CI, a file) gets a plain line every 30 s: a redrawn bar
	// would be noise there, and nothing at all looks like a hang.
	cfg.PlainProgress = !IsTerminal(stderr)
	cfg.Warnings = ForMessages(stderr)
	if f.Cache == "" && emb.Info().WorthCaching() {
		if cfg.Cache, err = DefaultCacheDir(); err != nil {
			fmt.Fprintf(stderr, "no embedding cache: %v\n", err)
		}
	}
	res, err := Build(ctx, f.In, f.Out, emb, cfg)
	for _, s := range res.Skipped {
		fmt.Fprintf(stderr, "skipped %s: %v\n", s.Path, s.Err)
	}
	if lo := (*fsatomic.LeftoverError)(nil); errors.As(err, &lo) && res.Manifest != nil {
		// The store is in place; only the old one's removal failed.
		fmt.Fprintf(stderr, "warning: %v\n", lo)
		err = nil
	}
	if err != nil && ctx.Err() != nil {
		// Ctrl-C or SIGTERM: what the operator needs is what was kept,
		// not the batch the cancellation happened to cut short.
		return interrupted(res)
	}
	if err != nil {
		return err
	}
	m := res.Embedding
	if f.DryRun {
		fmt.Fprintf(stdout, "dry run: %d documents (%d skipped), %d chunks, about %d tokens, %s/%s %d dims\n",
			res.Documents, len(res.Skipped), res.Chunks, res.Tokens, m.Provider, m.Model, m.Dims)
		fmt.Fprintf(stdout, "cache: %s\n", cacheLine(res))
		fmt.Fprintf(stdout, "to embed: %d texts, about %d tokens, estimated cost %s\n", res.ToEmbed, res.EmbedTokens, res.Cost)
		if res.Truncated > 0 {
			fmt.Fprintf(stdout, "over the model's input limit: %d chunks (%s)\n", res.Truncated, truncNote(res))
		}
		return nil
	}
	man := res.Manifest
	fmt.Fprintf(stdout, "wrote %s: %d documents, %d chunks, %s/%s %d dims, version %s, in %s; keyword analyzer %s\n",
		f.Out, res.Documents, man.Count, m.Provider, m.Model, m.Dims, man.Version, time.Since(start).Round(time.Millisecond), res.KeywordAnalyzer)
	if len(res.Skipped) == 0 && res.Truncated == 0 && res.CacheDir == "" {
		return nil
	}
	// Batches, not requests: an embedder splits a batch over its own
	// request size (Ollama 64 texts, OpenAI 96, Bedrock 1) unseen here.
	line := fmt.Sprintf("embedded %d texts in %d batches; cache: %s", res.ToEmbed, res.Batches, cacheLine(res))
	if res.Truncated > 0 {
		line += fmt.Sprintf("; over the model's input limit: %d chunks (%s)", res.Truncated, truncNote(res))
	}
	if len(res.Skipped) > 0 {
		line += fmt.Sprintf("; skipped %d documents (unreadable or without text)", len(res.Skipped))
	}
	fmt.Fprintln(stdout, line)
	return nil
}

func cacheLine(res Result) string {
	if res.CacheDir == "" {
		return "off"
	}
	line := fmt.Sprintf("%d of %d chunks found in %s", res.Cached, res.Chunks, res.CacheDir)
	if res.CachePutErr != nil {
		line += " (this build's vectors not all added: " + res.CachePutErr.Error() + ")"
	}
	return line
}

// cacheWarning describes what opening the cache skipped or cut, or
// returns "" when its file was whole.
func cacheWarning(res Result, dry bool) string {
	var parts []string
	if res.CacheBadHeader != nil {
		if res.CacheSetAside != "" {
			// The folder leads the warning: the copy's name alone says where.
			parts = append(parts, fmt.Sprintf("%v: set aside as %s; building with a fresh cache", res.CacheBadHeader, filepath.Base(res.CacheSetAside)))
		} else {
			parts = append(parts, fmt.Sprintf("%v: not read (a build sets it aside)", res.CacheBadHeader))
		}
	}
	if res.CacheBusy {
		parts = append(parts, "in use by another build: read, and this build's vectors not added")
	}
	if res.CacheSkipped > 0 {
		parts = append(parts, fmt.Sprintf("skipped %d damaged records (left in the file, never used)", res.CacheSkipped))
	}
	if res.CacheTorn > 0 {
		if dry || res.CacheBusy {
			parts = append(parts, fmt.Sprintf("a torn tail of %d bytes (a build cuts it)", res.CacheTorn))
		} else {
			parts = append(parts, fmt.Sprintf("cut a torn tail of %d bytes", res.CacheTorn))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("warning: cache %s: %s", res.CacheDir, strings.Join(parts, "; "))
}

func truncNote(res Result) string {
	n := res.ModelReads
	if res.Embedding.Provider == docmodel.ProviderUseLiteGlove && n > 0 {
		return fmt.Sprintf("use-lite reads their first %d tokens, GloVe up to 4096 words", n)
	}
	if n > 0 {
		return fmt.Sprintf("the model reads their first %d tokens", n)
	}
	return "embedded from their start; stored and keyword-indexed whole"
}

// ErrInterrupted is wrapped by the error Run returns when ctx ended the
// build (Ctrl-C, SIGTERM): --out is as it was.
var ErrInterrupted = errors.New("interrupted")

// interrupted says what an interrupted build kept: with a cache it added
// to, every finished batch, which a rerun does not embed again.
func interrupted(res Result) error {
	if res.Chunks == 0 {
		// Stopped while loading documents: nothing was embedded yet.
		return fmt.Errorf("%w before anything was embedded; --out is unchanged", ErrInterrupted)
	}
	if res.CacheDir != "" && !res.CacheBusy && res.CachePutErr == nil {
		return fmt.Errorf("%w; the finished batches are cached, run the same command again to resume", ErrInterrupted)
	}
	return fmt.Errorf("%w; --out is unchanged, and with no cache this build could add to, a rerun embeds everything again", ErrInterrupted)
}
