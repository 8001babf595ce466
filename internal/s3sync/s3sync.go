package s3sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/store"
)

// Sentinel errors; callers branch on them with errors.Is.
var (
	// ErrUnreachable means S3 gave no usable answer: connection failure,
	// timeout, server errors (5xx), or a listing that would not end (a
	// repeated continuation token) on every attempt.
	ErrUnreachable = errors.New("s3sync: S3 unreachable")
	// ErrVerify means a file did not match its manifest entry or listed
	// size, or a download came back short.
	ErrVerify = errors.New("s3sync: verification failed")
	// ErrChanged means the objects changed while a sync was running.
	ErrChanged = errors.New("s3sync: store changed during sync")
	// ErrAccessDenied means S3 rejected the credentials or the request
	// (HTTP 401/403).
	ErrAccessDenied = errors.New("s3sync: access denied")
	// ErrNotFound means the bucket does not exist or the prefix is empty.
	ErrNotFound = errors.New("s3sync: store not found")
	// ErrFormat means the prefix (or local folder) holds no known store
	// format, or more than MaxListed objects.
	ErrFormat = errors.New("s3sync: unrecognised store format")
	// ErrBadURI means Config.URI is not of the form s3://bucket[/prefix].
	ErrBadURI = errors.New("s3sync: bad S3 URI")
	// ErrInvalid means the published store was refused: its files
	// verified against their checksums but Config.Validator could not
	// open them as a store (broken, or too slow to open), or, before
	// anything else was fetched, a ManifestChecker refused its manifest
	// (another embedder, over the load budget). Not retried; the
	// destination was left as it was.
	ErrInvalid = errors.New("s3sync: synced store does not open")
	// ErrDestination means the local folder may not or cannot be
	// replaced: it holds something other than a store (a wrong
	// VECTORSTORE_DIR would otherwise be deleted), or no rename can move
	// it (a mount point, or a folder of the container image's layer;
	// fsatomic.ErrNotRenameable). Nothing was changed.
	ErrDestination = errors.New("s3sync: the local folder cannot be replaced")
	// ErrConflict means another writer changed the prefix while a Push
	// ran (two pushes at once): a file it uploaded, or its manifest, is
	// no longer there. The prefix may hold a mix of both stores, which
	// Sync refuses; push again once. Not retried.
	ErrConflict = errors.New("s3sync: another push changed the prefix meanwhile")
)

// Validator checks a staged folder before Sync swaps it in: its files
// have verified against their checksums, and Validate opens them the way
// they will be served (parsing every file, checking the embedder). It is
// called with the staging folder, which it must not modify or keep a
// reference to after returning; calls are serialised per Syncer. A nil
// error means the folder may replace the destination. Its context is
// Sync's without the deadline (cancellation still reaches it): Validate
// bounds its own time.
type Validator interface {
	Validate(ctx context.Context, dir string) error
}

// ManifestChecker is a Validator that can also refuse a native store
// from its manifest alone (another embedder, over the load budget):
// Sync asks it as soon as the manifest is read, before fetching any other
// file, so a store that will be refused is not downloaded whole at every
// retry. dir is the staging folder holding only the manifest.
type ManifestChecker interface {
	CheckManifest(dir string, m *store.Manifest) error
}

// DefaultHeaderTimeout is how long S3 may take to answer a request with
// its response headers once the request's body is sent, before the
// request fails and is retried: S3 answers in milliseconds (a multipart
// upload's completion answers at once and sends whitespace while it
// works). A body that stalls mid-transfer is left to SYNC_TIMEOUT.
const DefaultHeaderTimeout = time.Minute

// Defaults used when the matching Config field is zero.
const (
	DefaultConcurrency = 8
	DefaultMaxAttempts = 4
	DefaultRetryBase   = 500 * time.Millisecond
	DefaultRetryMax    = 10 * time.Second
)

