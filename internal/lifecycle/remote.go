package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Remote is a store another system serves (Weaviate): with Config.Remote
// set, a load checks it instead of syncing and opening a folder, and
// Start keeps checking it every CheckInterval so /ready follows its
// health both ways. Check reports whether the store answers and fits the
// service, and describes it; it is called by one load at a time and must
// return within its context.
type Remote interface {
	Check(ctx context.Context) (Status, error)
}

// DefaultCheckInterval is how often a Remote is checked when
// Config.CheckInterval is zero.
const DefaultCheckInterval = 5 * time.Second

// RemoteFailuresToUnready is how many checks in a row must fail before a
// ready service turns not ready: one slow answer from a busy cluster does
// not take it out (its requests fail on their own meanwhile).
const RemoteFailuresToUnready = 2

// loadRemote is Load for a Remote; l.mu is held.
func (l *Loader) loadRemote(ctx context.Context) (Status, string, error) {
	prev := l.status.Load()
	next := Status{}
	if prev != nil {
		next = *prev
	}
	info, err := l.cfg.Remote.Check(ctx)
	now := time.Now().UTC()
	if err != nil {
		next.LastError, next.LastErrorAt = l.describe(err), &now
		l.status.Store(&next)
		l.remoteFails++
		ok, _ := l.ready.Check()
		switch {
		case ok && l.remoteFails < RemoteFailuresToUnready:
			l.log.LogAttrs(ctx, slog.LevelWarn, "vector store check failed; still ready", slog.Any("error", err))
		case ok:
			l.log.LogAttrs(ctx, slog.LevelError, "vector store unavailable", slog.Any("error", err))
			l.ready.SetUnavailable(l.describe(err))
		default:
			l.ready.SetUnavailable(l.describe(err))
		}
		return next, "", fmt.Errorf("loader: %w", err)
	}
	l.remoteFails = 0
	was := next
	next = info
	next.LoadedAt, next.Reloads = was.LoadedAt, was.Reloads
	if next.LoadedAt.IsZero() {
		next.LoadedAt = now
	}
	if was.Version != "" && was.Version != info.Version {
		next.Reloads++
	}
	next.LastSyncAt = &now
	l.status.Store(&next)
	if ok, _ := l.ready.Check(); !ok || was.Version != info.Version {
		l.log.LogAttrs(ctx, slog.LevelInfo, "vector store available",
			slog.String("format", next.Format), slog.Int("count", next.Count), slog.Int("dims", next.Dims),
			slog.String("version", next.Version), slog.String("source", next.Source))
	}
	l.ready.SetReady("")
	return next, "", nil
}
