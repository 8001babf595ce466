package chunk

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestParsePDF_Outline reads a pdfTeX document whose bookmarks lead to
// named destinations (testdata/pdf/outline.tex): each page is cut at the
// headings its bookmarks name, found as printed ("1.1 Mounting on a
// wall", joined by the extractor with the sentence before it), under the
// bookmarks' paths; the page number above a first heading stays with it.
func TestParsePDF_Outline(t *testing.T) {
	t.Parallel()
	doc, err := Parse("manual.pdf", readPDFFixture(t, "outline.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Scooter Service Manual" {
		t.Errorf("title = %q", doc.Title)
	}
	checkPDFSections(t, doc, []pdfSection{
		{1, "Installing the charger", "1\n\n1 Installing the charger\n\nThe charger needs a grounded outlet of 230 volts."},
		{1, "Installing the charger > Mounting on a wall", "1.1 Mounting on a wall\n\nUse the four screws in the box and a level.\n\n1"},
		{2, "Installing the charger > Cable lengths", "2\n\n1.2 Cable lengths\n\nThe cable is two metres long; an extension voids the warranty.\n\n2"},
		{3, "Installing the charger > Cable lengths", "3\n\nCharging takes four hours from empty."},
		{3, "Everyday use", "2 Everyday use\n\nUnplug the charger when the light turns green.\n\n3"},
	})
	// The chunks link pages, and carry the bookmarks' path.
	chunks := Chunks(Document{Source: "manual.pdf", Title: doc.Title, Sections: doc.Sections}, Options{})
	if got := chunks[1].Metadata["heading_path"]; got != "Scooter Service Manual > Installing the charger > Mounting on a wall" {
		t.Errorf("heading_path = %v", got)
	}
	if got := chunks[1].Metadata["url"]; got != "manual.pdf#page=1" {
		t.Errorf("url = %v", got)
	}
}

func TestFindHeading(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, title string
		want              string // the text from where the heading starts to where its title ends; "" not found
		line              bool   // the title is a whole line (sizeOutline's)
	}{
		{"numbered, joined with its paragraph", "x\n\n2.1 Simple compilation First review the tools.", "Simple compilation", "2.1 Simple compilation", false},
		{"a line of its own", "Intro.\n\nFontpath\n\nSyntax: set fontpath", "Fontpath", "Fontpath", false},
		{"two words open a paragraph", "x\n\nHelp options The help is built.", "Help options", "Help options", false},
		{"one word opening a paragraph is no heading", "x\n\nInstallation of packages needs a compiler.", "Installation", "", false},
		{"a part and its roman number", "gnuplot 5.4 21\n\nPart I Gnuplot\n\nCopyright", "I Gnuplot", "Part I Gnuplot", false},
		{"numbered inside a line, after a sentence", "of 230 volts. 1.1 Mounting on a wall Use the screws.", "Mounting on a wall", "1.1 Mounting on a wall", false},
		{"inside a line without a number", "you can use Mounting on a wall with care.", "Mounting on a wall", "", false},
		{"a number inside a sentence", "set it to 2 Simple compilation steps", "Simple compilation", "", false},
		{"case folded", "x\n\n3 USING THE CHARGER\n\ntext", "Using the charger", "3 USING THE CHARGER", false},
		{"a title across a line break is not one line", "x\n\nSimple\ncompilation", "Simple compilation", "", false},
		{"a no-break space or an ideographic space between words", "x\n\n第1章\u3000はじめに\n\nChapter\u00a02 Use\n\ny", "第1章 はじめに", "第1章\u3000はじめに", false},
		{"a whole line, after a paragraph opening with its words", "Getting started is easy.\n\nGetting started\n\nRun it.", "Getting started", "Getting started", true},
		{"a whole line only", "Getting started is easy.", "Getting started", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			budget := maxHeadingSearch
			start, end := findHeading(tc.text, 0, tc.title, tc.line, &budget)
			got := ""
			if start >= 0 {
				got = tc.text[start:end]
			}
			if got != tc.want {
				t.Errorf("findHeading(%q, %q) = %q, want %q", tc.text, tc.title, got, tc.want)
			}
		})
	}
}

