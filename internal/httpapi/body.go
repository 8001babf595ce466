package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/store"
)

// kind is the JSON type a body field must have.
type kind int

const (
	kindString kind = iota
	kindInt
	kindBool
	kindObject
	kindFloatList
)

// field describes one body field, validated the way pydantic v2 (lax
// mode) validates a model field. Unknown fields are ignored, as FastAPI's
// default models do.
type field struct {
	name     string
	kind     kind
	required bool
	minLen   int      // strings: min_length
	ge, le   *float64 // ints: bounds
	literal  []string // strings: allowed values
}

func bound(v float64) *float64 { return &v }

// readBody reads a JSON object body under the configured size limit and
// validates it against fields. It returns the coerced values by name
// (string, int, bool, map[string]any, []float32); absent optional fields
// are missing from the map.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, fields []field) (map[string]any, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && (!strings.HasPrefix(mt, "application/") || !strings.HasSuffix(mt, "+json"))) {
			return nil, errStatus(http.StatusUnsupportedMediaType, "Unsupported Media Type: send the body as JSON with Content-Type: application/json")
		}
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errStatus(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large: the limit is %d bytes", tooBig.Limit))
		}
		return nil, errStatus(http.StatusBadRequest, "Could not read the request body")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, errValidation(ValidationItem{Type: "missing", Loc: []any{"body"}, Msg: "Field required", Input: nil})
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, jsonInvalid(raw, err)
	}
	if off := dec.InputOffset(); len(bytes.TrimSpace(raw[off:])) > 0 {
		rest := len(raw) - len(bytes.TrimLeft(raw[off:], " \t\r\n"))
		return nil, jsonInvalidAt(raw, rest, "Extra data")
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, errValidation(ValidationItem{
			Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: doc,
		})
	}
	out := make(map[string]any, len(fields))
	var items []ValidationItem
	for _, f := range fields {
		v, present := obj[f.name]
		if !present || (v == nil && !f.required) {
			if f.required {
				items = append(items, ValidationItem{Type: "missing", Loc: []any{"body", f.name}, Msg: "Field required", Input: obj})
			}
			continue
		}
		val, bad := f.coerce(v)
		if len(bad) > 0 {
			items = append(items, bad...)
			continue
		}
		out[f.name] = val
	}
	if len(items) > 0 {
		return nil, errValidation(items...)
	}
	return out, nil
}

// coerce validates v for f, returning the Go value or pydantic-style items.
func (f field) coerce(v any) (any, []ValidationItem) {
	loc := []any{"body", f.name}
	item := func(typ, msg string, ctx map[string]any) []ValidationItem {
		return []ValidationItem{{Type: typ, Loc: loc, Msg: msg, Input: v, Ctx: ctx}}
	}
	switch f.kind {
	case kindString:
		s, ok := v.(string)
		if !ok {
			return nil, item("string_type", "Input should be a valid string", nil)
		}
		if n := utf8.RuneCountInString(s); n < f.minLen {
			return nil, item("string_too_short", fmt.Sprintf("String should have at least %d character%s", f.minLen, plural(f.minLen)), map[string]any{"min_length": f.minLen})
		}
		if len(f.literal) > 0 && !slices.Contains(f.literal, s) {
			exp := literalList(f.literal)
			return nil, item("literal_error", "Input should be "+exp, map[string]any{"expected": exp})
		}
		return s, nil
	case kindInt:
		n, bad := toInt(v)
		if bad != "" {
			switch bad {
			case "int_parsing":
				return nil, item(bad, "Input should be a valid integer, unable to parse string as an integer", nil)
			case "int_from_float":
				return nil, item(bad, "Input should be a valid integer, got a number with a fractional part", nil)
			}
			return nil, item("int_type", "Input should be a valid integer", nil)
		}
		if f.ge != nil && float64(n) < *f.ge {
			return nil, item("greater_than_equal", fmt.Sprintf("Input should be greater than or equal to %v", *f.ge), map[string]any{"ge": *f.ge})
		}
		if f.le != nil && float64(n) > *f.le {
			return nil, item("less_than_equal", fmt.Sprintf("Input should be less than or equal to %v", *f.le), map[string]any{"le": *f.le})
		}
		return n, nil
	case kindBool:
		switch b := v.(type) {
		case bool:
			return b, nil
		case json.Number:
			if b == "0" || b == "1" {
				return b == "1", nil
			}
		case string:
			switch strings.ToLower(b) {
			case "true", "t", "yes", "y", "on", "1":
				return true, nil
			case "false", "f", "no", "n", "off", "0":
				return false, nil
			}
			return nil, item("bool_parsing", "Input should be a valid boolean, unable to interpret input", nil)
		}
		return nil, item("bool_type", "Input should be a valid boolean", nil)
	case kindObject:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, item("dict_type", "Input should be a valid dictionary", nil)
		}
		// Numbers as chunk metadata holds them, so filters compare alike.
		m = store.NormalizeNumbers(m).(map[string]any)
		if bad := unrepresentable(m); bad != "" {
			return nil, item("finite_number", "Input should be a finite number (found "+bad+")", nil)
		}
		return m, nil
	case kindFloatList:
		list, ok := v.([]any)
		if !ok {
			return nil, item("list_type", "Input should be a valid list", nil)
		}
		out := make([]float32, len(list))
		var items []ValidationItem
		for i, e := range list {
			x, bad := toFloat(e)
			if bad == "" && math.Abs(x) > math.MaxFloat32 {
				bad = "finite_number"
			}
			if bad != "" {
				msg := "Input should be a valid number"
				switch bad {
				case "float_parsing":
					msg += ", unable to parse string as a number"
				case "finite_number":
					msg = "Input should be a finite number"
				}
				items = append(items, ValidationItem{Type: bad, Loc: []any{"body", f.name, i}, Msg: msg, Input: e})
				continue
			}
			out[i] = float32(x)
		}
		if len(items) > 0 {
			return nil, items
		}
		return out, nil
	}
	return nil, item("unknown", "unsupported field kind", nil)
}

