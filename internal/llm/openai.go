package llm

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vendor0919/api/internal/httpjson"
	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/sseclient"
)

// OpenAIConfig configures the [OpenAI] chat generator.
type OpenAIConfig struct {
	// BaseURL is the API root; requests go to BaseURL + "/chat/completions".
	// Zero means "https://api.openai.com/v1".
	BaseURL string
	// URL, when set, is the full endpoint and overrides BaseURL (Azure
	// OpenAI: ".../openai/deployments/DEP/chat/completions?api-version=...").
	URL string
	// APIKey is sent as "Authorization: Bearer KEY", or in the header named
	// by AuthHeader ("api-key" for Azure). Empty sends no key.
	APIKey     string
	AuthHeader string
	// Model is the chat model. Zero means "gpt-4o-mini".
	Model string
	// MaxTokens and Temperature apply when the Request leaves them zero.
	// Zero leaves them to the provider.
	MaxTokens   int
	Temperature float64
	// MaxCompletionTokens sends the limit as "max_completion_tokens" (newer
	// OpenAI reasoning models) instead of "max_tokens".
	MaxCompletionTokens bool
	// Timeout bounds one attempt, streamed body included. Zero means 120s.
	Timeout time.Duration
	// Retry is the retry policy; the zero value retries 3 times.
	Retry retry.Policy
	// HTTPClient sends the requests. Nil means a default client.
	HTTPClient *http.Client
	// MaxAnswerBytes caps a streamed answer's text; past it the stream
	// ends with ErrBadResponse. Zero means 16 MiB.
	MaxAnswerBytes int
}

// OpenAI generates answers with an OpenAI-compatible chat completions API,
// streaming Server-Sent Events when emit is non-nil.
type OpenAI struct {
	model       string
	maxTokens   int
	temperature float64
	mctField    bool
	maxAnswer   int
	call        *httpjson.Client
	// noStreamOptions is set once the server refused stream_options.
	noStreamOptions atomic.Bool
}

// NewOpenAI returns an OpenAI chat generator, or an error wrapping ErrConfig.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.Model == "" {
		cfg.Model = "gpt-4o-mini"
	}
	if cfg.MaxTokens < 0 || cfg.Temperature < 0 || cfg.Temperature > 2 {
		return nil, fmt.Errorf("openai: max tokens or temperature out of range: %w", ErrConfig)
	}
	call, err := httpjson.New(httpjson.Config{
		Provider: "openai", URL: cfg.URL, BaseURL: cmp.Or(cfg.BaseURL, "https://api.openai.com/v1"), Path: "/chat/completions",
		HTTPClient: cfg.HTTPClient, Timeout: cmp.Or(cfg.Timeout, 120*time.Second),
		Retry: cfg.Retry, APIKey: cfg.APIKey, AuthHeader: cfg.AuthHeader, MaxResponse: maxResponseBody, Errors: httpErrors,
	})
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	return &OpenAI{model: cfg.Model, maxTokens: cfg.MaxTokens, temperature: cfg.Temperature, mctField: cfg.MaxCompletionTokens, maxAnswer: answerCap(cfg.MaxAnswerBytes), call: call}, nil
}

// Model returns the configured model name.
func (o *OpenAI) Model() string { return o.model }

type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIChunk struct {
	Model   string `json:"model"`
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	// Usage comes on a non-streamed answer, and on a stream's last chunk
	// when stream_options.include_usage asked for it. Raw, so that counts
	// a compatible server writes oddly (12.0, strings) cost the counts,
	// not the answer.
	Usage json.RawMessage `json:"usage"`
	Error *struct {
		Message string `json:"message"`
		Code    any    `json:"code"`
	} `json:"error"`
}

