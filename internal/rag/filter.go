package rag

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"sort"
	"strings"
)

// RequestError reports an invalid search or query request. Field names the
// offending request field as a path ("top_k", "filter.lang"); the HTTP
// layer answers it with 422.
type RequestError struct {
	Field string
	Msg   string
	// Type is pydantic's error type for the problem when it has one
	// ("literal_error", "too_long"); "" means a value_error, and Msg then
	// says what is wrong without pydantic's "Value error, " prefix.
	Type string
	// Ctx is pydantic's ctx for Type (bounds, expected values); may be nil.
	Ctx map[string]any
}

func (e *RequestError) Error() string { return "rag: invalid " + e.Field + ": " + e.Msg }

// matcher reports whether a chunk's metadata passes a filter.
type matcher func(md map[string]any) bool

// condition is one field's test.
type condition struct {
	field string
	op    string // "$eq", "$ne", "$in", "$nin"
	vals  []any
}

// compileFilter turns a request filter into a matcher; nil for an empty
// filter.
func compileFilter(f map[string]any) (matcher, error) {
	if len(f) == 0 {
		return nil, nil
	}
	fields := make([]string, 0, len(f))
	for k := range f {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	var conds []condition
	for _, field := range fields {
		v := f[field]
		if field == "" || strings.HasPrefix(field, "$") {
			return nil, &RequestError{Field: "filter", Msg: fmt.Sprintf("unsupported key %q (logical operators are not supported)", field)}
		}
		ops, ok := v.(map[string]any)
		if !ok {
			if !scalar(v) {
				return nil, &RequestError{Field: "filter." + field, Msg: "value must be a string, number, boolean, null or an operator object"}
			}
			conds = append(conds, condition{field: field, op: "$eq", vals: []any{v}})
			continue
		}
		if len(ops) == 0 {
			return nil, &RequestError{Field: "filter." + field, Msg: "empty operator object"}
		}
		names := make([]string, 0, len(ops))
		for op := range ops {
			names = append(names, op)
		}
		sort.Strings(names)
		for _, op := range names {
			arg := ops[op]
			c := condition{field: field, op: op}
			switch op {
			case "$eq", "$ne":
				if !scalar(arg) {
					return nil, &RequestError{Field: "filter." + field + "." + op, Msg: "operand must be a string, number, boolean or null"}
				}
				c.vals = []any{arg}
			case "$in", "$nin":
				list, ok := arg.([]any)
				if !ok {
					return nil, &RequestError{Field: "filter." + field + "." + op, Msg: "operand must be a list"}
				}
				for _, x := range list {
					if !scalar(x) {
						return nil, &RequestError{Field: "filter." + field + "." + op, Msg: "list items must be strings, numbers, booleans or null"}
					}
				}
				c.vals = list
			default:
				return nil, &RequestError{Field: "filter." + field, Msg: fmt.Sprintf("unknown operator %q (want $eq, $ne, $in or $nin)", op)}
			}
			conds = append(conds, c)
		}
	}
	return func(md map[string]any) bool {
		for _, c := range conds {
			v, present := md[c.field]
			in := present && containsValue(c.vals, v)
			switch c.op {
			case "$eq", "$in":
				if !in {
					return false
				}
			case "$ne", "$nin":
				if in {
					return false
				}
			}
		}
		return true
	}, nil
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return true
	}
	return false
}

func containsValue(vals []any, v any) bool {
	for _, w := range vals {
		if equal(w, v) {
			return true
		}
	}
	return false
}

// equal compares two scalars; numbers compare by value across Go types.
// json.Number (integers beyond float64 precision, as store and the HTTP
// layer keep them) compares exactly.
func equal(a, b any) bool {
	if na, ok := a.(json.Number); ok {
		return exactEqual(na, b)
	}
	if nb, ok := b.(json.Number); ok {
		return exactEqual(nb, a)
	}
	fa, aNum := number(a)
	fb, bNum := number(b)
	if aNum || bNum {
		return aNum && bNum && fa == fb
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !reflect.TypeOf(a).Comparable() {
		return false
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	}
	return 0, false
}

// exactEqual compares a json.Number with another number exactly. The
// other side's type is checked first, so non-numbers cost nothing; the
// HTTP layer bounds request numbers to short integers or finite floats.
func exactEqual(n json.Number, v any) bool {
	if _, isJSON := v.(json.Number); !isJSON {
		if _, isNum := number(v); !isNum {
			return false
		}
	}
	x, ok := new(big.Rat).SetString(n.String())
	if !ok {
		return false
	}
	var y *big.Rat
	switch w := v.(type) {
	case json.Number:
		if y, ok = new(big.Rat).SetString(w.String()); !ok {
			return false
		}
	default:
		f, isNum := number(v)
		if !isNum || math.IsInf(f, 0) || math.IsNaN(f) {
			return false
		}
		y = new(big.Rat).SetFloat64(f)
	}
	return x.Cmp(y) == 0
}