// TestFindHeading_Budget: a search is charged the bytes it reads, so one
// over long words is bounded as one over many; and a search the budget
// stops finds nothing rather than a title at what looks like the text's
// end, whatever the budget left.
func TestFindHeading_Budget(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 1<<20) + " b"
	budget := maxHeadingSearch
	if at, _ := findHeading(long, 0, "zzz", false, &budget); at != -1 {
		t.Errorf("found an absent title at %d", at)
	}
	if spent := maxHeadingSearch - budget; spent < 1<<20 {
		t.Errorf("a search over %d bytes spent %d of the budget", len(long), spent)
	}
	// A search from inside a line, a number its first word: no word
	// before it to end a sentence.
	budget = maxHeadingSearch
	if at, _ := findHeading("00000 0", 2, "0", false, &budget); at != -1 {
		t.Errorf("found a title after a number at %d with no sentence before it", at)
	}
	for _, tc := range []struct {
		text, title string
		line        bool
	}{
		{"Intro more words", "Intro", true},
		{"Intro\nmore words", "Intro", true},
		{"1.2 Getting started. Then more", "Getting started", false},
		{"x\n2 Getting started\nThen", "Getting started", false},
	} {
		unlimited := maxHeadingSearch
		wantAt, wantEnd := findHeading(tc.text, 0, tc.title, tc.line, &unlimited)
		for b := range 2 * len(tc.text) {
			budget := b
			at, end := findHeading(tc.text, 0, tc.title, tc.line, &budget)
			if (at != -1 || end != -1) && (at != wantAt || end != wantEnd) {
				t.Errorf("findHeading(%q, %q) with budget %d = %d, %d; want %d, %d or nothing", tc.text, tc.title, b, at, end, wantAt, wantEnd)
			}
		}
	}
}

