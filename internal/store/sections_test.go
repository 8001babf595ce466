package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// urlStore writes and opens an exact store of one chunk per text, with
// the url beside it as metadata ("" for none).
func urlStore(t *testing.T, texts, urls []string) (*Store, *Manifest) {
	t.Helper()
	emb := docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 4}
	chunks, vecs := testData(len(texts), emb.Dims, 3)
	for i := range chunks {
		chunks[i].Text = texts[i]
		if urls[i] != "" {
			chunks[i].Metadata[docmodel.MetaURL] = urls[i]
		}
	}
	dir := filepath.Join(t.TempDir(), "s")
	m, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: emb, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), dir, OpenOptions{Embedding: emb})
	if err != nil {
		t.Fatal(err)
	}
	return st, m
}

// sectionHits returns, sorted, the chunks a keyword search for q finds
// with st's sections as a field: those sharing a section with a match.
func sectionHits(t *testing.T, st *Store, q string) []uint32 {
	t.Helper()
	kw, _ := st.KeywordIndex(nil)
	secs := st.Sections(kw)
	if secs == nil {
		t.Fatal("no sections")
	}
	var got []uint32
	for _, r := range kw.SearchQuery(kw.Parse(q), 10, nil, keyword.Field{Sections: secs, Weight: 1}) {
		got = append(got, r.ID)
	}
	slices.Sort(got)
	return got
}

// TestSections_GroupsByURL: the chunks sharing a url form one section,
// scored as one text, and a chunk without a url stands alone. The store
// gets SectionsFile, which Open maps, holding the grouping the urls give.
// A store whose chunks have no url gets no file and has no sections, and
// neither has an index of other chunks.
func TestSections_GroupsByURL(t *testing.T) {
	t.Parallel()
	texts := []string{"alpha intro", "bravo details", "charlie", "delta lone", "echo intro", "foxtrot end", "golf"}
	st, m := urlStore(t, texts, []string{"a.html#x", "a.html#x", "a.html#y", "", "a.html#x", "a.html#y", "b.html"})
	if _, ok := m.Files[SectionsFile]; !ok || st.sections == nil {
		t.Fatalf("%s not written or not mapped: %v", SectionsFile, m.Files)
	}
	// x, y, own (no url), b.html: the urls' order of first appearance.
	if of, n, err := decodeSections(st.sections.data, len(texts)); err != nil || n != 4 || !slices.Equal(of, []uint32{0, 0, 1, 2, 0, 1, 3}) {
		t.Fatalf("sections %v of %d (%v)", of, n, err)
	}
	// "bravo" is in chunk 1 only; its section holds chunks 0, 1 and 4.
	if got := sectionHits(t, st, "bravo"); !slices.Equal(got, []uint32{0, 1, 4}) {
		t.Errorf("bravo: chunks %v, want [0 1 4]", got)
	}
	if got := sectionHits(t, st, "delta"); !slices.Equal(got, []uint32{3}) {
		t.Errorf("delta: chunks %v, want [3]", got)
	}
	if st.Sections(keyword.New(texts[:5])) != nil || st.Sections(nil) != nil {
		t.Error("sections of another index")
	}

	bare, m := urlStore(t, texts[:3], []string{"", "", ""})
	if _, ok := m.Files[SectionsFile]; ok {
		t.Errorf("a store without urls has %s", SectionsFile)
	}
	if kw, _ := bare.KeywordIndex(nil); bare.Sections(kw) != nil {
		t.Error("no urls: sections")
	}
}

// TestSections_FromFileOnly: the sections file groups the chunks when it
// decodes (here one that puts all four in one section, unlike their
// urls, to tell which was read); without it, or with one that does not
// decode (another store's size), the store has no sections: the urls are
// not read at a swap.
func TestSections_FromFileOnly(t *testing.T) {
	t.Parallel()
	st, _ := urlStore(t, []string{"alpha", "bravo", "charlie", "delta"}, []string{"a#1", "a#1", "a#2", "a#1"})
	kw, _ := st.KeywordIndex(nil)
	for _, tc := range []struct {
		name    string
		file    func() *mapping
		section []uint32 // nil: no sections
	}{
		{"one section, from the file", func() *mapping { return sectionsMapping(t, []uint32{0, 0, 0, 0}, 1) }, []uint32{0, 1, 2, 3}},
		{"a file of two chunks, ignored", func() *mapping { return sectionsMapping(t, []uint32{0, 0}, 1) }, nil},
		{"no file", func() *mapping { return nil }, nil},
	} {
		st.sections = tc.file()
		if tc.section == nil {
			if st.Sections(kw) != nil {
				t.Errorf("%s: sections", tc.name)
			}
			continue
		}
		if got := sectionHits(t, st, "bravo"); !slices.Equal(got, tc.section) {
			t.Errorf("%s: bravo: chunks %v, want %v", tc.name, got, tc.section)
		}
	}
}

func sectionsMapping(t *testing.T, of []uint32, n int) *mapping {
	t.Helper()
	var b bytes.Buffer
	if err := writeSections(&b, of, n); err != nil {
		t.Fatal(err)
	}
	return &mapping{data: b.Bytes()}
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
