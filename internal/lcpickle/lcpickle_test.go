package lcpickle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// fixtures are written by scripts/faiss_fixtures.py: LangChain folders
// (--out) and the pickle-only cases of this package (--pickle-out).
var fixtureDirs = []string{"../store/testdata/langchain", "testdata"}

type expected struct {
	Count    int               `json:"count"`
	IDs      []string          `json:"ids"`
	Texts    []string          `json:"texts"`
	Metadata []json.RawMessage `json:"metadata"`
	// FAISSLabels, for an index with an id map, is row i's FAISS id: the
	// key index_to_docstore_id uses. Absent, the key is the row.
	FAISSLabels []int `json:"faiss_labels"`
}

func fixtures(t testing.TB) []string {
	var all []string
	for _, dir := range fixtureDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*", "index.pkl"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no fixtures under %s: %v", dir, err)
		}
		all = append(all, files...)
	}
	return all
}

// sameJSON compares decoded JSON values, numbers by value: Python writes
// 1.0 where Go writes 1.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		return okx && oky && rx.Cmp(ry) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestReadFile_Fixtures(t *testing.T) {
	t.Parallel()
	for _, file := range fixtures(t) {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			var e expected
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatal(err)
			}
			ds, err := ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds.IndexToDocstoreID) != e.Count || len(ds.Documents) != e.Count {
				t.Fatalf("%d rows, %d documents, want %d", len(ds.IndexToDocstoreID), len(ds.Documents), e.Count)
			}
			v2 := strings.Contains(dir, "_v2")
			for row := range e.Count {
				key := row
				if e.FAISSLabels != nil {
					key = e.FAISSLabels[row]
				}
				id := ds.IndexToDocstoreID[key]
				if id != e.IDs[row] {
					t.Fatalf("row %d: id %q, want %q", row, id, e.IDs[row])
				}
				doc := ds.Documents[id]
				if doc.PageContent != e.Texts[row] {
					t.Errorf("row %d: text %q, want %q", row, doc.PageContent, e.Texts[row])
				}
				if v2 && doc.ID != id || !v2 && doc.ID != "" {
					t.Errorf("row %d: Document.ID %q (v2 %v)", row, doc.ID, v2)
				}
				got, err := json.Marshal(doc.Metadata)
				if err != nil {
					t.Fatal(err)
				}
				g, w := jsonValue(t, got).(map[string]any), jsonValue(t, e.Metadata[row]).(map[string]any)
				if len(g) != len(w) {
					t.Errorf("row %d: metadata %s, want %s", row, got, e.Metadata[row])
				}
				for k, wv := range w {
					if gv, ok := g[k]; !ok || !sameJSON(gv, wv) {
						t.Errorf("row %d: metadata[%q] = %v, want %v", row, k, gv, wv)
					}
				}
			}
		})
	}
}

func TestDecode_TruncatedEverywhere(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(fixtures(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(b) {
		_, err := Decode(b[:n])
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "offset ") {
			t.Fatalf("cut at %d: err %v, want ErrFormat with an offset", n, err)
		}
	}
}

// pk builds a protocol-4 pickle from opcode fragments.
func pk(parts ...string) []byte {
	return []byte("\x80\x04" + strings.Join(parts, "") + ".")
}

// str is SHORT_BINUNICODE s.
func str(s string) string { return "\x8c" + string(rune(len(s))) + s }

func TestDecode_Rejects(t *testing.T) {
	t.Parallel()
	posix := pk(str("posix"), str("system"), "\x93", str("echo hi"), "\x85R")
	tests := []struct {
		name   string
		data   []byte
		want   error
		substr string
	}{
		{"os.system via STACK_GLOBAL", posix, ErrClass, "posix.system"},
		{"GLOBAL builtins.eval", []byte("\x80\x02cbuiltins\neval\nX\x02\x00\x00\x001+\x85R."), ErrClass, "offset 2"},
		{"huge BINUNICODE8", []byte("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f."), ErrFormat, "offset 2"},
		{"huge FRAME", []byte("\x80\x04\x95\x00\x00\x00\x00\x00\x00\x10\x00N."), ErrFormat, "FRAME"},
		{"unknown opcode", []byte("\x80\x04\xff."), ErrFormat, "0xff"},
		{"persistent id", []byte("\x80\x04NQ."), ErrFormat, "BINPERSID"},
		{"trailing bytes", append(pk("N"), 'x'), ErrFormat, "trailing"},
		{"no STOP", []byte("\x80\x04N"), ErrFormat, "without STOP"},
		{"SETITEMS without MARK", pk("}", "u"), ErrFormat, "without a MARK"},
		{"deep MARKs", pk(strings.Repeat("(", maxMarkDepth+1)), ErrFormat, "nested MARKs"},
		{"odd SETITEMS", pk("}(", str("k"), "u"), ErrFormat, "decoder failed"},
		{"not a tuple", pk("N"), ErrFormat, "top level is None"},
		{"empty LONG1", pk("\x8a\x00"), ErrFormat, "LONG1 with no bytes"},
		{"protocol 6", []byte("\x80\x06N."), ErrFormat, "protocol 6"},
		// Python refuses these; gopickle pushed None in their place.
		{"LONG_BINGET of an unset slot", pk(binGet(123456)), ErrFormat, "memo index 123456 was never set"},
		{"GET of a negative slot", []byte("\x80\x02g-5\n."), ErrFormat, "memo index -5 was never set"},
		{"truncated raw-unicode-escape", docstorePickle(1, "", func(int) string { return "Vab\\u12\n" }, noMetadata), ErrFormat, `truncated \u escape`},
		{"bad raw-unicode-escape", docstorePickle(1, "", func(int) string { return "V\\U0011ffff\n" }, noMetadata), ErrFormat, `bad \U escape`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(tt.data)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err %v, want %v containing %q", err, tt.want, tt.substr)
			}
		})
	}
}

