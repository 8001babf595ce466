package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
)

// namedFixture is a LangChain folder saved with index_name="faiss_index".
const namedFixture = fixtureDir + "/index_name_flat_l2_pydantic_v2"

// mismatchDir holds LangChain folders whose two files disagree, with what
// inspect should report in expected.json (scripts/faiss_fixtures.py
// --mismatch-out).
const mismatchDir = "testdata/langchain_mismatch"

func mismatchFixtures(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "*", "expected.json"))
	if err != nil || len(files) < 2 {
		t.Fatalf("mismatch fixtures under %s: %d found, %v", root, len(files), err)
	}
	for i := range files {
		files[i] = filepath.Dir(files[i])
	}
	return files
}

// fixtureIndexName returns the index_name a fixture's expected.json names.
func fixtureIndexName(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e lcExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e.IndexName
}

func TestCheckIndexName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"index", "faiss_index", "my-store.v2", "日本語", strings.Repeat("a", MaxIndexNameLen)} {
		if err := CheckIndexName(ok); err != nil {
			t.Errorf("CheckIndexName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "a/b", `a\b`, "..", "../index", "a..b", ".hidden", "a\x00b", "a\nb", strings.Repeat("a", MaxIndexNameLen+1)} {
		if err := CheckIndexName(bad); err == nil {
			t.Errorf("CheckIndexName(%q) = nil, want an error", bad)
		}
	}
}

func TestFolderFlags_Validate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{nil, "", false},
		{[]string{"--index-name", "faiss_index"}, "faiss_index", false},
		{[]string{"--index-name", "../x"}, "", true},
		{[]string{"--index-name", "a/b"}, "", true},
	} {
		var f FolderFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if tt.wantErr {
			if !errors.As(err, new(cliflag.UsageError)) || !strings.Contains(err.Error(), "--index-name") {
				t.Errorf("%v: err %v, want a usage error naming --index-name", tt.args, err)
			}
			continue
		}
		if err != nil || f.IndexName != tt.want {
			t.Errorf("%v: %+v, %v; want %q", tt.args, f, err, tt.want)
		}
	}
}

func TestDetectFiles_IndexName(t *testing.T) {
	t.Parallel()
	named := []string{"faiss_index.faiss", "faiss_index.pkl", "readme.txt"}
	lay, err := DetectFiles(named, "faiss_index")
	if err != nil || lay.Format != FormatLangChain || lay.IndexName != "faiss_index" ||
		!slices.Equal(lay.Files, []string{"faiss_index.faiss", "faiss_index.pkl"}) {
		t.Fatalf("named: %+v, %v", lay, err)
	}
	// The default name is not there, one other pair is: the error says
	// which name to set, and nothing is opened by guess.
	_, err = DetectFiles(named, "")
	if !errors.Is(err, ErrNoStore) || !strings.Contains(err.Error(),
		"found faiss_index.faiss + faiss_index.pkl: set VECTORSTORE_INDEX_NAME=faiss_index (vectorstore: --index-name faiss_index)") {
		t.Fatalf("default name: %v, want ErrNoStore with a hint", err)
	}
	// Two other pairs: both named. A pair in a subfolder, or half a pair,
	// is no candidate.
	_, err = DetectFiles([]string{"a.faiss", "a.pkl", "b.faiss", "b.pkl", "c.faiss", "sub/d.faiss", "sub/d.pkl"}, "index")
	if !errors.Is(err, ErrNoStore) || !strings.Contains(err.Error(), "found LangChain folders named a, b: set VECTORSTORE_INDEX_NAME") {
		t.Fatalf("two pairs: %v", err)
	}
	_, err = DetectFiles([]string{"c.faiss", "sub/d.faiss", "sub/d.pkl"}, "")
	if !errors.Is(err, ErrNoStore) || strings.Contains(err.Error(), "found") {
		t.Fatalf("no pair: %v, want ErrNoStore without a hint", err)
	}
	// Half of the named pair is corrupt, as for the default name.
	if _, err := DetectFiles([]string{"faiss_index.faiss"}, "faiss_index"); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "faiss_index.pkl") {
		t.Fatalf("half: %v", err)
	}
	// The default name wins when both are present.
	if lay, err := DetectFiles(append(named, LangChainIndexFile, LangChainDocsFile), ""); err != nil || lay.IndexName != DefaultIndexName {
		t.Fatalf("both: %+v, %v", lay, err)
	}
	if _, err := DetectFiles(named, "../faiss_index"); err == nil || errors.Is(err, ErrNoStore) {
		t.Fatalf("bad name: %v, want a plain error", err)
	}
}

