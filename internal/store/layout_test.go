package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

func TestDetectFiles_Formats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		names   []string
		want    Layout
		wantErr error
	}{
		{"native", []string{"chunks.jsonl", ManifestFile, "vectors.f32"}, Layout{Format: FormatNative, Manifest: ManifestFile}, nil},
		{"native wins over LangChain", []string{LangChainDocsFile, ManifestFile, LangChainIndexFile}, Layout{Format: FormatNative, Manifest: ManifestFile}, nil},
		{"LangChain, sync state ignored", []string{".s3sync.json", LangChainDocsFile, LangChainIndexFile},
			Layout{Format: FormatLangChain, Files: []string{LangChainIndexFile, LangChainDocsFile}}, nil},
		{"half a LangChain folder", []string{LangChainIndexFile}, Layout{}, ErrCorrupt},
		{"nothing", []string{"readme.txt"}, Layout{}, ErrNoStore},
		{"empty", nil, Layout{}, ErrNoStore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := DetectFiles(tt.names, "")
			if !errors.Is(err, tt.wantErr) || got.Format != tt.want.Format || got.Manifest != tt.want.Manifest || !slices.Equal(got.Files, tt.want.Files) {
				t.Fatalf("DetectFiles(%v) = %+v, %v; want %+v, %v", tt.names, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDetect_MissingFolderIsNoStore(t *testing.T) {
	t.Parallel()
	if _, err := Detect(filepath.Join(t.TempDir(), "missing"), ""); !errors.Is(err, ErrNoStore) {
		t.Fatalf("err %v, want ErrNoStore", err)
	}
}

func TestVerifyDir_NativeAndLangChain(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "store")
	writeTestStore(t, dir, 20, WriteOptions{Embedding: testEmbedding, Version: "v9", Exact: true})
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := VerifyDir(dir, "")
	if err != nil || c.Format != FormatNative || c.Manifest != ManifestFile || c.Version != "v9" || len(c.Files) != len(m.Files) {
		t.Fatalf("native: %+v, %v", c, err)
	}

	lc := filepath.Join(fixtureDir, "flat_l2_pydantic_v2")
	c, err = VerifyDir(lc, "")
	if err != nil || c.Format != FormatLangChain || c.Manifest != "" || c.Version != "" || len(c.Files) != 2 {
		t.Fatalf("LangChain: %+v, %v", c, err)
	}
	want, _ := HashFile(filepath.Join(lc, LangChainIndexFile))
	if c.Files[LangChainIndexFile] != want {
		t.Fatalf("index hash %+v, want %+v", c.Files[LangChainIndexFile], want)
	}

	p := filepath.Join(dir, ChunksFile)
	b, _ := os.ReadFile(p)
	b[3] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyDir(dir, ""); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), ChunksFile) {
		t.Fatalf("damaged: err %v, want ErrCorrupt naming %s", err, ChunksFile)
	}
}

func TestCheckEmbedding_Rules(t *testing.T) {
	t.Parallel()
	stored := docmodel.EmbeddingModel{Provider: "openai", Model: "m1", Dims: 8}
	tests := []struct {
		name string
		emb  docmodel.EmbeddingModel
		want error
	}{
		{"same", stored, nil},
		{"other provider, same model", docmodel.EmbeddingModel{Provider: "ollama", Model: "m1", Dims: 8}, nil},
		{"embedder names nothing", docmodel.EmbeddingModel{}, nil},
		{"other dims", docmodel.EmbeddingModel{Provider: "openai", Model: "m1", Dims: 4}, ErrDimensionMismatch},
		{"other model", docmodel.EmbeddingModel{Provider: "openai", Model: "m2", Dims: 8}, ErrModelMismatch},
		{"Ollama's default tag", docmodel.EmbeddingModel{Provider: "ollama", Model: "m1:latest", Dims: 8}, nil},
		{"another tag", docmodel.EmbeddingModel{Provider: "ollama", Model: "m1:v1.5", Dims: 8}, ErrModelMismatch},
	}
	for _, tt := range tests {
		if err := CheckEmbedding("s", stored, tt.emb); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
		}
	}
	if err := CheckEmbedding("s", docmodel.EmbeddingModel{Dims: 8}, docmodel.EmbeddingModel{Model: "m2", Dims: 8}); err != nil {
		t.Errorf("store without a model: %v", err)
	}
	if err := CheckEmbedding("s", docmodel.EmbeddingModel{Provider: "ollama", Model: "m1:latest", Dims: 8}, docmodel.EmbeddingModel{Provider: "ollama", Model: "m1", Dims: 8}); err != nil {
		t.Errorf("store with the tag, embedder without: %v", err)
	}
}

