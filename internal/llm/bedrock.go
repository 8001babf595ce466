package llm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/vendor0919/api/internal/awsbedrock"
	"github.com/vendor0919/api/internal/retry"
)

// BedrockConfig configures the [Bedrock] Converse generator.
type BedrockConfig struct {
	// Region is the AWS region. Empty means the default chain's region.
	Region string
	// ModelID is a model or inference profile id, e.g.
	// "anthropic.claude-3-haiku-20240307-v1:0" or
	// "apac.anthropic.claude-3-5-sonnet-20241022-v2:0". Required.
	ModelID string
	// MaxTokens and Temperature apply when the Request leaves them zero.
	// Zero leaves them to the model.
	MaxTokens   int
	Temperature float64
	// BaseEndpoint overrides the Bedrock Runtime endpoint (VPC endpoints,
	// tests). Empty means the regional default.
	BaseEndpoint string
	// Credentials signs requests. Nil means the SDK's default chain (the
	// ECS task role in production).
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests. Nil means the SDK's default.
	HTTPClient *http.Client
	// Timeout bounds one attempt, stream included. Zero means 120s.
	Timeout time.Duration
	// Retry is the retry policy (the SDK's own retries are off).
	Retry retry.Policy
	// MaxAnswerBytes caps a streamed answer's text; past it the stream
	// ends with ErrBadResponse. Zero means 16 MiB.
	MaxAnswerBytes int
}

// Bedrock generates answers with Bedrock Runtime Converse, or
// ConverseStream when emit is non-nil. System messages go to the separate
// system field; consecutive turns of one role are merged, as Converse
// requires alternating user and assistant turns.
type Bedrock struct {
	client      *bedrockruntime.Client
	modelID     string
	maxTokens   int
	temperature float64
	timeout     time.Duration
	policy      retry.Policy
	maxAnswer   int
}

// NewBedrock returns a Bedrock generator, or an error wrapping ErrConfig. It
// resolves AWS configuration once.
func NewBedrock(ctx context.Context, cfg BedrockConfig) (*Bedrock, error) {
	if cfg.ModelID == "" {
		return nil, fmt.Errorf("bedrock: model id required: %w", ErrConfig)
	}
	if cfg.MaxTokens < 0 || cfg.Temperature < 0 || cfg.Temperature > 1 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("bedrock: max tokens, temperature or timeout out of range: %w", ErrConfig)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 120 * time.Second
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, fmt.Errorf("bedrock: %w: %w", ErrConfig, err)
	}
	// Converse's answer is one JSON body the SDK reads whole: capped as
	// the other providers' non-streamed answers are.
	client, err := awsbedrock.New(ctx, awsbedrock.Config{Region: cfg.Region, BaseEndpoint: cfg.BaseEndpoint,
		Credentials: cfg.Credentials, HTTPClient: cfg.HTTPClient, ErrConfig: ErrConfig, MaxResponseBytes: maxResponseBody})
	if err != nil {
		return nil, fmt.Errorf("bedrock: %w", err)
	}
	return &Bedrock{client: client, modelID: cfg.ModelID, maxTokens: cfg.MaxTokens, temperature: cfg.Temperature,
		timeout: cfg.Timeout, policy: cfg.Retry, maxAnswer: answerCap(cfg.MaxAnswerBytes)}, nil
}

// Model returns the model id.
func (b *Bedrock) Model() string { return b.modelID }

// converseParts splits messages into Converse's system blocks and
// alternating turns.
func converseParts(msgs []Message) ([]types.SystemContentBlock, []types.Message) {
	var sys []types.SystemContentBlock
	var turns []types.Message
	for _, m := range msgs {
		if m.Role == "system" {
			sys = append(sys, &types.SystemContentBlockMemberText{Value: m.Content})
			continue
		}
		role := types.ConversationRoleUser
		if m.Role == "assistant" {
			role = types.ConversationRoleAssistant
		}
		if n := len(turns); n > 0 && turns[n-1].Role == role {
			turns[n-1].Content = append(turns[n-1].Content, &types.ContentBlockMemberText{Value: m.Content})
			continue
		}
		turns = append(turns, types.Message{Role: role, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: m.Content}}})
	}
	return sys, turns
}

// Generate asks the model. With emit nil it calls Converse once.
func (b *Bedrock) Generate(ctx context.Context, req Request, emit func(delta string) error) (Answer, error) {
	msgs, err := messages(req)
	if err != nil {
		return Answer{}, fmt.Errorf("bedrock: converse: %w", err)
	}
	sys, turns := converseParts(msgs)
	if len(turns) == 0 {
		return Answer{}, fmt.Errorf("bedrock: converse: no user message")
	}
	var inf *types.InferenceConfiguration
	mt, temp := cmp.Or(req.MaxTokens, b.maxTokens), cmp.Or(req.Temperature, b.temperature)
	if mt > 0 || temp > 0 {
		inf = &types.InferenceConfiguration{}
		if mt > 0 {
			inf.MaxTokens = aws.Int32(int32(min(mt, 1<<30)))
		}
		if temp > 0 {
			inf.Temperature = aws.Float32(float32(temp))
		}
	}
	var (
		text strings.Builder
		used *Usage
	)
	if emit == nil {
		used, err = b.converse(ctx, sys, turns, inf, &text)
	} else {
		used, err = b.converseStream(ctx, sys, turns, inf, &text, emit)
	}
	if err != nil {
		op := "converse"
		if emit != nil {
			op = "converse stream"
		}
		return Answer{}, fmt.Errorf("bedrock: %s: %w", op, err)
	}
	return Answer{Text: text.String(), Model: b.modelID, Usage: used}, nil
}

