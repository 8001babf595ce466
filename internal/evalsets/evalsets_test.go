package evalsets

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/vendor0919/api/internal/chunk"
)

// question mirrors one entry of questions.json; decoding is strict so a
// misspelt key is an error rather than a silently missing label.
type question struct {
	ID        string   `json:"id"`
	Lang      string   `json:"lang"`
	Question  string   `json:"question"`
	Documents []string `json:"documents"`
	Sections  []string `json:"sections"`
}

// setNames returns the question sets: the folders here that hold a
// questions.json, found as the Weaviate comparison finds them (a glob).
// Adding a folder adds a set to every test below; TestSets_MatchCorpora
// keeps scripts/eval_corpora.sh in step.
func setNames(t *testing.T) []string {
	t.Helper()
	found, err := filepath.Glob("*/questions.json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range found {
		names = append(names, filepath.Dir(f))
	}
	if len(names) == 0 {
		t.Fatal("no question sets found")
	}
	return names
}

// setLangs names the sets not written in English.
var setLangs = map[string]string{"manja": "ja", "jadeb": "ja"}

// minQuestions is what issue 10 asks of each set.
const minQuestions = 40

func loadSet(t *testing.T, name string) []question {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(name, "questions.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var qs []question
	if err := dec.Decode(&qs); err != nil {
		t.Fatalf("%s/questions.json: %v", name, err)
	}
	if dec.More() {
		t.Fatalf("%s/questions.json: trailing data after the array", name)
	}
	return qs
}

// checkSet returns every problem found in a set's questions, so that one
// run reports them all.
func checkSet(qs []question, lang string) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	if len(qs) < minQuestions {
		bad("%d questions, want at least %d", len(qs), minQuestions)
	}
	ids := map[string]bool{}
	texts := map[string]string{}
	for i, q := range qs {
		if q.ID == "" {
			bad("question %d has no id", i)
		}
		if ids[q.ID] {
			bad("%s: duplicate id", q.ID)
		}
		ids[q.ID] = true
		if q.Lang != lang {
			bad("%s: lang %q, want %q", q.ID, q.Lang, lang)
		}
		text := strings.TrimSpace(q.Question)
		if text == "" {
			bad("%s: empty question", q.ID)
		}
		if other, ok := texts[text]; ok {
			bad("%s: same question as %s", q.ID, other)
		}
		texts[text] = q.ID
		if len(q.Documents) == 0 {
			bad("%s: no documents", q.ID)
		}
		if len(q.Sections) == 0 {
			bad("%s: no sections", q.ID)
		}
		seen := map[string]bool{}
		for _, s := range q.Sections {
			// A label is file#id, or the bare file for the text before
			// the page's first anchor, which has no id to link to (the
			// JDK's class description under its id-less <h1>).
			doc, anchor, ok := strings.Cut(s, "#")
			if doc == "" || ok && anchor == "" {
				bad("%s: section %q is not file#id or file", q.ID, s)
				continue
			}
			if seen[s] {
				bad("%s: section %q listed twice", q.ID, s)
			}
			seen[s] = true
			if !contains(q.Documents, doc) {
				bad("%s: section %q is in a file missing from documents %v", q.ID, s, q.Documents)
			}
		}
	}
	return errs
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestQuestions_WellFormed(t *testing.T) {
	for _, name := range setNames(t) {
		t.Run(name, func(t *testing.T) {
			for _, e := range checkSet(loadSet(t, name), cmp.Or(setLangs[name], "en")) {
				t.Error(e)
			}
		})
	}
}

// TestSets_MatchCorpora checks that every set has a corpus in
// scripts/eval_corpora.sh and every corpus there has a set: scripts/eval.sh
// runs what that script prints.
func TestSets_MatchCorpora(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "scripts", "eval_corpora.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^corpora=\(([^)]*)\)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("scripts/eval_corpora.sh has no corpora=(...) line")
	}
	corpora := strings.Fields(string(m[1]))
	slices.Sort(corpora)
	if sets := setNames(t); !slices.Equal(sets, corpora) {
		t.Errorf("question sets %v, corpora in scripts/eval_corpora.sh %v", sets, corpora)
	}
}

