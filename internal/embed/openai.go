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

// OpenAIConfig configures the [OpenAI] embedder. Zero values take the
// documented defaults.
type OpenAIConfig struct {
	// BaseURL is the API root; requests go to BaseURL + "/embeddings".
	// Zero means "https://api.openai.com/v1".
	BaseURL string
	// URL, when set, is the full endpoint and overrides BaseURL, e.g. Azure
	// OpenAI's "https://RES.openai.azure.com/openai/deployments/DEP/embeddings?api-version=2024-10-21".
	URL string
	// APIKey is sent as "Authorization: Bearer KEY", or in the header named
	// by AuthHeader. Empty sends no key (local compatible servers).
	APIKey string
	// AuthHeader names the header carrying the raw key instead of a bearer
	// token, e.g. "api-key" for Azure OpenAI. Empty means Authorization.
	AuthHeader string
	// Model is the embedding model. Zero means "text-embedding-3-small".
	Model string
	// Dims is the expected vector length, checked on every answer. Zero
	// means the known size of Model (text-embedding-3-small 1536,
	// text-embedding-3-large 3072, text-embedding-ada-002 1536); unknown
	// models need it set.
	Dims int
	// SendDimensions sends Dims as the request's "dimensions" parameter
	// (text-embedding-3 models can shorten their output).
	SendDimensions bool
	// BatchSize is the most inputs per request. Zero means 96; at most 2048.
	BatchSize int
	// Timeout bounds one attempt. Zero means 30s.
	Timeout time.Duration
	// Retry is the retry policy; the zero value retries 3 times.
	Retry retry.Policy
	// HTTPClient sends the requests. Nil means a client with default
	// transport and no overall timeout (Timeout applies per attempt).
	HTTPClient *http.Client
}

var openAIModelDims = map[string]int{
	"text-embedding-3-small": 1536,
	"text-embedding-3-large": 3072,
	"text-embedding-ada-002": 1536,
}

// OpenAI is an embedder for OpenAI-compatible POST /embeddings endpoints.
// Batches are sent one after another; vectors are placed by the answer's
// "index" field. Empty input strings are sent as a single space, which the
// API accepts.
type OpenAI struct {
	model     string
	dims      int
	sendDims  bool
	batchSize int
	call      *httpjson.Client
}

// NewOpenAI returns an OpenAI embedder, or an error wrapping ErrConfig.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.Model == "" {
		cfg.Model = "text-embedding-3-small"
	}
	if cfg.Dims == 0 {
		cfg.Dims = openAIModelDims[cfg.Model]
	}
	if cfg.Dims <= 0 {
		return nil, fmt.Errorf("openai: dims unknown for model %q, set Dims: %w", cfg.Model, ErrConfig)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 96
	}
	if cfg.BatchSize < 0 || cfg.BatchSize > 2048 {
		return nil, fmt.Errorf("openai: batch size %d out of range 1..2048: %w", cfg.BatchSize, ErrConfig)
	}
	call, err := httpjson.New(httpjson.Config{
		Provider: docmodel.ProviderOpenAI, URL: cfg.URL, BaseURL: cmp.Or(cfg.BaseURL, "https://api.openai.com/v1"), Path: "/embeddings",
		HTTPClient: cfg.HTTPClient, Timeout: cmp.Or(cfg.Timeout, 30*time.Second),
		Retry: cfg.Retry, APIKey: cfg.APIKey, AuthHeader: cfg.AuthHeader, MaxResponse: maxResponseBody, Errors: httpErrors,
	})
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	return &OpenAI{model: cfg.Model, dims: cfg.Dims, sendDims: cfg.SendDimensions, batchSize: cfg.BatchSize, call: call}, nil
}

// Info reports Provider "openai", the model and Dims.
func (o *OpenAI) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: docmodel.ProviderOpenAI, Model: o.model, Dims: o.dims}
}

type openAIEmbedRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
	Dimensions     int      `json:"dimensions,omitempty"`
}

type openAIEmbedResponse struct {
	Data []struct {
		Index     *int      `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

// Embed embeds texts in batches of at most BatchSize.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for _, b := range batches(len(texts), o.batchSize) {
		vecs, err := o.embedBatch(ctx, texts[b[0]:b[1]])
		if err != nil {
			return nil, fmt.Errorf("openai: embeddings: %w", err)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (o *OpenAI) embedBatch(ctx context.Context, texts []string) ([][]float32, error) {
	req := openAIEmbedRequest{Model: o.model, Input: make([]string, len(texts)), EncodingFormat: "float"}
	for i, t := range texts {
		if t == "" {
			t = " "
		}
		req.Input[i] = t
	}
	if o.sendDims {
		req.Dimensions = o.dims
	}
	var resp openAIEmbedResponse
	if err := o.call.PostJSON(ctx, req, &resp); err != nil {
		return nil, err
	}
	if len(resp.Data) != len(texts) {
		return nil, fmt.Errorf("%w: got %d embeddings for %d inputs", ErrBadResponse, len(resp.Data), len(texts))
	}
	vecs := make([][]float32, len(texts))
	for _, d := range resp.Data {
		if d.Index == nil {
			return nil, fmt.Errorf("%w: embedding without index", ErrBadResponse)
		}
		i := *d.Index
		if i < 0 || i >= len(texts) || vecs[i] != nil {
			return nil, fmt.Errorf("%w: bad or repeated index %d", ErrBadResponse, i)
		}
		if d.Embedding == nil {
			d.Embedding = []float32{}
		}
		vecs[i] = d.Embedding
	}
	if err := checkVectors(vecs, len(texts), o.dims); err != nil {
		return nil, err
	}
	return vecs, nil
}
