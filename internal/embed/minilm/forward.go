package minilm

import (
	"math"

	"github.com/viterin/vek/vek32"
)

// scratch holds one text's activations, reused across texts (sync.Pool).
type scratch struct {
	h, q, k, v, ctx, tmp, up []float32
	qh, khT, vh, ch, scores  []float32
	pool                     []float64
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

func (s *scratch) size(n int) {
	s.h, s.q, s.k, s.v = grow(s.h, n*Dims), grow(s.q, n*Dims), grow(s.k, n*Dims), grow(s.v, n*Dims)
	s.ctx, s.tmp, s.up = grow(s.ctx, n*Dims), grow(s.tmp, n*Dims), grow(s.up, n*ffnDims)
	s.qh, s.khT, s.vh, s.ch = grow(s.qh, n*headDim), grow(s.khT, n*headDim), grow(s.vh, n*headDim), grow(s.ch, n*headDim)
	s.scores = grow(s.scores, n*n)
	if len(s.pool) != Dims {
		s.pool = make([]float64, Dims)
	}
}

// forward writes the unit-length mean of the last layer's token states
// (sentence-transformers' mean pooling over every id, [CLS] and [SEP]
// included) into out. ids holds 1 to positions ids.
func (w *weights) forward(ids []int, out []float32, s *scratch) {
	n := len(ids)
	s.size(n)
	h := s.h
	for t, id := range ids {
		row := h[t*Dims : (t+1)*Dims]
		w.wordRow(id, row)
		vek32.Add_Inplace(row, w.pos[t*Dims:(t+1)*Dims])
		vek32.Add_Inplace(row, w.typ)
	}
	layerNorm(h, w.lng, w.lnb)
	for i := range w.layers {
		w.layers[i].apply(n, s)
	}
	acc := s.pool
	clear(acc)
	for t := range n {
		for i, a := range h[t*Dims : (t+1)*Dims] {
			acc[i] += float64(a)
		}
	}
	var norm float64
	for _, a := range acc {
		norm += a * a
	}
	inv := 1 / math.Sqrt(norm) // the mean's 1/n cancels out
	for i, a := range acc {
		out[i] = float32(a * inv)
	}
}

// apply runs one post-norm BERT layer on s.h (n rows) in place.
func (l *layer) apply(n int, s *scratch) {
	l.q.apply(s.q, s.h, n)
	l.k.apply(s.k, s.h, n)
	l.v.apply(s.v, s.h, n)
	attention(n, s)
	l.o.apply(s.tmp, s.ctx, n)
	vek32.Add_Inplace(s.tmp, s.h[:n*Dims])
	layerNorm(s.tmp, l.ln1g, l.ln1b)
	l.up.apply(s.up, s.tmp, n)
	gelu(s.up)
	l.down.apply(s.h, s.up, n)
	vek32.Add_Inplace(s.h, s.tmp)
	layerNorm(s.h, l.ln2g, l.ln2b)
}

// attention computes softmax(Q K^T / sqrt(headDim)) V head by head into
// s.ctx, gathering each head into contiguous matrices so that the
// products run as vek32.MatMul.
func attention(n int, s *scratch) {
	scale := float32(1 / math.Sqrt(headDim))
	for hd := range heads {
		off := hd * headDim
		for t := range n {
			row := t*Dims + off
			for d := range headDim {
				s.qh[t*headDim+d] = s.q[row+d] * scale
				s.khT[d*n+t] = s.k[row+d]
				s.vh[t*headDim+d] = s.v[row+d]
			}
		}
		vek32.MatMul_Into(s.scores, s.qh, s.khT, headDim)
		for t := range n {
			softmax(s.scores[t*n : (t+1)*n])
		}
		vek32.MatMul_Into(s.ch, s.scores, s.vh, n)
		for t := range n {
			copy(s.ctx[t*Dims+off:t*Dims+off+headDim], s.ch[t*headDim:(t+1)*headDim])
		}
	}
}

// softmax normalises x in place. Inputs are clamped at -80 below the
// maximum: vek32.Exp answers NaN below -88, and exp(-80) is already
// nothing next to the maximum's 1.
func softmax(x []float32) {
	m := vek32.Max(x)
	vek32.SubNumber_Inplace(x, m)
	vek32.MaximumNumber_Inplace(x, -80)
	vek32.Exp_Inplace(x)
	vek32.MulNumber_Inplace(x, 1/vek32.Sum(x))
}

// apply writes x W^T + b for n rows of x into dst.
func (l *linear) apply(dst, x []float32, n int) {
	vek32.MatMul_Into(dst, x[:n*l.in], l.wT, l.in)
	for r := range n {
		vek32.Add_Inplace(dst[r*l.out:(r+1)*l.out], l.b)
	}
}

// layerNorm normalises each Dims-wide row of x in place (in float64, so
// that the result does not depend on the order of a vector sum).
func layerNorm(x, g, b []float32) {
	for r := 0; r+Dims <= len(x); r += Dims {
		row := x[r : r+Dims]
		var mean, v float64
		for _, a := range row {
			mean += float64(a)
		}
		mean /= Dims
		for _, a := range row {
			d := float64(a) - mean
			v += d * d
		}
		inv := 1 / math.Sqrt(v/Dims+lnEps)
		for i, a := range row {
			row[i] = float32((float64(a)-mean)*inv)*g[i] + b[i]
		}
	}
}

// gelu is BERT's exact (erf) GELU, with erf from a float32 rational
// approximation (absolute error about 1e-7, no exp), which is most of a
// layer's non-matrix time otherwise.
func gelu(x []float32) {
	for i, a := range x {
		x[i] = 0.5 * a * (1 + erf32(a*math.Sqrt2/2))
	}
}

// erf32 is the minimax rational approximation of erf on [-4, 4] used by
// Eigen's and XNNPACK's float kernels; beyond 4, erf is 1 to float32
// precision.
func erf32(a float32) float32 {
	x := min(max(a, -4), 4)
	x2 := x * x
	p := x2*-2.72614225801306e-10 + 2.77068142495902e-08
	p = x2*p + -2.10102402082508e-06
	p = x2*p + -5.69250639462346e-05
	p = x2*p + -7.34990630326855e-04
	p = x2*p + -2.95459980854025e-03
	p = x2*p + -1.60960333262415e-02
	p *= x
	q := x2*-1.45660718464996e-05 + -2.13374055278905e-04
	q = x2*q + -1.68282697438203e-03
	q = x2*q + -7.37332916720468e-03
	q = x2*q + -1.42647390514189e-02
	return p / q
}
