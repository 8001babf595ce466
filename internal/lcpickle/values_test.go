package lcpickle

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
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
	const n, width = 1000, 1000 // 1,000 elements of 1,000 characters
	wide := &ndarray{shape: []int{n}, dt: &dtype{spec: "U1000", kind: 'U', size: 4 * width, checked: true},
		data: make([]byte, n*4*width), built: true}
	outer := types.NewList()
	for range 300 { // 300 * 1,000 * 4,000 bytes > 1 GiB
		outer.Append(wide)
	}
	c := converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(outer, 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "expand") {
		t.Fatalf("err %v, want ErrFormat (expansion)", err)
	}
	small := types.NewList()
	small.Append(wide)
	c = converter{seen: map[any]any{}, active: map[any]bool{}}
	if _, err := c.value(small, 0); err != nil {
		t.Fatal(err)
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
		{"one huge dimension", []any{[]byte{}, f8(), shape(1 << 40), "C"}, "dimension"},
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
