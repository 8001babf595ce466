package chunk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

const pdfFixtures = "testdata/pdf"

// pdfWant is a fixture's expectation, written by scripts/pdf_fixtures.py.
type pdfWant struct {
	Title string     `json:"title"`
	Pages [][]string `json:"pages"` // paragraphs of each page
	Error string     `json:"error"` // set when the loader must refuse the file
}

// checkPDFFixtures parses every <case>.pdf in dir and compares it with
// <case>.json; it returns the case names.
func checkPDFFixtures(t *testing.T, dir string) []string {
	t.Helper()
	wants, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(wants) == 0 {
		t.Fatalf("no fixtures in %s (%v)", dir, err)
	}
	var names []string
	for _, wp := range wants {
		name := strings.TrimSuffix(filepath.Base(wp), ".json")
		names = append(names, name)
		t.Run(name, func(t *testing.T) {
			var want pdfWant
			b, err := os.ReadFile(wp)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			content, err := os.ReadFile(filepath.Join(dir, name+".pdf"))
			if err != nil {
				t.Fatal(err)
			}
			source := "docs/" + name + ".pdf"
			doc, err := Parse(source, content)
			if want.Error != "" {
				if err == nil || !strings.Contains(err.Error(), want.Error) || !strings.Contains(err.Error(), source) {
					t.Fatalf("error = %v, want one naming %s and containing %q", err, source, want.Error)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != want.Title {
				t.Errorf("title = %q, want %q", doc.Title, want.Title)
			}
			if len(doc.Sections) != len(want.Pages) {
				t.Fatalf("got %d sections, want %d pages: %+v", len(doc.Sections), len(want.Pages), doc.Sections)
			}
			for i, sec := range doc.Sections {
				if sec.Page != i+1 {
					t.Errorf("section %d page = %d, want %d", i, sec.Page, i+1)
				}
				if w := strings.Join(want.Pages[i], "\n\n"); sec.Text != w {
					t.Errorf("page %d text\n got %q\nwant %q", i+1, sec.Text, w)
				}
			}
		})
	}
	return names
}

func TestParsePDF_Fixtures(t *testing.T) {
	t.Parallel()
	names := checkPDFFixtures(t, pdfFixtures)
	// The fixture set must keep its English, Japanese and encrypted cases.
	for _, n := range []string{"guide_en", "store_ja", "owner_locked_en", "user_locked_en"} {
		if !strings.Contains(strings.Join(names, " "), n) {
			t.Errorf("fixture %s missing from %s", n, pdfFixtures)
		}
	}
}

// TestParsePDF_Regenerated runs scripts/pdf_fixtures.py with a Python that
// has ReportLab (VENDOR0919_PYTHON, default /usr/bin/python3), checks the
// loader against the fresh files and that the committed expectations match
// the script's. Without such a Python it skips, unless
// VENDOR0919_REQUIRE_TOOLS=1.
func TestParsePDF_Regenerated(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short skips regenerating the fixtures with ReportLab")
	}
	py := os.Getenv("VENDOR0919_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if out, err := exec.Command(py, "-c", "import reportlab").CombinedOutput(); err != nil {
		msg := py + " with reportlab not available (Debian: apt-get install python3-reportlab): " + strings.TrimSpace(string(out)) + " " + err.Error()
		if os.Getenv("VENDOR0919_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg + "; VENDOR0919_REQUIRE_TOOLS=1 forbids skipping")
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	if out, err := exec.Command(py, "../../scripts/pdf_fixtures.py", "--out", dir).CombinedOutput(); err != nil {
		t.Fatalf("pdf_fixtures.py: %v\n%s", err, out)
	}
	checkPDFFixtures(t, dir)
	fresh, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, p := range fresh {
		got, _ := os.ReadFile(p)
		committed, err := os.ReadFile(filepath.Join(pdfFixtures, filepath.Base(p)))
		if err != nil || !bytes.Equal(got, committed) {
			t.Errorf("%s differs from the committed fixture (%v); run make pdf-fixtures", filepath.Base(p), err)
		}
	}
}

func readPDFFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pdfFixtures, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePDF_Broken(t *testing.T) {
	t.Parallel()
	good := readPDFFixture(t, "guide_en.pdf")
	xref := bytes.LastIndex(good, []byte("startxref"))
	tests := []struct {
		name    string
		content []byte
	}{
		{"empty", nil},
		{"not a pdf", []byte("hello, world\n")},
		{"header only", []byte("%PDF-1.4\n%%EOF\n")},
		{"truncated half", good[:len(good)/2]},
		{"truncated before eof marker", good[:len(good)-8]},
		{"startxref past the end", append(append([]byte{}, good[:xref]...), "startxref\n999999\n%%EOF\n"...)},
		{"startxref at zero", append(append([]byte{}, good[:xref]...), "startxref\n0\n%%EOF\n"...)},
		{"user password", readPDFFixture(t, "user_locked_en.pdf")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("in/broken.pdf", tc.content)
			if err == nil || !strings.Contains(err.Error(), "in/broken.pdf") {
				t.Fatalf("error = %v, want one naming in/broken.pdf", err)
			}
		})
	}
}

func TestParsePDF_Limits(t *testing.T) {
	t.Parallel()
	good := readPDFFixture(t, "guide_en.pdf")
	// A trailer whose /Prev points back at its own xref section makes the
	// library read forever; the read budget must end it.
	loop := bytes.Replace(good, []byte("/Size 12\n>>"), []byte("/Size 12 /Prev 2218\n>>"), 1)
	if bytes.Equal(loop, good) || !bytes.Contains(good, []byte("startxref\n2218\n")) {
		t.Fatal("guide_en.pdf changed layout; update the /Prev loop case")
	}
	roomy := pdfLimits{ReadBytes: 1 << 30, Ops: 1e6, Nodes: 1e4, Text: 1 << 20}
	tests := []struct {
		name    string
		content []byte
		lim     pdfLimits
	}{
		{"prev loop", loop, pdfLimits{ReadBytes: 16 << 20, Ops: 1e6, Nodes: 1e4, Text: 1 << 20}},
		{"read budget", good, func() pdfLimits { l := roomy; l.ReadBytes = 4 << 10; return l }()},
		{"operator budget", good, func() pdfLimits { l := roomy; l.Ops = 5; return l }()},
		{"page tree budget", good, func() pdfLimits { l := roomy; l.Nodes = 2; return l }()},
		{"text budget", good, func() pdfLimits { l := roomy; l.Text = 20; return l }()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := parsePDFLimits(tc.content, tc.lim); !errors.Is(err, errPDFLimit) {
				t.Fatalf("error = %v, want errPDFLimit", err)
			}
		})
	}
	if _, err := parsePDFLimits(good, roomy); err != nil {
		t.Fatalf("roomy limits: %v", err)
	}
}

func TestChunks_PDFPageMetadata(t *testing.T) {
	t.Parallel()
	doc, err := Parse("en/guide.pdf", readPDFFixture(t, "guide_en.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	got := Chunks(doc, Options{Size: 60, Overlap: 20})
	seen := map[int]bool{}
	for i, c := range got {
		p, ok := c.Metadata["page"].(int)
		if !ok || p < 1 || p > len(doc.Sections) {
			t.Fatalf("chunk %d page metadata %v", i, c.Metadata["page"])
		}
		seen[p] = true
		if !strings.Contains(doc.Sections[p-1].Text, c.Text) {
			t.Errorf("chunk %d %q is not within page %d", i, c.Text, p)
		}
		if c.Metadata["title"] != "Scooter Maintenance Guide" || c.Metadata["source"] != "en/guide.pdf" {
			t.Errorf("chunk %d metadata %v", i, c.Metadata)
		}
	}
	if len(seen) != 3 {
		t.Errorf("chunks cover pages %v, want 1-3", seen)
	}
	md, err := Parse("a.md", []byte("# A\nText."))
	if err != nil {
		t.Fatal(err)
	}
	if c := Chunks(md, Options{}); len(c) != 1 || c[0].Metadata["page"] != nil {
		t.Errorf("markdown chunk metadata %v, want no page", c)
	}
}

func TestJoinPDFLines_Whitespace(t *testing.T) {
	t.Parallel()
	line := func(y, size float64, s string) *pdfLine {
		return &pdfLine{y: y, size: size, text: s}
	}
	tests := []struct {
		name  string
		lines []*pdfLine
		want  string
	}{
		{"wrapped lines get a space", []*pdfLine{line(700, 12, "one two"), line(686, 12, "three")}, "one two three"},
		{"hyphen before lowercase is joined", []*pdfLine{line(700, 12, "tempera-"), line(686, 12, "ture")}, "temperature"},
		{"hyphen before capital is kept", []*pdfLine{line(700, 12, "ISO-"), line(686, 12, "Latin")}, "ISO- Latin"},
		{"big gap is a paragraph", []*pdfLine{line(700, 12, "Title"), line(670, 12, "Body.")}, "Title\n\nBody."},
		{"rising baseline is a paragraph", []*pdfLine{line(100, 12, "Column one."), line(700, 12, "Column two.")}, "Column one.\n\nColumn two."},
		{"japanese lines join without space", []*pdfLine{line(700, 12, "営業時間は"), line(686, 12, "10時まで。")}, "営業時間は10時まで。"},
		{"blank lines dropped", []*pdfLine{line(700, 12, "a"), line(693, 12, "  "), line(686, 12, "b")}, "a b"},
		// bashref.pdf's contents (pdfTeX's leader dot reads as a colon),
		// and dots without spaces; an ellipsis and "::" stay.
		{"dot leaders dropped", []*pdfLine{line(700, 12, "1 Introduction : : : : : : : : : : : 1"), line(686, 12, "1.1 What is Bash?: : : : : : : : 1")}, "1 Introduction 1 1.1 What is Bash? 1"},
		{"dots without spaces", []*pdfLine{line(700, 12, "Index.............. 42")}, "Index 42"},
		{"an ellipsis and a scope stay", []*pdfLine{line(700, 12, "Wait... std::vector::iterator . . . and on")}, "Wait... std::vector::iterator . . . and on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := joinPDFLines(tc.lines); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestJoinPDFLines_LinearAllocation joins pages of n and 2n lines: twice
// the lines may allocate at most 2.5 times the bytes. Each hyphen joined
// to the next line used to copy the page's text so far, so a page of
// 320,000 lines "ab-" (a 14.6 KB PDF) took 67 s. The test is not
// parallel, so that no other test's allocations are counted.
func TestJoinPDFLines_LinearAllocation(t *testing.T) {
	const n = 4000
	tests := []struct {
		name string
		text string  // of every line
		gap  float64 // between baselines, at 12 points
		want func(n int) string
	}{
		{"hyphens joined", "ab-", 10, func(n int) string { return strings.Repeat("ab", n) + "-" }},
		{"wrapped lines", "ab", 10, func(n int) string { return strings.TrimSpace(strings.Repeat("ab ", n)) }},
		{"paragraphs", "ab", 30, func(n int) string { return strings.Repeat("ab\n\n", n-1) + "ab" }},
	}
	page := func(text string, gap float64, n int) []*pdfLine {
		lines := make([]*pdfLine, n)
		for i := range lines {
			lines[i] = &pdfLine{y: -gap * float64(i), size: 12, text: text}
		}
		return lines
	}
	// allocated returns the fewest bytes of three joins of lines.
	allocated := func(lines []*pdfLine) uint64 {
		least := uint64(math.MaxUint64)
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_ = joinPDFLines(lines)
			runtime.ReadMemStats(&after)
			least = min(least, after.TotalAlloc-before.TotalAlloc)
		}
		return least
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			small, large := page(tc.text, tc.gap, n), page(tc.text, tc.gap, 2*n)
			if got := joinPDFLines(large); got != tc.want(2*n) {
				t.Fatalf("joined text %.40q..., want %.40q...", got, tc.want(2*n))
			}
			a, b := allocated(small), allocated(large)
			if float64(b) > 2.5*float64(a) {
				t.Errorf("%d lines allocate %d bytes, %d lines %d: %.1f times", n, a, 2*n, b, float64(b)/float64(a))
			}
		})
	}
}

// FuzzPDF feeds mutated fixtures to the loader under small work limits: it
// must return an error or pages of valid, non-empty UTF-8 in order, never
// panic or hang.
func FuzzPDF(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(pdfFixtures, "*.pdf"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)*3/4])
	}
	f.Add([]byte("%PDF-1.4\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"))
	// Type 1 fonts whose built-in encodings are read (pdftype1_test.go).
	const show = "BT /F1 10 Tf 1 0 0 1 100 700 Tm (AB)Tj ET"
	program := type1Clear + type1Secret
	f.Add(fontPDF("", type1Font(""), show, type1Program(program, len(type1Clear), "")))
	f.Add(fontPDF("", type1Font("/Encoding << /Differences [66 /A] >>"), show,
		type1Program(flate(program), len(type1Clear), "/Filter /FlateDecode")))
	// A font decoded by its ToUnicode map, which the library interprets
	// as it does page content.
	cmap := "begincmap 1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <41> <0042> endbfchar endcmap"
	f.Add(fontPDF("", "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 6 0 R >>", show,
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(cmap), cmap)))
	lim := pdfLimits{ReadBytes: 1 << 20, Ops: 200_000, Nodes: 10_000, Text: 1 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		doc, err := parsePDFLimits(b, lim)
		if err != nil {
			return
		}
		last := 1
		for _, s := range doc.Sections {
			// Pages in order; a page cut at its outline's headings
			// gives several sections.
			if s.Page < last || !utf8.ValidString(s.Text) || strings.TrimSpace(s.Text) == "" {
				t.Fatalf("bad section %+v after page %d", s, last)
			}
			last = s.Page
		}
		if !utf8.ValidString(doc.Title) {
			t.Fatalf("title %q is not UTF-8", doc.Title)
		}
		_ = Chunks(doc, Options{Size: 50})
	})
}

