package chunk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
)

// checkSpans verifies the Split invariants: spans cover text contiguously
// (each starts at or before the previous end), Text matches the offsets,
// no span exceeds size runes and every offset is a rune boundary.
func checkSpans(t *testing.T, text string, opts Options, spans []Span) {
	t.Helper()
	size, _ := opts.norm()
	starts := map[int]bool{len(text): true}
	for i := range text {
		starts[i] = true
	}
	if text == "" {
		if len(spans) != 0 {
			t.Fatalf("empty text gave %d spans", len(spans))
		}
		return
	}
	if len(spans) == 0 || spans[0].Start != 0 || spans[len(spans)-1].End != len(text) {
		t.Fatalf("spans do not cover the text: %+v", spans)
	}
	for i, sp := range spans {
		if sp.Text != text[sp.Start:sp.End] {
			t.Fatalf("span %d text mismatch", i)
		}
		if sp.End <= sp.Start {
			t.Fatalf("span %d empty or reversed: %d..%d", i, sp.Start, sp.End)
		}
		if n := utf8.RuneCountInString(sp.Text); n > size {
			t.Fatalf("span %d has %d runes > %d", i, n, size)
		}
		if !starts[sp.Start] || !starts[sp.End] {
			t.Fatalf("span %d cuts a rune: %d..%d", i, sp.Start, sp.End)
		}
		if i > 0 && (sp.Start > spans[i-1].End || sp.Start <= spans[i-1].Start) {
			t.Fatalf("span %d starts at %d, previous %d..%d", i, sp.Start, spans[i-1].Start, spans[i-1].End)
		}
	}
}

func TestSplit_Boundaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		text  string
		opts  Options
		first string // expected text of the first span
		count int
	}{
		{"short text is one span", "Hello world.", Options{Size: 100}, "Hello world.", 1},
		{"sentence end preferred", "One two three. Four five six seven.", Options{Size: 20, Overlap: -1}, "One two three. ", 2},
		{"paragraph break wins over sentence", "Alpha beta.\n\nGamma. Delta epsilon", Options{Size: 26, Overlap: -1}, "Alpha beta.\n\n", 2},
		{"japanese sentence end without space", "今日は晴れです。明日は雨が降るでしょう。", Options{Size: 12, Overlap: -1}, "今日は晴れです。", 2},
		{"hard cut without any break", "abcdefghij", Options{Size: 4, Overlap: -1}, "abcd", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Split(tc.text, tc.opts)
			checkSpans(t, tc.text, tc.opts, got)
			if got[0].Text != tc.first {
				t.Errorf("first span = %q, want %q", got[0].Text, tc.first)
			}
			if len(got) != tc.count {
				t.Errorf("got %d spans %+v, want %d", len(got), got, tc.count)
			}
		})
	}
}

