package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embcache"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

// Defaults used when the matching Config field is zero.
const (
	DefaultBatch = 32
	// DefaultConcurrency is the number of embedding calls in flight to a
	// remote provider: enough to hide latency, few enough to stay under a
	// new account's rate limit.
	DefaultConcurrency = 4
	// MaxConcurrency bounds --concurrency: far more calls than any
	// provider's rate limit admits at once.
	MaxConcurrency = 64
)

// Config tunes Build. The zero value works.
type Config struct {
	// Chunk sets the chunk size and overlap; zero fields take package
	// chunk's defaults.
	Chunk chunk.Options
	// Batch is the most texts per embedding call; zero means
	// DefaultBatch. The model's Limits may cap it further.
	Batch int
	// Workers is the number of embedding calls in flight; zero means one
	// for the in-process models, which spread each call's texts over the
	// CPUs themselves (more calls at once only stack goroutines on the
	// same cores: docs/BENCHMARKS.md, round thirty-five), and
	// DefaultConcurrency for the remote ones.
	Workers int
	// Version labels the store; empty uses the UTC time.
	Version string
	// HNSW configures the graph; zero fields take ann's defaults.
	HNSW ann.HNSWConfig
	// Exact writes no graph: the store is served by exact search.
	Exact bool
	// KeywordAnalyzers picks the analyzer of the store's persisted keyword
	// index from the chunks' keyword texts, as the server picks it for the
	// store it loads; nil is keyword.Standard. Give the server's setting
	// (KEYWORD_JAPANESE) so it loads the index instead of building its own
	// at start-up.
	KeywordAnalyzers keyword.Chooser
	// Quantization is store.WriteOptions.Quantization ("" or "sq8").
	Quantization string
	// Progress, if not nil, receives a line per phase (loaded, embedding,
	// writing) and a one-line progress bar while the chunks are embedded.
	Progress io.Writer
	// PlainProgress, for a Progress that is no terminal (a CI log),
	// prints a progress line at most every 30 s instead of redrawing a
	// bar.
	PlainProgress bool
	// Warnings, if not nil, receives a line, as it happens, for each
	// problem the build works around rather than stops for (a cache it
	// can no longer write, or damaged records it skipped on opening). It may be written from several goroutines,
	// one line per Write. Nil discards them; Result keeps them too.
	Warnings io.Writer
	// Cache is the folder holding embedding caches (one per model, see
	// embcache.Dir); empty means no cache. Vectors found there are not
	// embedded again; new ones are added as each batch completes.
	Cache string
	// DryRun loads and chunks, counts tokens, cache hits and cost, and
	// stops: no embedding call, nothing written (the cache is only read).
	DryRun bool
	// PDF parses the PDF files (chunk.Loader.PDF); nil parses them in
	// this process (chunk.ParsePDF). A parse error skips the file.
	PDF chunk.PDFParser
}

// Result describes a build.
type Result struct {
	Documents int       // documents loaded
	Skipped   []Skipped // documents left out: unreadable or unparsable
	Chunks    int
	// Tokens is the number of tokens of every chunk as embedded (an
	// estimate unless the embedder counts its own).
	Tokens int
	// Truncated counts chunks longer than the model's input limit:
	// embedded from their first MaxInputTokens tokens (the stored text and
	// keyword index keep all of it).
	Truncated int
	// ModelReads is how many tokens of a text the model reads when it
	// cuts longer ones itself (Limits.SelfTruncates), else 0.
	ModelReads int
	// Cached counts chunks whose vectors came from the cache.
	Cached int
	// ToEmbed counts the distinct texts not in the cache and EmbedTokens
	// their tokens: what this build sends (or, dry, would send) and pays.
	ToEmbed     int
	EmbedTokens int
	Cost        Cost
	// Batches counts the build's batches sent to the embedder (Embed
	// calls). An embedder may split one into several requests (OpenAI
	// 96 texts a request, Ollama 64, Bedrock one per text), and retries
	// add more; only the provider's own figures count those.
	Batches int
	// CacheDir is the model's cache folder; empty without a cache.
	CacheDir string
	// CacheSkipped counts damaged records found in the cache file: left
	// in it, never used, their chunks embedded again. CacheTorn is the
	// bytes of a torn tail after its last whole record: cut by a build,
	// left in place by a dry run.
	CacheSkipped int
	CacheTorn    int64
	// CacheBusy reports that another build held the cache: this one read
	// it and added nothing to it.
	CacheBusy bool
	// CacheBadHeader is why the cache file found was not read (it wraps
	// embcache.ErrBadHeader and names the file); CacheSetAside is where a
	// build moved it, empty for a dry run or a busy cache, which leave it.
	// The build then starts with an empty cache.
	CacheBadHeader error
	CacheSetAside  string
	// CachePutErr is why the cache stopped taking vectors mid-build (a
	// full disk): the build went on without caching, since the cache only
	// saves work. Nil when every batch was cached.
	CachePutErr error
	// Embedding is the model, Manifest the store written (nil when dry).
	Embedding docmodel.EmbeddingModel
	Manifest  *store.Manifest
	// KeywordAnalyzer is the Version of the keyword index's analyzer
	// (empty when dry).
	KeywordAnalyzer string
}

