package chunk

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// type1Clear is the cleartext part of a Type 1 font program whose
// built-in encoding gives code 65 a bullet and code 66 a minus, as
// CMSY10's gives codes 15 and 0; the encrypted part that follows is a
// stand-in, since the font need not render.
const type1Clear = "%!PS-AdobeFont-1.0: CMSY10 003.002\n" +
	"%%Title: CMSY10\n" +
	"11 dict begin\n" +
	"/FontInfo 7 dict dup begin\n" +
	"/Notice (Copyright \\(c\\) 1997, 2009 American Mathematical Society /Encoding 3 array) readonly def\n" +
	"end readonly def\n" +
	"/FontName /ABCDEF+CMSY10 def\n" +
	"/PaintType 0 def\n" +
	"/FontType 1 def\n" +
	"/FontMatrix [0.001 0 0 0.001 0 0] readonly def\n" +
	"/Encoding 256 array\n" +
	"0 1 255 {1 index exch /.notdef put} for\n" +
	"dup 65 /bullet put\n" +
	"dup 66 /minus put\n" +
	"readonly def\n" +
	"/FontBBox{-29 -960 1116 775}readonly def\n" +
	"currentfile eexec\n"

// type1Secret stands in for a program's encrypted part.
const type1Secret = "\xd9\xd6\x6f\x63\x3b\x84\x6a\x98\x9b\x99\x74\xef\x2f\x1c\x0c\x72"

// type1Font returns a font dictionary for F1 of fontPDF, whose program is
// object 6, with extra entries (an Encoding, a ToUnicode).
func type1Font(extra string) string {
	return "<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+CMSY10 /FirstChar 65 /LastChar 66 /Widths [500 778] " +
		"/FontDescriptor << /Type /FontDescriptor /FontName /ABCDEF+CMSY10 /Flags 4 /FontFile 6 0 R >> " + extra + " >>"
}

// type1Program returns a FontFile stream object holding program, with
// Length1 length1 and further dictionary entries.
func type1Program(program string, length1 int, entries string) string {
	return fmt.Sprintf("<< /Length %d /Length1 %d /Length2 %d /Length3 0 %s >>\nstream\n%s\nendstream",
		len(program), length1, len(program)-length1, entries, program)
}

func flate(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return b.String()
}

