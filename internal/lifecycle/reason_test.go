package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
)

func TestPublicReason(t *testing.T) {
	t.Parallel()
	// secret stands for what S3 errors carry: bucket, request id, role ARN.
	const secret = "arn:aws:iam::123456789012:role/task bucket vendor-rag-0919 RequestID 7Q2"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"dimension mismatch", fmt.Errorf("loader: %w: store 384, embedder 512", store.ErrDimensionMismatch), store.ErrDimensionMismatch.Error() + ": store 384, embedder 512"},
		{"model mismatch", fmt.Errorf("loader: %w", store.ErrModelMismatch), store.ErrModelMismatch.Error()},
		{"no store", fmt.Errorf("loader: %w", store.ErrNoStore), store.ErrNoStore.Error()},
		{"corrupt", fmt.Errorf("loader: %w", store.ErrCorrupt), store.ErrCorrupt.Error()},
		{"unsupported", fmt.Errorf("loader: %w", store.ErrUnsupported), store.ErrUnsupported.Error()},
		{"access denied", fmt.Errorf("%s: %w", secret, s3sync.ErrAccessDenied), "S3 access denied: check the credentials (task role or keys); details in the logs"},
		{"unreachable", fmt.Errorf("%s: %w", secret, s3sync.ErrUnreachable), "S3 unreachable; details in the logs"},
		{"not found", fmt.Errorf("%s: %w", secret, s3sync.ErrNotFound), "no vector store at the S3 prefix; details in the logs"},
		{"verify", fmt.Errorf("%s: %w", secret, s3sync.ErrVerify), "S3 copy: verification failed; details in the logs"},
		{"changed", fmt.Errorf("%s: %w", secret, s3sync.ErrChanged), "S3 copy: verification failed; details in the logs"},
		{"format", fmt.Errorf("%s: %w", secret, s3sync.ErrFormat), "the S3 prefix holds no known vector store format; details in the logs"},
		// A store error that came from the S3 mirror names S3 objects: only its kind.
		{"store error from S3", fmt.Errorf("%s: %w: %w", secret, s3sync.ErrVerify, store.ErrCorrupt), "S3 copy: verification failed; details in the logs"},
		{"bad URI with store error", fmt.Errorf("%s: %w: %w", secret, s3sync.ErrBadURI, store.ErrNoStore), "load failed; details in the logs"},
		{"timeout", fmt.Errorf("%s: %w", secret, context.DeadlineExceeded), "timed out; details in the logs"},
		{"too large", fmt.Errorf("loader: %w: index.pkl: over 1000 bytes", store.ErrTooLarge), store.ErrTooLarge.Error() + ": index.pkl: over 1000 bytes"},
		{"load timeout", fmt.Errorf("%w after 3m0s: %s: %w", ErrLoadTimeout, secret, context.DeadlineExceeded), "store load timed out (STORE_LOAD_TIMEOUT); details in the logs"},
		{"anything else", errors.New(secret), "load failed; details in the logs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := PublicReason(tt.err)
			if got != tt.want {
				t.Errorf("PublicReason = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "arn:aws") || strings.Contains(got, "vendor-rag-0919") || strings.HasPrefix(got, "loader: ") {
				t.Errorf("PublicReason leaks: %q", got)
			}
		})
	}
}
