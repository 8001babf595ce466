package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/vendor0919/api/internal/awsbedrock"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/retry"
)

// maxTitanResponse caps an InvokeModel response body: a Titan v2 answer
// of 1024 floats as JSON is about 14 KiB, so 1 MiB leaves a wide margin
// and stops a runaway body long before it costs memory (the SDK would
// read it whole).
const maxTitanResponse = 1 << 20

// Titan Text Embeddings model ids NewBedrock accepts: the wire format it
// speaks is Titan's, which other Bedrock embedding models (Cohere, Nova)
// do not read. Cross-Region inference profiles are not listed for these
// models, so none is accepted.
const (
	// TitanV2 takes "dimensions" (256, 512, 1024) and "normalize".
	TitanV2 = "amazon.titan-embed-text-v2:0"
	// TitanV1 (Titan Embeddings G1 - Text) takes only the text and
	// returns 1536 dimensions.
	TitanV1 = "amazon.titan-embed-text-v1"
)

// BedrockConfig configures the [Bedrock] Titan Text Embeddings embedder.
type BedrockConfig struct {
	// Region is the AWS region, e.g. "ap-northeast-1". Empty means the
	// default chain's region (AWS_REGION, shared config); one must resolve.
	Region string
	// ModelID is the model: TitanV2 or TitanV1; any other is refused.
	// Zero means TitanV2.
	ModelID string
	// Dims is the output size: 256, 512 or 1024 for TitanV2, 1536 for
	// TitanV1. Zero means 1024 (TitanV2) or 1536 (TitanV1).
	Dims int
	// SkipNormalize sends "normalize": false (Titan v2 then returns raw
	// vectors). By default v2 vectors are unit length. TitanV1 has no
	// such setting.
	SkipNormalize bool
	// Concurrency is the most InvokeModel calls in flight (one per text).
	// Zero means 4.
	Concurrency int
	// BaseEndpoint overrides the Bedrock Runtime endpoint (VPC endpoints,
	// tests). Empty means the regional default.
	BaseEndpoint string
	// Credentials signs requests. Nil means the SDK's default credential
	// chain, which is the ECS task role in production.
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests. Nil means the SDK's default.
	HTTPClient *http.Client
	// Timeout bounds one attempt. Zero means 30s.
	Timeout time.Duration
	// Retry is the retry policy (the SDK's own retries are off); the zero
	// value retries 3 times.
	Retry retry.Policy
}

// Bedrock embeds with Amazon Titan Text Embeddings (v2 or v1) through Bedrock
// Runtime InvokeModel, one call per text, a bounded number at a time.
type Bedrock struct {
	client      *bedrockruntime.Client
	modelID     string
	dims        int
	normalize   bool
	concurrency int
	timeout     time.Duration
	policy      retry.Policy
}

// NewBedrock returns a Bedrock embedder, or an error wrapping ErrConfig. It
// resolves AWS configuration (region, default credential chain) once.
func NewBedrock(ctx context.Context, cfg BedrockConfig) (*Bedrock, error) {
	switch cfg.ModelID {
	case "", TitanV2:
		cfg.ModelID = TitanV2
		if cfg.Dims == 0 {
			cfg.Dims = 1024
		}
		if cfg.Dims != 256 && cfg.Dims != 512 && cfg.Dims != 1024 {
			return nil, fmt.Errorf("bedrock: %s: dims %d not one of 256, 512, 1024: %w", TitanV2, cfg.Dims, ErrConfig)
		}
	case TitanV1:
		if cfg.Dims == 0 {
			cfg.Dims = 1536
		}
		if cfg.Dims != 1536 {
			return nil, fmt.Errorf("bedrock: %s: dims %d, but the model returns 1536 only: %w", TitanV1, cfg.Dims, ErrConfig)
		}
	default:
		// Not a word about dimensions: the build's usage message would
		// then tell to set them.
		return nil, fmt.Errorf("bedrock: model %q: %w: this embedder speaks Titan Text Embeddings' request format only; use %s (the default) or %s",
			cfg.ModelID, ErrConfig, TitanV2, TitanV1)
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 4
	}
	if cfg.Concurrency < 0 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("bedrock: negative concurrency or timeout: %w", ErrConfig)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, fmt.Errorf("bedrock: %w: %w", ErrConfig, err)
	}
	client, err := awsbedrock.New(ctx, awsbedrock.Config{Region: cfg.Region, BaseEndpoint: cfg.BaseEndpoint,
		Credentials: cfg.Credentials, HTTPClient: cfg.HTTPClient, ErrConfig: ErrConfig, MaxResponseBytes: maxTitanResponse})
	if err != nil {
		return nil, fmt.Errorf("bedrock: %w", err)
	}
	return &Bedrock{client: client, modelID: cfg.ModelID, dims: cfg.Dims, normalize: !cfg.SkipNormalize,
		concurrency: cfg.Concurrency, timeout: cfg.Timeout, policy: cfg.Retry}, nil
}

// Info reports Provider "bedrock", the model id and Dims.
func (b *Bedrock) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: docmodel.ProviderBedrock, Model: b.modelID, Dims: b.dims}
}

// titanV1Request is the Titan v1 body: the text alone.
type titanV1Request struct {
	InputText string `json:"inputText"`
}

type titanRequest struct {
	InputText  string `json:"inputText"`
	Dimensions int    `json:"dimensions"`
	Normalize  bool   `json:"normalize"`
}

type titanResponse struct {
	Embedding           []float32 `json:"embedding"`
	InputTextTokenCount int       `json:"inputTextTokenCount"`
}

// Embed embeds each text with its own InvokeModel call. The first failure
// cancels the rest and is returned.
func (b *Bedrock) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	sem := make(chan struct{}, b.concurrency)
	for i, t := range texts {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v, err := b.embedOne(ctx, t)
			if err != nil {
				once.Do(func() { firstErr = err; cancel() })
				return
			}
			out[i] = v
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("bedrock: invoke model: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bedrock: invoke model: %w", err)
	}
	return out, nil
}

func (b *Bedrock) embedOne(ctx context.Context, text string) ([]float32, error) {
	if text == "" {
		text = " " // Titan rejects empty input
	}
	var req any = titanRequest{InputText: text, Dimensions: b.dims, Normalize: b.normalize}
	if b.modelID == TitanV1 {
		req = titanV1Request{InputText: text}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var raw []byte
	err = retry.Do(ctx, b.policy, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, b.timeout)
		defer cancel()
		out, err := b.client.InvokeModel(actx, &bedrockruntime.InvokeModelInput{
			ModelId:     aws.String(b.modelID),
			Body:        body,
			ContentType: aws.String("application/json"),
			Accept:      aws.String("application/json"),
		})
		if errors.Is(err, awsbedrock.ErrResponseTooLarge) && ctx.Err() == nil {
			return fmt.Errorf("%w: %w", ErrBadResponse, err) // not retried
		}
		if err != nil {
			return retry.ClassifyAWS(ctx, docmodel.ProviderBedrock, err)
		}
		raw = out.Body
		return nil
	})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		if errors.Is(err, ErrBadResponse) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrUpstream, err)
	}
	var resp titanResponse
	if err := json.Unmarshal(raw, &resp); err != nil {
		return nil, fmt.Errorf("%w: decode: %w", ErrBadResponse, err)
	}
	if err := checkVector(resp.Embedding, b.dims); err != nil {
		return nil, err
	}
	return resp.Embedding, nil
}
