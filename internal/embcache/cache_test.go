package embcache

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/fsatomic"
)

var model = docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: 3}

func vec(x float32) []float32 { return []float32{x, -x, x / 2} }

func TestKeyOf_DependsOnEveryField(t *testing.T) {
	t.Parallel()
	base := KeyOf(model, "text")
	for name, k := range map[string]Key{
		"provider": KeyOf(docmodel.EmbeddingModel{Provider: "ollama", Model: model.Model, Dims: 3}, "text"),
		"model":    KeyOf(docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-large", Dims: 3}, "text"),
		"dims":     KeyOf(docmodel.EmbeddingModel{Provider: "openai", Model: model.Model, Dims: 4}, "text"),
		"text":     KeyOf(model, "text "),
		"shifted":  KeyOf(docmodel.EmbeddingModel{Provider: "openai", Model: model.Model + "3", Dims: 3}, "text"),
	} {
		if k == base {
			t.Errorf("%s: same key", name)
		}
	}
	if KeyOf(model, "text") != base {
		t.Error("key not stable")
	}
}

func TestDir_Sanitises(t *testing.T) {
	t.Parallel()
	got := Dir("/c", docmodel.EmbeddingModel{Provider: "bedrock", Model: "amazon.titan-embed-text-v2:0", Dims: 1024})
	if want := filepath.Join("/c", "bedrock-amazon.titan-embed-text-v2_0-1024"); got != want {
		t.Fatalf("Dir = %q, want %q", got, want)
	}
	if got := Dir("/c", docmodel.EmbeddingModel{Provider: "ollama", Model: "../x/y", Dims: 8}); filepath.Dir(got) != "/c" {
		t.Fatalf("Dir escaped its root: %q", got)
	}
}

func TestCache_PutGetReopen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c, err := Open(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	k1, k2, k3 := KeyOf(model, "a"), KeyOf(model, "b"), KeyOf(model, "c")
	if err := c.Put([]Key{k1, k2, k1}, [][]float32{vec(1), vec(2), vec(9)}); err != nil {
		t.Fatal(err)
	}
	if err := c.Put([]Key{k2, k3}, [][]float32{vec(7), vec(3)}); err != nil {
		t.Fatal(err)
	}
	check := func(c *Cache) {
		t.Helper()
		if c.Len() != 3 {
			t.Fatalf("Len = %d, want 3", c.Len())
		}
		for k, want := range map[Key][]float32{k1: vec(1), k2: vec(2), k3: vec(3)} {
			got, ok := c.Get(k)
			if !ok || !slices.Equal(got, want) {
				t.Fatalf("Get = %v %v, want %v (first write wins)", got, ok, want)
			}
		}
		if _, ok := c.Get(KeyOf(model, "d")); ok || c.Has(KeyOf(model, "d")) {
			t.Fatal("found a key never put")
		}
	}
	check(c)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, open := range []func(string, int) (*Cache, error){Open, OpenReadOnly} {
		c, err := open(dir, 3)
		if err != nil {
			t.Fatal(err)
		}
		check(c)
		c.Close()
	}
	if err := c.Put([]Key{KeyOf(model, "new")}, [][]float32{vec(1)}); err == nil {
		t.Fatal("closed cache accepted a put")
	}
}

func TestCache_PutRejects(t *testing.T) {
	t.Parallel()
	c, err := Open(t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Put([]Key{KeyOf(model, "a")}, [][]float32{{1, 2}}); err == nil {
		t.Error("short vector accepted")
	}
	if err := c.Put([]Key{KeyOf(model, "a")}, nil); err == nil {
		t.Error("missing vector accepted")
	}
	ro, err := OpenReadOnly(filepath.Join(t.TempDir(), "none"), 3)
	if err != nil || ro.Len() != 0 {
		t.Fatalf("missing folder: %v, %d", err, ro.Len())
	}
	if err := ro.Put([]Key{KeyOf(model, "a")}, [][]float32{vec(1)}); err == nil {
		t.Error("read-only cache accepted a put")
	}
	if _, err := Open(t.TempDir(), 0); err == nil {
		t.Error("zero dims accepted")
	}
}

// damage is a change made to a cache file of four records, as a disk or
// a crash would, and what opening it must find.
type damage struct {
	name    string
	damage  func(b []byte) []byte
	lost    []int // records (0-3) that must not be found
	skipped int   // whole records skipped
	dropped int   // bytes of torn tail
}

// TestOpen_TornTail: a crash mid-write leaves part of a record; Open keeps
// the records before it, cuts the rest, and appends readable records after.
func TestOpen_TornTail(t *testing.T) {
	t.Parallel()
	rec := recordHead + payloadSize(3)
	tests := []damage{
		{"intact", func(b []byte) []byte { return b }, nil, 0, 0},
		{"torn inside the last payload", func(b []byte) []byte { return b[:len(b)-5] }, []int{3}, 0, rec - 5},
		{"torn inside the last length", func(b []byte) []byte { return b[:len(b)-rec+2] }, []int{3}, 0, 2},
		{"garbage appended", func(b []byte) []byte { return append(b, "garbage"...) }, nil, 0, 7},
		{"torn header", func(b []byte) []byte { return b[:5] }, []int{0, 1, 2, 3}, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkDamage(t, tt)
		})
	}
}

// TestOpen_DamagedRecordSkipped: records all have one size, so a whole
// record that fails its checks is skipped and the ones after it are
// still found, by OpenReadOnly and by Open, which must not shorten the
// file past a torn tail (one flipped bit in record 2 of 200 once cut a
// cache to its first record).
func TestOpen_DamagedRecordSkipped(t *testing.T) {
	t.Parallel()
	rec := recordHead + payloadSize(3)
	at := func(i, byteOff int) int { return headerSize + i*rec + byteOff }
	setLen := func(i int, n uint32) func(b []byte) []byte {
		return func(b []byte) []byte { binary.LittleEndian.PutUint32(b[at(i, 0):], n); return b }
	}
	flip := func(i, byteOff int) func(b []byte) []byte {
		return func(b []byte) []byte { b[at(i, byteOff)] ^= 1; return b }
	}
	tests := []damage{
		{"bad checksum in the middle", flip(1, recordHead+40), []int{1}, 1, 0},
		{"flipped checksum field in the middle", flip(1, 4), []int{1}, 1, 0},
		{"flipped key in the middle", flip(1, recordHead), []int{1}, 1, 0},
		{"short length in the middle", setLen(1, uint32(payloadSize(3)-4)), []int{1}, 1, 0},
		{"long length in the middle", setLen(1, uint32(payloadSize(3)+4)), []int{1}, 1, 0},
		{"huge length in the middle", setLen(1, 0x7f0000ff), []int{1}, 1, 0},
		{"zeroed record in the middle", func(b []byte) []byte { clear(b[at(1, 0):at(2, 0)]); return b }, []int{1}, 1, 0},
		{"two bad records in a row", func(b []byte) []byte { return flip(2, 20)(flip(1, 20)(b)) }, []int{1, 2}, 2, 0},
		{"bad first record", flip(0, recordHead+1), []int{0}, 1, 0},
		{"bad last record", flip(3, recordHead+40), []int{3}, 1, 0},
		{"wrong length in the last record", setLen(3, 0), []int{3}, 1, 0},
		{"bad record then a torn tail", func(b []byte) []byte { return flip(1, 30)(b)[:len(b)-5] }, []int{1, 3}, 1, rec - 5},
		{"a record of zeros appended", func(b []byte) []byte { return append(b, make([]byte, rec)...) }, nil, 1, 0},
		{"a record and a bit of garbage appended", func(b []byte) []byte { return append(b, bytes.Repeat([]byte{0xa5}, rec+7)...) }, nil, 1, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkDamage(t, tt)
		})
	}
}

