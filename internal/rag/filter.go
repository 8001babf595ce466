package rag

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// RequestError reports an invalid search or query request. Field names the
// offending request field as a path ("top_k", "filter.lang"); the HTTP
// layer answers it with 422.
type RequestError struct {
	Field string
	// Loc, when set, is Field as a list of keys and indexes (["filter",
	// "meta.lang", "$in", 3]), which the HTTP layer then reports instead:
	// a filter's keys may hold dots, which Field's path cannot tell from
	// its separators. Every filter error sets it.
	Loc []any
	Msg string
	// Type is pydantic's error type for the problem when it has one
	// ("literal_error", "too_long"); "" means a value_error, and Msg then
	// says what is wrong without pydantic's "Value error, " prefix.
	Type string
	// Ctx is pydantic's ctx for Type (bounds, expected values); may be nil.
	Ctx map[string]any
	// Input is the offending value, echoed in the 422 (the HTTP layer cuts
	// it short); nil when there is nothing useful to echo.
	Input any
}

func (e *RequestError) Error() string { return "rag: invalid " + e.Field + ": " + e.Msg }

// Filter limits. A filter is client input evaluated once per candidate
// row, so its size bounds a search's work; the HTTP layer checks the same
// constants before anything runs, and Search checks them again for other
// callers. The grammar itself bounds the depth: field -> operator object
// -> list of scalars.
const (
	// MaxFilterFields bounds the keys of a filter object.
	MaxFilterFields = 32
	// MaxFilterListItems bounds one $in or $nin list.
	MaxFilterListItems = 256
	// MaxFilterKeyChars bounds a metadata field name, in characters.
	MaxFilterKeyChars = 256
	// MaxFilterStringChars bounds a string value, in characters.
	MaxFilterStringChars = 1024
	// MaxFilterNumberChars bounds a number's text (a json.Number): enough
	// for a 40-digit integer id with its sign, short enough that parsing
	// it once is cheap.
	MaxFilterNumberChars = 64
)

// Filter operators, as a request spells them.
const (
	OpEq  = "$eq"
	OpNe  = "$ne"
	OpIn  = "$in"
	OpNin = "$nin"
)

// Condition is one field's test: Op is OpEq or OpNe with one value, OpIn
// or OpNin with a list. Values are the request's scalars: nil, string,
// bool, a Go number or json.Number. A chunk without the field fails OpEq
// and OpIn and passes OpNe and OpNin.
type Condition struct {
	Field  string
	Op     string
	Values []any
	// set is Values compiled: the values OpEq and OpIn accept (OpNe and
	// OpNin reject), so a candidate costs one map lookup per condition
	// whatever the list's length.
	set map[valueKey]struct{}
}

// negate reports whether c rejects the values of its set.
func (c *Condition) negate() bool { return c.Op == OpNe || c.Op == OpNin }

// Filter is a parsed request filter: conditions that must all hold, in
// field then operator order. A nil *Filter matches every chunk. The
// embedded store runs Match; another Backend translates the Conditions
// to its engine's filter language, with Match as the reference.
type Filter struct {
	Conditions []Condition
}

// Match reports whether metadata md passes f.
func (f *Filter) Match(md map[string]any) bool {
	if f == nil {
		return true
	}
	for i := range f.Conditions {
		c := &f.Conditions[i]
		in := false
		if v, present := md[c.Field]; present {
			if k, ok := keyOf(v); ok {
				_, in = c.set[k]
			}
		}
		if in == c.negate() {
			return false
		}
	}
	return true
}

// ExactFloat returns the float64 a filter value (a Condition's Values
// item) equals under Match, if it is a number a float64 holds exactly; a
// backend that stores numbers as float64 drops the others, which no
// stored number equals.
func ExactFloat(v any) (float64, bool) {
	k, ok := keyOf(v)
	if !ok || k.kind != keyNum {
		return 0, false
	}
	return math.Float64frombits(k.bits), true
}

// valueKey is a scalar in a comparable form: two scalars are equal (as
// the filter grammar defines it) exactly when their keys are. Numbers
// that a float64 holds exactly key by their bits, whatever their Go type;
// other numbers (json.Number integers beyond float64, exact decimals) by
// their exact rational in lowest terms.
type valueKey struct {
	kind uint8
	bits uint64
	s    string
}

