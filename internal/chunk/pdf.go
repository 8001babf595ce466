package chunk

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"
)

// pdfLimits bounds the work spent on one PDF, so a hostile or broken file
// ends in an error rather than a hang or an out-of-memory kill.
type pdfLimits struct {
	// ReadBytes caps the bytes the PDF library may read from the file in
	// total; it re-reads objects on every access, and a reference loop
	// (an xref /Prev chain pointing to itself) would read forever.
	ReadBytes int64
	// Ops caps content-stream operators interpreted over all pages.
	Ops int
	// Nodes caps page-tree nodes visited (a loop in /Kids ends here).
	Nodes int
	// Text caps the extracted text, in bytes.
	Text int
}

// defaultPDFLimits is generous for real documents (the test fixtures read
// about 10 times their size, a few KiB for each object they resolve):
// reading 64 times the file plus 256 MiB, 50 million operators, a million
// page-tree nodes, 64 MiB of text. A /Prev loop ends after about 3 s.
func defaultPDFLimits(size int) pdfLimits {
	return pdfLimits{ReadBytes: 256<<20 + 64*int64(size), Ops: 50_000_000, Nodes: 1 << 20, Text: MaxPDFText}
}

// MaxPDFText caps the text extracted from one PDF, in bytes.
const MaxPDFText = 64 << 20

// errPDFLimit is raised (as a panic, recovered in parsePDF) when a limit is
// hit.
var errPDFLimit = errors.New("pdf: work limit exceeded")

// parsePDF extracts the text of each page into its own Section (Page set,
// 1-based), so no chunk spans two pages; where the document has an
// outline (bookmarks), a page is cut at the headings its bookmarks name
// and each part has their heading path (applyOutline); a document
// without one is cut the same way at the headings its type sizes show
// (sizeOutline). The title is the
// Info dictionary's Title (unless it is the placeholder "untitled"),
// else the first line of text (a baseline, not the paragraph it begins).
// Any panic inside the PDF library is turned into an error.
func parsePDF(b []byte) (Document, error) {
	return parsePDFLimits(b, defaultPDFLimits(len(b)))
}

func parsePDFLimits(b []byte, lim pdfLimits) (doc Document, err error) {
	ra := &budgetReaderAt{r: bytes.NewReader(b), left: lim.ReadBytes}
	defer func() {
		if r := recover(); r != nil {
			doc = Document{}
			// The library reports read errors as panics of its own
			// making, so an exhausted budget is detected here, not by
			// errors.Is on the value.
			if e, ok := r.(error); (ok && errors.Is(e, errPDFLimit)) || ra.left < 0 {
				err = errPDFLimit
				return
			}
			err = fmt.Errorf("pdf: malformed file: %v", r)
		}
	}()
	r, err := pdf.NewReader(ra, int64(len(b)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) {
			return Document{}, errors.New("pdf: encrypted with a password")
		}
		if ra.left < 0 {
			return Document{}, errPDFLimit
		}
		return Document{}, fmt.Errorf("pdf: %w", err)
	}
	x := &pdfExtractor{lim: lim, type1: newType1Cache()}
	pages := x.pages(r.Trailer().Key("Root").Key("Pages"))
	lines := make([][]*pdfLine, len(pages))
	for i, p := range pages {
		lines[i] = x.pageLines(p)
	}
	outline := outlineOf(r, pages)
	if len(outline) == 0 {
		outline = sizeOutline(lines)
	}
	for i := range pages {
		text := joinPDFLines(lines[i])
		if strings.TrimSpace(text) == "" {
			continue
		}
		doc.Sections = append(doc.Sections, Section{Text: text, Page: i + 1})
		if doc.Title == "" {
			doc.Title = TruncateRunes(titleLines(lines[i]), 200)
		}
		lines[i] = nil
	}
	if t := strings.TrimSpace(r.Trailer().Key("Info").Key("Title").Text()); t != "" && utf8.ValidString(t) &&
		!strings.EqualFold(t, "untitled") { // ReportLab's and others' placeholder
		doc.Title = t
	}
	doc.Sections = applyOutline(doc.Sections, outline)
	dropTitleHeading(&doc)
	return doc, nil
}