func TestSplit_OverlapStartsAtSentence(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("The cat sat. ", 20)
	opts := Options{Size: 60, Overlap: 20}
	spans := Split(text, opts)
	checkSpans(t, text, opts, spans)
	for i, sp := range spans[1:] {
		if !strings.HasPrefix(sp.Text, "The cat") {
			t.Errorf("span %d starts mid-sentence: %q", i+1, sp.Text)
		}
		if sp.Start >= spans[i].End {
			t.Errorf("span %d does not overlap the previous one", i+1)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Hello world. This is a test!\n\nNew paragraph?", 10, 3)
	f.Add("返品は30日以内。交換は無料です！質問は？", 5, 2)
	f.Add("\xff\xfe broken utf8 \x80", 3, 1)
	f.Add("", 1, 0)
	f.Fuzz(func(t *testing.T, text string, size, overlap int) {
		opts := Options{Size: size%200 + 1, Overlap: overlap % 100}
		if opts.Size <= 0 {
			opts.Size = -opts.Size + 1
		}
		checkSpans(t, text, opts, Split(text, opts))
	})
}

func TestParse_Formats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		source   string
		content  string
		title    string
		sections []string // headings
		contains string   // text some section must contain
		absent   string   // text no section may contain
	}{
		{
			name: "markdown headings", source: "guide/setup.md",
			content:  "Intro line.\n# Setup Guide\nStep one.\n## Install\n```\n# not a heading\n```\nRun it.\n",
			title:    "Setup Guide",
			sections: []string{"", "Setup Guide", "Install"},
			contains: "# not a heading",
		},
		{
			name: "markdown front matter title", source: "a.md",
			content:  "---\ntitle: \"FM Title\"\n---\n# Heading\nBody.\n",
			title:    "FM Title",
			sections: []string{"Heading"},
			absent:   "title:",
		},
		{
			name: "plain text title from file name", source: "notes/faq.txt",
			content: "Just text.", title: "faq", sections: []string{""}, contains: "Just text.",
		},
		{
			name: "html visible text", source: "p.html",
			content:  `<html><head><title>Page T</title><style>.x{}</style></head><body><h1>Top</h1><p>Visible <b>bold</b></p><script>var hidden=1</script><h2>Sub</h2><p>More</p></body></html>`,
			title:    "Page T",
			sections: []string{"Top", "Sub"},
			contains: "Visible bold",
			absent:   "hidden",
		},
		{
			// TeX4ht writes "ﬁ" for "fi"; the fold reaches title and headings too.
			name: "html ligatures folded", source: "tex.html",
			content:  "<html><head><title>The \uFB01le guide</title></head><body><h2>Con\uFB01guration \uFB02ags</h2><p>E\uFB00ective o\uFB03ce wa\uFB04e \uFB05 \uFB06</p></body></html>",
			title:    "The file guide",
			sections: []string{"Configuration flags"},
			contains: "Effective office waffle st st",
			absent:   "\uFB01",
		},
		{
			name: "markdown ligatures folded", source: "m.md",
			content:  "# De\uFB01nitions\nA \uFB02ag.\n",
			title:    "Definitions",
			sections: []string{"Definitions"},
			contains: "A flag.",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(tc.source, []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.title {
				t.Errorf("title = %q, want %q", doc.Title, tc.title)
			}
			var heads []string
			all := ""
			for _, s := range doc.Sections {
				heads = append(heads, s.Heading)
				all += s.Text
			}
			if strings.Join(heads, "|") != strings.Join(tc.sections, "|") {
				t.Errorf("sections = %q, want %q", heads, tc.sections)
			}
			if tc.contains != "" && !strings.Contains(all, tc.contains) {
				t.Errorf("text %q lacks %q", all, tc.contains)
			}
			if tc.absent != "" && strings.Contains(all, tc.absent) {
				t.Errorf("text %q contains %q", all, tc.absent)
			}
		})
	}
}

func TestParse_Unsupported(t *testing.T) {
	t.Parallel()
	if _, err := Parse("x.docx", nil); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Parse(x.docx) error = %v, want ErrUnsupported", err)
	}
}

func TestChunks_IDsAndMetadata(t *testing.T) {
	t.Parallel()
	doc := Document{Source: "en/a.md", Title: "A", Sections: []Section{
		{Heading: "One", Text: "# One\nFirst sentence here. Second sentence here."},
		{Heading: "Two", Text: "   \n"},
		{Heading: "Three", Text: "# Three\nThird."},
	}}
	got := Chunks(doc, Options{Size: 20, Overlap: -1})
	if len(got) < 3 {
		t.Fatalf("got %d chunks", len(got))
	}
	ids := map[string]bool{}
	for i, c := range got {
		if c.ID != ID("en/a.md", i) || ids[c.ID] {
			t.Errorf("chunk %d id %q not stable/unique", i, c.ID)
		}
		ids[c.ID] = true
		if c.Metadata["chunk"] != i || c.Metadata["source"] != "en/a.md" || c.Metadata["title"] != "A" {
			t.Errorf("chunk %d metadata %v", i, c.Metadata)
		}
		if c.Metadata["section"] == "Two" {
			t.Errorf("whitespace-only section produced a chunk")
		}
	}
	if last := got[len(got)-1]; last.Metadata["section"] != "Three" {
		t.Errorf("last chunk section = %v", last.Metadata["section"])
	}
	again := Chunks(doc, Options{Size: 20, Overlap: -1})
	if again[0].ID != got[0].ID {
		t.Error("ids change between runs")
	}
}

