package faiss

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// fixtures are written by scripts/faiss_fixtures.py with FAISS itself:
// LangChain folders (--out) and this package's ID map and IVF cases
// (--faiss-out).
var fixtureDirs = []string{"../store/testdata/langchain", "testdata"}

type expected struct {
	FourCC      string      `json:"fourcc"`
	Dims        int         `json:"dims"`
	Count       int         `json:"count"`
	Metric      string      `json:"metric"`
	K           int         `json:"k"`
	Queries     [][]float32 `json:"queries"`
	Labels      [][]int     `json:"labels"`
	Distances   [][]float32 `json:"distances"`
	FirstVector []float32   `json:"first_vector"`
	LastVector  []float32   `json:"last_vector"`
	// ID map and IVF cases: every id in ascending order and the vector
	// FAISS's reconstruct(id) returns for it.
	IDs     []int64     `json:"faiss_ids"`
	NList   int         `json:"nlist"`
	Vectors [][]float32 `json:"vectors"`
}

func loadExpected(t *testing.T, dir string) expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

func fixtureCases(t testing.TB) []string {
	var all []string
	for _, dir := range fixtureDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*", "index.faiss"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures under %s: %v", dir, err)
		}
		for _, f := range files {
			all = append(all, filepath.Dir(f))
		}
	}
	return all
}

// bruteForce ranks rows by FAISS's own distance for metric and returns
// their labels.
func bruteForce(idx *Index, q []float32, k int) ([]int, []float32) {
	type hit struct {
		id int
		d  float32
	}
	hits := make([]hit, idx.Count)
	for i := range idx.Count {
		row := idx.Vectors[i*idx.Dim : (i+1)*idx.Dim]
		var s float32
		for j, v := range row {
			if idx.Metric == MetricL2 {
				d := v - q[j]
				s += d * d
			} else {
				s += v * q[j]
			}
		}
		hits[i] = hit{int(idx.Label(i)), s}
	}
	sort.SliceStable(hits, func(a, b int) bool {
		if idx.Metric == MetricL2 {
			return hits[a].d < hits[b].d
		}
		return hits[a].d > hits[b].d
	})
	ids := make([]int, k)
	ds := make([]float32, k)
	for i := range k {
		ids[i], ds[i] = hits[i].id, hits[i].d
	}
	return ids, ds
}

func TestReadFile_Fixtures(t *testing.T) {
	t.Parallel()
	for _, dir := range fixtureCases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			checkAgainstFAISS(t, dir)
		})
	}
}

// checkAgainstFAISS reads dir/index.faiss and compares it with the search
// results FAISS recorded in dir/expected.json.
func checkAgainstFAISS(t *testing.T, dir string) {
	t.Helper()
	e := loadExpected(t, dir)
	idx, err := ReadFile(filepath.Join(dir, "index.faiss"))
	if err != nil {
		t.Fatal(err)
	}
	if idx.FourCC != e.FourCC || idx.Dim != e.Dims || idx.Count != e.Count {
		t.Fatalf("got %s d=%d n=%d, want %s d=%d n=%d", idx.FourCC, idx.Dim, idx.Count, e.FourCC, e.Dims, e.Count)
	}
	wantMetric := map[string]MetricType{"l2": MetricL2, "ip": MetricInnerProduct}[e.Metric]
	if idx.Metric != wantMetric {
		t.Fatalf("metric %v, want %v", idx.Metric, wantMetric)
	}
	if (idx.HNSW != nil) != (e.FourCC == FourCCHNSWFlat) {
		t.Fatalf("HNSW info %+v for %s", idx.HNSW, e.FourCC)
	}
	if idx.HNSW != nil && (idx.HNSW.M != 4 || idx.HNSW.EFConstruction != 40 || idx.HNSW.EFSearch != 64) {
		t.Errorf("HNSW info %+v, want M 4, efConstruction 40, efSearch 64", *idx.HNSW)
	}
	if (idx.IVF != nil) != (e.FourCC == FourCCIVFFlat) || idx.IVF != nil && (idx.IVF.NList != e.NList || idx.IVF.NProbe != e.NList) {
		t.Fatalf("IVF info %+v for %s, want nlist = nprobe = %d", idx.IVF, e.FourCC, e.NList)
	}
	if e.IDs != nil {
		// Every row's label and vector are what FAISS reconstructs for it.
		if len(e.IDs) != idx.Count || len(e.Vectors) != idx.Count {
			t.Fatalf("expected.json has %d ids, %d vectors for %d rows", len(e.IDs), len(e.Vectors), idx.Count)
		}
		for i, id := range e.IDs {
			if idx.Label(i) != id {
				t.Fatalf("row %d: label %d, FAISS has %d", i, idx.Label(i), id)
			}
			if !slices.Equal(idx.Vectors[i*idx.Dim:(i+1)*idx.Dim], e.Vectors[i]) {
				t.Fatalf("row %d (id %d): vector differs from FAISS's reconstruct", i, id)
			}
		}
		contiguous := e.IDs[0] == 0 && e.IDs[len(e.IDs)-1] == int64(len(e.IDs)-1)
		if (idx.Labels == nil) != contiguous {
			t.Errorf("Labels nil = %v, ids 0..n-1 = %v", idx.Labels == nil, contiguous)
		}
	}
	if !slices.Equal(idx.Vectors[:e.Dims], e.FirstVector) || !slices.Equal(idx.Vectors[len(idx.Vectors)-e.Dims:], e.LastVector) {
		t.Fatal("first or last vector differs from what FAISS was given")
	}
	for qi, q := range e.Queries {
		ids, ds := bruteForce(idx, q, e.K)
		if !slices.Equal(ids, e.Labels[qi]) {
			t.Errorf("query %d: labels %v, FAISS says %v", qi, ids, e.Labels[qi])
		}
		for i := range ds {
			if diff := math.Abs(float64(ds[i] - e.Distances[qi][i])); diff > 1e-5 {
				t.Errorf("query %d rank %d: distance %v, FAISS says %v", qi, i, ds[i], e.Distances[qi][i])
			}
		}
	}
}

