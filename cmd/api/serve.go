package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/httpapi"
	"github.com/vendor0919/api/internal/loader"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
)

// serve runs the HTTP server until ctx is cancelled (SIGTERM), then
// drains in-flight requests for up to cfg.ShutdownTimeout.
func serve(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	log := logctx.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	log.LogAttrs(ctx, slog.LevelInfo, "starting", slog.String("version", versionString()), slog.Any("config", cfg))

	emb, err := newEmbedder(ctx, cfg)
	if err != nil {
		return fmt.Errorf("embedder %s: %w", cfg.Embedder, err)
	}
	gen, err := newGenerator(ctx, cfg)
	if err != nil {
		return fmt.Errorf("generator %s: %w", cfg.LLM, err)
	}
	ragCfg := rag.Config{
		DefaultTopK:   cfg.DefaultTopK,
		Mode:          rag.Mode(cfg.SearchMode),
		ContextTokens: cfg.ContextTokens,
		VectorWeight:  cfg.HybridVectorWeight,
		Logger:        log,
	}
	if cfg.PromptTemplateFile != "" {
		if ragCfg.PromptTemplate, err = readPromptTemplate(cfg.PromptTemplateFile); err != nil {
			return err
		}
	}
	svc, err := rag.New(ragCfg, emb, gen)
	if err != nil {
		return fmt.Errorf("rag: %w", err)
	}
	syncFn, source, err := newSync(ctx, cfg, log)
	if err != nil {
		return err
	}
	// Loads (start-up, reloads, polls) stop when shutdown begins.
	loadCtx, stopLoading := context.WithCancel(ctx)
	defer stopLoading()
	ready := &httpapi.Readiness{}
	ready.SetStarting("Loading the vector store")
	ld, err := loader.New(loader.Config{
		Dir:         cfg.VectorStoreDir,
		Source:      source,
		Sync:        syncFn,
		SyncTimeout: cfg.SyncTimeout,
		// A LangChain folder has no persisted graph: serve it with exact
		// search at once and build the graph in the background.
		Open: func(ctx context.Context, dir string) (*store.Store, error) {
			return store.Open(ctx, dir, store.OpenOptions{Embedding: emb.Info(), EFSearch: cfg.SearchEF, DeferGraph: true})
		},
		Upgrade: func(ctx context.Context, st *store.Store) (*store.Store, error) {
			return st.WithHNSW(ctx, cfg.SearchEF)
		},
		Swap:     svc.Swap,
		OnLoaded: ready.SetReady,
		Describe: publicReason,
		Logger:   log,
	})
	if err != nil {
		return err
	}
	api, err := httpapi.New(httpapi.Options{
		Logger:               log,
		Version:              versionString(),
		CORSAllowOrigins:     cfg.CORSAllowOrigins,
		CORSAllowOriginRegex: cfg.CORSAllowOriginRegex,
		MaxBodyBytes:         cfg.MaxBodyBytes,
		QueryTimeout:         cfg.QueryTimeout,
		DefaultTopK:          cfg.DefaultTopK,
		SearchMode:           rag.Mode(cfg.SearchMode),
		APIKeys:              cfg.APIKeys,
		AdminToken:           cfg.AdminToken,
		Readiness:            ready,
		RAG:                  svc,
		// A reload outlives its request (a client or ALB timeout must not
		// cancel a sync half-way; SyncTimeout bounds it) but not the
		// process: shutdown cancels it.
		Reload: func(context.Context) (any, error) {
			st, _, err := ld.Load(loadCtx)
			return st, err
		},
		// Room to wait behind a load in progress, then sync and open.
		ReloadTimeout: 2*cfg.SyncTimeout + 2*time.Minute,
		StoreInfo: func() any {
			if st := ld.Status(); st != nil {
				return st
			}
			return nil
		},
		Collectors: storeCollectors(ld, ready),
	})
	if err != nil {
		return err
	}

	// Listen before loading, so a taken port fails fast and the ALB's
	// /health check passes while a large store loads.
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr(), err)
	}
	// Requests run under baseCtx, which shutdown cancels shortly before its
	// deadline so that long answers end cleanly instead of being cut.
	baseCtx, cancelRequests := context.WithCancelCause(context.Background())
	defer cancelRequests(nil)
	srv := &http.Server{
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		Handler:           api,
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

	go loadUntilReady(loadCtx, ld, ready, log)
	if cfg.SyncInterval > 0 {
		go ld.Poll(loadCtx, cfg.SyncInterval)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	ready.SetDraining()
	stopLoading()
	log.LogAttrs(context.Background(), slog.LevelInfo, "shutting down", slog.String("drain", cfg.ShutdownTimeout.String()))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Streams may run for QUERY_TIMEOUT; let them (and any other request)
	// finish within the drain, then tell them to stop a little before it
	// ends: they answer 503 or send a final SSE "error" event.
	grace := min(cfg.ShutdownTimeout/5, 3*time.Second)
	stopRequests := time.AfterFunc(cfg.ShutdownTimeout-grace, func() { cancelRequests(httpapi.ErrShuttingDown) })
	defer stopRequests.Stop()
	defer ld.Close()
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

// loadUntilReady loads the store, retrying with backoff while nothing can
// be served; /ready stays 503 with the reason meanwhile, and /health stays
// 200 so ECS does not kill a task that is waiting for S3.
func loadUntilReady(ctx context.Context, ld *loader.Loader, ready *httpapi.Readiness, log *slog.Logger) {
	wait := 2 * time.Second
	for {
		_, _, err := ld.Load(ctx) // success marks the service ready (OnLoaded)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			return
		}
		if ok, _ := ready.Check(); ok {
			return // a reload succeeded meanwhile
		}
		ready.SetStarting("Vector store not loaded: " + publicReason(err))
		log.LogAttrs(ctx, slog.LevelError, "vector store load failed; retrying", slog.Any("error", err), slog.String("retry_in", wait.String()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, time.Minute)
	}
}

// storeCollectors exposes the served store and readiness on /metrics.
func storeCollectors(ld *loader.Loader, ready *httpapi.Readiness) []prometheus.Collector {
	status := func(f func(*loader.Status) float64) func() float64 {
		return func() float64 {
			if st := ld.Status(); st != nil {
				return f(st)
			}
			return 0
		}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vectorstore_chunks", Help: "Chunks in the served vector store."},
			status(func(st *loader.Status) float64 { return float64(st.Count) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vectorstore_loaded_timestamp_seconds", Help: "When the served vector store was loaded (Unix time)."},
			status(func(st *loader.Status) float64 { return float64(st.LoadedAt.Unix()) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vectorstore_reloads_total", Help: "Successful reloads since start-up."},
			status(func(st *loader.Status) float64 { return float64(st.Reloads) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vectorstore_last_load_failed", Help: "1 when the last sync or load failed (the previous store is served)."},
			status(func(st *loader.Status) float64 {
				if st.LastError != "" {
					return 1
				}
				return 0
			})),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "service_ready", Help: "1 when /ready answers 200."},
			func() float64 {
				if ok, _ := ready.Check(); ok {
					return 1
				}
				return 0
			}),
	}
}

// publicReason says what went wrong in words fit for /ready and
// /vectorstore, which may need no credentials. S3 and AWS errors carry
// bucket names, request ids and role ARNs, so for them only the kind of
// failure is shown and the full error goes to the logs; store errors are
// about the local folder and are shown as they are.
func publicReason(err error) string {
	for _, known := range []error{store.ErrDimensionMismatch, store.ErrModelMismatch, store.ErrNoStore, store.ErrCorrupt, store.ErrUnsupported} {
		if errors.Is(err, known) && !isS3(err) {
			return strings.TrimPrefix(err.Error(), "loader: ")
		}
	}
	switch {
	case errors.Is(err, s3sync.ErrAccessDenied):
		return "S3 access denied: check the credentials (task role or keys); details in the logs"
	case errors.Is(err, s3sync.ErrUnreachable):
		return "S3 unreachable; details in the logs"
	case errors.Is(err, s3sync.ErrNotFound):
		return "no vector store at the S3 prefix; details in the logs"
	case errors.Is(err, s3sync.ErrVerify), errors.Is(err, s3sync.ErrChanged):
		return "S3 copy: verification failed; details in the logs"
	case errors.Is(err, s3sync.ErrFormat):
		return "the S3 prefix holds no known vector store format; details in the logs"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out; details in the logs"
	}
	return "load failed; details in the logs"
}

// isS3 reports whether err came from the S3 mirror.
func isS3(err error) bool {
	for _, e := range []error{s3sync.ErrAccessDenied, s3sync.ErrUnreachable, s3sync.ErrNotFound, s3sync.ErrVerify, s3sync.ErrChanged, s3sync.ErrFormat, s3sync.ErrBadURI} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
