package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/vendor0919/api/internal/retry"
)

// maxResponseBody caps a non-streamed answer.
const maxResponseBody = 16 << 20

// httpCall is the HTTP plumbing shared by the OpenAI and Ollama clients.
type httpCall struct {
	provider string
	url      string
	client   *http.Client
	timeout  time.Duration
	policy   retry.Policy
	headers  http.Header
	secrets  []string
}

func newHTTPCall(provider, endpoint string, client *http.Client, timeout, defTimeout time.Duration, p retry.Policy) (*httpCall, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad url %q: %w", endpoint, ErrConfig)
	}
	if timeout < 0 {
		return nil, fmt.Errorf("negative timeout: %w", ErrConfig)
	}
	if timeout == 0 {
		timeout = defTimeout
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if client == nil {
		client = &http.Client{}
	}
	return &httpCall{provider: provider, url: endpoint, client: client, timeout: timeout, policy: p, headers: http.Header{}}, nil
}

// emitError marks an error returned by the caller's emit, which ends the
// generation as is.
type emitError struct{ err error }

func (e *emitError) Error() string { return "emit: " + e.err.Error() }
func (e *emitError) Unwrap() error { return e.err }

// reader consumes one 2xx response body, passing deltas to emit. It
// returns errors wrapping ErrBadResponse (unusable content) or ErrUpstream
// (an error reported inside the stream); any other error is taken for a
// transport failure.
type reader func(body io.Reader, emit func(string) error) error

// do POSTs in as JSON and hands the 2xx body to read, with retries that
// stop once emit has been called. The returned error is ctx.Err() when ctx
// is done, the caller's emit error, or one wrapping ErrUpstream or
// ErrBadResponse.
func (c *httpCall) do(ctx context.Context, in any, accept string, read reader, emit func(string) error) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	emitted := false
	tracked := func(d string) error {
		emitted = true
		if err := emit(d); err != nil {
			return &emitError{err}
		}
		return nil
	}
	if emit == nil {
		tracked = func(string) error { return nil }
	}
	err = retry.Do(ctx, c.policy, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodPost, c.url, bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("new request: %w", err)
		}
		for k, v := range c.headers {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		resp, err := retry.Send(ctx, c.client, c.provider, req, c.secrets...)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		err = read(resp.Body, tracked)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, new(*emitError)), errors.Is(err, ErrBadResponse), errors.Is(err, ErrUpstream):
			return err
		case emitted:
			return fmt.Errorf("%w: %s: stream interrupted: %s", ErrUpstream, c.provider, retry.Scrub(err.Error(), c.secrets...))
		default:
			return retry.Transient(fmt.Errorf("%s: read: %s", c.provider, retry.Scrub(err.Error(), c.secrets...)), 0)
		}
	})
	var ee *emitError
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &ee):
		return ee.err
	case errors.Is(err, ErrBadResponse), errors.Is(err, ErrUpstream):
		return err
	default:
		return fmt.Errorf("%w: %w", ErrUpstream, err)
	}
}

// readJSON returns a reader decoding a whole (bounded) body into out.
func readJSON(out any) reader {
	return func(body io.Reader, _ func(string) error) error {
		b, err := io.ReadAll(io.LimitReader(body, maxResponseBody+1))
		if err != nil {
			return err
		}
		if len(b) > maxResponseBody {
			return fmt.Errorf("%w: response larger than %d bytes", ErrBadResponse, maxResponseBody)
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%w: decode: %w", ErrBadResponse, err)
		}
		return nil
	}
}

// messages returns req.Messages, or the bare question as one user turn
// when the request carries no rendered prompt.
func messages(req Request) ([]Message, error) {
	if len(req.Messages) > 0 {
		return req.Messages, nil
	}
	if req.Question != "" {
		return []Message{{Role: "user", Content: req.Question}}, nil
	}
	return nil, errors.New("empty request: no messages and no question")
}