// minimalPDF returns a one-page PDF whose Info dictionary has title (ASCII
// letters and spaces) and whose page draws content with font F1
// (Helvetica).
func minimalPDF(title, content string) []byte {
	return fontPDF(title, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", content)
}

// evenFont is a Type1 font dictionary whose printable ASCII glyphs are all
// 0.5 em wide, so that test content can place text to the unit: at 10
// points each glyph is 5 units.
var evenFont = "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /FirstChar 32 /LastChar 126 /Widths [" +
	strings.Repeat("500 ", 95) + "] >>"

// fontPDF returns a one-page PDF whose page draws content with font F1
// given as a dictionary; its Info dictionary has title (ASCII letters and
// spaces), or there is none when title is empty. Objects 6 and on are
// extra, in order (a font's program, its ToUnicode map).
func fontPDF(title, font, content string, extra ...string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		font,
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	objs = append(objs, extra...)
	info := ""
	if title != "" {
		objs = append(objs, "<< /Title ("+title+") >>")
		info = fmt.Sprintf(" /Info %d 0 R", len(objs))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, info, xref)
	return b.Bytes()
}

// pageTextOf parses a one-page PDF drawn with evenFont and returns the
// text of its page.
func pageTextOf(t *testing.T, content string) string {
	t.Helper()
	doc, err := parsePDF(fontPDF("", evenFont, content))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sections) != 1 {
		t.Fatalf("got %d sections, want 1: %+v", len(doc.Sections), doc.Sections)
	}
	return doc.Sections[0].Text
}