// tokenUsage converts Converse's counts.
func tokenUsage(u *types.TokenUsage) *Usage {
	if u == nil {
		return nil
	}
	return usage(int(aws.ToInt32(u.InputTokens)), int(aws.ToInt32(u.OutputTokens)))
}

func (b *Bedrock) converse(ctx context.Context, sys []types.SystemContentBlock, turns []types.Message, inf *types.InferenceConfiguration, text *strings.Builder) (*Usage, error) {
	var out *bedrockruntime.ConverseOutput
	err := retry.Do(ctx, b.policy, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, b.timeout)
		defer cancel()
		o, err := b.client.Converse(actx, &bedrockruntime.ConverseInput{
			ModelId: aws.String(b.modelID), System: sys, Messages: turns, InferenceConfig: inf,
		})
		if errors.Is(err, awsbedrock.ErrResponseTooLarge) && ctx.Err() == nil {
			return fmt.Errorf("%w: %w", ErrBadResponse, err) // not retried: it would be as long again
		}
		if err != nil {
			return retry.ClassifyAWS(ctx, "bedrock", err)
		}
		out = o
		return nil
	})
	if err != nil {
		return nil, finalErr(ctx, err)
	}
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return nil, fmt.Errorf("%w: no message in output", ErrBadResponse)
	}
	for _, c := range msg.Value.Content {
		if t, ok := c.(*types.ContentBlockMemberText); ok {
			text.WriteString(t.Value)
		}
	}
	return tokenUsage(out.Usage), nil
}

// errStreamCut marks a ConverseStream that ended before messageStop.
var errStreamCut = errors.New("stream ended before messageStop")

func (b *Bedrock) converseStream(ctx context.Context, sys []types.SystemContentBlock, turns []types.Message, inf *types.InferenceConfiguration, text *strings.Builder, emit func(string) error) (*Usage, error) {
	emitted := false
	var (
		emitErr error
		used    *Usage
	)
	err := retry.Do(ctx, b.policy, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, b.timeout)
		defer cancel()
		used = nil // a retried attempt counts again
		out, err := b.client.ConverseStream(actx, &bedrockruntime.ConverseStreamInput{
			ModelId: aws.String(b.modelID), System: sys, Messages: turns, InferenceConfig: inf,
		})
		if err != nil {
			return retry.ClassifyAWS(ctx, "bedrock", err)
		}
		stream := out.GetStream()
		defer stream.Close()
		stopped := false
		for {
			var ev types.ConverseStreamOutput
			var ok bool
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-actx.Done():
				ev, ok = nil, false
			case ev, ok = <-stream.Events():
			}
			if !ok {
				err := stream.Err()
				if err == nil && actx.Err() != nil {
					err = actx.Err()
				}
				if err == nil && !stopped {
					err = errStreamCut
				}
				if err == nil {
					return nil
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if emitted {
					return fmt.Errorf("%w: bedrock: stream interrupted: %s", ErrUpstream, retry.Scrub(err.Error()))
				}
				if errors.Is(err, errStreamCut) {
					return retry.Transient(fmt.Errorf("bedrock: %w", err), 0)
				}
				return retry.ClassifyAWS(ctx, "bedrock", err)
			}
			switch v := ev.(type) {
			case *types.ConverseStreamOutputMemberContentBlockDelta:
				if t, ok := v.Value.Delta.(*types.ContentBlockDeltaMemberText); ok && t.Value != "" {
					if err := checkAnswerLen("bedrock", text.Len(), len(t.Value), b.maxAnswer); err != nil {
						return err
					}
					emitted = true
					text.WriteString(t.Value)
					if err := emit(t.Value); err != nil {
						emitErr = err
						return err
					}
				}
			case *types.ConverseStreamOutputMemberMessageStop:
				stopped = true
			case *types.ConverseStreamOutputMemberMetadata:
				// After messageStop: the counts of the whole answer.
				used = tokenUsage(v.Value.Usage)
			}
		}
	})
	if emitErr != nil {
		return nil, emitErr
	}
	if err != nil {
		return nil, finalErr(ctx, err)
	}
	return used, nil
}

// finalErr maps a retry.Do result to the package's error shape.
func finalErr(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, ErrUpstream), errors.Is(err, ErrBadResponse):
		return err
	default:
		return fmt.Errorf("%w: %w", ErrUpstream, err)
	}
}
