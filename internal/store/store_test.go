package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
)

var testEmbedding = docmodel.EmbeddingModel{Provider: "hash", Model: "test-model", Dims: 16}

// testData returns n chunks with Japanese text and nested metadata, and
// n random vectors of dims.
func testData(n, dims int, seed uint64) ([]docmodel.Chunk, []float32) {
	r := rand.New(rand.NewPCG(seed, 7))
	chunks := make([]docmodel.Chunk, n)
	for i := range chunks {
		chunks[i] = docmodel.Chunk{
			ID:   fmt.Sprintf("doc-%04d", i),
			Text: fmt.Sprintf("第%d条 経費は月末までに精算する。<b>&</b> %d", i, r.IntN(1000)),
			Metadata: map[string]any{
				"source": fmt.Sprintf("規程/%d.pdf", i%7),
				"page":   float64(i % 13),
				"nested": map[string]any{"tags": []any{"人事", "policy", nil, true}, "score": 0.25},
			},
		}
	}
	vecs := make([]float32, n*dims)
	for i := range vecs {
		vecs[i] = float32(r.NormFloat64())
	}
	return chunks, vecs
}

func writeTestStore(t testing.TB, dir string, n int, opts WriteOptions) ([]docmodel.Chunk, []float32) {
	t.Helper()
	chunks, vecs := testData(n, opts.Embedding.Dims, 1)
	if _, err := Write(context.Background(), dir, chunks, vecs, opts); err != nil {
		t.Fatal(err)
	}
	return chunks, vecs
}

func smallHNSW() ann.HNSWConfig {
	return ann.HNSWConfig{M: 8, EFConstruction: 64, EFSearch: 64, Workers: 1}
}

func TestWrite_RoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		metric ann.Metric
		exact  bool
	}{
		{"cosine hnsw", ann.Cosine, false},
		{"l2 hnsw", ann.L2, false},
		{"ip exact", ann.InnerProduct, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "store")
			chunks, vecs := testData(400, testEmbedding.Dims, 2)
			orig := append([]float32(nil), vecs...)
			m, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{
				Version: "v1", Embedding: testEmbedding, Metric: tt.metric, HNSW: smallHNSW(), Exact: tt.exact,
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(vecs, orig) {
				t.Fatal("Write modified the caller's vectors")
			}
			s, err := Open(context.Background(), dir, OpenOptions{Embedding: testEmbedding})
			if err != nil {
				t.Fatal(err)
			}
			if s.Format != FormatNative || s.Manifest.Version != "v1" || s.Manifest.Count != 400 || s.Manifest.Documents != 7 ||
				s.Manifest.Metric != tt.metric.String() || s.Manifest.Embedding != testEmbedding {
				t.Fatalf("manifest %+v", s.Manifest)
			}
			if !reflect.DeepEqual(s.Manifest, *m) {
				t.Fatalf("opened manifest %+v differs from written %+v", s.Manifest, *m)
			}
			if got := chunksOf(s); !reflect.DeepEqual(got, chunks) {
				t.Fatalf("chunks differ after the round trip:\n got %+v\nwant %+v", got[0], chunks[0])
			}
			_, isHNSW := s.Index.(*ann.HNSW)
			_, graphListed := m.Files[GraphFile]
			if isHNSW == tt.exact || graphListed == tt.exact {
				t.Fatalf("index %T, graph listed %v, exact %v", s.Index, graphListed, tt.exact)
			}
			// Every stored vector finds itself first.
			flat, err := ann.NewFlat(testEmbedding.Dims, tt.metric, append([]float32(nil), orig...))
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
		})
	}
}

