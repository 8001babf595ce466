package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
	"github.com/vendor0919/api/internal/weaviatestore"
)

// runPush verifies a native store and uploads it with s3sync; region and
// endpoint come from the flags, else from the environment as the server
// reads them (providers.S3).
func runPush(ctx context.Context, pr config.Providers, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	if weaviatestore.IsTarget(args) {
		return runPushWeaviate(ctx, pr, ff, args, stdout, stderr)
	}
	var f s3sync.PushFlags
	fs := cliflag.NewFlagSet("vectorstore push", "usage: vectorstore push --dir DIR --to s3://bucket/prefix [--endpoint URL --path-style --region R]\n       vectorstore push --dir DIR --to weaviate://HOST:PORT/COLLECTION (see push --to weaviate://x/X -h)", stderr)
	if err := cliflag.ParseOptions(fs, args, &f); err != nil {
		return err
	}
	return f.Run(ctx, stdout, stderr, func(ctx context.Context, c s3sync.Config) (*s3sync.Syncer, error) {
		return providers.S3(ctx, pr, c)
	})
}

// runPushWeaviate publishes a native or LangChain store into a new
// Weaviate collection and moves the alias (weaviatestore.Push).
func runPushWeaviate(ctx context.Context, pr config.Providers, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	f := weaviatestore.PushFlags{Folder: ff}
	var kw providers.KeywordFlags
	fs := cliflag.NewFlagSet("vectorstore push", "usage: vectorstore push --dir DIR --to weaviate://HOST:PORT/COLLECTION [--index hnsw|flat --replication N --keep N]", stderr)
	if err := cliflag.ParseOptions(fs, args, &f, &kw); err != nil {
		return err
	}
	an, err := kw.Analyzers(pr)
	if err != nil {
		return err
	}
	w := pr.Weaviate
	return f.Run(ctx, stdout, stderr, weaviatestore.Conn{GRPCAddr: w.GRPCAddr, APIKey: w.APIKey, CAFile: w.CAFile,
		UnverifiedGRPCTLS: w.UnverifiedGRPCTLS}, an)
}
