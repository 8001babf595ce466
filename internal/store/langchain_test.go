package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/lcfixture"
)

// fixtureDir holds LangChain folders written by scripts/faiss_fixtures.py
// with FAISS itself, each with FAISS's search results in expected.json.
const fixtureDir = "testdata/langchain"

type lcExpected struct {
	FourCC    string          `json:"fourcc"`
	Dims      int             `json:"dims"`
	Count     int             `json:"count"`
	Metric    string          `json:"metric"`
	K         int             `json:"k"`
	Queries   [][]float32     `json:"queries"`
	Labels    [][]int         `json:"labels"`
	Distances [][]float32     `json:"distances"`
	Relevance [][]float32     `json:"relevance"`
	IDs       []string        `json:"ids"`
	Texts     []string        `json:"texts"`
	Metadata  json.RawMessage `json:"metadata"`
	// FAISSLabels, for an index with an id map, is row i's FAISS id; the
	// labels above are those ids, and the store answers with rows.
	FAISSLabels []int `json:"faiss_labels"`
	// IndexName is the index_name the folder was saved with, when not
	// LangChain's default.
	IndexName string `json:"index_name"`
}

func lcFixtures(t testing.TB, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	if err != nil || len(files) < 4 {
		t.Fatalf("fixtures under %s: %d found, %v", root, len(files), err)
	}
	for i := range files {
		files[i] = filepath.Dir(files[i])
	}
	return files
}

// checkLangChainFolder opens dir and compares rows, chunks, search results
// and relevance scores with what FAISS recorded in expected.json.
func checkLangChainFolder(t *testing.T, dir string, exact bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e lcExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	emb := docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: e.Dims}
	s, err := Open(context.Background(), dir, OpenOptions{Embedding: emb, Exact: exact, IndexName: e.IndexName})
	if err != nil {
		t.Fatal(err)
	}
	wantMetric := map[string]ann.Metric{"l2": ann.L2, "ip": ann.InnerProduct}[e.Metric]
	if s.Format != FormatLangChain || s.Index.Metric() != wantMetric || s.Index.Len() != e.Count ||
		s.Manifest.Count != e.Count || s.Manifest.Embedding != emb || !strings.HasPrefix(s.Manifest.Version, "lc-") ||
		len(s.Manifest.Files) != 2 {
		t.Fatalf("store %s metric %v len %d manifest %+v", s.Format, s.Index.Metric(), s.Index.Len(), s.Manifest)
	}
	var md []json.RawMessage
	if err := json.Unmarshal(e.Metadata, &md); err != nil {
		t.Fatal(err)
	}
	for i, c := range s.Chunks {
		if c.ID != e.IDs[i] || c.Text != e.Texts[i] {
			t.Fatalf("chunk %d: %q %q, want %q %q", i, c.ID, c.Text, e.IDs[i], e.Texts[i])
		}
		got, _ := json.Marshal(c.Metadata)
		if !jsonEqual(t, got, md[i]) {
			t.Errorf("chunk %d metadata %s, want %s", i, got, md[i])
		}
	}
	label := func(row uint32) int { return int(row) }
	if e.FAISSLabels != nil {
		label = func(row uint32) int { return e.FAISSLabels[row] }
	}
	for qi, q := range e.Queries {
		hits, err := s.Index.Search(q, e.K, ann.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for r, h := range hits {
			if label(h.ID) != e.Labels[qi][r] {
				t.Fatalf("query %d rank %d: row %d (label %d), FAISS says %d", qi, r, h.ID, label(h.ID), e.Labels[qi][r])
			}
			faissDist := h.Distance
			if wantMetric == ann.InnerProduct {
				faissDist = -h.Distance
			}
			if math.Abs(float64(faissDist-e.Distances[qi][r])) > 1e-5 {
				t.Errorf("query %d rank %d: distance %v, FAISS says %v", qi, r, faissDist, e.Distances[qi][r])
			}
			if got := Relevance(s.Index.Metric(), h.Distance); math.Abs(float64(got-e.Relevance[qi][r])) > 1e-5 {
				t.Errorf("query %d rank %d: relevance %v, LangChain's formula gives %v", qi, r, got, e.Relevance[qi][r])
			}
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	da := json.NewDecoder(bytes.NewReader(a))
	da.UseNumber()
	db := json.NewDecoder(bytes.NewReader(b))
	db.UseNumber()
	if err := da.Decode(&x); err != nil {
		t.Fatal(err)
	}
	if err := db.Decode(&y); err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

func TestOpen_LangChainFixtures(t *testing.T) {
	t.Parallel()
	for _, dir := range lcFixtures(t, fixtureDir) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			checkLangChainFolder(t, dir, false)
		})
	}
}