func TestInspectVerify_Native(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "store")
	chunks, _ := writeTestStore(t, dir, 30, WriteOptions{Embedding: testEmbedding, Version: "v3", HNSW: smallHNSW()})
	rep, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != FormatNative || rep.Version != "v3" || rep.Count != 30 || rep.Documents != 7 || rep.Dims != 16 || rep.Index.Type != "hnsw" ||
		rep.Sample == nil || rep.Sample.ID != chunks[0].ID {
		t.Fatalf("report %+v", rep)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	if rep.KeywordAnalyzer != keyword.AnalyzerVersion {
		t.Errorf("keyword analyzer %q, want the standard one's", rep.KeywordAnalyzer)
	}
	for _, want := range []string{"format:     native v1", "version:    v3", "count:      30", "documents:  7", "embedding:  hash test-model", ChunksFile, "keywords:   " + keyword.AnalyzerVersion} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}

	var seen []string
	s, err := Verify(context.Background(), dir, "", func(name string, _ FileInfo) { seen = append(seen, name) })
	if err != nil || s.ChunkCount() != 30 {
		t.Fatalf("Verify: %v", err)
	}
	if want := []string{ChunkIndexFile, ChunksFile, GraphFile, KeywordFile, VectorsFile}; !slices.Equal(seen, want) {
		t.Fatalf("files seen %v, want %v", seen, want)
	}
}

// TestCheckReplaceable: Write replaces only what it may: nothing, an
// empty folder or a native store; a file, a link, a LangChain folder or a
// folder of other files is refused with ErrNotReplaceable.
func TestCheckReplaceable(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mk := func(files ...string) string {
		d, err := os.MkdirTemp(root, "d")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(d, f), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	file := filepath.Join(mk("f"), "f")
	link := filepath.Join(root, "link")
	if err := os.Symlink(mk(ManifestFile), link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dir  string
		ok   bool
	}{
		{"missing", filepath.Join(root, "none"), true},
		{"empty", mk(), true},
		{"native store", mk(ManifestFile, "vectors.f32"), true},
		{"file", file, false},
		{"symbolic link", link, false},
		{"LangChain folder", mk("index.faiss", "index.pkl"), false},
		{"other files", mk("report.docx"), false},
	} {
		err := CheckReplaceable(tc.dir)
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrNotReplaceable)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestChunkLine_Bounded: a chunk's line is at most MaxChunkLineBytes:
// Write refuses a longer chunk, Open's line check refuses a longer line,
// and Inspect reads a chunks file with no newline only that far (here a
// sparse gigabyte, which an unbounded read would hold in memory whole).
func TestChunkLine_Bounded(t *testing.T) {
	t.Parallel()
	chunks, vecs := testData(2, testEmbedding.Dims, 5)
	chunks[1].Text = strings.Repeat("x", MaxChunkLineBytes)
	_, err := Write(context.Background(), filepath.Join(t.TempDir(), "s"), chunks, vecs, WriteOptions{Embedding: testEmbedding, Exact: true})
	if err == nil || !strings.Contains(err.Error(), "a chunk may have") {
		t.Errorf("Write of a %d-byte chunk: %v", MaxChunkLineBytes, err)
	}
	if _, err := parseChunkLine([]byte(`{"id":"a","text":"` + strings.Repeat("x", MaxChunkLineBytes) + `"}`)); err == nil {
		t.Error("parseChunkLine accepted a line over the bound")
	}

	dir := filepath.Join(t.TempDir(), "store")
	writeTestStore(t, dir, 3, WriteOptions{Embedding: testEmbedding, Exact: true})
	f, err := os.OpenFile(filepath.Join(dir, ChunksFile), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// The bound, not the JSON decoder, must be what stops it.
	if _, err := Inspect(dir, ""); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "a chunk may have") {
		t.Errorf("Inspect of a gigabyte without a newline: %v, want ErrCorrupt at the bound", err)
	}
}

// TestRemoveStaleTemps: Write clears the temporary folders a killed build
// left beside the store once they are older than staleTempAge, and keeps
// a younger one (a build running now) and other names.
func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	old := time.Now().Add(-2 * staleTempAge)
	for name, mtime := range map[string]time.Time{
		".store.tmp-111": old, ".store.tmp-222": time.Now(), ".other.tmp-333": old, "store": old,
	} {
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	removeStaleTemps(parent, "store", time.Now().Add(-staleTempAge))
	var left []string
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if want := []string{".other.tmp-333", ".store.tmp-222", "store"}; !slices.Equal(left, want) {
		t.Errorf("left %v, want %v", left, want)
	}
}
