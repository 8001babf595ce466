package lcpickle

import (
	"fmt"
	"math/big"
	"strings"
	"sync"

	"github.com/nlpodyssey/gopickle/types"
)

// function stands for one Python callable a pickle may name (a class
// called through REDUCE, or a plain function). call computes in Go what
// the callable would return; nothing from the pickle runs.
type function struct {
	qual   string
	call   func(args []any) (any, error)
	newObj func() any // for classes built by NEWOBJ then BUILD; nil for others
}

// Call implements types.Callable.
func (f *function) Call(args ...any) (any, error) {
	if f.call == nil {
		return nil, fmt.Errorf("lcpickle: %s is not callable here: %w", f.qual, ErrFormat)
	}
	v, err := f.call(args)
	if err != nil {
		return nil, fmt.Errorf("lcpickle: %s: %w", f.qual, err)
	}
	return v, nil
}

// PyNew implements types.PyNewable for the classes built through NEWOBJ
// (uuid.UUID) or copyreg._reconstructor.
func (f *function) PyNew(...any) (any, error) {
	if f.newObj == nil {
		return nil, fmt.Errorf("lcpickle: %s cannot be built with NEWOBJ: %w", f.qual, ErrFormat)
	}
	return f.newObj(), nil
}

// globals maps "module\x00name" to the stand-in FindClass returns. Module
// aliases (Python 2 names, numpy 1 and 2 paths, pathlib._local of Python
// 3.13) map to the same stand-in.
var globals = sync.OnceValue(func() map[string]any {
	g := map[string]any{}
	add := func(modules, names string, v func(qual string) any) {
		for _, m := range strings.Fields(modules) {
			for _, n := range strings.Fields(names) {
				g[m+"\x00"+n] = v(m + "." + n)
			}
		}
	}
	fn := func(call func([]any) (any, error)) func(string) any {
		return func(qual string) any { return &function{qual: qual, call: call} }
	}
	add("builtins __builtin__", "set", fn(newSet))
	add("builtins __builtin__", "frozenset", fn(newFrozenSet))
	add("builtins __builtin__", "bytes bytearray", fn(newBytes))
	add("builtins __builtin__", "getattr", fn(enumByName))
	add("builtins __builtin__", "object", func(string) any { return &types.ObjectClass{} })
	add("_codecs", "encode", fn(codecsEncode))
	add("copyreg copy_reg", "_reconstructor", func(string) any { return &types.Reconstructor{} })
	add("datetime", "datetime", fn(newDatetime))
	add("datetime", "date", fn(newDate))
	add("datetime", "time", fn(newTime))
	add("datetime", "timedelta", fn(newTimedelta))
	add("datetime", "timezone", fn(newTimezone))
	add("pathlib pathlib._local", "PurePosixPath PosixPath", fn(posixPath))
	add("pathlib pathlib._local", "PureWindowsPath WindowsPath", fn(windowsPath))
	add("decimal _decimal _pydecimal", "Decimal", fn(newDecimal))
	add("uuid", "UUID", func(qual string) any {
		return &function{qual: qual, newObj: func() any { return &uuidValue{} }}
	})
	add("numpy", "dtype", fn(newDtype))
	add("numpy", "ndarray", fn(nil))
	add("numpy.core.multiarray numpy._core.multiarray", "scalar", fn(npScalarOf))
	add("numpy.core.multiarray numpy._core.multiarray", "_reconstruct", fn(npReconstruct))
	add("numpy.core.numeric numpy._core.numeric", "_frombuffer", fn(npFromBuffer))
	return g
})

// resolve returns the stand-in for module.name: an allowed LangChain
// class, a value type metadata may hold, or an Enum class; nil if the
// name is refused.
func resolve(module, name string) any {
	if c := classFor(module, name); c != nil {
		return c
	}
	if v, ok := globals()[module+"\x00"+name]; ok {
		return v
	}
	if enumCandidate(module, name) {
		return &enumClass{qual: module + "." + name}
	}
	return nil
}

// stdlib holds the top-level names of stdlibModules.
var stdlib = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(stdlibModules) {
		m[n] = true
	}
	return m
})

