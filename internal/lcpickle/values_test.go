package lcpickle

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlpodyssey/gopickle/types"
)

// TestDecode_RefusesPythonWritten reads pickles written by
// scripts/faiss_fixtures.py (--pickle-out) whose metadata holds a value
// outside the allow-list. Nothing in them may be called or accepted.
func TestDecode_RefusesPythonWritten(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		want   error
		substr string
	}{
		{"popen", ErrClass, "subprocess.Popen"},
		{"os_system", ErrClass, "posix.system"},
		{"zoneinfo", ErrClass, "zoneinfo.ZoneInfo"},
		{"object_array", ErrFormat, `dtype "O8"`},
		{"complex", ErrFormat, `dtype "c8"`},
		{"datetime64", ErrFormat, `dtype "M8"`},
		{"structured", ErrFormat, `dtype "V4"`},
		{"newobj_unknown", ErrClass, "acme.models.Unknown"},
		{"enum_of_list", ErrClass, "langchain_text_splitters.base.Language"},
		{"getattr_class", ErrClass, "getattr(datetime.datetime"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join("testdata", "reject", tt.file+".pkl"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decode(b)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err %v, want %v containing %q", err, tt.want, tt.substr)
			}
		})
	}
}

func TestText_Surrogates(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"valid", "日本 ok", "日本 ok"},
		{"lone high", "a\xed\xa0\x80b", "a\uFFFDb"},
		{"lone low", "a\xed\xb0\x80b", "a\uFFFDb"},
		{"pair", "\xed\xa0\xbd\xed\xb8\x80", "😀"},
		{"low then high", "\xed\xb8\x80\xed\xa0\xbd", "\uFFFD\uFFFD"},
		{"high at end", "x\xed\xa0\xbd", "x\uFFFD"},
		{"truncated surrogate", "x\xed\xa0", "x\uFFFD\uFFFD"},
		{"other invalid byte", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := text(tt.in); got != tt.want {
				t.Fatalf("text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecimalValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want any
	}{
		{"1.10", 1.1},
		{"0.5", 0.5},
		{"-0", 0.0},
		{"1E+2", 100.0},
		{"2.5E-3", 0.0025},
		{"0.1000000000000000000001", "0.1000000000000000000001"},
		{"123456789012345678901234567890", json.Number("123456789012345678901234567890")},
		{"1E+30", 1e30},
		{"1E+999999999", "1E+999999999"}, // never expanded
		{"NaN", "NaN"},
		{"-Infinity", "-Infinity"},
		{"sNaN", "sNaN"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := decimalValue(tt.in); got != tt.want {
				t.Fatalf("decimalValue(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFloat16(t *testing.T) {
	t.Parallel()
	tests := []struct {
		bits uint16
		want float64
	}{
		{0x3c00, 1}, {0x3e00, 1.5}, {0xc000, -2}, {0x0001, math.Ldexp(1, -24)},
		{0x7bff, 65504}, {0x7c00, math.Inf(1)}, {0xfc00, math.Inf(-1)}, {0x8000, 0},
	}
	for _, tt := range tests {
		if got := float16(tt.bits); got != tt.want {
			t.Errorf("float16(%#04x) = %v, want %v", tt.bits, got, tt.want)
		}
	}
	if !math.IsNaN(float16(0x7e00)) {
		t.Error("float16(0x7e00) is not NaN")
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		windows bool
		parts   []any
		want    string
	}{
		{"posix absolute", false, []any{"/", "a", "b.txt"}, "/a/b.txt"},
		{"posix relative", false, []any{"docs", "x.md"}, "docs/x.md"},
		{"posix raw segments", false, []any{"/data", "docs/x.md"}, "/data/docs/x.md"},
		{"posix later absolute", false, []any{"a", "/b"}, "/b"},
		{"posix empty", false, nil, "."},
		{"windows drive", true, []any{`C:\`, "Users", "me"}, `C:\Users\me`},
		{"windows drive relative", true, []any{"C:", "x"}, `C:x`},
		{"windows unc", true, []any{`\\server\share\`, "f.txt"}, `\\server\share\f.txt`},
		{"windows relative", true, []any{"a", "b"}, `a\b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			join := posixPath
			if tt.windows {
				join = windowsPath
			}
			got, err := join(tt.parts)
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := posixPath([]any{"a", 1}); !errors.Is(err, ErrFormat) {
		t.Fatalf("non-str part: err %v", err)
	}
	// A pickle names one part many times through its memo: joined by
	// repeated concatenation, 20,000 parts of 1,000 bytes took 54 s of
	// CPU. The join is linear and stops at a document's metadata size.
	long := make([]any, 20000)
	for i := range long {
		long[i] = strings.Repeat("p", 1000)
	}
	for _, join := range []func([]any) (any, error){posixPath, windowsPath} {
		if _, err := join(long); !errors.Is(err, ErrBudget) {
			t.Errorf("20 MB path: err %v, want ErrBudget", err)
		}
		if got, err := join(long[:1000]); err != nil || len(got.(string)) != 1000*1001-1 {
			t.Errorf("1 MB path: %d bytes, %v", len(got.(string)), err)
		}
	}
}

func TestEnumCandidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		module, name string
		want         bool
	}{
		{"langchain_text_splitters.base", "Language", true},
		{"unstructured.documents.elements", "ElementType", true},
		{"__main__", "Color", true},
		{"mypkg", "Outer.Inner", true},
		{"subprocess", "Popen", false},   // standard library
		{"os", "PathLike", false},        // standard library
		{"builtins", "Exception", false}, // standard library
		{"_private", "Thing", false},
		{"numpy", "Thing", false},
		{"mypkg", "run", false}, // not a class name
		{"my-pkg", "Color", false},
		{"mypkg", "Color\nx", false},
		{"", "Color", false},
	}
	for _, tt := range tests {
		if got := enumCandidate(tt.module, tt.name); got != tt.want {
			t.Errorf("enumCandidate(%q, %q) = %v, want %v", tt.module, tt.name, got, tt.want)
		}
	}
}

// TestConverter_SharedArraysCountTheirBytes: one numpy str_ array shared
// through a list stands for its full width at every reference.
func TestConverter_SharedArraysCountTheirBytes(t *testing.T) {
	t.Parallel()
	const n, width = 200, 1000 // 200 elements of 1,000 characters: 800 KB, within one document's metadata
	wide := &ndarray{shape: []int{n}, dt: &dtype{spec: "U1000", kind: 'U', size: 4 * width, checked: true},
		data: make([]byte, n*4*width), built: true}
	outer := types.NewList()
	for range 1500 { // 1,500 * 200 * 4,000 bytes > 1 GiB
		outer.Append(wide)
	}
	c := converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(outer, 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "expand past the budget") {
		t.Fatalf("err %v, want ErrFormat (expansion past the budget)", err)
	}
	small := types.NewList()
	small.Append(wide)
	c = converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(small, 0); err != nil {
		t.Fatal(err)
	}
}

// TestConverter_ArraysOfEmptyLists: an array with a zero dimension holds
// no element, so its bytes in the file say nothing of its size as lists:
// a 460-byte pickle of a (2^24, 0) array took 943 MB (a 1 in each of 30
// dimensions more, 5.9 GB and a fatal out of memory). Refused before it is
// built; a small one still converts.
func TestConverter_ArraysOfEmptyLists(t *testing.T) {
	f8 := func() *dtype { return &dtype{spec: "f8", kind: 'f', size: 8, checked: true} }
	array := func(dims ...any) *ndarray {
		t.Helper()
		a, err := npFromBuffer([]any{[]byte{}, f8(), types.NewTupleFromSlice(dims), "C"})
		if err != nil {
			t.Fatal(err)
		}
		return a.(*ndarray)
	}
	ones := make([]any, 30)
	for i := range ones {
		ones[i] = 1
	}
	for _, a := range []*ndarray{array(1<<24, 0), array(append(append([]any{1 << 24}, ones...), 0)...)} {
		c := converter{seen: map[any]any{}, active: map[any]bool{}}
		var err error
		if n := allocated(func() { _, err = c.value(a, 0) }); !errors.Is(err, ErrBudget) || n > 1<<20 {
			t.Errorf("shape %v: err %v after %d bytes allocated, want ErrBudget at once", a.shape, err, n)
		}
	}
	c := converter{seen: map[any]any{}, active: map[any]bool{}}
	got, err := c.value(array(3, 0), 0)
	if want := []any{[]any{}, []any{}, []any{}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("(3, 0) array: %v, %v; want %v", got, err, want)
	}
}

func TestNumpyArray_Bounds(t *testing.T) {
	t.Parallel()
	f8 := func() *dtype { return &dtype{spec: "f8", kind: 'f', size: 8, checked: true} }
	shape := func(dims ...any) *types.Tuple { return types.NewTupleFromSlice(dims) }
	tests := []struct {
		name   string
		args   []any
		substr string
	}{
		{"too many elements", []any{[]byte{}, f8(), shape(1<<12, 1<<12, 2), "C"}, "more than 16777216 elements"},
		{"one huge dimension", []any{[]byte{}, f8(), shape(math.MaxInt), "C"}, "dimension"},
		{"negative dimension", []any{[]byte{}, f8(), shape(-1), "C"}, "dimension -1"},
		{"bytes disagree with shape", []any{make([]byte, 16), f8(), shape(3), "C"}, "holds 16 bytes"},
		{"too many dimensions", []any{make([]byte, 8), f8(), types.NewTupleFromSlice(make([]any, maxArrayDims+1)), "C"}, "shape"},
		{"dtype without state", []any{make([]byte, 8), &dtype{spec: "f8", kind: 'f', size: 8}, shape(1), "C"}, "no state"},
		{"object data", []any{types.NewList(), f8(), shape(0), "C"}, "object arrays"},
		{"bad order", []any{make([]byte, 8), f8(), shape(1), "K"}, "order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := npFromBuffer(tt.args)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err %v, want ErrFormat containing %q", err, tt.substr)
			}
		})
	}
	for _, spec := range []string{"U0", "S0", "i3", "f1", "b2", "O8", "c16", "M8", "x", "U-1"} {
		if _, err := newDtype([]any{spec, false, true}); !errors.Is(err, ErrFormat) {
			t.Errorf("dtype %q: err %v, want ErrFormat", spec, err)
		}
	}
}