func TestApplyOutline(t *testing.T) {
	t.Parallel()
	entry := func(page int, path ...string) outlineEntry { return outlineEntry{path: path, page: page} }
	secs := []Section{
		{Page: 1, Text: "Title page"},
		{Page: 3, Text: "1 Start\n\nAlpha. 1.1 Found Beta.\n\nGamma"},
		{Page: 4, Text: "Delta"},
	}
	entries := []outlineEntry{
		entry(2, "Front"),           // a page without text
		entry(3, "Start"),           // found at the top
		entry(3, "Start", "Found"),  // found inside a line
		entry(3, "Start", "Hidden"), // not found after a cut: waits for page 4
		entry(5, "Later"),           // past the last page with text
	}
	got := applyOutline(secs, entries)
	want := []struct {
		page       int
		path, text string
	}{
		{1, "", "Title page"},
		{3, "Start", "1 Start\n\nAlpha."},
		{3, "Start > Found", "1.1 Found\n\nBeta.\n\nGamma"},
		{4, "Start > Hidden", "Delta"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d sections, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Page != w.page || strings.Join(got[i].Path, " > ") != w.path || strings.TrimSpace(got[i].Text) != w.text {
			t.Errorf("section %d = %d %q %q; want %d %q %q", i, got[i].Page, got[i].Path, got[i].Text, w.page, w.path, w.text)
		}
	}
	// An unfound first bookmark of a page opens at its top.
	got = applyOutline([]Section{{Page: 1, Text: "no heading here"}}, []outlineEntry{entry(1, "Missing")})
	if len(got) != 1 || got[0].Heading != "Missing" {
		t.Errorf("unfound first bookmark: %+v", got)
	}
}

// TestApplyOutline_Bounded: thousands of bookmarks on one large page, none
// found, cost a bounded search. Counted in bytes allocated, which do not
// depend on the machine: each word read keeps its span (two ints), so the
// allocations follow the reading. Reading the page once per bookmark
// would allocate about 500 GB.
func TestApplyOutline_Bounded(t *testing.T) {
	page := strings.Repeat("word another sentence here. ", 200_000) // 5.6 MB
	var entries []outlineEntry
	for i := range maxOutlineEntries {
		entries = append(entries, outlineEntry{path: []string{"word another sentence " + strings.Repeat("x", i%7)}, page: 1})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := applyOutline([]Section{{Page: 1, Text: page}}, entries)
	runtime.ReadMemStats(&after)
	if len(got) == 0 {
		t.Fatal("no section")
	}
	// maxHeadingSearch bytes read, at 7 bytes a word here, in spans
	// that append at most doubles: about 200 MB.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6*maxHeadingSearch {
		t.Errorf("%d MB allocated", alloc>>20)
	}
}

// TestApplyOutline_ManyHeadings: a page of thousands of headings on lines
// of their own, as sizeOutline finds them in an index or a glossary, is
// cut at every one. Each search reads from the heading before, so the
// page is read about once; a search that read to the page's end each time
// ran out of maxHeadingSearch after a few hundred.
func TestApplyOutline_ManyHeadings(t *testing.T) {
	t.Parallel()
	const n = 4000
	var page strings.Builder
	var entries []outlineEntry
	body := strings.Repeat("some words of the entry's text, ", 6) + "the end."
	for i := range n {
		title := fmt.Sprintf("Entry %d", i)
		fmt.Fprintf(&page, "%s\n\n%s\n\n", title, body)
		entries = append(entries, outlineEntry{path: []string{title}, page: 1, order: i, line: true})
	}
	got := applyOutline([]Section{{Page: 1, Text: page.String()}}, entries)
	if len(got) != n {
		t.Fatalf("%d sections, want %d", len(got), n)
	}
	for i, s := range got {
		if want := fmt.Sprintf("Entry %d", i); s.Heading != want || !strings.HasPrefix(s.Text, want+"\n\n") {
			t.Fatalf("section %d = %q, %.30q; want heading %q", i, s.Heading, s.Text, want)
		}
	}
}

// TestApplyOutline_CutsBounded: setting a heading found inside a line
// apart rewrites the page's text, and those rewrites are charged to the
// search budget, so thousands of titles found inline on a large page
// copy a bounded amount, not the page once per title. Counted in bytes
// allocated, which do not depend on the machine.
func TestApplyOutline_CutsBounded(t *testing.T) {
	const titles = 2000
	var page strings.Builder
	page.WriteString("Intro.")
	var entries []outlineEntry
	for i := range titles {
		fmt.Fprintf(&page, " %d Part%d body text.", i+1, i)
		entries = append(entries, outlineEntry{path: []string{fmt.Sprintf("Part%d", i)}, page: 1, order: i})
	}
	page.WriteString(strings.Repeat(" filler words.", 600_000)) // 8.4 MB
	secs := []Section{{Page: 1, Text: page.String()}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got := applyOutline(secs, entries)
	runtime.ReadMemStats(&after)
	if len(got) < 2 {
		t.Fatalf("%d sections: no title found", len(got))
	}
	// maxHeadingSearch bytes of rewrites and a few pages' copies at
	// most; a rewrite per title would be 2,000 pages (34 GB).
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*maxHeadingSearch+8*uint64(page.Len()) {
		t.Errorf("%d sections, %d MB allocated", len(got), alloc>>20)
	}
}

// pdfSection is a section a PDF's reading must give: its page, heading
// path (" > " between headings) and text (spaces around trimmed).
type pdfSection struct {
	page       int
	path, text string
}

// checkPDFSections checks doc's sections against want, in order.
func checkPDFSections(t *testing.T, doc Document, want []pdfSection) {
	t.Helper()
	if len(doc.Sections) != len(want) {
		for _, s := range doc.Sections {
			t.Logf("%d %q %q", s.Page, s.Path, s.Text)
		}
		t.Fatalf("%d sections, want %d", len(doc.Sections), len(want))
	}
	for i, w := range want {
		s := doc.Sections[i]
		if s.Page != w.page || strings.Join(s.Path, " > ") != w.path || strings.TrimSpace(s.Text) != w.text {
			t.Errorf("section %d = page %d, %q, %q; want page %d, %q, %q", i, s.Page, strings.Join(s.Path, " > "), s.Text, w.page, w.path, w.text)
		}
	}
}
