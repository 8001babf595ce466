package ann

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Flat is an exact index: every search scans all vectors. It is the ground
// truth for recall measurements and the fallback for very selective filters.
type Flat struct {
	space
	n     int
	qpool sync.Pool // *[]float32 query buffers (Cosine only)
}

var _ Index = (*Flat)(nil)

// NewFlat returns an exact index over vectors, row-major with len n*dim. It
// takes ownership of vectors; for Cosine it normalises them in place.
func NewFlat(dim int, metric Metric, vectors []float32) (*Flat, error) {
	if err := checkInput(dim, metric, vectors); err != nil {
		return nil, err
	}
	if metric == Cosine {
		normalizeRows(vectors, dim)
	}
	f := &Flat{space: space{dim: dim, metric: metric, vectors: vectors}, n: len(vectors) / dim}
	f.qpool.New = func() any { b := make([]float32, dim); return &b }
	return f, nil
}

func checkInput(dim int, metric Metric, vectors []float32) error {
	if dim <= 0 {
		return fmt.Errorf("ann: dimension %d must be positive", dim)
	}
	if !validMetric(metric) {
		return fmt.Errorf("ann: unknown metric %v", metric)
	}
	if len(vectors)%dim != 0 {
		return fmt.Errorf("%w: %d floats is not a whole number of %d-dimensional vectors", ErrDimension, len(vectors), dim)
	}
	if n := len(vectors) / dim; uint64(n) >= maxNodes {
		return fmt.Errorf("ann: %d vectors exceed the limit of %d", n, maxNodes-1)
	}
	return nil
}

// Len returns the number of vectors.
func (f *Flat) Len() int { return f.n }

// Dim returns the vector dimension.
func (f *Flat) Dim() int { return f.dim }

// Metric returns the index metric.
func (f *Flat) Metric() Metric { return f.metric }

// Vectors returns the stored rows (normalised for Cosine). Callers must not
// modify them.
func (f *Flat) Vectors() []float32 { return f.vectors }

// Search returns the exact k nearest neighbours, closest first; ties are
// broken by smaller id. opts.EF is ignored; opts.Filter restricts results.
func (f *Flat) Search(query []float32, k int, opts SearchOptions) ([]Neighbor, error) {
	if err := checkQuery(query, f.dim); err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(f) // f.owner: the rows' memory (Retain)
	if k <= 0 || f.n == 0 {
		return nil, nil
	}
	q := query
	if f.metric == Cosine {
		bp := f.qpool.Get().(*[]float32)
		defer f.qpool.Put(bp)
		q = *bp
		copy(q, query)
		Normalize(q)
	}
	return scanTopK(&f.space, f.n, q, k, opts.Filter), nil
}

// scanTopK scans rows 0..n-1 and returns the k closest admitted ones sorted
// ascending. The result slice doubles as the bounded max-heap, so it is the
// only allocation.
func scanTopK(s *space, n int, q []float32, k int, filter func(uint32) bool) []Neighbor {
	if k > n {
		k = n
	}
	res := maxQueue(make([]Neighbor, 0, k))
	for i := 0; i < n; i++ {
		id := uint32(i)
		if filter != nil && !filter(id) {
			continue
		}
		d := s.dist(q, id)
		if len(res) < k {
			res.push(Neighbor{ID: id, Distance: d})
		} else if cand := (Neighbor{ID: id, Distance: d}); closer(cand, res.top()) {
			res.pop()
			res.push(Neighbor{ID: id, Distance: d})
		}
	}
	out := []Neighbor(res)
	sortNeighbors(out)
	return out
}

// sortNeighbors orders by distance, then id.
func sortNeighbors(ns []Neighbor) {
	slices.SortFunc(ns, func(a, b Neighbor) int {
		if c := cmp.Compare(a.Distance, b.Distance); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