// job is one distinct text to embed and the rows that take its vector.
type job struct {
	key    embcache.Key
	text   string
	tokens int
	rows   []int
}

// ErrNoText is the reason Build gives for skipping a document that
// parsed but left no text to index: all of it navigation, or swallowed by
// markup a browser would not show either (in an HTML page that does not
// declare itself XHTML, a self-closed <iframe/> opens a frame that never
// ends).
var ErrNoText = errors.New("no text to index")

// checkOut refuses an out that Build must not replace: one holding
// anything but a store (store.CheckReplaceable), or the input folder or
// a folder holding it, which replacing would delete.
func checkOut(in, out string) error {
	if err := store.CheckReplaceable(out); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	absIn, err1 := filepath.Abs(in)
	absOut, err2 := filepath.Abs(out)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if rel, err := filepath.Rel(absOut, absIn); err == nil && filepath.IsLocal(rel) {
		return fmt.Errorf("--out %s holds the input folder %s: writing the store there would delete the documents", out, in)
	}
	// The store is written into a folder made beside out, then renamed:
	// make one now, so a place it cannot be written (a read-only or
	// virtual file system) fails before anything is embedded, not after.
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	probe, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".probe-*")
	if err != nil {
		return fmt.Errorf("--out %s: the store cannot be written there: %w", out, err)
	}
	return os.Remove(probe)
}

// ErrNoSpace is Build's answer when the store cannot fit on the
// filesystem of out: found before anything is embedded, so no embedding
// work is lost to a write that fails.
var ErrNoSpace = errors.New("not enough free space")

// checkSpace refuses a store that cannot fit beside out (the folder it is
// written into before the swap is made there): one needing more than
// store.MinBytes, a bound from below, than the filesystem has free.
func checkSpace(out string, chunks []docmodel.Chunk, opts store.WriteOptions) error {
	free, ok := fsatomic.Available(filepath.Dir(filepath.Clean(out)))
	if need := store.MinBytes(chunks, opts); ok && free < need {
		return fmt.Errorf("--out %s: %w: the store needs at least %.1f MiB, its filesystem has %.1f MiB free; nothing was embedded",
			out, ErrNoSpace, float64(need)/(1<<20), float64(free)/(1<<20))
	}
	return nil
}