// outlineOf reads the document's outline (readOutline) after its pages,
// so that an outline the library cannot read, or one that spends the
// rest of the read budget, costs the bookmarks and never the text.
func outlineOf(r *pdf.Reader, pages []pdf.Page) (entries []outlineEntry) {
	defer func() {
		if recover() != nil {
			entries = nil
		}
	}()
	return readOutline(r.Trailer().Key("Root"), pages)
}

// budgetReaderAt fails reads once left bytes have been read.
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left < 0 {
		return 0, errPDFLimit
	}
	n, err := b.r.ReadAt(p, off)
	b.left -= int64(n)
	return n, err
}

type pdfExtractor struct {
	lim   pdfLimits
	nodes int
	ops   int
	text  int
	// type1 holds the encodings built into the document's Type 1 font
	// programs, by program.
	type1 *type1Cache
}

// pages returns the leaves of the page tree in order, visiting at most
// lim.Nodes nodes and 64 levels.
func (x *pdfExtractor) pages(root pdf.Value) []pdf.Page {
	var out []pdf.Page
	var walk func(v pdf.Value, depth int)
	walk = func(v pdf.Value, depth int) {
		x.nodes++
		if x.nodes > x.lim.Nodes || depth > 64 {
			panic(errPDFLimit)
		}
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Pages" || (v.Key("Type").Name() != "Page" && kids.Kind() == pdf.Array) {
			for i := 0; i < kids.Len(); i++ {
				walk(kids.Index(i), depth+1)
			}
			return
		}
		if v.Kind() == pdf.Dict {
			out = append(out, pdf.Page{V: v})
		}
	}
	walk(root, 0)
	return out
}

// pdfFont decodes a font's character codes and estimates their advance.
type pdfFont struct {
	decode func(raw string) string
	// widths[code-first] in 1/1000 em; nil when the font gives none.
	widths []float64
	first  int
	// twoByte fonts (Type0) use 2-byte codes, each estimated at 1 em.
	twoByte bool
}

// newPDFFont loads a font; type1 caches the encodings built into Type 1
// programs (see type1Encoding).
func newPDFFont(f pdf.Font, type1 *type1Cache) *pdfFont {
	pf := &pdfFont{twoByte: f.V.Key("Subtype").Name() == "Type0"}
	enc := f.V.Key("Encoding").Name()
	switch {
	case strings.HasSuffix(enc, "-UCS2-H") || strings.HasSuffix(enc, "-UCS2-V") ||
		strings.HasSuffix(enc, "-UTF16-H") || strings.HasSuffix(enc, "-UTF16-V"):
		// Predefined CMaps whose codes are Unicode (UniJIS-UCS2-H,
		// UniGB-UTF16-H, ...); the library knows only UniGB-UCS2-H.
		pf.decode = decodeUTF16BE
	case readsToUnicode(f.V) && f.V.Key("ToUnicode").Kind() == pdf.Stream && endsInHexString(f.V.Key("ToUnicode")):
		// The library would read this map for ever (endsInHexString):
		// the font's text is not read.
		pf.decode = func(string) string { return "" }
	default:
		e := f.Encoder()
		pf.decode = e.Decode
		if names, ok := type1.encoding(f.V); ok {
			pf.decode = builtinDecoder(names, e.Decode)
		}
	}
	if !pf.twoByte {
		pf.first = int(f.V.Key("FirstChar").Int64())
		if w := f.V.Key("Widths"); w.Kind() == pdf.Array && w.Len() <= 256 {
			pf.widths = make([]float64, w.Len())
			for i := range pf.widths {
				pf.widths[i] = w.Index(i).Float64()
			}
		}
	}
	return pf
}

// readsToUnicode reports whether the PDF library decodes font by its
// ToUnicode map: when the font names no encoding, or Identity-H
// (pdf.Font.Encoder; a named simple encoding or a Differences dictionary
// is read without the map).
func readsToUnicode(font pdf.Value) bool {
	enc := font.Key("Encoding")
	return enc.Kind() == pdf.Null || enc.Kind() == pdf.Name && enc.Name() == "Identity-H"
}

