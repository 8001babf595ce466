package lcpickle

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The standard library value types LangChain loaders put in metadata are
// rebuilt here from their pickled state and turned into strings or numbers
// at once: the decoded Docstore holds only JSON values.

// timedelta is a datetime.timedelta, normalised as Python keeps it.
type timedelta struct{ days, seconds, micros int64 }

func (d timedelta) totalMicros() int64 {
	return (d.days*86400+d.seconds)*1_000_000 + d.micros
}

// tzinfo is a datetime.timezone: a fixed offset.
type tzinfo struct{ offsetMicros int64 }

func intArg(v any) (int64, bool) {
	i, ok := v.(int)
	return int64(i), ok
}

func newTimedelta(args []any) (any, error) {
	var f [3]int64
	if len(args) > 3 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	for i, a := range args {
		v, ok := intArg(a)
		if !ok {
			return nil, fmt.Errorf("argument %d is %s, want int: %w", i, typeName(a), ErrFormat)
		}
		f[i] = v
	}
	d := timedelta{f[0], f[1], f[2]}
	if d.days < -999999999 || d.days > 999999999 || d.seconds < 0 || d.seconds >= 86400 || d.micros < 0 || d.micros >= 1_000_000 {
		return nil, fmt.Errorf("timedelta(%d, %d, %d) is not normalised: %w", d.days, d.seconds, d.micros, ErrFormat)
	}
	return &d, nil
}

func newTimezone(args []any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	d, ok := args[0].(*timedelta)
	if !ok {
		return nil, fmt.Errorf("offset is %s, want timedelta: %w", typeName(args[0]), ErrFormat)
	}
	if len(args) == 2 {
		if _, ok := args[1].(string); !ok {
			return nil, fmt.Errorf("name is %s, want str: %w", typeName(args[1]), ErrFormat)
		}
	}
	off := d.totalMicros()
	if off <= -86400_000_000 || off >= 86400_000_000 {
		return nil, fmt.Errorf("offset of %d µs is not within a day: %w", off, ErrFormat)
	}
	return &tzinfo{offsetMicros: off}, nil
}

// state returns the packed state argument of datetime, date or time and
// the optional tzinfo after it.
func state(args []any, n int) ([]byte, *tzinfo, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	b, ok := rawBytes(args[0])
	if !ok || len(b) != n {
		return nil, nil, fmt.Errorf("state is %s, want %d bytes: %w", typeName(args[0]), n, ErrFormat)
	}
	var tz *tzinfo
	if len(args) == 2 && args[1] != nil {
		if tz, ok = args[1].(*tzinfo); !ok {
			return nil, nil, fmt.Errorf("tzinfo is %s (only datetime.timezone is read): %w", typeName(args[1]), ErrClass)
		}
	}
	return b, tz, nil
}

func ymd(b []byte) (string, error) {
	y, m, d := int(b[0])<<8|int(b[1]), int(b[2]&0x7f), int(b[3])
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return "", fmt.Errorf("no date %d-%d-%d: %w", y, m, d, ErrFormat)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// clock formats hour, minute, second and microsecond as isoformat does.
func clock(b []byte) (string, error) {
	h, mi, s := int(b[0]&0x7f), int(b[1]), int(b[2]) // 0x80 of the hour is fold
	us := int(b[3])<<16 | int(b[4])<<8 | int(b[5])
	if h > 23 || mi > 59 || s > 59 || us > 999999 {
		return "", fmt.Errorf("no time %d:%d:%d.%06d: %w", h, mi, s, us, ErrFormat)
	}
	out := fmt.Sprintf("%02d:%02d:%02d", h, mi, s)
	if us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	return out, nil
}

// offset formats a UTC offset as isoformat does: +HH:MM, then :SS and
// .ffffff only when present. Naive values (tz nil) have none.
func (tz *tzinfo) String() string {
	if tz == nil {
		return ""
	}
	off, sign := tz.offsetMicros, '+'
	if off < 0 {
		off, sign = -off, '-'
	}
	us := off % 1_000_000
	secs := off / 1_000_000
	out := fmt.Sprintf("%c%02d:%02d", sign, secs/3600, secs/60%60)
	if secs%60 != 0 || us != 0 {
		out += fmt.Sprintf(":%02d", secs%60)
	}
	if us != 0 {
		out += fmt.Sprintf(".%06d", us)
	}
	return out
}

// newDatetime returns datetime.isoformat(): RFC 3339 for an aware
// datetime; a naive one keeps no offset (assuming UTC would invent one).
func newDatetime(args []any) (any, error) {
	b, tz, err := state(args, 10)
	if err != nil {
		return nil, err
	}
	day, err := ymd(b[:4])
	if err != nil {
		return nil, err
	}
	t, err := clock(b[4:])
	if err != nil {
		return nil, err
	}
	return day + "T" + t + tz.String(), nil
}

func newDate(args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	b, _, err := state(args, 4)
	if err != nil {
		return nil, err
	}
	return ymd(b)
}

func newTime(args []any) (any, error) {
	b, tz, err := state(args, 6)
	if err != nil {
		return nil, err
	}
	t, err := clock(b)
	if err != nil {
		return nil, err
	}
	return t + tz.String(), nil
}

func pathParts(args []any) ([]string, error) {
	parts := make([]string, len(args))
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			return nil, fmt.Errorf("part %d is %s, want str: %w", i, typeName(a), ErrFormat)
		}
		parts[i] = s
	}
	return parts, nil
}