func TestOpen_Mismatch(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "store")
	writeTestStore(t, dir, 20, WriteOptions{Embedding: testEmbedding, Exact: true})
	lc := filepath.Join(fixtureDir, "flat_l2_pydantic_v2")
	tests := []struct {
		name   string
		dir    string
		emb    docmodel.EmbeddingModel
		want   error
		substr []string
	}{
		{"native dims", dir, docmodel.EmbeddingModel{Provider: "openai", Model: "test-model", Dims: 1536}, ErrDimensionMismatch, []string{"16", "1536"}},
		{"native model", dir, docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: 16}, ErrModelMismatch, []string{"test-model", "text-embedding-3-small"}},
		{"langchain dims", lc, docmodel.EmbeddingModel{Provider: "openai", Model: "m", Dims: 384}, ErrDimensionMismatch, []string{"8-dimensional", "384"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), tt.dir, OpenOptions{Embedding: tt.emb})
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			for _, s := range tt.substr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestOpen_NoStore(t *testing.T) {
	t.Parallel()
	if _, err := Open(context.Background(), t.TempDir(), OpenOptions{}); !errors.Is(err, ErrNoStore) {
		t.Fatalf("err %v, want ErrNoStore", err)
	}
}

// rehash rewrites dir's manifest so its file sizes and hashes match the
// files again, letting a test reach the parsers behind Verify.
func rehash(t testing.TB, dir string) {
	t.Helper()
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name := range m.Files {
		fi, err := HashFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		m.Files[name] = fi
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_Corrupt(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "base")
	writeTestStore(t, base, 50, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW()})
	nan := binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(math.NaN())))
	huge := binary.LittleEndian.AppendUint32(nil, math.Float32bits(3e38))
	edit := func(name string, f func([]byte) []byte) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	flip := func(off int) func([]byte) []byte {
		return func(b []byte) []byte { b[off] ^= 0x40; return b }
	}
	cut := func(n int) func([]byte) []byte { return func(b []byte) []byte { return b[:len(b)-n] } }
	tests := []struct {
		name   string
		damage func(dir string)
		rehash bool
		substr []string
	}{
		{"manifest not JSON", edit(ManifestFile, cut(5)), false, []string{ManifestFile}},
		{"manifest bad metric", edit(ManifestFile, func(b []byte) []byte {
			return []byte(strings.Replace(string(b), `"metric": "cosine"`, `"metric": "hamming"`, 1))
		}), false, []string{ManifestFile, "hamming"}},
		{"vectors sha", edit(VectorsFile, flip(100)), false, []string{VectorsFile, "sha256"}},
		{"vectors size", edit(VectorsFile, cut(4)), false, []string{VectorsFile, "size"}},
		{"vectors short for count", edit(VectorsFile, cut(4)), true, []string{VectorsFile, "count*dims*4"}},
		{"vectors NaN", edit(VectorsFile, func(b []byte) []byte { copy(b[64:], nan); return b }), true, []string{VectorsFile, "offset 64"}},
		// Finite, but every distance to it overflows float32 (a review's
		// FAISS row of 3e38s searched to a -Inf score and an HTTP 500).
		{"vectors huge", edit(VectorsFile, func(b []byte) []byte { copy(b[64:], huge); return b }), true, []string{VectorsFile, "offset 64", "within"}},
		{"chunks sha", edit(ChunksFile, flip(10)), false, []string{ChunksFile, "sha256"}},
		{"chunks bad JSON", edit(ChunksFile, func(b []byte) []byte { b[0] = '['; return b }), true, []string{ChunksFile, "offset 0", "line 1"}},
		{"chunks missing line", edit(ChunksFile, func(b []byte) []byte {
			i := strings.LastIndex(strings.TrimSuffix(string(b), "\n"), "\n")
			return b[:i+1]
		}), true, []string{ChunksFile, "49 chunks, manifest says 50"}},
		{"chunks no newline", edit(ChunksFile, cut(1)), true, []string{ChunksFile, "no newline"}},
		{"graph sha", edit(GraphFile, flip(70)), false, []string{GraphFile, "sha256"}},
		{"graph bad byte", edit(GraphFile, flip(70)), true, []string{GraphFile, "offset"}},
		{"graph truncated", edit(GraphFile, cut(9)), true, []string{GraphFile, "offset"}},
		{"graph trailing", edit(GraphFile, func(b []byte) []byte { return append(b, 0) }), true, []string{GraphFile, "trailing"}},
		{"graph missing", func(dir string) { os.Remove(filepath.Join(dir, GraphFile)) }, false, []string{GraphFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			copyDir(t, base, dir)
			tt.damage(dir)
			if tt.rehash {
				rehash(t, dir)
			}
			_, err := Open(context.Background(), dir, OpenOptions{})
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
			for _, s := range tt.substr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestVerify_Mismatch(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 10, WriteOptions{Embedding: testEmbedding, Exact: true})
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Verify(dir); err != nil {
		t.Fatalf("fresh store: %v", err)
	}
	p := filepath.Join(dir, ChunksFile)
	b, _ := os.ReadFile(p)
	b[len(b)-2] = ' '
	os.WriteFile(p, b, 0o644)
	if err := m.Verify(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("changed byte: %v", err)
	}
	os.WriteFile(p, append(b, '\n'), 0o644)
	if err := m.Verify(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "size") {
		t.Fatalf("longer file: %v", err)
	}
}

func TestWrite_Rejects(t *testing.T) {
	t.Parallel()
	chunks, vecs := testData(3, 4, 1)
	emb := docmodel.EmbeddingModel{Dims: 4}
	dup := append([]docmodel.Chunk(nil), chunks...)
	dup[2].ID = dup[0].ID
	nan := append([]float32(nil), vecs...)
	nan[5] = float32(math.Inf(1))
	huge := append([]float32(nil), vecs...)
	huge[8] = -3e38
	tests := []struct {
		name   string
		chunks []docmodel.Chunk
		vecs   []float32
		emb    docmodel.EmbeddingModel
		substr string
	}{
		{"no dims", chunks, vecs, docmodel.EmbeddingModel{}, "dims"},
		{"length", chunks, vecs[:11], emb, "11 floats"},
		{"duplicate id", dup, vecs, emb, "share id"},
		{"non-finite", chunks, nan, emb, "vector 1 component 1"},
		{"huge", chunks, huge, emb, "vector 2 component 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			_, err := Write(context.Background(), dir, tt.chunks, tt.vecs, WriteOptions{Embedding: tt.emb})
			if err == nil || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err %v, want one containing %q", err, tt.substr)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("failed Write left %s behind", dir)
			}
		})
	}
}

