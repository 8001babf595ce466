package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/httpapi"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
)

// Syncer mirrors the store's source into a folder; *s3sync.Syncer is one.
// Sync is called by one load at a time. Its Result reports, with or
// without an error, whether the folder holds a copy the syncer verified
// and left in place (UsedLocal): after a failed sync only such a copy is
// served.
type Syncer interface {
	Sync(ctx context.Context, dir string) (s3sync.Result, error)
}

// Opener opens and verifies a store folder. Upgrade is called in the
// background after a load whose store NeedsGraph (a LangChain folder opened
// with an exact index so that it serves at once) and returns the store with
// its HNSW graph. StoreOpener is the production Opener.
type Opener interface {
	Open(ctx context.Context, dir string) (*store.Store, error)
	Upgrade(ctx context.Context, st *store.Store) (*store.Store, error)
}

// Swapper makes a store the served one; *rag.Service is one. Swap may be
// called from the loading goroutine and from a background upgrade, never
// at the same time.
type Swapper interface {
	Swap(ctx context.Context, st *store.Store) error
}

// StoreOpener opens folders with store.Open for a given embedder. A
// LangChain folder has no persisted graph: it is served with exact search
// at once and its graph is built by Upgrade.
type StoreOpener struct {
	Embedding docmodel.EmbeddingModel // the query embedder's identity, checked against the store's
	EFSearch  int                     // HNSW candidate list size; 0: the store's default
	IndexName string                  // a LangChain folder's index_name; "": store.DefaultIndexName
	MaxBytes  int64                   // load budget (store.OpenOptions.MaxBytes); 0: store.DefaultMaxBytes()
	// Timeout bounds Validate's open (STORE_LOAD_TIMEOUT, as Config's
	// LoadTimeout bounds a load's); 0: no bound beyond the context.
	Timeout time.Duration
}

// Open implements Opener.
func (o StoreOpener) Open(ctx context.Context, dir string) (*store.Store, error) {
	return store.Open(ctx, dir, o.options())
}

// options are the store.OpenOptions of Open and CheckManifest.
func (o StoreOpener) options() store.OpenOptions {
	return store.OpenOptions{Embedding: o.Embedding, EFSearch: o.EFSearch, DeferGraph: true,
		IndexName: o.IndexName, MaxBytes: o.MaxBytes}
}

// Validate opens dir as Open does and drops the result: the
// s3sync.Validator that keeps a published store which verifies but does
// not open from replacing the local copy. It costs one more open per
// changed version (the memory of a second store for a moment, as a reload
// does anyway).
//
// s3sync calls it without the sync's deadline: SYNC_TIMEOUT bounds the
// download and Timeout this open, so a sync that took most of its time
// fetching a large store does not call it broken.
func (o StoreOpener) Validate(ctx context.Context, dir string) error {
	_, err := openWithin(ctx, o.Timeout, func(ctx context.Context) (*store.Store, error) { return o.Open(ctx, dir) })
	return err
}

// CheckManifest refuses, from the manifest alone, a published native
// store Open would refuse (store.CheckManifest): s3sync asks before it
// downloads the rest.
func (o StoreOpener) CheckManifest(dir string, m *store.Manifest) error {
	return store.CheckManifest(dir, m, o.options())
}

var (
	_ s3sync.Validator       = StoreOpener{}
	_ s3sync.ManifestChecker = StoreOpener{}
)

// Upgrade implements Opener.
func (o StoreOpener) Upgrade(ctx context.Context, st *store.Store) (*store.Store, error) {
	return st.WithHNSW(ctx, o.EFSearch)
}

