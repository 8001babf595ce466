package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/httpapi"
	"github.com/vendor0919/api/internal/jwtauth"
	"github.com/vendor0919/api/internal/lifecycle"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/s3sync"
)

// serve wires the service from the environment and runs it until ctx is
// cancelled (SIGTERM); lifecycle.Serve drains.
func serve(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	log := logctx.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := serveWith(ctx, cfg, log); err != nil {
		// The last line in CloudWatch is JSON like the others.
		log.LogAttrs(context.Background(), slog.LevelError, "exiting", slog.String("error", err.Error()))
		return loggedError{err}
	}
	return nil
}

// loggedError is an error serve has logged already: main does not print it
// again.
type loggedError struct{ error }

func (e loggedError) Unwrap() error { return e.error }

// serveWith runs the service configured by cfg, logging to log.
func serveWith(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	log.LogAttrs(ctx, slog.LevelInfo, "starting", slog.String("version", versionString()), slog.Any("config", cfg))
	lifecycle.SetGoMemLimit(cfg.MemoryLimitRatio, log)

	emb, err := providers.Embedder(ctx, cfg.Providers)
	if err != nil {
		return fmt.Errorf("embedder %s: %w", cfg.Embedder, err)
	}
	gen, err := providers.Generator(ctx, cfg.Providers)
	if err != nil {
		return fmt.Errorf("generator %s: %w", cfg.LLM, err)
	}
	kwAn, err := providers.KeywordAnalyzers(cfg.KeywordJapanese)
	if err != nil {
		return fmt.Errorf("keyword analyzer %s: %w", cfg.KeywordJapanese, err)
	}
	var soft rag.SoftMatcher
	if cfg.SoftMatchWeight > 0 {
		if soft, err = providers.SoftMatcher(); err != nil {
			return err
		}
	}
	ragCfg := rag.Config{DefaultTopK: cfg.DefaultTopK, Mode: rag.Mode(cfg.SearchMode), ContextTokens: cfg.ContextTokens,
		VectorWeight: cfg.HybridVectorWeight, SameSection: cfg.SearchSameSection, KeywordAnalyzers: kwAn, HistoryTokens: cfg.HistoryTokens, RewriteTimeout: cfg.RewriteTimeout, MaxMessages: cfg.MaxMessages,
		KeywordFeedback: rag.FeedbackSetting(cfg.KeywordFeedback), FeedbackMinDocuments: rag.FeedbackMinDocumentsSetting(cfg.KeywordFeedbackMinDocuments), HeadingWeight: rag.HeadingWeightSetting(cfg.KeywordHeadingWeight), SectionWeight: rag.SectionWeightSetting(cfg.KeywordSectionWeight),
		SoftMatch: soft, SoftMatchWeight: rag.SoftMatchWeightSetting(cfg.SoftMatchWeight),
		MaxQuestionChars: cfg.MaxQuestionChars, MaxConversationChars: cfg.MaxConversationChars, Logger: log}
	if cfg.PromptTemplateFile != "" {
		b, err := os.ReadFile(cfg.PromptTemplateFile)
		if err != nil {
			return fmt.Errorf("PROMPT_TEMPLATE_FILE: %w", err)
		}
		ragCfg.PromptTemplate = string(b)
	}
	svc, err := rag.New(ragCfg, emb, gen)
	if err != nil {
		return fmt.Errorf("rag: %w", err)
	}
	opener := lifecycle.StoreOpener{Embedding: emb.Info(), EFSearch: cfg.SearchEF, IndexName: cfg.VectorStoreIndexName,
		MaxBytes: cfg.StoreLoadMaxBytes, Timeout: cfg.StoreLoadTimeout}
	ldCfg := lifecycle.Config{Dir: cfg.VectorStoreDir, Source: "local:" + cfg.VectorStoreDir, SyncTimeout: cfg.SyncTimeout,
		SyncInterval: cfg.SyncInterval, LoadTimeout: cfg.StoreLoadTimeout, Opener: opener, Swapper: svc, Logger: log}
	if cfg.VectorStoreS3URI != "" {
		// The opener validates each synced store before it replaces the
		// local copy.
		s, err := providers.S3(ctx, cfg.Providers, s3sync.Config{URI: cfg.VectorStoreS3URI, IndexName: cfg.VectorStoreIndexName, Logger: log, Validator: opener})
		if err != nil {
			return err
		}
		ldCfg.Syncer, ldCfg.Source = s, cfg.VectorStoreS3URI
	}
	if cfg.VectorBackend == "weaviate" {
		wv, err := providers.Weaviate(ctx, cfg.Weaviate, emb.Info(), kwAn, log)
		if err != nil {
			return err
		}
		svc.UseBackend(wv)
		ldCfg.Remote, ldCfg.CheckInterval = wv, cfg.Weaviate.HealthInterval
	}
	ld, err := lifecycle.New(ldCfg)
	if err != nil {
		return err
	}
	var jwtv httpapi.TokenVerifier
	if cfg.JWT.Enabled() { // keys load in the background; /ready waits for them
		if jwtv, err = jwtauth.Start(ctx, cfg.JWT, log); err != nil {
			return err
		}
	}
	api, err := httpapi.New(httpapi.Options{
		Logger: log, Version: versionString(), RAG: svc, Embedder: emb, GeneratorModel: gen.Model(), Readiness: ld.Readiness(), StoreStatus: ld, Reloader: ld,
		CORSAllowOrigins: cfg.CORSAllowOrigins, CORSAllowOriginRegex: cfg.CORSAllowOriginRegex,
		MaxBodyBytes: cfg.MaxBodyBytes, QueryTimeout: cfg.QueryTimeout, SearchTimeout: cfg.SearchTimeout, DefaultTopK: cfg.DefaultTopK, SearchMode: rag.Mode(cfg.SearchMode),
		APIKeys: cfg.APIKeys, JWT: jwtv, AdminToken: cfg.AdminToken, MetricsToken: cfg.MetricsToken, Collectors: ld.Collectors(), Limits: limits(cfg),
		Overload: httpapi.Overload(cfg.Overload),
		// Room to wait behind a load in progress, then sync and open.
		ReloadTimeout: 2*cfg.SyncTimeout + 2*time.Minute,
	})
	if err != nil {
		return err
	}
	return lifecycle.Serve(ctx, lifecycle.ServerConfig{Addr: cfg.Addr(), Handler: api, Logger: log,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout, ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout,
		IdleTimeout: cfg.IdleTimeout, ShutdownTimeout: cfg.ShutdownTimeout}, ld)
}

// limits are the request limits from the configuration.
func limits(cfg config.Config) httpapi.Limits {
	return httpapi.Limits{QuestionChars: cfg.MaxQuestionChars}
}
