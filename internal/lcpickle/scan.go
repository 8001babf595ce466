package lcpickle

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// maxMarkDepth bounds unclosed MARKs; LangChain pickles nest a few levels
// per metadata level.
const maxMarkDepth = 512

// maxIntBytes bounds LONG1 and LONG4 integers (two's complement bytes)
// and maxIntDigits the decimal INT and LONG lines of protocols 0 and 1.
// Metadata ints are 64-bit at most (a uuid.UUID's int is 128-bit); bigger
// ones are refused, as decoding them costs time quadratic in their size.
const (
	maxIntBytes  = 64
	maxIntDigits = 160
)

// maxGlobalName bounds a class name given to STACK_GLOBAL (module plus
// name); the allowed ones are far shorter.
const maxGlobalName = 512

// argKind is how an opcode's argument is encoded in the stream.
type argKind uint8

const (
	argNone    argKind = iota
	argFixed           // n bytes
	argCount1          // uint8 length, then data
	argCount4          // uint32 length, then data
	argCountI4         // int32 length (negative invalid), then data
	argCount8          // uint64 length, then data
	argLine            // one newline-terminated line
	argLine2           // two lines: module, name (GLOBAL, INST)
	argReject          // valid pickle, never accepted here
)

type opInfo struct {
	name  string
	kind  argKind
	fixed int
	mark  int // +1 pushes a mark, -1 consumes one
}

// opcodes lists every opcode of pickle protocols 0-5 (Lib/pickletools.py).
var opcodes = map[byte]opInfo{
	'(': {"MARK", argNone, 0, +1}, '.': {"STOP", argNone, 0, 0}, '0': {"POP", argNone, 0, 0},
	'1': {"POP_MARK", argNone, 0, -1}, '2': {"DUP", argNone, 0, 0}, 'N': {"NONE", argNone, 0, 0},
	0x88: {"NEWTRUE", argNone, 0, 0}, 0x89: {"NEWFALSE", argNone, 0, 0},
	')': {"EMPTY_TUPLE", argNone, 0, 0}, 't': {"TUPLE", argNone, 0, -1},
	0x85: {"TUPLE1", argNone, 0, 0}, 0x86: {"TUPLE2", argNone, 0, 0}, 0x87: {"TUPLE3", argNone, 0, 0},
	']': {"EMPTY_LIST", argNone, 0, 0}, 'a': {"APPEND", argNone, 0, 0}, 'e': {"APPENDS", argNone, 0, -1},
	'l': {"LIST", argNone, 0, -1}, '}': {"EMPTY_DICT", argNone, 0, 0}, 'd': {"DICT", argNone, 0, -1},
	's': {"SETITEM", argNone, 0, 0}, 'u': {"SETITEMS", argNone, 0, -1},
	0x8f: {"EMPTY_SET", argNone, 0, 0}, 0x90: {"ADDITEMS", argNone, 0, -1}, 0x91: {"FROZENSET", argNone, 0, -1},
	'b': {"BUILD", argNone, 0, 0}, 'R': {"REDUCE", argNone, 0, 0}, 0x81: {"NEWOBJ", argNone, 0, 0},
	0x92: {"NEWOBJ_EX", argNone, 0, 0}, 0x93: {"STACK_GLOBAL", argNone, 0, 0}, 0x94: {"MEMOIZE", argNone, 0, 0},
	'o': {"OBJ", argNone, 0, -1}, 0x98: {"READONLY_BUFFER", argNone, 0, 0},
	0x80: {"PROTO", argFixed, 1, 0}, 'K': {"BININT1", argFixed, 1, 0}, 'h': {"BINGET", argFixed, 1, 0},
	'q': {"BINPUT", argFixed, 1, 0}, 'M': {"BININT2", argFixed, 2, 0}, 'J': {"BININT", argFixed, 4, 0},
	'j': {"LONG_BINGET", argFixed, 4, 0}, 'r': {"LONG_BINPUT", argFixed, 4, 0},
	'G': {"BINFLOAT", argFixed, 8, 0}, 0x95: {"FRAME", argFixed, 8, 0},
	'U': {"SHORT_BINSTRING", argCount1, 0, 0}, 'C': {"SHORT_BINBYTES", argCount1, 0, 0},
	0x8c: {"SHORT_BINUNICODE", argCount1, 0, 0}, 0x8a: {"LONG1", argCount1, 0, 0},
	'B': {"BINBYTES", argCount4, 0, 0}, 'X': {"BINUNICODE", argCount4, 0, 0},
	'T': {"BINSTRING", argCountI4, 0, 0}, 0x8b: {"LONG4", argCountI4, 0, 0},
	0x8d: {"BINUNICODE8", argCount8, 0, 0}, 0x8e: {"BINBYTES8", argCount8, 0, 0}, 0x96: {"BYTEARRAY8", argCount8, 0, 0},
	'I': {"INT", argLine, 0, 0}, 'L': {"LONG", argLine, 0, 0}, 'F': {"FLOAT", argLine, 0, 0},
	'S': {"STRING", argLine, 0, 0}, 'V': {"UNICODE", argLine, 0, 0}, 'g': {"GET", argLine, 0, 0},
	'p': {"PUT", argLine, 0, 0}, 'c': {"GLOBAL", argLine2, 0, 0}, 'i': {"INST", argLine2, 0, -1},
	'P': {"PERSID", argReject, 0, 0}, 'Q': {"BINPERSID", argReject, 0, 0},
	0x82: {"EXT1", argReject, 0, 0}, 0x83: {"EXT2", argReject, 0, 0}, 0x84: {"EXT4", argReject, 0, 0},
	0x97: {"NEXT_BUFFER", argReject, 0, 0},
}