// Config wires a Loader. Dir, Opener and Swapper are required.
type Config struct {
	Dir    string // local store folder
	Source string // where the store comes from, for /vectorstore: an s3:// URI or local:DIR; "": "local"
	// Syncer mirrors the source into Dir; nil means Dir is used as it is.
	Syncer Syncer
	// SyncTimeout bounds one sync; zero means no bound beyond ctx.
	SyncTimeout time.Duration
	// SyncInterval is the period of Start's polling; zero disables it.
	SyncInterval time.Duration
	// LoadTimeout bounds opening the store in one load (after the sync);
	// zero means no bound beyond ctx. A load that times out fails with
	// ErrLoadTimeout and the served store stays.
	LoadTimeout time.Duration
	Opener      Opener
	Swapper     Swapper
	Logger      *slog.Logger // nil: discard
	// Remote, when set, is the store served (Weaviate): loads check it,
	// and Dir, Syncer, Opener, Swapper and LoadTimeout are unused.
	Remote Remote
	// CheckInterval is how often Start re-checks Remote; zero means
	// DefaultCheckInterval.
	CheckInterval time.Duration
}

// Status describes the served store and the last load attempt; it is what
// GET /vectorstore returns.
type Status = httpapi.StoreInfo

// Loader loads stores and keeps the service's readiness. Create it with
// New.
type Loader struct {
	cfg      Config
	log      *slog.Logger
	ready    *Readiness
	life     context.Context // cancelled by Stop: shutdown has begun
	stop     context.CancelFunc
	mu       sync.Mutex   // serialises loads and upgrades
	current  *store.Store // the store last swapped in; guarded by mu
	synced   string       // the syncer's version of current ("" if not from a sync); guarded by mu
	upMu     sync.Mutex   // guards upCancel and closed; never held across I/O
	upCancel func()       // cancels the background upgrade in flight
	closed   bool         // Close was called: start no more upgrades
	status   atomic.Pointer[Status]
	// remoteFails counts a Remote's failed checks in a row; guarded by mu.
	remoteFails int
	bg          sync.WaitGroup // background upgrades
}