const (
	keyNull uint8 = iota + 1
	keyBool
	keyNum    // bits: float64 bits, -0 as +0
	keyExact  // s: big.Rat.RatString of a number float64 cannot hold
	keyString // s
)

// ParseFilter parses a request filter (see the package documentation)
// into its compiled form; nil for an empty filter. It is the one place a
// filter is checked, against the grammar and the limits above, for every
// backend; numbers are parsed here, once, never per candidate.
func ParseFilter(f map[string]any) (*Filter, error) {
	if len(f) == 0 {
		return nil, nil
	}
	if len(f) > MaxFilterFields {
		return nil, tooLong([]any{"filter"}, "Dictionary", MaxFilterFields, len(f), f)
	}
	fields := make([]string, 0, len(f))
	for k := range f {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	var conds []Condition
	for _, field := range fields {
		v := f[field]
		if field == "" {
			return nil, filterError([]any{"filter"}, RequestError{Msg: "a filter key must not be empty", Input: f})
		}
		if strings.HasPrefix(field, "$") {
			return nil, filterError([]any{"filter"}, RequestError{Msg: fmt.Sprintf("unsupported key %q (logical operators are not supported)", clip(field)), Input: f})
		}
		if n := utf8.RuneCountInString(field); n > MaxFilterKeyChars {
			return nil, filterError([]any{"filter"}, RequestError{Type: "string_too_long", Input: clip(field),
				Msg: fmt.Sprintf("Filter keys should have at most %d characters", MaxFilterKeyChars), Ctx: map[string]any{"max_length": MaxFilterKeyChars}})
		}
		ops, ok := v.(map[string]any)
		if !ok {
			c := Condition{Field: field, Op: OpEq, Values: []any{v}}
			if err := c.add([]any{"filter", field}, v, "value must be a string, number, boolean, null or an operator object"); err != nil {
				return nil, err
			}
			conds = append(conds, c)
			continue
		}
		if len(ops) == 0 {
			return nil, filterError([]any{"filter", field}, RequestError{Msg: "empty operator object", Input: ops})
		}
		if len(ops) > 4 {
			return nil, filterError([]any{"filter", field}, RequestError{Msg: "at most the 4 operators $eq, $ne, $in and $nin", Input: ops})
		}
		names := make([]string, 0, len(ops))
		for op := range ops {
			names = append(names, op)
		}
		sort.Strings(names)
		for _, op := range names {
			arg := ops[op]
			c := Condition{Field: field, Op: op}
			switch op {
			case OpEq, OpNe:
				if err := c.add([]any{"filter", field, op}, arg, "operand must be a string, number, boolean or null"); err != nil {
					return nil, err
				}
				c.Values = []any{arg}
			case OpIn, OpNin:
				list, ok := arg.([]any)
				if !ok {
					return nil, filterError([]any{"filter", field, op}, RequestError{Msg: "operand must be a list", Input: arg})
				}
				if len(list) > MaxFilterListItems {
					return nil, tooLong([]any{"filter", field, op}, "List", MaxFilterListItems, len(list), list)
				}
				for i, x := range list {
					if err := c.add([]any{"filter", field, op, i}, x, "list items must be strings, numbers, booleans or null"); err != nil {
						return nil, err
					}
				}
				c.Values = list
			default:
				return nil, filterError([]any{"filter", field}, RequestError{Msg: fmt.Sprintf("unknown operator %q (want $eq, $ne, $in or $nin)", clip(op)), Input: ops})
			}
			conds = append(conds, c)
		}
	}
	return &Filter{Conditions: conds}, nil
}

// add puts the scalar v into c's set, or reports why it cannot be there
// (at loc). A NaN is accepted and matches nothing, as NaN equals nothing.
func (c *Condition) add(loc []any, v any, notScalar string) error {
	if c.set == nil {
		c.set = make(map[valueKey]struct{}, 1)
	}
	switch x := v.(type) {
	case string:
		if n := utf8.RuneCountInString(x); n > MaxFilterStringChars {
			return filterError(loc, RequestError{Type: "string_too_long", Input: clip(x),
				Msg: fmt.Sprintf("String should have at most %d characters", MaxFilterStringChars), Ctx: map[string]any{"max_length": MaxFilterStringChars}})
		}
	case json.Number:
		if len(x) > MaxFilterNumberChars {
			return filterError(loc, RequestError{Msg: fmt.Sprintf("numbers may have at most %d characters", MaxFilterNumberChars), Input: clip(string(x))})
		}
		if _, ok := keyOf(x); !ok {
			return filterError(loc, RequestError{Msg: "must be a finite number", Input: clip(string(x))})
		}
	}
	if !scalar(v) {
		return filterError(loc, RequestError{Msg: notScalar, Input: v})
	}
	if k, ok := keyOf(v); ok {
		c.set[k] = struct{}{}
	}
	return nil
}

func tooLong(loc []any, kind string, limit, n int, input any) *RequestError {
	return filterError(loc, RequestError{Type: "too_long", Input: input,
		Msg: fmt.Sprintf("%s should have at most %d items after validation, not %d", kind, limit, n),
		Ctx: map[string]any{"field_type": kind, "max_length": limit, "actual_length": n}})
}

// filterError returns e at loc, a path into the request whose keys may
// hold dots: Loc keeps them, Field joins them with dots for messages.
func filterError(loc []any, e RequestError) *RequestError {
	parts := make([]string, len(loc))
	for i, p := range loc {
		parts[i] = fmt.Sprint(p)
	}
	e.Field, e.Loc = strings.Join(parts, "."), loc
	return &e
}

// clip cuts a string echoed in an error message.
func clip(s string) string {
	const n = 64
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return true
	}
	return false
}

