package ann

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vendor0919/api/internal/ann/synth"
)

func randRows(rng *rand.Rand, n, dim int, scale float64) []float32 {
	v := make([]float32, n*dim)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * scale)
	}
	return v
}

func TestSQ8_RoundTripErrorBound(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		n, dim   int
		scale    float64
		constant bool // one dimension holds a single value
	}{
		{"unit", 500, 16, 1, false},
		{"odd dim", 300, 37, 0.05, false},
		{"large values", 200, 8, 1e4, false},
		{"constant dimension", 100, 5, 1, true},
		{"one row", 1, 12, 1, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// A generator of its own: the cases run in parallel, and a
			// shared one was a data race (and made each case's rows
			// depend on the order the cases ran in).
			rng := rand.New(rand.NewPCG(7, uint64(i)))
			v := randRows(rng, tc.n, tc.dim, tc.scale)
			if tc.constant {
				for i := 0; i < tc.n; i++ {
					v[i*tc.dim+2] = 0.25
				}
			}
			q, err := TrainSQ8(v, tc.dim)
			if err != nil {
				t.Fatal(err)
			}
			codes := make([]uint8, len(v))
			q.Encode(v, codes)
			back := make([]float32, len(v))
			q.Decode(codes, back)
			for i, x := range v {
				d := i % tc.dim
				// Half a step, plus float32 rounding of min + code*scale.
				tol := float64(q.Scale[d])/2 + 1e-6*(math.Abs(float64(x))+math.Abs(float64(q.Min[d])))
				if err := math.Abs(float64(back[i]) - float64(x)); err > tol {
					t.Fatalf("row %d dim %d: %v decodes to %v, error %g > %g", i/tc.dim, d, x, back[i], err, tol)
				}
			}
			if tc.constant {
				for i := 0; i < tc.n; i++ {
					if back[i*tc.dim+2] != 0.25 {
						t.Fatalf("constant dimension decodes to %v, want exactly 0.25", back[i*tc.dim+2])
					}
				}
			}
		})
	}
}

func TestSQ8_ClampsOutOfRange(t *testing.T) {
	t.Parallel()
	q, err := TrainSQ8([]float32{0, 1, 2, 3}, 2) // dim 0 in [0,2], dim 1 in [1,3]
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]uint8, 2)
	q.Encode([]float32{-5, 99}, codes)
	if codes[0] != 0 || codes[1] != 255 {
		t.Fatalf("codes %v, want [0 255]", codes)
	}
}

func TestTrainSQ8_Rejects(t *testing.T) {
	t.Parallel()
	if _, err := TrainSQ8([]float32{1, 2, 3}, 2); !errors.Is(err, ErrDimension) {
		t.Errorf("ragged rows: %v, want ErrDimension", err)
	}
	if _, err := TrainSQ8([]float32{1, float32(math.NaN())}, 2); err == nil {
		t.Error("NaN: no error")
	}
}

// TestSQ8_DotKernels checks the SIMD and portable SQ8 kernels against a
// float64 reference of the same sum.
func TestSQ8_DotKernels(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(9, 10))
	for dim := 1; dim <= 70; dim++ {
		n := 9
		q := randRows(rng, 1, dim, 1)
		codes := make([]uint8, n*dim)
		for i := range codes {
			codes[i] = uint8(rng.IntN(256))
		}
		ids := []uint32{3, 0, 8, 8, 1}
		want := make([]float64, len(ids))
		var absSum float64
		for i, id := range ids {
			for d := range dim {
				p := float64(q[d]) * float64(codes[int(id)*dim+d])
				want[i] += p
				absSum += math.Abs(p)
			}
		}
		tol := 1e-6*absSum + 1e-6
		for i, id := range ids {
			if got := dotU8Go(q, codes[int(id)*dim:(int(id)+1)*dim]); math.Abs(float64(got)-want[i]) > tol {
				t.Fatalf("dim %d: dotU8Go = %v, want %v", dim, got, want[i])
			}
		}
		if !hasAVX2FMA {
			continue
		}
		out := make([]float32, len(ids))
		dotU8BatchAVX2(&q[0], &codes[0], dim, &ids[0], len(ids), &out[0], 2)
		for i := range ids {
			if math.Abs(float64(out[i])-want[i]) > tol {
				t.Fatalf("dim %d id %d: dotU8BatchAVX2 = %v, want %v", dim, ids[i], out[i], want[i])
			}
		}
	}
}