// enumCandidate reports whether module.name may be read as an Enum class
// (LangChain's Language, unstructured's ElementType...). An Enum member is
// pickled as Cls(value) or getattr(Cls, "NAME"), which names the class by
// its own module, so no fixed list can hold them all. The rule admits only
// what could be such a class: a CapWords name in a module outside the
// Python standard library and outside numpy (whose classes are read by
// their own stand-ins or refused). Even then nothing is called: the
// stand-in accepts one primitive argument and hands it back as the value.
func enumCandidate(module, name string) bool {
	if !dotted(module) || !dotted(name) {
		return false
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	if last[0] < 'A' || last[0] > 'Z' {
		return false
	}
	top, _, _ := strings.Cut(module, ".")
	if top == "__main__" {
		return true
	}
	return !stdlib()[top] && !strings.HasPrefix(top, "_") && top != "numpy"
}

// dotted reports whether s is one or more Python identifiers (ASCII)
// joined by dots.
func dotted(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			switch {
			case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			case r >= '0' && r <= '9' && i > 0:
			default:
				return false
			}
		}
	}
	return true
}

// enumClass stands for a class admitted by enumCandidate.
type enumClass struct{ qual string }

// enumValue is one Enum member: its value, or its name when the pickle
// (Python 3.11's getattr form) holds only the name.
type enumValue struct {
	class *enumClass
	value any
}

// Call builds Cls(value), the by-value form.
func (e *enumClass) Call(args ...any) (any, error) {
	if len(args) != 1 || !primitive(args[0]) {
		return nil, e.refuse()
	}
	return &enumValue{class: e, value: args[0]}, nil
}

// PyNew refuses: an Enum member is never built through NEWOBJ, so this is
// some other class.
func (e *enumClass) PyNew(...any) (any, error) { return nil, e.refuse() }

func (e *enumClass) refuse() error {
	return fmt.Errorf("lcpickle: %s (only LangChain InMemoryDocstore and Document, metadata value types, and Enum members given by one str or int are read): %w", e.qual, ErrClass)
}

func primitive(v any) bool {
	switch v.(type) {
	case string, int, *big.Int, bool:
		return true
	}
	return false
}

// enumByName is getattr(Cls, "NAME") for an Enum class, as Python 3.11
// pickles members. The value is not in the pickle; the name stands for it.
func enumByName(args []any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("getattr with %d arguments: %w", len(args), ErrFormat)
	}
	cls, ok := args[0].(*enumClass)
	name, isStr := args[1].(string)
	if !ok || !isStr || !dotted(name) {
		return nil, fmt.Errorf("getattr(%s, %s) is read only for an Enum member: %w", typeName(args[0]), typeName(args[1]), ErrClass)
	}
	return &enumValue{class: cls, value: name}, nil
}

func newSet(args []any) (any, error) {
	items, err := iterable(args)
	if err != nil {
		return nil, err
	}
	return types.NewSetFromSlice(items), nil
}

func newFrozenSet(args []any) (any, error) {
	items, err := iterable(args)
	if err != nil {
		return nil, err
	}
	return types.NewFrozenSetFromSlice(items), nil
}

// iterable returns the items of the one list or tuple argument of set()
// or frozenset() (none for set()).
func iterable(args []any) ([]any, error) {
	switch {
	case len(args) == 0:
		return nil, nil
	case len(args) > 1:
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	switch x := args[0].(type) {
	case *types.List:
		return *x, nil
	case *types.Tuple:
		return *x, nil
	}
	return nil, fmt.Errorf("argument is %s, want a list: %w", typeName(args[0]), ErrFormat)
}

// newBytes is bytes() or bytearray() with no argument, as protocol 2
// writes an empty one.
func newBytes(args []any) (any, error) {
	if len(args) != 0 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	return []byte{}, nil
}

// codecsEncode is _codecs.encode(text, "latin1"), protocol 2's way of
// writing bytes: each code point of text is one byte.
func codecsEncode(args []any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	s, ok1 := args[0].(string)
	enc, ok2 := args[1].(string)
	if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
		return nil, fmt.Errorf("only str encoded as latin1 is read: %w", ErrFormat)
	}
	b := make([]byte, 0, len(s))
	for i, r := range s {
		if r > 0xff { // utf8.RuneError included
			return nil, fmt.Errorf("code point %U at byte %d is not latin1: %w", r, i, ErrFormat)
		}
		b = append(b, byte(r))
	}
	return b, nil
}

// rawBytes returns the bytes of a bytes-like pickled value: bytes,
// bytearray, or a Python 2 str (which gopickle leaves as raw bytes in a
// Go string).
func rawBytes(v any) ([]byte, bool) {
	switch x := v.(type) {
	case []byte:
		return x, true
	case *types.ByteArray:
		return *x, true
	case string:
		return []byte(x), true
	}
	return nil, false
}