// New returns a Loader; it loads nothing until Load or Start is called.
// Its Readiness starts as "Loading the vector store".
func New(cfg Config) (*Loader, error) {
	if cfg.Remote == nil && (cfg.Opener == nil || cfg.Swapper == nil || cfg.Dir == "") {
		return nil, errors.New("loader: Dir, Opener and Swapper (or Remote) are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Source == "" {
		cfg.Source = "local"
	}
	l := &Loader{cfg: cfg, log: cfg.Logger, ready: &Readiness{}}
	l.life, l.stop = context.WithCancel(context.Background())
	l.ready.SetStarting("Loading the vector store")
	return l, nil
}

// Readiness returns the service's readiness, which every successful load
// marks ready (with the load's note).
func (l *Loader) Readiness() *Readiness { return l.ready }

// Status returns the served store's description, or nil before the first
// successful load.
func (l *Loader) Status() *Status {
	s := l.status.Load()
	if s == nil || s.LoadedAt.IsZero() {
		return nil
	}
	c := *s
	return &c
}

// Load syncs, opens and swaps in the store. When the sync fails but a
// verified local copy opens, that copy is served and the returned note
// says so; the error is nil. The error is non-nil only when nothing new
// could be served; the previous store (if any) stays in place.
func (l *Loader) Load(ctx context.Context) (Status, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := ctx.Err(); err != nil {
		// Cancelled while waiting for another load (shutdown).
		if st := l.status.Load(); st != nil {
			return *st, "", fmt.Errorf("loader: %w", err)
		}
		return Status{}, "", fmt.Errorf("loader: %w", err)
	}
	if l.cfg.Remote != nil {
		return l.loadRemote(ctx)
	}
	start := time.Now()
	prev := l.status.Load()
	next := Status{}
	if prev != nil {
		next = *prev
	}
	note := ""
	var syncErr error
	localOK := false // after a failed sync: the folder holds a verified copy
	syncedVersion := ""
	if l.cfg.Syncer != nil {
		sctx, cancel := ctx, context.CancelFunc(func() {})
		if l.cfg.SyncTimeout > 0 {
			sctx, cancel = context.WithTimeout(ctx, l.cfg.SyncTimeout)
		}
		out, err := l.cfg.Syncer.Sync(sctx, l.cfg.Dir)
		cancel()
		now := time.Now().UTC()
		switch {
		case err != nil:
			syncErr, localOK = err, out.UsedLocal
		case out.UsedLocal:
			syncErr, localOK = errors.New("S3 unreachable"), true
		case !out.Changed && out.Version != "" && out.Version == l.synced && prev != nil && !prev.LoadedAt.IsZero():
			// The served store is what S3 holds: nothing to reopen. Keyed on
			// the version, not only on Changed, so a folder swapped in by a
			// sync whose load failed is still loaded next time.
			next.LastSyncAt = &now
			next.LastError, next.LastErrorAt, next.ServingLocal = "", nil, false
			l.status.Store(&next)
			l.log.LogAttrs(ctx, slog.LevelDebug, "vector store unchanged", slog.String("version", out.Version))
			l.ready.SetReady("")
			return next, "", nil
		default:
			next.LastSyncAt = &now
			syncedVersion = out.Version
			l.log.LogAttrs(ctx, slog.LevelInfo, "vector store synced", slog.String("source", l.cfg.Source),
				slog.String("version", out.Version), slog.Bool("changed", out.Changed))
		}
	}
	if syncErr != nil {
		now := time.Now().UTC()
		next.LastError, next.LastErrorAt = "sync: "+l.describe(syncErr), &now
		if prev != nil && !prev.LoadedAt.IsZero() {
			// Keep serving what we have; do not reopen the folder.
			l.status.Store(&next)
			return next, "", fmt.Errorf("loader: sync: %w", syncErr)
		}
		if !localOK {
			l.status.Store(&next)
			return next, "", fmt.Errorf("loader: sync: %w (and no verified local copy to serve)", syncErr)
		}
		// The one sync failure the caller does not get as an error: it is
		// logged here, and returned failures are logged by the caller.
		l.log.LogAttrs(ctx, slog.LevelWarn, "vector store sync failed; serving the verified local copy",
			slog.String("source", l.cfg.Source), slog.Any("error", syncErr))
		note = "Serving the local copy: S3 sync failed (" + l.describe(syncErr) + ")"
	}
	st, err := l.open(ctx)
	if err == nil {
		err = l.cfg.Swapper.Swap(ctx, st)
	}
	if err != nil {
		if errors.Is(err, ErrLoadTimeout) && prev != nil && !prev.LoadedAt.IsZero() {
			l.ready.SetReady(noteTimedOut)
		}
		now := time.Now().UTC()
		// The folder now holds what the syncer reported, which does not load:
		// an unchanged version next time must not count as "served".
		l.synced = ""
		next.LastError, next.LastErrorAt = l.describe(err), &now
		l.status.Store(&next)
		if syncErr != nil {
			return next, "", fmt.Errorf("loader: sync: %w; local copy: %w", syncErr, err)
		}
		return next, "", fmt.Errorf("loader: %w", err)
	}
	next.Format, next.Count, next.Dims = st.Format, st.ChunkCount(), st.Manifest.Embedding.Dims
	next.Metric, next.Embedding, next.Version = st.Manifest.Metric, httpapi.EmbeddingInfo(st.Manifest.Embedding), st.Manifest.Version
	next.Source, next.Dir, next.LoadedAt = l.cfg.Source, l.cfg.Dir, st.LoadedAt
	if next.LoadedAt.IsZero() {
		next.LoadedAt = time.Now().UTC()
	}
	next.Index = "flat"
	if st.Manifest.Index != nil {
		next.Index = st.Manifest.Index.Type
	}
	next.ServingLocal = syncErr != nil
	if syncErr == nil {
		next.LastError, next.LastErrorAt = "", nil
	}
	if prev != nil && !prev.LoadedAt.IsZero() {
		next.Reloads++
	}
	l.status.Store(&next)
	l.current, l.synced = st, syncedVersion
	l.upMu.Lock()
	if l.upCancel != nil {
		l.upCancel() // a graph for the store just replaced is of no use
		l.upCancel = nil
	}
	if st.NeedsGraph() && !l.closed {
		// Not tied to ctx: an admin reload's request ends long before the
		// graph is built. Close or the next load cancels it.
		uctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		l.upCancel = cancel
		l.bg.Add(1)
		go l.upgrade(uctx, st)
	}
	l.upMu.Unlock()
	l.log.LogAttrs(ctx, slog.LevelInfo, "vector store loaded",
		slog.String("format", next.Format), slog.Int("count", next.Count), slog.Int("dims", next.Dims),
		slog.String("version", next.Version), slog.String("source", next.Source),
		logctx.Took(start))
	l.ready.SetReady(note)
	return next, note, nil
}

// ErrLoadTimeout reports a load whose store did not open within
// Config.LoadTimeout.
var ErrLoadTimeout = errors.New("loader: store load timed out")

// noteTimedOut is /ready's note while the previous store serves after a
// reload timed out.
const noteTimedOut = "Serving the previous store: the last reload timed out"

// open opens the store within Config.LoadTimeout.
func (l *Loader) open(ctx context.Context) (*store.Store, error) {
	return openWithin(ctx, l.cfg.LoadTimeout, func(ctx context.Context) (*store.Store, error) { return l.cfg.Opener.Open(ctx, l.cfg.Dir) })
}

// openWithin runs open within timeout (0: no bound beyond ctx); running
// out of it is ErrLoadTimeout, which names the setting.
func openWithin(ctx context.Context, timeout time.Duration, open func(context.Context) (*store.Store, error)) (*store.Store, error) {
	if timeout <= 0 {
		return open(ctx)
	}
	octx, cancel := context.WithTimeoutCause(ctx, timeout, ErrLoadTimeout)
	defer cancel()
	st, err := open(octx)
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) && errors.Is(context.Cause(octx), ErrLoadTimeout) {
		return nil, fmt.Errorf("%w after %s (STORE_LOAD_TIMEOUT): %w", ErrLoadTimeout, timeout, err)
	}
	return st, err
}