// codeLen is the length in bytes of the font's character codes: 2 for a
// Type0 font, else 1.
func (f *pdfFont) codeLen() int {
	if f != nil && f.twoByte {
		return 2
	}
	return 1
}

// width estimates the advance of one character code in em: the font's
// width when it has one, else 0.5 em (1 em for a 2-byte code).
func (f *pdfFont) width(code string) float64 {
	switch {
	case f == nil:
		return 0.5 * float64(len(code))
	case f.twoByte:
		return 1
	}
	if c := int(code[0]) - f.first; c >= 0 && c < len(f.widths) && f.widths[c] > 0 {
		return f.widths[c] / 1000
	}
	return 0.5
}

// builtinDecoder returns a decoder of 1-byte codes by glyph names (a Type 1
// font's built-in encoding): the text of each code's glyph name, or what
// fallback reads from the code when its name is none of glyphText's.
func builtinDecoder(names *[256]string, fallback func(string) string) func(string) string {
	var text [256]string
	var known [256]bool
	for c, n := range names {
		if t := glyphText(n); t != "" {
			text[c], known[c] = t, true
		}
	}
	return func(raw string) string {
		var b strings.Builder
		for i := 0; i < len(raw); i++ {
			if known[raw[i]] {
				b.WriteString(text[raw[i]])
			} else {
				b.WriteString(fallback(raw[i : i+1]))
			}
		}
		return b.String()
	}
}

// glyphSpan is a glyph's advance on the page: from its origin (x0, y0)
// to where it ends (x1, y1), in device space.
type glyphSpan struct{ x0, y0, x1, y1 float64 }

// over reports whether accent g is set over (or under) letter l, both
// shown with the text rendering matrix trm at font size fs: along the
// text's baseline the middle of g's advance lies within l's, and the
// baselines are less than half the font size apart. TeX sets an accent
// on its own baseline over a small letter, raised over a capital.
func (g glyphSpan) over(l glyphSpan, trm matrix, fs float64) bool {
	ux, uy := trm[0], trm[1]
	if h := math.Hypot(ux, uy); h > 0 {
		ux, uy = ux/h, uy/h
	} else {
		ux, uy = 1, 0
	}
	along := func(x, y float64) float64 { return x*ux + y*uy }
	across := func(x, y float64) float64 { return y*ux - x*uy }
	l0, l1 := along(l.x0, l.y0), along(l.x1, l.y1)
	if l0 > l1 {
		l0, l1 = l1, l0
	}
	mid := (along(g.x0, g.y0) + along(g.x1, g.y1)) / 2
	return l1-l0 > 0 && mid > l0 && mid < l1 && math.Abs(across(g.x0, g.y0)-across(l.x0, l.y0)) < 0.5*fs
}

// accentMarks maps the spacing accents that fonts draw as glyphs of their
// own (pdfTeX's and Ghostscript's dieresis, acute, grave, circumflex,
// tilde, caron, breve, ring, cedilla, ...) to the combining marks that
// compose with a letter, and TeX's enclosing circle of "©" to itself.
var accentMarks = map[rune]rune{
	'`': 0x0300, 0x02CB: 0x0300, 0x00B4: 0x0301, 0x02CA: 0x0301, '^': 0x0302, 0x02C6: 0x0302,
	'~': 0x0303, 0x02DC: 0x0303, 0x00AF: 0x0304, 0x02C9: 0x0304, 0x02D8: 0x0306, 0x02D9: 0x0307,
	0x00A8: 0x0308, 0x02DA: 0x030A, 0x02DD: 0x030B, 0x02C7: 0x030C, 0x00B8: 0x0327, 0x02DB: 0x0328,
	0x20DD: 0x20DD,
}