// keyOf returns v's key; false for values no filter value equals: lists,
// objects, NaN, and number text that does not parse (or is longer than
// MaxFilterNumberChars). It allocates only for a json.Number float64
// cannot hold exactly.
func keyOf(v any) (valueKey, bool) {
	switch x := v.(type) {
	case nil:
		return valueKey{kind: keyNull}, true
	case string:
		return valueKey{kind: keyString, s: x}, true
	case bool:
		if x {
			return valueKey{kind: keyBool, bits: 1}, true
		}
		return valueKey{kind: keyBool}, true
	case float64:
		return floatKey(x)
	case float32:
		return floatKey(float64(x))
	case int:
		return intKey(int64(x))
	case int8:
		return intKey(int64(x))
	case int16:
		return intKey(int64(x))
	case int32:
		return intKey(int64(x))
	case int64:
		return intKey(x)
	case uint:
		return uintKey(uint64(x))
	case uint8:
		return uintKey(uint64(x))
	case uint16:
		return uintKey(uint64(x))
	case uint32:
		return uintKey(uint64(x))
	case uint64:
		return uintKey(x)
	case json.Number:
		return numberKey(string(x))
	}
	return valueKey{}, false
}

func floatKey(f float64) (valueKey, bool) {
	if math.IsNaN(f) {
		return valueKey{}, false
	}
	if f == 0 {
		f = 0 // -0 equals +0
	}
	return valueKey{kind: keyNum, bits: math.Float64bits(f)}, true
}

func intKey(n int64) (valueKey, bool) {
	if f := float64(n); f < 1<<63 && int64(f) == n {
		return floatKey(f)
	}
	return valueKey{kind: keyExact, s: strconv.FormatInt(n, 10)}, true
}

func uintKey(n uint64) (valueKey, bool) {
	if f := float64(n); f < 1<<64 && uint64(f) == n {
		return floatKey(f)
	}
	return valueKey{kind: keyExact, s: strconv.FormatUint(n, 10)}, true
}

// numberKey keys a number's text. Plain decimals are exact (a 40-digit id
// matches only itself); text with an exponent is read as a float64, so
// "1e999999" costs no big arithmetic.
func numberKey(s string) (valueKey, bool) {
	if len(s) > MaxFilterNumberChars {
		return valueKey{}, false
	}
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return valueKey{}, false
		}
		return floatKey(f)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || strings.ContainsAny(s, "/xXoObBpP_") {
		return valueKey{}, false
	}
	if f, exact := r.Float64(); exact {
		return floatKey(f)
	}
	return valueKey{kind: keyExact, s: r.RatString()}, true
}

// CheckFilter reports whether f is a valid filter within the limits, with
// the *RequestError Search would return; the HTTP layer calls it while
// validating a body, before any embedding.
func CheckFilter(f map[string]any) error {
	_, err := ParseFilter(f)
	return err
}
