package keyword

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// persisted writes ix and decodes it again.
func persisted(t testing.TB, ix *Index, opts DecodeOptions) *Index {
	t.Helper()
	var buf bytes.Buffer
	n, err := ix.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d", n, err, buf.Len())
	}
	got, err := Decode(buf.Bytes(), ix.an, opts)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return got
}

func TestDecode_SameResultsAsRebuilt(t *testing.T) {
	t.Parallel()
	en, _ := benchCorpus(2000, 8, false)
	ja, jq := benchCorpus(500, 10, true)
	tests := []struct {
		name    string
		texts   []string
		queries []string
		opts    DecodeOptions
	}{
		{"english", en, []string{"w0 w1 w2", "w5 w9", "nothing", ""}, DecodeOptions{}},
		{"japanese, checksum skipped", ja, jq[:10], DecodeOptions{SkipChecksum: true}},
		{"empty index", nil, []string{"a"}, DecodeOptions{}},
		{"empty documents", []string{"", "", "api key"}, []string{"api", "key reset"}, DecodeOptions{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			built := New(tc.texts)
			got := persisted(t, built, tc.opts)
			if got.Len() != built.Len() || got.avgLen != built.avgLen || got.AnalyzerVersion() != built.AnalyzerVersion() {
				t.Fatalf("decoded %d docs avg %v (%s), built %d avg %v", got.Len(), got.avgLen, got.AnalyzerVersion(), built.Len(), built.avgLen)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			for i, q := range tc.queries {
				for _, k := range []int{1, 5, 50} {
					var filter func(uint32) bool
					if i%2 == 1 {
						mod := uint32(2 + rng.IntN(3))
						filter = func(id uint32) bool { return id%mod != 0 }
					}
					if g, w := got.Search(q, k, filter), built.Search(q, k, filter); !sameResults(g, w) {
						t.Fatalf("Search(%q, %d): decoded %v, built %v", q, k, g, w)
					}
				}
			}
		})
	}
}

// otherAnalyzer is Standard under another version.
type otherAnalyzer struct{ Analyzer }

func (otherAnalyzer) Version() string { return "other/1" }

func TestDecode_Rejects(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if _, err := New([]string{"api key", "reset password", "検索結果"}).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	flip := func(off int) []byte {
		b := bytes.Clone(good)
		b[off] ^= 0x40
		return b
	}
	tests := []struct {
		name string
		b    []byte
		an   Analyzer
		opts DecodeOptions
		want error
	}{
		{"empty", nil, Standard, DecodeOptions{}, ErrFormat},
		{"truncated", good[:len(good)-5], Standard, DecodeOptions{SkipChecksum: true}, ErrFormat},
		{"bad magic", flip(0), Standard, DecodeOptions{}, ErrFormat},
		{"byte flipped in the postings", flip(len(good) - 8), Standard, DecodeOptions{}, ErrFormat},
		{"trailing bytes", append(bytes.Clone(good), 0, 0, 0, 0), Standard, DecodeOptions{SkipChecksum: true}, ErrFormat},
		{"another analyzer", good, otherAnalyzer{Standard}, DecodeOptions{}, ErrAnalyzer},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if ix, err := Decode(tc.b, tc.an, tc.opts); !errors.Is(err, tc.want) {
				t.Fatalf("Decode = %v, %v; want %v", ix, err, tc.want)
			}
		})
	}
}

// FuzzDecode feeds arbitrary bytes to Decode with the checksum skipped (so
// the structure checks are reached) and searches whatever it accepts: any
// input must give an error or a usable index, never a panic.
func FuzzDecode(f *testing.F) {
	for _, texts := range [][]string{nil, {"api key"}, {"api key", "reset password api", "検索結果", ""}} {
		var buf bytes.Buffer
		if _, err := New(texts).WriteTo(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ix, err := Decode(b, Standard, DecodeOptions{SkipChecksum: true})
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrAnalyzer) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		for _, q := range []string{"api", "key password", "検索", "a"} {
			for _, r := range ix.Search(q, 3, nil) {
				if int(r.ID) >= ix.Len() {
					t.Fatalf("result id %d of %d documents", r.ID, ix.Len())
				}
			}
		}
	})
}

func TestAnalyzerOf(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if _, err := NewWith([]string{"api key"}, Standard).WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if v, err := AnalyzerOf(bytes.NewReader(buf.Bytes())); err != nil || v != AnalyzerVersion {
		t.Errorf("AnalyzerOf = %q, %v; want %q", v, err, AnalyzerVersion)
	}
	long := slices.Clone(buf.Bytes())
	binary.LittleEndian.PutUint32(long[12:], maxAnalyzerVersion+1)
	for name, b := range map[string][]byte{
		"empty":       nil,
		"bad magic":   append([]byte("VKWBM26\x00"), buf.Bytes()[8:]...),
		"too long":    long,
		"cut version": buf.Bytes()[:18],
	} {
		if v, err := AnalyzerOf(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %q, %v; want ErrFormat", name, v, err)
		}
	}
}

// FuzzAnalyzerOf: any bytes give the recorded version or ErrFormat, and
// what Decode accepts AnalyzerOf reads the same.
func FuzzAnalyzerOf(f *testing.F) {
	var buf bytes.Buffer
	if _, err := New([]string{"api key"}).WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := AnalyzerOf(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v is not ErrFormat", err)
			}
			return
		}
		if len(v) > maxAnalyzerVersion {
			t.Fatalf("version of %d bytes", len(v))
		}
		if _, err := Decode(b, Standard, DecodeOptions{SkipChecksum: true}); err == nil && v != AnalyzerVersion {
			t.Fatalf("Decode accepted the Standard analyzer, AnalyzerOf says %q", v)
		}
	})
}