// scan walks the opcode stream up to STOP without building anything (see
// simulate), and returns the pickle gopickle should decode: b, or b with
// protocol 0 text decoded (undoRawUnicodeEscape).
func scan(b []byte, m *meter) ([]byte, error) {
	s, err := simulate(b, m)
	if err != nil || len(s.unicode) == 0 || s.framed {
		return b, err
	}
	out, err := undoRawUnicodeEscape(b, s.unicode)
	if err != nil {
		return nil, err
	}
	return out, m.charge(int64(len(out)))
}

// undoRawUnicodeEscape rewrites each protocol 0 UNICODE opcode (V, at the
// spans given: its argument line) as the BINUNICODE of the text it
// stands for. Python writes that text in raw-unicode-escape after
// escaping backslash, NUL, CR, LF and ^Z: \uXXXX and \UXXXXXXXX escapes,
// every other byte a Latin-1 character. gopickle takes the line as UTF-8
// bytes, which turned "a\nb" into "a\u000ab" and "é" into U+FFFD. A
// surrogate is written as its three bytes, as BINUNICODE carries one
// (surrogatepass), for text() to repair. Frames are not rewritten (a
// FRAME gives its length; Python never writes V in one), so a framed
// pickle is decoded as before.
func undoRawUnicodeEscape(b []byte, spans [][2]int) ([]byte, error) {
	out := make([]byte, 0, len(b)+len(b)/2)
	prev := 0
	for _, sp := range spans {
		text, err := rawUnicodeEscape(b[sp[0]:sp[1]])
		if err != nil {
			return nil, formatErr(sp[0]-1, "UNICODE argument: "+err.Error())
		}
		out = append(out, b[prev:sp[0]-1]...) // up to the V
		out = append(out, 'X')
		out = binary.LittleEndian.AppendUint32(out, uint32(len(text)))
		out = append(out, text...)
		prev = sp[1] + 1 // past the newline
	}
	return append(out, b[prev:]...), nil
}

// rawUnicodeEscape decodes Python's raw-unicode-escape (see
// undoRawUnicodeEscape).
func rawUnicodeEscape(arg []byte) ([]byte, error) {
	out := make([]byte, 0, len(arg))
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		width := 0
		if c == '\\' && i+1 < len(arg) {
			switch arg[i+1] {
			case 'u':
				width = 4
			case 'U':
				width = 8
			}
		}
		if width == 0 {
			out = utf8.AppendRune(out, rune(c)) // Latin-1
			continue
		}
		if i+2+width > len(arg) {
			return nil, fmt.Errorf("truncated \\%c escape", arg[i+1])
		}
		v, err := strconv.ParseUint(string(arg[i+2:i+2+width]), 16, 32)
		if err != nil || v > unicode.MaxRune {
			return nil, fmt.Errorf("bad \\%c escape %q", arg[i+1], arg[i+2:i+2+width])
		}
		r := rune(v)
		if utf16.IsSurrogate(r) {
			out = append(out, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
		} else {
			out = utf8.AppendRune(out, r)
		}
		i += 1 + width
	}
	return out, nil
}

