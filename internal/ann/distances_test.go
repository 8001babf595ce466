package ann

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestDistances_MatchSearch: for every metric, Flat and HNSW report the
// same distance for a row through Distances as through Search.
func TestDistances_MatchSearch(t *testing.T) {
	t.Parallel()
	const n, dim = 300, 16
	rng := rand.New(rand.NewPCG(1, 2))
	for _, metric := range []Metric{Cosine, InnerProduct, L2} {
		vecs := make([]float32, n*dim)
		for i := range vecs {
			vecs[i] = rng.Float32()*2 - 1
		}
		flat, err := NewFlat(dim, metric, append([]float32(nil), vecs...))
		if err != nil {
			t.Fatal(err)
		}
		hnsw, err := BuildHNSW(context.Background(), dim, metric, append([]float32(nil), vecs...), HNSWConfig{})
		if err != nil {
			t.Fatal(err)
		}
		q := make([]float32, dim)
		for i := range q {
			q[i] = rng.Float32()*2 - 1
		}
		for name, idx := range map[string]interface {
			Index
			Distances([]float32, []uint32) ([]Neighbor, error)
		}{"flat": flat, "hnsw": hnsw} {
			want, err := flat.Search(q, n, SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids := []uint32{want[7].ID, want[0].ID, want[n-1].ID}
			got, err := idx.Distances(q, ids)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range []Neighbor{want[7], want[0], want[n-1]} {
				if got[i].ID != w.ID || math.Abs(float64(got[i].Distance-w.Distance)) > 1e-5 {
					t.Errorf("%v %s: Distances[%d] = %+v, want %+v", metric, name, i, got[i], w)
				}
			}
			if _, err := idx.Distances(q, []uint32{n}); err == nil {
				t.Errorf("%v %s: id out of range accepted", metric, name)
			}
			if _, err := idx.Distances(q[:3], ids); !errors.Is(err, ErrDimension) {
				t.Errorf("%v %s: short query err = %v, want ErrDimension", metric, name, err)
			}
		}
	}
}