// TestCheckSet_FindsProblems keeps the checks above honest: each broken
// set must be reported.
func TestCheckSet_FindsProblems(t *testing.T) {
	good := func(id string) question {
		return question{ID: id, Lang: "en", Question: "q " + id, Documents: []string{"a.html"}, Sections: []string{"a.html#x"}}
	}
	full := make([]question, minQuestions)
	for i := range full {
		full[i] = good(fmt.Sprintf("q%02d", i))
	}
	if errs := checkSet(full, "en"); len(errs) != 0 {
		t.Fatalf("a valid set reported %v", errs)
	}
	tests := []struct {
		name string
		edit func(qs []question) []question
		want string
	}{
		{"too few", func(qs []question) []question { return qs[:minQuestions-1] }, "want at least"},
		{"duplicate id", func(qs []question) []question { qs[1].ID = qs[0].ID; return qs }, "duplicate id"},
		{"wrong lang", func(qs []question) []question { qs[0].Lang = "ja"; return qs }, "lang"},
		{"same text", func(qs []question) []question { qs[1].Question = qs[0].Question; return qs }, "same question"},
		{"no sections", func(qs []question) []question { qs[0].Sections = nil; return qs }, "no sections"},
		{"empty anchor", func(qs []question) []question { qs[0].Sections = []string{"a.html#"}; return qs }, "not file#id"},
		{"no file", func(qs []question) []question { qs[0].Sections = []string{"#x"}; return qs }, "not file#id"},
		{"section outside documents", func(qs []question) []question { qs[0].Sections = []string{"b.html#x"}; return qs }, "missing from documents"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			qs := tc.edit(append([]question(nil), full...))
			errs := checkSet(qs, "en")
			if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
				t.Errorf("errors %q, want one containing %q", errs, tc.want)
			}
		})
	}
}

// corpusDir is where scripts/eval_corpora.sh puts a corpus: under the user
// cache directory, which on Linux is $XDG_CACHE_HOME or ~/.cache as in the
// script.
func corpusDir(t *testing.T, name string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Skipf("no cache directory: %v", err)
	}
	dir := filepath.Join(cache, "vendor0919", "eval", name)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		t.Skipf("corpus %s not materialised; run scripts/eval_corpora.sh", dir)
	}
	return dir
}

// parsedIDs returns the fragments of a Markdown or PDF document's
// sections as the chunker gives them, as both its fragment targets and
// its section ids: a Markdown section's anchor (GitHub's heading slug,
// or an attribute block's id), a PDF page's "page=N" (its pages with
// text). Neither has anchors but these.
func parsedIDs(name string, b []byte) (map[string]string, map[string]bool, error) {
	doc, err := chunk.Parse(name, b)
	if err != nil {
		return nil, nil, err
	}
	ids, sections := map[string]string{}, map[string]bool{}
	for _, s := range doc.Sections {
		id := s.Anchor
		if s.Page > 0 {
			id = "page=" + strconv.Itoa(s.Page)
		}
		if id != "" {
			ids[id], sections[id] = "section", true
		}
	}
	return ids, sections, nil
}

// htmlIDs maps every fragment target in an HTML document to the name of
// the element that carries it: each id attribute, and the name of an <a>
// (the Lua manual's only anchors, <a name="2.8">).
func htmlIDs(b []byte) (map[string]string, error) {
	doc, err := chunk.ParseHTML(b)
	if err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if a.Namespace == "" && (a.Key == "id" || a.Key == "name" && n.Data == "a") {
				ids[a.Val] = n.Data
			}
		}
	}
	return ids, nil
}

