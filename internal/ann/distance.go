package ann

import (
	"math"

	"github.com/viterin/vek/vek32"
)

// useSIMD selects the AVX2+FMA kernels: vek's dot product and our own
// squared distance (l2sqAVX2). vek enables its kernels only when the CPU
// reports both AVX2 and FMA (and the OS is not darwin), which is also what
// l2sqAVX2 needs; otherwise the pure-Go kernels below are used. Tests flip
// it to cover both paths, and -tags annportable clears it at start-up
// (portable.go); it is not changed while an index is in use.
var useSIMD = vek32.Info().Acceleration && hasAVX2FMA

// SIMD reports whether distance kernels run on AVX2+FMA (true) or on the
// pure-Go fallback (false).
func SIMD() bool { return useSIMD }

// dot returns the dot product of a and b; len(b) >= len(a) > 0.
func dot(a, b []float32) float32 {
	if useSIMD {
		return vek32.Dot(a, b[:len(a)])
	}
	return dotGo(a, b)
}

// Dot returns the dot product of a and b, len(b) >= len(a) > 0, on the
// kernel SIMD reports: for callers outside the index (glove's soft match)
// that want the same kernels.
func Dot(a, b []float32) float32 { return dot(a, b) }

// l2sq returns the squared Euclidean distance between a and b;
// len(b) >= len(a). Both kernels sum squared differences directly, so inputs
// whose partial sums are exact in float32 (small integers) give the same,
// exact result on either.
func l2sq(a, b []float32) float32 {
	if useSIMD {
		return l2sqAVX2(a, b[:len(a)])
	}
	return l2sqGo(a, b)
}

