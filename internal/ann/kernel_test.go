package ann

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/viterin/vek/vek32"
)

// l2sqRef is the float64 reference for the squared distance.
func l2sqRef(a, b []float32) float64 {
	var sum float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		sum += d * d
	}
	return sum
}

// checkL2sqKernels compares both kernels with the float64 reference. Each
// float32 kernel's error is at most about len*eps times the sum of squares
// (all terms are non-negative), so the tolerance is relative to that sum,
// plus one smallest subnormal per term for squares that underflow.
func checkL2sqKernels(t *testing.T, a, b []float32) {
	t.Helper()
	want := l2sqRef(a, b)
	tol := float64(len(a)+4) * (0x1p-23*want + 0x1p-149)
	gotGo := float64(l2sqGo(a, b))
	if math.Abs(gotGo-want) > tol {
		t.Errorf("len %d: l2sqGo = %v, want %v (tol %g)", len(a), gotGo, want, tol)
	}
	if !hasAVX2FMA {
		return
	}
	gotAVX := float64(l2sqAVX2(a, b))
	if math.Abs(gotAVX-want) > tol {
		t.Errorf("len %d: l2sqAVX2 = %v, want %v (tol %g)", len(a), gotAVX, want, tol)
	}
	if math.Abs(gotAVX-gotGo) > tol {
		t.Errorf("len %d: l2sqAVX2 = %v, l2sqGo = %v (tol %g)", len(a), gotAVX, gotGo, tol)
	}
}

func TestL2sqAVX2_RandomLengths(t *testing.T) {
	if !hasAVX2FMA {
		t.Log("no AVX2+FMA: only l2sqGo is checked")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 130; n++ {
		for range 4 {
			// b is longer than a: the kernels read only len(a) elements.
			a, b := make([]float32, n), make([]float32, n+3)
			for i := range a {
				a[i] = float32(rng.NormFloat64() * 10)
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64() * 10)
			}
			checkL2sqKernels(t, a, b)
		}
	}
}

// TestL2sqAVX2_SmallIntegers feeds inputs whose differences, squares and
// every partial sum are integers below 2^24, so any summation order is
// exact and both kernels must return the same bits as the float64 sum.
func TestL2sqAVX2_SmallIntegers(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 130; n++ {
		a, b := make([]float32, n), make([]float32, n)
		for i := range a {
			a[i] = float32(rng.IntN(201) - 100)
			b[i] = float32(rng.IntN(201) - 100)
		}
		want := l2sqRef(a, b)
		if got := l2sqGo(a, b); float64(got) != want {
			t.Errorf("len %d: l2sqGo = %v, want exactly %v", n, got, want)
		}
		if !hasAVX2FMA {
			continue
		}
		if got := l2sqAVX2(a, b); float64(got) != want {
			t.Errorf("len %d: l2sqAVX2 = %v, want exactly %v", n, got, want)
		}
	}
	// The case from issue 9: (0,0) to (5,5) is exactly 50 on every kernel.
	for _, simd := range []bool{false, useSIMD} {
		saved := useSIMD
		useSIMD = simd
		got := l2sq([]float32{0, 0}, []float32{5, 5})
		useSIMD = saved
		if got != 50 {
			t.Errorf("simd=%v: l2sq((0,0),(5,5)) = %v, want 50", simd, got)
		}
	}
}

func FuzzL2sqAVX2(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add([]byte{0, 0, 0xa0, 0x40}, []byte{0, 0, 0, 0})
	f.Add(make([]byte, 4*37), make([]byte, 4*40))
	f.Fuzz(func(t *testing.T, ab, bb []byte) {
		a, b := bytesToFloats(ab), bytesToFloats(bb)
		if len(b) < len(a) {
			a = a[:len(b)]
		}
		// Keep magnitudes where float32 sums cannot overflow, and skip
		// NaN and Inf, whose results are not compared by value.
		for _, v := range [][]float32{a, b} {
			for _, x := range v {
				if math.IsNaN(float64(x)) || math.Abs(float64(x)) > 1e15 {
					t.Skip()
				}
			}
		}
		checkL2sqKernels(t, a, b)
	})
}

func bytesToFloats(p []byte) []float32 {
	out := make([]float32, len(p)/4)
	for i := range out {
		out[i] = math.Float32frombits(uint32(p[4*i]) | uint32(p[4*i+1])<<8 | uint32(p[4*i+2])<<16 | uint32(p[4*i+3])<<24)
	}
	return out
}

// BenchmarkL2Sq_D384 compares the squared-distance kernels on one
// 384-dimension pair: simd is l2sqAVX2, vek the Distance-then-square path
// it replaced, go the portable loop.
func BenchmarkL2Sq_D384(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := make([]float32, 384), make([]float32, 384)
	for i := range x {
		x[i], y[i] = rng.Float32(), rng.Float32()
	}
	kernels := []struct {
		name string
		fn   func(a, b []float32) float32
		simd bool
	}{
		{"simd", l2sqAVX2, true},
		{"vek", func(a, b []float32) float32 { d := vek32.Distance(a, b); return d * d }, true},
		{"go", l2sqGo, false},
	}
	simdOK := hasAVX2FMA && vek32.Info().Acceleration
	for _, k := range kernels {
		if k.simd && !simdOK {
			continue
		}
		b.Run(k.name, func(b *testing.B) {
			var s float32
			for b.Loop() {
				s += k.fn(x, y)
			}
			_ = s
		})
	}
}
