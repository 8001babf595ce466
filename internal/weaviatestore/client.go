package weaviatestore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	wgrpc "github.com/weaviate/weaviate-go-client/v5/weaviate/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/retry"
)

// Defaults for zero Conn fields.
const (
	DefaultTimeout  = 5 * time.Second
	DefaultAttempts = 2
	DefaultGRPCPort = "50051"
)

// Conn says how to reach Weaviate. The zero value of each optional field
// picks its default.
type Conn struct {
	// URL is the REST endpoint, http://HOST:PORT or https://HOST:PORT
	// (https: TLS for REST and gRPC).
	URL string
	// GRPCAddr is HOST:PORT of the gRPC endpoint; "" means URL's host on
	// port 50051.
	GRPCAddr string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// CAFile is a PEM file of CAs trusted for REST over TLS; "" means the
	// system's. (The official client's gRPC transport does not take a CA:
	// see the package documentation.)
	CAFile string
	// Timeout bounds one call (each attempt); 0 means DefaultTimeout.
	Timeout time.Duration
	// Attempts is how many times a call that failed on the way (network,
	// 5xx, gRPC Unavailable) is tried; 0 means DefaultAttempts.
	Attempts int
	// UnverifiedGRPCTLS must be set to use an https:// URL: the official
	// client's gRPC transport, which carries searches and batches, encrypts
	// but never verifies the server's certificate. Without it such a URL
	// is refused, so nobody takes the traffic for authenticated.
	UnverifiedGRPCTLS bool
}

// ErrUnverifiedTLS is the error for an https:// URL without
// Conn.UnverifiedGRPCTLS.
var ErrUnverifiedTLS = errors.New("weaviatestore: https:// needs WEAVIATE_GRPC_UNVERIFIED_TLS=true (the server and vectorstore push alike): " +
	"the official client's gRPC transport encrypts but does not verify the server's certificate; use http:// on a private network, or accept that")

func (c Conn) withDefaults() Conn {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Attempts <= 0 {
		c.Attempts = DefaultAttempts
	}
	return c
}

// client builds the official client for c. It makes one request (the
// client asks the server's version), bounded by c.Timeout; an unreachable
// server is not an error here.
func (c Conn) client() (*weaviate.Client, error) {
	c = c.withDefaults()
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("weaviatestore: URL %q: want http://HOST:PORT or https://HOST:PORT", c.URL)
	}
	if u.Scheme == "https" && !c.UnverifiedGRPCTLS {
		return nil, ErrUnverifiedTLS
	}
	grpcAddr := c.GRPCAddr
	if grpcAddr == "" {
		grpcAddr = net.JoinHostPort(u.Hostname(), DefaultGRPCPort)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("weaviatestore: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("weaviatestore: CA file %s holds no PEM certificate", c.CAFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	}
	headers := map[string]string{}
	if c.APIKey != "" {
		headers["Authorization"] = "Bearer " + c.APIKey
	}
	cl, err := weaviate.NewClient(weaviate.Config{
		Host: u.Host, Scheme: u.Scheme, Headers: headers,
		// The client applies Config.Timeout only to an HTTP client it
		// builds itself, and asks the version (here, and again before a
		// gRPC batch if that failed) without a deadline: a server that
		// accepts and never answers would hold the caller for good.
		ConnectionClient: &http.Client{Transport: tr, Timeout: c.Timeout},
		GrpcConfig:       &wgrpc.Config{Host: grpcAddr, Secured: u.Scheme == "https"},
		Timeout:          c.Timeout,
	})
	if err != nil {
		return nil, fmt.Errorf("weaviatestore: client: %w", err)
	}
	return cl, nil
}

// call runs f with c's attempts, each bounded by c.Timeout; failures on
// the way are retried. An error that means Weaviate could not answer
// wraps rag.ErrUnavailable (unless ctx itself ended: then ctx's error).
func (c Conn) call(ctx context.Context, op string, f func(ctx context.Context) error) error {
	c = c.withDefaults()
	p := retry.Policy{MaxAttempts: c.Attempts, BaseDelay: 50 * time.Millisecond, MaxDelay: time.Second}
	err := retry.Do(ctx, p, func(ctx context.Context, _ int) error {
		actx, cancel := context.WithTimeout(ctx, c.Timeout)
		defer cancel()
		err := f(actx)
		if err != nil && transient(err) && ctx.Err() == nil {
			return retry.Transient(err, 0)
		}
		return err
	})
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return fmt.Errorf("weaviatestore: %s: %w", op, ctx.Err())
	case unavailable(err):
		return &unavailableError{op: op, err: err}
	}
	return fmt.Errorf("weaviatestore: %s: %w", op, err)
}