// faissPython returns a python3 that can import faiss: $VENDOR0919_PYTHON,
// python3 on PATH, or /usr/bin/python3 (Debian's python3-faiss).
func faissPython(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short skips regenerating fixtures with FAISS")
	}
	var cands []string
	if p := os.Getenv("VENDOR0919_PYTHON"); p != "" {
		cands = append(cands, p)
	}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	cands = append(cands, "/usr/bin/python3")
	for _, p := range cands {
		if exec.Command(p, "-c", "import faiss, numpy").Run() == nil {
			return p
		}
	}
	if os.Getenv("VENDOR0919_REQUIRE_TOOLS") == "1" {
		t.Fatal("no python3 with faiss and numpy (install python3-faiss or set VENDOR0919_PYTHON)")
	}
	t.Skip("no python3 with faiss and numpy; set VENDOR0919_PYTHON or install python3-faiss")
	return ""
}

// TestFixtures_RegeneratedAgree writes the fixtures afresh with FAISS and
// checks the Go readers against FAISS's own search results.
func TestFixtures_RegeneratedAgree(t *testing.T) {
	t.Parallel()
	py := faissPython(t)
	out := t.TempDir()
	mismatch := t.TempDir()
	cmd := exec.Command(py, "../../scripts/faiss_fixtures.py", "--out", out, "--mismatch-out", mismatch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("faiss_fixtures.py: %v\n%s", err, b)
	}
	for _, dir := range mismatchFixtures(t, mismatch) {
		t.Run("mismatch/"+filepath.Base(dir), func(t *testing.T) {
			checkRowMismatch(t, dir)
			for _, name := range []string{LangChainIndexFile, LangChainDocsFile, "expected.json"} {
				fresh, _ := os.ReadFile(filepath.Join(dir, name))
				committed, _ := os.ReadFile(filepath.Join(mismatchDir, filepath.Base(dir), name))
				if !bytes.Equal(fresh, committed) {
					t.Errorf("%s differs from the committed fixture; rerun make fixtures", name)
				}
			}
		})
	}
	for _, dir := range lcFixtures(t, out) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			checkLangChainFolder(t, dir, false)
			// The committed copy must still be what the script writes.
			lay, err := Detect(dir, fixtureIndexName(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range lay.Files {
				fresh, _ := os.ReadFile(filepath.Join(dir, name))
				committed, _ := os.ReadFile(filepath.Join(fixtureDir, filepath.Base(dir), name))
				if !bytes.Equal(fresh, committed) {
					t.Errorf("%s differs from the committed fixture; rerun scripts/faiss_fixtures.py --out internal/store/testdata/langchain", name)
				}
			}
		})
	}
}

// writeLangChain writes a LangChain FAISS folder from Go: an IxF2 or IxFI
// index.faiss and a protocol-4 index.pkl laid out as LangChain writes them
// (pydantic v2 Documents). It lets tests use more rows than the committed
// fixtures without Python.
// writeLargeLangChain writes a LangChain folder of n rows of dims floats
// (testData's, from seed) whose texts are text(i), and returns the folder
// and the rows (not the copy the folder was written from).
func writeLargeLangChain(t *testing.T, n, dims int, seed uint64, text func(i int) string) (string, []float32) {
	t.Helper()
	_, vecs := testData(n, dims, seed)
	texts := make([]string, n)
	for i := range texts {
		texts[i] = text(i)
	}
	dir := t.TempDir()
	writeLangChain(t, dir, dims, false, append([]float32(nil), vecs...), texts)
	return dir, vecs
}

func writeLangChain(t testing.TB, dir string, dims int, ip bool, vecs []float32, texts []string) {
	t.Helper()
	if err := lcfixture.Write(dir, dims, ip, vecs, texts); err != nil {
		t.Fatal(err)
	}
}