// composeAccent returns letter with accent (one character: a spacing
// accent of accentMarks or a combining mark) set over or under it, as
// NFC composes them: "ö" for 'o' and "¨", "í" for 'ı' and "´" (a dotless
// i under an accent is the i), "©" for 'c' and TeX's enclosing circle;
// the letter and a combining mark where Unicode has no such letter ("q̈").
// ok is false when letter is not a letter or accent is no accent.
func composeAccent(letter rune, accent string) (text string, ok bool) {
	a, n := utf8.DecodeRuneInString(accent)
	if n == 0 || n != len(accent) {
		return "", false
	}
	if !unicode.IsLetter(letter) {
		// TeX's \not is a slash drawn over a relation: "≠", not "̸=",
		// where Unicode has the negated sign (not over a digit or a dash).
		if c := norm.NFC.String(string(letter) + string(a)); a == 0x0338 && utf8.RuneCountInString(c) == 1 {
			return c, true
		}
		return "", false
	}
	mark, ok := accentMarks[a]
	if !ok {
		if !unicode.Is(unicode.Mn, a) {
			return "", false
		}
		mark = a
	}
	switch {
	case mark == 0x20DD && (letter == 'c' || letter == 'C'):
		return "©", true
	case mark == 0x20DD:
		return "", false
	case letter == 'ı' && mark != 0x0327 && mark != 0x0328:
		letter = 'i'
	case letter == 'ȷ' && mark != 0x0327 && mark != 0x0328:
		letter = 'j'
	}
	return norm.NFC.String(string(letter) + string(mark)), true
}

// sized reports whether the font gives the width of code, so that where
// its glyph lies is known: a simple font's Widths entry. A Type0 font's
// glyphs are estimated at 1 em.
func (f *pdfFont) sized(code string) bool {
	if f == nil || f.twoByte || code == "" {
		return false
	}
	c := int(code[0]) - f.first
	return c >= 0 && c < len(f.widths)
}

func decodeUTF16BE(raw string) string {
	u := make([]uint16, 0, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		u = append(u, uint16(raw[i])<<8|uint16(raw[i+1]))
	}
	return string(utf16.Decode(u))
}

// matrix is a PDF transformation [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func translate(tx, ty float64) matrix { return matrix{1, 0, 0, 1, tx, ty} }

// pdfLine is one baseline of text. parsePDF holds every page's lines
// until it knows the outline (sizeOutline reads them all), so a line is
// kept small: its text is a slice of one string per page (compactLines).
type pdfLine struct {
	y, size float64
	text    string
	heading bool // a heading found by its size (sizeOutline)
}

// lineBuilder is a pdfLine while pageLines writes it: an accent composed
// with the letter before it takes back bytes already written.
type lineBuilder struct {
	y, size float64
	text    bytes.Buffer
}

// compactLines returns the lines built, their texts cut from one string
// and the lines from one array: about 50 bytes a line besides its text,
// against 130 for a line with a buffer of its own.
func compactLines(built []*lineBuilder) []*pdfLine {
	n := 0
	for _, b := range built {
		n += b.text.Len()
	}
	var all strings.Builder
	all.Grow(n)
	for _, b := range built {
		all.Write(b.text.Bytes())
	}
	text := all.String()
	lines := make([]pdfLine, len(built))
	out := make([]*pdfLine, len(built))
	at := 0
	for i, b := range built {
		end := at + b.text.Len()
		lines[i] = pdfLine{y: b.y, size: b.size, text: text[at:end]}
		out[i] = &lines[i]
		at = end
	}
	return out
}

// pdfWordGap is the horizontal gap, in font sizes, between two shown
// glyphs above which a space is read between them, whether the gap comes
// from a TJ adjustment, a text move or character spacing. TeX sets word
// spaces as positioning, not as a space character, and a tight line
// shrinks them to about 0.22 em (cmr10: 0.333 em less 0.111), so that at
// a font change ("see" then a Section link in bashref.pdf) the gap may be
// below 0.2 em; kerning stays under 0.1 em.
const pdfWordGap = 0.15

// pdfSpaceMin is the advance, in font sizes, below which a space
// character is not read as a word space.
const pdfSpaceMin = 0.1

// pdfTextState holds the text state parameters that q and Q save and
// restore with the graphics state (ISO 32000-1, 9.3).
type pdfTextState struct {
	font      *pdfFont
	size      float64 // Tf, text space units
	leading   float64 // TL
	charSpace float64 // Tc, unscaled text space units
	wordSpace float64 // Tw, unscaled text space units, for code 32 only
	scale     float64 // Tz as a fraction, 1 for 100%
}

