package lifecycle

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/vendor0919/api/internal/retry"
)

// Start loads the store in the background, retrying until something can
// be served (LoadUntilReady), and polls every SyncInterval when set (a
// Remote: checks it every CheckInterval). Both stop when ctx is done or
// Stop is called.
func (l *Loader) Start(ctx context.Context) {
	go l.LoadUntilReady(ctx)
	if l.cfg.Remote != nil {
		go l.Poll(ctx, cmp.Or(l.cfg.CheckInterval, DefaultCheckInterval))
		return
	}
	if l.cfg.SyncInterval > 0 {
		go l.Poll(ctx, l.cfg.SyncInterval)
	}
}

// Stop makes loads in progress and later reloads and polls end: shutdown
// has begun. It does not wait for them, and it leaves the served store
// and a background graph build alone (Close stops that).
func (l *Loader) Stop() { l.stop() }

// bind returns ctx, also cancelled when Stop is called.
func (l *Loader) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	if l.life.Err() != nil {
		cancel() // AfterFunc would cancel too, but on another goroutine, later
	}
	unhook := context.AfterFunc(l.life, cancel)
	return ctx, func() { unhook(); cancel() }
}

// Reload runs Load for POST /admin/reload; it implements httpapi.Reloader.
// A reload outlives its request (a client or ALB timeout must not cancel a
// sync half-way; SyncTimeout bounds it) but not the process: Stop cancels
// it. ctx's values (the request id) are kept.
func (l *Loader) Reload(ctx context.Context) (*Status, error) {
	ctx, cancel := l.bind(context.WithoutCancel(ctx))
	defer cancel()
	st, _, err := l.Load(ctx)
	if err != nil {
		return nil, publicError{err}
	}
	return &st, nil
}

// publicError is an error whose PublicDetail (httpapi.PublicDetailer) is
// PublicReason: /admin/reload's 503 names the kind of failure, and the
// full error, with paths and URIs, goes to the log.
type publicError struct{ error }

func (e publicError) Unwrap() error { return e.error }

// PublicDetail implements httpapi.PublicDetailer.
func (e publicError) PublicDetail() string { return PublicReason(e.error) }

// LoadUntilReady loads the store, retrying while nothing can be served:
// after 2s, then 4s, doubling up to a minute; /ready stays 503 with the
// reason meanwhile (an orchestrator's /health check stays 200 so it does
// not kill a task that is waiting for S3). It returns once a load
// succeeds (this one or a reload meanwhile), or when ctx is done or Stop
// is called.
//
// The waits are retry's ceilings without jitter (retry.Policy.NoJitter):
// one process retries one source, so there is no herd to spread, and the
// logged retry_in tells an operator when the next attempt comes.
func (l *Loader) LoadUntilReady(ctx context.Context) {
	ctx, cancel := l.bind(ctx)
	defer cancel()
	p := retry.Policy{
		MaxAttempts: retry.Forever, BaseDelay: 2 * time.Second, MaxDelay: time.Minute, NoJitter: true,
		OnRetry: func(_ int, wait time.Duration, err error) {
			l.ready.SetNotLoaded(PublicReason(err))
			l.log.LogAttrs(ctx, slog.LevelError, "vector store load failed; retrying", slog.Any("error", err), slog.String("retry_in", wait.String()))
		},
	}
	_ = retry.Do(ctx, p, func(ctx context.Context, _ int) error {
		_, _, err := l.Load(ctx) // success marks the service ready
		if err == nil {
			return nil
		}
		if ok, _ := l.ready.Check(); ok {
			return nil // a reload succeeded meanwhile
		}
		return retry.Transient(err, 0)
	})
}
