package lcpickle

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nlpodyssey/gopickle/types"
)

// numpy values are rebuilt from their raw bytes and dtype, as
// numpy.ndarray.tolist() and numpy.generic.item() would give them. Only
// numeric, bool, str_ and bytes_ dtypes are read; object, complex,
// datetime64 and structured dtypes are refused.

// Bounds on arrays: the bytes of an array are in the pickle, so the
// element count is bounded by the file size, except for zero-sized
// elements, which are refused. maxArrayElements caps one array (each
// element also counts toward the converter's expansion budget), and
// maxArrayDims is numpy's own limit.
const (
	maxArrayElements = 1 << 24
	maxArrayDims     = 64
)

// dtype is a numpy.dtype: kind 'b', 'i', 'u', 'f', 'U' or 'S', size in
// bytes per element, byte order.
type dtype struct {
	spec    string
	kind    byte
	size    int
	bigEnd  bool
	checked bool // BUILD gave a state
}

func newDtype(args []any) (any, error) {
	if len(args) < 1 || len(args) > 3 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	spec, ok := args[0].(string)
	if !ok || spec == "" {
		return nil, fmt.Errorf("spec is %s, want str: %w", typeName(args[0]), ErrFormat)
	}
	n, err := strconv.Atoi(spec[1:])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("dtype %q is not read: %w", spec, ErrFormat)
	}
	dt := &dtype{spec: spec, kind: spec[0], size: n}
	pow2 := n == 1 || n == 2 || n == 4 || n == 8
	switch dt.kind {
	case 'b':
		ok = n == 1
	case 'i', 'u':
		ok = pow2
	case 'f':
		ok = pow2 && n != 1
	case 'S':
		ok = n > 0
	case 'U':
		ok, dt.size = n > 0, 4*n
	default:
		ok = false
	}
	if !ok {
		return nil, fmt.Errorf("dtype %q is not read (numeric, bool, str_ and bytes_ only): %w", spec, ErrFormat)
	}
	return dt, nil
}

// PySetState takes the dtype's BUILD state (version, byteorder, subarray,
// names, fields, elsize, alignment, flags[, metadata]).
func (dt *dtype) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || t.Len() < 5 {
		return fmt.Errorf("lcpickle: numpy dtype state is %s: %w", typeName(state), ErrFormat)
	}
	order, _ := t.Get(1).(string)
	switch order {
	case "<", "|", "=":
	case ">":
		dt.bigEnd = true
	default:
		return fmt.Errorf("lcpickle: numpy dtype byte order %q: %w", order, ErrFormat)
	}
	if t.Get(2) != nil || t.Get(3) != nil || t.Get(4) != nil {
		return fmt.Errorf("lcpickle: numpy dtype %q with fields or subarray is not read: %w", dt.spec, ErrFormat)
	}
	if t.Len() > 5 {
		if el, ok := t.Get(5).(int); ok && el >= 0 && el != dt.size {
			return fmt.Errorf("lcpickle: numpy dtype %q of %d bytes, state says %d: %w", dt.spec, dt.size, el, ErrFormat)
		}
	}
	dt.checked = true
	return nil
}

func dtypeArg(v any) (*dtype, error) {
	dt, ok := v.(*dtype)
	if !ok {
		return nil, fmt.Errorf("dtype is %s: %w", typeName(v), ErrFormat)
	}
	if !dt.checked {
		return nil, fmt.Errorf("dtype %q has no state: %w", dt.spec, ErrFormat)
	}
	return dt, nil
}

// npScalarOf is numpy.core.multiarray.scalar(dtype, raw): one numpy scalar,
// converted at once.
func npScalarOf(args []any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	dt, err := dtypeArg(args[0])
	if err != nil {
		return nil, err
	}
	b, ok := rawBytes(args[1])
	if !ok || len(b) != dt.size {
		return nil, fmt.Errorf("%s scalar from %s of %d bytes: %w", dt.spec, typeName(args[1]), len(b), ErrFormat)
	}
	return dt.element(b), nil
}

// intValue is what converter.value gives a Python int of this value.
func intValue(x int64) any {
	if x >= -(1<<53) && x <= 1<<53 {
		return float64(x)
	}
	return json.Number(strconv.FormatInt(x, 10))
}

// floatValue gives non-finite floats as the strings JSON cannot carry
// otherwise.
func floatValue(x float64) any {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "Infinity"
	case math.IsInf(x, -1):
		return "-Infinity"
	}
	return x
}

// element converts one element of dt from its len(b) == dt.size bytes.
func (dt *dtype) element(b []byte) any {
	var order binary.ByteOrder = binary.LittleEndian
	if dt.bigEnd {
		order = binary.BigEndian
	}
	var u uint64
	switch dt.kind {
	case 'b', 'i', 'u', 'f':
		switch dt.size {
		case 1:
			u = uint64(b[0])
		case 2:
			u = uint64(order.Uint16(b))
		case 4:
			u = uint64(order.Uint32(b))
		case 8:
			u = order.Uint64(b)
		}
	}
	switch dt.kind {
	case 'b':
		return u != 0
	case 'i':
		shift := 64 - 8*dt.size
		return intValue(int64(u<<shift) >> shift)
	case 'u':
		if u <= 1<<53 {
			return float64(u)
		}
		return json.Number(strconv.FormatUint(u, 10))
	case 'f':
		switch dt.size {
		case 2:
			return floatValue(float16(uint16(u)))
		case 4:
			return floatValue(float64(math.Float32frombits(uint32(u))))
		}
		return floatValue(math.Float64frombits(u))
	case 'U':
		var sb strings.Builder
		for i := 0; i+4 <= len(b); i += 4 {
			r := rune(order.Uint32(b[i:]))
			if !utf8.ValidRune(r) {
				r = utf8.RuneError
			}
			sb.WriteRune(r)
		}
		return strings.TrimRight(sb.String(), "\x00")
	}
	return strings.TrimRight(string(b), "\x00") // 'S'
}

