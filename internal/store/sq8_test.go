package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/ann"
)

func TestWrite_SQ8RoundTrip(t *testing.T) {
	t.Parallel()
	for _, metric := range []ann.Metric{ann.Cosine, ann.L2} {
		t.Run(metric.String(), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "store")
			chunks, vecs := testData(400, testEmbedding.Dims, 3)
			orig := append([]float32(nil), vecs...)
			m, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{
				Version: "v1", Embedding: testEmbedding, Metric: metric, HNSW: smallHNSW(), Quantization: QuantizeSQ8,
			})
			if err != nil {
				t.Fatal(err)
			}
			if m.Index == nil || m.Index.Quantization != QuantizeSQ8 {
				t.Fatalf("manifest index %+v, want quantization sq8", m.Index)
			}
			// One byte per component, plus the header, ranges and checksum.
			if fi, ok := m.Files[SQ8File]; !ok || fi.Size != int64(len(vecs))+20+8*int64(testEmbedding.Dims)+4 {
				t.Fatalf("%s: %+v listed %v", SQ8File, fi, ok)
			}
			s, err := Open(context.Background(), dir, OpenOptions{Embedding: testEmbedding})
			if err != nil {
				t.Fatal(err)
			}
			h, ok := s.Index.(*ann.HNSW)
			if !ok || !h.Quantized() {
				t.Fatalf("index %T, want a quantized *ann.HNSW", s.Index)
			}
			flat, err := ann.NewFlat(testEmbedding.Dims, metric, append([]float32(nil), orig...))
			if err != nil {
				t.Fatal(err)
			}
			hits := 0
			for i := 0; i < 400; i += 7 {
				q := orig[i*testEmbedding.Dims : (i+1)*testEmbedding.Dims]
				got, err := s.Index.Search(q, 5, ann.SearchOptions{EF: 200})
				if err != nil {
					t.Fatal(err)
				}
				want, _ := flat.Search(q, 5, ann.SearchOptions{})
				if got[0].ID == want[0].ID {
					hits++
				}
			}
			if hits < 57 { // of 58 queries
				t.Fatalf("top-1 agrees with exact search on %d of 58 queries", hits)
			}
			ex, err := Open(context.Background(), dir, OpenOptions{Embedding: testEmbedding, Exact: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := ex.Index.(*ann.Flat); !ok {
				t.Fatalf("exact open: index %T", ex.Index)
			}
		})
	}
}

func TestOpen_SQ8Corrupt(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "base")
	writeTestStore(t, base, 60, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW(), Quantization: QuantizeSQ8})
	setManifest := func(dir string, f func(m *Manifest)) {
		m, err := ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name    string
		corrupt func(dir string)
	}{
		{"flipped code byte, rehashed", func(dir string) {
			p := filepath.Join(dir, SQ8File)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-10] ^= 1
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			rehash(t, dir)
		}},
		{"unknown quantization", func(dir string) {
			setManifest(dir, func(m *Manifest) { m.Index.Quantization = "pq16" })
		}},
		{"codes not listed", func(dir string) {
			setManifest(dir, func(m *Manifest) { delete(m.Files, SQ8File) })
		}},
		{"quantization without a graph", func(dir string) {
			setManifest(dir, func(m *Manifest) { m.Index.Type = "flat" })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			copyDir(t, base, dir)
			tc.corrupt(dir)
			if _, err := Open(context.Background(), dir, OpenOptions{Embedding: testEmbedding}); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestWrite_RejectsUnknownQuantization(t *testing.T) {
	t.Parallel()
	chunks, vecs := testData(5, testEmbedding.Dims, 1)
	if _, err := Write(context.Background(), filepath.Join(t.TempDir(), "s"), chunks, vecs,
		WriteOptions{Embedding: testEmbedding, Quantization: "int4"}); err == nil {
		t.Fatal("no error")
	}
}

func TestOpen_SQ8RecordedAndBudget(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 60, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW(), Quantization: QuantizeSQ8})
	age(t, dir)
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{VerifiedHashed, VerifiedRecorded} {
		s, err := openVerified(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if h, ok := s.Index.(*ann.HNSW); !ok || !h.Quantized() || s.Verified != want {
			t.Fatalf("index %T verified %q, want a quantized *ann.HNSW, %q", s.Index, s.Verified, want)
		}
	}
	// The codes are charged to the load budget, on top of what a float
	// store of the same files costs; an exact open loads neither graph
	// nor codes.
	withoutCodes := m.Files[VectorsFile].Size + textBytes(m.Files[ChunksFile].Size, m.Files[KeywordFile].Size) +
		8*(int64(m.Count)+1) + m.Files[GraphFile].Size
	cases := []struct {
		name   string
		opts   OpenOptions
		tooBig bool
	}{
		{"codes over budget", OpenOptions{MaxBytes: withoutCodes}, true},
		{"codes within budget", OpenOptions{MaxBytes: withoutCodes + m.Files[SQ8File].Size}, false},
		{"exact open charges no codes", OpenOptions{MaxBytes: withoutCodes, Exact: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Embedding = testEmbedding
			_, err := Open(context.Background(), dir, tc.opts)
			if got := errors.Is(err, ErrTooLarge); got != tc.tooBig || (!tc.tooBig && err != nil) {
				t.Fatalf("err %v, want ErrTooLarge %v", err, tc.tooBig)
			}
		})
	}
}
