package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/keyword"
)

// age sets every file of dir (the sidecar aside) to an mtime well outside
// racyWindow, as files are some seconds after a build or a sync.
func age(t testing.TB, dir string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := os.Chtimes(filepath.Join(dir, e.Name()), old, old); err != nil {
			t.Fatal(err)
		}
	}
}

func openVerified(t *testing.T, dir string) (*Store, error) {
	t.Helper()
	return Open(context.Background(), dir, OpenOptions{Embedding: testEmbedding})
}

func TestOpen_RecordedVerification(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 60, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW()})
	age(t, dir)
	mustOpen := func(want string) {
		t.Helper()
		s, err := openVerified(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if s.Verified != want {
			t.Fatalf("Verified = %q, want %q", s.Verified, want)
		}
	}
	mustOpen(VerifiedHashed)   // nothing recorded yet
	mustOpen(VerifiedRecorded) // unchanged since
	mustOpen(VerifiedRecorded)

	// A file whose bytes change in place, size kept, is hashed again and
	// refused: its mtime moved.
	p := filepath.Join(dir, ChunksFile)
	orig, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(orig)
	i := bytes.Index(bad, []byte("経費"))
	copy(bad[i:], "旅費")
	if err := os.WriteFile(p, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openVerified(t, dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open after an in-place change: %v, want ErrCorrupt", err)
	}
	// The good bytes back: hashed again (a new mtime), then trusted.
	if err := os.WriteFile(p, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	age(t, dir)
	mustOpen(VerifiedHashed)
	mustOpen(VerifiedRecorded)

	// A touched file is hashed again, then trusted again.
	later := time.Now().Add(-30 * time.Minute)
	if err := os.Chtimes(filepath.Join(dir, VectorsFile), later, later); err != nil {
		t.Fatal(err)
	}
	mustOpen(VerifiedHashed)
	mustOpen(VerifiedRecorded)

	// A file replaced by another (new inode, same bytes and mtime) too.
	g := filepath.Join(dir, GraphFile)
	b, err := os.ReadFile(g)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(g)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(g+".new", b, 0o644); err != nil { // created while g exists, so the inode differs
		t.Fatal(err)
	}
	if err := os.Rename(g+".new", g); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(g, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	mustOpen(VerifiedHashed)

	// A damaged sidecar costs a hash, nothing else.
	if err := os.WriteFile(filepath.Join(dir, VerifiedFile), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustOpen(VerifiedHashed)
	mustOpen(VerifiedRecorded)
}

func TestOpen_RacyFilesAreNotRecorded(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 20, WriteOptions{Embedding: testEmbedding, Exact: true})
	for range 2 { // files written just now are hashed until they are older than racyWindow
		if s, err := openVerified(t, dir); err != nil || s.Verified != VerifiedHashed {
			t.Fatalf("open of fresh files: %v, %v", s, err)
		}
	}
}

// TestOpen_MappedSearchEqualsHeap compares the store Open serves from its
// mapped files with indexes built over a heap copy of the same vectors
// and graph.
func TestOpen_MappedSearchEqualsHeap(t *testing.T) {
	t.Parallel()
	for _, metric := range []ann.Metric{ann.Cosine, ann.L2, ann.InnerProduct} {
		t.Run(metric.String(), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			_, vecs := writeTestStore(t, dir, 300, WriteOptions{Embedding: testEmbedding, Metric: metric, HNSW: smallHNSW()})
			s, err := openVerified(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			exact, err := Open(context.Background(), dir, OpenOptions{Exact: true})
			if err != nil {
				t.Fatal(err)
			}
			heap := append([]float32(nil), vecs...)
			flat, err := ann.NewFlat(testEmbedding.Dims, metric, append([]float32(nil), heap...))
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(dir, GraphFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			graph, err := ann.ReadHNSW(f, testEmbedding.Dims, metric, heap)
			if err != nil {
				t.Fatal(err)
			}
			_, queries := testData(20, testEmbedding.Dims, 9)
			d := testEmbedding.Dims
			for q := 0; q < len(queries); q += d {
				query := queries[q : q+d]
				for _, pair := range []struct {
					name      string
					got, want ann.Index
				}{{"hnsw", s.Index, graph}, {"exact", exact.Index, flat}} {
					got, err1 := pair.got.Search(query, 10, ann.SearchOptions{})
					want, err2 := pair.want.Search(query, 10, ann.SearchOptions{})
					if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("%s query %d: mapped %v (%v), heap %v (%v)", pair.name, q/d, got, err1, want, err2)
					}
				}
			}
		})
	}
}

// TestKeywordIndex_PersistedEqualsRebuilt checks the index Write persisted
// against one built from the chunks, and the fallbacks: another analyzer,
// a persisted file that does not decode, a store from before the file.
func TestKeywordIndex_PersistedEqualsRebuilt(t *testing.T) {
	t.Parallel()
	base := filepath.Join(t.TempDir(), "base")
	chunks, _ := writeTestStore(t, base, 200, WriteOptions{Embedding: testEmbedding, Exact: true})
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = c.KeywordText()
	}
	rebuilt := keyword.New(texts)
	garbage := func(name string) func(string) {
		return func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("VKWBM25\x00 not an index"), 0o644); err != nil {
				t.Fatal(err)
			}
			rehash(t, dir)
		}
	}
	tests := []struct {
		name       string
		edit       func(dir string)
		an         keyword.Analyzer
		wantLoaded bool
	}{
		{"persisted", func(string) {}, nil, true},
		{"another analyzer rebuilds", func(string) {}, otherVersion{keyword.Standard}, false},
		{"undecodable file rebuilds", garbage(KeywordFile), nil, false},
		{"bad chunk offsets are rescanned", garbage(ChunkIndexFile), nil, true},
		{"store without the new files", func(dir string) {
			m, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			delete(m.Files, KeywordFile)
			delete(m.Files, ChunkIndexFile)
			for _, n := range []string{KeywordFile, ChunkIndexFile} {
				if err := os.Remove(filepath.Join(dir, n)); err != nil {
					t.Fatal(err)
				}
			}
			writeManifest(t, dir, m)
		}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			copyDir(t, base, dir)
			tc.edit(dir)
			s, err := openVerified(t, dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := chunksOf(s); !reflect.DeepEqual(got, chunks) {
				t.Fatal("chunks differ")
			}
			ix, loaded := s.KeywordIndex(tc.an)
			if loaded != tc.wantLoaded {
				t.Fatalf("loaded = %v, want %v", loaded, tc.wantLoaded)
			}
			for _, q := range []string{"経費 精算", "policy", "第12条", "月末 source", "nothing-here"} {
				for _, k := range []int{1, 5, 50} {
					if got, want := ix.Search(q, k, nil), rebuilt.Search(q, k, nil); !reflect.DeepEqual(got, want) {
						t.Fatalf("Search(%q, %d) = %v, rebuilt %v", q, k, got, want)
					}
				}
			}
		})
	}
	// A persisted file whose checksum does not match is corrupt, as any.
	dir := filepath.Join(t.TempDir(), "s")
	copyDir(t, base, dir)
	if err := os.WriteFile(filepath.Join(dir, KeywordFile), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := openVerified(t, dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open with a changed keyword file: %v", err)
	}
}

// otherVersion is an analyzer with the same rules under another version.
type otherVersion struct{ keyword.Analyzer }

func (otherVersion) Version() string { return "other/1" }

func writeManifest(t testing.TB, dir string, m *Manifest) {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzChunkIndex feeds arbitrary bytes to the chunk offsets decoder: any
// accepted offsets must describe lines inside the file.
func FuzzChunkIndex(f *testing.F) {
	var buf bytes.Buffer
	if err := writeChunkIndex(&buf, []int64{0, 5, 9, 20}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), 3, int64(20))
	f.Add(buf.Bytes()[:10], 3, int64(20))
	f.Fuzz(func(t *testing.T, b []byte, count int, dataLen int64) {
		if count < 0 || count > 1<<16 {
			return
		}
		offs, err := decodeChunkIndex(b, count, dataLen)
		if err != nil {
			return
		}
		if len(offs) != count+1 || offs[0] != 0 || offs[count] != dataLen {
			t.Fatalf("offsets %v for %d lines of %d bytes", offs, count, dataLen)
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] <= offs[i-1] {
				t.Fatalf("offsets %v do not rise", offs)
			}
		}
	})
}

