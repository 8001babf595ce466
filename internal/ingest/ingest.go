package ingest

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

// Defaults used when the matching Config field is zero.
const DefaultBatch = 32

// Config tunes Build. The zero value works.
type Config struct {
	// Chunk sets the chunk size and overlap; zero fields take package
	// chunk's defaults.
	Chunk chunk.Options
	// Batch is the number of texts per embedding call; zero means
	// DefaultBatch.
	Batch int
	// Workers is the number of embedding calls in flight; zero means
	// GOMAXPROCS.
	Workers int
	// Version labels the store; empty uses the UTC time.
	Version string
	// HNSW configures the graph; zero fields take ann's defaults.
	HNSW ann.HNSWConfig
	// Exact writes no graph: the store is served by exact search.
	Exact bool
	// Progress, if not nil, receives a one-line progress bar while the
	// chunks are embedded.
	Progress io.Writer
}

// Result describes a Build.
type Result struct {
	Documents int             // documents loaded
	Manifest  *store.Manifest // the store written
}

// Build loads every supported document under in, chunks it, embeds the
// chunks with emb and writes them as a native store (cosine metric) in
// out, replacing it atomically. A folder without any text is an error.
func Build(ctx context.Context, in, out string, emb embed.Embedder, cfg Config) (Result, error) {
	docs, err := chunk.LoadDir(ctx, in)
	if err != nil {
		return Result{}, err
	}
	var chunks []docmodel.Chunk
	for _, d := range docs {
		chunks = append(chunks, chunk.Chunks(d, cfg.Chunk)...)
	}
	if len(chunks) == 0 {
		return Result{}, fmt.Errorf("build: no text found under %s", in)
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	bar := newProgressBar(progress, "embedding", len(chunks))
	vecs, err := EmbedAll(ctx, emb, chunks, cfg.Batch, cfg.Workers, bar.Add)
	bar.Done()
	if err != nil {
		return Result{}, err
	}
	man, err := store.Write(ctx, out, chunks, vecs, store.WriteOptions{
		Version: cfg.Version, Embedding: emb.Info(), Metric: ann.Cosine, HNSW: cfg.HNSW, Exact: cfg.Exact,
	})
	if err != nil {
		return Result{}, fmt.Errorf("build: %w", err)
	}
	return Result{Documents: len(docs), Manifest: man}, nil
}

// EmbedAll embeds the chunks' texts, batch texts per call on workers
// goroutines (zero: DefaultBatch and GOMAXPROCS), and returns the vectors
// row-major in chunk order. done, if not nil, is called with the number of
// chunks each finished call embedded, from the workers' goroutines. The
// first failure cancels the rest and is returned.
func EmbedAll(ctx context.Context, emb embed.Embedder, chunks []docmodel.Chunk, batch, workers int, done func(n int)) ([]float32, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if done == nil {
		done = func(int) {}
	}
	dims := emb.Info().Dims
	vecs := make([]float32, len(chunks)*dims)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	starts := make(chan int)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err; cancel() })
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range starts {
				hi := min(lo+batch, len(chunks))
				texts := make([]string, hi-lo)
				for i := range texts {
					texts[i] = chunks[lo+i].IndexText()
				}
				out, err := emb.Embed(ctx, texts)
				if err == nil && len(out) != len(texts) {
					err = fmt.Errorf("got %d vectors for %d texts", len(out), len(texts))
				}
				if err != nil {
					fail(fmt.Errorf("build: embed chunks %d-%d: %w", lo, hi-1, err))
					return
				}
				for i, v := range out {
					if len(v) != dims {
						fail(fmt.Errorf("build: embed chunk %d: %d dims, want %d", lo+i, len(v), dims))
						return
					}
					copy(vecs[(lo+i)*dims:], v)
				}
				done(len(texts))
			}
		}()
	}
feed:
	for lo := 0; lo < len(chunks); lo += batch {
		select {
		case starts <- lo:
		case <-ctx.Done():
			break feed
		}
	}
	close(starts)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	return vecs, nil
}