// TestWithSQ8_RecallAndExactDistances builds an index on a fixed-seed
// clustered set, searches it on SQ8 codes with rescoring, and checks
// recall@10 against the exact index (a generous bound: the float graph
// reaches about 0.99 here) and that every reported distance is the exact
// one.
func TestWithSQ8_RecallAndExactDistances(t *testing.T) {
	t.Parallel()
	for _, metric := range []Metric{Cosine, InnerProduct, L2} {
		t.Run(metric.String(), func(t *testing.T) {
			t.Parallel()
			const n, dim, nq, k = 3000, 32, 100, 10
			base, queries, err := synth.Generate(synth.Config{N: n, Queries: nq, Dim: dim, Clusters: 20, Rank: 8, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			flat, err := NewFlat(dim, metric, append([]float32(nil), base...))
			if err != nil {
				t.Fatal(err)
			}
			h, err := BuildHNSW(context.Background(), dim, metric, base, HNSWConfig{M: 12, EFConstruction: 100, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			sq, err := TrainSQ8(h.Vectors(), dim)
			if err != nil {
				t.Fatal(err)
			}
			codes := make([]uint8, len(h.Vectors()))
			sq.Encode(h.Vectors(), codes)
			qh, err := h.WithSQ8(sq, codes, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !qh.Quantized() || h.Quantized() {
				t.Fatal("Quantized: want the new index only")
			}
			hits := 0
			for i := range nq {
				q := queries[i*dim : (i+1)*dim]
				want, err := flat.Search(q, k, SearchOptions{})
				if err != nil {
					t.Fatal(err)
				}
				got, err := qh.Search(q, k, SearchOptions{EF: 64})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != k {
					t.Fatalf("query %d: %d results", i, len(got))
				}
				exact, err := flat.Distances(q, idsOf(got))
				if err != nil {
					t.Fatal(err)
				}
				for j, g := range got {
					if j > 0 && closer(g, got[j-1]) {
						t.Fatalf("query %d: results out of order at %d", i, j)
					}
					if d := math.Abs(float64(g.Distance - exact[j].Distance)); d > 1e-4 {
						t.Fatalf("query %d: id %d distance %v, exact %v", i, g.ID, g.Distance, exact[j].Distance)
					}
				}
				hits += overlap(want, got)
			}
			if recall := float64(hits) / (nq * k); recall < 0.9 {
				t.Errorf("recall@10 %.3f < 0.9", recall)
			}
		})
	}
}

func idsOf(ns []Neighbor) []uint32 {
	ids := make([]uint32, len(ns))
	for i, x := range ns {
		ids[i] = x.ID
	}
	return ids
}

func overlap(a, b []Neighbor) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x.ID == y.ID {
				n++
				break
			}
		}
	}
	return n
}

func TestWithSQ8_RejectsWrongShape(t *testing.T) {
	t.Parallel()
	v := randRows(rand.New(rand.NewPCG(1, 2)), 50, 4, 1)
	h, err := BuildHNSW(context.Background(), 4, Cosine, v, HNSWConfig{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	sq, err := TrainSQ8(h.Vectors(), 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.WithSQ8(sq, make([]uint8, 10), 0); !errors.Is(err, ErrDimension) {
		t.Fatalf("short codes: %v, want ErrDimension", err)
	}
}

func TestReadSQ8_RoundTripAndCorruption(t *testing.T) {
	t.Parallel()
	v := randRows(rand.New(rand.NewPCG(3, 4)), 20, 6, 1)
	sq, err := TrainSQ8(v, 6)
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]uint8, len(v))
	sq.Encode(v, codes)
	var buf bytes.Buffer
	if _, err := WriteSQ8(&buf, sq, codes); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	q2, c2, err := ReadSQ8(bytes.NewReader(good), 6, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c2, codes) || q2.Min[3] != sq.Min[3] || q2.Scale[5] != sq.Scale[5] {
		t.Fatal("round trip changed the data")
	}
	cases := []struct {
		name      string
		data      []byte
		dim, rows int
	}{
		{"empty", nil, 6, 20},
		{"truncated", good[:len(good)-5], 6, 20},
		{"flipped code", flip(good, sq8HeaderSize+8*6+3), 6, 20},
		{"bad magic", flip(good, 0), 6, 20},
		{"wrong dim", good, 7, 20},
		{"wrong rows", good, 6, 21},
		{"dim zero", good, 0, 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, _, err := ReadSQ8(bytes.NewReader(tc.data), tc.dim, tc.rows); !errors.Is(err, ErrSQ8) {
				t.Fatalf("err %v, want ErrSQ8", err)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x40
	return c
}

// FuzzReadSQ8 feeds arbitrary bytes to the SQ8 decoder: it must return
// codes of the stated shape or an ErrSQ8, never panic, and what it accepts
// must decode to finite values.
func FuzzReadSQ8(f *testing.F) {
	v := randRows(rand.New(rand.NewPCG(5, 6)), 4, 3, 1)
	sq, err := TrainSQ8(v, 3)
	if err != nil {
		f.Fatal(err)
	}
	codes := make([]uint8, len(v))
	sq.Encode(v, codes)
	var buf bytes.Buffer
	if _, err := WriteSQ8(&buf, sq, codes); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), 3)
	f.Add(buf.Bytes()[:30], 3)
	f.Add([]byte("ANNSQ8\x00\x01\x03\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"), 3)
	f.Add([]byte{}, 1)
	f.Fuzz(func(t *testing.T, data []byte, dim int) {
		dim = 1 + abs(dim)%16
		q, codes, err := ReadSQ8(bytes.NewReader(data), dim, -1)
		if err != nil {
			if !errors.Is(err, ErrSQ8) {
				t.Fatalf("error %v does not wrap ErrSQ8", err)
			}
			return
		}
		if q.Dim() != dim || len(codes)%dim != 0 || len(codes) > len(data) {
			t.Fatalf("shape: dim %d, %d codes from %d bytes", q.Dim(), len(codes), len(data))
		}
		out := make([]float32, len(codes))
		q.Decode(codes, out)
		for _, x := range out {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				t.Fatalf("decoded %v", x)
			}
		}
	})
}

func abs(x int) int {
	if x < 0 {
		if x == math.MinInt {
			return 0
		}
		return -x
	}
	return x
}