func TestIndexName_OpenInspectVerifyImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := Open(ctx, namedFixture, OpenOptions{}); !errors.Is(err, ErrNoStore) || !strings.Contains(err.Error(), "VECTORSTORE_INDEX_NAME=faiss_index") {
		t.Fatalf("default name: %v", err)
	}
	s, err := Open(ctx, namedFixture, OpenOptions{IndexName: "faiss_index"})
	if err != nil || s.Format != FormatLangChain || len(s.Chunks) != 24 {
		t.Fatalf("open: %v", err)
	}
	if _, ok := s.Manifest.Files["faiss_index.faiss"]; !ok || len(s.Manifest.Files) != 2 {
		t.Fatalf("manifest files %v", s.Manifest.Files)
	}
	c, err := VerifyDir(namedFixture, "faiss_index")
	if err != nil || len(c.Files) != 2 || c.Files["faiss_index.pkl"].SHA256 != s.Manifest.Files["faiss_index.pkl"].SHA256 {
		t.Fatalf("VerifyDir: %+v, %v", c, err)
	}
	rep, err := Inspect(namedFixture, "faiss_index")
	if err != nil || rep.IndexName != "faiss_index" || rep.Count != 24 || rep.Rows == nil || !rep.Rows.OK() {
		t.Fatalf("Inspect: %+v, %v", rep, err)
	}
	var text bytes.Buffer
	if err := VerifyText(ctx, namedFixture, "faiss_index", &text); err != nil || !strings.Contains(text.String(), "ok  faiss_index.faiss") {
		t.Fatalf("VerifyText: %v\n%s", err, text.String())
	}
	out := filepath.Join(t.TempDir(), "native")
	f := ImportFlags{In: namedFixture, Out: out, Exact: true, Folder: FolderFlags{IndexName: "faiss_index"}}
	if err := f.Run(ctx, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n, err := Open(ctx, out, OpenOptions{}); err != nil || n.ChunkCount() != 24 || n.Chunk(3).ID != s.Chunk(3).ID {
		t.Fatalf("imported: %v", err)
	}
	f.Folder.IndexName = ""
	if err := f.Run(ctx, io.Discard, io.Discard); err == nil {
		t.Fatal("import with the default name read a folder that has none")
	}
}

// checkRowMismatch inspects dir and compares Report.Rows with what the
// fixture script computed; Open must refuse the folder when the report
// says it would.
func checkRowMismatch(t *testing.T, dir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Rows *RowCheck `json:"rows"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	rep, err := Inspect(dir, "")
	if err != nil {
		t.Fatalf("inspect must not fail on a mismatch: %v", err)
	}
	if !reflect.DeepEqual(rep.Rows, want.Rows) {
		t.Fatalf("rows %+v, want %+v", rep.Rows, want.Rows)
	}
	_, err = Open(context.Background(), dir, OpenOptions{})
	if want.Rows.Refused() != (err != nil) || (err != nil && !errors.Is(err, ErrCorrupt)) {
		t.Fatalf("open: %v, refused %v", err, want.Rows.Refused())
	}
}

func TestInspect_RowMismatch(t *testing.T) {
	t.Parallel()
	for _, dir := range mismatchFixtures(t, mismatchDir) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			checkRowMismatch(t, dir)
		})
	}

	rep, err := Inspect(filepath.Join(mismatchDir, "mixed"), "")
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	rep.WriteText(&text)
	for _, want := range []string{
		"rows:       24 in the FAISS file, 22 in index_to_docstore_id, 25 documents (MISMATCH: the server refuses this folder)",
		"pickle rows the FAISS file lacks:      2 (e.g. 30 -> 00000016-0000-4000-8000-000000000014, 31 -> ghost-31)",
		"FAISS rows without a mapping:          4 (e.g. 20, 21, 22, 23)",
		"FAISS rows whose document is missing:  1 (e.g. 5 -> deadbeef-missing)",
		"documents no row points at:            6 (e.g. 00000016-0000-4000-8000-000000000005, ",
		", …)",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows struct {
			Missing struct {
				Count    int      `json:"count"`
				Examples []string `json:"examples"`
			} `json:"pickle_rows_missing_from_faiss"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil || got.Rows.Missing.Count != 2 || len(got.Rows.Missing.Examples) != 2 {
		t.Fatalf("JSON %s: %v", js.String(), err)
	}

	// A consistent folder says so in one line.
	rep, err = Inspect(filepath.Join(fixtureDir, "idmap2_flat_l2_pydantic_v2"), "")
	if err != nil || !rep.Rows.OK() {
		t.Fatalf("consistent: %+v, %v", rep.Rows, err)
	}
	text.Reset()
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "rows:       24 in the FAISS file, 24 in index_to_docstore_id, 24 documents (consistent)") {
		t.Errorf("consistent text:\n%s", text.String())
	}
}