func TestOpen_LangChainLargeBuildsHNSW(t *testing.T) {
	t.Parallel()
	const n, dims = ExactThreshold + 500, 16
	dir, vecs := writeLargeLangChain(t, n, dims, 5, func(i int) string { return fmt.Sprintf("文書 %d", i) })
	for _, exact := range []bool{false, true} {
		s, err := Open(context.Background(), dir, OpenOptions{Exact: exact, EFSearch: 100})
		if err != nil {
			t.Fatal(err)
		}
		_, isHNSW := s.Index.(*ann.HNSW)
		if isHNSW == exact || (s.Manifest.Index.Type == "hnsw") == exact {
			t.Fatalf("exact %v: index %T, manifest %+v", exact, s.Index, s.Manifest.Index)
		}
		if !exact && s.Manifest.Index.EFSearch != 100 {
			t.Errorf("EFSearch %d, want 100", s.Manifest.Index.EFSearch)
		}
		if s.Chunks[1234].ID != "id-1234" || s.Chunks[1234].Text != "文書 1234" || s.Chunks[1234].Metadata["row"] != float64(1234) {
			t.Fatalf("chunk 1234: %+v", s.Chunks[1234])
		}
		hits := 0
		for i := 0; i < n; i += 25 {
			got, err := s.Index.Search(vecs[i*dims:(i+1)*dims], 1, ann.SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got[0].ID == uint32(i) {
				hits++
			}
		}
		if hits < n/25*95/100 {
			t.Fatalf("exact %v: %d of %d rows find themselves", exact, hits, n/25)
		}
	}
}

func TestOpen_LangChainCorrupt(t *testing.T) {
	t.Parallel()
	src := filepath.Join(fixtureDir, "hnsw_flat_pydantic_v2")
	edit := func(name string, f func([]byte) []byte) func(string) {
		return func(dir string) {
			p := filepath.Join(dir, name)
			b, _ := os.ReadFile(p)
			if err := os.WriteFile(p, f(b), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name   string
		damage func(dir string)
		want   error
		substr []string
	}{
		{"faiss truncated", edit(LangChainIndexFile, func(b []byte) []byte { return b[:len(b)-10] }), ErrCorrupt, []string{LangChainIndexFile, "offset"}},
		{"faiss huge ntotal", edit(LangChainIndexFile, func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[8:], 1<<50)
			return b
		}), ErrCorrupt, []string{LangChainIndexFile, "offset 8"}},
		{"faiss IVF-PQ", edit(LangChainIndexFile, func(b []byte) []byte { copy(b, "IwPQ"); return b }), ErrUnsupported, []string{LangChainIndexFile, "IwPQ"}},
		{"pickle truncated", edit(LangChainDocsFile, func(b []byte) []byte { return b[:len(b)/2] }), ErrCorrupt, []string{LangChainDocsFile, "offset"}},
		{"pickle foreign class", edit(LangChainDocsFile, func(b []byte) []byte {
			return bytes.Replace(b, []byte("langchain_core.documents.base"), []byte("langchain_core.documents.evil"), 1)
		}), ErrCorrupt, []string{LangChainDocsFile, "langchain_core.documents.evil.Document"}},
		{"pickle missing", func(dir string) { os.Remove(filepath.Join(dir, LangChainDocsFile)) }, ErrCorrupt, []string{LangChainDocsFile}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "lc")
			copyDir(t, src, dir)
			tt.damage(dir)
			_, err := Open(context.Background(), dir, OpenOptions{})
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

func TestOpen_LangChainRowsMismatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, vecs := testData(3, 4, 1)
	writeLangChain(t, dir, 4, true, vecs, []string{"a", "b"})
	_, err := Open(context.Background(), dir, OpenOptions{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "maps 2 rows") {
		t.Fatalf("err %v", err)
	}
}

func TestOpen_LangChainMetricOverride(t *testing.T) {
	t.Parallel()
	s, err := Open(context.Background(), filepath.Join(fixtureDir, "flat_ip_pydantic_v1"), OpenOptions{Metric: ann.Cosine})
	if err != nil {
		t.Fatal(err)
	}
	if s.Index.Metric() != ann.Cosine || s.Manifest.Metric != "cosine" {
		t.Fatalf("metric %v / %q", s.Index.Metric(), s.Manifest.Metric)
	}
}

// FuzzNative feeds arbitrary bytes to one file of a valid native store,
// with the manifest rehashed so the parsers, not the checksums, see them.
func FuzzNative(f *testing.F) {
	base := filepath.Join(f.TempDir(), "base")
	writeTestStore(f, base, 12, WriteOptions{Embedding: docmodel.EmbeddingModel{Dims: 4}, HNSW: ann.HNSWConfig{M: 4, Workers: 1}})
	names := []string{ManifestFile, VectorsFile, ChunksFile, GraphFile, ChunkIndexFile, KeywordFile}
	for i, name := range names {
		b, err := os.ReadFile(filepath.Join(base, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
		f.Add(uint8(i), b[:len(b)/2])
	}
	f.Add(uint8(2), []byte("{\"id\":\"x\",\"metadata\":{\"a\":[1e400]}}\n"))
	// A manifest with part hashes (one part of a small file, and a bad count).
	if mb, err := os.ReadFile(filepath.Join(base, ManifestFile)); err == nil {
		h := strings.Repeat("0", 64)
		withParts := strings.Replace(string(mb), "\"files\":", `"parts": {"`+VectorsFile+`": {"size": 1048576, "sha256": ["`+h+`"]}}, "files":`, 1)
		f.Add(uint8(0), []byte(withParts))
		f.Add(uint8(0), []byte(strings.Replace(withParts, `["`+h+`"]`, `["`+h+`","`+h+`"]`, 1)))
		// Labels over their bounds: a long version, a version with a line
		// break, a long model name.
		for _, edit := range []func(m map[string]any){
			func(m map[string]any) { m["version"] = strings.Repeat("v", MaxVersionBytes+1) },
			func(m map[string]any) { m["version"] = "v1\nlevel=ERROR" },
			func(m map[string]any) {
				m["embedding"].(map[string]any)["model"] = strings.Repeat("m", MaxModelNameBytes+1)
			},
		} {
			var m map[string]any
			if err := json.Unmarshal(mb, &m); err != nil {
				f.Fatal(err)
			}
			edit(m)
			b, err := json.Marshal(m)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(0), b)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		dir := filepath.Join(t.TempDir(), "s")
		copyDir(t, base, dir)
		name := names[int(which)%len(names)]
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if name != ManifestFile {
			rehash(t, dir)
		}
		s, err := Open(context.Background(), dir, OpenOptions{})
		if err != nil {
			return
		}
		if s.ChunkCount() != s.Index.Len() || s.Index.Dim() != s.Manifest.Embedding.Dims {
			t.Fatalf("inconsistent store: %d chunks, index %d x %d", s.ChunkCount(), s.Index.Len(), s.Index.Dim())
		}
		if err := CheckLabels(s.Manifest.Version, s.Manifest.Embedding); err != nil {
			t.Fatalf("opened a store whose labels are refused: %v", err)
		}
		// Whatever opened must serve: every chunk decodes, and the keyword
		// index (persisted or rebuilt) answers within the store.
		for i := range s.ChunkCount() {
			if s.Chunk(i).ID == "" {
				t.Fatalf("chunk %d has no id", i)
			}
		}
		kw, _ := s.KeywordIndex(nil)
		for _, r := range kw.Search("経費 精算 3", 5, nil) {
			if int(r.ID) >= s.ChunkCount() {
				t.Fatalf("keyword hit %d of %d chunks", r.ID, s.ChunkCount())
			}
		}
	})
}

func TestWithHNSW_DeferredGraph(t *testing.T) {
	t.Parallel()
	const n, dims = ExactThreshold + 300, 16
	dir, vecs := writeLargeLangChain(t, n, dims, 9, func(i int) string { return fmt.Sprintf("doc %d", i) })
	for _, metric := range []ann.Metric{0, ann.Cosine} {
		s, err := Open(context.Background(), dir, OpenOptions{DeferGraph: true, Metric: metric})
		if err != nil {
			t.Fatal(err)
		}
		if _, flat := s.Index.(*ann.Flat); !flat || !s.NeedsGraph() || s.Manifest.Index.Type != "flat" {
			t.Fatalf("metric %v: deferred open gave %T %+v", metric, s.Index, s.Manifest.Index)
		}
		// Search the exact store while the graph is built, as the server does.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 200; i++ {
				if _, err := s.Index.Search(vecs[:dims], 3, ann.SearchOptions{}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		g, err := s.WithHNSW(context.Background(), 64)
		<-done
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := g.Index.(*ann.HNSW); !ok || g.Manifest.Index.Type != "hnsw" || g.NeedsGraph() {
			t.Fatalf("metric %v: after WithHNSW %T %+v", metric, g.Index, g.Manifest.Index)
		}
		if _, flat := s.Index.(*ann.Flat); !flat || s.Manifest.Index.Type != "flat" {
			t.Fatalf("WithHNSW changed the original store")
		}
		agree := 0
		for i := 0; i < n; i += 23 {
			a, _ := s.Index.Search(vecs[i*dims:(i+1)*dims], 1, ann.SearchOptions{})
			b, _ := g.Index.Search(vecs[i*dims:(i+1)*dims], 1, ann.SearchOptions{})
			if a[0].ID == b[0].ID {
				agree++
			}
		}
		if agree < (n/23)*95/100 {
			t.Errorf("metric %v: graph agrees with exact on %d of %d", metric, agree, n/23)
		}
		if again, _ := g.WithHNSW(context.Background(), 64); again != g {
			t.Errorf("WithHNSW on a graph store must return it unchanged")
		}
	}
}
