package providers

import (
	"cmp"
	"context"
	"fmt"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

// NamedEmbedder builds the embedder name names ("": cfg.Embedder) with
// cfg's other settings, after checking them as config.Load does: what an
// operator command with an --embedder flag runs. An unknown name is an
// error wrapping ErrUnknown.
func NamedEmbedder(ctx context.Context, cfg config.Providers, name string) (embed.Embedder, error) {
	if name != "" {
		cfg.Embedder = name
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return Embedder(ctx, cfg)
}

// StoreEmbedder builds the embedder for the store in dir: NamedEmbedder
// with name, or, when name is empty, with the provider the store's
// manifest names and its model and dims unless cfg sets them.
func StoreEmbedder(ctx context.Context, cfg config.Providers, dir, name string) (embed.Embedder, error) {
	if name == "" {
		m, err := store.ReadManifest(dir)
		if err != nil {
			return nil, fmt.Errorf("%w (pass --embedder for a LangChain folder)", err)
		}
		name = m.Embedding.Provider
		cfg.EmbeddingModel, cfg.EmbeddingDims = cmp.Or(cfg.EmbeddingModel, m.Embedding.Model), cmp.Or(cfg.EmbeddingDims, m.Embedding.Dims)
	}
	return NamedEmbedder(ctx, cfg, name)
}
