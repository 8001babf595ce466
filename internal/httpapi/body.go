package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vendor0919/api/internal/rag"
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
	kindMode   // a string naming a rag.Mode
	kindFilter // a metadata filter: an object rag.CheckFilter accepts
)

// field describes one body field, validated the way pydantic v2 (lax
// mode) validates a model field. Unknown fields are ignored, as FastAPI's
// default models do.
type field struct {
	name     string
	kind     kind
	required bool
	minLen   int            // strings: min_length
	maxLen   int            // strings: max_length; 0: none
	literals []string       // strings: the only values allowed (a Literal); nil: any
	pattern  *regexp.Regexp // strings: must match; nil: any
	ge, le   *float64       // ints: bounds
}

func bound(v float64) *float64 { return &v }

// bodyDecoder is a request body type: decode fills it from a validator,
// field by field in the order their errors are reported.
type bodyDecoder interface {
	decode(v *validator)
}

// decodeBody reads a JSON object body under the configured size limit and
// fills dst from it. Every problem with the body's fields comes back as one
// 422 with pydantic's items, in field order; dst is valid only when the
// error is nil.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, dst bodyDecoder) error {
	obj, err := s.readObject(w, r)
	if err != nil {
		return err
	}
	v := &validator{obj: obj, coerced: make(map[string]any, len(obj)), lim: s.opts.Limits}
	dst.decode(v)
	if v.failures() > 0 {
		items := v.items
		if v.omitted > 0 {
			items = append(items, omittedItem(v.omitted))
		}
		return errValidation(items...)
	}
	return nil
}

// validator reads fields from a decoded JSON object with pydantic v2's lax
// coercions, collecting a ValidationItem for each field that fails. It is
// the one place body fields are validated.
type validator struct {
	obj     map[string]any // the body as decoded
	coerced map[string]any // the fields read so far that were present and valid, coerced
	lim     Limits         // with defaults filled in
	items   []ValidationItem
	omitted int // problems found beyond maxErrorItems (see add)
}

// get returns f's coerced value, or nil if the field is absent, null and
// optional, or invalid (then an item is recorded).
func (v *validator) get(f field) any {
	raw, present := v.obj[f.name]
	if !present || (raw == nil && !f.required) {
		if f.required {
			v.add(ValidationItem{Type: "missing", Loc: []any{"body", f.name}, Msg: "Field required", Input: v.obj})
		}
		return nil
	}
	val, bad := f.coerce(raw)
	if len(bad) > 0 {
		v.add(bad...)
		return nil
	}
	v.coerced[f.name] = val
	return val
}

func (v *validator) str(f field) string {
	s, _ := v.get(f).(string)
	return s
}

// integer returns the field's value, or 0 when it is absent or invalid;
// callers give fields whose valid values exclude 0 (top_k) a default.
func (v *validator) integer(f field) int {
	n, _ := v.get(f).(int)
	return n
}

func (v *validator) boolean(f field) bool {
	b, _ := v.get(f).(bool)
	return b
}

func (v *validator) object(f field) map[string]any {
	m, _ := v.get(f).(map[string]any)
	return m
}

func (v *validator) floats(f field) []float32 {
	l, _ := v.get(f).([]float32)
	return l
}

func (v *validator) mode(f field) rag.Mode {
	m, _ := v.get(f).(rag.Mode)
	return m
}

// ok reports whether every field read so far was valid.
func (v *validator) ok() bool { return v.failures() == 0 }

// missing records that name is required (by a rule across fields), with
// the valid fields read so far as the input.
func (v *validator) missing(name string) {
	v.add(ValidationItem{Type: "missing", Loc: []any{"body", name}, Msg: "Field required", Input: v.coerced})
}