// unavailableError is a call Weaviate did not answer. It wraps
// rag.ErrUnavailable (not the cause's deadline, so an attempt's own
// timeout is a 503, not a request timeout) and says so in words fit for
// /ready.
type unavailableError struct {
	op  string
	err error
}

func (e *unavailableError) Error() string {
	return fmt.Sprintf("weaviatestore: %s: Weaviate unavailable: %v", e.op, e.err)
}

func (e *unavailableError) Unwrap() error { return rag.ErrUnavailable }

// PublicDetail says what failed without addresses.
func (e *unavailableError) PublicDetail() string { return "Weaviate unreachable; details in the logs" }

// unavailable reports whether err means Weaviate could not answer the
// call (a 503 for the service): every transient failure, and those no
// retry mends but the service cannot either: credentials Weaviate
// rejects (a rotated API key), a collection that is gone (pruned by a
// push while this task searched it: Store.search checks again first),
// or a single chunk larger than gRPC's message limit (Store.search
// fetches larger results a few chunks at a time).
func unavailable(err error) bool {
	if transient(err) {
		return true
	}
	var we *fault.WeaviateClientError
	if errors.As(err, &we) && we.IsUnexpectedStatusCode {
		return we.StatusCode == http.StatusUnauthorized || we.StatusCode == http.StatusForbidden
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unauthenticated, codes.PermissionDenied, codes.ResourceExhausted:
			return true
		}
		return classGone(err)
	}
	return false
}

// classGone reports whether err is Weaviate's answer to a search of a
// collection it does not have.
func classGone(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	msg := strings.ToLower(st.Message())
	return strings.Contains(msg, "could not find class") || strings.Contains(msg, "class not found")
}

// pushedClass matches the name of a collection Push made (ALIAS_v and
// 16 hex digits).
var pushedClass = regexp.MustCompile(`[A-Z][_0-9A-Za-z]*_v[0-9a-f]{16}`)

// pastMessageLimit reports whether err is gRPC's refusal of an answer
// larger than its message limit (4 MiB; the official client sets no
// other): ResourceExhausted, as a server's throttling is too.
func pastMessageLimit(err error) bool {
	st, ok := status.FromError(err)
	return ok && st.Code() == codes.ResourceExhausted && strings.Contains(strings.ToLower(st.Message()), "larger than max")
}

// transient reports whether another attempt could succeed: the network,
// a timeout, a 5xx or 429, or a gRPC status of the same kind. A result
// past gRPC's message limit is no such thing: it is as large again.
func transient(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var we *fault.WeaviateClientError
	if errors.As(err, &we) {
		if we.IsUnexpectedStatusCode {
			return we.StatusCode >= 500 || we.StatusCode == http.StatusTooManyRequests
		}
		return true // the request did not get an answer
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.ResourceExhausted:
			return !pastMessageLimit(err)
		case codes.Unavailable, codes.DeadlineExceeded, codes.Aborted:
			return true
		case codes.Unknown, codes.Internal:
			// Weaviate answers a search on a shard it cannot reach with
			// Unknown and text naming the replicas. The text also names
			// the collection, whose alias may hold such a word
			// ("ConnectionDocs"): not a reason to retry.
			msg := strings.ToLower(pushedClass.ReplaceAllString(st.Message(), ""))
			return strings.Contains(msg, "connection") || strings.Contains(msg, "replica") || strings.Contains(msg, "consistency") ||
				strings.Contains(msg, "timeout") || strings.Contains(msg, "unavailable") || strings.Contains(msg, "not ready")
		}
	}
	return false
}
