package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/vendor0919/api/internal/httpapi"
)

// ServerConfig is the HTTP server Serve runs. Timeouts are passed to
// http.Server as they are (zero: none).
type ServerConfig struct {
	Addr    string // host:port to listen on
	Handler http.Handler

	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// ShutdownTimeout is how long in-flight requests may drain once ctx is
	// done (zero: none; requests are cancelled at once).
	ShutdownTimeout time.Duration

	Logger *slog.Logger // nil: discard
}

// Serve listens on cfg.Addr, serves cfg.Handler, starts ld loading (Start)
// and, when ctx is done (SIGTERM), drains:
//
//  1. ld's Readiness turns draining (/ready answers 503) and loading stops;
//  2. keep-alives end: every response says "Connection: close", and only
//     once the connections in use have closed that way (or after
//     keepAliveDrain) are keep-alives disabled and the idle ones closed;
//  3. the listener closes and in-flight requests get ShutdownTimeout to
//     finish;
//  4. shortly before that deadline the requests' base context is cancelled
//     with cause httpapi.ErrShuttingDown, so long streams end with an error
//     event and other requests answer 503 rather than being cut;
//  5. a background graph build is cancelled (ld.Close).
//
// It listens before loading, so a taken port fails at once and /health
// answers while a large store loads. Serve returns nil after a clean drain,
// and an error when the listener fails, the server stops by itself, or
// requests outlive the drain.
func Serve(ctx context.Context, cfg ServerConfig, ld *Loader) error {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// Requests run under baseCtx, which shutdown cancels shortly before its
	// deadline so that long answers end cleanly instead of being cut.
	baseCtx, cancelRequests := context.WithCancelCause(context.Background())
	defer cancelRequests(nil)
	conns := &connDrain{}
	srv := &http.Server{
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ConnState:         conns.track,
		Handler:           conns.closeWhenDraining(cfg.Handler),
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.LogAttrs(ctx, slog.LevelInfo, "listening", slog.String("addr", ln.Addr().String()))
	defer ld.Stop() // loads never outlive Serve
	ld.Start(ctx)

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	ld.Readiness().SetDraining()
	ld.Stop()
	log.LogAttrs(context.Background(), slog.LevelInfo, "shutting down", slog.String("drain", cfg.ShutdownTimeout.String()))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Streams may run for QUERY_TIMEOUT; let them (and any other request)
	// finish within the drain, then tell them to stop a little before it
	// ends: they answer 503 or send a final SSE "error" event.
	stopRequests := time.AfterFunc(cfg.ShutdownTimeout-drainGrace(cfg.ShutdownTimeout), func() { cancelRequests(httpapi.ErrShuttingDown) })
	defer stopRequests.Stop()
	defer ld.Close()
	// Closing an idle keep-alive connection races a request the client
	// has just sent on it, which then fails with a reset. So first tell
	// clients to close: answers from now on carry "Connection: close",
	// and connections that carry a request meanwhile close after it.
	// Only then are keep-alives disabled and the rest (idle throughout)
	// closed.
	conns.drain(min(keepAliveDrain, cfg.ShutdownTimeout/4))
	srv.SetKeepAlivesEnabled(false)
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: in-flight requests did not finish within %s: %w", cfg.ShutdownTimeout, err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.LogAttrs(context.Background(), slog.LevelInfo, "stopped")
	return nil
}

// drainGrace is how long before the end of a drain of d requests are told
// to stop: a fifth of it, at most 3s.
func drainGrace(d time.Duration) time.Duration { return min(d/5, 3*time.Second) }

// keepAliveDrain bounds how long Serve waits, after SIGTERM, for clients to
// close their keep-alive connections after a "Connection: close" answer
// before it closes the idle ones itself.
const keepAliveDrain = time.Second
