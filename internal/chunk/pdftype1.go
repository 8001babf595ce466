package chunk

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"strconv"

	"github.com/ledongthuc/pdf"
)

// type1Cache holds the encodings built into a document's Type 1 font
// programs, read once each (a font is loaded again on every page that
// uses it), and bounds the work of reading them: at most maxType1Total
// bytes of cleartext are read over the document, after which a program
// not yet read is taken to have no built-in encoding. Without that bound,
// a document of many programs used on many pages (more than a cache can
// hold, or each under a key made long on purpose) inflated and lexed up
// to 64 KiB again at every use: 35 s of CPU for an 888 KB file that
// parsed in 1.6 s before.
type type1Cache struct {
	m     map[[sha256.Size]byte]*[256]string // by program
	fonts map[[sha256.Size]byte]fontEncoding // by font dictionary
	left  int                                // cleartext bytes still to be read
}

// maxType1Total caps the cleartext read for built-in encodings over one
// document: 256 programs' worth at the cap of each, some 10,000 real ones
// (CMSY10's whole cleartext is 2.9 KiB).
const maxType1Total = 256 * maxType1Clear

func newType1Cache() *type1Cache {
	return &type1Cache{m: map[[sha256.Size]byte]*[256]string{}, fonts: map[[sha256.Size]byte]fontEncoding{}, left: maxType1Total}
}

// maxType1Clear caps the bytes of a Type 1 font program read for its
// built-in encoding. The encoding sits in the program's cleartext part,
// before eexec: about 1 KiB of header and some 20 bytes a code (CMSY10's
// whole cleartext is 2.9 KiB).
const maxType1Clear = 64 << 10

// type1Encoding returns the encoding that applies to a simple font with
// an embedded Type 1 program and no ToUnicode map (ISO 32000-1, 9.6.6.2):
// the glyph names of codes 0 to 255, "" where a code has none. It is the
// encoding built into the program, with the font dictionary's Differences
// over it when its Encoding is a dictionary without BaseEncoding (Table
// 114: for an embedded program that is the implicit base encoding). ok is
// false when the font has another encoding, a ToUnicode map, no Type 1
// program, or a program whose built-in encoding cannot be read.
//
// The names returned may be the cache's: callers do not modify them.
func (c *type1Cache) encoding(font pdf.Value) (names *[256]string, ok bool) {
	// A font is loaded on every page that uses it, and answering again
	// resolves its descriptor and program, objects the PDF library reads
	// from the file at every access: the answer is kept by the font's own
	// dictionary, which String prints without resolving references.
	key := sha256.Sum256([]byte(font.String()))
	if e, hit := c.fonts[key]; hit {
		return e.names, e.ok
	}
	names, ok = c.read(font)
	c.fonts[key] = fontEncoding{names, ok}
	return names, ok
}

// fontEncoding is a font's answer in type1Cache.fonts.
type fontEncoding struct {
	names *[256]string
	ok    bool
}

// read is encoding without the fonts' cache.
func (c *type1Cache) read(font pdf.Value) (names *[256]string, ok bool) {
	if font.Key("ToUnicode").Kind() != pdf.Null {
		return nil, false
	}
	if s := font.Key("Subtype").Name(); s != "Type1" && s != "MMType1" {
		return nil, false
	}
	enc := font.Key("Encoding")
	switch enc.Kind() {
	case pdf.Null:
	case pdf.Dict:
		if enc.Key("BaseEncoding").Kind() != pdf.Null {
			return nil, false
		}
	default:
		return nil, false
	}
	ff := font.Key("FontDescriptor").Key("FontFile")
	if ff.Kind() != pdf.Stream {
		return nil, false
	}
	// A stream's String is its dictionary and its offset in the file.
	key := sha256.Sum256([]byte(ff.String()))
	names, cached := c.m[key]
	if !cached {
		if c.left > 0 {
			text, read := type1Cleartext(ff, c.left)
			c.left -= max(read, 1)
			names, _ = parseType1Encoding(text)
		}
		c.m[key] = names
	}
	if names == nil {
		return nil, false
	}
	if enc.Kind() == pdf.Dict {
		over := *names
		applyDifferences(&over, enc.Key("Differences"))
		names = &over
	}
	return names, true
}

// applyDifferences sets the names of a Differences array ([code /name
// /name ... code /name ...]) over names, reading at most 1024 entries.
func applyDifferences(names *[256]string, diff pdf.Value) {
	code := -1
	for i := 0; i < min(diff.Len(), 1024); i++ {
		switch v := diff.Index(i); v.Kind() {
		case pdf.Integer:
			code = int(v.Int64())
		case pdf.Name:
			if code >= 0 && code < 256 {
				names[code] = v.Name()
			}
			code++
		}
	}
}