// TestVerifyDir_RecordsForOpen: after VerifyDir (as s3sync runs on its
// staging folder) Open does not hash again but still checks the content
// once, so a file with a matching checksum that does not parse is refused.
func TestVerifyDir_RecordsForOpen(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 40, WriteOptions{Embedding: testEmbedding, Exact: true})
	age(t, dir)
	if _, err := VerifyDir(dir, ""); err != nil {
		t.Fatal(err)
	}
	rec := readVerifiedState(dir)
	if rec.Checked || len(rec.Files) == 0 {
		t.Fatalf("after VerifyDir: %+v", rec)
	}
	s, err := openVerified(t, dir)
	if err != nil || s.Verified != VerifiedHashed { // checked now, not trusted as checked
		t.Fatalf("open: %v, %v", s, err)
	}
	if s, err := openVerified(t, dir); err != nil || s.Verified != VerifiedRecorded {
		t.Fatalf("second open: %v, %v", s, err)
	}

	// A chunk line that does not parse, with the manifest rehashed to
	// match: VerifyDir passes it, Open's check refuses it.
	p := filepath.Join(dir, ChunksFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[0] = '['
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rehash(t, dir)
	age(t, dir)
	if _, err := VerifyDir(dir, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := openVerified(t, dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open of a verified but unparsable store: %v", err)
	}
}

// TestRecordVerified_ForOpen: checksums a caller took itself (s3sync's
// download hashes) are recorded like VerifyDir's: Open trusts them without
// hashing but checks the content once; a checksum that differs from the
// manifest vouches for nothing; files not given are dropped from the record.
func TestRecordVerified_ForOpen(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 40, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW()})
	age(t, dir)
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := maps.Clone(m.Files)
	delete(files, GraphFile)
	RecordVerified(dir, files, Durable)
	rec := readVerifiedState(dir)
	if _, ok := rec.Files[GraphFile]; ok || rec.Checked || len(rec.Files) != len(files) {
		t.Fatalf("after RecordVerified: %+v", rec)
	}
	if s, err := openVerified(t, dir); err != nil || s.Verified != VerifiedHashed { // checked, graph hashed
		t.Fatalf("open: %v, %v", s, err)
	}
	if s, err := openVerified(t, dir); err != nil || s.Verified != VerifiedRecorded {
		t.Fatalf("second open: %v, %v", s, err)
	}

	// A chunk line that does not parse, with the manifest rehashed to
	// match: the record vouches for the checksum, Open's check refuses it.
	p := filepath.Join(dir, ChunksFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[0] = '['
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rehash(t, dir)
	age(t, dir)
	if m, err = ReadManifest(dir); err != nil {
		t.Fatal(err)
	}
	RecordVerified(dir, m.Files, Durable)
	if _, err := openVerified(t, dir); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("open of a recorded but unparsable store: %v", err)
	}

	// A wrong checksum recorded for a file is not trusted: Open hashes it.
	bad := maps.Clone(m.Files)
	bad[VectorsFile] = FileInfo{Size: m.Files[VectorsFile].Size, SHA256: strings.Repeat("0", 64)}
	RecordVerified(dir, bad, Durable)
	v := nativeVerifier{dir: dir, m: m, rec: readVerifiedState(dir)}
	id, err := identity(dir, VectorsFile)
	if err != nil {
		t.Fatal(err)
	}
	if v.trust(VectorsFile, id) {
		t.Fatal("a recorded checksum other than the manifest's was trusted")
	}
}