func TestLoadDir_SortedSkipsHidden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"b.md": "# B\nb", "a/x.txt": "x", ".hidden/y.md": "# Y", "c.docx": "PK", "d.html": "<p>d</p>",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, failures, err := Loader{}.LoadDir(context.Background(), dir)
	if err != nil || len(failures) != 0 {
		t.Fatal(err, failures)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Source)
	}
	if want := "a/x.txt|b.md|d.html"; strings.Join(got, "|") != want {
		t.Errorf("sources = %q, want %q", got, want)
	}
}

func TestLoadDir_BrokenFileIsReportedNotFatal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{"good.md": "# Good\ntext", "broken.pdf": "%PDF-1.4 not really a pdf"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, failures, err := Loader{}.LoadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Source != "good.md" {
		t.Errorf("docs %+v, want good.md only", docs)
	}
	if len(failures) != 1 || failures[0].Path != "broken.pdf" || failures[0].Err == nil {
		t.Errorf("failures %+v, want broken.pdf with its error", failures)
	}
}

// TestParse_TextEncoding: Markdown and plain text are UTF-8 (a BOM
// dropped) or UTF-16 with a BOM; binary or other encodings are refused
// with where and how to convert, not indexed as noise.
func TestParse_TextEncoding(t *testing.T) {
	t.Parallel()
	utf16 := func(bigEndian bool, s string) []byte {
		b := []byte{0xFF, 0xFE}
		if bigEndian {
			b = []byte{0xFE, 0xFF}
		}
		for _, r := range s { // BMP only
			if bigEndian {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return b
	}
	random := make([]byte, 4096)
	for i := range random { // a fixed stream with NULs and invalid UTF-8
		random[i] = byte(i*131 + i*i*7)
	}
	tests := []struct {
		name, source string
		content      []byte
		want         string // the text of the first section; "" for an error
		wantErr      string
	}{
		{"utf-8", "a.txt", []byte("café"), "café", ""},
		{"utf-8 bom", "a.md", []byte("\xEF\xBB\xBFcafé"), "café", ""},
		{"utf-16le bom", "a.txt", utf16(false, "café 日本"), "café 日本", ""},
		{"utf-16be bom", "a.md", utf16(true, "café 日本"), "café 日本", ""},
		{"latin-1", "a.txt", []byte("caf\xE9"), "", "not UTF-8 text (byte 0xe9 at offset 3): convert it from its encoding, e.g. iconv -f cp1252 -t utf-8 (or -f shift_jis, -f euc-jp)"},
		{"utf-16 without bom", "a.txt", utf16(false, "café")[2:], "", "not UTF-8 text (a NUL byte at offset 1"},
		{"binary", "binary.md", random, "", "not UTF-8 text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse(tt.source, tt.content)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want ErrNotText saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(doc.Sections) == 0 || doc.Sections[0].Text != tt.want {
				t.Fatalf("doc %+v, err %v, want text %q", doc, err, tt.want)
			}
		})
	}
}

// TestLoadDir_NotTextIsReported: a binary .md and a Latin-1 .txt are
// failures named by path, as an unparsable PDF is; the rest loads.
func TestLoadDir_NotTextIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{"good.md": "# Good\ntext", "binary.md": "\x00\x01\x02\xFF", "latin1.txt": "na\xEFve"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, failures, err := Loader{}.LoadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Source != "good.md" {
		t.Errorf("docs %+v, want good.md only", docs)
	}
	if len(failures) != 2 {
		t.Fatalf("failures %+v, want binary.md and latin1.txt", failures)
	}
	for _, f := range failures {
		if (f.Path != "binary.md" && f.Path != "latin1.txt") || !errors.Is(f.Err, ErrNotText) {
			t.Errorf("failure %s: %v, want ErrNotText", f.Path, f.Err)
		}
	}
}