func TestConverter_SharedAndCyclic(t *testing.T) {
	t.Parallel()
	decode := func(t *testing.T, b []byte) any {
		t.Helper()
		u := pickle.NewUnpickler(bytes.NewReader(b))
		v, err := u.Load()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// l = []; l.append(l)
	cyclic := decode(t, pk("]\x94h\x00a"))
	c := converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(cyclic, 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "itself") {
		t.Fatalf("cyclic list: err %v", err)
	}
	// x = {}; [x, x, {1: x}] converts x once.
	shared := decode(t, pk("](}\x94h\x00}K\x01h\x00se"))
	c = converter{seen: map[any]any{}, active: map[any]bool{}}
	v, err := c.value(shared, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(v)
	if string(got) != `[{},{},{"1":{}}]` {
		t.Fatalf("shared: %s", got)
	}
	// A chain of N lists, each holding the previous one twice, stands for
	// 2^N values once encoded (as JSON in chunks.jsonl or a /search hit):
	// a few hundred bytes must not become gigabytes. Ten levels (1,024
	// values) convert; thirty (2^30) are refused.
	chain := func(n int) []byte {
		frag := "]\x94"
		for i := 1; i < n; i++ {
			prev := "h" + string([]byte{byte(i - 1)})
			frag += "]\x94(" + prev + prev + "e"
		}
		return pk(frag)
	}
	c = converter{seen: map[any]any{}, active: map[any]bool{}}
	if v, err = c.value(decode(t, chain(10)), 0); err != nil {
		t.Fatalf("10-level shared chain: %v", err)
	}
	if len(c.seen) != 10 {
		t.Fatalf("converted %d containers, want 10", len(c.seen))
	}
	top := v.([]any)
	if len(top) != 2 || reflect.ValueOf(top[0]).Pointer() != reflect.ValueOf(top[1]).Pointer() {
		t.Fatal("shared list was copied")
	}
	c = converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err = c.value(decode(t, chain(30)), 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "expand") {
		t.Fatalf("30-level shared chain: err %v, want ErrFormat (expansion)", err)
	}
}

func FuzzPickle(f *testing.F) {
	rejects, err := filepath.Glob(filepath.Join("testdata", "reject", "*.pkl"))
	if err != nil || len(rejects) == 0 {
		f.Fatalf("no reject seeds: %v", err)
	}
	for _, file := range append(fixtures(f), rejects...) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(pk("](}\x94h\x00}K\x01h\x00se"))
	f.Add(pk("]\x94h\x00a"))
	// Memo and nesting floods in small: past the memo cap, distinct PUT
	// keys, a sparse key MEMOIZE reaches, deep lists.
	f.Add(pk("N", strings.Repeat("\x94", 64)))
	f.Add(pk(putFlood(64, false)))
	f.Add(pk(putFlood(64, true)))
	f.Add(pk("N", "r\x03\x00\x00\x00", strings.Repeat("\x94", 5), "j\x03\x00\x00\x00p9\n", "\x94g4\n"))
	f.Add(pk("N", "r\x01\x00\x00\x00q\x00q\x01\x94h\x01"))
	f.Add(pk(strings.Repeat("]", 64), strings.Repeat("a", 63)))
	f.Fuzz(func(t *testing.T, b []byte) {
		memoMirrored(t, b)
		ds, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrClass) {
				t.Fatalf("error %v wraps neither ErrFormat nor ErrClass", err)
			}
			return
		}
		if _, err := json.Marshal(ds.Documents); err != nil {
			t.Fatalf("decoded metadata is not JSON-encodable: %v", err)
		}
	})
}

// memoMirrored fails t when the scan accepts b and gopickle decodes it
// to a memo of another size than the simulated one: the scan charges
// memo entries, and GET's weights, by that mirror.
func memoMirrored(t *testing.T, b []byte) {
	t.Helper()
	s, err := simulate(b, newMeter(context.Background(), Options{}))
	if err != nil {
		return
	}
	u := pickle.NewUnpickler(bytes.NewReader(b))
	u.FindClass = findClass
	if _, err := load(&u); err != nil {
		return
	}
	// gopickle keeps its memo unexported; its length is read, not used.
	if got := reflect.ValueOf(&u).Elem().FieldByName("memo").Len(); got != s.memo.n {
		t.Fatalf("gopickle's memo has %d entries, the simulated one %d", got, s.memo.n)
	}
}

// TestConverter_SharedStringsCountTheirBytes: one 1 MiB string referenced
// a million times (through a shared list) is 1 TB of JSON; the budget
// counts bytes, not values.
func TestConverter_SharedStringsCountTheirBytes(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 1<<20)
	inner := types.NewList()
	for i := 0; i < 1000; i++ {
		inner.Append(big)
	}
	outer := types.NewList()
	for i := 0; i < 1000; i++ {
		outer.Append(inner)
	}
	md := types.NewDict()
	md.Set("tags", outer)
	c := converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(md, 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "expand") {
		t.Fatalf("err %v, want ErrFormat (expansion)", err)
	}
	// Ordinary metadata is far inside the budget.
	small := types.NewDict()
	small.Set("source", "docs/guide.md")
	small.Set("page", 3)
	c = converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(small, 0); err != nil {
		t.Fatal(err)
	}
}