// upgrade builds st's graph and swaps it in if st is still the store
// served.
func (l *Loader) upgrade(ctx context.Context, st *store.Store) {
	defer l.bg.Done()
	start := time.Now()
	l.log.LogAttrs(ctx, slog.LevelInfo, "building the HNSW graph in the background; exact search serves meanwhile",
		slog.Int("count", st.ChunkCount()))
	up, err := l.cfg.Opener.Upgrade(ctx, st)
	if err != nil {
		l.log.LogAttrs(ctx, slog.LevelWarn, "background graph build failed; exact search keeps serving", slog.Any("error", err))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.current != st {
		l.log.LogAttrs(ctx, slog.LevelInfo, "background graph discarded: another store was loaded meanwhile")
		return
	}
	if err := l.cfg.Swapper.Swap(ctx, up); err != nil {
		l.log.LogAttrs(ctx, slog.LevelWarn, "background graph not swapped in", slog.Any("error", err))
		return
	}
	l.current = up
	if prev := l.status.Load(); prev != nil {
		next := *prev
		if up.Manifest.Index != nil {
			next.Index = up.Manifest.Index.Type
		}
		l.status.Store(&next)
	}
	l.log.LogAttrs(ctx, slog.LevelInfo, "HNSW graph built and swapped in",
		slog.Int("count", up.ChunkCount()), logctx.Took(start))
}

// Wait blocks until background graph builds have finished.
func (l *Loader) Wait() { l.bg.Wait() }

// Close cancels a background graph build, starts no new ones, and waits
// for the build to stop. It does not wait for a load in progress (cancel
// that load's context). The served store is not affected.
func (l *Loader) Close() {
	l.upMu.Lock()
	l.closed = true
	if l.upCancel != nil {
		l.upCancel()
		l.upCancel = nil
	}
	l.upMu.Unlock()
	l.bg.Wait()
}

// describe is the public error policy applied to what /ready and
// /vectorstore show.
func (l *Loader) describe(err error) string { return PublicReason(err) }

// Poll calls Load every interval until ctx is done or Stop is called.
// Failures are logged and recorded in Status; the served store stays.
func (l *Loader) Poll(ctx context.Context, interval time.Duration) {
	ctx, cancel := l.bind(ctx)
	defer cancel()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, _, err := l.Load(ctx); err != nil && ctx.Err() == nil {
				l.log.LogAttrs(ctx, slog.LevelWarn, "scheduled reload failed", slog.Any("error", err))
			}
		}
	}
}
