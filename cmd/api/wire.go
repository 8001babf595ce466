package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embed/uselite"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/loader"
	"github.com/vendor0919/api/internal/s3sync"
)

// newEmbedder picks the configured embedder. It is the one place that
// names concrete embedder types.
func newEmbedder(ctx context.Context, cfg config.Config) (embed.Embedder, error) {
	switch cfg.Embedder {
	case "use-lite":
		return uselite.New()
	case "hash":
		return embed.NewHash(embed.HashConfig{Dims: cfg.EmbeddingDims})
	case "openai":
		// text-embedding-3 models shorten their vectors only when asked to;
		// older models and many compatible servers refuse the parameter.
		model := cmp.Or(cfg.EmbeddingModel, "text-embedding-3-small")
		return embed.NewOpenAI(embed.OpenAIConfig{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, Model: cfg.EmbeddingModel,
			Dims: cfg.EmbeddingDims, SendDimensions: cfg.EmbeddingDims != 0 && strings.HasPrefix(model, "text-embedding-3")})
	case "ollama":
		return embed.NewOllama(embed.OllamaConfig{BaseURL: cfg.OllamaBaseURL, Model: cfg.EmbeddingModel, Dims: cfg.EmbeddingDims})
	case "bedrock":
		return embed.NewBedrock(ctx, embed.BedrockConfig{Region: cfg.AWSRegion, ModelID: cfg.EmbeddingModel, Dims: cfg.EmbeddingDims})
	}
	return nil, fmt.Errorf("unknown embedder %q", cfg.Embedder)
}

// newGenerator picks the configured answer generator.
func newGenerator(ctx context.Context, cfg config.Config) (llm.Generator, error) {
	switch cfg.LLM {
	case "extractive":
		return llm.NewExtractive(llm.ExtractiveConfig{})
	case "openai":
		return llm.NewOpenAI(llm.OpenAIConfig{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, Model: cfg.LLMModel, Timeout: cfg.LLMTimeout})
	case "ollama":
		return llm.NewOllama(llm.OllamaConfig{BaseURL: cfg.OllamaBaseURL, Model: cfg.LLMModel, Timeout: cfg.LLMTimeout})
	case "bedrock":
		return llm.NewBedrock(ctx, llm.BedrockConfig{Region: cfg.AWSRegion, ModelID: cfg.LLMModel, Timeout: cfg.LLMTimeout})
	}
	return nil, fmt.Errorf("unknown generator %q", cfg.LLM)
}

// newSync returns the S3 mirror step for the loader, or nil when no S3
// URI is configured, and a label for the store's source.
func newSync(ctx context.Context, cfg config.Config, log *slog.Logger) (func(context.Context, string) (loader.SyncOutcome, error), string, error) {
	if cfg.VectorStoreS3URI == "" {
		return nil, "local:" + cfg.VectorStoreDir, nil
	}
	s, err := s3sync.New(ctx, s3sync.Config{
		URI:       cfg.VectorStoreS3URI,
		Region:    cfg.AWSRegion,
		Endpoint:  cfg.S3Endpoint,
		PathStyle: cfg.S3ForcePathStyle,
		Logger:    log,
	})
	if err != nil {
		return nil, "", fmt.Errorf("s3 sync: %w", err)
	}
	return func(ctx context.Context, dir string) (loader.SyncOutcome, error) {
		res, err := s.Sync(ctx, dir)
		return loader.SyncOutcome{Version: res.Version, Changed: res.Changed, UsedLocal: res.UsedLocal}, err
	}, cfg.VectorStoreS3URI, nil
}

// readPromptTemplate reads PROMPT_TEMPLATE_FILE.
func readPromptTemplate(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("PROMPT_TEMPLATE_FILE: %w", err)
	}
	return string(b), nil
}
