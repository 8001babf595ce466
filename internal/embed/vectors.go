package embed

import "fmt"

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