// TestParsePDF_Type1BuiltinEncoding checks that a Type 1 font without a
// ToUnicode map and without an Encoding of its own reads its codes by the
// encoding built into its embedded program (ISO 32000-1, 9.6.6.2), as
// pdfTeX's math fonts need: texinfo's bullets (CMSY10 code 15) read as
// U+FFFD in bashref.pdf, libtasn1.pdf and gnuplot.pdf. Codes 65 and 66
// are the letters A and B in the encodings the library knows.
func TestParsePDF_Type1BuiltinEncoding(t *testing.T) {
	t.Parallel()
	const show = "BT /F1 10 Tf 1 0 0 1 100 700 Tm (AB)Tj ET"
	program := type1Clear + type1Secret
	plain := type1Program(program, len(type1Clear), "")
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"1 begincodespacerange <00> <FF> endcodespacerange\n2 beginbfchar <41> <0058> <42> <0059> endbfchar\n" +
		"endcmap end end"
	toUnicode := fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(cmap), cmap)
	standard := strings.Replace(type1Clear, "/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\n"+
		"dup 65 /bullet put\ndup 66 /minus put\nreadonly def", "/Encoding StandardEncoding def", 1)
	uni := strings.NewReplacer("/bullet", "/uni2022", "/minus", "/u1D400").Replace(type1Clear)
	padded := "%" + strings.Repeat(" ", maxType1Clear) + "\n" + type1Clear
	n := len(type1Clear)
	pfb := "\x80\x01" + string([]byte{byte(n & 0xff), byte(n >> 8), 0, 0}) + type1Clear
	tests := []struct {
		name, font, content string
		extra               []string
		want                string
	}{
		{"built-in encoding", type1Font(""), show, []string{plain}, "•−"},
		{"differences over the built-in encoding", type1Font("/Encoding << /Type /Encoding /Differences [66 /A] >>"), show, []string{plain}, "•A"},
		{"base encoding instead", type1Font("/Encoding << /BaseEncoding /WinAnsiEncoding >>"), show, []string{plain}, "AB"},
		{"encoding name instead", type1Font("/Encoding /WinAnsiEncoding"), show, []string{plain}, "AB"},
		{"tounicode map instead", type1Font("/ToUnicode 7 0 R"), show, []string{plain, toUnicode}, "XY"},
		{"standard encoding built in", type1Font(""), "BT /F1 10 Tf 1 0 0 1 100 700 Tm (\\047\\140)Tj ET",
			[]string{type1Program(standard+type1Secret, len(standard), "")}, "’‘"},
		{"uni and u names", type1Font(""), show, []string{type1Program(uni+type1Secret, len(uni), "")}, "•𝐀"},
		{"flate compressed program", type1Font(""), show,
			[]string{type1Program(flate(program), len(type1Clear), "/Filter /FlateDecode")}, "•−"},
		{"pfb segment header", type1Font(""), show, []string{type1Program(pfb+type1Secret, len(pfb), "")}, "•−"},
		// Length1 ends the cleartext before code 66's entry.
		{"read no further than length1", type1Font(""), show,
			[]string{type1Program(program, strings.Index(type1Clear, "dup 66"), "")}, "•B"},
		{"no cleartext length", type1Font(""), show, []string{type1Program(program, 0, "")}, "•−"},
		// A program is read up to maxType1Clear bytes, whatever its
		// Length1.
		{"encoding past the cap is not read", type1Font(""), show,
			[]string{type1Program(padded+type1Secret, len(padded), "")}, "AB"},
		{"unread filter keeps the document", type1Font(""), show,
			[]string{type1Program(program, len(type1Clear), "/Filter /LZWDecode")}, "AB"},
		{"broken flate stream keeps the document", type1Font(""), show,
			[]string{type1Program(program, len(type1Clear), "/Filter /FlateDecode")}, "AB"},
		{"not a type 1 font", strings.Replace(type1Font(""), "/Type1", "/TrueType", 1), show, []string{plain}, "AB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := parsePDF(fontPDF("", tc.font, tc.content, tc.extra...))
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Sections) != 1 || doc.Sections[0].Text != tc.want {
				t.Errorf("got %+v, want one page %q", doc.Sections, tc.want)
			}
		})
	}
}

// TestType1Encoding_Cache checks that a font program's encoding is read
// once per document, that a font's Differences do not change it for the
// other fonts of the same program, and that once the document's budget of
// cleartext is spent a program not yet read has no built-in encoding.
func TestType1Encoding_Cache(t *testing.T) {
	t.Parallel()
	b := fontPDF("", type1Font("/Encoding << /Differences [66 /A] >>"), "BT ET",
		type1Program(type1Clear+type1Secret, len(type1Clear), ""))
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	font := r.Page(1).Resources().Key("Font").Key("F1")
	cache := newType1Cache()
	names, ok := cache.encoding(font)
	if !ok || names[65] != "bullet" || names[66] != "A" {
		t.Fatalf("names 65, 66 = %q, %q, %v; want bullet, A", names[65], names[66], ok)
	}
	key := sha256.Sum256([]byte(font.Key("FontDescriptor").Key("FontFile").String()))
	if e := cache.m[key]; len(cache.m) != 1 || e == nil || e[66] != "minus" {
		t.Fatalf("cache of %d entries, the program's %v; want its code 66 minus", len(cache.m), e)
	}
	if spent := maxType1Total - cache.left; spent != len(type1Clear) {
		t.Errorf("%d bytes of cleartext charged, want the program's %d", spent, len(type1Clear))
	}
	// The font's answer is kept by the font: loading it on the next page
	// resolves neither its descriptor nor its program again.
	cache.m, cache.left = nil, 0
	if again, ok := cache.encoding(font); !ok || again != names {
		t.Errorf("the font again: %v, %v; want its first answer", again, ok)
	}
	// Another font of the same program reads the program's cache entry.
	other := newType1Cache()
	other.m[key] = &[256]string{65: "sterling"}
	if names, _ := other.encoding(font); names[65] != "sterling" {
		t.Errorf("from the program's cache: code 65 = %q, want the cache's sterling", names[65])
	}

	spent := newType1Cache()
	spent.left = 0
	if names, ok := spent.encoding(font); ok || names != nil {
		t.Errorf("with the budget spent: %v, %v; want no built-in encoding", names, ok)
	}
}

