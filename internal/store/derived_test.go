package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/keyword"
)

// TestLangChain_DerivedFilesReused checks that the graph and keyword index
// built for a LangChain folder are saved beside its files and loaded by the
// next open, and that a damaged or foreign one is ignored and rebuilt.
func TestLangChain_DerivedFilesReused(t *testing.T) {
	t.Parallel()
	const n, dims = ExactThreshold + 200, 16
	dir, vecs := writeLargeLangChain(t, n, dims, 5, func(i int) string { return fmt.Sprintf("文書 %d 経費 %d", i, i%17) })
	age(t, dir)
	open := func() *Store {
		t.Helper()
		s, err := Open(context.Background(), dir, OpenOptions{DeferGraph: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := open()
	if !first.NeedsGraph() || first.Verified != VerifiedHashed {
		t.Fatalf("first open: NeedsGraph %v, Verified %q", first.NeedsGraph(), first.Verified)
	}
	built, err := first.WithHNSW(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	builtKW, loaded := first.KeywordIndex(nil)
	if loaded {
		t.Fatal("first keyword index reported as loaded")
	}

	again := open()
	if again.NeedsGraph() || again.Manifest.Index.Type != "hnsw" || again.Verified != VerifiedRecorded {
		t.Fatalf("second open: NeedsGraph %v, index %+v, Verified %q", again.NeedsGraph(), again.Manifest.Index, again.Verified)
	}
	if again.Chunks != nil || again.table == nil || !reflect.DeepEqual(chunksOf(again), chunksOf(first)) {
		t.Fatal("second open did not serve the saved chunks, or they differ from the pickle's")
	}
	kw, loaded := again.KeywordIndex(nil)
	if !loaded {
		t.Fatal("second keyword index was rebuilt, not loaded")
	}
	for i := 0; i < n; i += 97 {
		q := vecs[i*dims : (i+1)*dims]
		a, err1 := built.Index.Search(q, 5, ann.SearchOptions{})
		b, err2 := again.Index.Search(q, 5, ann.SearchOptions{})
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("row %d: built graph %v, loaded graph %v (%v %v)", i, a, b, err1, err2)
		}
	}
	for _, q := range []string{"経費 3", "文書 1999", "nothing"} {
		if a, b := builtKW.Search(q, 10, nil), kw.Search(q, 10, nil); !reflect.DeepEqual(a, b) {
			t.Fatalf("keyword %q: built %v, loaded %v", q, a, b)
		}
	}

	// Damaged derived files are ignored and rebuilt, never trusted.
	derived := again.derived
	for _, kind := range []uint32{derivedGraph, derivedKeyword, derivedChunks} {
		p := derived.path(kind)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x10
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	damaged := open()
	if !damaged.NeedsGraph() {
		t.Fatal("a damaged graph file was loaded")
	}
	if damaged.table != nil || !reflect.DeepEqual(chunksOf(damaged), chunksOf(first)) {
		t.Fatal("a damaged chunks file was used")
	}
	if _, loaded := damaged.KeywordIndex(nil); loaded {
		t.Fatal("a damaged keyword file was loaded")
	}
	// The rebuild above saved a good keyword index again.
	if _, loaded := open().KeywordIndex(nil); !loaded {
		t.Fatal("the rebuilt keyword index was not saved")
	}

	// A save removes what earlier contents of the folder left.
	stale := filepath.Join(dir, "."+DefaultIndexName+".0123456789abcdef.bm25")
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	open().saveDerivedKeyword(kw)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("stale derived file left: %v", err)
	}

	// Derived files of other content (a key that differs) are not used,
	// even under the right name.
	other := newDerivedFiles(dir, DefaultIndexName, "x", "y")
	if err := os.Rename(other.path(derivedKeyword), filepath.Join(dir, "unused")); err == nil {
		t.Fatal("a file for another key exists")
	}
	b, err := os.ReadFile(derived.path(derivedKeyword))
	if err != nil {
		t.Fatal(err)
	}
	copy(b[8+4+4:], other.key[:]) // stamp it with another key, keep the name
	if err := os.WriteFile(derived.path(derivedKeyword), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, loaded := open().KeywordIndex(keyword.Standard); loaded {
		t.Fatal("a keyword file stamped for other files was loaded")
	}
}

// FuzzDerivedChunks feeds arbitrary bytes to the saved-chunks decoder:
// whatever it accepts must decode chunk by chunk without a panic.
func FuzzDerivedChunks(f *testing.F) {
	dir := f.TempDir()
	d := newDerivedFiles(dir, DefaultIndexName, "a", "b")
	chunks, _ := testData(ExactThreshold+3, 2, 1)
	d.saveChunks(chunks)
	good, err := os.ReadFile(d.path(derivedChunks))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, len(chunks))
	f.Add(good[:100], len(chunks))
	f.Fuzz(func(t *testing.T, b []byte, count int) {
		if count < 0 || count > 1<<16 {
			return
		}
		tab, err := decodeDerivedChunks(context.Background(), &mapping{data: b}, d.header(derivedChunks), count)
		if err != nil {
			return
		}
		for i := range tab.len() {
			_ = tab.chunk(i)
			_ = tab.metadata(i)
		}
	})
}

// TestDerivedChunks_RoundTripFixtures saves and loads the chunks of every
// LangChain fixture (pydantic v1 and v2, rich metadata): what the saved
// file gives back must equal what the pickle gave.
func TestDerivedChunks_RoundTripFixtures(t *testing.T) {
	t.Parallel()
	fixtures, err := filepath.Glob("testdata/langchain/*")
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	for _, fx := range fixtures {
		lay, err := Detect(fx, "")
		if err != nil {
			lay, err = Detect(fx, "faiss_index")
		}
		if err != nil {
			continue
		}
		chunks, _, _, _, err := ReadLangChain(fx, lay.IndexName)
		if err != nil {
			t.Fatalf("%s: %v", fx, err)
		}
		d := newDerivedFiles(t.TempDir(), lay.IndexName, "a", "b")
		d.saveChunks(chunks)
		tab := d.loadChunks(context.Background(), len(chunks), NoLimitMaxBytes)
		if tab == nil {
			t.Fatalf("%s: saved chunks do not load", fx)
		}
		for i := range chunks {
			if got := tab.chunk(i); !reflect.DeepEqual(got, chunks[i]) {
				t.Fatalf("%s row %d: saved %+v, pickle %+v", fx, i, got, chunks[i])
			}
		}
	}
}

// TestLangChain_SavedChunksBudgetAndCancel: the chunks saved beside a
// LangChain folder count in the load budget as the pickle's do (a budget
// that leaves too little for them refuses the folder, naming the budget),
// and an open cancelled while it reads them fails with the context's
// error.
func TestLangChain_SavedChunksBudgetAndCancel(t *testing.T) {
	t.Parallel()
	const n, dims = ExactThreshold + 200, 16
	dir, _ := writeLargeLangChain(t, n, dims, 7, func(i int) string { return fmt.Sprintf("document %d about expenses %d", i, i%17) })
	age(t, dir)
	if _, err := Open(context.Background(), dir, OpenOptions{}); err != nil {
		t.Fatal(err)
	}
	saved, err := Open(context.Background(), dir, OpenOptions{})
	if err != nil || saved.table == nil {
		t.Fatalf("second open: %v; saved chunks used: %v", err, saved != nil && saved.table != nil)
	}
	// Room for the vectors and the graph, not for the text.
	tight := int64(n*dims*4) + int64(n)*graphBytesPerRow + 1000
	_, err = Open(context.Background(), dir, OpenOptions{MaxBytes: tight})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "budget") {
		t.Fatalf("tight budget: err %v, want ErrTooLarge naming the budget", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tab := saved.derived.loadChunks(ctx, n, NoLimitMaxBytes)
	if tab != nil {
		t.Fatal("saved chunks loaded under a cancelled context")
	}
	if _, err := Open(ctx, dir, OpenOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err %v, want context.Canceled", err)
	}
}

// TestLangChain_DerivedTempsRemoved: a process killed while saving a
// derived file leaves its temporary file (2 MiB here, a gigabyte at a
// million chunks), and nothing removed it, even after a clean start that
// saved the real file. The next save of each kind removes them; other
// files are left alone.
func TestLangChain_DerivedTempsRemoved(t *testing.T) {
	t.Parallel()
	const n, dims = ExactThreshold + 50, 8 // smaller folders save nothing beside them
	dir, _ := writeLargeLangChain(t, n, dims, 3, func(i int) string { return fmt.Sprintf("text %d", i) })
	left := []string{"..index.2f461ad0c2e10136.chunks.tmp-2062333170", "..index.0123456789abcdef.bm25.tmp-1"}
	kept := []string{".other.chunks.tmp-1", "notes.txt"}
	for _, name := range append(slices.Clone(left), kept...) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Open(context.Background(), dir, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, loaded := s.KeywordIndex(nil); loaded {
		t.Fatal("keyword index loaded, want built and saved")
	}
	for _, name := range left {
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v, want removed", name, err)
		}
	}
	for _, name := range kept {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v, want kept", name, err)
		}
	}
}

// TestInspect_LangChainSavedKeywordAnalyzer: inspect names the analyzer
// of the keyword index an open saved beside a large LangChain folder for
// its present files, so an operator sees which KEYWORD_JAPANESE choice
// the next start loads instead of indexing again.
func TestInspect_LangChainSavedKeywordAnalyzer(t *testing.T) {
	t.Parallel()
	const n, dims = ExactThreshold + 50, 8
	dir, _ := writeLargeLangChain(t, n, dims, 7, func(i int) string { return fmt.Sprintf("row %d of the folder", i) })
	inspect := func() string {
		t.Helper()
		rep, err := Inspect(dir, "")
		if err != nil {
			t.Fatal(err)
		}
		return rep.KeywordAnalyzer
	}
	if got := inspect(); got != "" {
		t.Fatalf("before any open: keyword analyzer %q, want none", got)
	}
	s, err := Open(context.Background(), dir, OpenOptions{DeferGraph: true})
	if err != nil {
		t.Fatal(err)
	}
	an := renamedAnalyzer{keyword.Standard}
	if _, loaded := s.KeywordIndex(an); loaded {
		t.Fatal("a first keyword index reported as loaded")
	}
	if got := inspect(); got != an.Version() {
		t.Fatalf("after an open: keyword analyzer %q, want %q", got, an.Version())
	}
	p := s.derived.path(derivedKeyword)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[derivedHeader] ^= 0xff // the keyword index's own magic
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := inspect(); !strings.HasPrefix(got, "unreadable: ") {
		t.Fatalf("a damaged saved index: keyword analyzer %q, want it called unreadable", got)
	}
}
