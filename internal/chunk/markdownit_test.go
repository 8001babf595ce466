package chunk

// The Markdown loader's text held to markdown-it's (npm markdown-it 14,
// pinned in scripts/markdownit, npm ci by scripts/install-tools.sh) on
// Markdown files nobody here wrote: those of the Go modules go.mod
// requires, read from the module cache. This is docs/BENCHMARKS.md's
// round forty-six made permanent.

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/vendor0919/api/internal/testproc"
)

const markdownitDir = "../../scripts/markdownit"

// Corpus bounds: a file larger than corpusMaxBytes is left out, at most
// corpusMaxFiles are compared, and fewer than corpusMinFiles fails the
// test (the module cache was not filled).
const (
	corpusMaxBytes = 300 << 10
	corpusMaxFiles = 150
	corpusMinFiles = 50
)

// Thresholds, measured on 2026-12-07 at 8592a20 on 129 files (every
// Markdown file of go.mod's 38 direct requirements) with markdown-it
// 14.3.3. A rise means the loader shows less, or more, than a reader
// sees: the test's log names the files and words.
const (
	// Lines of our text that keep a link, an image or an HTML tag that
	// markdown-it renders away. Measured: 0 lines (round forty-six's
	// loader, ae82d07: 62 lines in 6 files).
	maxMarkupLines = 0
	// Words markdown-it shows that our text lacks or runs together.
	// Measured: 0 words (ae82d07: 30 in 2 files).
	maxMissingWords = 20
	// Words our text has that markdown-it does not show. Measured: 0
	// words, on 2026-12-07 with b30bb14's child, which cuts a table
	// row's cells past its header's as GFM and markdown-it drop them
	// (b30bb14: 18 words in 2 files, all such cells: swaggo/swag's
	// README.md 5, README_pt.md 13; ae82d07: 268 in 8 files).
	maxExtraWords = 0
	// Headings markdown-it shows that are none of ours (not the title,
	// not in a heading path, not a line of the text). Measured: 0.
	maxMissingHeadings = 0
)

// markdownitFile is one file of render.mjs's report.
type markdownitFile struct {
	Path     string   `json:"path"`
	Text     string   `json:"text"`
	Headings []string `json:"headings"`
	Error    string   `json:"error"`
}

// corpusFile is one Markdown file of a required module.
type corpusFile struct {
	name string // module@version/path, for messages
	path string // absolute
}

