// Package synth generates clustered synthetic vectors for tests and
// benchmarks of the ann package.
//
// Points are drawn from a mixture of Gaussian clusters with a low intrinsic
// dimension, shaped like text embeddings: each cluster has a random centre
// and a random Rank-dimensional subspace with decaying spread along its
// axes, plus a little isotropic noise in all Dim dimensions. Queries come
// from the same mixture with an independent random stream, so they are held
// out from the base set. Isotropic noise alone would make every neighbour
// almost equidistant, which no real embedding set looks like.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Config describes a data set. Zero fields take the defaults in brackets.
type Config struct {
	N        int     // base vectors
	Queries  int     // query vectors
	Dim      int     // dimension [384]
	Clusters int     // mixture components [100]
	Rank     int     // intrinsic dimension of each cluster [24]
	Spread   float64 // scale of the in-cluster spread relative to unit centres [0.6]
	Noise    float64 // isotropic noise scale [0.15]
	Seed     uint64  // random seed [1]
	// Normalize scales every vector to unit length (for cosine data).
	Normalize bool
}

func (c Config) withDefaults() Config {
	if c.Dim == 0 {
		c.Dim = 384
	}
	if c.Clusters == 0 {
		c.Clusters = 100
	}
	if c.Rank == 0 {
		c.Rank = 24
	}
	if c.Spread == 0 {
		c.Spread = 0.6
	}
	if c.Noise == 0 {
		c.Noise = 0.15
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// Generate returns the base and query vectors, row-major.
func Generate(cfg Config) (base, queries []float32, err error) {
	c := cfg.withDefaults()
	if c.N < 0 || c.Queries < 0 || c.Dim < 1 || c.Clusters < 1 || c.Rank < 1 || c.Spread < 0 || c.Noise < 0 {
		return nil, nil, fmt.Errorf("synth: invalid config %+v", cfg)
	}
	model := rand.New(rand.NewPCG(c.Seed, 1)) //nolint:gosec // G404: synthetic data, reproducible by seed
	invSqrtDim := 1 / math.Sqrt(float64(c.Dim))
	centres := make([]float64, c.Clusters*c.Dim)
	for i := range centres {
		centres[i] = model.NormFloat64() * invSqrtDim
	}
	// Axis r of a cluster has spread Spread/sqrt(r+1).
	axes := make([]float64, c.Clusters*c.Rank*c.Dim)
	for i := range axes {
		r := (i / c.Dim) % c.Rank
		axes[i] = model.NormFloat64() * invSqrtDim * c.Spread / math.Sqrt(float64(r+1))
	}
	draw := func(n int, rng *rand.Rand) []float32 {
		out := make([]float32, n*c.Dim)
		x := make([]float64, c.Dim)
		for i := 0; i < n; i++ {
			k := rng.IntN(c.Clusters)
			copy(x, centres[k*c.Dim:(k+1)*c.Dim])
			for r := 0; r < c.Rank; r++ {
				z := rng.NormFloat64()
				ax := axes[(k*c.Rank+r)*c.Dim:]
				for j := range x {
					x[j] += z * ax[j]
				}
			}
			var norm float64
			for j := range x {
				x[j] += rng.NormFloat64() * c.Noise * invSqrtDim
				norm += x[j] * x[j]
			}
			scale := 1.0
			if c.Normalize && norm > 0 {
				scale = 1 / math.Sqrt(norm)
			}
			row := out[i*c.Dim : (i+1)*c.Dim]
			for j := range row {
				row[j] = float32(x[j] * scale)
			}
		}
		return out
	}
	base = draw(c.N, rand.New(rand.NewPCG(c.Seed, 2)))          //nolint:gosec // G404: as above
	queries = draw(c.Queries, rand.New(rand.NewPCG(c.Seed, 3))) //nolint:gosec // G404: as above
	return base, queries, nil
}
