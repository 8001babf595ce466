package s3sync_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/vendor0919/api/internal/s3sync"
)

// A server's start-up: mirror the prod store with a deadline, and serve the
// last good local copy if S3 cannot be reached.
func ExampleSyncer_Sync() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := s3sync.New(ctx, s3sync.Config{
		URI:    "s3://vendor-rag-0919/vectorstore/prod",
		Region: "ap-northeast-1",
		Logger: log,
	})
	if err != nil {
		log.Error("bad sync config", "error", err)
		return
	}
	res, err := s.Sync(ctx, "/app/vectorstore")
	switch {
	case err == nil:
		log.Info("store ready", "version", res.Version, "changed", res.Changed)
	case res.UsedLocal && errors.Is(err, s3sync.ErrUnreachable):
		log.Warn("S3 unreachable, serving the local copy", "version", res.Version, "error", err)
	default:
		log.Error("no store to serve", "error", err)
	}
}
