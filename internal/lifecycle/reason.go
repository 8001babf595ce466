package lifecycle

import (
	"context"
	"errors"
	"strings"

	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
)

// PublicReason says what went wrong in words fit for /ready and
// /vectorstore, which may need no credentials. S3 and AWS errors carry
// bucket names, request ids and role ARNs, so for them only the kind of
// failure is shown and the full error goes to the logs; store errors are
// about the local folder and are shown as they are.
func PublicReason(err error) string {
	if errors.Is(err, ErrLoadTimeout) {
		return "store load timed out (STORE_LOAD_TIMEOUT); details in the logs"
	}
	for _, known := range []error{store.ErrDimensionMismatch, store.ErrModelMismatch, store.ErrNoStore, store.ErrCorrupt, store.ErrUnsupported, store.ErrTooLarge} {
		if errors.Is(err, known) && !isS3(err) {
			return strings.TrimPrefix(err.Error(), "loader: ")
		}
	}
	// A remote store's error that can say what failed in public words.
	var pd interface{ PublicDetail() string }
	if errors.As(err, &pd) {
		return pd.PublicDetail()
	}
	switch {
	case errors.Is(err, s3sync.ErrAccessDenied):
		return "S3 access denied: check the credentials (task role or keys); details in the logs"
	case errors.Is(err, s3sync.ErrUnreachable):
		return "S3 unreachable; details in the logs"
	case errors.Is(err, s3sync.ErrNotFound):
		return "no vector store at the S3 prefix; details in the logs"
	case errors.Is(err, s3sync.ErrVerify), errors.Is(err, s3sync.ErrChanged):
		return "S3 copy: verification failed; details in the logs"
	case errors.Is(err, s3sync.ErrInvalid):
		return "S3 copy: refused: it does not open, or does not suit this server (embedder, load budget); details in the logs"
	case errors.Is(err, s3sync.ErrFormat):
		return "the S3 prefix holds no known vector store format; details in the logs"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out; details in the logs"
	}
	return "load failed; details in the logs"
}

// isS3 reports whether err came from the S3 mirror.
func isS3(err error) bool {
	for _, e := range []error{s3sync.ErrAccessDenied, s3sync.ErrUnreachable, s3sync.ErrNotFound, s3sync.ErrVerify, s3sync.ErrChanged, s3sync.ErrFormat, s3sync.ErrBadURI, s3sync.ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
