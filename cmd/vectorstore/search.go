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

// openStore opens a store for localsearch with the embedder ef and the
// keyword analyzer kf choose and the server's soft match, reading a
// LangChain folder under the index name ff gives.
func openStore(pr config.Providers, ef providers.EmbedderFlags, kf providers.KeywordFlags, ff store.FolderFlags) func(context.Context, string, rag.Config) (*rag.Service, *store.Store, error) {
	return func(ctx context.Context, dir string, cfg rag.Config) (*rag.Service, *store.Store, error) {
		emb, err := ef.Embedder(ctx, pr, dir)
		if err != nil {
			return nil, nil, err
		}
		if cfg.KeywordAnalyzers, err = kf.Analyzers(pr); err != nil {
			return nil, nil, err
		}
		if cfg.SoftMatchWeight >= 0 { // 0 is the default weight, negative off
			if cfg.SoftMatch, err = providers.SoftMatcher(); err != nil {
				return nil, nil, err
			}
		}
		return localsearch.OpenStore(ctx, dir, store.OpenOptions{IndexName: ff.Name()}, emb, cfg)
	}
}

func runSearch(ctx context.Context, pr config.Providers, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	var f localsearch.SearchFlags
	ef := providers.EmbedderFlags{ForStore: true}
	var kf providers.KeywordFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore search", "", stderr), args, &f, &ef, &kf, &ff); err != nil {
		return err
	}
	open := openStore(pr, ef, kf, ff)
	if (f.Vector != "" || f.VectorFile != "") && ef.Name == "" {
		// A raw vector needs no embedder: the store is searched as it is,
		// whatever provider made it, with no provider settings.
		open = func(ctx context.Context, dir string, cfg rag.Config) (*rag.Service, *store.Store, error) {
			// The server's analyzer all the same: the keyword index a
			// LangChain folder gets is saved beside it for the server.
			var err error
			if cfg.KeywordAnalyzers, err = kf.Analyzers(pr); err != nil {
				return nil, nil, err
			}
			return localsearch.OpenStore(ctx, dir, store.OpenOptions{IndexName: ff.Name()}, nil, cfg)
		}
	}
	svc, _, err := open(ctx, f.Dir, rag.Config{})
	if err != nil {
		return err
	}
	hits, err := f.Run(ctx, svc)
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, hits, f.JSON)
}
