package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
)

// runPush verifies a native store (checksums, then a full open: counts,
// chunks, graph) and uploads it with s3sync.Push: changed data files
// first, manifest.json last. Credentials come from the default AWS chain;
// region and endpoint from the flags, else from the environment as the
// server reads them (AWS_REGION, S3_ENDPOINT, AWS_ENDPOINT_URL_S3,
// AWS_ENDPOINT_URL, S3_FORCE_PATH_STYLE).
func runPush(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("push", stderr)
	dir := fs.String("dir", "", "native store folder to publish (required)")
	to := fs.String("to", "", "destination, s3://bucket/prefix (required)")
	endpoint := fs.String("endpoint", "", "S3-compatible endpoint URL (default: S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS S3)")
	pathStyle := fs.Bool("path-style", false, "use path-style addressing (most S3-compatible servers need it; default: S3_FORCE_PATH_STYLE)")
	region := fs.String("region", "", "bucket region (default: AWS_REGION or the AWS profile)")
	concurrency := fs.Int("concurrency", s3sync.DefaultConcurrency, "files uploaded at once")
	attempts := fs.Int("attempts", s3sync.DefaultMaxAttempts, "whole-push attempts before giving up")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore push --dir DIR --to s3://bucket/prefix [--endpoint URL --path-style --region R]")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case *dir == "" || *to == "":
		return usageError{msg: "--dir and --to are required"}
	case *concurrency < 1 || *attempts < 1 || *timeout <= 0:
		return usageError{msg: "--concurrency, --attempts and --timeout must be positive"}
	}
	if _, _, err := s3sync.ParseURI(*to); err != nil {
		return usageError{msg: err.Error()}
	}
	if lay, err := store.Detect(*dir); err != nil || lay.Format != store.FormatNative {
		return fmt.Errorf("%s is not a native store (no %s); convert a LangChain folder with \"vectorstore import-faiss\" first", *dir, store.ManifestFile)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	st, err := store.Open(ctx, *dir, store.OpenOptions{})
	if err != nil {
		return fmt.Errorf("verify %s: %w", *dir, err)
	}
	fmt.Fprintf(stdout, "verified  %s: version %s, %d chunks, %d dims, %d files\n",
		*dir, st.Manifest.Version, st.Manifest.Count, st.Manifest.Embedding.Dims, len(st.Manifest.Files))

	s, err := providers.S3(ctx, pr, s3sync.Config{
		URI:         *to,
		Region:      *region,
		Endpoint:    *endpoint,
		PathStyle:   *pathStyle,
		Concurrency: *concurrency,
		MaxAttempts: *attempts,
		Logger:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	res, err := s.Push(ctx, *dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pushed    %s -> %s\n", *dir, res.URI)
	fmt.Fprintf(stdout, "version   %s\n", res.Version)
	fmt.Fprintf(stdout, "files     %d (%d uploaded, %d already there), %s sent in %s\n",
		res.Files, res.Uploaded, res.Skipped, humanBytes(res.Bytes), res.Took.Round(time.Millisecond))
	fmt.Fprintf(stdout, "manifest  %s uploaded last\n", store.ManifestFile)
	return nil
}

// humanBytes formats n with a binary unit, e.g. 1.5 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