func TestWrite_ReplacesAtomically(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "s")
	writeTestStore(t, dir, 10, WriteOptions{Embedding: testEmbedding, Exact: true, Version: "a"})
	chunks, vecs := testData(12, testEmbedding.Dims, 9)
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: testEmbedding, Exact: true, Version: "b"}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Manifest.Version != "b" || s.ChunkCount() != 12 {
		t.Fatalf("version %q, %d chunks", s.Manifest.Version, s.ChunkCount())
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Fatalf("parent holds %d entries, want only the store", len(entries))
	}
}

func TestRelevance_Metrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		metric   ann.Metric
		distance float32
		want     float32
	}{
		{ann.L2, 0, 1},
		{ann.L2, 2, float32(1 - 2/math.Sqrt2)},
		{ann.InnerProduct, -0.8, 0.2}, // dot 0.8 > 0: 1 - 0.8
		{ann.InnerProduct, 0.3, 0.3},  // dot -0.3: -dot
		{ann.InnerProduct, 0, 0},
		{ann.Cosine, 0.1, 0.9},
		{ann.Cosine, 1.5, -0.5},
		// Overflowed distances score finitely (JSON has no infinities).
		{ann.L2, float32(math.Inf(1)), -math.MaxFloat32},
		{ann.InnerProduct, float32(math.Inf(-1)), -math.MaxFloat32}, // dot +Inf: 1 - dot
		{ann.InnerProduct, float32(math.Inf(1)), math.MaxFloat32},   // dot -Inf: -dot
		{ann.Cosine, float32(math.NaN()), -math.MaxFloat32},
	}
	for _, tt := range tests {
		if got := Relevance(tt.metric, tt.distance); math.Abs(float64(got-tt.want)) > 1e-6 {
			t.Errorf("Relevance(%v, %v) = %v, want %v", tt.metric, tt.distance, got, tt.want)
		}
	}
}