// sectionElements are the elements whose id names a section: Sphinx puts
// it on <section>, the man page corpus and SQLite's pages on the heading.
// An API entry's <dt> is one too (sectionIDs).
var sectionElements = map[string]bool{"section": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// headingElements are h1-h6 and SQLite's hidden <h _id> heading, which
// the chunker takes as a section too (pragma.html's pragmas).
var headingElements = map[string]bool{"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "h": true}

// sectionIDs returns the ids in an HTML document that name a section:
// those on a sectionElements element, on an element that holds a heading
// as a direct child (texinfo's <div class="section" id="Pipelines">), on
// an empty element right before a heading (texinfo's
// <span id="Pipelines-1"></span><h4>; for an <a>, its name counts as its
// id: SQLite's pragma page's <a name="toc"></a><h2>), and the id or name
// of the first anchor inside a heading that has none of its own
// (Node.js's <h4>...<a class="mark" id="fsreadfilepath-options-callback">,
// the Lua manual's <h2>2.8 - <a name="2.8">), and an API entry's term
// (a <dt> with an id or a target opening it), as the chunker takes them.
func sectionIDs(b []byte) (map[string]bool, error) {
	doc, err := chunk.ParseHTML(b)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "dt" {
			// An API entry: the chunker cites every term with an id, or
			// with a target that opens it (Graphviz's <DT><A NAME=d:pos>),
			// under that id, wherever it stands; any target in it will
			// do here.
			if a := cmp.Or(attrValue(n, "id"), innerAnchor(n)); a != "" {
				ids[a] = true
			}
		}
		if n.Type == html.ElementNode && headingElements[n.Data] && attrValue(n, "id") == "" {
			if a := innerAnchor(n); a != "" {
				ids[a] = true
			} else if a := innerID(n); a != "" {
				// MediaWiki's <h3><span class="mw-headline" id="Details">.
				ids[a] = true
			}
			// The chunker cites a heading by the target of its permalink
			// (Sphinx's a.headerlink) before any other anchor: Django puts
			// three empty spans before each heading, the permalink's
			// target the middle one.
			if a := permalink(n); a != "" {
				ids[a] = true
			}
		}
		if n.Type == html.ElementNode && n.Data == "p" {
			// A paragraph that is only an anchored bold phrase is a
			// heading to the chunker (the JDK's <p><a id="dnint"><b>).
			if a := boldTitleAnchor(n); a != "" {
				ids[a] = true
			}
		}
		id := attrValue(n, "id")
		if n.Type == html.ElementNode && n.Data == "a" && id == "" {
			id = attrValue(n, "name")
		}
		if n.Type != html.ElementNode || id == "" {
			continue
		}
		switch {
		case n.Data == "a" && insidePre(n):
			// A plain-text manual in one <pre> (Vim's help) marks its
			// topics with link targets, which the chunker makes
			// sections when the pre is long enough (chunk's
			// plainManual); any here will do.
			ids[id] = true
		case sectionElements[n.Data]:
			ids[id] = true
		case blankElement(n) && headingElements[markerNext(n).Data]:
			ids[id] = true
		case titledByBlock(n):
			// An element led by a block whose class names it a heading
			// (RDoc's <div id="method-i-author" class="method-detail">
			// <div class="method-heading">).
			ids[id] = true
		case n.FirstChild == nil && n.Parent != nil && n.Parent.Data == "dd" && nextElement(n).Data == "" &&
			nextElement(n.Parent).Data == "dt":
			// texi2any leaves the target of the next term at the end of
			// the description before it (ffmpeg's
			// <span id="stdin-option"></span></dd><dt>-stdin).
			ids[id] = true
		default:
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && headingElements[c.Data] {
					ids[id] = true
					break
				}
			}
		}
	}
	return ids, nil
}

// insidePre reports whether n is inside a pre element.
func insidePre(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == "pre" {
			return true
		}
	}
	return false
}

// titledByBlock reports whether n's first child element is a block that
// holds no heading element and either has a class ending in "heading" or,
// a div in a div, holds a permalink to n's id (Crystal's
// div.entry-detail, titled by its div.signature; not Sphinx's
// a.headerlink, which captions code and tables).
func titledByBlock(n *html.Node) bool {
	var first *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			first = c
			break
		}
	}
	if first == nil {
		return false
	}
	titled := slices.ContainsFunc(strings.Fields(attrValue(first, "class")), func(c string) bool {
		return strings.HasSuffix(strings.ToLower(c), "heading")
	})
	if !titled && n.Data == "div" && first.Data == "div" {
		id := attrValue(n, "id")
		for c := range first.Descendants() {
			frag, ok := strings.CutPrefix(attrValue(c, "href"), "#")
			if !ok || c.Data != "a" || slices.Contains(strings.Fields(attrValue(c, "class")), "headerlink") {
				continue
			}
			if u, err := url.PathUnescape(frag); err == nil && u == id {
				titled = true
			}
		}
	}
	if !titled {
		return false
	}
	for c := range first.Descendants() {
		if c.Type == html.ElementNode && headingElements[c.Data] {
			return false
		}
	}
	return true
}

// boldTitleAnchor returns the one link target of paragraph p when all its
// text is in one <b> or <strong> and it links nowhere, else "".
func boldTitleAnchor(p *html.Node) string {
	var targets []string
	bolds, loose := 0, false
	for c := range p.Descendants() {
		switch {
		case c.Type == html.TextNode:
			if strings.TrimSpace(c.Data) != "" && !insideBold(c, p) {
				loose = true
			}
		case c.Type != html.ElementNode:
		case c.Data == "b" || c.Data == "strong":
			bolds++
		case c.Data == "a" && attrValue(c, "href") != "":
			loose = true
		}
		if c.Type == html.ElementNode && c.Data == "a" {
			if id := cmp.Or(attrValue(c, "id"), attrValue(c, "name")); id != "" {
				targets = append(targets, id)
			}
		}
	}
	if id := attrValue(p, "id"); id != "" {
		targets = append(targets, id)
	}
	if loose || bolds != 1 || len(targets) != 1 {
		return ""
	}
	return targets[0]
}