// pageLines interprets a page's content stream and returns its lines
// (baselines) in stream order, which joinPDFLines makes the page's text.
// Glyphs advance by their widths and the text state's character spacing,
// word spacing and horizontal scaling; a gap of more than pdfWordGap font
// sizes between them is a space. An accent shown as a glyph of its own
// over or under a letter, before or after it, is composed with it (TeX's
// \accent; see composeAccent). Text inside form XObjects is not read.
func (x *pdfExtractor) pageLines(p pdf.Page) []*pdfLine {
	strm := p.V.Key("Contents")
	if strm.Kind() != pdf.Stream && strm.Kind() != pdf.Array || endsInHexString(strm) {
		return nil
	}
	fontRes := p.Resources().Key("Font")
	fonts := map[string]*pdfFont{}
	type gstate struct {
		ctm matrix
		ts  pdfTextState
	}
	var (
		ctm     = identity
		stack   []gstate
		tm, tlm = identity, identity
		ts      = pdfTextState{scale: 1}
		lines   []*lineBuilder
		cur     *lineBuilder
		endX    float64 // device x where the last shown text ended
		// The last glyph shown, its text, device origin and end, so
		// that one printed again over it (fake bold) is read once and
		// an accent set over it, or it over an accent, is composed
		// with it.
		lastGlyph      string
		lastGX, lastGY float64
		lastEX, lastEY float64
		lastSized      bool // the font gives the last glyph's width
	)
	num := func(args []pdf.Value, i int) float64 {
		if i < len(args) {
			f := args[i].Float64()
			if !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f
			}
		}
		return 0
	}
	setTm := func(m matrix) { tlm, tm = m, m }
	decode := func(raw string) string {
		if ts.font != nil {
			return cleanPDFText(ts.font.decode(raw))
		}
		return cleanPDFText(latin1(raw))
	}
	// advance moves the text matrix past one character code (ISO
	// 32000-1, 9.4.4: tx = (w0 * Tfs + Tc + Tw) * Th).
	advance := func(code string) {
		tx := ts.font.width(code)*ts.size + ts.charSpace
		if code == " " {
			tx += ts.wordSpace
		}
		tm = translate(tx*ts.scale, 0).mul(tm)
	}
	// glyphEnd returns the device point where the glyph code just
	// passed ends, before the spacing that follows it: Ghostscript's Td after
	// "(.A)" set with Tc 5.8 leaves a word space after the A, less than
	// that Tc.
	glyphEnd := func(code string) (x, y float64) {
		spacing := ts.charSpace
		if code == " " {
			spacing += ts.wordSpace
		}
		e := translate(-spacing*ts.scale, 0).mul(tm).mul(ctm)
		return e[4], e[5]
	}
	show := func(raw string) {
		if raw == "" {
			return
		}
		step := ts.font.codeLen()
		trm := tm.mul(ctm)
		px, py := trm[4], trm[5]
		fs := math.Abs(ts.size) * math.Hypot(trm[2], trm[3])
		if fs == 0 || math.IsNaN(fs) || math.IsInf(fs, 0) {
			fs = 1 // a matrix that overflowed ("cm" of 1e300s, Inf times 0)
		}
		first := raw[:min(step, len(raw))]
		if lastGlyph != "" && math.Abs(px-lastGX) < 0.1*fs && math.Abs(py-lastGY) < 0.1*fs && decode(first) == lastGlyph {
			// The glyph just shown, printed again a hair's breadth
			// away: gropdf's and others' fake bold.
			advance(first)
			raw = raw[len(first):]
			if raw == "" {
				endX, _ = glyphEnd(first)
				return
			}
			trm = tm.mul(ctm)
			px, py = trm[4], trm[5]
			first = raw[:min(step, len(raw))]
		}
		// Character spacing wide enough to read as a word space
		// (Ghostscript sets "PDF, using" as "(,u)" with Tc 4.1 at
		// 10 pt) separates every glyph of the string, and a space
		// narrowed to less than a word space by Tc and Tw (its "(eg a)"
		// with Tw -2.25 for "negative") is none.
		hx := math.Abs(ts.scale) * math.Hypot(trm[0], trm[1])
		spaced := ts.charSpace*hx > pdfWordGap*fs
		var b strings.Builder
		from := 0
		for i := 0; i < len(raw); i += step {
			end := min(i+step, len(raw))
			switch {
			case step == 1 && raw[i] == ' ':
				if (ts.font.width(" ")*ts.size+ts.charSpace+ts.wordSpace)*hx < pdfSpaceMin*fs {
					b.WriteString(decode(raw[from:i]))
					from = end
				}
			case spaced && end < len(raw) && (step > 1 || raw[end] != ' '):
				b.WriteString(decode(raw[from:end]))
				b.WriteByte(' ')
				from = end
			}
		}
		b.WriteString(decode(raw[from:]))
		s := b.String()
		// An accent and the letter it is set over, one of them the
		// glyph just shown and the other this string's first: pdfTeX
		// shows "(Br\177)" and "(ok)" moved back by the dieresis's
		// width for "Bröker".
		prev, prevEndX := glyphSpan{lastGX, lastGY, lastEX, lastEY}, endX
		joined, accentFirst, letter := false, false, ""
		if cur != nil && lastGlyph != "" && lastSized && ts.font.sized(first) && s != "" {
			e := translate(ts.font.width(first)*ts.size*ts.scale, 0).mul(tm).mul(ctm)
			next := glyphSpan{px, py, e[4], e[5]}
			line := cur.text.Bytes()
			if r, n := utf8.DecodeRuneInString(s); bytes.HasSuffix(line, []byte(lastGlyph)) && prev.over(next, trm, fs) {
				if c, ok := composeAccent(r, lastGlyph); ok {
					// The accent first: the letter takes its place.
					cur.text.Truncate(len(line) - len(lastGlyph))
					s, joined, accentFirst, letter = c+s[n:], true, true, c
				}
			}
			if g := decode(first); !joined && strings.HasPrefix(s, g) && next.over(prev, trm, fs) {
				if r, n := utf8.DecodeLastRune(line); strings.HasSuffix(lastGlyph, string(r)) {
					if c, ok := composeAccent(r, g); ok {
						// The letter first: the accent goes.
						cur.text.Truncate(len(line) - n)
						s, joined, letter = c+s[len(g):], true, c
					}
				}
			}
		}
		switch {
		case joined:
		case cur == nil || math.Abs(py-cur.y) > 0.5*math.Max(fs, cur.size):
			cur = &lineBuilder{y: py, size: fs}
			lines = append(lines, cur)
		case px-endX > pdfWordGap*fs:
			if t := cur.text.Bytes(); len(t) > 0 && t[len(t)-1] != ' ' && !strings.HasPrefix(s, " ") {
				cur.text.WriteByte(' ')
			}
		}
		cur.size = math.Max(cur.size, fs)
		x.text += len(s)
		if x.text > x.lim.Text {
			panic(errPDFLimit)
		}
		cur.text.WriteString(s)
		var last string
		for i := 0; i < len(raw); i += step {
			code := raw[i:min(i+step, len(raw))]
			if i+step >= len(raw) {
				last = code
				o := tm.mul(ctm)
				lastGX, lastGY = o[4], o[5]
			}
			advance(code)
		}
		lastGlyph = decode(last)
		endX, _ = glyphEnd(last)
		lastEX, lastEY = glyphEnd(last)
		lastSized = ts.font.sized(last)
		switch {
		case joined && accentFirst && len(raw) == len(first):
			// The letter alone, composed with the accent before it:
			// a second accent may follow ("ế").
			lastGlyph = letter
		case joined && len(raw) == len(first):
			// The accent alone, composed with the letter before it:
			// the letter, its place and its end stay the last glyph's,
			// or the accent's end if further.
			lastGlyph = letter
			lastGX, lastGY, lastEX, lastEY = prev.x0, prev.y0, prev.x1, prev.y1
			endX = math.Max(endX, prevEndX)
		}
	}
	pdf.Interpret(strm, func(stk *pdf.Stack, op string) {
		x.ops++
		if x.ops > x.lim.Ops {
			panic(errPDFLimit)
		}
		n := stk.Len()
		if n > 64 {
			n = 64 // operators take at most 6 operands
		}
		args := make([]pdf.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		for stk.Len() > 0 {
			stk.Pop()
		}
		switch op {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, gstate{ctm, ts})
			}
		case "Q":
			if len(stack) > 0 {
				ctm, ts = stack[len(stack)-1].ctm, stack[len(stack)-1].ts
				stack = stack[:len(stack)-1]
			}
		case "cm":
			if len(args) == 6 {
				ctm = matrix{num(args, 0), num(args, 1), num(args, 2), num(args, 3), num(args, 4), num(args, 5)}.mul(ctm)
			}
		case "BT":
			setTm(identity)
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				f, ok := fonts[name]
				if !ok {
					if fv := fontRes.Key(name); fv.Kind() == pdf.Dict {
						f = newPDFFont(pdf.Font{V: fv}, x.type1)
					}
					fonts[name] = f
				}
				ts.font, ts.size = f, num(args, 1)
			}
		case "Tc":
			ts.charSpace = num(args, 0)
		case "Tw":
			ts.wordSpace = num(args, 0)
		case "Tz":
			ts.scale = num(args, 0) / 100
		case "TL":
			ts.leading = num(args, 0)
		case "Td", "TD":
			if len(args) == 2 {
				if op == "TD" {
					ts.leading = -num(args, 1)
				}
				setTm(translate(num(args, 0), num(args, 1)).mul(tlm))
			}
		case "Tm":
			if len(args) == 6 {
				setTm(matrix{num(args, 0), num(args, 1), num(args, 2), num(args, 3), num(args, 4), num(args, 5)})
			}
		case "T*":
			setTm(translate(0, -ts.leading).mul(tlm))
		case "Tj":
			if len(args) == 1 {
				show(args[0].RawString())
			}
		case "'", "\"":
			if op == "\"" && len(args) == 3 {
				ts.wordSpace, ts.charSpace = num(args, 0), num(args, 1)
			}
			setTm(translate(0, -ts.leading).mul(tlm))
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "TJ":
			if len(args) != 1 {
				return
			}
			a := args[0]
			for i := 0; i < a.Len(); i++ {
				v := a.Index(i)
				switch v.Kind() {
				case pdf.String:
					show(v.RawString())
				case pdf.Integer, pdf.Real:
					k := num([]pdf.Value{v}, 0)
					tm = translate(-k/1000*ts.size*ts.scale, 0).mul(tm)
				}
			}
		}
	})
	return compactLines(lines)
}

