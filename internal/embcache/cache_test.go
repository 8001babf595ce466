package embcache

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
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
	if _, err := Open(dir, 4); err == nil || !strings.Contains(err.Error(), "3-dim") {
		t.Fatalf("other dims: err %v", err)
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

// TestOpen_TornTail: a crash mid-write leaves part of a record; Open keeps
// the records before it, cuts the rest, and appends readable records after.
func TestOpen_TornTail(t *testing.T) {
	t.Parallel()
	rec := recordHead + payloadSize(3)
	tests := []struct {
		name    string
		damage  func(b []byte) []byte
		keep    int // records that survive
		dropped int
	}{
		{"intact", func(b []byte) []byte { return b }, 3, 0},
		{"torn inside the last payload", func(b []byte) []byte { return b[:len(b)-5] }, 2, rec - 5},
		{"torn inside the last length", func(b []byte) []byte { return b[:len(b)-rec+2] }, 2, 2},
		{"bad checksum in the middle", func(b []byte) []byte { b[headerSize+rec+recordHead+40] ^= 1; return b }, 1, 2 * rec},
		{"huge declared length", func(b []byte) []byte { b[headerSize+rec] = 0xff; b[headerSize+rec+3] = 0x7f; return b }, 1, 2 * rec},
		{"garbage appended", func(b []byte) []byte { return append(b, "garbage"...) }, 3, 7},
		{"torn header", func(b []byte) []byte { return b[:5] }, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c, err := Open(dir, 3)
			if err != nil {
				t.Fatal(err)
			}
			keys := []Key{KeyOf(model, "a"), KeyOf(model, "b"), KeyOf(model, "c")}
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
			if err := os.WriteFile(path, tt.damage(b), 0o644); err != nil {
				t.Fatal(err)
			}
			ro, err := OpenReadOnly(dir, 3)
			if err != nil || ro.Len() != tt.keep {
				t.Fatalf("read-only: %v, %d records, want %d", err, ro.Len(), tt.keep)
			}
			ro.Close()
			c, err = Open(dir, 3)
			if err != nil {
				t.Fatal(err)
			}
			if c.Len() != tt.keep || c.Dropped() != int64(tt.dropped) {
				t.Fatalf("kept %d, dropped %d bytes; want %d, %d", c.Len(), c.Dropped(), tt.keep, tt.dropped)
			}
			extra := KeyOf(model, "after the crash")
			if err := c.Put([]Key{extra}, [][]float32{vec(5)}); err != nil {
				t.Fatal(err)
			}
			c.Close()
			c, err = Open(dir, 3)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if got, ok := c.Get(extra); !ok || !slices.Equal(got, vec(5)) || c.Len() != tt.keep+1 {
				t.Fatalf("record appended after the cut: %v %v, %d records", got, ok, c.Len())
			}
			for i, k := range keys[:tt.keep] {
				if got, ok := c.Get(k); !ok || !slices.Equal(got, vec(float32(i))) {
					t.Fatalf("record %d lost: %v %v", i, got, ok)
				}
			}
		})
	}
}

func TestOpen_NotACache(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("this is not a cache file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, 3); err == nil || !strings.Contains(err.Error(), "bad header") {
		t.Fatalf("err %v", err)
	}
}

// FuzzScan feeds arbitrary bytes as a cache file: Scan must not panic,
// must report records only at record boundaries within the file, and
// Open must leave a file that a record can be appended to and read back.
func FuzzScan(f *testing.F) {
	var valid bytes.Buffer
	dir := f.TempDir()
	c, err := Open(dir, 3)
	if err != nil {
		f.Fatal(err)
	}
	c.Put([]Key{KeyOf(model, "a"), KeyOf(model, "b")}, [][]float32{vec(1), vec(2)})
	c.Close()
	b, _ := os.ReadFile(filepath.Join(dir, FileName))
	valid.Write(b)
	f.Add(valid.Bytes())
	f.Add(valid.Bytes()[:valid.Len()-3])
	f.Add([]byte(magic + "\x03\x00\x00\x00\xff\xff\xff\xff\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		rec := int64(recordHead + payloadSize(3))
		var offs []int64
		good, err := Scan(bytes.NewReader(data), int64(len(data)), 3, func(_ Key, off int64) { offs = append(offs, off) })
		if err != nil {
			return
		}
		if good > int64(len(data)) || (len(data) >= headerSize && good != int64(headerSize)+int64(len(offs))*rec) {
			t.Fatalf("good %d of %d bytes with %d records", good, len(data), len(offs))
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Open(dir, 3)
		if err != nil {
			t.Fatal(err)
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
