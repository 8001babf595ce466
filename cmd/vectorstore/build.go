package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embed/uselite"
	"github.com/vendor0919/api/internal/store"
)

// Embedder names the build, search and eval commands accept.
const (
	embedderHash    = "hash"
	embedderUseLite = "use-lite"
)

// newEmbedder returns the offline embedder called name.
func newEmbedder(name string) (embed.Embedder, error) {
	switch name {
	case embedderHash:
		return embed.NewHash(embed.HashConfig{})
	case embedderUseLite:
		return uselite.New()
	}
	return nil, usageError{msg: fmt.Sprintf("unknown embedder %q (want %s or %s)", name, embedderHash, embedderUseLite)}
}

func buildCommand() command {
	return command{name: "build", summary: "chunk and embed a folder of documents into a native store", run: runBuild}
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("build", stderr)
	in := fs.String("in", "", "folder of .md, .txt, .html and .pdf documents (required)")
	out := fs.String("out", "", "store folder to write; replaced atomically (required)")
	embName := fs.String("embedder", embedderUseLite, "embedder: use-lite or hash")
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
	emb, err := newEmbedder(*embName)
	if err != nil {
		return err
	}
	docs, err := chunk.LoadDir(ctx, *in)
	if err != nil {
		return err
	}
	var chunks []docmodel.Chunk
	for _, d := range docs {
		chunks = append(chunks, chunk.Chunks(d, chunk.Options{Size: *size, Overlap: *overlap})...)
	}
	if len(chunks) == 0 {
		return fmt.Errorf("build: no text found under %s", *in)
	}
	progress := stderr
	if *quiet {
		progress = io.Discard
	}
	vecs, err := embedAll(ctx, emb, chunks, *batch, *workers, newProgressBar(progress, "embedding", len(chunks)))
	if err != nil {
		return err
	}
	man, err := store.Write(ctx, *out, chunks, vecs, store.WriteOptions{
		Version: *version, Embedding: emb.Info(), Metric: ann.Cosine,
		HNSW: ann.HNSWConfig{M: *m, EFConstruction: *efc}, Exact: *exact,
	})
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d documents, %d chunks, %s/%s %d dims, version %s, in %s\n",
		*out, len(docs), man.Count, man.Embedding.Provider, man.Embedding.Model, man.Embedding.Dims,
		man.Version, time.Since(start).Round(time.Millisecond))
	return nil
}

// embedAll embeds chunk texts in batches on workers goroutines and returns
// the vectors row-major in chunk order.
func embedAll(ctx context.Context, emb embed.Embedder, chunks []docmodel.Chunk, batch, workers int, bar *progressBar) ([]float32, error) {
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
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range starts {
				hi := min(lo+batch, len(chunks))
				texts := make([]string, hi-lo)
				for i := range texts {
					texts[i] = chunks[lo+i].Text
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
				bar.Add(len(texts))
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
	bar.Done()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	return vecs, nil
}

// progressBar draws "label [#####-----] n/total" on one terminal line,
// redrawn at most every 100 ms. It is safe for concurrent use.
type progressBar struct {
	w     io.Writer
	label string
	total int
	done  atomic.Int64
	mu    sync.Mutex
	last  time.Time
}

func newProgressBar(w io.Writer, label string, total int) *progressBar {
	return &progressBar{w: w, label: label, total: total}
}

// Add records n more finished items.
func (p *progressBar) Add(n int) {
	d := p.done.Add(int64(n))
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) >= 100*time.Millisecond || int(d) == p.total {
		p.draw(int(d))
		p.last = time.Now()
	}
}

// Done draws the final state and ends the line.
func (p *progressBar) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(int(p.done.Load()))
	fmt.Fprintln(p.w)
}

func (p *progressBar) draw(done int) {
	const width = 30
	filled := 0
	if p.total > 0 {
		filled = done * width / p.total
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '-'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d", p.label, bar, done, p.total)
}
