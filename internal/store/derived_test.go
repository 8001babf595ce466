package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
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
	_, vecs := testData(n, dims, 5)
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("文書 %d 経費 %d", i, i%17)
	}
	dir := t.TempDir()
	writeLangChain(t, dir, dims, false, append([]float32(nil), vecs...), texts)
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
	for _, kind := range []uint32{derivedGraph, derivedKeyword} {
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
	if _, loaded := damaged.KeywordIndex(nil); loaded {
		t.Fatal("a damaged keyword file was loaded")
	}
	// The rebuild above saved a good keyword index again.
	if _, loaded := open().KeywordIndex(nil); !loaded {
		t.Fatal("the rebuilt keyword index was not saved")
	}

	// Derived files of other content (a key that differs) are not used,
	// even under the right name.
	other := newDerivedFiles(dir, DefaultIndexName, "x", "y", ann.L2)
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