// float16 widens an IEEE 754 half-precision value.
func float16(h uint16) float64 {
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(frac, -24)
	case 0x1f:
		v = math.Inf(1)
		if frac != 0 {
			return math.NaN()
		}
	default:
		v = math.Ldexp(frac+1024, exp-25)
	}
	if h&0x8000 != 0 {
		v = -v
	}
	return v
}

// ndarray is a numpy array: _reconstruct then BUILD, or _frombuffer.
type ndarray struct {
	shape   []int
	dt      *dtype
	fortran bool
	data    []byte
	built   bool
}

// npReconstruct is numpy.core.multiarray._reconstruct(ndarray, (0,), b"b"):
// an empty array that BUILD fills.
func npReconstruct(args []any) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	if f, ok := args[0].(*function); !ok || !strings.HasSuffix(f.qual, ".ndarray") || !strings.HasPrefix(f.qual, "numpy.") {
		return nil, fmt.Errorf("subtype %s is not numpy.ndarray: %w", typeName(args[0]), ErrClass)
	}
	return &ndarray{}, nil
}

// PySetState takes (version, shape, dtype, is_fortran, rawdata); pickles
// from numpy before 1.0 lack the version.
func (a *ndarray) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if ok && t.Len() == 5 {
		t = types.NewTupleFromSlice((*t)[1:])
	}
	if !ok || t.Len() != 4 || a.built {
		return fmt.Errorf("lcpickle: numpy array state is %s: %w", typeName(state), ErrFormat)
	}
	fortran, ok := t.Get(2).(bool)
	if !ok {
		return fmt.Errorf("lcpickle: numpy array is_fortran is %s: %w", typeName(t.Get(2)), ErrFormat)
	}
	return a.fill(t.Get(0), t.Get(1), fortran, t.Get(3))
}

// npFromBuffer is numpy.core.numeric._frombuffer(buf, dtype, shape,
// order), protocol 5's form.
func npFromBuffer(args []any) (any, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	order, _ := args[3].(string)
	if order != "C" && order != "F" {
		return nil, fmt.Errorf("order %s: %w", typeName(args[3]), ErrFormat)
	}
	a := &ndarray{}
	if err := a.fill(args[2], args[1], order == "F", args[0]); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *ndarray) fill(shape, dt any, fortran bool, raw any) error {
	var err error
	if a.dt, err = dtypeArg(dt); err != nil {
		return fmt.Errorf("lcpickle: numpy array: %w", err)
	}
	st, ok := shape.(*types.Tuple)
	if !ok || st.Len() > maxArrayDims {
		return fmt.Errorf("lcpickle: numpy array shape is %s: %w", typeName(shape), ErrFormat)
	}
	n := 1
	for _, d := range *st {
		v, ok := d.(int)
		if !ok || v < 0 || v > maxArrayElements {
			return fmt.Errorf("lcpickle: numpy array dimension %v: %w", d, ErrFormat)
		}
		a.shape = append(a.shape, v)
		n *= v // each factor and the running product stay <= 2^24 unless one is 0
		if n > maxArrayElements {
			return fmt.Errorf("lcpickle: numpy array of more than %d elements: %w", maxArrayElements, ErrFormat)
		}
	}
	if a.data, ok = rawBytes(raw); !ok {
		return fmt.Errorf("lcpickle: numpy array data is %s (object arrays are not read): %w", typeName(raw), ErrFormat)
	}
	if len(a.data) != n*a.dt.size {
		return fmt.Errorf("lcpickle: numpy array of %d %s elements holds %d bytes: %w", n, a.dt.spec, len(a.data), ErrFormat)
	}
	a.fortran, a.built = fortran, true
	return nil
}

// slots is the number of places tolist() fills: each element, and each
// nested list in the list above it. Bounded by the element count for an
// array without a zero dimension, it is not for one with: a (2^24, 0)
// array holds no element but 2^24 empty lists.
func (a *ndarray) slots() int64 {
	var total int64
	level := int64(1)
	for _, d := range a.shape {
		level *= int64(d) // each factor is at most 2^24 and fill caps the product until a 0 ends it
		if level == 0 {
			break
		}
		total += level
	}
	return total
}

func (a *ndarray) elements() int {
	n := 1
	for _, d := range a.shape {
		n *= d
	}
	return n
}

// list returns the array as nested []any, as ndarray.tolist(); a 0-d
// array is its one element.
func (a *ndarray) list() any {
	strides := make([]int, len(a.shape))
	step := a.dt.size
	for i := range a.shape {
		k := len(a.shape) - 1 - i // C order: last axis varies fastest
		if a.fortran {
			k = i
		}
		strides[k] = step
		step *= a.shape[k]
	}
	var build func(dim, off int) any
	build = func(dim, off int) any {
		if dim == len(a.shape) {
			return a.dt.element(a.data[off : off+a.dt.size])
		}
		out := make([]any, a.shape[dim])
		for i := range out {
			out[i] = build(dim+1, off+i*strides[dim])
		}
		return out
	}
	return build(0, 0)
}