// TestLoadDir_OnlyRegularFilesInside: a FIFO, a link to a device and a
// link out of the input folder are reported and skipped without being
// read (the FIFO would block the build, /dev/zero would never end, the
// outside file would be published), a file over MaxFileBytes is skipped
// unread, and a link to a document inside the folder is read.
func TestLoadDir_OnlyRegularFilesInside(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "good.md"), "# Good\ntext")
	write(filepath.Join(outside, "secret.txt"), "do not publish")
	link := func(target, name string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	link("good.md", "alias.md")
	link(filepath.Join(outside, "secret.txt"), "secret.txt")
	link("/dev/zero", "zero.txt")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	big, err := os.Create(filepath.Join(dir, "big.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(MaxFileBytes + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	big.Close()

	docs, failures, err := Loader{}.LoadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.Source)
	}
	if strings.Join(got, " ") != "alias.md good.md" {
		t.Errorf("docs %v, want alias.md and good.md", got)
	}
	failed := map[string]bool{}
	for _, f := range failures {
		failed[f.Path] = f.Err != nil
	}
	for _, name := range []string{"big.txt", "pipe.md", "secret.txt", "zero.txt"} {
		if !failed[name] {
			t.Errorf("%s not reported as skipped: %+v", name, failures)
		}
	}
	if len(failures) != 4 {
		t.Errorf("failures %+v, want 4", failures)
	}
}

// TestLoadDir_RefusesAFile: a document given as the folder is a clear
// error, not a skipped "." of an unsupported type.
func TestLoadDir_RefusesAFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "a.md")
	if err := os.WriteFile(p, []byte("# A"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := (Loader{}).LoadDir(context.Background(), p); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Fatalf("LoadDir(a file): %v, want an error saying it is not a folder", err)
	}
}

// TestLoadDir_RefusesFileNamesNotUTF8: a name that is not UTF-8 would
// become a source and url JSON writes with U+FFFD, shared by every such
// file: it is reported and skipped.
func TestLoadDir_RefusesFileNamesNotUTF8(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a\xff.md", "a\xfe.md", "good.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("# T\ntext"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, failures, err := Loader{}.LoadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Source != "good.md" {
		t.Errorf("docs %v, want good.md only", docs)
	}
	if len(failures) != 2 || !strings.Contains(failures[0].Err.Error(), "not valid UTF-8") || !utf8.ValidString(failures[0].Path) {
		t.Errorf("failures %+v, want the two names reported, printable", failures)
	}
}

// TestLoadDir_LinksInsideTheFolder: links to documents inside the
// folder are read however they are written, absolute or climbing out and
// back in with "..", which os.Root alone refuses (a review).
func TestLoadDir_LinksInsideTheFolder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "docs")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "good.md"), []byte("# Good\ntext"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"abs.md": filepath.Join(dir, "sub", "good.md"),
		"rel.md": "../docs/sub/good.md",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	docs, failures, err := Loader{}.LoadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 3 || len(failures) != 0 {
		t.Errorf("%d documents, failures %+v; want all three read", len(docs), failures)
	}
}

// TestOpenRegular_EnforcesOnWhatIsOpened: the open itself refuses what
// readDocument's checks name, so a file swapped for a link, a FIFO or a
// device after the checks (a race no sequential test can stage) is
// still never read: a link or ".." out of the folder, a FIFO (without
// blocking), a device, a folder.
func TestOpenRegular_EnforcesOnWhatIsOpened(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "good.md"), []byte("# Good"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("do not publish"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"alias.md":   "good.md",
		"secret.txt": filepath.Join(outside, "secret.txt"),
		"up.txt":     "../" + filepath.Base(outside) + "/secret.txt",
		"zero.txt":   "/dev/zero",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.md"), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, tc := range []struct {
		rel string
		ok  bool
	}{
		{"good.md", true}, {"alias.md", true},
		{"secret.txt", false}, {"up.txt", false}, {"../" + filepath.Base(outside) + "/secret.txt", false},
		{"zero.txt", false}, {"pipe.md", false}, {"sub.md", false},
	} {
		f, err := openRegular(in, tc.rel)
		if f != nil {
			f.Close()
		}
		if (err == nil) != tc.ok {
			t.Errorf("openRegular(%q): err %v, want ok %v", tc.rel, err, tc.ok)
		}
	}
}

// TestParse_LigaturesInHeadingPath checks that the fold reaches the
// heading path every chunk is indexed and embedded with.
func TestParse_LigaturesInHeadingPath(t *testing.T) {
	t.Parallel()
	doc, err := Parse("g.html", []byte("<title>Guide</title><h2>Con\uFB01g</h2><h3 id=\"x\">\uFB02ags</h3><p>Text.</p>"))
	if err != nil {
		t.Fatal(err)
	}
	chunks := Chunks(doc, Options{})
	if len(chunks) != 1 {
		t.Fatalf("%d chunks, want 1", len(chunks))
	}
	if got, want := chunks[0].Metadata[docmodel.MetaHeadingPath], "Guide > Config > flags"; got != want {
		t.Errorf("heading path %q, want %q", got, want)
	}
}