// dotGo is the portable dot product: four independent accumulators so the
// adds pipeline, the way the SIMD kernel keeps four vector accumulators.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	for len(a) >= 4 && len(b) >= 4 {
		s0 += a[0] * b[0]
		s1 += a[1] * b[1]
		s2 += a[2] * b[2]
		s3 += a[3] * b[3]
		a, b = a[4:], b[4:]
	}
	for i := range a {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// l2sqGo is the portable squared Euclidean distance.
func l2sqGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	for len(a) >= 4 && len(b) >= 4 {
		d0 := a[0] - b[0]
		d1 := a[1] - b[1]
		d2 := a[2] - b[2]
		d3 := a[3] - b[3]
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
		a, b = a[4:], b[4:]
	}
	for i := range a {
		d := a[i] - b[i]
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}

// Normalize scales v in place to unit Euclidean length. A zero vector (or
// one with a non-finite norm) is left unchanged.
func Normalize(v []float32) {
	inv, ok := invNorm(v)
	if !ok {
		return
	}
	for i := range v {
		v[i] *= inv
	}
}

// invNorm returns the factor Normalize scales v by, and false when it
// leaves v unchanged: v is empty, or its squared norm is zero, NaN or
// infinite.
func invNorm(v []float32) (float32, bool) {
	if len(v) == 0 {
		return 0, false
	}
	n := dot(v, v)
	if !(n > 0) || math.IsInf(float64(n), 1) { // !(n > 0): zero or NaN
		return 0, false
	}
	return float32(1 / math.Sqrt(float64(n))), true
}

// normalizableTolerance is how far from one Normalizable lets the squared
// norm of a normalised vector be: float32 rounding over 65536 dimensions
// stays well inside it, a squared norm so small that it is subnormal (its
// significand cut to a few bits) does not.
const normalizableTolerance = 1e-3

// Normalizable reports whether Normalize would scale v to unit length:
// v is not empty, its squared norm as Normalize sums it is neither zero
// nor NaN nor infinite, and the scaled vector's squared norm is within
// 1e-3 of one. Normalize leaves any other vector unnormalised, so under
// Cosine it ranks with a score of 0, or NaN or infinite distances. v is
// not changed.
func Normalizable(v []float32) bool {
	inv, ok := invNorm(v)
	if !ok {
		return false
	}
	var sq float64
	for _, x := range v {
		y := float64(x * inv)
		sq += y * y
	}
	return math.Abs(sq-1) <= normalizableTolerance
}

// normalizeRows normalises every row of a row-major matrix whose squared
// norm is not already within 1e-6 of one. Skipping unit rows makes it
// idempotent: vectors normalised once (and persisted) load bit-identical.
func normalizeRows(vectors []float32, dim int) {
	for off := 0; off+dim <= len(vectors); off += dim {
		row := vectors[off : off+dim]
		n := dot(row, row)
		if d := n - 1; d > -1e-6 && d < 1e-6 {
			continue
		}
		Normalize(row)
	}
}

// IsNormalized reports whether every row of a row-major matrix is already
// of unit length by the rule NewFlat and ReadHNSW normalise with, so they
// would leave vectors untouched: such rows may live in read-only memory
// (a mapped file) even for Cosine.
func IsNormalized(vectors []float32, dim int) bool {
	if dim <= 0 {
		return false
	}
	for off := 0; off+dim <= len(vectors); off += dim {
		row := vectors[off : off+dim]
		if d := dot(row, row) - 1; d <= -1e-6 || d >= 1e-6 {
			return false
		}
	}
	return true
}

// space computes distances for one metric over contiguous rows.
type space struct {
	dim     int
	metric  Metric
	vectors []float32 // row i at [i*dim, (i+1)*dim)
	owner   any       // Retain's: what keeps vectors' memory valid
}

// Retain makes the index hold owner, the value whose cleanup releases
// the memory of the vectors the index was given (a read-only file
// mapping), so that owner stays reachable as long as the index is and
// while any of its methods runs: the GC does not see a slice into such
// memory as a reference to its owner. Call it before the index is shared.
// Slices the index hands out (Vectors) are not covered: their reader
// keeps the index, or owner, reachable itself (runtime.KeepAlive).
func (s *space) Retain(owner any) { s.owner = owner }

// row returns vector id.
func (s *space) row(id uint32) []float32 {
	off := int(id) * s.dim
	return s.vectors[off : off+s.dim : off+s.dim]
}

// dist returns the distance from q (already normalised for Cosine) to row id.
func (s *space) dist(q []float32, id uint32) float32 {
	v := s.row(id)
	switch s.metric {
	case L2:
		return l2sq(q, v)
	case InnerProduct:
		return -dot(q, v)
	default:
		return 1 - dot(q, v)
	}
}

// distBatch stores in out[i] the distance from q (already normalised for
// Cosine) to row ids[i], for i < len(ids); len(out) >= len(ids) and every
// id must be a row (graph links are validated when built or read). With
// AVX2+FMA one assembly call covers the whole list and prefetches rows
// ahead of itself; the rounding may differ from dist's in the last bits.
func (s *space) distBatch(q []float32, ids []uint32, out []float32) {
	if len(ids) == 0 {
		return
	}
	out = out[:len(ids)]
	if !useSIMD {
		for i, id := range ids {
			out[i] = s.dist(q, id)
		}
		return
	}
	_ = s.vectors[(int(slicesMax(ids))+1)*s.dim-1] // one bounds check for the batch
	switch s.metric {
	case L2:
		l2sqBatchAVX2(&q[0], &s.vectors[0], s.dim, &ids[0], len(ids), &out[0], s.ahead())
	case InnerProduct:
		dotBatchAVX2(&q[0], &s.vectors[0], s.dim, &ids[0], len(ids), &out[0], s.ahead())
		for i := range out {
			out[i] = -out[i]
		}
	default:
		dotBatchAVX2(&q[0], &s.vectors[0], s.dim, &ids[0], len(ids), &out[0], s.ahead())
		for i := range out {
			out[i] = 1 - out[i]
		}
	}
}

// ahead is how many rows ahead the batch kernels prefetch: about 6 KiB of
// rows in flight, at least 2 and at most 16 rows. BenchmarkSearch_RealData
// on 100-d GloVe (400-byte rows) took 25% less CPU with 8 to 32 rows ahead
// than with 2; the earlier per-row loop was tuned to 4 rows ahead at 384
// dimensions, which this budget keeps.
func (s *space) ahead() int {
	return max(2, min(16, 6144/(4*s.dim)))
}

// slicesMax returns the largest id; ids is non-empty.
func slicesMax(ids []uint32) uint32 {
	m := ids[0]
	for _, id := range ids[1:] {
		m = max(m, id)
	}
	return m
}

// pairDist returns the distance between rows a and b.
func (s *space) pairDist(a, b uint32) float32 {
	return s.dist(s.row(a), b)
}

func validMetric(m Metric) bool { return m == Cosine || m == InnerProduct || m == L2 }
