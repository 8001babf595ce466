package embed

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/httpjson"
	"github.com/vendor0919/api/internal/retry"
)

// OllamaConfig configures the [Ollama] embedder.
type OllamaConfig struct {
	// BaseURL is the server root. Zero means "http://localhost:11434".
	BaseURL string
	// Model is the embedding model, e.g. "nomic-embed-text". Required.
	Model string
	// Dims is the model's vector length, checked on every answer. Required.
	Dims int
	// BatchSize is the most inputs per request. Zero means 64.
	BatchSize int
	// Timeout bounds one attempt. Zero means 60s (a cold model loads first).
	Timeout time.Duration
	// Retry is the retry policy; the zero value retries 3 times.
	Retry retry.Policy
	// HTTPClient sends the requests. Nil means a default client.
	HTTPClient *http.Client
}

// Ollama is an embedder for an Ollama server's POST /api/embed.
type Ollama struct {
	model     string
	dims      int
	batchSize int
	call      *httpjson.Client
}

// NewOllama returns an Ollama embedder, or an error wrapping ErrConfig.
func NewOllama(cfg OllamaConfig) (*Ollama, error) {
	if cfg.Model == "" {
		return nil, fmt.Errorf("ollama: model required: %w", ErrConfig)
	}
	if cfg.Dims <= 0 {
		return nil, fmt.Errorf("ollama: dims must be positive: %w", ErrConfig)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 64
	}
	if cfg.BatchSize < 0 {
		return nil, fmt.Errorf("ollama: negative batch size: %w", ErrConfig)
	}
	call, err := httpjson.New(httpjson.Config{
		Provider: docmodel.ProviderOllama, BaseURL: cmp.Or(cfg.BaseURL, "http://localhost:11434"), Path: "/api/embed",
		HTTPClient: cfg.HTTPClient, Timeout: cmp.Or(cfg.Timeout, 60*time.Second), Retry: cfg.Retry, MaxResponse: maxResponseBody, Errors: httpErrors,
	})
	if err != nil {
		return nil, fmt.Errorf("ollama: %w", err)
	}
	return &Ollama{model: cfg.Model, dims: cfg.Dims, batchSize: cfg.BatchSize, call: call}, nil
}

// Info reports Provider "ollama", the model and Dims.
func (o *Ollama) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: docmodel.ProviderOllama, Model: o.model, Dims: o.dims}
}

// Embed embeds texts in batches of at most BatchSize.
func (o *Ollama) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for _, b := range batches(len(texts), o.batchSize) {
		in := texts[b[0]:b[1]]
		var resp struct {
			Embeddings [][]float32 `json:"embeddings"`
		}
		if err := o.call.PostJSON(ctx, map[string]any{"model": o.model, "input": in}, &resp); err != nil {
			return nil, fmt.Errorf("ollama: embed: %w", err)
		}
		if err := checkVectors(resp.Embeddings, len(in), o.dims); err != nil {
			return nil, fmt.Errorf("ollama: embed: %w", err)
		}
		out = append(out, resp.Embeddings...)
	}
	return out, nil
}