// TestParse_LongHeadingsCapped feeds each way a title or heading enters a
// document a 100,000-rune one over 200 paragraphs: it was copied whole
// into every chunk's metadata and indexed text (gigabytes from a 1 MB
// page). The chunks must now carry a bounded title, section, anchor and
// heading path, and index at most a few times the text.
func TestParse_LongHeadingsCapped(t *testing.T) {
	t.Parallel()
	long := strings.TrimSpace(strings.Repeat("head ", 20_000))
	para := strings.TrimSpace(strings.Repeat("Body sentence number here. ", 30))
	mdBody := strings.Repeat(para+"\n\n", 200)
	htmlBody := strings.Repeat("<p>"+para+"</p>", 200)
	var pdfLines strings.Builder
	for range 40 {
		pdfLines.WriteString("(" + para + ") Tj 0 -14 Td\n")
	}
	tests := []struct {
		name, source, content string
		key                   string // the metadata that holds the long heading, cut
	}{
		{"markdown ATX heading", "a.md", "# T\n\n## " + long + "\n\n" + mdBody, "section"},
		{"markdown setext heading", "a.md", "# T\n\n" + long + "\n---\n\n" + mdBody, "section"},
		{"markdown front matter title", "a.md", "---\ntitle: " + long + "\n---\n\n## S\n\n" + mdBody, "title"},
		{"markdown first h1 title", "a.md", "# " + long + "\n\n## S\n\n" + mdBody, "title"},
		{"html heading", "a.html", "<main><h1>T</h1><h2 id=s>" + long + "</h2>" + htmlBody + "</main>", "section"},
		{"html title", "a.html", "<title>" + long + "</title><main><h2 id=s>S</h2>" + htmlBody + "</main>", "title"},
		{"html API entry", "a.html", "<main><h1>T</h1><dl><dt id=f>" + long + "</dt><dd>" + htmlBody + "</dd></dl></main>", "section"},
		{"pdf Info title", "a.pdf", string(minimalPDF(long, "BT /F1 12 Tf 72 760 Td\n"+pdfLines.String()+"ET")), "title"},
	}
	cut := long[:maxHeadingRunes-1] // the cut leaves no space at the end
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(tc.source, []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			chunks := Chunks(doc, Options{})
			if len(chunks) == 0 {
				t.Fatal("no chunks")
			}
			text, indexed := 0, 0
			for i, c := range chunks {
				for key, most := range map[string]int{"title": maxHeadingRunes, "section": maxHeadingRunes, "anchor": maxHeadingRunes, docmodel.MetaHeadingPath: DefaultSize} {
					if s, _ := c.Metadata[key].(string); utf8.RuneCountInString(s) > most {
						t.Fatalf("chunk %d %s has %d runes, want at most %d", i, key, utf8.RuneCountInString(s), most)
					}
				}
				n := utf8.RuneCountInString(c.IndexText())
				if n > DefaultSize*3/2+len(docmodel.IndexSeparator) {
					t.Fatalf("chunk %d indexes %d runes, over 1.5 times the chunk size", i, n)
				}
				if c.Metadata[tc.key] != cut {
					t.Fatalf("chunk %d %s %.40q..., want the heading's first %d runes", i, tc.key, c.Metadata[tc.key], len(cut))
				}
				text += utf8.RuneCountInString(c.Text)
				indexed += n
			}
			if indexed > 4*text {
				t.Errorf("%d chunks index %d runes for %d of text", len(chunks), indexed, text)
			}
		})
	}
}