// toInt applies pydantic v2's lax int rules: integers, floats without a
// fractional part, and strings that parse as integers.
func toInt(v any) (int, string) {
	switch x := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			if n > math.MaxInt32 || n < math.MinInt32 {
				return int(clamp(n)), ""
			}
			return int(n), ""
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, "int_parsing"
		}
		if f != math.Trunc(f) {
			return 0, "int_from_float"
		}
		return int(clamp(int64(f))), ""
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return 0, "int_parsing"
		}
		return int(clamp(n)), ""
	}
	return 0, "int_type"
}

// clamp keeps huge integers huge but bounded, so range checks still fail
// them without overflow.
func clamp(n int64) int64 {
	const lim = 1 << 40
	if n > lim {
		return lim
	}
	if n < -lim {
		return -lim
	}
	return n
}

func toFloat(v any) (float64, string) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || math.IsInf(f, 0) {
			return 0, "float_parsing"
		}
		return f, ""
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, "float_parsing"
		}
		return f, ""
	}
	return 0, "float_type"
}

// maxIntegerDigits bounds the integers an object field may carry exactly
// (beyond float64 precision they stay json.Number and compare exactly):
// enough for any id, small enough that comparing them stays cheap.
const maxIntegerDigits = 40

// unrepresentable returns the first number in v that NormalizeNumbers
// could not make a float64 and that is not a plain integer of at most
// maxIntegerDigits digits (1e999999, say), or "" if there is none.
func unrepresentable(v any) string {
	switch x := v.(type) {
	case json.Number:
		s := strings.TrimPrefix(x.String(), "-")
		if len(s) > maxIntegerDigits || strings.ContainsAny(s, ".eE") {
			if len(s) > 24 {
				s = s[:24] + "..."
			}
			return s
		}
	case map[string]any:
		for _, e := range x {
			if bad := unrepresentable(e); bad != "" {
				return bad
			}
		}
	case []any:
		for _, e := range x {
			if bad := unrepresentable(e); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// jsonInvalid maps a decoder error to FastAPI's json_invalid item.
func jsonInvalid(raw []byte, err error) *Error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		off := int(syn.Offset) - 1
		if off < 0 {
			off = 0
		}
		return jsonInvalidAt(raw, off, syn.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return jsonInvalidAt(raw, len(raw), "Expecting value: unexpected end of JSON input")
	}
	return jsonInvalidAt(raw, 0, err.Error())
}

// jsonInvalidAt builds the item with the position in characters, as
// Python's json module reports it.
func jsonInvalidAt(raw []byte, byteOff int, msg string) *Error {
	if byteOff > len(raw) {
		byteOff = len(raw)
	}
	pos := utf8.RuneCount(raw[:byteOff])
	return errValidation(ValidationItem{
		Type: "json_invalid", Loc: []any{"body", pos}, Msg: "JSON decode error",
		Input: map[string]any{}, Ctx: map[string]any{"error": msg},
	})
}

func literalList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + v + "'"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