// readBody reads r's body whole, under MaxBodyBytes: a declared length
// over it is refused at once, before a byte is read.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	tooLarge := func(limit int64) error {
		return errStatus(http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body too large: the limit is %d bytes", limit))
	}
	if bb, ok := r.Body.(*bufferedBody); ok {
		return bb.take(), nil // read and checked by bufferBody
	}
	if r.ContentLength > s.opts.MaxBodyBytes {
		return nil, tooLarge(s.opts.MaxBodyBytes)
	}
	// A body read does not watch the request's context: a client that
	// trickles its body would hold the drain's end (ErrShuttingDown) up to
	// SHUTDOWN_TIMEOUT and make the process exit 1. Once the context ends,
	// the read's deadline is now.
	stop := context.AfterFunc(r.Context(), func() { _ = http.NewResponseController(w).SetReadDeadline(time.Now()) })
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	stop()
	if err != nil {
		if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
			return nil, tooLarge(tooBig.Limit)
		}
		if shuttingDown(r) {
			return nil, errShuttingDown(err)
		}
		if errors.Is(err, errBodiesHeld) {
			return nil, busy("1", err)
		}
		return nil, errStatus(http.StatusBadRequest, "Could not read the request body")
	}
	return raw, nil
}

// bufferBody reads a request's body (readBody) before the request goes
// on, and hands it on from memory. It sits in front of the in-flight
// slots, so a client that sends its body slowly holds its connection and
// its own per-client slot, not a slot of the class everyone shares (the
// server's ReadTimeout ends it). The bytes it holds count against
// s.bodies from their arrival until the handler takes them to decode
// (readBody), or the request ends: past the bound, a 503.
func (s *Server) bufferBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body := &budgetedBody{ReadCloser: r.Body, budget: s.bodies, key: rateKey(r, false)}
		var once sync.Once
		release := func() { once.Do(func() { s.bodies.release(body.key, body.held) }) }
		defer release()
		r.Body = body
		raw, err := s.readBody(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		r.Body, r.ContentLength = &bufferedBody{rd: bytes.NewReader(raw), raw: raw, release: release}, int64(len(raw))
		next.ServeHTTP(w, r)
	})
}

// Bounds on the request bodies held in memory at once (bodyBudget):
// every connection may send a body before it takes a slot, so without a
// bound 1,500 clients sending 1 MiB each held 1.3 GB (a black-box probe
// of 2026-12-07), past a 1 GiB task. Ordinary bodies are a few KiB, so
// 64 bodies of MaxBodyBytes hold thousands of them; one client (keyed by
// address, as the rate limits are without keys) may hold two, so that
// filling the bound takes 32 clients sending the largest bodies.
const (
	bodiesHeld          = 64
	bodiesHeldPerClient = 2
)

// bodyBudget counts the bytes of the request bodies held in memory, in
// all and per client. Bytes count as they arrive, so a client that sends
// its body slowly holds only what it has sent.
type bodyBudget struct {
	limit, perClient int64
	refused          prometheus.Counter

	mu      sync.Mutex
	held    int64
	clients map[string]int64 // only clients holding bytes
}

func newBodyBudget(maxBody int64, reg prometheus.Registerer) *bodyBudget {
	b := &bodyBudget{limit: bodiesHeld * maxBody, perClient: bodiesHeldPerClient * maxBody, clients: map[string]int64{},
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "http_request_bodies_refused_total", Help: "Requests answered 503 because the request bodies held in memory, in all or by their client, were at their bound.",
		})}
	held := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "http_request_body_bytes_held", Help: "Bytes of request bodies held in memory, from their arrival until the handler decodes them.",
	}, func() float64 { b.mu.Lock(); defer b.mu.Unlock(); return float64(b.held) })
	reg.MustRegister(b.refused, held)
	return b
}

// take counts n more bytes of client key, or none and false when they
// would pass either bound.
func (b *bodyBudget) take(key string, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held+n > b.limit || b.clients[key]+n > b.perClient {
		return false
	}
	b.held += n
	b.clients[key] += n
	return true
}

func (b *bodyBudget) release(key string, n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held -= n
	if b.clients[key] -= n; b.clients[key] <= 0 {
		delete(b.clients, key)
	}
}

// errBodiesHeld is the read error of a body that would pass the budget.
var errBodiesHeld = fmt.Errorf("%w: request bodies in memory at their bound", errBusy)