// editedFixture copies a LangChain fixture folder and runs edit (Python
// over store, the InMemoryDocstore, and mapping) on its pickle with
// Python's own pickle; the fixture script's stand-in classes, registered
// under LangChain's module paths on import, load it. It returns the
// folder and what edit printed.
func editedFixture(t *testing.T, edit string) (dir, printed string) {
	t.Helper()
	py := faissPython(t)
	dir = t.TempDir()
	for _, name := range []string{LangChainIndexFile, LangChainDocsFile} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, "flat_l2_pydantic_v2", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import importlib.util, pickle, sys
spec = importlib.util.spec_from_file_location("faiss_fixtures", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
with open(sys.argv[2], "rb") as f:
    store, mapping = pickle.load(f)
` + edit + `
with open(sys.argv[2], "wb") as f:
    pickle.dump((store, mapping), f, protocol=4)
`
	out, err := exec.Command(py, "-c", script, "../../scripts/faiss_fixtures.py", filepath.Join(dir, LangChainDocsFile)).Output()
	if err != nil {
		t.Fatalf("edit pickle: %v", err)
	}
	return dir, strings.TrimSpace(string(out))
}

// TestInspect_OrphanDocumentsOnly: documents no row points at are
// reported, but the folder still opens (they are never served).
func TestInspect_OrphanDocumentsOnly(t *testing.T) {
	t.Parallel()
	// Add a document to the docstore that no row maps to.
	dir, _ := editedFixture(t, `store._dict["orphan-z"] = next(iter(store._dict.values()))`)
	rep, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows.OK() || rep.Rows.Refused() || rep.Rows.Orphans.Count != 1 || !slices.Equal(rep.Rows.Orphans.Examples, []string{"orphan-z"}) {
		t.Fatalf("rows %+v", rep.Rows)
	}
	if _, err := Open(context.Background(), dir, OpenOptions{}); err != nil {
		t.Fatalf("orphans alone: open %v", err)
	}
}

// TestInspect_RowsSharingADocument: rows whose mapping names one
// document (save_local never writes them) are reported; the folder still
// opens, each row a chunk of its own.
func TestInspect_RowsSharingADocument(t *testing.T) {
	t.Parallel()
	// Point row 1 at row 0's document (row 1's own becomes an orphan).
	dir, id := editedFixture(t, "mapping[1] = mapping[0]\nprint(mapping[0])")
	rep, err := Inspect(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows.OK() || rep.Rows.Refused() || rep.Rows.Shared.Count != 1 || !slices.Equal(rep.Rows.Shared.Examples, []string{"1 -> " + id}) {
		t.Fatalf("rows %+v", rep.Rows)
	}
	var text strings.Builder
	rep.Rows.writeText(&text)
	if !strings.Contains(text.String(), "rows sharing a document:               1 (e.g. 1 -> "+id+")") {
		t.Errorf("inspect text:\n%s", text.String())
	}
	if _, err := Open(context.Background(), dir, OpenOptions{}); err != nil {
		t.Fatalf("shared rows: open %v", err)
	}
	// import-faiss keeps every row too (a review found it refused the
	// folder "verify" passed): the second row's chunk gets "ID#1".
	out := filepath.Join(t.TempDir(), "native")
	if _, err := ImportLangChain(context.Background(), dir, out, ImportOptions{Exact: true}); err != nil {
		t.Fatalf("import of shared rows: %v", err)
	}
	st, err := Open(context.Background(), out, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Chunk(0).ID != id || st.Chunk(1).ID != id+"#1" || st.Chunk(1).Text != st.Chunk(0).Text {
		t.Errorf("imported ids %q, %q (texts %q, %q); want %q and %q#1 with one text", st.Chunk(0).ID, st.Chunk(1).ID, st.Chunk(0).Text, st.Chunk(1).Text, id, id)
	}
}
