package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/localsearch"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// openStore opens the store in dir with the embedder named embName (""
// picks the store's) for localsearch.
func openStore(pr config.Providers, embName string) func(context.Context, string, rag.Config) (*rag.Service, *store.Store, error) {
	return func(ctx context.Context, dir string, cfg rag.Config) (*rag.Service, *store.Store, error) {
		emb, err := flagEmbedder(providers.StoreEmbedder(ctx, pr, dir, embName))
		if err != nil {
			return nil, nil, err
		}
		return localsearch.Open(ctx, dir, emb, cfg)
	}
}

func runSearch(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	var f localsearch.SearchFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore search", "", stderr), &f, args); err != nil {
		return err
	}
	svc, _, err := openStore(pr, f.Embedder)(ctx, f.Dir, rag.Config{})
	if err != nil {
		return err
	}
	hits, err := f.Run(ctx, svc)
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, hits, f.JSON)
}
