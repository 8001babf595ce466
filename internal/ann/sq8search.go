package ann

import (
	"fmt"
	"slices"
)

// sq8Space holds what an HNSW searching on SQ8 codes needs beside the
// graph: the quantizer, the codes (row i at i*dim) and, for L2, each
// decoded row's squared norm.
type sq8Space struct {
	q       *SQ8
	codes   []uint8
	norms   []float32 // L2 only
	rescore int       // candidates rescored exactly; 0: all ef
}

// sqQuery is a query prepared for the codes: the dot product of a query x
// with a decoded row is bias + sum(scaled[d] * code[d]).
type sqQuery struct {
	scaled []float32 // x[d] * Scale[d]
	bias   float32   // sum(x[d] * Min[d])
	norm   float32   // L2: |x|^2
}

// WithSQ8 returns an index over the same graph and float vectors as h that
// walks the graph on q's 8-bit codes (codes: h.Len() rows of h.Dim()
// bytes, as q.Encode writes them from h.Vectors()) and rescores the best
// candidates with exact float distances, so the distances it reports are
// exact. rescore is how many of the ef candidates are rescored; 0 or more
// than ef rescores all ef. The float rows are read only for rescoring (and
// for a filtered search's exact scan), about rescore rows per query, so
// they may live in a file mapping that the kernel pages in and out. h is
// not modified; both indexes may be used at once.
func (h *HNSW) WithSQ8(q *SQ8, codes []uint8, rescore int) (*HNSW, error) {
	if q.Dim() != h.dim || len(q.Scale) != h.dim || len(codes) != h.n*h.dim {
		return nil, fmt.Errorf("%w: sq8: quantizer of %d dimensions and %d code bytes for %d rows of %d",
			ErrDimension, q.Dim(), len(codes), h.n, h.dim)
	}
	sq := &sq8Space{q: q, codes: codes, rescore: max(0, rescore)}
	if h.metric == L2 {
		sq.norms = make([]float32, h.n)
		row := make([]float32, h.dim)
		for i := range sq.norms {
			q.Decode(codes[i*h.dim:(i+1)*h.dim], row)
			sq.norms[i] = dot(row, row)
		}
	}
	return &HNSW{
		space: h.space, n: h.n, cfg: h.cfg, m0: h.m0, m: h.m,
		level0: h.level0, levels: h.levels, upperOff: h.upperOff, upper: h.upper,
		entry: h.entry, maxLevel: h.maxLevel, sq: sq,
	}, nil
}

// Quantized reports whether searches walk the graph on SQ8 codes.
func (h *HNSW) Quantized() bool { return h.sq != nil }

// CodeBytes returns the bytes of SQ8 codes and ranges the index holds (0
// without quantization).
func (h *HNSW) CodeBytes() int64 {
	if h.sq == nil {
		return 0
	}
	return int64(len(h.sq.codes)) + 8*int64(h.dim) + 4*int64(len(h.sq.norms))
}

// prepare fills c.sqq for the (normalised) query q.
func (s *sq8Space) prepare(c *searchCtx, q []float32) {
	if len(c.sqq.scaled) != len(q) {
		c.sqq.scaled = make([]float32, len(q))
	}
	var bias float32
	for d, x := range q {
		c.sqq.scaled[d] = x * s.q.Scale[d]
		bias += x * s.q.Min[d]
	}
	c.sqq.bias = bias
	c.sqq.norm = dot(q, q)
}

// distBatch is space.distBatch on the codes, for the query prepared in c.
func (h *HNSW) sqDistBatch(c *searchCtx, ids []uint32, out []float32) {
	if len(ids) == 0 {
		return
	}
	out = out[:len(ids)]
	s, dim := h.sq, h.dim
	if useSIMD {
		_ = s.codes[(int(slicesMax(ids))+1)*dim-1] // one bounds check for the batch
		dotU8BatchAVX2(&c.sqq.scaled[0], &s.codes[0], dim, &ids[0], len(ids), &out[0], max(2, min(16, 6144/dim)))
	} else {
		for i, id := range ids {
			out[i] = dotU8Go(c.sqq.scaled, s.codes[int(id)*dim:(int(id)+1)*dim])
		}
	}
	bias := c.sqq.bias
	switch h.metric {
	case L2:
		for i, id := range ids {
			out[i] = c.sqq.norm - 2*(bias+out[i]) + s.norms[id]
		}
	case InnerProduct:
		for i := range out {
			out[i] = -(bias + out[i])
		}
	default:
		for i := range out {
			out[i] = 1 - (bias + out[i])
		}
	}
}

// dotU8Go is the portable SQ8 kernel: sum(q[d] * code[d]).
func dotU8Go(q []float32, code []uint8) float32 {
	code = code[:len(q)]
	var s0, s1, s2, s3 float32
	for len(q) >= 4 && len(code) >= 4 {
		s0 += q[0] * float32(code[0])
		s1 += q[1] * float32(code[1])
		s2 += q[2] * float32(code[2])
		s3 += q[3] * float32(code[3])
		q, code = q[4:], code[4:]
	}
	for i := range q {
		s0 += q[i] * float32(code[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// rescore replaces the approximate distances of the best candidates in
// c.res with exact ones from the float rows and returns the k closest,
// closest first.
func (h *HNSW) rescoreTop(c *searchCtx, q []float32, k int) []Neighbor {
	c.sorted = growNeighbors(c.sorted, len(c.res))
	cands := c.res.drainSorted(c.sorted)
	if r := h.sq.rescore; r > 0 && r < len(cands) {
		cands = cands[:max(r, k)]
	}
	ids := c.batch[:0]
	for _, x := range cands {
		ids = append(ids, x.ID)
	}
	c.batch = ids
	if cap(c.dists) < len(ids) {
		c.dists = make([]float32, len(ids))
	}
	dists := c.dists[:len(ids)]
	h.distBatch(q, ids, dists)
	for i := range cands {
		cands[i].Distance = dists[i]
	}
	slices.SortFunc(cands, func(a, b Neighbor) int {
		if closer(a, b) {
			return -1
		}
		if closer(b, a) {
			return 1
		}
		return 0
	})
	return append([]Neighbor(nil), cands[:min(k, len(cands))]...)
}
