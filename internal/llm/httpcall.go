package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/vendor0919/api/internal/httpjson"
	"github.com/vendor0919/api/internal/retry"
)

// maxResponseBody caps a non-streamed answer.
const maxResponseBody = 16 << 20

// defaultMaxAnswerBytes caps a streamed answer's text (the configs'
// MaxAnswerBytes), as maxResponseBody caps a whole one: an upstream that
// ignores max_tokens and never stops would otherwise grow the answer
// (kept to be returned, and sent again at the end of the service's own
// stream) without end.
const defaultMaxAnswerBytes = maxResponseBody

// answerCap is a config's MaxAnswerBytes, or the default for zero.
func answerCap(n int) int {
	if n <= 0 {
		return defaultMaxAnswerBytes
	}
	return n
}

// checkAnswerLen returns an error wrapping ErrBadResponse when adding n
// bytes to an answer of have bytes would pass limit.
func checkAnswerLen(provider string, have, n, limit int) error {
	if have+n > limit {
		return fmt.Errorf("%w: %s: the answer ran past %d bytes", ErrBadResponse, provider, limit)
	}
	return nil
}

// httpErrors are the sentinels the HTTP generators' clients wrap.
var httpErrors = httpjson.Errors{Config: ErrConfig, Upstream: ErrUpstream, BadResponse: ErrBadResponse}

// emitError marks an error returned by the caller's emit, which ends the
// generation as is.
type emitError struct{ err error }

func (e *emitError) Error() string { return "emit: " + e.err.Error() }
func (e *emitError) Unwrap() error { return e.err }

// streamMeta is what a stream reports besides its text: the model name
// ("" if none) and the tokens counted (nil if none).
type streamMeta struct {
	Model string
	Usage *Usage
}

// reader consumes one 2xx response body, passing deltas to emit, and
// returns what the stream reported besides the text. It returns errors
// wrapping ErrBadResponse (unusable content) or ErrUpstream (an error
// reported inside the stream); any other error is taken for a transport
// failure.
type reader func(body io.Reader, emit func(string) error) (streamMeta, error)

// stream POSTs in as JSON and hands the 2xx body to read, with retries
// that stop once emit has been called. It returns the streamed text and
// what else the stream reported. The error is ctx.Err() when ctx is done,
// the caller's emit error, or one wrapping ErrUpstream or ErrBadResponse.
func stream(ctx context.Context, c *httpjson.Client, in any, accept string, read reader, maxAnswer int, emit func(string) error) (text string, meta streamMeta, err error) {
	var sb strings.Builder
	emitted := false
	tracked := func(d string) error {
		if err := checkAnswerLen(c.Provider(), sb.Len(), len(d), maxAnswer); err != nil {
			return err
		}
		emitted = true
		sb.WriteString(d)
		if err := emit(d); err != nil {
			return &emitError{err}
		}
		return nil
	}
	err = c.Post(ctx, in, accept, func(body io.Reader) error {
		sb.Reset() // a retried attempt starts the answer again
		m, err := read(body, tracked)
		meta = m // the last attempt's: a retried one starts again
		switch {
		case err == nil, errors.As(err, new(*emitError)), errors.Is(err, ErrBadResponse), errors.Is(err, ErrUpstream):
			return err
		case emitted:
			return fmt.Errorf("%w: %s: stream interrupted: %s", ErrUpstream, c.Provider(), c.Scrub(err.Error()))
		default:
			return retry.Transient(fmt.Errorf("%s: read: %s", c.Provider(), c.Scrub(err.Error())), 0)
		}
	})
	if ee := (*emitError)(nil); ctx.Err() == nil && errors.As(err, &ee) {
		return sb.String(), meta, ee.err
	}
	return sb.String(), meta, err
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