// TestMarkdownit_PublicFiles compares, file by file, chunk.Parse's
// section text with what markdown-it shows of the file (render.mjs), and
// fails when a measure passes its threshold above:
//   - lines of our text that keep a link, an image or an HTML tag as
//     written where markdown-it shows none (keptMarkup);
//   - words markdown-it shows that our text lacks, and words our text has
//     that markdown-it does not show, as multisets (words);
//   - headings markdown-it shows that are none of ours (missingHeadings).
//
// Like with like: both sides drop front matter, comments and link
// reference definitions. Headings are apart from the text on both
// sides: render.mjs lists them apart from the body, as Parse keeps
// them in Title and heading paths, not in Section.Text; a heading with
// nothing under it is a line of our text (carried to its sibling's
// section, or a section of its own), so a line of ours that is one of
// markdown-it's headings is not counted as extra. Our text keeps code as
// written, a fenced block's fences and info string too, and render.mjs
// writes those back; it shows an ordered list item's number, as a
// browser does and our text keeps it.
func TestMarkdownit_PublicFiles(t *testing.T) {
	t.Parallel()
	node := markdownitTools(t)
	files := markdownCorpus(t)
	rendered := renderMarkdownit(t, node, files)

	var results []markdownitResult
	for i, f := range files {
		r := rendered[i]
		if r.Path != f.path {
			t.Fatalf("render.mjs answered %s for %s", r.Path, f.path)
		}
		if r.Error != "" {
			t.Errorf("%s: markdown-it: %s", f.name, r.Error)
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Parse(filepath.Base(f.path), b)
		if errors.Is(err, ErrNotText) {
			t.Logf("%s: left out: %v", f.name, err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		results = append(results, compareMarkdownit(f.name, doc, r))
	}
	if len(results) < corpusMinFiles {
		t.Fatalf("compared %d files, want at least %d", len(results), corpusMinFiles)
	}

	var markup, missing, extra, headings, missingFiles, extraFiles int
	for _, r := range results {
		for _, l := range r.markup {
			t.Logf("%s: keeps markup: %q", r.name, l)
		}
		for _, h := range r.headings {
			t.Logf("%s: heading none of ours: %q", r.name, h)
		}
		m, e := total(r.missing), total(r.extra)
		markup, missing, extra, headings = markup+len(r.markup), missing+m, extra+e, headings+len(r.headings)
		if m > 0 {
			missingFiles++
		}
		if e > 0 {
			extraFiles++
		}
	}
	t.Logf("%d files compared: %d lines keep markup; %d words missing in %d files, %d extra in %d files; %d headings none of ours",
		len(results), markup, missing, missingFiles, extra, extraFiles, headings)
	worst := func(what string, of func(markdownitResult) map[string]int) {
		rs := slices.Clone(results)
		slices.SortStableFunc(rs, func(a, b markdownitResult) int { return cmp.Compare(total(of(b)), total(of(a))) })
		for _, r := range rs[:min(8, len(rs))] {
			if n := total(of(r)); n > 0 {
				t.Logf("%s %d: %s: %s", what, n, r.name, sample(of(r), 12))
			}
		}
	}
	worst("missing", func(r markdownitResult) map[string]int { return r.missing })
	worst("extra", func(r markdownitResult) map[string]int { return r.extra })

	if markup > maxMarkupLines {
		t.Errorf("%d lines keep a link, image or tag markdown-it renders away, want at most %d", markup, maxMarkupLines)
	}
	if missing > maxMissingWords {
		t.Errorf("%d words markdown-it shows are missing from the text, want at most %d", missing, maxMissingWords)
	}
	if extra > maxExtraWords {
		t.Errorf("%d words in the text markdown-it does not show, want at most %d", extra, maxExtraWords)
	}
	if headings > maxMissingHeadings {
		t.Errorf("%d headings markdown-it shows are none of ours, want at most %d", headings, maxMissingHeadings)
	}
}

// markdownitResult is one file's comparison.
type markdownitResult struct {
	name           string
	markup         []string       // our lines that keep markup (keptMarkup)
	missing, extra map[string]int // words markdown-it shows that ours lacks, and the reverse
	headings       []string       // markdown-it's headings that are none of ours
}

// compareMarkdownit compares doc, the loader's reading of the file name,
// with r, markdown-it's.
func compareMarkdownit(name string, doc Document, r markdownitFile) markdownitResult {
	// A heading with nothing under it is text of ours: its section's
	// whole text when nothing follows it, else a line before its next
	// sibling's text (in no heading path then). Those lines are set aside
	// from the extra words, and only they: a table of contents' line
	// that repeats a heading counts.
	headed := map[string]bool{wordKey(doc.Title): true}
	var alone []string // headings that are their section's text
	texts := make([]string, 0, len(doc.Sections))
	for _, s := range doc.Sections {
		for _, h := range s.Path {
			headed[wordKey(h)] = true
		}
		if s.Heading != "" && s.Text == s.Heading {
			alone = append(alone, s.Heading)
		}
		texts = append(texts, s.Text)
	}
	var unheaded []string // markdown-it's headings in none of our paths
	for _, h := range r.Headings {
		if !headed[wordKey(h)] {
			unheaded = append(unheaded, h)
		}
	}
	ours := strings.Join(texts, "\n\n")
	return markdownitResult{
		name:     name,
		markup:   keptMarkup(ours, r.Text),
		missing:  wordsMinus(words(r.Text), words(ours)),
		extra:    wordsMinus(words(withoutLines(ours, append(unheaded, alone...))), words(r.Text)),
		headings: missingHeadings(doc, unheaded),
	}
}

// withoutLines returns text without the lines that are, word for word,
// one of lines (each of lines takes away one line of text at most).
func withoutLines(text string, lines []string) string {
	n := map[string]int{}
	for _, l := range lines {
		n[wordKey(l)]++
	}
	var b strings.Builder
	for l := range strings.SplitSeq(text, "\n") {
		if k := wordKey(l); k != "" && n[k] > 0 {
			n[k]--
			continue
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// missingHeadings returns those of headings (markdown-it's, none in
// doc's title or heading paths) that are not a line of doc's text
// either: headings whose words the loader lost.
func missingHeadings(doc Document, headings []string) []string {
	lines := map[string]bool{}
	for _, s := range doc.Sections {
		for l := range strings.SplitSeq(s.Text, "\n") {
			lines[wordKey(l)] = true
		}
	}
	var out []string
	for _, h := range headings {
		if k := wordKey(h); k != "" && !lines[k] {
			out = append(out, h)
		}
	}
	return out
}

// markdownitTools returns node, or skips (fails with
// VENDOR0919_REQUIRE_TOOLS=1) when node or scripts/markdownit's packages
// are missing.
func markdownitTools(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short skips tests that run node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		testproc.Missing(t, "node not found: %v", err)
	}
	for _, pkg := range []string{"markdown-it", "entities"} {
		if _, err := os.Stat(filepath.Join(markdownitDir, "node_modules", pkg, "package.json")); err != nil {
			testproc.Missing(t, "%s not installed in scripts/markdownit: %v", pkg, err)
		}
	}
	return node
}

// markdownCorpus returns the Markdown files (.md, .markdown) of the
// modules go.mod requires directly, sorted by module and path: each
// module's whole tree but testdata, vendor, node_modules and folders
// named with a leading "." or "_" (which Go ignores too), files up to
// corpusMaxBytes, the first corpusMaxFiles of them. A module not in the
// cache is downloaded; one that cannot be is logged and left out.
func markdownCorpus(t *testing.T) []corpusFile {
	t.Helper()
	type module struct {
		Path, Version, Dir string
		Main, Indirect     bool
	}
	out, err := goCommand("list", "-m", "-json", "all")
	if err != nil {
		t.Fatal(err)
	}
	var mods []module
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var m module
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -m: %v", err)
		}
		if !m.Main && !m.Indirect {
			mods = append(mods, m)
		}
	}
	slices.SortFunc(mods, func(a, b module) int { return cmp.Compare(a.Path, b.Path) })
	var files []corpusFile
	for _, m := range mods {
		if m.Dir == "" {
			out, err := goCommand("mod", "download", "-json", m.Path+"@"+m.Version)
			var dl module
			if err == nil {
				err = json.Unmarshal(out, &dl)
			}
			if err != nil || dl.Dir == "" {
				t.Logf("%s@%s left out: not in the module cache, and not downloaded: %v", m.Path, m.Version, err)
				continue
			}
			m.Dir = dl.Dir
		}
		var in []corpusFile
		err := filepath.WalkDir(m.Dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if p != m.Dir && (name == "testdata" || name == "vendor" || name == "node_modules" ||
					strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := strings.ToLower(filepath.Ext(name)); ext != ".md" && ext != ".markdown" || !d.Type().IsRegular() {
				return nil
			}
			if fi, err := d.Info(); err != nil || fi.Size() > corpusMaxBytes {
				return err
			}
			rel, err := filepath.Rel(m.Dir, p)
			if err != nil {
				return err
			}
			in = append(in, corpusFile{name: m.Path + "@" + m.Version + "/" + filepath.ToSlash(rel), path: p})
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", m.Dir, err)
		}
		slices.SortFunc(in, func(a, b corpusFile) int { return cmp.Compare(a.name, b.name) })
		files = append(files, in...)
	}
	return files[:min(len(files), corpusMaxFiles)]
}

// goCommand runs the go command (go test puts its own first on PATH) in
// the module's root and returns its stdout.
func goCommand(args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// renderMarkdownit runs render.mjs once over all files and returns its
// report, one element per file in their order.
func renderMarkdownit(t *testing.T, node string, files []corpusFile) []markdownitFile {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var in strings.Builder
	for _, f := range files {
		in.WriteString(f.path + "\n")
	}
	cmd := exec.CommandContext(ctx, node, "render.mjs")
	cmd.Dir = markdownitDir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "NO_COLOR=1"}
	cmd.Stdin = strings.NewReader(in.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node render.mjs: %v\n%s", err, stderr.String())
	}
	var r []markdownitFile
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("render.mjs's report: %v", err)
	}
	if len(r) != len(files) {
		t.Fatalf("render.mjs answered %d files of %d", len(r), len(files))
	}
	return r
}

// markup matches what a reader never sees as written: a link or an image
// ("[text](target)", "![alt](src)") and an HTML open or close tag
// (markdown-it's own pattern, CommonMark 6.6).
var markup = regexp.MustCompile(`!?\[[^\[\]\n]*\]\([^()\s]*(?:\s+"[^"\n]*")?\)` +
	`|</?[A-Za-z][A-Za-z0-9-]*(?:\s+[a-zA-Z_:][a-zA-Z0-9:._-]*(?:\s*=\s*(?:[^"'=<>` + "`" + `\x00-\x20]+|'[^']*'|"[^"]*"))?)*\s*/?>`)

// keptMarkup returns the lines of ours that hold markup markdown-it
// does not show in shown: each piece markdown-it shows as written (in
// code, or escaped) excuses one piece of ours.
func keptMarkup(ours, shown string) []string {
	count := map[string]int{}
	for _, m := range markup.FindAllString(shown, -1) {
		count[m]++
	}
	var lines []string
	for line := range strings.SplitSeq(ours, "\n") {
		kept := false
		for _, m := range markup.FindAllString(line, -1) {
			if count[m] > 0 {
				count[m]--
			} else {
				kept = true
			}
		}
		if kept {
			lines = append(lines, line)
		}
	}
	return lines
}

// words returns the multiset of s's words (wordList).
func words(s string) map[string]int {
	w := map[string]int{}
	for _, f := range wordList(s) {
		w[f]++
	}
	return w
}

// wordList returns s's words: runs of letters, marks and digits,
// lower-cased, which any other character separates, except the
// characters of inline markup our text keeps as written and markdown-it
// does not show (code spans' backticks, emphasis, strikethrough,
// escapes): those are dropped, on both sides, so that "`Codec`s" is
// "Codecs" as markdown-it's "<code>Codec</code>s" is.
func wordList(s string) []string {
	return strings.FieldsFunc(inlineMarks.Replace(strings.ToLower(s)), func(r rune) bool { return !isWordRune(r) })
}

// wordKey returns s's words joined by spaces.
func wordKey(s string) string { return strings.Join(wordList(s), " ") }

var inlineMarks = strings.NewReplacer("`", "", "*", "", "_", "", "~", "", `\`, "")

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// wordsMinus returns the multiset a minus b.
func wordsMinus(a, b map[string]int) map[string]int {
	d := map[string]int{}
	for w, n := range a {
		if n > b[w] {
			d[w] = n - b[w]
		}
	}
	return d
}

func total(m map[string]int) int {
	n := 0
	for _, c := range m {
		n += c
	}
	return n
}

// sample lists up to n of m's words, most frequent first, for a log line.
func sample(m map[string]int, n int) string {
	ws := make([]string, 0, len(m))
	for w := range m {
		ws = append(ws, w)
	}
	slices.SortFunc(ws, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	var b strings.Builder
	for i, w := range ws[:min(n, len(ws))] {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s×%d", w, m[w])
	}
	return b.String()
}

// TestMarkdownit_Measures checks compareMarkdownit on small cases, without
// node: what each measure counts and what it sets aside.
func TestMarkdownit_Measures(t *testing.T) {
	t.Parallel()
	sec := func(heading, text string) Section {
		s := Section{Heading: heading, Text: text}
		if heading != "" {
			s.Path = []string{heading}
		}
		return s
	}
	tests := []struct {
		name     string
		ours     []Section
		shown    markdownitFile
		markup   int
		missing  string // the missing words, wordKey-sorted
		extra    string
		headings int
	}{
		{name: "link kept", ours: []Section{sec("", "see [docs](https://x.io) now")},
			shown: markdownitFile{Text: "see docs now"}, markup: 1, extra: "https io x"},
		{name: "image kept", ours: []Section{sec("", "![logo](logo.png) Go")},
			shown: markdownitFile{Text: "logo Go"}, markup: 1, extra: "logo png"},
		{name: "tag kept", ours: []Section{sec("", "a <b class=\"x\">bold</b> word")},
			shown: markdownitFile{Text: "a bold word"}, markup: 1, extra: "b b class x"},
		{name: "markup shown in code", ours: []Section{sec("", "`[a](b)` and `<div>`")},
			shown: markdownitFile{Text: "[a](b) and <div>"}},
		{name: "placeholder is no tag", ours: []Section{sec("", "<PATH TO FILE (optional)>")},
			shown: markdownitFile{Text: "<PATH TO FILE (optional)>"}},
		{name: "inline marks as written", ours: []Section{sec("", "`Codec`s, *em* and \\*x\\*")},
			shown: markdownitFile{Text: "Codecs, em and *x*"}},
		{name: "words run together", ours: []Section{sec("", "mapstringstring")},
			shown: markdownitFile{Text: "map[string][]string"}, missing: "map string string", extra: "mapstringstring"},
		{name: "carried heading set aside", ours: []Section{sec("Post", "get(url)\n\nSends it.")},
			shown: markdownitFile{Text: "Sends it.", Headings: []string{"get(url)", "Post"}}},
		{name: "heading alone set aside", ours: []Section{sec("A", "x"), sec("End", "End")},
			shown: markdownitFile{Text: "x", Headings: []string{"A", "End"}}},
		{name: "table of contents counted", ours: []Section{sec("", "- Intro"), sec("Intro", "x")},
			shown: markdownitFile{Text: "x", Headings: []string{"Intro"}}, extra: "intro"},
		{name: "heading lost", ours: []Section{sec("", "x")},
			shown: markdownitFile{Text: "x", Headings: []string{"Usage"}}, headings: 1},
	}
	keys := func(m map[string]int) string {
		var ws []string
		for w, n := range m {
			for range n {
				ws = append(ws, w)
			}
		}
		slices.Sort(ws)
		return strings.Join(ws, " ")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := compareMarkdownit(tt.name, Document{Sections: tt.ours}, tt.shown)
			if len(r.markup) != tt.markup {
				t.Errorf("markup lines %q, want %d", r.markup, tt.markup)
			}
			if got := keys(r.missing); got != tt.missing {
				t.Errorf("missing %q, want %q", got, tt.missing)
			}
			if got := keys(r.extra); got != tt.extra {
				t.Errorf("extra %q, want %q", got, tt.extra)
			}
			if len(r.headings) != tt.headings {
				t.Errorf("headings %q, want %d", r.headings, tt.headings)
			}
		})
	}
}