// simulate walks the opcode stream up to STOP without building anything. It
// checks that every argument fits in the bytes that remain, that class
// names given inline (GLOBAL, INST) are allowed, that integers are small,
// that MARKs balance within maxMarkDepth, and that nothing follows STOP.
// It also runs the decoder's stack on sizes alone (sim) and charges m for
// the work and memory each opcode will cost the decoder, so that a value
// referenced many times through the memo is paid for at every reference
// and every value, container and memo entry at its size in Go; a memo of
// more entries than memoCap allows is refused.
func simulate(b []byte, m *meter) (*sim, error) {
	depth := 0
	s := &sim{size: len(b), m: m}
	for off := 0; ; {
		if err := m.tick(); err != nil {
			return nil, err
		}
		if off >= len(b) {
			return nil, formatErr(off, "pickle ends without STOP")
		}
		op := b[off]
		info, ok := opcodes[op]
		if !ok {
			return nil, formatErr(off, fmt.Sprintf("unknown opcode 0x%02x", op))
		}
		at := off
		off++
		rest := len(b) - off
		argLen, line := int64(0), ""
		argStart := off
		switch info.kind {
		case argNone:
		case argFixed:
			if rest < info.fixed {
				return nil, formatErr(at, "truncated "+info.name)
			}
			if op == 0x80 && b[off] > 5 {
				return nil, formatErr(at, fmt.Sprintf("pickle protocol %d", b[off]))
			}
			s.framed = s.framed || op == 0x95
			if op == 0x95 && binary.LittleEndian.Uint64(b[off:]) > uint64(rest-8) {
				return nil, formatErr(at, fmt.Sprintf("FRAME of %d bytes, %d remain", binary.LittleEndian.Uint64(b[off:]), rest-8))
			}
			off += info.fixed
		case argCount1, argCount4, argCountI4, argCount8:
			width := map[argKind]int{argCount1: 1, argCount4: 4, argCountI4: 4, argCount8: 8}[info.kind]
			if rest < width {
				return nil, formatErr(at, "truncated "+info.name+" length")
			}
			var n uint64
			switch info.kind {
			case argCount1:
				n = uint64(b[off])
			case argCount4:
				n = uint64(binary.LittleEndian.Uint32(b[off:]))
			case argCountI4:
				v := int32(binary.LittleEndian.Uint32(b[off:]))
				if v < 0 {
					return nil, formatErr(at, fmt.Sprintf("%s with negative length %d", info.name, v))
				}
				n = uint64(v)
			case argCount8:
				n = binary.LittleEndian.Uint64(b[off:])
			}
			if n > uint64(rest-width) {
				return nil, formatErr(at, fmt.Sprintf("%s of %d bytes, %d remain", info.name, n, rest-width))
			}
			if n == 0 && (op == 0x8a || op == 0x8b) {
				return nil, formatErr(at, info.name+" with no bytes")
			}
			if n > maxIntBytes && (op == 0x8a || op == 0x8b) {
				return nil, formatErr(at, fmt.Sprintf("%s integer of %d bytes (at most %d are read)", info.name, n, maxIntBytes))
			}
			argLen = int64(n)
			off += width + int(n)
		case argLine, argLine2:
			lines := 1
			if info.kind == argLine2 {
				lines = 2
			}
			var parts [2]string
			for i := range lines {
				nl := bytes.IndexByte(b[off:], '\n')
				if nl < 0 {
					return nil, formatErr(at, "unterminated "+info.name+" argument")
				}
				parts[i] = string(b[off : off+nl])
				off += nl + 1
			}
			if (op == 'I' || op == 'L') && len(parts[0]) > maxIntDigits {
				return nil, formatErr(at, fmt.Sprintf("%s integer of %d digits (at most %d are read)", info.name, len(parts[0]), maxIntDigits))
			}
			argLen, line = int64(len(parts[0])), parts[0]
			if op == 'V' {
				s.unicode = append(s.unicode, [2]int{argStart, argStart + len(parts[0])})
			}
			if info.kind == argLine2 {
				if !utf8.ValidString(parts[0]) || !utf8.ValidString(parts[1]) {
					return nil, formatErr(at, info.name+" names a class in invalid UTF-8")
				}
				if resolve(parts[0], parts[1]) == nil {
					return nil, fmt.Errorf("lcpickle: offset %d: %s: %w", at, info.name, refuseClass(parts[0], parts[1]))
				}
			}
		case argReject:
			return nil, formatErr(at, info.name+" is not supported")
		}
		depth += info.mark
		if depth < 0 {
			return nil, formatErr(at, info.name+" without a MARK")
		}
		if depth > maxMarkDepth {
			return nil, formatErr(at, fmt.Sprintf("more than %d nested MARKs", maxMarkDepth))
		}
		if err := s.step(op, argLen, line, b[argStart:off]); err != nil {
			return nil, fmt.Errorf("lcpickle: offset %d: %s: %w", at, info.name, err)
		}
		if op == '.' {
			if off != len(b) {
				return nil, formatErr(off, fmt.Sprintf("%d trailing bytes after STOP", len(b)-off))
			}
			return s, nil
		}
	}
}

func formatErr(off int, msg string) error {
	return fmt.Errorf("lcpickle: offset %d: %s: %w", off, msg, ErrFormat)
}