// pageTextCase is a content stream and the text pageText reads from it.
type pageTextCase struct{ name, content, want string }

func runPageTextCases(t *testing.T, tests []pageTextCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := pageTextOf(t, tc.content); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPageText_TextState checks that glyphs advance by the text state's
// character spacing (Tc), word spacing (Tw, for the code 32 alone) and
// horizontal scaling (Tz), as Ghostscript and gropdf use them, so that
// the gap between two strings is measured where the first one really
// ends. In evenFont at 10 points a glyph is 5 units wide; a gap of 3
// units or more is a word space.
func TestPageText_TextState(t *testing.T) {
	t.Parallel()
	const at = "BT /F1 10 Tf 1 0 0 1 100 700 Tm "
	tests := []pageTextCase{
		// Ghostscript: "a f" is 45 units and 2 of word spacing per
		// space, so "airly" starts right where it ends.
		{"word spacing widens spaces", at + "2 Tw (It is a f)Tj 51 0 Td (airly)Tj ET", "It is a fairly"},
		{"word spacing is for code 32 only", at + "2 Tw (abc)Tj 15 0 Td (def)Tj ET", "abcdef"},
		// Ghostscript's "(,u)" with Tc 4: the spacing after the comma
		// is the word space of "PDF, using".
		{"wide character spacing is a word space", at + "(PDF)Tj 15 0 Td 4 Tc (,u)Tj 0 Tc 14 0 Td (sing)Tj ET", "PDF, using"},
		{"narrow character spacing is not", at + "1 Tc (ab)Tj 0 Tc 12 0 Td (cd)Tj ET", "abcd"},
		// The text ends at its last glyph, before the spacing after
		// it: Ghostscript's "(.A)" with Tc 5.8 and a word space after
		// the A.
		{"spacing after the last glyph is not text", at + "(set)Tj 15 0 Td 5.8 Tc (.A)Tj 0 Tc 19.3 0 Td (ne)Tj ET", "set. A ne"},
		// Ghostscript's "(eg a)" with Tw -4.5 for "negative".
		{"space narrowed by word spacing is none", at + "-4.5 Tw (ne g)Tj ET", "neg"},
		{"horizontal scaling", at + "50 Tz (abcd)Tj 14 0 Td (ef)Tj ET", "abcd ef"},
		{"horizontal scaling scales kerning", at + "25 Tz [(ab) -400 (cd)] TJ ET", "abcd"},
		{"horizontal scaling scales spacing", at + "25 Tz 4 Tc (abc)Tj ET", "abc"},
		// " sets Tw and Tc, then moves to the next line as ' does.
		{"double quote sets word and character spacing", at + "12 TL 2 0 (It is a f)\" 51 0 Td (airly)Tj ET", "It is a fairly"},
		{"q and Q save the text state", at + "q 4 Tc Q (ab)Tj ET", "ab"},
		{"Q restores spacing set before q", at + "4 Tc q 0 Tc Q (ab)Tj ET", "a b"},
	}
	runPageTextCases(t, tests)
}

// TestPageText_WordGap checks the gap read as a word space: TeX's word
// spaces, shrunk in a tight line to under 0.2 em, are spaces also at a
// font change; kerning is not.
func TestPageText_WordGap(t *testing.T) {
	t.Parallel()
	const at = "BT /F1 10 Tf 1 0 0 1 100 700 Tm "
	tests := []pageTextCase{
		{"shrunk word space at a move", at + "(see)Tj 16.8 0 Td (Section)Tj ET", "see Section"},
		{"shrunk word space in TJ", at + "[(The) -180 (prefix)] TJ ET", "The prefix"},
		{"kerning in TJ", at + "[(T) -100 (yping)] TJ ET", "Typing"},
		{"kerning at a move", at + "(ab)Tj 11 0 Td (cd)Tj ET", "abcd"},
	}
	runPageTextCases(t, tests)
}

// TestPageText_FakeBold checks that a glyph printed again over the one
// just shown, a hair's breadth away, is read once: gropdf's fake bold
// shows "(A)", moves 0.045 and shows "(AM)", and so on ("SAAMMPPLLEE").
func TestPageText_FakeBold(t *testing.T) {
	t.Parallel()
	const at = "BT /F1 10 Tf 1 0 0 1 100 700 Tm "
	tests := []pageTextCase{
		{"gropdf overprint", at + "(A)Tj 0.05 0 Td (AM)Tj 5 0 Td (MP)Tj 5 0 Td (PL)Tj 5 0 Td (L)Tj ET", "AMPL"},
		{"same spot, other glyph", at + "(A)Tj 0.05 0 Td (B)Tj ET", "AB"},
		{"double letter", at + "(A)Tj 5 0 Td (A)Tj ET", "AA"},
		{"double letter in a string", at + "(AA)Tj ET", "AA"},
		{"same glyph on another line", at + "(A)Tj 0 -12 Td (A)Tj ET", "A A"},
	}
	runPageTextCases(t, tests)
}

// TestParsePDF_TitleFirstLine checks that a PDF without an Info Title is
// named by its first line, not by the paragraph that line begins: the
// cover of bashref.pdf sets "Bash Reference Manual" over "Reference
// Documentation for Bash" close enough to join them.
func TestParsePDF_TitleFirstLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, title, content, want string
	}{
		{"title over subtitle", "", "BT /F1 20 Tf 1 0 0 1 100 700 Tm (Bash Reference Manual)Tj /F1 12 Tf 0 -22 Td (Reference Documentation)Tj ET", "Bash Reference Manual"},
		{"blank first line", "", "BT /F1 12 Tf 1 0 0 1 100 700 Tm ( )Tj 0 -14 Td (Manual)Tj 0 -14 Td (for Bash)Tj ET", "Manual"},
		{"info title wins", "Info Title", "BT /F1 12 Tf 1 0 0 1 100 700 Tm (Manual)Tj ET", "Info Title"},
		// maintain.pdf, copyright-release.pdf: a title wrapped over lines
		// of its own size, above smaller body text.
		{"a wrapped title", "", "BT /F1 20 Tf 1 0 0 1 100 700 Tm (Information for Maintainers of GNU)Tj 0 -24 Td (Software)Tj /F1 12 Tf 0 -40 Td (Body text of the manual starts here and runs on.)Tj 0 -14 Td (More of it.)Tj ET", "Information for Maintainers of GNU Software"},
		{"at most three lines of it", "", "BT /F1 20 Tf 1 0 0 1 100 700 Tm (One)Tj 0 -24 Td (Two)Tj 0 -24 Td (Three)Tj 0 -24 Td (Four)Tj /F1 12 Tf 0 -40 Td (Body text of the manual starts here and runs on for long.)Tj ET", "One Two Three"},
		{"body-sized first line alone", "", "BT /F1 12 Tf 1 0 0 1 100 700 Tm (Body text that opens the page)Tj 0 -14 Td (and goes on.)Tj ET", "Body text that opens the page"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := parsePDF(fontPDF(tc.title, evenFont, tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.want {
				t.Errorf("title = %q, want %q", doc.Title, tc.want)
			}
		})
	}
}