// type1Cleartext returns the cleartext part of an embedded Type 1 font
// program (a FontFile stream: Length1 bytes of cleartext, then the
// eexec-encrypted part), reading at most maxType1Clear bytes and at most
// left, and how many bytes it read; nil when it cannot be read. Only
// unfiltered and Flate streams without a predictor are read, so that a
// broken stream's parameters cannot make the PDF library allocate; a
// panic of the library while reading is caught here, so that a broken
// font loses its encoding, not the document, except the work limit's,
// which ends the parse.
func type1Cleartext(ff pdf.Value, left int) (clear []byte, read int) {
	if ff.Key("DecodeParms").Kind() != pdf.Null {
		return nil, 0
	}
	switch f := ff.Key("Filter"); f.Kind() {
	case pdf.Null:
	case pdf.Name:
		if f.Name() != "FlateDecode" {
			return nil, 0
		}
	default:
		return nil, 0
	}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, errPDFLimit) {
				panic(r)
			}
			clear = nil
		}
	}()
	n := int64(min(maxType1Clear, left))
	if l := ff.Key("Length1").Int64(); l > 0 && l < n {
		n = l
	}
	b, _ := io.ReadAll(io.LimitReader(ff.Reader(), n))
	read = len(b)
	// A program in PFB form starts with a segment header: 0x80, 1, and
	// the segment's length in 4 bytes.
	if len(b) >= 6 && b[0] == 0x80 && b[1] == 1 {
		b = b[6:]
	}
	if i := bytes.Index(b, []byte("eexec")); i >= 0 {
		b = b[:i]
	}
	return b, read
}

// parseType1Encoding reads the encoding from the cleartext part of a Type
// 1 font program: "/Encoding StandardEncoding def", or an array filled by
// "dup code /name put" up to its "def" ("/Encoding 256 array 0 1 255 {1
// index exch /.notdef put} for dup 15 /bullet put ... readonly def"), or
// a literal array of names. ok is false when there is none.
func parseType1Encoding(clear []byte) (names *[256]string, ok bool) {
	lx := psLexer{b: clear}
	for t := lx.next(); t != ""; t = lx.next() {
		if t != "/Encoding" {
			continue
		}
		switch t := lx.next(); {
		case t == "StandardEncoding":
			names = new([256]string)
			copy(names[:], standardEncoding[:])
			return names, true
		case t == "[":
			names = new([256]string)
			for code := 0; code < 256; code++ {
				t := lx.next()
				if len(t) < 2 || t[0] != '/' {
					break
				}
				names[code] = t[1:]
			}
			return names, true
		case isPSInt(t):
			names = new([256]string)
			// The last three tokens before each "put".
			var w [3]string
			for t := lx.next(); t != "" && t != "def"; t = lx.next() {
				if t == "put" && w[0] == "dup" && len(w[2]) > 1 && w[2][0] == '/' {
					if code, err := strconv.Atoi(w[1]); err == nil && code >= 0 && code < 256 {
						names[code] = w[2][1:]
					}
				}
				w[0], w[1], w[2] = w[1], w[2], t
			}
			return names, true
		}
	}
	return nil, false
}

func isPSInt(t string) bool {
	_, err := strconv.Atoi(t)
	return err == nil
}

// isPSDelim reports a PostScript white-space or delimiter character.
func isPSDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return isPDFSpace(c)
}

// psLexer splits PostScript into tokens: names with their slash, numbers
// and other words, and the brackets and braces alone; comments and
// strings are skipped.
type psLexer struct {
	b []byte
	i int
}

// next returns the next token, or "" at the end.
func (l *psLexer) next() string {
	for l.i < len(l.b) {
		c := l.b[l.i]
		switch {
		case isPDFSpace(c):
			l.i++
		case c == '%':
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
		case c == '(':
			l.skipString()
		case c == '[' || c == ']' || c == '{' || c == '}':
			l.i++
			return string(c)
		default:
			start := l.i
			l.i++ // a slash, or the first character of a word
			for l.i < len(l.b) && !isPSDelim(l.b[l.i]) {
				l.i++
			}
			return string(l.b[start:l.i])
		}
	}
	return ""
}

// skipString moves past a string in parentheses, which may nest and
// escape a parenthesis with a backslash.
func (l *psLexer) skipString() {
	depth := 0
	for ; l.i < len(l.b); l.i++ {
		switch l.b[l.i] {
		case '\\':
			l.i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				l.i++
				return
			}
		}
	}
}