// Build loads the documents under in, chunks and embeds them with emb
// (only those not in cfg.Cache) and writes the store to out. A document
// that fails to parse, or holds no text, is skipped and reported in
// Result.Skipped; an embedding failure (after the provider's own
// retries) stops the build before anything is written, leaving the store
// at out as it was and the cache with every batch that completed.
func Build(ctx context.Context, in, out string, emb embed.Embedder, cfg Config) (Result, error) {
	if !cfg.DryRun {
		// Before anything is embedded: the store replaces out whole, and
		// Write refuses labels a reader would.
		if err := checkOut(in, out); err != nil {
			return Result{}, err
		}
		if err := store.CheckLabels(cfg.Version, emb.Info()); err != nil {
			return Result{}, err
		}
	}
	var lock *store.OutLock
	if !cfg.DryRun {
		// Held from before the first embedding to the swap: a second
		// build into out stops here rather than paying for the same
		// texts and racing this one to the swap.
		var err error
		if lock, err = store.LockOut(out); err != nil {
			return Result{}, err
		}
		defer lock.Close()
	}
	docs, skipped, err := chunk.Loader{PDF: cfg.PDF}.LoadDir(ctx, in)
	if err != nil {
		return Result{}, err
	}
	var chunks []docmodel.Chunk
	n := 0
	for _, d := range docs {
		c := chunk.Chunks(d, cfg.Chunk)
		if len(c) == 0 {
			skipped = append(skipped, chunk.Failure{Path: d.Source, Err: ErrNoText})
			continue
		}
		n++
		chunks = append(chunks, c...)
	}
	res := Result{Documents: n, Skipped: skipped, Chunks: len(chunks), Embedding: emb.Info()}
	if len(chunks) == 0 {
		return res, fmt.Errorf("no text found under %s (%d documents skipped)", in, len(skipped))
	}
	info, lim := res.Embedding, LimitsFor(emb)
	if lim.SelfTruncates {
		res.ModelReads = lim.MaxInputTokens
	}
	if !cfg.DryRun {
		if err := checkSpace(out, chunks, store.WriteOptions{Embedding: info, Exact: cfg.Exact, Quantization: cfg.Quantization}); err != nil {
			return res, err
		}
	}

	var cache *embcache.Cache
	if cfg.Cache != "" {
		res.CacheDir = embcache.Dir(cfg.Cache, info)
		if cfg.DryRun {
			cache, err = embcache.OpenReadOnly(res.CacheDir, info.Dims)
		} else if cache, err = embcache.Open(res.CacheDir, info.Dims); errors.Is(err, embcache.ErrBusy) {
			// Another build is appending: read what it holds, add nothing.
			res.CacheBusy = true
			cache, err = embcache.OpenReadOnly(res.CacheDir, info.Dims)
		}
		if err != nil {
			return res, err
		}
		defer cache.Close()
		res.CacheSkipped, res.CacheTorn = cache.Skipped(), cache.Dropped()
		res.CacheSetAside, res.CacheBadHeader = cache.SetAside()
		// Now, not after an hour of embedding: the operator may want to
		// stop and look at a cache that was damaged or set aside.
		if w := cacheWarning(res, cfg.DryRun); w != "" && cfg.Warnings != nil {
			fmt.Fprintln(cfg.Warnings, w)
		}
	}

	var vecs []float32
	if !cfg.DryRun {
		vecs = make([]float32, len(chunks)*info.Dims)
	}
	jobs := plan(chunks, info, lim, cache, vecs, &res)
	res.Cost = EstimateCost(info, res.EmbedTokens)
	if cfg.DryRun {
		return res, nil
	}

	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	fmt.Fprintf(progress, "loaded %d documents (%d skipped): %d chunks; embedding %d texts (%d chunks found in the cache)\n",
		res.Documents, len(res.Skipped), res.Chunks, res.ToEmbed, res.Cached)
	bar := newProgressBar(progress, "embedding", len(chunks), cfg.PlainProgress)
	bar.Add(res.Cached)
	bar.Start()
	var batches atomic.Int64
	var putOff atomic.Bool // set by the first failed Put
	err = embedJobs(ctx, emb, batchJobs(jobs, cmpOr(cfg.Batch, DefaultBatch), lim), concurrency(cfg.Workers, info),
		func(batch []*job, out [][]float32) error {
			batches.Add(1)
			if cache != nil && !cache.ReadOnly() && !putOff.Load() {
				keys := make([]embcache.Key, len(batch))
				for i, j := range batch {
					keys[i] = j.key
				}
				// The vectors are in hand: a cache that cannot take them (a
				// full disk) costs the next build work, not this one its
				// result. The first failure is kept and warned of.
				if err := cache.Put(keys, out); err != nil && putOff.CompareAndSwap(false, true) {
					res.CachePutErr = err
					if cfg.Warnings != nil {
						fmt.Fprintf(cfg.Warnings, "warning: cache %s: %v; going on without caching\n", res.CacheDir, err)
					}
				}
			}
			n := 0
			for i, j := range batch {
				for _, r := range j.rows {
					copy(vecs[r*info.Dims:], out[i])
				}
				n += len(j.rows)
			}
			bar.Add(n)
			return nil
		})
	bar.Done()
	res.Batches = int(batches.Load())
	if err != nil {
		return res, err
	}
	an, err := keyword.Choose(cfg.KeywordAnalyzers, len(chunks), func(i int) string { return chunks[i].KeywordText() })
	if err != nil {
		return res, fmt.Errorf("keyword analyzer: %w", err)
	}
	res.KeywordAnalyzer = an.Version()
	if cfg.Exact {
		fmt.Fprintln(progress, "writing the store")
	} else {
		fmt.Fprintln(progress, "building the graph and writing the store")
	}
	man, err := store.Write(ctx, out, chunks, vecs, store.WriteOptions{
		Version: cfg.Version, Embedding: info, Metric: ann.Cosine, HNSW: cfg.HNSW, Exact: cfg.Exact,
		KeywordAnalyzer: an, Quantization: cfg.Quantization, Lock: lock,
	})
	res.Manifest = man
	if err != nil {
		return res, err
	}
	return res, nil
}