func TestReadManifest_HugeCountsAreCorrupt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ count, dims, documents string }{
		{"4611686018427387905", "1", "0"}, // 2^62+1: count*dims*4 wraps to 4
		{"4294967296", "1", "0"},
		{"1", "65537", "0"},
		{"-1", "4", "0"},
		{"3", "4", "4"}, // more documents than chunks
		{"3", "4", "-1"},
	} {
		dir := t.TempDir()
		m := `{"format":"vendor0919-vectorstore","format_version":1,"count":` + tc.count + `,"documents":` + tc.documents +
			`,"embedding":{"provider":"hash","model":"m","dims":` + tc.dims + `},"metric":"cosine","files":{}}`
		if err := os.WriteFile(filepath.Join(dir, ManifestFile), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadManifest(dir); !errors.Is(err, ErrCorrupt) {
			t.Errorf("count %s dims %s documents %s: err %v, want ErrCorrupt", tc.count, tc.dims, tc.documents, err)
		}
		if _, err := Open(context.Background(), dir, OpenOptions{}); err == nil {
			t.Errorf("count %s dims %s: Open succeeded", tc.count, tc.dims)
		}
	}
}

// TestOpen_VerifiesEveryListedFile: a file the manifest lists but Open
// does not parse (a graph next to a flat index, an extra file) is still
// checked against its sha256.
func TestOpen_VerifiesEveryListedFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 10, WriteOptions{Embedding: testEmbedding, Exact: true})
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{GraphFile, "extra.bin"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("bytes the manifest does not describe"), 0o644); err != nil {
			t.Fatal(err)
		}
		m.Files[name] = FileInfo{Size: 36, SHA256: strings.Repeat("0", 64)}
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), dir, OpenOptions{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("Open = %v, want a sha256 mismatch", err)
	}
}

// chunksOf returns every chunk of s, however it holds them.
func chunksOf(s *Store) []docmodel.Chunk {
	out := make([]docmodel.Chunk, s.ChunkCount())
	for i := range out {
		out[i] = s.Chunk(i)
	}
	return out
}

// TestMinBytes_BelowWhatWriteTakes: MinBytes counts the float rows, the
// SQ8 codes (not with Exact, which writes none) and the chunk text, and
// a written store takes at least that much.
func TestMinBytes_BelowWhatWriteTakes(t *testing.T) {
	t.Parallel()
	emb := docmodel.EmbeddingModel{Provider: "hash", Model: "test-model", Dims: 64}
	for _, tt := range []struct {
		name   string
		opts   WriteOptions
		perRow int64
	}{
		{"float rows", WriteOptions{Embedding: emb, HNSW: smallHNSW()}, 64 * 4},
		{"sq8 codes too", WriteOptions{Embedding: emb, HNSW: smallHNSW(), Quantization: QuantizeSQ8}, 64 * 5},
		{"exact writes no codes", WriteOptions{Embedding: emb, Exact: true, Quantization: QuantizeSQ8}, 64 * 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			chunks, vecs := testData(300, emb.Dims, 3)
			text := int64(0)
			for _, c := range chunks {
				text += int64(len(c.Text))
			}
			least := MinBytes(chunks, tt.opts)
			if want := 300*tt.perRow + text; least != want {
				t.Errorf("MinBytes = %d, want %d", least, want)
			}
			dir := filepath.Join(t.TempDir(), "store")
			if _, err := Write(context.Background(), dir, chunks, vecs, tt.opts); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var size int64
			for _, e := range entries {
				info, err := e.Info()
				if err != nil {
					t.Fatal(err)
				}
				size += info.Size()
			}
			if size < least {
				t.Errorf("the store takes %d bytes, below MinBytes %d", size, least)
			}
		})
	}
}