// Generate asks the model. With emit nil it makes one non-streamed call.
func (o *OpenAI) Generate(ctx context.Context, req Request, emit func(delta string) error) (Answer, error) {
	msgs, err := messages(req)
	if err != nil {
		return Answer{}, fmt.Errorf("openai: chat: %w", err)
	}
	body := map[string]any{"model": o.model, "stream": emit != nil}
	if emit != nil && !o.noStreamOptions.Load() {
		// The token counts come on a last chunk only when asked for.
		body["stream_options"] = map[string]any{"include_usage": true}
	}
	om := make([]openAIMessage, len(msgs))
	for i, m := range msgs {
		om[i] = openAIMessage(m)
	}
	body["messages"] = om
	if mt := cmp.Or(req.MaxTokens, o.maxTokens); mt > 0 {
		if o.mctField {
			body["max_completion_tokens"] = mt
		} else {
			body["max_tokens"] = mt
		}
	}
	if t := cmp.Or(req.Temperature, o.temperature); t > 0 {
		body["temperature"] = t
	}

	var (
		text string
		meta streamMeta
	)
	if emit == nil {
		var resp openAIChunk
		err = o.call.PostJSON(ctx, body, &resp)
		if err == nil {
			if len(resp.Choices) == 0 {
				err = fmt.Errorf("%w: no choices", ErrBadResponse)
			} else {
				text, meta = resp.Choices[0].Message.Content, streamMeta{Model: resp.Model, Usage: resp.usage()}
			}
		}
	} else {
		text, meta, err = stream(ctx, o.call, body, "text/event-stream", readOpenAIStream, o.maxAnswer, emit)
		if _, asked := body["stream_options"]; asked && rejectsStreamOptions(err) {
			// Refused before any byte of the answer: ask again without
			// it, and from now on never (the answer streams, uncounted).
			o.noStreamOptions.Store(true)
			delete(body, "stream_options")
			text, meta, err = stream(ctx, o.call, body, "text/event-stream", readOpenAIStream, o.maxAnswer, emit)
		}
	}
	if err != nil {
		return Answer{}, fmt.Errorf("openai: chat: %w", err)
	}
	return Answer{Text: text, Model: cmp.Or(meta.Model, o.model), Usage: meta.Usage}, nil
}

func (c *openAIChunk) usage() *Usage {
	var u struct {
		PromptTokens     float64 `json:"prompt_tokens"`
		CompletionTokens float64 `json:"completion_tokens"`
	}
	if len(c.Usage) == 0 || json.Unmarshal(c.Usage, &u) != nil {
		return nil
	}
	return usage(count(u.PromptTokens), count(u.CompletionTokens))
}

// rejectsStreamOptions reports whether err is a server refusing the
// stream_options parameter (older Azure API versions and some
// compatible servers answer 400 "Unknown parameter: 'stream_options'").
func rejectsStreamOptions(err error) bool {
	var he *retry.HTTPError
	return errors.As(err, &he) && (he.Status == http.StatusBadRequest || he.Status == http.StatusUnprocessableEntity) &&
		strings.Contains(he.Reason, "stream_options")
}

// readOpenAIStream reads chat completion chunks until "data: [DONE]",
// passing non-empty content deltas to emit, and returns the model name and
// the token counts the chunks carried. A stream ending without [DONE] wraps ErrBadResponse; an
// error object or "error" event wraps ErrUpstream.
func readOpenAIStream(r io.Reader, emit func(string) error) (streamMeta, error) {
	sr := sseclient.NewReader(r, 0)
	var meta streamMeta
	for {
		ev, err := sr.Next()
		if errors.Is(err, io.EOF) {
			return meta, fmt.Errorf("%w: stream ended without [DONE]", ErrBadResponse)
		}
		if errors.Is(err, sseclient.ErrLineTooLong) {
			return meta, fmt.Errorf("%w: %w", ErrBadResponse, err)
		}
		if err != nil {
			return meta, err
		}
		data := strings.TrimSpace(ev.Data)
		if data == "[DONE]" {
			return meta, nil
		}
		var c openAIChunk
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			if ev.Type == "error" {
				return meta, fmt.Errorf("%w: stream error: %s", ErrUpstream, retry.Scrub(data))
			}
			return meta, fmt.Errorf("%w: decode chunk: %w", ErrBadResponse, err)
		}
		if c.Error != nil || ev.Type == "error" {
			msg := "unknown error"
			if c.Error != nil && c.Error.Message != "" {
				msg = c.Error.Message
			}
			return meta, fmt.Errorf("%w: stream error: %s", ErrUpstream, retry.Scrub(msg))
		}
		if c.Model != "" {
			meta.Model = c.Model
		}
		if u := c.usage(); u != nil {
			meta.Usage = u
		}
		for _, ch := range c.Choices {
			if ch.Delta.Content != "" {
				if err := emit(ch.Delta.Content); err != nil {
					return meta, err
				}
			}
		}
	}
}