// endsInHexString reports whether a page's content or a font's ToUnicode
// map (a stream, or an array of them read as one) ends inside a hex string ("<41" or "<K" and no
// ">"), or cannot be read to its end: there the PDF library's lexer reads
// line breaks past the end for ever (readHexString does not stop at EOF,
// pdf.Interpret allows EOF), and no operator count or read budget ends it.
// Such a page is not read. The scan follows the lexer: comments to the end
// of the line, literal strings with their nesting and escapes, "<<" a
// dictionary; a pair of bytes in a hex string that is not two hex digits
// is an error the library raises (and parsePDF recovers), not a loop.
func endsInHexString(strm pdf.Value) bool {
	var readers []io.Reader
	if strm.Kind() == pdf.Array {
		for i := range strm.Len() {
			readers = append(readers, strm.Index(i).Reader())
		}
	} else {
		readers = append(readers, strm.Reader())
	}
	r := bufio.NewReader(io.MultiReader(readers...))
	const (
		plain = iota
		comment
		literal
		hex
	)
	state, depth, half := plain, 0, byte(0)
	for {
		c, err := r.ReadByte()
		if err != nil {
			// A reader that fails, or gives nothing and no error (bufio's
			// ErrNoProgress), holds the lexer at its end too.
			return state == hex || !errors.Is(err, io.EOF)
		}
		switch state {
		case comment:
			if c == '\r' || c == '\n' {
				state = plain
			}
		case literal:
			switch c {
			case '\\':
				_, _ = r.ReadByte()
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					state = plain
				}
			}
		case hex:
			// The lexer reads a pair of non-space bytes at a time: ">"
			// first ends the string, and a pair with a byte that is no
			// hex digit is its error, not its loop.
			switch {
			case isPDFSpace(c):
			case half == 0 && c == '>':
				state = plain
			case half == 0:
				half = c
			case !isHexDigit(half) || !isHexDigit(c):
				return false
			default:
				half = 0
			}
		default:
			switch c {
			case '%':
				state = comment
			case '(':
				state, depth = literal, 1
			case '<':
				if next, err := r.Peek(1); err == nil && next[0] == '<' {
					_, _ = r.ReadByte() // a dictionary
				} else {
					state, half = hex, 0
				}
			}
		}
	}
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isPDFSpace reports PDF's white-space characters (ISO 32000-1, 7.2.2),
// which are PostScript's too (pdftype1.go).
func isPDFSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

