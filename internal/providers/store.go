package providers

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/store"
)

// namedEmbedder builds the embedder name names ("": cfg.Embedder) with
// cfg's other settings, after checking them as config.Load does, a remote
// one retrying under p. An unknown name is an error wrapping ErrUnknown.
func namedEmbedder(ctx context.Context, cfg config.Providers, name string, p retry.Policy) (embed.Embedder, error) {
	if name != "" {
		cfg.Embedder = name
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return EmbedderWith(ctx, cfg, p)
}

// storeEmbedder builds the embedder for the store in dir: namedEmbedder
// with name, or, when name is empty, with the provider the store's
// manifest names and its model and dims unless cfg sets them.
func storeEmbedder(ctx context.Context, cfg config.Providers, dir, name string, p retry.Policy) (embed.Embedder, error) {
	if name == "" {
		m, err := store.ReadManifest(dir)
		if err != nil {
			return nil, fmt.Errorf("%w (pass --embedder for a LangChain folder)", err)
		}
		name = m.Embedding.Provider
		cfg.EmbeddingModel, cfg.EmbeddingDims = cmp.Or(cfg.EmbeddingModel, m.Embedding.Model), cmp.Or(cfg.EmbeddingDims, m.Embedding.Dims)
	}
	return namedEmbedder(ctx, cfg, name, p)
}

// EmbedderFlags is a command's choice of embedder (cliflag.Options): the
// --embedder flag over the configured settings. It is the one place an
// operator command's embedder flags are defined.
type EmbedderFlags struct {
	// ForStore is set by commands that open a store: without --embedder
	// they take the one the store's manifest names (storeEmbedder), not
	// EMBEDDER (namedEmbedder).
	ForStore bool
	// Name is --embedder; empty picks the default above.
	Name string
	// Retry is not a flag: the caller sets how a remote embedder retries
	// (EmbedderWith); the zero value is the request path's policy, a
	// build sets retry.Batch().
	Retry retry.Policy
}

// RegisterFlags binds f to fs with the help that fits f.ForStore.
func (f *EmbedderFlags) RegisterFlags(fs *flag.FlagSet) {
	names := config.Embedders()
	help := "embedder: " + strings.Join(names, ", ") + " (default: EMBEDDER, else " + names[0] + ")"
	if f.ForStore {
		help = strings.Join(names, ", ") + " (default: the store's)"
	}
	fs.StringVar(&f.Name, "embedder", "", help)
}

// Validate accepts any name: an unknown one is reported by Embedder, so
// that the other options are checked first.
func (f EmbedderFlags) Validate() error { return nil }

// Embedder builds the chosen embedder with cfg's settings; dir is the
// store for a ForStore command. The operator's mistakes are a
// cliflag.UsageError (exit 2): an unknown name, settings config refuses
// together (--embedder ollama without a model), and a model or dims the
// embedder cannot have (--dims 100 for minilm, whose vectors are 384
// long; --model for hash), which would otherwise be ignored unseen.
func (f EmbedderFlags) Embedder(ctx context.Context, cfg config.Providers, dir string) (embed.Embedder, error) {
	if f.Name == docmodel.ProviderOllama && cfg.EmbeddingModel == "" {
		// config's message names EMBEDDING_MODEL alone, and the flag
		// chose ollama here.
		return nil, cliflag.Usagef("--embedder ollama needs a model: --model NAME (or EMBEDDING_MODEL), e.g. nomic-embed-text")
	}
	var emb embed.Embedder
	var err error
	if f.ForStore {
		emb, err = storeEmbedder(ctx, cfg, dir, f.Name, f.Retry)
	} else {
		emb, err = namedEmbedder(ctx, cfg, f.Name, f.Retry)
	}
	if errors.Is(err, ErrUnknown) || errors.Is(err, config.ErrInvalid) {
		return nil, usageError(err)
	}
	if err != nil {
		return nil, err
	}
	if err := fits(emb.Info(), cfg, "--model (or EMBEDDING_MODEL)", "--dims (or EMBEDDING_DIMS)"); err != nil {
		return nil, usageError(err)
	}
	return emb, nil
}

// usageError is err as the command line says it: the flag's problem,
// without the "config: invalid setting: " a server's start-up error opens
// with.
func usageError(err error) cliflag.UsageError {
	return cliflag.UsageError{Msg: strings.TrimPrefix(err.Error(), config.ErrInvalid.Error()+": ")}
}

// fits reports, as an error wrapping config.ErrInvalid, a model or dims
// asked for (cfg's; model and dims name where they come from) that the
// embedder built does not have: a fixed model (minilm, use-lite,
// use-lite-glove, hash's model) ignores them, and a misconfiguration
// would go unseen.
func fits(info docmodel.EmbeddingModel, cfg config.Providers, model, dims string) error {
	if cfg.EmbeddingModel != "" && cfg.EmbeddingModel != info.Model {
		return fmt.Errorf("%w: %s %q does not apply to %s, whose model is %s", config.ErrInvalid, model, cfg.EmbeddingModel, info.Provider, info.Model)
	}
	if cfg.EmbeddingDims != 0 && cfg.EmbeddingDims != info.Dims {
		return fmt.Errorf("%w: %s %d does not apply to %s/%s, whose vectors have %d dims", config.ErrInvalid, dims, cfg.EmbeddingDims, info.Provider, info.Model, info.Dims)
	}
	return nil
}

// KeywordFlags is a command's choice of keyword analyzer (cliflag.Options):
// --keyword-japanese over KEYWORD_JAPANESE, so that eval and search index
// keywords the way the server does.
type KeywordFlags struct {
	// Japanese is --keyword-japanese; empty takes KEYWORD_JAPANESE.
	Japanese string
}

// RegisterFlags binds f to fs.
func (f *KeywordFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Japanese, "keyword-japanese", "", "how keyword search splits Japanese: auto, bigram or kagome (default: KEYWORD_JAPANESE, else auto)")
}

// Validate checks the name without loading a dictionary.
func (f KeywordFlags) Validate() error {
	switch f.Japanese {
	case "", "auto", "bigram", "kagome":
		return nil
	}
	return cliflag.UsageError{Msg: fmt.Sprintf("--keyword-japanese %q: want auto, bigram or kagome", f.Japanese)}
}

// Analyzers returns the chosen setting with cfg's as the default.
func (f KeywordFlags) Analyzers(cfg config.Providers) (KeywordChoice, error) {
	return KeywordAnalyzers(cmp.Or(f.Japanese, cfg.KeywordJapanese))
}
