package main

import (
	"context"
	"errors"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/providers"
)

// flagEmbedder returns the result of a providers call for an --embedder
// flag, an unknown name being a usage error.
func flagEmbedder(emb embed.Embedder, err error) (embed.Embedder, error) {
	if errors.Is(err, providers.ErrUnknown) {
		return nil, usageError{Msg: err.Error()}
	}
	return emb, err
}

func runBuild(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	var f ingest.BuildFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore build", "", stderr), &f, args); err != nil {
		return err
	}
	return f.Run(ctx, func(name string) (embed.Embedder, error) {
		return flagEmbedder(providers.NamedEmbedder(ctx, pr, name))
	}, stdout, stderr)
}