// titleLines returns the text of the page's first line that has any, and
// of the lines after it that continue it as a title set larger than the
// page's body text: the same size, no paragraph gap, at most three lines
// ("Information for Maintainers of GNU" over "Software" on maintain.pdf's
// cover). A first line at the body's size is taken alone, so an untitled
// page gives its first line, not its first paragraph.
func titleLines(lines []*pdfLine) string {
	i := slices.IndexFunc(lines, func(l *pdfLine) bool { return strings.TrimSpace(l.text) != "" })
	if i < 0 {
		return ""
	}
	body, _ := bodySize([][]*pdfLine{lines}) // the size most of the page's text is set in
	title := []*pdfLine{lines[i]}
	for _, l := range lines[i+1:] {
		prev := title[len(title)-1]
		drop := prev.y - l.y
		if len(title) == 3 || strings.TrimSpace(l.text) == "" || math.Abs(l.size-prev.size) > 0.02*prev.size ||
			prev.size < 1.05*body || drop <= 0 || drop > 1.6*prev.size {
			break
		}
		title = append(title, l)
	}
	return joinPDFLines(title)
}

// leaders matches a table of contents' dot leaders, five or more dots,
// colons (pdfTeX's math font sets its dot as code 58) or middle dots, a
// space apart or none: "1 Introduction : : : : : 1" made a tenth of a
// manual's text in some chunks (bashref.pdf, zsh.pdf).
var leaders = regexp.MustCompile(` ?(?:[.:·…] ?){5,}`)

