package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// TestSectionsFile_WrittenAndRead: a store whose chunks have urls gets
// SectionsFile, which Open maps and Sections reads: the grouping is the
// one the urls give. A store without urls gets no file.
func TestSectionsFile_WrittenAndRead(t *testing.T) {
	t.Parallel()
	emb := docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 4}
	chunks, vecs := testData(7, emb.Dims, 3)
	urls := []string{"a.html#x", "a.html#x", "", "b.html", "a.html#x", "b.html", "a.html#y"}
	for i := range chunks {
		chunks[i].Text = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"}[i]
		if urls[i] != "" {
			chunks[i].Metadata[docmodel.MetaURL] = urls[i]
		}
	}
	dir := filepath.Join(t.TempDir(), "s")
	m, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: emb, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Files[SectionsFile]; !ok {
		t.Fatalf("no %s in %v", SectionsFile, m.Files)
	}
	b, err := os.ReadFile(filepath.Join(dir, SectionsFile))
	if err != nil {
		t.Fatal(err)
	}
	of, n, err := decodeSections(b, len(chunks))
	// x, own (no url), b.html, y: the urls' order of first appearance.
	if want := []uint32{0, 0, 1, 2, 0, 2, 3}; err != nil || n != 4 || !slices.Equal(of, want) {
		t.Fatalf("sections %v of %d (%v), want %v of 4", of, n, err, want)
	}
	st, err := Open(context.Background(), dir, OpenOptions{Embedding: emb})
	if err != nil {
		t.Fatal(err)
	}
	if st.sections == nil {
		t.Fatal("Open did not map the sections file")
	}
	kw, _ := st.KeywordIndex(nil)
	var got []uint32
	for _, r := range kw.SearchQuery(kw.Parse("bravo"), 10, nil, keyword.Field{Sections: st.Sections(kw), Weight: 1}) {
		got = append(got, r.ID)
	}
	slices.Sort(got)
	if want := []uint32{0, 1, 4}; !slices.Equal(got, want) {
		t.Errorf("bravo: chunks %v, want %v (its section)", got, want)
	}

	bare := filepath.Join(t.TempDir(), "bare")
	plain, _ := testData(3, emb.Dims, 4)
	m, err = Write(context.Background(), bare, plain, vecs[:3*emb.Dims], WriteOptions{Embedding: emb, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Files[SectionsFile]; ok {
		t.Errorf("a store without urls has %s", SectionsFile)
	}
}

// TestSections_FileOrURLs: the sections file groups the chunks when it
// decodes (here one that puts all four in one section, unlike their
// urls, to tell which was read); one that does not (another store's
// size) is ignored, and the urls group them.
func TestSections_FileOrURLs(t *testing.T) {
	t.Parallel()
	emb := docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 4}
	chunks, vecs := testData(4, emb.Dims, 3)
	for i, u := range []string{"a#1", "a#1", "a#2", "a#1"} {
		chunks[i].Metadata[docmodel.MetaURL] = u
		chunks[i].Text = []string{"alpha", "bravo", "charlie", "delta"}[i]
	}
	dir := filepath.Join(t.TempDir(), "s")
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: emb, Exact: true}); err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), dir, OpenOptions{Embedding: emb})
	if err != nil {
		t.Fatal(err)
	}
	kw, _ := st.KeywordIndex(nil)
	for _, tc := range []struct {
		name    string
		of      []uint32
		n       int
		section []uint32
	}{
		{"one section, from the file", []uint32{0, 0, 0, 0}, 1, []uint32{0, 1, 2, 3}},
		{"a file of two chunks, ignored", []uint32{0, 0}, 1, []uint32{0, 1, 3}},
	} {
		var b bytes.Buffer
		if err := writeSections(&b, tc.of, tc.n); err != nil {
			t.Fatal(err)
		}
		st.sections = &mapping{data: b.Bytes()}
		var got []uint32
		for _, r := range kw.SearchQuery(kw.Parse("bravo"), 10, nil, keyword.Field{Sections: st.Sections(kw), Weight: 1}) {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.section) {
			t.Errorf("%s: bravo: chunks %v, want %v", tc.name, got, tc.section)
		}
	}
}

func TestDecodeSections_Rejects(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := writeSections(&buf, []uint32{0, 1, 1, 2}, 3); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	// resum rewrites the checksum, so the check under test is the one hit.
	resum := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
		return b
	}
	edit := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	for _, tc := range []struct {
		name  string
		b     []byte
		count int
	}{
		{"empty", nil, 4},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 'X'; return resum(b) }), 4},
		{"other version", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 2); return resum(b) }), 4},
		{"other chunk count", good, 5},
		{"truncated", good[:len(good)-5], 4},
		{"more sections than chunks", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24:], 5); return resum(b) }), 4},
		{"no sections", edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24:], 0); return resum(b) }), 4},
		{"a chunk beyond the sections", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[sectionsHeader+8:], 3); return resum(b) }), 4},
		{"bad checksum", edit(func(b []byte) []byte { b[sectionsHeader]++; return b }), 4},
	} {
		if of, n, err := decodeSections(tc.b, tc.count); !errors.Is(err, errSections) {
			t.Errorf("%s: %v of %d, err %v; want errSections", tc.name, of, n, err)
		}
	}
	if of, n, err := decodeSections(good, 4); err != nil || n != 3 || !slices.Equal(of, []uint32{0, 1, 1, 2}) {
		t.Fatalf("good: %v of %d, %v", of, n, err)
	}
}

// FuzzDecodeSections: any bytes decode to a grouping in bounds or an
// error, never a panic; what decodes groups every chunk.
func FuzzDecodeSections(f *testing.F) {
	var buf bytes.Buffer
	if err := writeSections(&buf, []uint32{0, 1, 0, 2}, 3); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), 4)
	f.Add(buf.Bytes()[:20], 4)
	f.Add([]byte(sectionsMagic), 0)
	f.Fuzz(func(t *testing.T, b []byte, count int) {
		if count < 0 || count > 1<<16 {
			return
		}
		of, n, err := decodeSections(b, count)
		if err != nil {
			return
		}
		if len(of) != count || n > count {
			t.Fatalf("%d sections for %d chunks: %v", n, count, of)
		}
		if keyword.NewGroups(of, n) == nil {
			t.Fatalf("grouping out of bounds: %v of %d", of, n)
		}
	})
}