// Config configures a Syncer. Only URI is required.
type Config struct {
	// URI is the store's location, s3://bucket/prefix. The prefix is a
	// folder: a trailing slash is implied.
	URI string
	// Region is the bucket's region. Empty: taken from the default AWS
	// configuration (AWS_REGION, profile); with an Endpoint and still no
	// region, us-east-1.
	Region string
	// Endpoint is the base URL of an S3-compatible server. Empty: AWS S3.
	Endpoint string
	// PathStyle selects path-style addressing (bucket in the path), which
	// most S3-compatible servers need.
	PathStyle bool
	// Concurrency is the number of files transferred at once. Zero means
	// DefaultConcurrency; more than MaxConcurrency means MaxConcurrency.
	Concurrency int
	// PartSize is the byte range one GET fetches: a larger object is
	// downloaded as ranges in parallel. Zero means DefaultPartSize.
	PartSize int64
	// PartConcurrency bounds the GETs in flight over all files of a sync.
	// Zero means DefaultPartConcurrency; more than MaxConcurrency means
	// MaxConcurrency.
	PartConcurrency int
	// PartAttempts is how often one GET is tried within one sync attempt
	// (a changed ETag is never retried at this level). Zero means
	// DefaultPartAttempts; 1 leaves retries to the whole sync.
	PartAttempts int
	// MaxAttempts is the number of whole-sync (or whole-push) attempts.
	// Zero means DefaultMaxAttempts; 1 disables retries.
	MaxAttempts int
	// RetryBase is the first retry's maximum delay; each retry doubles it,
	// up to RetryMax, and the actual delay is uniformly random below it
	// (full jitter). Zero means DefaultRetryBase.
	RetryBase time.Duration
	// RetryMax caps the retry delay. Zero means DefaultRetryMax.
	RetryMax time.Duration
	// Logger receives progress and retry records. Nil discards them.
	Logger *slog.Logger
	// IndexName is the index_name of a LangChain folder under the prefix:
	// Sync looks for IndexName.faiss and IndexName.pkl in the listing
	// (store.DetectFiles). "" is store.DefaultIndexName; any other value
	// must pass store.CheckIndexName. Native stores ignore it.
	IndexName string
	// Durable makes a sync fsync every file before the swap, so the mirror
	// survives a crash of the machine. Off (the default), the swap does not
	// wait for the disk: the mirror is a cache of S3, its files'
	// verification is recorded only until the machine restarts
	// (store.UntilReboot), and after a restart they are hashed again, so a
	// file the crash left short or zeroed is found and fetched again. Where
	// that record cannot be made (no kernel boot id), syncs are durable
	// whatever this says.
	Durable bool
	// Validator, if set, opens each staged store before it replaces the
	// destination; a store that fails it never does (ErrInvalid). Nil:
	// files are only checked against their checksums.
	Validator Validator
	// Client, if set, is used as is and Region, Endpoint and PathStyle are
	// ignored. Otherwise New builds one from the default credential chain
	// (environment, shared config, ECS task role, EC2 instance role),
	// whose reads fail when S3 sends no response headers within
	// DefaultHeaderTimeout (newClients).
	Client *s3.Client
	// headerTimeout replaces DefaultHeaderTimeout (tests).
	headerTimeout time.Duration
}

// Syncer mirrors and publishes one S3 prefix. Create it with New.
type Syncer struct {
	uri          string
	bucket       string
	prefix       string // "" or ends with "/"
	client       *s3.Client
	tm           *transfermanager.Client
	log          *slog.Logger
	concurrency  int
	partSize     int64
	partAttempts int
	slots        chan struct{} // one per GET in flight (PartConcurrency)
	maxAttempts  int
	retryBase    time.Duration
	retryMax     time.Duration
	indexName    string
	validator    Validator
	durable      bool

	mu sync.Mutex // serialises Sync and Push
}

// New validates cfg and returns a Syncer. It builds an S3 client from the
// default AWS configuration unless cfg.Client is set; it does not contact
// S3.
func New(ctx context.Context, cfg Config) (*Syncer, error) {
	bucket, prefix, err := ParseURI(cfg.URI)
	if err != nil {
		return nil, err
	}
	if cfg.IndexName != "" {
		if err := store.CheckIndexName(cfg.IndexName); err != nil {
			return nil, fmt.Errorf("s3sync: index name %q: %w", cfg.IndexName, err)
		}
	}
	s := &Syncer{
		uri:         "s3://" + bucket + "/" + prefix,
		bucket:      bucket,
		prefix:      prefix,
		client:      cfg.Client,
		log:         cfg.Logger,
		concurrency: cfg.Concurrency,
		maxAttempts: cfg.MaxAttempts,
		retryBase:   cfg.RetryBase,
		retryMax:    cfg.RetryMax,
		indexName:   cfg.IndexName,
		validator:   cfg.Validator,
		durable:     cfg.Durable || !store.CanRecordUntilReboot(),
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.concurrency <= 0 {
		s.concurrency = DefaultConcurrency
	}
	s.concurrency = min(s.concurrency, MaxConcurrency)
	s.partSize = cmp.Or(max(cfg.PartSize, 0), DefaultPartSize)
	s.partAttempts = cmp.Or(max(cfg.PartAttempts, 0), DefaultPartAttempts)
	s.slots = make(chan struct{}, min(cmp.Or(max(cfg.PartConcurrency, 0), DefaultPartConcurrency), MaxConcurrency))
	if s.maxAttempts <= 0 {
		s.maxAttempts = DefaultMaxAttempts
	}
	if s.retryBase <= 0 {
		s.retryBase = DefaultRetryBase
	}
	if s.retryMax <= 0 {
		s.retryMax = DefaultRetryMax
	}
	upload := s.client
	if s.client == nil {
		if s.client, upload, err = newClients(ctx, cfg, s.log); err != nil {
			return nil, err
		}
	}
	s.tm = transfermanager.New(upload, func(o *transfermanager.Options) {
		o.Concurrency = s.concurrency
	})
	return s, nil
}

// sdkLogger hands the SDK's own log lines to the Syncer's slog logger.
// The SDK's default logger prints plain text to stderr, which breaks the
// service's JSON logs; it says, for instance, at debug level for every
// ranged GET that the response carries no checksum to validate (S3 returns
// none for ranges; Sync checks every byte against SHA-256 itself).
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	l.log.LogAttrs(context.Background(), level, "aws sdk: "+fmt.Sprintf(format, v...))
}

