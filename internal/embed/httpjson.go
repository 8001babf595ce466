package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/vendor0919/api/internal/retry"
)

// maxResponseBody caps a 2xx embeddings response (96 x 3072 floats as
// JSON is about 6 MiB).
const maxResponseBody = 64 << 20

// httpCall is one JSON POST with retries, shared by the HTTP embedders.
type httpCall struct {
	provider string
	client   *http.Client
	timeout  time.Duration
	policy   retry.Policy
	headers  http.Header
	secrets  []string
}

// post sends in as JSON to url and returns the raw 2xx body. Errors wrap
// ErrUpstream, or ctx.Err() when ctx is done.
func (c *httpCall) post(ctx context.Context, url string, in any) ([]byte, error) {
	payload, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	var body []byte
	err = retry.Do(ctx, c.policy, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("new request: %w", err)
		}
		for k, v := range c.headers {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := retry.Send(ctx, c.client, c.provider, req, c.secrets...)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return retry.Transient(fmt.Errorf("%s: read body: %w", c.provider, err), 0)
		}
		if len(b) > maxResponseBody {
			return fmt.Errorf("%w: response larger than %d bytes", ErrBadResponse, maxResponseBody)
		}
		body = b
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
	return body, nil
}

// checkVectors verifies count and dimensions of decoded vectors.
func checkVectors(vecs [][]float32, n, dims int) error {
	if len(vecs) != n {
		return fmt.Errorf("%w: got %d vectors for %d inputs", ErrBadResponse, len(vecs), n)
	}
	for i, v := range vecs {
		if len(v) != dims {
			return fmt.Errorf("%w: vector %d has %d dims, want %d", ErrBadResponse, i, len(v), dims)
		}
	}
	return nil
}

// batches splits [0,n) into ranges of at most size.
func batches(n, size int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}