// TestOpen_RecordsUnitRows: the first open of a Cosine store records that
// its rows are of unit length, so later opens use the mapping without
// reading every row; a record made before the field existed is completed
// by the next open.
func TestOpen_RecordsUnitRows(t *testing.T) {
	t.Parallel()
	for _, metric := range []ann.Metric{ann.Cosine, ann.L2} {
		t.Run(metric.String(), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			writeTestStore(t, dir, 40, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW(), Metric: metric})
			age(t, dir)
			want := metric == ann.Cosine
			if _, err := openVerified(t, dir); err != nil {
				t.Fatal(err)
			}
			if rec := readVerifiedState(dir); !rec.Checked || rec.UnitRows != want {
				t.Fatalf("after the first open: checked %v unit_rows %v, want unit_rows %v", rec.Checked, rec.UnitRows, want)
			}
			rec := readVerifiedState(dir)
			rec.UnitRows = false // as records made before the field were
			rec.save(dir)
			if s, err := openVerified(t, dir); err != nil || s.Verified != VerifiedRecorded {
				t.Fatalf("open of an old record: %v, %v", s, err)
			}
			if rec := readVerifiedState(dir); !rec.Checked || rec.UnitRows != want {
				t.Fatalf("old record not completed: checked %v unit_rows %v", rec.Checked, rec.UnitRows)
			}
		})
	}
}