// checkDamage writes four records, applies tt.damage, and checks what
// OpenReadOnly and Open find, what Open leaves on disk, and that the lost
// keys and a new one can be put again and read back after reopening.
func checkDamage(t *testing.T, tt damage) {
	t.Helper()
	dir := t.TempDir()
	c, err := Open(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	keys := []Key{KeyOf(model, "a"), KeyOf(model, "b"), KeyOf(model, "c"), KeyOf(model, "d")}
	for i, k := range keys {
		if err := c.Put([]Key{k}, [][]float32{vec(float32(i))}); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	path := filepath.Join(dir, FileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damaged := tt.damage(b)
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	wantSize := int64(len(damaged) - tt.dropped)
	if len(damaged) < headerSize {
		wantSize = int64(headerSize) // a fresh header
	}
	check := func(what string, c *Cache) {
		t.Helper()
		if c.Len() != len(keys)-len(tt.lost) || c.Skipped() != tt.skipped || c.Dropped() != int64(tt.dropped) {
			t.Fatalf("%s: %d records, skipped %d, dropped %d bytes; want %d, %d, %d",
				what, c.Len(), c.Skipped(), c.Dropped(), len(keys)-len(tt.lost), tt.skipped, tt.dropped)
		}
		for i, k := range keys {
			got, ok := c.Get(k)
			if slices.Contains(tt.lost, i) {
				if ok || c.Has(k) {
					t.Fatalf("%s: damaged record %d returned: %v", what, i, got)
				}
			} else if !ok || !slices.Equal(got, vec(float32(i))) {
				t.Fatalf("%s: record %d lost: %v %v", what, i, got, ok)
			}
		}
	}
	ro, err := OpenReadOnly(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	check("read-only", ro)
	ro.Close()
	if after, _ := os.ReadFile(path); !bytes.Equal(after, damaged) {
		t.Fatal("read-only open changed the file")
	}
	c, err = Open(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	check("read-write", c)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != wantSize {
		t.Fatalf("file of %d bytes after Open, want %d", st.Size(), wantSize)
	}
	// A skipped record's key is a miss, so putting it again appends a good copy.
	extra := KeyOf(model, "after the damage")
	putKeys, putVecs := []Key{extra}, [][]float32{vec(5)}
	for _, i := range tt.lost {
		putKeys, putVecs = append(putKeys, keys[i]), append(putVecs, vec(float32(i)))
	}
	if err := c.Put(putKeys, putVecs); err != nil {
		t.Fatal(err)
	}
	c.Close()
	c, err = Open(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, ok := c.Get(extra); !ok || !slices.Equal(got, vec(5)) || c.Len() != len(keys)+1 || c.Skipped() != tt.skipped || c.Dropped() != 0 {
		t.Fatalf("after the appends: %v %v, %d records, skipped %d, dropped %d", got, ok, c.Len(), c.Skipped(), c.Dropped())
	}
	for i, k := range keys {
		if got, ok := c.Get(k); !ok || !slices.Equal(got, vec(float32(i))) {
			t.Fatalf("record %d not readable after the appends: %v %v", i, got, ok)
		}
	}
}

// TestOpen_BadHeaderSetAside: a file whose header is not a cache's for
// the dims asked (its first bytes overwritten, or another length) does
// not stop a build: Open renames it aside, kept whole, names it, and
// starts an empty cache; OpenReadOnly reads it as empty and leaves it.
func TestOpen_BadHeaderSetAside(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		damage  func(b []byte) []byte
		dims    int
		wantWhy string
	}{
		{"first bytes overwritten", func(b []byte) []byte { copy(b, "XXXX"); return b }, 3, "not a cache file"},
		{"not a cache at all", func([]byte) []byte { return []byte("this is not a cache file at all") }, 3, "not a cache file"},
		{"other dims", func(b []byte) []byte { return b }, 4, "3-dim"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			c, err := Open(dir, 3)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Put([]Key{KeyOf(model, "a")}, [][]float32{vec(1)}); err != nil {
				t.Fatal(err)
			}
			c.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			damaged := tc.damage(b)
			if err := os.WriteFile(path, damaged, 0o644); err != nil {
				t.Fatal(err)
			}

			ro, err := OpenReadOnly(dir, tc.dims)
			if err != nil {
				t.Fatalf("read-only: %v", err)
			}
			aside, why := ro.SetAside()
			if ro.Len() != 0 || aside != "" || !errors.Is(why, ErrBadHeader) || !strings.Contains(why.Error(), path) {
				t.Errorf("read-only: %d records, aside %q, why %v", ro.Len(), aside, why)
			}
			ro.Close()
			if got, _ := os.ReadFile(path); !bytes.Equal(got, damaged) {
				t.Error("read-only open changed the file")
			}

			c, err = Open(dir, tc.dims)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer c.Close()
			aside, why = c.SetAside()
			if !errors.Is(why, ErrBadHeader) || !strings.Contains(why.Error(), tc.wantWhy) || !strings.Contains(why.Error(), path) {
				t.Errorf("why %v: want ErrBadHeader naming %s and %q", why, path, tc.wantWhy)
			}
			if got, err := os.ReadFile(aside); err != nil || !bytes.Equal(got, damaged) || !strings.HasPrefix(aside, path+".bad-") {
				t.Errorf("set aside as %q: %v; want the damaged file whole", aside, err)
			}
			k := KeyOf(model, "b")
			v := make([]float32, tc.dims)
			if c.Len() != 0 || c.Put([]Key{k}, [][]float32{v}) != nil {
				t.Fatalf("fresh cache: %d records", c.Len())
			}
			if _, ok := c.Get(k); !ok {
				t.Error("the fresh cache does not read back a put")
			}
		})
	}
}

// FuzzScan feeds arbitrary bytes as a cache file: Scan must not panic,
// must step by whole records (every record it reports or skips lies on a
// boundary inside end, and only a torn tail shorter than a record lies
// after it), must report exactly the records whose length and checksum
// hold, and Open must keep the file up to end and leave it so that a
// record can be appended and read back.
func FuzzScan(f *testing.F) {
	dir := f.TempDir()
	c, err := Open(dir, 3)
	if err != nil {
		f.Fatal(err)
	}
	c.Put([]Key{KeyOf(model, "a"), KeyOf(model, "b"), KeyOf(model, "c")}, [][]float32{vec(1), vec(2), vec(3)})
	c.Close()
	valid, _ := os.ReadFile(filepath.Join(dir, FileName))
	rec := recordHead + payloadSize(3)
	f.Add(valid)
	f.Add(valid[:len(valid)-3])
	flipped := bytes.Clone(valid)
	flipped[headerSize+rec+recordHead+9] ^= 0x10
	f.Add(flipped)
	badLen := bytes.Clone(valid)
	badLen[headerSize+rec] = 0xff
	f.Add(badLen)
	f.Add(append(bytes.Clone(valid), make([]byte, rec+1)...))
	f.Add([]byte(magic + "\x03\x00\x00\x00\xff\xff\xff\xff\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := int64(recordHead + payloadSize(3))
		size := int64(len(data))
		var offs []int64
		end, bad, err := Scan(bytes.NewReader(data), size, 3, func(_ Key, off int64) { offs = append(offs, off) })
		if err != nil {
			return
		}
		if size < int64(headerSize) {
			if end != 0 || bad != 0 || len(offs) != 0 {
				t.Fatalf("no header: end %d, bad %d, %d records", end, bad, len(offs))
			}
		} else {
			whole := (size - int64(headerSize)) / rec
			if end != int64(headerSize)+whole*rec || int64(len(offs)+bad) != whole {
				t.Fatalf("end %d of %d bytes, %d records and %d bad; want %d whole records", end, size, len(offs), bad, whole)
			}
			want := 0
			for off := int64(headerSize); off+rec <= end; off += rec {
				r := data[off : off+rec]
				if binary.LittleEndian.Uint32(r) == uint32(rec-recordHead) && crc32.Checksum(r[recordHead:], castagnoli) == binary.LittleEndian.Uint32(r[4:]) {
					if want >= len(offs) || offs[want] != off {
						t.Fatalf("good record at %d not reported in order (reported %v)", off, offs)
					}
					want++
				}
			}
			if want != len(offs) {
				t.Fatalf("reported %d records, %d are good", len(offs), want)
			}
		}
		dir := t.TempDir()
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Open(dir, 3)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path); err != nil || (size >= int64(headerSize) && st.Size() != end) || c.Skipped() != bad || c.Len() > len(offs) {
			t.Fatalf("after Open: %v, skipped %d of %d, %d records of %d; want the file cut to %d", err, c.Skipped(), bad, c.Len(), len(offs), end)
		}
		k := KeyOf(model, "fuzz")
		if err := c.Put([]Key{k}, [][]float32{vec(4)}); err != nil {
			t.Fatal(err)
		}
		c.Close()
		c, err = Open(dir, 3)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if got, ok := c.Get(k); !ok || !slices.Equal(got, vec(4)) {
			t.Fatalf("appended record unreadable after reopening: %v %v", got, ok)
		}
	})
}

// TestOpen_OneWriterAtATime: a second Open of a cache another holder
// appends to is ErrBusy (two writers cut each other's records in progress
// as torn tails, a review found), OpenReadOnly still reads it, and Close
// releases it.
func TestOpen_OneWriterAtATime(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := Open(dir, 3)
	if err != nil {
		t.Fatal(err)
	}
	k := Key{1}
	if err := first.Put([]Key{k}, [][]float32{{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, 3); !errors.Is(err, ErrBusy) {
		t.Fatalf("second Open: %v, want ErrBusy", err)
	}
	ro, err := OpenReadOnly(dir, 3)
	if err != nil || !ro.ReadOnly() || !ro.Has(k) {
		t.Fatalf("OpenReadOnly while held: %v, read-only %v", err, ro != nil && ro.ReadOnly())
	}
	ro.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(dir, 3)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if again.ReadOnly() || !again.Has(k) {
		t.Error("reopened cache is read-only or lost the record")
	}
	again.Close()
}

// TestOpen_BadHeaderConcurrent: writers racing to open a file with a bad
// header (each open file holds its own lock, as another process's would)
// leave one writer at a time, the bad file kept whole under a name of its
// own, and no live cache moved aside (the diff review's race: a writer
// that locked the bad file after it was renamed set aside the new one).
func TestOpen_BadHeaderConcurrent(t *testing.T) {
	t.Parallel()
	if !fsatomic.CanLock {
		t.Skip("no advisory locks on this platform")
	}
	garbage := bytes.Repeat([]byte("not a cache "), 10)
	for round := range 40 {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), garbage, 0o644); err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			writers []*Cache
		)
		for range 8 {
			wg.Go(func() {
				c, err := Open(dir, 8)
				if err != nil {
					if !errors.Is(err, ErrBusy) {
						t.Errorf("round %d: %v", round, err)
					}
					return
				}
				mu.Lock()
				writers = append(writers, c)
				mu.Unlock()
			})
		}
		wg.Wait()
		if len(writers) > 1 {
			t.Fatalf("round %d: %d writers at once", round, len(writers))
		}
		for _, c := range writers {
			c.Close()
		}
		asides, _ := filepath.Glob(filepath.Join(dir, FileName+".bad-*"))
		if len(asides) != 1 {
			t.Fatalf("round %d: %d files set aside, want the one bad file: %v", round, len(asides), asides)
		}
		if b, err := os.ReadFile(asides[0]); err != nil || !bytes.Equal(b, garbage) {
			t.Fatalf("round %d: the file set aside holds %d bytes (%v), not the bad file", round, len(b), err)
		}
	}
}