// insideBold reports whether n has a <b> or <strong> ancestor below top.
func insideBold(n, top *html.Node) bool {
	for a := n.Parent; a != nil && a != top; a = a.Parent {
		if a.Type == html.ElementNode && (a.Data == "b" || a.Data == "strong") {
			return true
		}
	}
	return false
}

// innerAnchor returns the id, or else the name, of the first <a> inside
// h (a heading or a term) that has either; "" when there is none.
func innerAnchor(h *html.Node) string {
	for c := range h.Descendants() {
		if c.Type != html.ElementNode || c.Data != "a" {
			continue
		}
		if id := cmp.Or(attrValue(c, "id"), attrValue(c, "name")); id != "" {
			return id
		}
	}
	return ""
}

// innerID returns the id of the first element inside heading h that
// holds some of its words, or "".
func innerID(h *html.Node) string {
	for c := range h.Descendants() {
		if id := attrValue(c, "id"); c.Type == html.ElementNode && id != "" && !blankElement(c) {
			return id
		}
	}
	return ""
}

// permalink returns the fragment a.headerlink inside heading h links
// to, or "".
func permalink(h *html.Node) string {
	for c := range h.Descendants() {
		if c.Type != html.ElementNode || c.Data != "a" {
			continue
		}
		for _, class := range strings.Fields(attrValue(c, "class")) {
			if href := attrValue(c, "href"); class == "headerlink" && len(href) > 1 && href[0] == '#' {
				return href[1:]
			}
		}
	}
	return ""
}

func attrValue(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key && a.Namespace == "" {
			return a.Val
		}
	}
	return ""
}

// blankElement reports whether element n holds no text but white space
// (no-break spaces too: man2html's <A NAME="lbAB">&nbsp;</A>).
func blankElement(n *html.Node) bool {
	for c := range n.Descendants() {
		if c.Type == html.TextNode && strings.TrimFunc(c.Data, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}

// markerNext returns the element after empty element n, out of the
// paragraph n ends, as the chunker reads a heading's marker (man2html's
// and GAPDoc's <p><a name="X7B25..."></a></p><h3>).
func markerNext(n *html.Node) *html.Node {
	e := nextElement(n)
	if e.Data == "" && n.Parent != nil && n.Parent.Data == "p" {
		e = nextElement(n.Parent)
	}
	return e
}

// nextElement returns n's next sibling element, skipping text and comments,
// or an empty node when there is none.
func nextElement(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			return s
		}
	}
	return &html.Node{}
}

func TestSectionIDs(t *testing.T) {
	page := `<section id="basic-usage"><h2>Basic</h2><dt id="json.dumps">x</dt></section>` +
		`<h2 id="説明">説明</h2>` +
		`<div class="section" id="Pipelines"><div class="header"><p>Next</p></div>` +
		`<span id="Pipelines-1"></span> <h4>Pipelines</h4><span id="index-pipeline"></span><p>text</p></div>` +
		`<div id="wrapper"><p>no heading</p></div><span id="note"></span><p>not a heading</p>` +
		`<h4>fs.stat()<span><a class="mark" href="#fsstat" id="fsstat">#</a></span><a class="legacy" id="fs_fs_stat"></a></h4>` +
		`<h2>2.8 - <a name="2.8">Metatables</a></h2><p><a name="inline">not a heading</a></p>` +
		`<hr /><a name="toc"></a>` + "\n" + `<h2>List Of PRAGMAs</h2>` +
		`<a name="pragma_encoding"></a><h _id=pragma_encoding style="display:none">PRAGMA encoding</h><hr>` +
		`<dl><dt id="under-anchored">x</dt></dl><h1>Attribute Descriptions</h1><dl><dt><a name="d:pos">pos</a></dt>` +
		`<dt id="pin">pin</dt></dl><pre>*<a name="'tabstop'"></a>'tabstop'*</pre>` +
		`<p><a id="dnint"><b>Byte, Short</b></a></p><p><a id="cond"></a><strong>TestString</strong></p>` +
		`<p><a id="loose"><b>Bold</b></a> text</p><p><b><a id="linked" href="#x">x</a></b></p>` +
		`<dl><dt>-a</dt><dd><p>A.</p><span id="stdin-option"></span></dd><dt>-stdin</dt><dd>S.<span id="last"></span></dd></dl>` +
		`<span id="s-id1"></span><span id="evaluated"></span><span id="id1"></span><h2>Evaluated<a class="headerlink" href="#evaluated">¶</a></h2>` +
		`<div id="for(a)"><div class="signature">def for(a) <a href="#for%28a%29">#</a></div><p>d</p></div>` +
		`<div id="cap"><div><span>/etc/hosts</span><a class="headerlink" href="#cap">¶</a></div><pre>x</pre></div>` +
		`<p><a id="X7B25" name="X7B25"></a></p><h3>21 Lists</h3><P><A NAME="lbAB">&nbsp;</A><H2>NAME</H2><p><a name="ends">text</a></p><h2>T</h2>` +
		`<h3><span class="mw-headline" id="Details">Details</span></h3><h3><span id="empty"></span>Empty</h3>`
	ids, err := sectionIDs([]byte(page))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"basic-usage": true, "説明": true, "Pipelines": true, "Pipelines-1": true, "fsstat": true, "2.8": true, "toc": true, "pragma_encoding": true, "d:pos": true, "pin": true, "'tabstop'": true, "under-anchored": true, "json.dumps": true, "dnint": true, "cond": true, "stdin-option": true, "evaluated": true, "id1": true, "for(a)": true, "X7B25": true, "lbAB": true, "Details": true}
	if !maps.Equal(ids, want) {
		t.Errorf("section ids %v, want %v", ids, want)
	}
}

