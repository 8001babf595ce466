package ann

import (
	"context"
	"errors"
	"math"
	"testing"
)

// TestSearch_TiesResolveToSmallerIDs: equal distances rank by id, in the
// exact index and in the graph's final ordering. Identical vectors are
// common in practice (an English-only embedder maps all Japanese text to
// one vector).
func TestSearch_TiesResolveToSmallerIDs(t *testing.T) {
	t.Parallel()
	t.Run("flat, the reviewer's case", func(t *testing.T) {
		f, err := NewFlat(1, L2, []float32{1, 1, 1, 0})
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Search([]float32{0}, 2, SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != 3 || got[1].ID != 0 {
			t.Fatalf("got %v, want ids [3 0]", got)
		}
	})
	const n, dim = 300, 8
	vecs := make([]float32, n*dim)
	for i := 0; i < n; i++ {
		// 100 distinct vectors, each three times (ids i, i+100, i+200).
		for d := 0; d < dim; d++ {
			vecs[i*dim+d] = float32((i%100)*(d+1)) + 0.5
		}
	}
	for _, build := range []struct {
		name string
		make func([]float32) (Index, error)
	}{
		{"flat", func(v []float32) (Index, error) { return NewFlat(dim, L2, v) }},
		{"hnsw", func(v []float32) (Index, error) {
			return BuildHNSW(context.Background(), dim, L2, v, HNSWConfig{Workers: 1})
		}},
	} {
		idx, err := build.make(append([]float32(nil), vecs...))
		if err != nil {
			t.Fatal(err)
		}
		for q := 0; q < 100; q += 7 {
			got, err := idx.Search(vecs[q*dim:(q+1)*dim], 3, SearchOptions{EF: 200})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 || got[0].ID != uint32(q) || got[1].ID != uint32(q+100) || got[2].ID != uint32(q+200) {
				t.Errorf("%s: query %d got %v, want the three copies in id order", build.name, q, got)
			}
		}
	}
}

func TestSearch_NonFiniteQuery(t *testing.T) {
	t.Parallel()
	vecs := make([]float32, 3000*16)
	for i := range vecs {
		vecs[i] = float32(i%97) / 97
	}
	flat, _ := NewFlat(16, L2, append([]float32(nil), vecs...))
	graph, err := BuildHNSW(context.Background(), 16, InnerProduct, append([]float32(nil), vecs...), HNSWConfig{})
	if err != nil {
		t.Fatal(err)
	}
	inf := float32(math.Inf(1))
	for _, q := range [][]float32{
		append([]float32{inf, -inf}, make([]float32, 14)...),
		append([]float32{float32(math.NaN())}, make([]float32, 15)...),
		append([]float32{1e20, 1e20}, make([]float32, 14)...), // finite, but distances overflow
	} {
		for _, idx := range []Index{flat, graph} {
			if got, err := idx.Search(q, 3, SearchOptions{}); !errors.Is(err, ErrNonFinite) {
				t.Errorf("%T query %v: got %v, %v; want ErrNonFinite", idx, q[:2], got, err)
			}
		}
	}
}