// TestParse_LongAnchorsDropped checks that a section id too long to copy
// into every chunk of its section is dropped, the section linking to its
// page, while an id at the limit is kept whole (an id cut would lead
// nowhere).
func TestParse_LongAnchorsDropped(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("<p>"+strings.Repeat("Words in a sentence here. ", 30)+"</p>", 40)
	atLimit, over := strings.Repeat("k", maxAnchorBytes), strings.Repeat("z", maxAnchorBytes+1)
	huge := strings.Repeat("y", 1<<20)
	mdBody := strings.Repeat(strings.Repeat("Words in a sentence here. ", 30)+"\n\n", 40)
	tests := []struct {
		name, source, content string
		wantAnchor            string // of the long section's chunks
	}{
		{"heading id at the limit", "a.html", "<main><h1>T</h1><h2 id=" + atLimit + ">Long</h2>" + body + "</main>", atLimit},
		{"heading id over it", "a.html", "<main><h1>T</h1><h2 id=" + over + ">Long</h2>" + body + "</main>", ""},
		{"heading id of a megabyte", "a.html", "<main><h1>T</h1><h2 id=" + huge + ">Long</h2>" + body + "</main>", ""},
		{"a name of a megabyte", "a.html", "<main><h1>T</h1><h2><a name=" + huge + "></a>Long</h2>" + body + "</main>", ""},
		{"markdown id at the limit", "a.md", "# T\n\n## Long {#" + atLimit + "}\n\n" + mdBody, atLimit},
		{"markdown id over it", "a.md", "# T\n\n## Long {#" + over + "}\n\n" + mdBody, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(tc.source, []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			var long int
			for i, c := range Chunks(doc, Options{}) {
				if c.Metadata["section"] != "Long" {
					continue
				}
				long++
				anchor, _ := c.Metadata["anchor"].(string)
				wantURL := tc.source
				if tc.wantAnchor != "" {
					wantURL += "#" + tc.wantAnchor
				}
				if anchor != tc.wantAnchor || c.Metadata[docmodel.MetaURL] != wantURL {
					t.Fatalf("chunk %d: anchor of %d bytes, url of %d bytes; want %d and %d", i, len(anchor), len(c.Metadata[docmodel.MetaURL].(string)), len(tc.wantAnchor), len(wantURL))
				}
			}
			if long < 10 {
				t.Fatalf("%d chunks in the long section, want the body's ten or more", long)
			}
		})
	}
}

// TestChunks_HeadingPathCapped checks the cut in Chunks itself: a path
// longer than the chunk size is cut to it, whatever made the Document,
// and a path within it, such as a C++ signature under its class, is kept
// whole.
func TestChunks_HeadingPathCapped(t *testing.T) {
	t.Parallel()
	sig := "template <typename PointerToMemberFunction, typename Functor> QMetaObject::Connection QObject::connect(" +
		strings.Repeat("const QObject *sender, PointerToMemberFunction signal, ", 5) + "Qt::ConnectionType type = Qt::AutoConnection)"
	part := strings.Repeat("x", 300)
	body := strings.TrimSpace(strings.Repeat("Words in a sentence here. ", 200))
	tests := []struct {
		name     string
		path     []string
		size     int
		wantPath string
	}{
		{"signature kept", []string{"Member Function Documentation", sig}, 800, "QObject Class > Member Function Documentation > " + sig},
		{"path cut to the chunk size", []string{part, part, part}, 200, "QObject Class > " + part[:200-len("QObject Class > ")]},
		{"path cut at a small chunk size", []string{"Member Function Documentation", sig}, 100, TruncateRunes("QObject Class > Member Function Documentation > "+sig, 100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := Document{Source: "q.html", Title: "QObject Class", Sections: []Section{
				{Heading: tc.path[len(tc.path)-1], Path: tc.path, Anchor: "a", Text: body},
			}}
			chunks := Chunks(doc, Options{Size: tc.size, Overlap: 20})
			// At least half the chunk size is left for the text.
			if most := (utf8.RuneCountInString(body)/(tc.size/2) + 1) * 2; len(chunks) > most {
				t.Errorf("%d chunks, want at most %d", len(chunks), most)
			}
			for i, c := range chunks {
				if got := c.Metadata[docmodel.MetaHeadingPath]; got != tc.wantPath {
					t.Fatalf("chunk %d heading path %q, want %q", i, got, tc.wantPath)
				}
				if c.Metadata["section"] != tc.path[len(tc.path)-1] {
					t.Fatalf("chunk %d section %q, want the whole heading", i, c.Metadata["section"])
				}
			}
		})
	}
}