func TestHTMLIDs(t *testing.T) {
	ids, err := htmlIDs([]byte(`<h1>T</h1><section id="basic-usage"><dt id="json.dumps">x</dt></section><h2 id="説明">説明</h2>` +
		`<h2>2.8 - <a name="2.8">Metatables</a></h2><input name="q">`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"basic-usage": "section", "json.dumps": "dt", "説明": "h2", "2.8": "a"}
	if !maps.Equal(ids, want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
}

// TestLabels_ExistInCorpus checks every label against the materialised
// corpus: the file exists, the anchor is an id in it, each question has at
// least one label that is a whole section (so that it can be scored whether
// a chunk's anchor is its heading's id or an API entry's), and every corpus
// file is the answer to at least one question.
func TestLabels_ExistInCorpus(t *testing.T) {
	for _, name := range setNames(t) {
		t.Run(name, func(t *testing.T) {
			dir := corpusDir(t, name)
			qs := loadSet(t, name)
			idsByDoc := map[string]map[string]string{}
			sectionsByDoc := map[string]map[string]bool{}
			ids := func(doc string) map[string]string {
				if m, ok := idsByDoc[doc]; ok {
					return m
				}
				b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(doc)))
				if err != nil {
					t.Errorf("document %s: %v", doc, err)
					idsByDoc[doc] = nil
					return nil
				}
				if strings.HasSuffix(doc, ".md") || strings.HasSuffix(doc, ".pdf") {
					m, sections, err := parsedIDs(doc, b)
					if err != nil {
						t.Errorf("document %s: %v", doc, err)
					}
					idsByDoc[doc], sectionsByDoc[doc] = m, sections
					return m
				}
				m, err := htmlIDs(b)
				if err != nil {
					t.Errorf("document %s: %v", doc, err)
				}
				idsByDoc[doc] = m
				if sectionsByDoc[doc], err = sectionIDs(b); err != nil {
					t.Errorf("document %s: %v", doc, err)
				}
				return m
			}
			for _, q := range qs {
				for _, d := range q.Documents {
					ids(d)
				}
				hasSection := false
				for _, s := range q.Sections {
					doc, anchor, _ := strings.Cut(s, "#")
					m := ids(doc)
					if m == nil {
						hasSection = true // the missing file is reported already
						continue
					}
					if anchor == "" {
						hasSection = true // the page's top, a section of its own
						continue
					}
					if _, ok := m[anchor]; !ok {
						t.Errorf("%s: no id %q in %s", q.ID, anchor, doc)
					}
					hasSection = hasSection || sectionsByDoc[doc][anchor]
				}
				if !hasSection {
					t.Errorf("%s: no label is a section id, only finer ones: %v", q.ID, q.Sections)
				}
			}
			files, err := filepath.Glob(filepath.Join(dir, "*.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, ext := range []string{"*.md", "*.pdf"} {
				more, err := filepath.Glob(filepath.Join(dir, ext))
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, more...)
			}
			if len(files) == 0 {
				t.Fatalf("no HTML, Markdown or PDF files in %s", dir)
			}
			for _, f := range files {
				if _, ok := idsByDoc[filepath.Base(f)]; !ok {
					t.Errorf("corpus file %s answers no question", filepath.Base(f))
				}
			}
		})
	}
}
