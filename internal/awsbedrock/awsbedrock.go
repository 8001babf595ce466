package awsbedrock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/logging"
)

// Config says where and how to reach Bedrock Runtime. The zero value uses
// the default chain's region and credentials.
type Config struct {
	// Region is the AWS region. Empty means the default chain's region
	// (AWS_REGION, shared config); one must resolve.
	Region string
	// BaseEndpoint overrides the Bedrock Runtime endpoint (VPC endpoints,
	// tests). Empty means the regional default.
	BaseEndpoint string
	// Credentials signs requests. Nil means the SDK's default chain.
	Credentials aws.CredentialsProvider
	// HTTPClient sends the requests. Nil means the SDK's default.
	HTTPClient *http.Client
	// ErrConfig is the caller's config sentinel, wrapped when no region
	// resolves. Nil means [ErrNoRegion] alone.
	ErrConfig error
	// MaxResponseBytes caps every response body the client reads, error
	// bodies included, but for an event stream's (ConverseStream's: its
	// reader takes a message at a time and bounds the answer itself):
	// reading past it fails with an error wrapping [ErrResponseTooLarge],
	// having read at most one byte more, and the connection is dropped,
	// not drained. Zero means no cap: the SDK reads InvokeModel's and
	// Converse's bodies whole, however long.
	MaxResponseBytes int64
}

// ErrNoRegion reports that neither Config.Region nor the default chain
// gave a region.
var ErrNoRegion = errors.New("no AWS region")

// ErrResponseTooLarge reports a response body longer than
// Config.MaxResponseBytes. An operation that hits it returns an error
// wrapping it: test with errors.Is.
var ErrResponseTooLarge = errors.New("awsbedrock: response body too large")

// limitClient wraps the SDK's HTTP client (by then resolved, with its
// timeouts): it sends each request from a copy of its body and, with a
// limit, caps the bodies of its responses.
type limitClient struct {
	next  bedrockruntime.HTTPClient
	limit int64
}

// eventStream is the content type of an event stream's body.
const eventStream = "application/vnd.amazon.eventstream"

func (c limitClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		// The transport writes the request from bytes of its own. Handed
		// the SDK's request stream, its write sometimes ended in io.EOF
		// after the response had begun (a local server answers before the
		// writer's last read), and the transport then closed the
		// connection under a ConverseStream being read: "use of closed
		// network connection", about one stream in sixty in the test.
		// Request bodies here are prompts, bounded by the HTTP layer.
		b, err := io.ReadAll(r.Body)
		_ = r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("awsbedrock: read request body: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		r.ContentLength = int64(len(b))
	}
	resp, err := c.next.Do(r)
	if err == nil && c.limit > 0 && resp.Body != nil && !isEventStream(resp) {
		resp.Body = limitBody{ReadCloser: http.MaxBytesReader(nil, resp.Body, c.limit), limit: c.limit}
	}
	return resp, err
}

// isEventStream reports whether resp is a successful event stream, which
// its reader consumes a message at a time.
func isEventStream(resp *http.Response) bool {
	return resp.StatusCode/100 == 2 && resp.Header.Get("Content-Type") == eventStream
}

// limitBody is a body cut by http.MaxBytesReader, whose failure sticks:
// the SDK, which drains a body after an error to reuse its connection,
// gets it again instead of reading the rest. It reports the failure as
// ErrResponseTooLarge.
type limitBody struct {
	io.ReadCloser
	limit int64
}

func (b limitBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		err = fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, b.limit)
	}
	return n, err
}

// New returns a Bedrock Runtime client with the SDK's retries off. Its
// errors are "load aws config: ..." or wrap ErrNoRegion (and
// cfg.ErrConfig).
func New(ctx context.Context, cfg Config) (*bedrockruntime.Client, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, awsconfig.WithRegion(cfg.Region))
	}
	if cfg.Credentials != nil {
		opts = append(opts, awsconfig.WithCredentialsProvider(cfg.Credentials))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(cfg.HTTPClient))
	}
	// The SDK's default logger prints plain text to stderr, amid the
	// server's JSON lines (a failed call's "failed to discard remaining
	// HTTP response body" warnings, one per attempt). Callers log every
	// failure themselves, with the request's id.
	opts = append(opts, awsconfig.WithLogger(logging.Nop{}))
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	if awsCfg.Region == "" {
		if cfg.ErrConfig == nil {
			return nil, ErrNoRegion
		}
		return nil, fmt.Errorf("%w: %w", ErrNoRegion, cfg.ErrConfig)
	}
	return bedrockruntime.NewFromConfig(awsCfg, func(o *bedrockruntime.Options) {
		if cfg.BaseEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.BaseEndpoint)
		}
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = limitClient{next: o.HTTPClient, limit: cfg.MaxResponseBytes}
	}), nil
}