// newClients returns the client Sync reads with, whose requests fail
// when S3 sends no response headers within DefaultHeaderTimeout, and the
// one Push uploads with, which has no such timeout: a PUT's headers come
// only once the server has its whole body, and the last megabytes of a
// body still in the socket's buffer on a slow uplink are no stall.
func newClients(ctx context.Context, cfg Config, log *slog.Logger) (read, upload *s3.Client, err error) {
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("s3sync: load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		if cfg.Endpoint == "" {
			return nil, nil, errors.New("s3sync: no AWS region: set the region (AWS_REGION) or an S3 endpoint")
		}
		awsCfg.Region = "us-east-1"
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			if strings.Contains(cfg.Endpoint, "@") { // user info, which may hold a password
				return nil, nil, errors.New("s3sync: bad endpoint (user info not shown): want http(s)://host[:port]")
			}
			return nil, nil, fmt.Errorf("s3sync: bad endpoint %q: want http(s)://host[:port]", cfg.Endpoint)
		}
	}
	options := func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		o.Retryer = aws.NopRetryer{} // Syncer.retry owns retries; the SDK's would multiply them
		o.Logger = sdkLogger{log}
	}
	upload = s3.NewFromConfig(awsCfg, options)
	// The SDK sets no timeout for S3 (its long operations), so a server
	// that accepts and never answers held one sync attempt for the whole
	// SYNC_TIMEOUT (a review's stalled endpoint). Not the SDK's read
	// timeout either: it counts a PUT's upload as silence.
	if bc, ok := awsCfg.HTTPClient.(*awshttp.BuildableClient); ok {
		awsCfg.HTTPClient = bc.WithTransportOptions(func(tr *http.Transport) {
			tr.ResponseHeaderTimeout = cmp.Or(cfg.headerTimeout, DefaultHeaderTimeout)
		})
	}
	return s3.NewFromConfig(awsCfg, options), upload, nil
}

// URI returns the normalised s3://bucket/prefix/ the Syncer works on.
func (s *Syncer) URI() string { return s.uri }

