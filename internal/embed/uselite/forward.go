package uselite

import (
	"math"

	"github.com/viterin/vek/vek32"
)

// The forward pass follows the graph in model.json op by op for one text
// (batch row) of n tokens; rows of a TF batch never mix: padded positions
// get a -1e9 attention bias (their softmax weight underflows to exactly 0)
// and are masked out of the mean, so running texts one at a time gives the
// same numbers. All arithmetic is float32, as in TF.js; transcendental
// functions are computed in float64 and rounded, as the TF.js CPU kernels
// do with Math.*.

// scratch holds the per-call activations; one is used per goroutine.
type scratch struct {
	x, h, res, qkv, ctx, y, ff, scores []float32
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// forward writes the 512-dim embedding of ids (already clipped to
// MaxTokens, at least one id) into out.
func (g *graph) forward(ids []int, out []float32, s *scratch) {
	n := len(ids)

	// Token embeddings plus the sin/cos timing signal. The graph adds the
	// scattered embeddings to the scattered (embeddings + timing), so the
	// layer input is e + (e + t).
	s.x = grow(s.x, n*embDim)
	for p, id := range ids {
		e := g.emb[id*embDim : (id+1)*embDim]
		row := s.x[p*embDim : (p+1)*embDim]
		pos := float32(p)
		for k := 0; k < timeScale; k++ {
			arg := pos * g.invTime[k]
			row[k] = e[k] + (e[k] + float32(math.Sin(float64(arg))))
			row[timeScale+k] = e[timeScale+k] + (e[timeScale+k] + float32(math.Cos(float64(arg))))
		}
	}

	x := s.x
	for li := range g.layers {
		x = g.layers[li].apply(x, n, g.lnEps, s)
	}

	// Mean over the n token rows, then tanh(x·W + b) and L2 normalisation.
	pooled := s.h[:hidden]
	clear(pooled)
	for p := 0; p < n; p++ {
		vek32.Add_Inplace(pooled, x[p*hidden:(p+1)*hidden])
	}
	cnt := float32(n)
	for j := range pooled {
		pooled[j] /= cnt
	}
	g.tanh.apply(out, pooled, 1)
	for j := range out {
		out[j] = tanh32(out[j])
	}
	l2Normalize(out, g.l2Eps)
}

// apply runs one transformer layer on x ([n, l.in]) and returns its
// [n, hidden] output, which lives in s.x or s.y.
func (l *transformerLayer) apply(x []float32, n int, eps float32, s *scratch) []float32 {
	// Pre-attention layer norm.
	s.h = grow(s.h, max(n*l.in, hidden))
	for p := 0; p < n; p++ {
		l.attnNorm.apply(s.h[p*l.in:(p+1)*l.in], x[p*l.in:(p+1)*l.in], eps)
	}
	h := s.h[:n*l.in]

	// Residual branch: layer 0 projects its raw (un-normalised) input.
	var res []float32
	if l.residual != nil {
		s.res = grow(s.res, n*hidden)
		l.residual.apply(s.res, x, n)
		res = s.res
	} else {
		res = x
	}

	// Multi-head self-attention.
	w := l.width
	dh := w / numHeads
	s.qkv = grow(s.qkv, n*3*w)
	l.qkv.apply(s.qkv, h, n)
	for p := 0; p < n; p++ {
		q := s.qkv[p*3*w : p*3*w+w]
		for j := range q {
			q[j] *= l.qScale
		}
	}
	s.ctx = grow(s.ctx, n*w)
	s.scores = grow(s.scores, n)
	for hd := 0; hd < numHeads; hd++ {
		for i := 0; i < n; i++ {
			q := s.qkv[i*3*w+hd*dh : i*3*w+hd*dh+dh]
			sc := s.scores
			mx := float32(math.Inf(-1))
			for j := 0; j < n; j++ {
				k := s.qkv[j*3*w+w+hd*dh : j*3*w+w+hd*dh+dh]
				sc[j] = vek32.Dot(q, k)
				if sc[j] > mx {
					mx = sc[j]
				}
			}
			var sum float32
			for j := 0; j < n; j++ {
				sc[j] = float32(math.Exp(float64(sc[j] - mx)))
				sum += sc[j]
			}
			c := s.ctx[i*w+hd*dh : i*w+hd*dh+dh]
			clear(c)
			for j := 0; j < n; j++ {
				v := s.qkv[j*3*w+2*w+hd*dh : j*3*w+2*w+hd*dh+dh]
				wt := sc[j] / sum
				for d := range c {
					c[d] += wt * v[d]
				}
			}
		}
	}
	// Output projection plus residual: y = attn·Wo + bo + res.
	s.y = grow(s.y, n*hidden)
	l.attnOut.apply(s.y, s.ctx[:n*w], n)
	y := s.y[:n*hidden]
	vek32.Add_Inplace(y, res[:n*hidden])

	// Feed-forward block: z = relu(LN(y)·W1 + b1)·W2 + b2 + y.
	s.h = grow(s.h, n*hidden)
	for p := 0; p < n; p++ {
		l.ffnNorm.apply(s.h[p*hidden:(p+1)*hidden], y[p*hidden:(p+1)*hidden], eps)
	}
	s.ff = grow(s.ff, n*ffnDim)
	l.ffn1.apply(s.ff, s.h[:n*hidden], n)
	for j, v := range s.ff[:n*ffnDim] {
		if v < 0 {
			s.ff[j] = 0
		}
	}
	s.x = grow(s.x, n*hidden)
	z := s.x[:n*hidden]
	l.ffn2.apply(z, s.ff[:n*ffnDim], n)
	vek32.Add_Inplace(z, y)
	return z
}

// apply computes dst[m] = x[m]·W + b for n rows. Each weight row is read
// once and dotted with every input row while it is in cache.
func (d *dense) apply(dst, x []float32, n int) {
	for j := 0; j < d.out; j++ {
		w := d.wt[j*d.in : (j+1)*d.in]
		b := d.b[j]
		for m := 0; m < n; m++ {
			dst[m*d.out+j] = vek32.Dot(x[m*d.in:(m+1)*d.in], w) + b
		}
	}
}

// apply writes LN(x) into dst: (x-mean)·rsqrt(var+eps)·scale + bias, with
// the graph's operation order: scale*rsqrt first, then times (x-mean).
func (ln *layerNorm) apply(dst, x []float32, eps float32) {
	n := float32(len(x))
	var sum float32
	for _, v := range x {
		sum += v
	}
	mean := sum / n
	var sq float32
	for i, v := range x {
		d := v - mean
		dst[i] = d
		sq += d * d
	}
	r := rsqrt32(sq/n + eps)
	for i, d := range dst[:len(x)] {
		dst[i] = ln.scale[i]*r*d + ln.bias[i]
	}
}

func rsqrt32(x float32) float32 { return float32(1 / math.Sqrt(float64(x))) }

func tanh32(x float32) float32 { return float32(math.Tanh(float64(x))) }

// l2Normalize scales v by rsqrt(max(sum(v²), eps)) in place.
func l2Normalize(v []float32, eps float32) {
	var sq float32
	for _, x := range v {
		sq += x * x
	}
	r := rsqrt32(max(sq, eps))
	for i := range v {
		v[i] *= r
	}
}