func TestParseType1Encoding_Forms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, clear string
		want        map[int]string // names expected
		ok          bool
		only        bool // the other codes have no name
	}{
		{"array filled by dup put", "/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 15 /bullet put\ndup 0 /minus put\nreadonly def\n",
			map[int]string{15: "bullet", 0: "minus"}, true, true},
		{"standard encoding", "/Encoding StandardEncoding def", map[int]string{0: "", 32: "space", 39: "quoteright", 65: "A", 0xe1: "AE"}, true, false},
		{"literal array", "/Encoding [/a /b\n/c] def", map[int]string{0: "a", 1: "b", 2: "c"}, true, true},
		{"entries after def are not the encoding's", "/Encoding 256 array dup 1 /a put readonly def dup 2 /b put", map[int]string{1: "a"}, true, true},
		{"codes out of range", "/Encoding 256 array dup 256 /a put dup -1 /b put dup 255 /c put def", map[int]string{255: "c"}, true, true},
		{"comments and strings skipped", "/Notice (an /Encoding (nested\\)) here) def\n% /Encoding StandardEncoding def\n/Encoding 256 array dup 7 /x put def",
			map[int]string{7: "x"}, true, true},
		{"a longer name is not the key", "/EncodingVector StandardEncoding def", nil, false, false},
		{"no encoding", "/FontName /CMR10 def", nil, false, false},
		{"truncated", "/Encoding 256 array dup 9 /a", nil, true, true},
		{"empty", "", nil, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			names, ok := parseType1Encoding([]byte(tc.clear))
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			for c, n := range names {
				if want, listed := tc.want[c]; (listed || tc.only) && n != want {
					t.Errorf("code %d = %q, want %q", c, n, want)
				}
			}
		})
	}
}

func TestGlyphText_Names(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want string }{
		{"bullet", "•"},
		{"openbullet", "◦"},
		{"diamondmath", "⋄"},       // a TeX name the Adobe Glyph List lacks
		{"dotlessj", "ȷ"},          // the list's value is private use
		{"quoteright", "’"},        // StandardEncoding
		{"arrowdblright", "⇒"},     // Symbol
		{"uni2022", "•"},           // uniXXXX
		{"uni00410042", "AB"},      // uniXXXX, two of them
		{"u1D400", "𝐀"},            // uXXXX to uXXXXXX
		{"f_f_i", "ffi"},           // a ligature of components
		{"bullet.alt", "•"},        // a suffix after a period
		{"uni2022.sc", "•"},        // both
		{"uni20ac", ""},            // hex digits must be upper case
		{"uniD800", ""},            // a surrogate
		{"u110000", ""},            // past the last code point
		{"uni202", ""},             // too short
		{"f_nosuchglyph", ""},      // one unknown component
		{"nosuchglyph", ""},        // unknown
		{".notdef", ""},            // none
		{"", ""},                   // none
		{"parenleftbigg", ""},      // a TeX size variant without a value
		{"radicalBig", ""},         // another
		{"circlecopyrt", "\u20dd"}, // combining enclosing circle
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := glyphText(tc.name); got != tc.want {
				t.Errorf("glyphText(%q) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

// FuzzParseType1Encoding feeds mutated cleartext to the encoding parser:
// it must return, with names that are PostScript name characters only.
func FuzzParseType1Encoding(f *testing.F) {
	f.Add([]byte(type1Clear))
	f.Add([]byte("/Encoding StandardEncoding def"))
	f.Add([]byte("/Encoding [/a /b /c] def"))
	f.Add([]byte("/Notice (a \\) (b) c) /Encoding 256 array % c\ndup 1 /x put readonly def"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxType1Clear {
			return
		}
		names, ok := parseType1Encoding(b)
		if !ok {
			return
		}
		for c, n := range names {
			if strings.ContainsFunc(n, func(r rune) bool { return r < 256 && isPSDelim(byte(r)) }) {
				t.Fatalf("code %d name %q has a delimiter", c, n)
			}
			if s := glyphText(n); !utf8.ValidString(s) {
				t.Fatalf("glyphText(%q) = %q is not UTF-8", n, s)
			}
		}
	})
}