// printedText is a line's text as joinPDFLines prints it: without dot
// leaders and the spaces around it.
func printedText(l *pdfLine) string {
	return strings.TrimSpace(leaders.ReplaceAllString(l.text, " "))
}

// joinPDFLines joins the lines of a page: a paragraph break (blank line)
// where the baseline drops by more than 1.6 font sizes or rises, and
// around a heading sizeOutline marked; else one
// space, or nothing next to a wide (CJK) character or after a hyphen
// that ends a word continued in lowercase ("tempera-" + "ture"). The text
// is built in a byte slice so that dropping a hyphen is a reslice, not a
// copy of the page so far.
func joinPDFLines(lines []*pdfLine) string {
	var b []byte
	var prev *pdfLine
	for _, l := range lines {
		t := printedText(l)
		if t == "" {
			continue
		}
		if prev != nil {
			last, n := utf8.DecodeLastRune(b)
			before, _ := utf8.DecodeLastRune(b[:len(b)-n])
			first, _ := utf8.DecodeRuneInString(t)
			drop := prev.y - l.y
			switch {
			case drop > 1.6*math.Max(l.size, prev.size) || drop < 0 || prev.heading != l.heading ||
				l.heading && !sameSize(l.size, prev.size):
				b = append(b, "\n\n"...)
			case last == '-' && unicode.IsLower(first) && unicode.IsLetter(before):
				b = b[:len(b)-n]
			case isWide(last) || isWide(first):
			default:
				b = append(b, ' ')
			}
		}
		b = append(b, t...)
		prev = l
	}
	return string(b)
}

// isWide reports a character of a script written without spaces between
// words (Han, Hiragana, Katakana, Hangul) or full-width punctuation.
func isWide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// cleanPDFText makes decoded text valid UTF-8 and turns control characters
// (tabs, stray line breaks, NULs of mis-decoded codes) into spaces.
func cleanPDFText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func latin1(raw string) string {
	r := make([]rune, len(raw))
	for i := 0; i < len(raw); i++ {
		r[i] = rune(raw[i])
	}
	return string(r)
}

// TruncateRunes returns s cut to at most n runes (never inside a UTF-8
// sequence).
func TruncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