// ParseURI splits s3://bucket/prefix into bucket and prefix. The prefix is
// returned without a leading slash and with a trailing one ("" for the
// whole bucket). Errors wrap ErrBadURI.
func ParseURI(uri string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%w: %q: want s3://bucket/prefix", ErrBadURI, uri)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%w: %q: no bucket", ErrBadURI, uri)
	}
	if strings.ContainsAny(bucket, " ?#\\") {
		return "", "", fmt.Errorf("%w: %q: bad bucket name %q", ErrBadURI, uri, bucket)
	}
	if strings.HasPrefix(prefix, "/") || strings.Contains(prefix, "//") {
		return "", "", fmt.Errorf("%w: %q: empty path segment", ErrBadURI, uri)
	}
	// Some S3 servers resolve dot segments in a key and others keep them:
	// the objects would land under a prefix other than the one reported.
	for seg := range strings.SplitSeq(prefix, "/") {
		if seg == "." || seg == ".." {
			return "", "", fmt.Errorf("%w: %q: a %q path segment", ErrBadURI, uri, seg)
		}
	}
	if prefix = strings.TrimSuffix(prefix, "/"); prefix != "" {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// s3Error wraps an error from an S3 call with op and the sentinel that
// describes it: ErrAccessDenied, ErrNotFound (no bucket), ErrChanged
// (object gone or ETag moved since listing), ErrUnreachable (no HTTP
// answer, or 5xx), ErrVerify (a body that came back short or failed its
// checksum).
// credentialCodes are S3 error codes that mean the caller's credentials
// are wrong, whatever HTTP status a server sends them with (versitygw
// answers an unknown key with 404 XAdminUserNotFound).
var credentialCodes = map[string]bool{
	"InvalidAccessKeyId": true, "SignatureDoesNotMatch": true, "AccessDenied": true,
	"ExpiredToken": true, "InvalidToken": true, "XAdminUserNotFound": true,
}

func s3Error(op string, err error) error {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() == 0 { // 0: the request was never answered
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("s3sync: %s: %w", op, err)
		}
		var ne net.Error
		if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%w: %s: %w", ErrUnreachable, op, err)
		}
		return fmt.Errorf("%w: %s: %w", ErrVerify, op, err)
	}
	code := ""
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	status := re.HTTPStatusCode()
	switch {
	case status == 401 || status == 403 || credentialCodes[code]:
		return fmt.Errorf("%w: %s (HTTP %d %s; check the credentials, task role and bucket policy): %w",
			ErrAccessDenied, op, status, code, err)
	case code == "NoSuchBucket":
		return fmt.Errorf("%w: %s: no such bucket: %w", ErrNotFound, op, err)
	case strings.HasPrefix(op, "download ") && (status == 404 || status == 412 || code == "NoSuchKey" || code == "PreconditionFailed"):
		// An object listed a moment ago is gone or has another ETag.
		return fmt.Errorf("%w: %s: %w", ErrChanged, op, err)
	case strings.HasPrefix(op, "publish ") && (status == 412 || code == "PreconditionFailed"):
		// The manifest is not the one this push started from.
		return fmt.Errorf("%w: %s: another push published meanwhile; the prefix may hold files of both: push again: %w", ErrConflict, op, err)
	case strings.HasPrefix(op, "check ") && (status == 404 || code == "NoSuchKey"):
		// A file this push uploaded a moment ago is gone.
		return fmt.Errorf("%w: %s: gone; push again: %w", ErrConflict, op, err)
	case status >= 500:
		return fmt.Errorf("%w: %s: HTTP %d: %w", ErrUnreachable, op, status, err)
	}
	return fmt.Errorf("s3sync: %s: %w", op, err)
}

// retryable reports whether another attempt could succeed.
func retryable(err error) bool {
	switch {
	case errors.Is(err, ErrAccessDenied), errors.Is(err, ErrNotFound), errors.Is(err, ErrBadURI),
		errors.Is(err, ErrFormat), errors.Is(err, ErrInvalid), errors.Is(err, ErrDestination), errors.Is(err, errPublishedMismatch),
		errors.Is(err, ErrConflict):
		return false
	}
	return true
}

// policy returns the retry policy of Sync and Push.
func (s *Syncer) policy() retry.Policy {
	return retry.Policy{MaxAttempts: s.maxAttempts, BaseDelay: s.retryBase, MaxDelay: s.retryMax}
}

// backoff returns the delay before retry number n (1-based): uniformly
// random in (0, min(RetryMax, RetryBase*2^(n-1))].
func (s *Syncer) backoff(n int) time.Duration { return retry.Backoff(s.policy(), n) }

// retry runs op up to maxAttempts times with backoff (retry.Do), stopping
// early on a non-retryable error or when ctx ends. It returns the attempts
// made and the last error (joined with ctx's error if ctx ended the
// retries).
func (s *Syncer) retry(ctx context.Context, what string, op func(ctx context.Context) error) (int, error) {
	p := s.policy()
	p.OnRetry = func(n int, d time.Duration, err error) {
		s.log.LogAttrs(ctx, slog.LevelWarn, what+" failed, retrying",
			slog.String("uri", s.uri), slog.Int("attempt", n),
			slog.Duration("delay", d), slog.Any("error", err))
	}
	attempts := 0
	var last error
	err := retry.Do(ctx, p, func(ctx context.Context, n int) error {
		attempts, last = n, op(ctx)
		if last != nil && retryable(last) {
			return retry.Transient(last, 0)
		}
		return last
	})
	switch {
	case err == nil:
		return attempts, nil
	case ctx.Err() != nil:
		return attempts, fmt.Errorf("%w (gave up after %d attempts: %w)", last, attempts, context.Cause(ctx))
	default:
		return attempts, last
	}
}
