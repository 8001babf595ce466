package ingest

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/embed"
)

// BuildFlags is the command line of "vectorstore build": the folders and
// the settings of Config. The embedder's flags belong to its package
// (providers.EmbedderFlags).
type BuildFlags struct {
	In, Out, Version   string
	ChunkSize, Overlap int
	M, EFConstruction  int
	Batch, Workers     int
	Exact, Quiet       bool
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *BuildFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.In, "in", "", "folder of .md, .txt, .html and .pdf documents (required)")
	fs.StringVar(&f.Out, "out", "", "store folder to write; replaced atomically (required)")
	fs.IntVar(&f.ChunkSize, "chunk-size", chunk.DefaultSize, "largest chunk, in runes")
	fs.IntVar(&f.Overlap, "overlap", chunk.DefaultOverlap, "runes a chunk may repeat from the previous one; negative for none")
	fs.IntVar(&f.M, "m", 0, "HNSW links per node (0: ann default)")
	fs.IntVar(&f.EFConstruction, "ef-construction", 0, "HNSW build candidate list size (0: ann default)")
	fs.IntVar(&f.Batch, "batch", DefaultBatch, "texts per embedding call")
	fs.IntVar(&f.Workers, "workers", runtime.GOMAXPROCS(0), "concurrent embedding calls")
	fs.StringVar(&f.Version, "version", "", "store version label (default: UTC time)")
	fs.BoolVar(&f.Exact, "exact", false, "write no HNSW graph; the store is served by exact search")
	fs.BoolVar(&f.Quiet, "quiet", false, "no progress bar")
}

// Validate checks f; its errors are cliflag.UsageErrors.
func (f BuildFlags) Validate() error {
	if f.In == "" || f.Out == "" {
		return cliflag.Usagef("--in and --out are required")
	}
	if f.Batch < 1 || f.Workers < 1 || f.ChunkSize < 1 {
		return cliflag.Usagef("--batch, --workers and --chunk-size must be positive")
	}
	return nil
}

// Config returns the Config f describes; the progress bar goes to
// progress unless f.Quiet.
func (f BuildFlags) Config(progress io.Writer) Config {
	cfg := Config{
		Chunk: chunk.Options{Size: f.ChunkSize, Overlap: f.Overlap}, Batch: f.Batch, Workers: f.Workers,
		Version: f.Version, HNSW: ann.HNSWConfig{M: f.M, EFConstruction: f.EFConstruction}, Exact: f.Exact, Progress: progress,
	}
	if f.Quiet {
		cfg.Progress = nil
	}
	return cfg
}

// Run validates f, gets the embedder from newEmbedder,
// builds the store with Build (progress on stderr) and writes a summary
// line to stdout; the time it gives includes starting the embedder.
func (f BuildFlags) Run(ctx context.Context, newEmbedder func() (embed.Embedder, error), stdout, stderr io.Writer) error {
	if err := f.Validate(); err != nil {
		return err
	}
	start := time.Now()
	emb, err := newEmbedder()
	if err != nil {
		return err
	}
	res, err := Build(ctx, f.In, f.Out, emb, f.Config(stderr))
	if err != nil {
		return err
	}
	man := res.Manifest
	fmt.Fprintf(stdout, "wrote %s: %d documents, %d chunks, %s/%s %d dims, version %s, in %s\n",
		f.Out, res.Documents, man.Count, man.Embedding.Provider, man.Embedding.Model, man.Embedding.Dims,
		man.Version, time.Since(start).Round(time.Millisecond))
	return nil
}