// budgetedBody is a request body whose bytes are taken from budget, for
// client key, as they are read; held counts them.
type budgetedBody struct {
	io.ReadCloser
	budget *bodyBudget
	key    string
	held   int64
}

func (b *budgetedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		if !b.budget.take(b.key, int64(n)) {
			b.budget.refused.Inc()
			return 0, errBodiesHeld
		}
		b.held += int64(n)
	}
	return n, err
}

// bufferedBody is a body bufferBody has read whole. readBody takes its
// bytes as they are, without a second copy, which ends their count
// against the budget: the decoding is the class slot's to bound. Read
// serves a reader that is not readBody.
type bufferedBody struct {
	rd      *bytes.Reader
	raw     []byte
	release func()
}

func (b *bufferedBody) Read(p []byte) (int, error) { return b.rd.Read(p) }
func (b *bufferedBody) Close() error               { return nil }

// take returns the body's bytes and releases their count.
func (b *bufferedBody) take() []byte {
	raw := b.raw
	b.raw = nil
	b.rd.Reset(nil)
	b.release()
	return raw
}

// readObject reads the body under the configured size limit and decodes
// it as one JSON object, numbers as json.Number.
func (s *Server) readObject(w http.ResponseWriter, r *http.Request) (map[string]any, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && (!strings.HasPrefix(mt, "application/") || !strings.HasSuffix(mt, "+json"))) {
			return nil, errStatus(http.StatusUnsupportedMediaType, "Unsupported Media Type: send the body as JSON with Content-Type: application/json")
		}
	}
	raw, err := s.readBody(w, r)
	if err != nil {
		return nil, err
	}
	// As FastAPI reads a body (json.loads of the bytes): a UTF-8 byte
	// order mark is skipped, and bytes that are not UTF-8 are its 400,
	// not a JSON error (Go's decoder would take them as U+FFFD).
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		return nil, errStatus(http.StatusBadRequest, "There was an error parsing the body")
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
	return obj, nil
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
		if f.literals != nil {
			if !slices.Contains(f.literals, s) {
				exp := literalList(f.literals)
				return nil, item("literal_error", "Input should be "+exp, map[string]any{"expected": exp})
			}
			return s, nil
		}
		if n := utf8.RuneCountInString(s); n < f.minLen {
			return nil, item("string_too_short", fmt.Sprintf("String should have at least %d character%s", f.minLen, plural(f.minLen)), map[string]any{"min_length": f.minLen})
		} else if f.maxLen > 0 && n > f.maxLen {
			return nil, item("string_too_long", fmt.Sprintf("String should have at most %d character%s", f.maxLen, plural(f.maxLen)), map[string]any{"max_length": f.maxLen})
		}
		if f.pattern != nil && !f.pattern.MatchString(s) {
			return nil, item("string_pattern_mismatch", fmt.Sprintf("String should match pattern '%s'", f.pattern), map[string]any{"pattern": f.pattern.String()})
		}
		return s, nil
	case kindMode:
		s, ok := v.(string)
		if !ok {
			return nil, item("string_type", "Input should be a valid string", nil)
		}
		m, err := rag.ParseMode(s)
		if err != nil {
			exp := literalList(rag.Modes)
			return nil, item("literal_error", "Input should be "+exp, map[string]any{"expected": exp})
		}
		return m, nil
	case kindInt:
		n, bad := toInt(v)
		if bad != "" {
			switch bad {
			case "int_parsing":
				return nil, item(bad, "Input should be a valid integer, unable to parse string as an integer", nil)
			case "int_from_float":
				return nil, item(bad, "Input should be a valid integer, got a number with a fractional part", nil)
			case "int_parsing_size":
				return nil, item(bad, "Unable to parse input string as an integer, exceeded maximum size", nil)
			case "finite_number":
				return nil, item(bad, "Input should be a finite number", nil)
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
	case kindObject, kindFilter:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, item("dict_type", "Input should be a valid dictionary", nil)
		}
		// Numbers as chunk metadata holds them, so filters compare alike.
		m = store.NormalizeNumbers(m).(map[string]any)
		if bad := unrepresentable(m); bad != "" {
			return nil, item("finite_number", "Input should be a finite number (found "+bad+")", nil)
		}
		if f.kind == kindFilter {
			// The grammar and size limits, checked here so a bad filter is
			// a 422 before anything is embedded; rag checks again.
			var re *rag.RequestError
			if err := rag.CheckFilter(m); errors.As(err, &re) {
				return nil, []ValidationItem{requestErrorItem(re)}
			}
		}
		return m, nil
	case kindFloatList:
		list, ok := v.([]any)
		if !ok {
			return nil, item("list_type", "Input should be a valid list", nil)
		}
		out := make([]float32, len(list))
		var items []ValidationItem
		omitted := 0
		for i, e := range list {
			x, bad := toFloat(e)
			float32Overflow := bad == "" && math.Abs(x) > math.MaxFloat32
			if float32Overflow {
				bad = "finite_number"
			}
			if bad != "" {
				msg := "Input should be a valid number"
				switch {
				case bad == "float_parsing":
					msg += ", unable to parse string as a number"
				case float32Overflow:
					msg = "Input should be a finite number within float32's range (at most 3.4e38 in magnitude)"
				case bad == "finite_number":
					msg = "Input should be a finite number"
				}
				if len(items) == maxErrorItems {
					omitted++ // a million bad elements must not make a million items
					continue
				}
				items = append(items, ValidationItem{Type: bad, Loc: []any{"body", f.name, i}, Msg: msg, Input: e})
				continue
			}
			out[i] = float32(x)
		}
		if omitted > 0 {
			items = append(items, omittedItem(omitted))
		}
		if len(items) > 0 {
			return nil, items
		}
		return out, nil
	}
	return nil, item("unknown", "unsupported field kind", nil)
}