// accentFont is evenFont with widths for codes 32 to 255, so that its
// accents (PDFDocEncoding's ¨ at 0xA8, ´ at 0xB4, ¸ at 0xB8, ˆ at 0x1A,
// and the dotless i at 0x9A) are placed as exactly as its letters.
var accentFont = "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /FirstChar 24 /LastChar 255 /Widths [" +
	strings.Repeat("500 ", 232) + "] >>"

// TestPageText_Accents checks that an accent set over a letter as a glyph
// of its own is composed with it, as pdftotext does: pdfTeX shows
// "(Br\177)", moves back by the dieresis's width and shows "(oker)" for
// "Bröker" in gnuplot.pdf. An accent that stands alone, or next to a
// letter rather than over it, stays. At 10 points a glyph is 5 units
// wide; a TJ adjustment of 500 moves back by one.
func TestPageText_Accents(t *testing.T) {
	t.Parallel()
	const at = "BT /F1 10 Tf 1 0 0 1 100 700 Tm "
	tests := []struct{ name, font, content, want string }{
		{"accent then letter", accentFont, at + "[(Br\\250) 500 (oker)] TJ ET", "Bröker"},
		{"accent over a dotless i", accentFont, at + "[(Mikul) (\\264) 500 (\\232k)] TJ ET", "Mikulík"},
		{"letter then accent", accentFont, at + "[(Mo) 500 (\\250) (ller)] TJ ET", "Möller"},
		{"cedilla under a letter", accentFont, at + "[(gar) (c) 500 (\\270) (on)] TJ ET", "garçon"},
		{"two accents over one letter", accentFont, at + "[(Th) (\\032) 500 (e) 500 (\\264)] TJ ET", "Thế"},
		{"accent raised over a capital", accentFont, "BT /F1 10 Tf 1 0 0 1 100 702.5 Tm (\\264)Tj 1 0 0 1 100 700 Tm (Etude)Tj ET", "Étude"},
		{"accent in a rotated line", accentFont, "BT /F1 10 Tf 0 1 -1 0 100 700 Tm [(Br\\250) 500 (oker)] TJ ET", "Bröker"},
		{"accent alone", accentFont, at + "(a \\250 b)Tj ET", "a ¨ b"},
		{"accent next to a letter", accentFont, at + "[(^) (C) ( ~) (/.bashrc)] TJ ET", "^C ~/.bashrc"},
		{"accent in the string of the letter", accentFont, at + "(\\264e)Tj ET", "´e"},
		{"accent over a digit", accentFont, at + "[(\\250) 500 (1)] TJ ET", "¨1"},
		{"accent on the line above", accentFont, at + "(\\250)Tj 0 -12 Td (o)Tj ET", "¨ o"},
		// evenFont gives no width for code 0xA8: where it lies is a
		// guess.
		{"glyph of unknown width", evenFont, at + "[(Br\\250) 500 (oker)] TJ ET", "Br¨oker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := parsePDF(fontPDF("", tc.font, tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Sections) != 1 || doc.Sections[0].Text != tc.want {
				t.Errorf("got %+v, want one page %q", doc.Sections, tc.want)
			}
		})
	}
}

