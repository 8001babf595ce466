package loader

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/store"
)

// SyncOutcome is what a sync reports.
type SyncOutcome struct {
	Version string // remote version mirrored, if known
	Changed bool   // the local folder was replaced
	// UsedLocal reports, with or without an error, that the folder holds a
	// copy the syncer verified and left in place. After a failed sync only
	// such a copy is served.
	UsedLocal bool
}

// Config wires a Loader. Open and Swap are required.
type Config struct {
	Dir    string // local store folder
	Source string // where the store comes from, for /vectorstore: an s3:// URI or "local"
	// Sync mirrors the source into Dir; nil means Dir is used as it is.
	Sync func(ctx context.Context, dir string) (SyncOutcome, error)
	// SyncTimeout bounds one sync; zero means no bound beyond ctx.
	SyncTimeout time.Duration
	// Open loads and verifies the folder.
	Open func(ctx context.Context, dir string) (*store.Store, error)
	// Swap makes st the served store.
	Swap func(st *store.Store) error
	// Upgrade, if set, runs in the background after a load whose store
	// NeedsGraph (a LangChain folder opened with an exact index so that it
	// serves at once) and returns the store with its HNSW graph; that is
	// swapped in unless another load happened meanwhile.
	Upgrade func(ctx context.Context, st *store.Store) (*store.Store, error)
	// Describe turns a sync or load error into the text /ready and
	// /vectorstore show, which anyone who can reach them reads; the full
	// error is logged. Nil means err.Error().
	Describe func(err error) string
	// OnLoaded, if set, is called after every successful load (start-up,
	// reload or poll) with the note Load returns, so readiness can follow.
	OnLoaded func(note string)
	Logger   *slog.Logger
}

// Status describes the served store and the last load attempt; it is what
// GET /vectorstore returns.
type Status struct {
	Format       string                  `json:"format"`
	Count        int                     `json:"count"`
	Dims         int                     `json:"dims"`
	Metric       string                  `json:"metric"`
	Embedding    docmodel.EmbeddingModel `json:"embedding"`
	Version      string                  `json:"version"`
	Source       string                  `json:"source"`
	Dir          string                  `json:"dir"`
	Index        string                  `json:"index"`
	LoadedAt     time.Time               `json:"loaded_at"`
	LastSyncAt   *time.Time              `json:"last_sync_at,omitempty"`
	LastError    string                  `json:"last_error,omitempty"`
	LastErrorAt  *time.Time              `json:"last_error_at,omitempty"`
	ServingLocal bool                    `json:"serving_local_copy,omitempty"`
	Reloads      int                     `json:"reloads"`
}

// Loader loads stores. Create it with New.
type Loader struct {
	cfg      Config
	log      *slog.Logger
	mu       sync.Mutex   // serialises loads and upgrades
	current  *store.Store // the store last swapped in; guarded by mu
	synced   string       // the syncer's version of current ("" if not from a sync); guarded by mu
	upMu     sync.Mutex   // guards upCancel and closed; never held across I/O
	upCancel func()       // cancels the background upgrade in flight
	closed   bool         // Close was called: start no more upgrades
	status   atomic.Pointer[Status]
	bg       sync.WaitGroup // background upgrades
}

// New returns a Loader; it loads nothing until Load is called.
func New(cfg Config) (*Loader, error) {
	if cfg.Open == nil || cfg.Swap == nil || cfg.Dir == "" {
		return nil, errors.New("loader: Dir, Open and Swap are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Source == "" {
		cfg.Source = "local"
	}
	return &Loader{cfg: cfg, log: cfg.Logger}, nil
}

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
	if l.cfg.Sync != nil {
		sctx, cancel := ctx, context.CancelFunc(func() {})
		if l.cfg.SyncTimeout > 0 {
			sctx, cancel = context.WithTimeout(ctx, l.cfg.SyncTimeout)
		}
		out, err := l.cfg.Sync(sctx, l.cfg.Dir)
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
			if l.cfg.OnLoaded != nil {
				l.cfg.OnLoaded("")
			}
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
	st, err := l.cfg.Open(ctx, l.cfg.Dir)
	if err == nil {
		err = l.cfg.Swap(st)
	}
	if err != nil {
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
	next.Format, next.Count, next.Dims = st.Format, len(st.Chunks), st.Manifest.Embedding.Dims
	next.Metric, next.Embedding, next.Version = st.Manifest.Metric, st.Manifest.Embedding, st.Manifest.Version
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
	if l.cfg.Upgrade != nil && st.NeedsGraph() && !l.closed {
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
	if l.cfg.OnLoaded != nil {
		l.cfg.OnLoaded(note)
	}
	return next, note, nil
}

// upgrade builds st's graph and swaps it in if st is still the store
// served.
func (l *Loader) upgrade(ctx context.Context, st *store.Store) {
	defer l.bg.Done()
	start := time.Now()
	l.log.LogAttrs(ctx, slog.LevelInfo, "building the HNSW graph in the background; exact search serves meanwhile",
		slog.Int("count", len(st.Chunks)))
	up, err := l.cfg.Upgrade(ctx, st)
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
	if err := l.cfg.Swap(up); err != nil {
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
		slog.Int("count", len(up.Chunks)), logctx.Took(start))
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

func (l *Loader) describe(err error) string {
	if l.cfg.Describe != nil {
		return l.cfg.Describe(err)
	}
	return err.Error()
}

// Poll calls Load every interval until ctx is done. Failures are logged
// and recorded in Status; the served store stays.
func (l *Loader) Poll(ctx context.Context, interval time.Duration) {
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