// posixPath joins the pickled parts (path.parts, or the raw segments of
// Python 3.12+) as str(PurePosixPath(*parts)) does: an absolute part
// starts over.
func posixPath(args []any) (any, error) {
	parts, err := pathParts(args)
	if err != nil {
		return nil, err
	}
	var b pathBuilder
	for _, p := range parts {
		switch {
		case p == "":
			continue
		case strings.HasPrefix(p, "/"):
			b.Reset()
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "/"):
			b.WriteByte('/')
		}
		if err := b.add(p); err != nil {
			return nil, err
		}
	}
	if b.Len() == 0 {
		return ".", nil
	}
	return b.String(), nil
}

// windowsPath joins parts as str(PureWindowsPath(*parts)) does for the
// forms pickles hold: a drive with root ("C:\\"), then names.
func windowsPath(args []any) (any, error) {
	parts, err := pathParts(args)
	if err != nil {
		return nil, err
	}
	var b pathBuilder
	for _, p := range parts {
		p = strings.ReplaceAll(p, "/", `\`)
		switch out := b.String(); {
		case p == "":
			continue
		case strings.HasPrefix(p, `\`) || len(p) >= 2 && p[1] == ':':
			b.Reset()
		case out != "" && !strings.HasSuffix(out, `\`) && (len(out) != 2 || out[1] != ':'): // not a bare drive
			b.WriteByte('\\')
		}
		if err := b.add(p); err != nil {
			return nil, err
		}
	}
	if b.Len() == 0 {
		return ".", nil
	}
	return b.String(), nil
}

// pathBuilder joins a path's parts in linear time (a pickle may give one
// long part thousands of times through its memo) and refuses a path
// longer than a document's whole metadata may be.
type pathBuilder struct{ strings.Builder }

func (b *pathBuilder) add(part string) error {
	if b.Len()+len(part) > MaxMetadataBytes {
		return fmt.Errorf("a path of more than %d bytes: %w", MaxMetadataBytes, ErrBudget)
	}
	b.WriteString(part)
	return nil
}

// decimalSyntax is str(Decimal) for finite values.
var decimalSyntax = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// newDecimal returns a Decimal as a JSON number when the float64 nearest
// to it prints back as the same value (so any JSON reader gets exactly
// the decimal), an integer beyond that as a json.Number of its digits,
// and anything else (more digits than float64 keeps, NaN, Infinity) as
// the str() of the Decimal, never a rounded number.
func newDecimal(args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("%d arguments: %w", len(args), ErrFormat)
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("argument is %s, want str: %w", typeName(args[0]), ErrFormat)
	}
	return decimalValue(s), nil
}

// Decimals with more digits or a larger exponent than these stay strings:
// big.Rat would otherwise build 10^exponent.
const (
	maxDecimalDigits   = 400
	maxDecimalExponent = 400
)

func decimalValue(s string) any {
	if len(s) > maxDecimalDigits+8 || !decimalSyntax.MatchString(s) {
		return s
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > maxDecimalExponent || e < -maxDecimalExponent {
			return s
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	f, _ := r.Float64()
	if !math.IsInf(f, 0) {
		back, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
		if ok && back.Cmp(r) == 0 {
			return f
		}
	}
	if r.IsInt() {
		return json.Number(r.Num().String())
	}
	return s
}

// uuidValue is a uuid.UUID: NEWOBJ, then BUILD with {"int": n}.
type uuidValue struct{ n *big.Int }

// PyDictSet records the UUID's state; is_safe is ignored.
func (u *uuidValue) PyDictSet(key, value any) error {
	if key != "int" {
		return nil
	}
	switch x := value.(type) {
	case int:
		u.n = big.NewInt(int64(x))
	case *big.Int:
		u.n = x
	default:
		return fmt.Errorf("lcpickle: uuid.UUID int is %s: %w", typeName(value), ErrFormat)
	}
	if u.n.Sign() < 0 || u.n.BitLen() > 128 {
		return fmt.Errorf("lcpickle: uuid.UUID int out of range: %w", ErrFormat)
	}
	return nil
}

// String returns the canonical 8-4-4-4-12 form.
func (u *uuidValue) String() string {
	h := fmt.Sprintf("%032x", u.n)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
