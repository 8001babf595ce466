package httpjson

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/retry"
)

// Errors are the caller's sentinels. A Client wraps them into the errors
// it returns, so that the caller's own callers keep branching on them with
// errors.Is.
type Errors struct {
	// Config wraps the errors of [New].
	Config error
	// Upstream wraps a failure after the retries: an error status, a
	// transport failure, or a body that could not be read.
	Upstream error
	// BadResponse wraps a 2xx body that cannot be used.
	BadResponse error
}

// Config configures a [Client]. Provider, URL or BaseURL, and every field
// of Errors are required.
type Config struct {
	// Provider names the upstream in errors, e.g. "openai".
	Provider string
	// URL is the endpoint, an absolute http or https URL. Empty means
	// BaseURL, trailing slashes trimmed, followed by Path.
	URL string
	// BaseURL and Path make the endpoint when URL is empty, e.g.
	// "https://api.openai.com/v1" and "/embeddings".
	BaseURL, Path string
	// HTTPClient sends the requests. Nil means a client with the default
	// transport and no overall timeout (Timeout applies per attempt).
	HTTPClient *http.Client
	// Timeout bounds one attempt, body read included. Zero means 30s.
	Timeout time.Duration
	// Retry is the retry policy.
	Retry retry.Policy
	// APIKey is sent as "Authorization: Bearer KEY", or raw in the header
	// named by AuthHeader. Empty sends no key.
	APIKey string
	// AuthHeader names the header carrying the raw key instead of a bearer
	// token, e.g. "api-key" for Azure OpenAI. Empty means Authorization.
	AuthHeader string
	// MaxResponse caps the 2xx body PostJSON reads, in bytes; a longer one
	// wraps Errors.BadResponse. Zero means 16 MiB.
	MaxResponse int64
	// Errors are the caller's sentinels.
	Errors Errors
}

// Client POSTs JSON to one endpoint with retries. Create it with [New].
type Client struct {
	provider    string
	url         string
	hc          *http.Client
	timeout     time.Duration
	policy      retry.Policy
	header      http.Header
	secrets     []string
	maxResponse int64
	errs        Errors
}

// New validates cfg and returns a Client, or an error wrapping
// cfg.Errors.Config. It panics when a sentinel is missing, a wiring
// mistake.
func New(cfg Config) (*Client, error) {
	if cfg.Errors.Config == nil || cfg.Errors.Upstream == nil || cfg.Errors.BadResponse == nil {
		panic("httpjson: Config.Errors needs all three sentinels")
	}
	if cfg.URL == "" {
		cfg.URL = strings.TrimRight(cfg.BaseURL, "/") + cfg.Path
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bad url %q: %w", cfg.URL, cfg.Errors.Config)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("negative timeout: %w", cfg.Errors.Config)
	}
	if err := cfg.Retry.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", cfg.Errors.Config, err)
	}
	c := &Client{
		provider: cfg.Provider, url: cfg.URL, hc: cfg.HTTPClient, timeout: cfg.Timeout, policy: cfg.Retry,
		header: http.Header{}, maxResponse: cfg.MaxResponse, errs: cfg.Errors,
	}
	if c.timeout == 0 {
		c.timeout = 30 * time.Second
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if c.maxResponse <= 0 {
		c.maxResponse = 16 << 20
	}
	if cfg.APIKey != "" {
		if cfg.AuthHeader == "" || strings.EqualFold(cfg.AuthHeader, "Authorization") {
			c.header.Set("Authorization", "Bearer "+cfg.APIKey)
		} else {
			c.header.Set(cfg.AuthHeader, cfg.APIKey)
		}
		c.secrets = []string{cfg.APIKey}
	}
	return c, nil
}

// Provider returns Config.Provider.
func (c *Client) Provider() string { return c.provider }

// Scrub returns s single-line and short, with the API key and other
// secret-looking strings replaced (see [retry.Scrub]).
func (c *Client) Scrub(s string) string { return retry.Scrub(s, c.secrets...) }

// Post sends in as JSON, asking for accept, and hands each 2xx body to
// read, retrying under the policy. An error from read ends the retries
// unless it is marked [retry.Transient]. Post returns nil; ctx.Err() when
// ctx is done; an encoding error; read's error when it wraps
// Errors.Upstream or Errors.BadResponse; otherwise the last error (an
// [*retry.HTTPError], a transport failure, ...) wrapped in Errors.Upstream.
func (c *Client) Post(ctx context.Context, in any, accept string, read func(body io.Reader) error) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	// Each attempt resends payload: what bounds the bytes a retried call
	// can multiply is the size of what callers pass in, which the HTTP
	// layer's request limits (httpapi.Limits) cap before anything is sent.
	err = retry.Do(ctx, c.policy, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, c.timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodPost, c.url, bytes.NewReader(payload))
		if err != nil {
			return fmt.Errorf("new request: %w", err)
		}
		for k, v := range c.header {
			req.Header[k] = v
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		resp, err := retry.Send(ctx, c.hc, c.provider, req, c.secrets...)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		return read(resp.Body)
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, c.errs.Upstream), errors.Is(err, c.errs.BadResponse):
		return err
	default:
		return fmt.Errorf("%w: %w", c.errs.Upstream, err)
	}
}

// PostJSON is [Client.Post] asking for "application/json" and decoding the
// 2xx body, at most MaxResponse bytes, into out. A failed read is retried;
// a body too long or not decodable wraps Errors.BadResponse.
func (c *Client) PostJSON(ctx context.Context, in, out any) error {
	return c.Post(ctx, in, "application/json", func(body io.Reader) error {
		b, err := io.ReadAll(io.LimitReader(body, c.maxResponse+1))
		if err != nil {
			return retry.Transient(fmt.Errorf("%s: read body: %s", c.provider, c.Scrub(err.Error())), 0)
		}
		if int64(len(b)) > c.maxResponse {
			return fmt.Errorf("%w: response larger than %d bytes", c.errs.BadResponse, c.maxResponse)
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%w: decode: %w", c.errs.BadResponse, err)
		}
		return nil
	})
}
