package llm

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/httpjson"
	"github.com/vendor0919/api/internal/retry"
)

// maxNDJSONLine caps one line of an Ollama stream.
const maxNDJSONLine = 1 << 20

// OllamaConfig configures the [Ollama] chat generator.
type OllamaConfig struct {
	// BaseURL is the server root. Zero means "http://localhost:11434".
	BaseURL string
	// Model is the chat model, e.g. "llama3.1". Required.
	Model string
	// MaxTokens (num_predict) and Temperature apply when the Request
	// leaves them zero. Zero leaves them to the model.
	MaxTokens   int
	Temperature float64
	// Timeout bounds one attempt, streamed body included. Zero means 300s
	// (local models can be slow to load).
	Timeout time.Duration
	// Retry is the retry policy; the zero value retries 3 times.
	Retry retry.Policy
	// HTTPClient sends the requests. Nil means a default client.
	HTTPClient *http.Client
	// MaxAnswerBytes caps a streamed answer's text; past it the stream
	// ends with ErrBadResponse. Zero means 16 MiB.
	MaxAnswerBytes int
}

// Ollama generates answers with an Ollama server's POST /api/chat,
// streaming NDJSON when emit is non-nil.
type Ollama struct {
	model       string
	maxTokens   int
	temperature float64
	maxAnswer   int
	call        *httpjson.Client
}

// NewOllama returns an Ollama chat generator, or an error wrapping ErrConfig.
func NewOllama(cfg OllamaConfig) (*Ollama, error) {
	if cfg.Model == "" {
		return nil, fmt.Errorf("ollama: model required: %w", ErrConfig)
	}
	if cfg.MaxTokens < 0 || cfg.Temperature < 0 {
		return nil, fmt.Errorf("ollama: negative max tokens or temperature: %w", ErrConfig)
	}
	call, err := httpjson.New(httpjson.Config{
		Provider: "ollama", BaseURL: cmp.Or(cfg.BaseURL, "http://localhost:11434"), Path: "/api/chat", HTTPClient: cfg.HTTPClient,
		Timeout: cmp.Or(cfg.Timeout, 300*time.Second), Retry: cfg.Retry, MaxResponse: maxResponseBody, Errors: httpErrors,
	})
	if err != nil {
		return nil, fmt.Errorf("ollama: %w", err)
	}
	return &Ollama{model: cfg.Model, maxTokens: cfg.MaxTokens, temperature: cfg.Temperature, maxAnswer: answerCap(cfg.MaxAnswerBytes), call: call}, nil
}

// Model returns the configured model name.
func (o *Ollama) Model() string { return o.model }

type ollamaChunk struct {
	Model   string `json:"model"`
	Message struct {
		Content string `json:"content"`
	} `json:"message"`
	Done  bool   `json:"done"`
	Error string `json:"error"`
	// The token counts, on the last chunk (done). Older servers leave
	// prompt_eval_count out when the prompt was cached: then the counts
	// are unknown, not a prompt of 0 tokens.
	PromptEvalCount *float64 `json:"prompt_eval_count"`
	EvalCount       *float64 `json:"eval_count"`
}

func (c *ollamaChunk) usage() *Usage {
	if c.PromptEvalCount == nil || c.EvalCount == nil {
		return nil
	}
	return usage(count(*c.PromptEvalCount), count(*c.EvalCount))
}

// Generate asks the model. With emit nil it makes one non-streamed call.
func (o *Ollama) Generate(ctx context.Context, req Request, emit func(delta string) error) (Answer, error) {
	msgs, err := messages(req)
	if err != nil {
		return Answer{}, fmt.Errorf("ollama: chat: %w", err)
	}
	om := make([]openAIMessage, len(msgs))
	for i, m := range msgs {
		om[i] = openAIMessage(m)
	}
	body := map[string]any{"model": o.model, "messages": om, "stream": emit != nil}
	opts := map[string]any{}
	if mt := cmp.Or(req.MaxTokens, o.maxTokens); mt > 0 {
		opts["num_predict"] = mt
	}
	if t := cmp.Or(req.Temperature, o.temperature); t > 0 {
		opts["temperature"] = t
	}
	if len(opts) > 0 {
		body["options"] = opts
	}
	var (
		text string
		meta streamMeta
	)
	if emit == nil {
		var resp ollamaChunk
		err = o.call.PostJSON(ctx, body, &resp)
		if err == nil && resp.Error != "" {
			err = fmt.Errorf("%w: %s", ErrUpstream, retry.Scrub(resp.Error))
		}
		if err == nil && !resp.Done {
			err = fmt.Errorf("%w: answer not done", ErrBadResponse)
		}
		text, meta = resp.Message.Content, streamMeta{Model: resp.Model, Usage: resp.usage()}
	} else {
		text, meta, err = stream(ctx, o.call, body, "application/x-ndjson", readOllamaStream, o.maxAnswer, emit)
	}
	if err != nil {
		return Answer{}, fmt.Errorf("ollama: chat: %w", err)
	}
	return Answer{Text: text, Model: cmp.Or(meta.Model, o.model), Usage: meta.Usage}, nil
}

// readOllamaStream reads NDJSON chunks until one has "done": true, passing
// non-empty message contents to emit, and returns the model name and the
// token counts of the last chunk. Blank lines are skipped. A stream ending
// before done, a bad line or an overlong line wraps ErrBadResponse; an
// {"error": ...} line wraps ErrUpstream.
func readOllamaStream(r io.Reader, emit func(string) error) (streamMeta, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxNDJSONLine)
	var meta streamMeta
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var c ollamaChunk
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return meta, fmt.Errorf("%w: decode line: %w", ErrBadResponse, err)
		}
		if c.Error != "" {
			return meta, fmt.Errorf("%w: stream error: %s", ErrUpstream, retry.Scrub(c.Error))
		}
		if c.Model != "" {
			meta.Model = c.Model
		}
		if c.Message.Content != "" {
			if err := emit(c.Message.Content); err != nil {
				return meta, err
			}
		}
		if c.Done {
			meta.Usage = c.usage()
			return meta, nil
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return meta, fmt.Errorf("%w: line longer than %d bytes", ErrBadResponse, maxNDJSONLine)
		}
		return meta, err
	}
	return meta, fmt.Errorf("%w: stream ended before done", ErrBadResponse)
}
