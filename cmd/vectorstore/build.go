package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/providers"
)

// newEmbedder builds the embedder called name ("": the configured one,
// EMBEDDER) with the provider settings pr, as the server would.
func newEmbedder(ctx context.Context, pr config.Providers, name string) (embed.Embedder, error) {
	if name != "" {
		pr.Embedder = name
	}
	if err := pr.Validate(); err != nil {
		return nil, err
	}
	emb, err := providers.Embedder(ctx, pr)
	if errors.Is(err, providers.ErrUnknown) {
		return nil, usageError{msg: err.Error()}
	}
	return emb, err
}

func runBuild(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", stderr)
	in := fs.String("in", "", "folder of .md, .txt, .html and .pdf documents (required)")
	out := fs.String("out", "", "store folder to write; replaced atomically (required)")
	embName := fs.String("embedder", "", "embedder: use-lite, hash, openai, bedrock or ollama (default: EMBEDDER, else use-lite)")
	size := fs.Int("chunk-size", chunk.DefaultSize, "largest chunk, in runes")
	overlap := fs.Int("overlap", chunk.DefaultOverlap, "runes a chunk may repeat from the previous one; negative for none")
	m := fs.Int("m", 0, "HNSW links per node (0: ann default)")
	efc := fs.Int("ef-construction", 0, "HNSW build candidate list size (0: ann default)")
	batch := fs.Int("batch", 32, "texts per embedding call")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "concurrent embedding calls")
	version := fs.String("version", "", "store version label (default: UTC time)")
	exact := fs.Bool("exact", false, "write no HNSW graph; the store is served by exact search")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return usageError{msg: "--in and --out are required"}
	}
	if *batch < 1 || *workers < 1 || *size < 1 {
		return usageError{msg: "--batch, --workers and --chunk-size must be positive"}
	}
	start := time.Now()
	emb, err := newEmbedder(ctx, pr, *embName)
	if err != nil {
		return err
	}
	cfg := ingest.Config{
		Chunk: chunk.Options{Size: *size, Overlap: *overlap}, Batch: *batch, Workers: *workers,
		Version: *version, HNSW: ann.HNSWConfig{M: *m, EFConstruction: *efc}, Exact: *exact, Progress: stderr,
	}
	if *quiet {
		cfg.Progress = nil
	}
	res, err := ingest.Build(ctx, *in, *out, emb, cfg)
	if err != nil {
		return err
	}
	man := res.Manifest
	fmt.Fprintf(stdout, "wrote %s: %d documents, %d chunks, %s/%s %d dims, version %s, in %s\n",
		*out, res.Documents, man.Count, man.Embedding.Provider, man.Embedding.Model, man.Embedding.Dims,
		man.Version, time.Since(start).Round(time.Millisecond))
	return nil
}
