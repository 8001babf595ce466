package ann

import (
	"fmt"
	"runtime"
)

// Distances returns the distance from query to each row of ids, in the
// order given, on the scale Search reports. It is exact and costs one
// distance per id, so a caller that needs the scores of a few known rows
// (hybrid search completing its candidates) does not scan the index.
// It returns an error wrapping ErrDimension for a query of the wrong
// length, ErrNonFinite for a non-finite one, and an error for an id out of
// range. Safe for concurrent use.
func (s *space) Distances(query []float32, ids []uint32) ([]Neighbor, error) {
	if err := checkQuery(query, s.dim); err != nil {
		return nil, err
	}
	defer runtime.KeepAlive(s) // s.owner: the rows' memory (Retain)
	n := len(s.vectors) / s.dim
	q := query
	if s.metric == Cosine {
		q = make([]float32, len(query))
		copy(q, query)
		Normalize(q)
	}
	out := make([]Neighbor, len(ids))
	for i, id := range ids {
		if int(id) >= n {
			return nil, fmt.Errorf("ann: distances: id %d out of range (%d rows)", id, n)
		}
		out[i] = Neighbor{ID: id, Distance: s.dist(q, id)}
	}
	return out, nil
}