func TestRead_TruncatedEverywhere(t *testing.T) {
	t.Parallel()
	for _, dir := range fixtureCases(t) {
		b, err := os.ReadFile(filepath.Join(dir, "index.faiss"))
		if err != nil {
			t.Fatal(err)
		}
		for n := range len(b) {
			_, err := Read(bytes.NewReader(b[:n]), int64(n))
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("%s cut at %d: err %v, want ErrFormat", dir, n, err)
			}
			if !strings.Contains(err.Error(), "offset ") {
				t.Fatalf("%s cut at %d: error %q does not name an offset", dir, n, err)
			}
		}
	}
}

// flatL2 builds a small IxF2 record by hand.
func flatL2(d int32, ntotal uint64, vectorCount uint64, vecs []float32) []byte {
	var b bytes.Buffer
	b.WriteString("IxF2")
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, uint32(d)))
	b.Write(le.AppendUint64(nil, ntotal))
	b.Write(le.AppendUint64(nil, headerDummy))
	b.Write(le.AppendUint64(nil, headerDummy))
	b.WriteByte(1)
	b.Write(le.AppendUint32(nil, uint32(MetricL2)))
	b.Write(le.AppendUint64(nil, vectorCount))
	for _, v := range vecs {
		b.Write(le.AppendUint32(nil, math.Float32bits(v)))
	}
	return b.Bytes()
}

func TestRead_BadHeaders(t *testing.T) {
	t.Parallel()
	nan := float32(math.NaN())
	ivf := flatL2(2, 1, 2, []float32{1, 2})
	copy(ivf, "IwPQ")
	badMetric := flatL2(2, 1, 2, []float32{1, 2})
	binary.LittleEndian.PutUint32(badMetric[33:], uint32(MetricInnerProduct))
	tests := []struct {
		name   string
		data   []byte
		want   error
		substr string
	}{
		{"huge ntotal", flatL2(4, 1<<40, 4<<40, nil), ErrFormat, "offset 8"},
		{"huge ntotal within limit", flatL2(4, 1<<31, 4<<31, nil), ErrFormat, "truncated"},
		{"zero dim", flatL2(0, 1, 0, nil), ErrFormat, "dimension 0"},
		{"huge dim", flatL2(1<<30, 1, 1<<30, nil), ErrFormat, "dimension"},
		{"count mismatch", flatL2(2, 2, 3, []float32{1, 2, 3}), ErrFormat, "ntotal*d"},
		{"non-finite", flatL2(2, 1, 2, []float32{1, nan}), ErrFormat, "component 1"},
		{"huge", flatL2(2, 2, 4, []float32{1, 2, 3e38, 4}), ErrFormat, "vector 1 component 0"},
		{"trailing", append(flatL2(2, 1, 2, []float32{1, 2}), 0), ErrFormat, "trailing"},
		{"not faiss", []byte("\x00\x01\x02\x03rest"), ErrFormat, "not a FAISS index"},
		{"unsupported type", ivf, ErrUnsupported, `"IwPQ"`},
		{"metric disagrees with fourcc", badMetric, ErrFormat, "metric"},
		{"empty", nil, ErrFormat, "offset 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Read(bytes.NewReader(tt.data), int64(len(tt.data)))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err %v, want %v containing %q", err, tt.want, tt.substr)
			}
		})
	}
}

func TestRead_EmptyIndex(t *testing.T) {
	t.Parallel()
	b := flatL2(3, 0, 0, nil)
	idx, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if idx.Count != 0 || idx.Dim != 3 || len(idx.Vectors) != 0 {
		t.Fatalf("got %+v", idx)
	}
}

func FuzzFAISS(f *testing.F) {
	for _, dir := range fixtureCases(f) {
		b, err := os.ReadFile(filepath.Join(dir, "index.faiss"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(flatL2(4, 1<<40, 4<<40, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ReadContext(context.Background(), bytes.NewReader(b), int64(len(b)), 4096); err != nil &&
			!errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrBudget) {
			t.Fatalf("budgeted read: error %v wraps none of ErrFormat, ErrUnsupported, ErrBudget", err)
		}
		idx, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrUnsupported", err)
			}
			return
		}
		if len(idx.Vectors) != idx.Count*idx.Dim || len(idx.Vectors)*4 > len(b) {
			t.Fatalf("inconsistent index from %d bytes: d=%d n=%d len=%d", len(b), idx.Dim, idx.Count, len(idx.Vectors))
		}
		if idx.Labels != nil && len(idx.Labels) != idx.Count {
			t.Fatalf("%d labels for %d rows", len(idx.Labels), idx.Count)
		}
		for i := 1; i < idx.Count; i++ {
			if idx.Label(i) <= idx.Label(i-1) || idx.Label(i-1) < 0 {
				t.Fatalf("labels not distinct, ascending and non-negative at row %d", i)
			}
		}
	})
}
