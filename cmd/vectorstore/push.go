package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/s3sync"
)

// runPush verifies a native store and uploads it with s3sync; region and
// endpoint come from the flags, else from the environment as the server
// reads them (providers.S3).
func runPush(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	var f s3sync.PushFlags
	fs := cliflag.NewFlagSet("vectorstore push", "usage: vectorstore push --dir DIR --to s3://bucket/prefix [--endpoint URL --path-style --region R]", stderr)
	if err := cliflag.ParseOptions(fs, args, &f); err != nil {
		return err
	}
	return f.Run(ctx, stdout, stderr, func(ctx context.Context, c s3sync.Config) (*s3sync.Syncer, error) {
		return providers.S3(ctx, pr, c)
	})
}
