package store

import (
	"errors"
	"fmt"

	"github.com/vendor0919/api/internal/faiss"
	"github.com/vendor0919/api/internal/lcpickle"
	"github.com/vendor0919/api/internal/memlimit"
)

// ErrTooLarge reports a store that would take more memory than the load
// budget (OpenOptions.MaxBytes).
var ErrTooLarge = errors.New("store: over the load budget")

// TextCost is what one byte of chunk text is taken to cost once a store
// is served: the text itself, the keyword index built over it (measured
// at 0.1x the text for English and 1.3x for Japanese, whose bigrams
// dominate) and headroom for the transient garbage of building it and for
// answering searches. A store's text bytes times TextCost count toward
// its load budget.
const TextCost = 4

// The derived budget: a third of the memory limit, so that the store
// being served, the one being loaded and the requests in flight all fit;
// NoLimitMaxBytes when no limit is known.
const (
	budgetDivisor   = 3
	NoLimitMaxBytes = 2 << 30
)

// DefaultMaxBytes is the load budget when OpenOptions.MaxBytes is zero: a
// third of the process memory limit (memlimit.Limit: the cgroup's, or
// GOMEMLIMIT when lower), or NoLimitMaxBytes (2 GiB) when there is none.
func DefaultMaxBytes() int64 {
	if n, ok := memlimit.Limit(); ok {
		return n / budgetDivisor
	}
	return NoLimitMaxBytes
}

func (o OpenOptions) maxBytes() int64 {
	if o.MaxBytes > 0 {
		return o.MaxBytes
	}
	return DefaultMaxBytes()
}

// tooLarge wraps a reader's budget error as ErrTooLarge, naming the file.
func tooLarge(path string, err error) error {
	if errors.Is(err, faiss.ErrBudget) || errors.Is(err, lcpickle.ErrBudget) {
		return fmt.Errorf("%w: %s: %w", ErrTooLarge, path, err)
	}
	return err
}
