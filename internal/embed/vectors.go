package embed

import (
	"fmt"

	"github.com/vendor0919/api/internal/ann"
)

// checkVectors verifies the count of decoded vectors and each vector
// (checkVector).
func checkVectors(vecs [][]float32, n, dims int) error {
	if len(vecs) != n {
		return fmt.Errorf("%w: got %d vectors for %d inputs", ErrBadResponse, len(vecs), n)
	}
	for i, v := range vecs {
		if err := checkVector(v, dims); err != nil {
			return fmt.Errorf("vector %d: %w", i, err)
		}
	}
	return nil
}

// checkVector refuses, wrapping ErrBadResponse, a decoded vector whose
// length is not dims or that the index cannot scale to unit length
// (ann.Normalizable): all zeros, a float32 squared norm that overflows to
// +Inf or is NaN, or one too small to normalise. Stored, such a vector
// scores 0 or breaks every search it takes part in; cached, it would
// outlive the provider's fault. Every remote embedder checks its answers
// here, so the build, its cache and the server's queries never see one.
func checkVector(v []float32, dims int) error {
	if len(v) != dims {
		return fmt.Errorf("%w: %d dims, want %d", ErrBadResponse, len(v), dims)
	}
	if dims > 0 && !ann.Normalizable(v) {
		return fmt.Errorf("%w: squared norm %g cannot be scaled to unit length", ErrBadResponse, ann.Dot(v, v))
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