// TestRecordVerified_UntilReboot: a record of files that were not fsynced
// carries the boot id, is trusted within this boot (files written just
// now included: the recorder wrote them), survives Open's update of the
// record, and is ignored after a restart of the machine (another boot id),
// when Open hashes every file again. A Durable record made afterwards
// drops the boot id.
func TestRecordVerified_UntilReboot(t *testing.T) {
	t.Parallel()
	if !CanRecordUntilReboot() {
		t.Skip("no kernel boot id here")
	}
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 40, WriteOptions{Embedding: testEmbedding, HNSW: smallHNSW()})
	// Not aged: a syncer records the files it has just written.
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	RecordVerified(dir, m.Files, UntilReboot)
	rec := readVerifiedState(dir)
	if rec.BootID != bootID() || len(rec.Files) != len(m.Files) {
		t.Fatalf("record %+v, want every file under boot %s", rec, bootID())
	}
	// The first open checks the content (reported as hashed); the record
	// then vouches for every file, so the second trusts them all.
	for i, want := range []string{VerifiedHashed, VerifiedRecorded} {
		if s, err := openVerified(t, dir); err != nil || s.Verified != want {
			t.Fatalf("open %d in the same boot: %v, %v, want %s", i+1, s, err, want)
		}
	}
	if rec = readVerifiedState(dir); rec.BootID != bootID() || !rec.Checked || len(rec.Files) != len(m.Files) {
		t.Fatalf("after Open's update: boot %q checked %v, want %q and true", rec.BootID, rec.Checked, bootID())
	}

	// The same record as a restarted machine finds it.
	p := filepath.Join(dir, VerifiedFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), bootID(), "00000000-0000-0000-0000-000000000000", 1))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := readVerifiedState(dir); len(rec.Files) != 0 {
		t.Fatalf("a record of another boot was read: %+v", rec)
	}
	if s, err := openVerified(t, dir); err != nil || s.Verified != VerifiedHashed {
		t.Fatalf("open after a restart: %v, %v (want every file hashed)", s, err)
	}

	RecordVerified(dir, m.Files, Durable)
	if rec := readVerifiedState(dir); rec.BootID != "" || len(rec.Files) != len(m.Files) {
		t.Fatalf("durable record %+v, want no boot id", rec)
	}
}