func TestComposeAccent_Letters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		letter rune
		accent string
		want   string
		ok     bool
	}{
		{'o', "¨", "ö", true},
		{'E', "´", "É", true},
		{'a', "`", "à", true},
		{'e', "ˆ", "ê", true},
		{'ê', "´", "ế", true},
		{'n', "˜", "ñ", true},
		{'c', "ˇ", "č", true},
		{'u', "˚", "ů", true},
		{'c', "¸", "ç", true},
		{'o', "˝", "ő", true},
		{'e', "\u0301", "é", true}, // a combining mark of a font
		{'ı', "´", "í", true},      // the dotless i under an accent is the i
		{'ȷ', "ˇ", "ǰ", true},
		{'ı', "¸", "ı\u0327", true}, // not under a cedilla
		{'q', "¨", "q\u0308", true}, // no such letter: the letter and the mark
		{'c', "\u20dd", "©", true},  // TeX's enclosing circle
		{'C', "\u20dd", "©", true},
		{'x', "\u20dd", "", false},
		{'1', "¨", "", false},
		{'=', "\u0338", "≠", true}, // TeX's \not over a relation
		{'<', "\u0338", "≮", true},
		{'∈', "\u0338", "∉", true},
		{'+', "\u0338", "", false}, // no negated plus
		{'=', "¨", "", false},
		{'-', "´", "", false},
		{'o', "x", "", false},
		{'o', "¨¨", "", false},
		{'o', "", "", false},
	}
	for _, tc := range tests {
		t.Run(string(tc.letter)+tc.accent, func(t *testing.T) {
			t.Parallel()
			got, ok := composeAccent(tc.letter, tc.accent)
			if got != tc.want || ok != tc.ok {
				t.Errorf("composeAccent(%q, %q) = %q, %v; want %q, %v", tc.letter, tc.accent, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestEndsInHexString checks the content streams on which the PDF
// library's lexer would loop for ever at the end (a hex string left open)
// and those it reads or rejects.
func TestEndsInHexString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		content string
		want    bool
	}{
		{"BT (a) Tj ET <41", true},
		{"BT (a) Tj ET <4", true},
		{"BT (a) Tj ET <K", true}, // a fuzzed outline.pdf: "(3)\x8fFO\xb5\xf2<K"
		{"BT (a) Tj ET <", true},
		{"BT <41> Tj ET", false},
		{"BT <4 1\n> Tj ET", false},
		{"BT (a<) Tj ET", false},
		{"BT (a\\) <) Tj ET", false},
		{"BT ((<)) Tj ET", false},
		{"% <41\nBT (a) Tj ET", false},
		{"<< /A 1 >> BT ET", false},
		{"BT <KK> Tj ET <41", false}, // the library's error comes first
		{"BT (unclosed <41", false},
	}
	for _, tc := range tests {
		t.Run(tc.content, func(t *testing.T) {
			t.Parallel()
			b := fontPDF("", evenFont, tc.content)
			r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if got := endsInHexString(r.Page(1).V.Key("Contents")); got != tc.want {
				t.Errorf("endsInHexString = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestParsePDF_OpenHexStringEnds checks that a page whose content ends in
// an open hex string is left out rather than read for ever; without the
// check this test runs until go test's timeout.
func TestParsePDF_OpenHexStringEnds(t *testing.T) {
	t.Parallel()
	doc, err := parsePDF(fontPDF("", evenFont, "BT /F1 10 Tf 1 0 0 1 100 700 Tm (Hello) Tj ET <4"))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sections) != 0 {
		t.Errorf("sections = %+v, want none", doc.Sections)
	}
}

// TestParsePDF_ToUnicodeOpenHexString checks that a font whose ToUnicode
// map ends in an open hex string is not decoded by it, which the PDF
// library would do for ever (without the check, until go test's timeout),
// while a well-formed map is, and a named encoding does not read the map.
func TestParsePDF_ToUnicodeOpenHexString(t *testing.T) {
	t.Parallel()
	const cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap " +
		"1 begincodespacerange <00> <FF> endcodespacerange "
	tests := []struct {
		name, encoding, cmap, want string
	}{
		{"well-formed map", "", cmap + "1 beginbfchar <01> <0041> endbfchar endcmap", "AA"},
		{"open hex string", "", cmap + "<41", ""},
		{"open hex string, not hex", "", cmap + "<K", ""},
		{"Identity-H, open hex string", "/Encoding /Identity-H", cmap + "<41", ""},
		{"named encoding, the map unread", "/Encoding /WinAnsiEncoding", cmap + "<41", "hi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			font := "<< /Type /Font /Subtype /Type1 /BaseFont /Courier " + tc.encoding + " /ToUnicode 6 0 R >>"
			show := "(\\001\\001)"
			if tc.encoding != "" && tc.want != "" {
				show = "(hi)"
			}
			extra := fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(tc.cmap), tc.cmap)
			doc, err := parsePDF(fontPDF("", font, "BT /F1 10 Tf 100 700 Td "+show+" Tj ET", extra))
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, s := range doc.Sections {
				got += s.Text
			}
			if strings.TrimSpace(got) != tc.want {
				t.Errorf("text %q, want %q", got, tc.want)
			}
		})
	}
}
