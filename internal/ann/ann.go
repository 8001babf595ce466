package ann

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Metric is the similarity a store was built for.
type Metric uint8

// Metrics. Cosine indexes keep unit-length vectors and rank by dot product.
const (
	Cosine Metric = iota + 1
	InnerProduct
	L2
)

// String returns the metric's configuration name: "cosine", "ip" or "l2".
func (m Metric) String() string {
	switch m {
	case Cosine:
		return "cosine"
	case InnerProduct:
		return "ip"
	case L2:
		return "l2"
	}
	return fmt.Sprintf("Metric(%d)", uint8(m))
}

// ParseMetric reads a metric name. It accepts "cosine", "ip" (or
// "inner_product", "dot") and "l2" (or "euclidean"), in any case.
func ParseMetric(s string) (Metric, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "cosine":
		return Cosine, nil
	case "ip", "inner_product", "dot":
		return InnerProduct, nil
	case "l2", "euclidean":
		return L2, nil
	}
	return 0, fmt.Errorf("ann: unknown metric %q (want cosine, ip or l2)", s)
}

// ErrDimension reports a vector whose length differs from the index's.
var ErrDimension = errors.New("ann: vector dimension mismatch")

// ErrNonFinite reports a query with NaN or infinite values, or values so
// large that distances overflow float32.
var ErrNonFinite = errors.New("ann: query is not finite")

// MaxComponent bounds the magnitude of a stored vector's components.
// Embedding models write components near 1 (unnormalised ones at most in
// the thousands); with every component within it, a row's squared norm
// and the distance between two rows stay finite in float32 up to 65,536
// dimensions, where a row of 3e38s made every distance infinite.
const MaxComponent = 1e15

// ValidComponent reports whether v may be a stored vector's component:
// finite and within ±MaxComponent (NaN is neither).
func ValidComponent(v float32) bool { return v >= -MaxComponent && v <= MaxComponent }

// checkQuery validates a query's length and that its squared norm, and so
// every distance to a finite vector of sane scale, is finite: NaN
// distances would break the heaps' ordering.
func checkQuery(query []float32, dim int) error {
	if len(query) != dim {
		return fmt.Errorf("%w: query has %d dimensions, index has %d", ErrDimension, len(query), dim)
	}
	if n := dot(query, query); math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return ErrNonFinite
	}
	return nil
}

// Neighbor is one search hit. Distance is smaller for closer vectors:
// 1-dot for Cosine, -dot for InnerProduct, squared Euclidean for L2.
type Neighbor struct {
	ID       uint32
	Distance float32
}

// SearchOptions tunes one search. The zero value uses the index defaults.
type SearchOptions struct {
	// EF is the HNSW candidate list size; zero means the index default.
	// It is raised to k when smaller. Exact indexes ignore it.
	EF int
	// Filter, when non-nil, admits only ids for which it returns true.
	// It must be safe for concurrent use.
	Filter func(id uint32) bool
}

// Index answers k-nearest-neighbour queries over vectors with dense ids
// 0..Len()-1. Implementations are read-only once built, and Search is safe
// for concurrent use. Search does not retain query.
type Index interface {
	// Search returns up to k neighbours of query, closest first. It returns
	// an error wrapping ErrDimension when len(query) != Dim().
	Search(query []float32, k int, opts SearchOptions) ([]Neighbor, error)
	Len() int
	Dim() int
	Metric() Metric
}
