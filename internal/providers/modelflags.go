package providers

import (
	"flag"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
)

// ModelFlags are a command's --model and --dims (cliflag.Options): the
// embedding model and its vector length over EMBEDDING_MODEL and
// EMBEDDING_DIMS, beside EmbedderFlags' --embedder.
type ModelFlags struct {
	// Model is --model; empty keeps EMBEDDING_MODEL (else the provider's
	// default model).
	Model string
	// Dims is --dims; zero keeps EMBEDDING_DIMS (else the model's known
	// size).
	Dims int
}

// RegisterFlags binds f to fs.
func (f *ModelFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Model, "model", "", "embedding model, e.g. text-embedding-3-small, amazon.titan-embed-text-v2:0, nomic-embed-text (default: EMBEDDING_MODEL, else the embedder's)")
	fs.IntVar(&f.Dims, "dims", 0, "vector length (default: EMBEDDING_DIMS, else the model's known size; required for models this tool does not know)")
}

// Validate checks --dims' range as config checks EMBEDDING_DIMS.
func (f ModelFlags) Validate() error {
	if f.Dims < 0 || f.Dims > 65536 {
		return cliflag.Usagef("--dims %d: want 1..65536", f.Dims)
	}
	return nil
}

// Apply returns cfg with the flags that were given in place of its
// EmbeddingModel and EmbeddingDims.
func (f ModelFlags) Apply(cfg config.Providers) config.Providers {
	if f.Model != "" {
		cfg.EmbeddingModel = f.Model
	}
	if f.Dims != 0 {
		cfg.EmbeddingDims = f.Dims
	}
	return cfg
}

// ForDryRun returns cfg with placeholders for the credentials and region
// an embedder needs only to send requests (OPENAI_API_KEY, AWS_REGION),
// so that a command that never calls the embedder (vectorstore build
// --dry-run) can name its model without them. Set values are kept.
func ForDryRun(cfg config.Providers) config.Providers {
	if cfg.OpenAIAPIKey == "" {
		cfg.OpenAIAPIKey = "dry-run"
	}
	if cfg.AWSRegion == "" {
		cfg.AWSRegion = "us-east-1"
	}
	return cfg
}