// plan fits each chunk's text to the model's limits and returns the
// distinct texts the cache lacks, filling the rows of vecs (when not nil)
// that the cache has and counting into res.
func plan(chunks []docmodel.Chunk, info docmodel.EmbeddingModel, lim Limits, cache *embcache.Cache, vecs []float32, res *Result) []*job {
	var jobs []*job
	pending := map[embcache.Key]*job{}
	cached := map[embcache.Key]int{} // key -> a row already filled from the cache
	for i, c := range chunks {
		text, tokens, over := lim.fit(c.IndexText())
		res.Tokens += tokens
		if over {
			res.Truncated++
		}
		k := embcache.KeyOf(info, text)
		if j, ok := pending[k]; ok {
			j.rows = append(j.rows, i)
			continue
		}
		if r, ok := cached[k]; ok {
			if vecs != nil {
				copy(vecs[i*info.Dims:(i+1)*info.Dims], vecs[r*info.Dims:])
			}
			res.Cached++
			continue
		}
		if cache != nil {
			hit := false
			if vecs == nil {
				hit = cache.Has(k)
			} else if v, ok := cache.Get(k); ok {
				copy(vecs[i*info.Dims:], v)
				hit = true
			}
			if hit {
				cached[k] = i
				res.Cached++
				continue
			}
		}
		j := &job{key: k, text: text, tokens: tokens, rows: []int{i}}
		pending[k] = j
		jobs = append(jobs, j)
		res.ToEmbed++
		res.EmbedTokens += tokens
	}
	return jobs
}

// batchJobs groups jobs, in order, into embedding calls of at most batch
// texts (and the model's MaxInputs) and MaxRequestTokens tokens; a text
// alone over the token cap still gets a call of its own.
func batchJobs(jobs []*job, batch int, lim Limits) [][]*job {
	if lim.MaxInputs > 0 {
		batch = min(batch, lim.MaxInputs)
	}
	var out [][]*job
	var cur []*job
	tokens := 0
	for _, j := range jobs {
		if len(cur) > 0 && (len(cur) == batch || lim.MaxRequestTokens > 0 && tokens+j.tokens > lim.MaxRequestTokens) {
			out = append(out, cur)
			cur, tokens = nil, 0
		}
		cur = append(cur, j)
		tokens += j.tokens
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// concurrency returns the embedding calls to run at once: n if set,
// else Config.Workers' default for the model.
func concurrency(n int, info docmodel.EmbeddingModel) int {
	if n > 0 {
		return n
	}
	if info.InProcess() {
		return 1
	}
	return DefaultConcurrency
}

func cmpOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// embedJobs embeds batches on n goroutines and hands each answer, checked
// for count and dims, to done (called concurrently). The first error,
// from the embedder or done, cancels the rest and is returned.
func embedJobs(ctx context.Context, emb embed.Embedder, batches [][]*job, n int, done func([]*job, [][]float32) error) error {
	dims := emb.Info().Dims
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed := make(chan []*job)
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) { once.Do(func() { firstErr = err; cancel() }) }
	for range n {
		wg.Go(func() {
			for batch := range feed {
				texts := make([]string, len(batch))
				for i, j := range batch {
					texts[i] = j.text
				}
				out, err := emb.Embed(ctx, texts)
				if err == nil {
					err = checkBatch(out, len(texts), dims)
				}
				if err == nil {
					err = done(batch, out)
				}
				if err != nil {
					fail(fmt.Errorf("embed chunks %s: %w", rowRange(batch), err))
					return
				}
			}
		})
	}
send:
	for _, b := range batches {
		select {
		case feed <- b:
		case <-ctx.Done():
			break send
		}
	}
	close(feed)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func checkBatch(out [][]float32, n, dims int) error {
	if len(out) != n {
		return fmt.Errorf("got %d vectors for %d texts", len(out), n)
	}
	for i, v := range out {
		if len(v) != dims {
			return fmt.Errorf("vector %d: %d dims, want %d", i, len(v), dims)
		}
	}
	return nil
}

// rowRange names a batch's chunks by row: "4-7", or "4" for one.
func rowRange(batch []*job) string {
	var rows []int
	for _, j := range batch {
		rows = append(rows, j.rows...)
	}
	lo, hi := slices.Min(rows), slices.Max(rows)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// EmbedAll embeds chunks' IndexText in batches of batch texts on workers
// goroutines (0: Config.Workers' default for emb) and returns the vectors
// as rows of one slice, in chunk order.
// done, if set, is called with the number of chunks each finished batch
// held. It applies no limits and no cache: Build does.
func EmbedAll(ctx context.Context, emb embed.Embedder, chunks []docmodel.Chunk, batch, workers int, done func(n int)) ([]float32, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	workers = concurrency(workers, emb.Info())
	dims := emb.Info().Dims
	vecs := make([]float32, len(chunks)*dims)
	jobs := make([]*job, len(chunks))
	for i, c := range chunks {
		jobs[i] = &job{text: c.IndexText(), rows: []int{i}}
	}
	err := embedJobs(ctx, emb, batchJobs(jobs, batch, Limits{}), workers, func(b []*job, out [][]float32) error {
		for i, j := range b {
			copy(vecs[j.rows[0]*dims:], out[i])
		}
		if done != nil {
			done(len(b))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return vecs, nil
}