// toInt applies pydantic v2's lax int rules to a value as FastAPI hands
// it over: Python's json makes an integer literal an int of any size and
// anything else a float. Integers, floats without a fractional part, and
// strings of an integer are accepted; an int beyond int64 is clamped, as
// Python's is unbounded and only the range check may fail it.
func toInt(v any) (int, string) {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			// ParseInt returns the nearest int64 on ErrRange, which clamp
			// keeps with its sign.
			n, err := strconv.ParseInt(string(x), 10, 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return 0, "int_parsing"
			}
			return int(clamp(n)), ""
		}
		f, err := strconv.ParseFloat(string(x), 64)
		switch {
		case math.IsInf(f, 0):
			return 0, "finite_number" // 1e400 is inf to Python
		case err != nil:
			return 0, "int_parsing"
		case f != math.Trunc(f):
			return 0, "int_from_float"
		case math.Abs(f) >= 1<<63:
			// pydantic converts a float through i64 and refuses one outside
			// it (1e20) before any range check; int64(f) would overflow.
			return 0, "int_parsing_size"
		}
		return int(clamp(int64(f))), ""
	case string:
		s := strings.TrimSpace(x)
		if len(s) > maxIntStringLen {
			return 0, "int_parsing_size"
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return 0, "int_parsing"
		}
		return int(clamp(n)), ""
	}
	return 0, "int_type"
}

// maxIntStringLen is the longest string pydantic parses as an int, the
// default of Python's sys.set_int_max_str_digits.
const maxIntStringLen = 4300

// clampLimit is the size clamp keeps huge integers at: 2^40, or less
// than half of an int where int has 32 bits.
var clampLimit = min(int64(1)<<40, int64(math.MaxInt>>1))

// clamp keeps huge integers huge but bounded, so range checks still fail
// them without overflow.
func clamp(n int64) int64 {
	if n > clampLimit {
		return clampLimit
	}
	if n < -clampLimit {
		return -clampLimit
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
// enough for any id, small enough that comparing them stays cheap (a
// filter parses each once; see rag.MaxFilterNumberChars).
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

func literalList[S ~string](vals []S) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = "'" + string(v) + "'"
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
