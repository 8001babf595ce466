package chunk

import (
	"bytes"
	"cmp"
	"maps"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// parseHTML extracts the title and the visible text of an HTML page and
// splits it into sections at h1-h6 headings and at API entries (dt
// elements with an id, as Sphinx writes "json.dumps(obj, ...)"). Text
// comes from the page's main content (main, [role=main], article or
// Sphinx's div.body, in that order of preference) and skips navigation
// chrome; see skipElement.
//
// source is the page's path; links to it with a fragment count as links
// within the page (see linkList), and so do links to the name the page
// gives itself in most of its links to its sections (ownAlias).
func parseHTML(source string, b []byte) (Document, error) {
	root, err := ParseHTML(b)
	if err != nil {
		return Document{}, err
	}
	content := contentRoot(root)
	page := path.Base(filepath.ToSlash(source))
	title := titleText(root)
	p := &htmlParser{sigEnd: -1, preLine: -1, links: measureLinks(content, page, neighbours(root)), owners: headingOwners(content), looseBars: looseBars(content),
		levels: articleLevels(content), firstID: firstIDs(content), siteTitle: siteTitle(content, page), title: foldText(title)}
	if content.DataAtom == atom.Main || content.DataAtom == atom.Article || attr(content, "role") == "main" {
		p.inArticle = 1
	}
	p.walk(content)
	p.keepBodiless(1)
	p.flush()
	h1, inContent := firstH1(content, root, p.siteTitle)
	if h1 != "" && !inContent {
		// The one h1 stands outside the content: the site's name.
		p.doc.Title = siteNamedTitle(title, h1, firstHeading(content))
	} else {
		p.doc.Title = pageTitle(title, h1)
	}
	dropTitleHeading(&p.doc)
	return p.doc, nil
}

// ParseHTML parses a page into a node tree as the chunker reads it:
// decoded to UTF-8 (toUTF8) and, in an XHTML page, with self-closed
// elements closed (closeXHTMLEmpty). Tools that check labels against a
// page's ids use it so that they see the ids the chunker cites.
func ParseHTML(b []byte) (*html.Node, error) {
	return html.Parse(bytes.NewReader(closeXHTMLEmpty(toUTF8(b))))
}

// toUTF8 returns an HTML page's bytes as UTF-8. A page that already is
// valid UTF-8 is kept as it is, whatever it declares; any other is decoded
// from the encoding its BOM or <meta charset> names (Shift_JIS and EUC-JP
// for older Japanese pages), else from windows-1252, as browsers guess.
// Without this, the HTML parser would turn every non-ASCII byte of a
// Latin-1 page into U+FFFD.
func toUTF8(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	enc, _, _ := charset.DetermineEncoding(b, "text/html")
	if out, err := enc.NewDecoder().Bytes(b); err == nil {
		return out
	}
	return b
}

// heading is one open heading while a page is walked. Level is 1-6 for
// h1-h6 and 7 plus the nesting depth of description lists for API entries,
// so any h1-h6 closes them.
type heading struct {
	level  int
	text   string
	anchor string
	// short, if set, stands for the heading in heading paths: an API
	// entry's name without its parameters.
	short string
	// bold marks a block that stands as a heading (boldTitle,
	// titleBlock).
	bold bool
	// before is how many sections the page had when the heading opened:
	// more when it closes means it had text or subsections. skipped is
	// htmlParser.skipped then: more means it held something left out as
	// navigation or chrome ("See also" over a list of links, "Table of
	// Contents"), and is a label for that, not content.
	before, skipped int
}

type htmlParser struct {
	doc   Document
	stack []heading
	buf   strings.Builder
	// looseBars holds the nodes of page-turn bars with no element of
	// their own (looseBars), skipped as navBar's are.
	looseBars map[*html.Node]bool
	// containerID and inlineID are ids seen since the last visible text: a
	// heading that follows takes them as its anchor when it has none of
	// its own (Sphinx's <section id=...><h2>, an <a name=...> before it).
	containerID, inlineID string
	// inArticle counts open main/article elements: header and footer
	// inside one belong to the content, outside it they are page chrome.
	inArticle int
	dlDepth   int
	// admonition counts open admonition boxes (isAdmonition), whose
	// headings are not sections.
	admonition   int
	entries      int        // API entries seen, to tell whether a dl held any
	dl, inlineDL *html.Node // the innermost open dl; the one open when inlineID was set
	// sigEnd is the length of buf just after the open API entry's
	// signature, -1 when no entry is open or its text went on.
	sigEnd int
	pre    int // open pre elements, whose line breaks are kept
	// pending is a link target inside a plain-text manual's pre that
	// may open a section, until the line that decides it (preTopic).
	pending *preTopic
	// preLine is the length of buf where the line began whose title
	// opened the last such section at once, -1 if none: later targets on
	// that line are its aliases.
	preLine int
	// preManual is set inside a pre that is a plain-text manual
	// (plainManual), whose link targets open sections.
	preManual bool
	space     bool // the last text ended in whitespace
	// spaceBreak is set when that whitespace held a line break: none is
	// written between two East Asian wide characters (joinWords).
	spaceBreak bool
	// links holds each content element's linkStats (measureLinks).
	links map[*html.Node]linkStats
	// owners maps a heading to the id of the nearest element around it
	// whose first heading it is (headingOwners).
	owners map[*html.Node]string
	// levels maps a heading to the level it has inside its article
	// (articleLevels), when that is not its rank.
	levels map[*html.Node]int
	// firstID maps an id to the first element carrying it (firstIDs).
	firstID map[string]*html.Node
	// skipped counts the elements left out as not content (skipElement).
	skipped int
	// siteTitle is the h1 naming the documentation above the page's own
	// (siteTitle), or nil.
	siteTitle *html.Node
	// title is the page's <title>, folded (foldText), for telling the
	// page's own name at the end of a breadcrumb trail (currentCrumb).
	title string
	// inTOC counts open links to a section of the page (linkStats.inPage);
	// tocLinks counts such links and tocLetters the letters and digits
	// written inside them since the last flush, so that a section of
	// nothing else is known as a table of contents (flush).
	inTOC, tocLinks, tocLetters int
}

// flush ends the current section, keeping it if it has any text, and
// starts the next one under the headings now open.
func (p *htmlParser) flush() {
	text := tidy(p.buf.String())
	p.buf.Reset()
	p.space, p.spaceBreak = false, false
	p.sigEnd, p.pending, p.preLine = -1, nil, -1
	toc, links := p.tocLetters, p.tocLinks
	p.tocLetters, p.tocLinks = 0, 0
	if text == "" {
		return
	}
	if links >= tocMinLinks && toc == countLetters(text) && (len(p.stack) == 0 || p.stack[len(p.stack)-1].before == len(p.doc.Sections)) {
		// A section's whole text is links to sections of the page: a
		// table of contents whose lists other rules dropped, its loose
		// items left (HTMLDOC's "Chapter 1 - Introduction" bold links
		// between the dropped lists of each chapter's sections). Kept, it
		// matched every chapter's name. Only a section's first text is
		// read so: what follows a description list or a box in the same
		// section is the rest of its text. A "See also" of one or two
		// links to entries of the page (Apache's directives, a man page's
		// "dig(1), named(8).") says what is related, and stays.
		return
	}
	sec := Section{Text: text}
	for _, h := range p.stack {
		if h.short != "" {
			sec.Path = append(sec.Path, h.short)
		} else {
			sec.Path = append(sec.Path, h.text)
		}
		if h.anchor != "" {
			sec.Anchor = h.anchor
		}
	}
	if n := len(p.stack); n > 0 {
		sec.Heading = p.stack[n-1].text
	}
	p.doc.Sections = append(p.doc.Sections, sec)
}

// keepBodiless gives a heading that is closed before any text of its own
// (the next heading, at level, is no deeper) its title as its text, so
// the title is not lost: The Rust Reference lists "Behavior not
// considered unsafe" as headings without bodies (#deadlocks). A heading
// with text or subsections of its own (sections made since it opened) is
// in their heading paths and needs none; one over something left out
// (navigation) labels that; one without an anchor of its own would be
// cited as the section before it (Doxygen's "--- Section indicators ---"
// dividers); API entries (levels above 6) keep their own rules
// (signatureOnly).
func (p *htmlParser) keepBodiless(level int) {
	n := len(p.stack)
	if n == 0 || strings.TrimSpace(p.buf.String()) != "" {
		return
	}
	if top := p.stack[n-1]; top.level <= 6 && top.level >= level && top.text != "" && top.anchor != "" &&
		len(p.doc.Sections) == top.before && p.skipped == top.skipped {
		p.buf.WriteString(top.text)
	}
}

// tidy trims the text and its lines' ends and keeps at most one blank line
// in a row, which nested blocks would otherwise pile up.
func tidy(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	out := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// open closes the headings at level or deeper and opens h.
func (p *htmlParser) open(h heading) {
	p.keepBodiless(h.level)
	p.flush()
	for len(p.stack) > 0 && p.stack[len(p.stack)-1].level >= h.level {
		p.stack = p.stack[:len(p.stack)-1]
	}
	h.before, h.skipped = len(p.doc.Sections), p.skipped
	p.stack = append(p.stack, h)
	p.containerID, p.inlineID = "", ""
}

func (p *htmlParser) newline() {
	p.space, p.spaceBreak = false, false
	s := p.buf.String()
	if s != "" && !strings.HasSuffix(s, "\n") {
		p.buf.WriteByte('\n')
	}
}

func (p *htmlParser) text(t string) {
	if p.inTOC > 0 {
		p.tocLetters += countLetters(t)
	}
	if p.pre > 0 {
		if strings.TrimSpace(t) != "" {
			p.containerID, p.inlineID = "", ""
		}
		p.buf.WriteString(strings.ReplaceAll(t, "\r\n", "\n"))
		p.decidePre(false)
		return
	}
	// Whitespace separates words only where the source has some: a
	// browser shows "<a>RFC 7159</a>," without a space before the comma.
	words := strings.TrimLeftFunc(t, unicode.IsSpace)
	lead := len(words) < len(t)
	leadBreak := strings.ContainsAny(t[:len(t)-len(words)], "\r\n")
	if words == "" {
		p.space, p.spaceBreak = p.space || lead, p.spaceBreak || leadBreak
		return
	}
	p.containerID, p.inlineID = "", ""
	s := p.buf.String()
	if (lead || p.space) && s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, " ") {
		before, _ := utf8.DecodeLastRuneInString(s)
		after, _ := utf8.DecodeRuneInString(words)
		if !joinedBreak(leadBreak || p.spaceBreak, before, after) {
			p.buf.WriteByte(' ')
		}
	}
	p.buf.WriteString(joinWords(words))
	rest := strings.TrimRightFunc(words, unicode.IsSpace)
	p.space = len(rest) < len(words)
	p.spaceBreak = strings.ContainsAny(words[len(rest):], "\r\n")
}

// joinWords is the words of t joined by one space where t has
// whitespace, but by none where that whitespace holds a line break
// between two East Asian wide characters: Japanese and Chinese sources
// wrap lines inside sentences and words, and a browser joins such lines
// without a space (CSS Text 3, segment break transformation), which the
// keyword index needs to see whole words.
func joinWords(t string) string {
	var b strings.Builder
	b.Grow(len(t))
	space, brk := false, false
	prev := rune(-1)
	for _, r := range t {
		if unicode.IsSpace(r) {
			if prev >= 0 {
				space, brk = true, brk || r == '\n' || r == '\r'
			}
			continue
		}
		if space && !joinedBreak(brk, prev, r) {
			b.WriteByte(' ')
		}
		space, brk = false, false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// joinedBreak reports whether whitespace between before and after is
// dropped: it holds a line break (brk) and both are wide.
func joinedBreak(brk bool, before, after rune) bool {
	return brk && wideRune(before) && wideRune(after)
}

// wideRune reports whether r is an East Asian wide character whose
// line breaks are no spaces: Han, Hiragana, Katakana, CJK punctuation
// and full-width forms (Hangul is written with spaces).
func wideRune(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef) || r == 'ー'
}

func (p *htmlParser) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		if !p.looseBars[n] {
			p.text(strings.ReplaceAll(n.Data, "¶", ""))
		}
		return
	case html.ElementNode:
	default:
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			p.walk(c)
		}
		return
	}
	if id := searchHeading(n); id != "" {
		// Hidden, but a section heading all the same (searchHeading).
		p.open(heading{level: 6, text: headingText(n), anchor: cmp.Or(p.headingAnchor(n), id)})
		return
	}
	if p.tocTitle(n) {
		// The ids before the title name the table of contents
		// (texi2any's <div id="SEC_Contents"><h2>Table of Contents</h2>),
		// not the section after it.
		p.containerID, p.inlineID = "", ""
		p.skipped++
		return
	}
	if p.skipElement(n) || p.looseBars[n] {
		p.skipped++
		return
	}
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		if (p.admonition > 0 || p.inEntry()) && ownAnchor(n) == "" {
			// An admonition's title ("Note", "Warning") labels a box
			// inside the section, not a section: its text stays with the
			// section it is in, under that section's anchor. A heading
			// with an anchor of its own (MkDocs' "### Proxy settings"
			// inside a note) is one: links point at it. So does a
			// heading without one inside an API entry's description:
			// LDoc titles the parts of each function <h3>Returns:</h3>
			// and <h3>Usage:</h3>, which closed the entry and sent its
			// example to the group's url.
			p.newline()
			p.text(headingText(n))
			p.newline()
			return
		}
		level := int(n.Data[1] - '0')
		if l, ok := p.levels[n]; ok {
			level = l
		}
		p.open(heading{level: level, text: headingText(n), anchor: p.headingAnchor(n)})
		return
	case atom.Dt:
		// A term without an id of its own is an entry when an anchor
		// stands just before it in the same list, with no text in
		// between, as before a heading (SQLite's <a name="abs"></a><dt>
		// for each function). An anchor before the list names the list,
		// not its first term (PostgreSQL's indexterm, Valgrind's <a
		// name="mc.opts.list">).
		inline := ""
		if p.dl != nil && p.inlineDL == p.dl {
			inline = p.inlineID
		}
		if id := cmp.Or(attr(n, "id"), leadingAnchor(n), permalinkAnchor(n), p.namingAnchor(n), inline, anchorBeforeDescription(n)); id != "" {
			p.entries++
			// The signature opens the entry's text, where its parameter
			// names are searchable and shown; the heading path names the
			// entry alone, as a long path would crowd the text out of
			// embedders that read only their first tokens (use-lite: 128).
			text := headingText(n)
			short, _, _ := strings.Cut(text, "(")
			// Terms sharing one description (texinfo's @deffnx, pod2html's
			// items with an empty <dd> between them) are one entry: the
			// signatures so far join this one, which the description
			// follows, instead of each making a chunk of its signature
			// alone. The entry keeps the last term's id, where the
			// description's text always was.
			var carry string
			if p.signatureOnly() && len(p.stack) > 0 && p.stack[len(p.stack)-1].level == entryLevel+p.dlDepth {
				carry = strings.TrimSpace(p.buf.String())
				p.buf.Reset()
			}
			p.open(heading{level: entryLevel + p.dlDepth, text: text, anchor: id, short: strings.TrimSpace(short)})
			if carry != "" {
				p.buf.WriteString(carry)
				p.buf.WriteByte('\n')
			}
			p.text(text)
			p.newline()
			p.buf.WriteByte('\n')
			p.sigEnd = p.buf.Len()
			return
		}
		if prev := prevElement(n); prev != nil && prev.DataAtom == atom.Dd && !blank(n) {
			// A term without an id after a described entry is the next
			// item of the list, not part of that entry (texinfo gives an
			// id only to the items it indexes: autoconf's "expr (|)" held
			// the 22 tools listed after it). It belongs to the section
			// holding the list. A term right after another term shares
			// its description, and stays in its entry. An empty term is
			// no item: man2html indents with <DT><DD>, and Slurm's values
			// of a parameter sit in such a pair after its description.
			p.closeEntries()
		} else if p.signatureOnly() {
			// One more signature of an entry whose description has not
			// begun: an id'd term after it carries it along too.
			defer func() {
				if p.sigEnd >= 0 {
					p.sigEnd = p.buf.Len()
				}
			}()
		}
	}
	if p.pre == 0 && p.dlDepth == 0 && p.admonition == 0 {
		if text, anchor, level := p.titleBlock(n); anchor != "" {
			// A block that titles the element holding it, by its class,
			// is that element's heading: RDoc writes each method as <div
			// id="method-i-author" class="method-detail"><div
			// class="method-heading">author()</div>, with no heading
			// element, and links to the method by that id.
			p.open(heading{level: level, text: text, anchor: anchor, bold: true})
			return
		}
	}
	if n.DataAtom == atom.P && p.pre == 0 && p.dlDepth == 0 && p.admonition == 0 {
		if text, anchor := boldTitle(n); anchor != "" {
			// A paragraph that is only an anchored bold phrase is a
			// heading in all but name: the JDK's javadoc titles the parts
			// of java.util.Formatter's "Numeric" section
			// <p><a id="dnint"><b>Byte, Short, Integer, and Long</b></a>,
			// and its cross-references link there. It opens a section one
			// level below the nearest real heading, so that the titles
			// after it are its siblings.
			p.open(heading{level: p.titleLevel(), text: text, anchor: anchor, bold: true})
			return
		}
	}
	if p.preManual && n.DataAtom == atom.A {
		if id := preTarget(n); id != "" {
			p.markPreTarget(id)
		}
	}
	id := attr(n, "id")
	switch n.DataAtom {
	case atom.Section, atom.Div, atom.Article, atom.Main:
		if id != "" {
			p.containerID = id
		}
	case atom.A, atom.Span:
		if id == "" && n.DataAtom == atom.A {
			id = attr(n, "name")
		}
		if id != "" {
			p.inlineID, p.inlineDL = id, p.dl
			if n.Parent != nil && n.Parent.DataAtom == atom.P {
				// A target inside a paragraph marks a place in its text,
				// not the term after it: texi2any leaves the @cindex that
				// follows an item's text at the end of that item's <p>
				// (zsh's glob qualifier M, then T).
				p.inlineDL = nil
			}
		}
	case atom.Input, atom.Select, atom.Textarea, atom.Img, atom.Canvas, atom.Video, atom.Audio, atom.Object, atom.Embed:
		// Form controls and media are empty too, but their ids name
		// them, not a place to link to (SQLite's pages end their header
		// with <input id="searchbox"> just before the page's <h1>).
	default:
		if id != "" && n.FirstChild == nil {
			// An empty element as a marker (the JDK's specifications put
			// a section's id on the <hr> before its heading).
			p.inlineID, p.inlineDL = id, p.dl
		}
	}
	var (
		depth   = len(p.stack)
		entries = p.entries
	)
	box := isAdmonition(n)
	var outer []heading // the headings open where the box starts
	if box {
		p.admonition++
		defer func() { p.admonition-- }()
		outer = slices.Clone(p.stack)
	}
	switch n.DataAtom {
	case atom.Main, atom.Article:
		p.inArticle++
		defer func() { p.inArticle-- }()
	case atom.A:
		if p.links[n].inPage > 0 {
			if p.inTOC == 0 {
				p.tocLinks++
			}
			p.inTOC++
			defer func() { p.inTOC-- }()
		}
	case atom.Pre:
		p.newline()
		p.pre++
		outer := p.preManual
		if p.pre == 1 {
			p.preManual = p.plainManual(n)
		}
		defer func() {
			if p.pre == 1 {
				p.decidePre(true)
				p.pending = nil
			}
			p.pre--
			p.preManual = outer
		}()
	case atom.Dl:
		p.dlDepth++
		outerDL := p.dl
		p.dl = n
		defer func() { p.dlDepth--; p.dl = outerDL }()
	}
	if isBlock(n.DataAtom) {
		// A block starts a line as well as ending one: text just before
		// it ("<li>Options<ul><li>all", "<dd>See<p>below") is not one
		// word with its first.
		p.newline()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.walk(c)
	}
	if n.DataAtom == atom.Dl && p.entries > entries {
		// The list's API entries end with it: text after it belongs to
		// the section that held the list.
		p.flush()
		p.stack = p.stack[:min(depth, len(p.stack))]
	}
	if box && !slices.Equal(p.stack, outer) {
		// A section the box opened (a heading with its own anchor, as
		// Apache's "What is matched?" note inside RewriteRule) ends with
		// the box: the text after it is the enclosing section's again.
		p.flush()
		p.stack = outer
	}
	if isBlock(n.DataAtom) {
		p.newline()
		switch n.DataAtom {
		case atom.P, atom.Div, atom.Section, atom.Pre, atom.Dl, atom.Table:
			p.buf.WriteByte('\n')
		}
	}
}

// preTopic is a link target inside a plain-text manual's pre, waiting
// for the line that decides whether it opens a topic (decidePre): start
// is the length of buf where the target's line began, checked where the
// lines decidePre has read so far end.
type preTopic struct {
	id, title      string
	start, checked int
}

// markPreTarget handles a link target inside a plain-text manual kept in
// one pre, which marks its topics only with targets (Vim's help pages).
//
//   - A target on a title that starts at the margin opens a section
//     there ("1. Setting options<TAB>*<A NAME="set-option">").
//   - A target on a line of tags opens one only if the first line of
//     text after it starts at the margin, as an option's header does
//     ("*'tabstop'* *'ts'*" over "'tabstop' 'ts' number"); before an
//     indented line, or after indented text, it marks a place inside the
//     topic ("*E834*" in the description of 'ambiwidth') and opens
//     nothing.
//   - Other targets on the title's line, on the tag lines or on the line
//     that decides are aliases.
//
// The section's heading is the text before the target on its line, else
// the target's name. A line longer than maxPreLine is text, not a title
// or a line of tags, and its targets open nothing: this bounds the work
// per target.
func (p *htmlParser) markPreTarget(id string) {
	s := p.buf.String()
	from := max(0, len(s)-maxPreLine)
	nl := strings.LastIndexByte(s[from:], '\n')
	if nl < 0 && from > 0 {
		return
	}
	lineStart := from + nl + 1
	tail := s[lineStart:]
	if p.pending != nil {
		// Every line since the pending target's is blank or tags
		// (decidePre decides at the first other one).
		if p.pending.start >= lineStart || tagsOnly(tail) {
			return
		}
		// This target's line decides the one pending; it and the rest
		// of the line's targets are aliases.
		p.decideLine(tail)
		p.preLine = p.buf.Len() - len(tail)
		return
	}
	if p.preLine >= lineStart {
		return
	}
	title := strings.TrimRightFunc(tail, func(r rune) bool { return unicode.IsSpace(r) || r == '*' || r == '|' })
	title = strings.Join(strings.Fields(title), " ")
	t := &preTopic{id: id, title: title, start: lineStart, checked: lineStart}
	if !hasLettersIn(title) {
		t.title = id
		p.pending = t
		return
	}
	if first, _ := utf8.DecodeRuneInString(tail); unicode.IsSpace(first) {
		p.pending = t
		return
	}
	p.openPre(t)
	p.preLine = 0
}

// decidePre decides the pending target by the first line after the
// target's own that has text other than tags; final counts the last,
// unfinished line too (the pre has ended).
func (p *htmlParser) decidePre(final bool) {
	if p.pending == nil {
		return
	}
	t := p.pending
	s := p.buf.String()
	for t.checked < len(s) {
		line, _, complete := strings.Cut(s[t.checked:], "\n")
		if !complete && !final && len(line) <= maxPreLine {
			// Wait for the line's end; one longer than maxPreLine is
			// decided as it is, so no line is read again and again.
			return
		}
		if !tagsOnly(line) {
			// The target's own line with text after it is a title
			// ("*options.txt*<TAB>For Vim version 9.0."); a later
			// one is the topic's first line.
			p.decideLine(line)
			return
		}
		t.checked += len(line) + 1
	}
}

// decideLine opens the pending target's section if line starts at the
// margin, and drops it otherwise.
func (p *htmlParser) decideLine(line string) {
	t := p.pending
	p.pending = nil
	if first, _ := utf8.DecodeRuneInString(line); line == "" || unicode.IsSpace(first) {
		return
	}
	p.openPre(t)
}

// openPre opens t's section at the start of its line.
func (p *htmlParser) openPre(t *preTopic) {
	s := p.buf.String()
	p.buf.Reset()
	p.buf.WriteString(s[:t.start])
	p.open(heading{level: entryLevel + p.dlDepth, text: t.title, anchor: t.id})
	p.buf.WriteString(s[t.start:])
}

// tagsOnly reports whether s has no letters or digits outside Vim's
// "*tag*" markup.
func tagsOnly(s string) bool {
	for _, f := range strings.Fields(s) {
		if len(f) > 2 && f[0] == '*' && f[len(f)-1] == '*' {
			continue
		}
		if hasLettersIn(f) {
			return false
		}
	}
	return true
}

// plainManual reports whether the pre n is a plain-text manual with
// link targets at its topics, not a block of code or a listing that
// happens to hold some: at least preTargetLetters letters per target
// (Vim's help pages have 150 to 2,400, aliases counted; libxslt's enums,
// a target per member, 27 to 53).
func (p *htmlParser) plainManual(n *html.Node) bool {
	targets := 0
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.DataAtom == atom.A && preTarget(d) != "" {
			targets++
		}
	}
	st := p.links[n]
	return targets > 0 && st.inside+st.outside >= preTargetLetters*targets
}

// preTarget returns the name or id of a link target inside a pre that
// marks a topic: not a link elsewhere (a target that links to itself, as
// a "selflink", counts), and not a line number (rustdoc's source view
// numbers every line with <a href="#12" id="12">).
func preTarget(n *html.Node) string {
	id := cmp.Or(attr(n, "id"), attr(n, "name"))
	if id == "" || strings.Trim(id, "0123456789") == "" {
		return ""
	}
	if href := attr(n, "href"); href != "" && href != "#"+id {
		return ""
	}
	return id
}

// hasLettersIn reports whether s has a letter or digit.
func hasLettersIn(s string) bool { return strings.IndexFunc(s, isLetterOrDigit) >= 0 }

// signatureOnly reports whether the open API entry's text is still only
// its signatures: no description has begun.
func (p *htmlParser) signatureOnly() bool {
	return p.sigEnd >= 0 && strings.TrimSpace(p.buf.String()[p.sigEnd:]) == ""
}

// entryLevel is the level of an API entry (a term with an id, a topic
// in a manual's <pre>): below every heading, h1 to h6, plus the depth of
// the description lists around it, so an entry of a nested list is a
// sub-section of the entry holding the list.
const entryLevel = 7

// inEntry reports whether the innermost open section is an API entry of
// a description list that is still open (a <dt> with an id, see walk).
func (p *htmlParser) inEntry() bool {
	return p.dlDepth > 0 && len(p.stack) > 0 && p.stack[len(p.stack)-1].level >= entryLevel
}

// closeEntries ends the API entries open in the current description list
// and its deeper ones, returning to the section that holds the list.
func (p *htmlParser) closeEntries() {
	i := len(p.stack)
	for i > 0 && p.stack[i-1].level >= entryLevel+p.dlDepth {
		i--
	}
	if i < len(p.stack) {
		p.flush()
		p.stack = p.stack[:i]
	}
}

// leadingAnchor returns the name or id of a link target that opens n,
// before any of its text: Graphviz's attribute list gives each term no id
// but starts it with <A NAME=d:arrowhead>. A target later in the term
// names something else (DocBook's indexterm <a id> after a term's text).
func leadingAnchor(n *html.Node) string {
	for c := n.FirstChild; c != nil; {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
			c = c.NextSibling
		case c.Type != html.ElementNode:
			return ""
		case c.DataAtom == atom.A:
			return cmp.Or(attr(c, "id"), attr(c, "name"))
		default:
			// Into a wrapper (<code>, <span class="term">) to its start.
			c = c.FirstChild
		}
	}
	return ""
}

// namingAnchor returns the id (or name) of the first anchor inside term
// n that is no link and holds at least half of the term's letters: the
// term's name after a tag the generator puts first (SWI-Prolog's <dt
// class="pubdef"><span class="pred-tag">[det]</span><a
// id="http_get/3"><strong>http_get</strong>(...)</a></dt>, which
// leadingAnchor stops at). An index target inside a sentence-long term
// holds none of its words. Else "". The letters are measureLinks' count.
func (p *htmlParser) namingAnchor(n *html.Node) string {
	letters := func(n *html.Node) int { st := p.links[n]; return st.inside + st.outside }
	total := letters(n)
	for c := range n.Descendants() {
		if c.DataAtom != atom.A || innerTarget(c) == "" || hasAttr(c, "href") {
			continue
		}
		if total > 0 && 2*letters(c) >= total {
			return innerTarget(c)
		}
		return ""
	}
	return ""
}

// permalinkAnchor returns the id (or name) of a link inside term n that
// points at itself: the permalink a generator puts after the term's name
// and gives the term's id (Slurm's man2html pages, <dt><b>MailProg</b><a
// class="slurm_link" id="OPT_MailProg" href="#OPT_MailProg"></a></dt>).
// Else "".
func permalinkAnchor(n *html.Node) string {
	for c := range n.Descendants() {
		if c.DataAtom != atom.A {
			continue
		}
		id := cmp.Or(attr(c, "id"), attr(c, "name"))
		if where, frag, ok := splitHref(attr(c, "href")); ok && where == "" && id != "" && frag == id {
			return id
		}
	}
	return ""
}

// anchorBeforeDescription returns the name or id of the link target that
// stands, in the list itself, between the terms n starts and their
// description: Exim's specification gives its terms no id but puts an
// index target after each group of terms (<dt>$header_...</dt>
// <dt>$bheader_...</dt> <a id="vi167"></a><dd>). Only a group's first
// term takes it; the terms after it join its entry.
func anchorBeforeDescription(n *html.Node) string {
	if prev := prevElement(n); prev != nil && prev.DataAtom == atom.Dt {
		return ""
	}
	id := ""
	for c := n.NextSibling; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.CommentNode, c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		case c.Type != html.ElementNode:
			return ""
		case c.DataAtom == atom.Dt && id == "":
		case c.DataAtom == atom.A && c.FirstChild == nil && id == "":
			if id = cmp.Or(attr(c, "id"), attr(c, "name")); id == "" {
				return ""
			}
		case c.DataAtom == atom.Dd:
			return id
		default:
			// Text, another element, or a target between two terms:
			// not the shape that names the group.
			return ""
		}
	}
	return ""
}

// prevElement is the element before n among its siblings, nil if none.
func prevElement(n *html.Node) *html.Node {
	for c := n.PrevSibling; c != nil; c = c.PrevSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

// skipElement reports whether n is not content: scripts, styles and form
// controls, navigation (nav, role=navigation or search, Sphinx's sidebar
// and "related" bars, breadcrumb trails), page header and footer (or
// .footer, #footer, #page-header) outside main/article, Sphinx's "¶"
// permalinks, script toggles and links to an item's source code.
func (p *htmlParser) skipElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Head, atom.Nav,
		atom.Svg, atom.Iframe, atom.Button, atom.Select:
		// A select's options are a form control's choices (SQLite's
		// "Search Documentation / Search Changelog"), like a button's
		// label.
		return true
	case atom.Header, atom.Footer, atom.Address:
		// An address outside any article is the contact line of the
		// page (PuTTY's "[Debian PuTTY release 0.78-2+deb12u2]", a SRFI's
		// editor), not its text. odoc's header.odoc-preamble is the
		// module's h1 and its documentation, often all of its prose (a
		// header that holds the page's h1 in general is no sign: Node.js's
		// holds its version and menus).
		if p.inArticle == 0 && !hasClass(n, "odoc-preamble") {
			return true
		}
	}
	if p.inArticle == 0 && n.DataAtom == atom.P && footerRule(prevElement(n)) {
		// The paragraph after a rule that the page marks as its
		// footer's: Chez Scheme's guides end every page with <hr
		// class=copyright> and a paragraph of the book's name, copyright,
		// licence and revision, which was the last section's last words.
		return true
	}
	if p.inArticle == 0 && (footerClass(n) || attr(n, "id") == "footer") {
		// A footer by class or id, as pages older than <footer> write it
		// (Qt's copyright and licence notice, Doxygen's "Generated by",
		// Apache's and AsciiDoc's div#footer, Boost's
		// div.copyright-footer).
		return true
	}
	if p.inArticle == 0 && n.DataAtom == atom.Div && (attr(n, "id") == "sidebar" || attr(n, "id") == "navigation") && !hasClass(n, "section") {
		// The page's sidebar by id: what its other rules leave of it
		// (Django's "Last update:" and date, HAProxy's "Keyboard
		// navigation" help, Underscore's list of every function), and
		// LDoc's div#navigation, its list of every module and class.
		// Docutils gives the section on its sidebar directive that id.
		return true
	}
	if p.namedTOC(n) {
		return true
	}
	if n.DataAtom == atom.Div && hasClass(n, "contents") && hasClass(n, "topic") {
		// Docutils' table of contents (".. contents::"): its list is
		// linkList's, and its title "Contents" was a chunk of its own.
		return true
	}
	if p.inArticle == 0 && headerIDs[attr(n, "id")] && p.links[n].headings == 0 {
		// A page header by id, holding no heading: the site's name and
		// menu above the page (Apache's div#page-header, Doxygen's
		// project name in div#titlearea). AsciiDoc's div#header holds
		// the page's h1 and is content.
		return true
	}
	switch attr(n, "role") {
	case "navigation", "search":
		return true
	case "banner", "contentinfo":
		if p.inArticle == 0 {
			return true
		}
	}
	if hasAnyClass(n, chromeClasses...) || sourceLink(n) || scriptLink(n) || pageTurn(n) || footnoteMark(n) {
		return true
	}
	if (n.DataAtom == atom.Ul || n.DataAtom == atom.Ol) && hasClass(n, "nav") {
		// A site's menu as a list (Exim's <ul id="nav_flow" class="nav">,
		// Bootstrap's navs).
		return true
	}
	if hidden(n) {
		return true
	}
	if p.inArticle == 0 && siteBanner(n) || n == p.siteTitle {
		return true
	}
	return p.navBar(n) || p.linkList(n) || p.summaryTable(n) || p.entrySummary(n) || p.siteMenu(n) || p.generatorCredit(n) || p.synopsis(n) ||
		p.pageIndex(n)
}

// indexLinks is the fewest links a back-of-book index has (pageIndex).
const indexLinks = 10

// pageIndex reports whether n is the page's back-of-book index: a list,
// table or div of at least indexLinks links, at least four in five to
// elements of the page (its entries and index targets), no heading, in a
// section whose heading, or one above it, ends in "Index" (SWI-Prolog's
// manual ends with <h1>Index</h1> over a <dl> of every predicate and term
// with the numbers of the sections that use it; texinfo's "Concept
// index" is a table of terms and section names, between two "Jump to"
// rows of letters). It names every entry of the page, so kept, it ranked
// for any of their names.
func (p *htmlParser) pageIndex(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Dl, atom.Ul, atom.Ol, atom.Table, atom.Div:
	default:
		return false
	}
	st := p.links[n]
	if st.links < indexLinks || 5*st.entries < 4*st.links || st.headings > 0 {
		return false
	}
	return slices.ContainsFunc(p.stack, func(h heading) bool {
		f := strings.Fields(h.text)
		return h.level <= 6 && len(f) > 0 && bareWord(f[len(f)-1]) == "index"
	})
}

// namedTOC reports whether n is a table of contents by name: a div or
// nav with the id "toc" or the class "toc" or "toc2" whose links say more
// than its other words, which are no more than a title's
// (boldTitleLetters). Its title ("Table of Contents": Asciidoctor's
// div#toctitle, DocBook's bold paragraph) is inside it, where linkList,
// which drops the list, leaves it as a chunk of its own; the name says
// the title belongs to the list. Its links may lead to other pages: a
// multi-page manual's chapter opens with the contents of its sections,
// each on a page of its own (Publican's div.toc: 41 chunks of the Debian
// Administrator's Handbook were such lists, ranking for every title
// they name).
func (p *htmlParser) namedTOC(n *html.Node) bool {
	if n.DataAtom != atom.Div && n.DataAtom != atom.Nav {
		return false
	}
	if !strings.EqualFold(attr(n, "id"), "toc") && !hasAnyClass(n, "toc", "toc2") {
		return false
	}
	st := p.links[n]
	return st.links >= 2 && st.outside <= boldTitleLetters && st.inside > st.outside
}

// tocTitleLetters bounds the letters of a title of contents (tocTitles):
// "tableofcontents" has 15.
const tocTitleLetters = 20

// tocTitles are what a table of contents is titled, folded (tocTitle).
var tocTitles = map[string]bool{"contents": true, "table of contents": true, "subsections": true, "on this page": true, "in this section": true}

// tocTitle reports whether n, holding no link, only says "Contents" or
// the like (tocTitles) and the element right after it, with no text
// between, is a table of contents that is dropped (namedTOC, linkList):
// the title goes with its list. Kept, it was a section of its own, or,
// as SWI-Prolog's <h1>Table of Contents</h1> over <div class="toc"> is
// the page's only h1, the parent of every section after it; LaTeX2HTML
// puts <A ID="CHILD_LINKS"><STRONG>Subsections</STRONG></A> over each
// section's list of its subsections, which was its first words.
func (p *htmlParser) tocTitle(n *html.Node) bool {
	// The letter count first: every element is asked, and reading the
	// text of each would read a page's text once per level it nests.
	if st := p.links[n]; st.links > 0 || st.outside > tocTitleLetters ||
		!tocTitles[strings.Trim(foldText(headingText(n)), ":")] {
		return false
	}
	for c := n.NextSibling; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) != "":
			return false
		case c.Type == html.ElementNode:
			return p.namedTOC(c) || p.linkList(c)
		}
	}
	return false
}

// maxCreditBytes bounds the text of a generator's credit (generatorCredit).
const maxCreditBytes = 300

// generatorCredit reports whether n is a paragraph crediting the tool that
// made the page: "This document was generated on <date> using texi2any."
// (texi2any, texi2html and makeinfo end every page with one, a link to the
// tool in it), or HeVeA's blockquote "This document was translated from
// LaTeX by HeVeA.". Kept, it was the last words of the last section. Its
// links are measureLinks's count, so a block without one is not read.
func (p *htmlParser) generatorCredit(n *html.Node) bool {
	if n.DataAtom != atom.P && n.DataAtom != atom.Blockquote || p.links[n].links == 0 {
		return false
	}
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type != html.TextNode {
			continue
		}
		if b.Len()+len(c.Data) > maxCreditBytes {
			return false // checked before copying: a paragraph may be long
		}
		b.WriteString(c.Data)
	}
	text := strings.Join(strings.Fields(b.String()), " ")
	return strings.HasPrefix(text, "This document was generated ") || strings.HasPrefix(text, "This document was created by ") ||
		strings.HasPrefix(text, "This document was translated from ")
}

// chromeClasses are classes of page chrome: Sphinx's sidebar, "related"
// bars and "¶" permalinks, DocBook XSL's Prev/Up/Next bars (navheader,
// navfooter), whose titles are text, Scribble's contents tree of the
// whole manual beside the page (tocset) and its "top contents ← prev up
// next →" bars, what SQLite's pages mark for their own search to skip
// (nosearch: the logo, tagline and site menu), and rustdoc's
// span.rightside ("1.4.0 · source" beside an item). rustdoc writes that
// span before the item's heading inside the item's <section id>, so kept
// it would close the item before with the next one's version: every
// "Implementors" entry of a trait held its successor's "1.4.0 ·" and
// nothing else (1,626 such chunks in the sample). Doxygen's div.navpath
// is the trail of folders down to the page ("include > SDL_video.h") at
// its foot, and ran into the last entry's text. qdoc's div.navigationbar
// is the trail above every Qt page ("Qt 5.15 / Qt Core / C++ Classes /
// QObject / Qt 5.15.8 Reference Documentation"), some of its items not
// links. Publican's ul.docnav is its Prev/Next bar, the book's title
// between the two as text. rustdoc's a.test-arrow is the "Run" button
// over each example, a link to it in the playground (40 on HashMap's
// page, each a "Run" in the example's chunk).
var chromeClasses = []string{"sphinxsidebar", "related", "headerlink", "navheader", "navfooter", "tocset", "navsettop", "navsetbottom", "nosearch", "rightside", "navpath", "navigationbar", "docnav", "test-arrow"}

// headerIDs are the ids of a page header above the content (skipElement):
// Publican's div#banner is its "Download the ebook" link.
var headerIDs = map[string]bool{"page-header": true, "titlearea": true, "banner": true}

// footnoteMark reports whether n is a link to a footnote set as a
// superscript number: its text only digits, brackets around them at
// most, and a sup around it or inside it (LaTeX2HTML's "Document
// Segmentation<A HREF="footnode.html#foot3883"><SUP>12</SUP></A>",
// DocBook's <sup>[<a href="#ftn.id">1</a>]</sup>). Kept, its number ran
// into the word before it ("Segmentation12"), in headings too, out of
// reach of a keyword search; the note itself is elsewhere.
func footnoteMark(n *html.Node) bool {
	var link, sup bool
	switch n.DataAtom {
	case atom.A:
		link = hasAttr(n, "href")
		sup = n.Parent != nil && n.Parent.DataAtom == atom.Sup
	case atom.Sup:
		// The brackets around the link go with it.
		sup = true
	default:
		return false
	}
	for c := range n.Descendants() {
		link = link || c.DataAtom == atom.A && hasAttr(c, "href")
		sup = sup || c.DataAtom == atom.Sup
	}
	t := strings.Trim(strings.TrimSpace(textUnder(n)), "[]")
	return link && sup && t != "" && strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// scriptLink reports whether n is a toggle: a link that runs a script
// (href "javascript:...") and has no letter or digit, as rustdoc's "[−]"
// that folds every item. One with words is a name (gi-docgen's and
// Erlang's links to types in other manuals are scripts that find them).
func scriptLink(n *html.Node) bool {
	if n.DataAtom != atom.A {
		return false
	}
	href := strings.TrimSpace(attr(n, "href"))
	return len(href) >= len("javascript:") && strings.EqualFold(href[:len("javascript:")], "javascript:") && !hasLetters(n)
}

// sourceLink reports whether n is a link to the source code of the item
// it stands by, as rustdoc and gi-docgen write it (a.srclink, "source"
// or "[src]"), as Nim's doc generator does (a.link-seesrc, "Source" and
// "Edit" by the page's title and every proc) and Sphinx's viewcode
// extension (a link around span.viewcode-link, "[source]" after every
// signature): a control, not a word of the item's text or heading.
func sourceLink(n *html.Node) bool {
	if n.DataAtom != atom.A {
		return false
	}
	if hasAnyClass(n, "srclink", "link-seesrc") {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && hasClass(c, "viewcode-link") {
			return true
		}
	}
	return false
}

// synopsisRun is the fewest pre elements in a row that make a synopsis.
const synopsisRun = 3

// synopsis reports whether pre n is one of at least synopsisRun pre
// elements in a row, each linking a section of the page: libxml2's
// "Table of Contents", a pre per declaration whose name links to its
// entry below. Each entry repeats its signature under its own heading, so
// the synopsis only indexed every entry's name again at the page's top.
// An entry's own pre sits between its heading and its text, never beside
// another; code examples do not link the page's sections. A pre that is a
// link target itself defines what it names (libxml2's typedefs have no
// entry but their line in the synopsis) and is kept.
func (p *htmlParser) synopsis(n *html.Node) bool {
	linked := func(c *html.Node) bool {
		return c != nil && c.DataAtom == atom.Pre && p.links[c].inPage > 0 && !holdsTarget(c)
	}
	if !linked(n) {
		return false
	}
	// Only synopsisRun-1 neighbours either way are looked at, so a page of
	// many pres costs linear time.
	run := 1
	for c, i := preSibling(n, -1), 1; i < synopsisRun && linked(c); c, i = preSibling(c, -1), i+1 {
		run++
	}
	for c, i := preSibling(n, 1), 1; i < synopsisRun && linked(c); c, i = preSibling(c, 1), i+1 {
		run++
	}
	return run >= synopsisRun
}

// holdsTarget reports whether an element under n has an id or a name, a
// place links can point at.
func holdsTarget(n *html.Node) bool {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && (attr(c, "id") != "" || c.DataAtom == atom.A && attr(c, "name") != "") {
			return true
		}
	}
	return false
}

// preSibling is the element next to n (dir 1) or before it (dir -1) when
// only blank text and comments lie between, else nil.
func preSibling(n *html.Node, dir int) *html.Node {
	step := func(c *html.Node) *html.Node {
		if dir < 0 {
			return c.PrevSibling
		}
		return c.NextSibling
	}
	for c := step(n); c != nil; c = step(c) {
		switch {
		case c.Type == html.ElementNode:
			return c
		case c.Type == html.CommentNode, c.Type == html.TextNode && strings.TrimSpace(c.Data) == "":
		default:
			return nil
		}
	}
	return nil
}

// Bounds of summaryTable: the fewest rows, and the share of them that
// must link to a section of the page.
const (
	summaryRows  = 5
	summaryShare = 0.8
)

// summaryTable reports whether table n is an index of the page's own
// sections: at least summaryRows rows, nearly all of them linking to a
// section of the page, and little text outside the links, as linkList
// asks of a list (texinfo's concept and macro indices, gtk-doc's table
// of functions). Its words are the names of the sections it points at.
// A table whose rows say more than their links is content (javadoc's
// "Method Summary", Apache's install steps with a command beside each),
// and so is a table of links to other pages (pathlib's table of os
// functions and their Path methods).
func (p *htmlParser) summaryTable(n *html.Node) bool {
	if n.DataAtom != atom.Table {
		return false
	}
	st := p.links[n]
	return st.rows >= summaryRows && float64(st.linkedRows) >= summaryShare*float64(st.rows) &&
		st.mostlyLinks()
}

// summaryNovel is the share of an entry summary's letters that may be
// its own words (entrySummary), neither its links nor what the page says
// again where they point: a javadoc summary's column headings, return
// types and parameter names come to 11-19% of its letters (OpenJDK 17's
// pages in the sample), which linkListOutside's tenth would keep.
const summaryNovel = 0.2

// entrySummary reports whether n is a summary of the page's entries: a
// list, table or div of at least summaryRows links to elements of the
// page, holding no heading and no element a link points at (no entry of
// its own), whose words are its links and what the page says again where
// they point (saidAgain), but for summaryNovel of them. Crystal's,
// javadoc's and YARD's "Method Summary" repeat each method's signature
// and the first sentence of its documentation, and Sphinx's autosummary
// and Qt's property list do likewise; kept, each ranked beside or above
// the entry it summarises. A table whose rows say more than the entries
// they link is content, and so are two entries documented in the same
// words (a method and its override), which say nothing again where a
// link of theirs points.
func (p *htmlParser) entrySummary(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Div, atom.Section:
	default:
		return false
	}
	st := p.links[n]
	if st.entries < summaryRows || st.said == 0 || st.headings > 0 || st.targets > 0 {
		return false
	}
	return float64(st.outside-st.said) <= summaryNovel*float64(st.inside+st.said)
}

// pageIDs returns the ids under n and the names of its a elements: every
// place a link within the page can point at.
func pageIDs(n *html.Node) map[string]bool {
	ids := make(map[string]bool)
	for c := range n.Descendants() {
		if id := attr(c, "id"); id != "" {
			ids[id] = true
		}
		if c.DataAtom == atom.A {
			if name := attr(c, "name"); name != "" {
				ids[name] = true
			}
		}
	}
	return ids
}

// saidAgain returns the text nodes under n whose run of text (the
// words between one block's edge and the next, as isBlock lays them out)
// the page says again where the run's link points: each of the run's
// sentences is elsewhere in the page too, and one of them in the entry
// that the last link to an element of the page before the run's end
// points at (entry). That is a summary's description, its entry's first
// sentence: javadoc's <a href="#close()">close</a>() "Closes this
// formatter.", said again after <section id="close()">. A run is in the
// entry of the last id or a name before its end. The same words under
// two entries (a method documented again for a subclass) are not a
// summary of either. linked holds every id a link under n points at
// (entry), which the walk reads anyway.
func saidAgain(n *html.Node, entry func(*html.Node) string) (said map[*html.Node]bool, linked map[string]bool) {
	type run struct {
		nodes         []*html.Node
		sentences     []string
		place, target string
	}
	var runs []run
	var cur []*html.Node
	var b strings.Builder
	var place, target string
	count := make(map[string]int)
	at := make(map[[2]string]int) // a sentence and the entry it is in
	linked = make(map[string]bool)
	flush := func() {
		if len(cur) > 0 {
			s := sentences(foldText(b.String()))
			for _, x := range s {
				count[x]++
				at[[2]string{x, place}]++
			}
			runs = append(runs, run{cur, s, place, target})
		}
		cur = nil
		b.Reset()
	}
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		switch {
		case c.Type == html.TextNode:
			if c.Parent == nil || c.Parent.DataAtom != atom.Script && c.Parent.DataAtom != atom.Style {
				b.WriteString(c.Data)
				cur = append(cur, c)
			}
			return
		case c.Type != html.ElementNode:
		case isBlock(c.DataAtom):
			flush()
			defer flush()
			fallthrough
		default:
			if id := attr(c, "id"); id != "" {
				place = id
			} else if c.DataAtom == atom.A && attr(c, "name") != "" {
				place = attr(c, "name")
			}
			if c.DataAtom == atom.A {
				if t := entry(c); t != "" {
					target = t
					linked[t] = true
				}
			}
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	flush()
	said = make(map[*html.Node]bool)
	for _, r := range runs {
		if len(r.sentences) == 0 || r.target == "" || slices.ContainsFunc(r.sentences, func(x string) bool { return count[x] < 2 }) {
			continue
		}
		self := 0
		if r.place == r.target {
			self = 1
		}
		if slices.ContainsFunc(r.sentences, func(x string) bool { return at[[2]string{x, r.target}] > self }) {
			for _, t := range r.nodes {
				said[t] = true
			}
		}
	}
	return said, linked
}

// sentences splits folded text s after each ".", "?" or "!" that a
// space follows, keeping the pieces that have a letter or digit.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if end := i+1 == len(s); end || strings.IndexByte(".?!", s[i]) >= 0 && s[i+1] == ' ' {
			if piece := strings.TrimSpace(s[start : i+1]); hasLettersIn(piece) {
				out = append(out, piece)
			}
			start = i + 1
		}
	}
	return out
}

// titleLevel is the level of a title that is no heading element
// (boldTitle, titleBlock): one below the nearest real heading open, so
// that the titles after it are its siblings.
func (p *htmlParser) titleLevel() int {
	for _, h := range slices.Backward(p.stack) {
		if !h.bold {
			return min(h.level+1, 6)
		}
	}
	return 1
}

// titleBlock returns the text of n and the id of its parent when n is
// the block that titles its parent: the first element in an element with
// an id, holding no heading element (rustdoc's div.main-heading holds the
// page's h1), either with a class that ends in "heading" (RDoc's
// div.method-heading, Bootstrap's panel-heading) and at most
// boldTitleLetters letters and digits, or a div in a div holding a
// permalink to the parent's id (Crystal's <div class="entry-detail"
// id="for(...)"><div class="signature">def self.for(...) : Log <a
// href="#for%28...">#</a>, a signature) and at most maxSignatureLetters.
// Sphinx's permalinks (a.headerlink) are not read so: in a block they
// caption a code sample, table or figure, and its entries and sections
// are dt and heading elements. Nor are table rows (odoc's variant
// constructors, each a tr with an id and a permalink). Otherwise anchor
// is "". The headings and links are measureLinks's counts, so a page's
// wrapper divs, which hold its headings, are not read again. level is
// the heading's: titleLevel's, or anchoredTitleBlock's for a block that
// is not its parent's first.
func (p *htmlParser) titleBlock(n *html.Node) (text, anchor string, level int) {
	if n.Type != html.ElementNode || n.Parent == nil {
		return "", "", 0
	}
	if firstElement(n.Parent) != n {
		return p.anchoredTitleBlock(n)
	}
	anchor = attr(n.Parent, "id")
	st := p.links[n]
	if anchor == "" || st.headings > 0 {
		return "", "", 0
	}
	most := boldTitleLetters
	titled := slices.ContainsFunc(strings.Fields(attr(n, "class")), func(c string) bool {
		return strings.HasSuffix(strings.ToLower(c), "heading")
	})
	if !titled && n.DataAtom == atom.Div && n.Parent.DataAtom == atom.Div && st.links > 0 && linksTo(n, anchor) {
		titled, most = true, maxSignatureLetters
	}
	if !titled {
		return "", "", 0
	}
	text = headingText(n)
	if letters := countLetters(text); letters == 0 || letters > most {
		return "", "", 0
	}
	return text, anchor, p.titleLevel()
}

// anchoredTitleBlock is titleBlock for a block whose section is named by
// empty anchors just before it in the same parent, not by the parent's
// id: pgBackRest's reference writes each command and option as <div
// class="section3"><a id="command-backup/option-type"></a><div
// class="section3-header">2.1.1 Type Option (--type)</div>, with no
// heading element in the page, and pydoctor each method as <a
// name="pkg.Class.meth"></a><a name="meth"></a><div
// class="functionHeader">def meth(...) <a href="#meth">¶</a>. n must
// hold no heading element, follow nothing but empty anchors in its
// parent, and have a class that ends in "heading" or "header", with at
// most boldTitleLetters letters and digits, or maxSignatureLetters when
// it links to the anchor (a permalink, so a signature). The anchor is
// the one n links to, else the last. Its level is the digit in that
// class ("section3-header": 3), else titleLevel's.
func (p *htmlParser) anchoredTitleBlock(n *html.Node) (text, anchor string, level int) {
	// The class first: it is cheap, and most blocks have none of these.
	classes := strings.Fields(attr(n, "class"))
	i := slices.IndexFunc(classes, headerClass)
	if i < 0 || p.links[n].headings > 0 {
		return "", "", 0
	}
	// Back from n to its parent's first child, so that the work per
	// block is the run of anchors before it, not its position.
	var ids []string
	for c := n.PrevSibling; c != nil; c = c.PrevSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimFunc(c.Data, unicode.IsSpace) == "", c.Type == html.CommentNode:
		case c.Type == html.ElementNode && c.DataAtom == atom.A && blank(c) && firstElement(c) == nil:
			id := cmp.Or(attr(c, "id"), attr(c, "name"))
			if id == "" {
				return "", "", 0
			}
			ids = append(ids, id)
		default:
			return "", "", 0
		}
	}
	if len(ids) == 0 {
		return "", "", 0
	}
	slices.Reverse(ids) // document order
	anchor, most := ids[len(ids)-1], boldTitleLetters
	for _, id := range ids {
		if linksTo(n, id) {
			anchor, most = id, maxSignatureLetters
			break
		}
	}
	text = headingText(n)
	if letters := countLetters(text); letters == 0 || letters > most {
		return "", "", 0
	}
	level = p.titleLevel()
	if d := strings.IndexFunc(classes[i], unicode.IsDigit); d >= 0 {
		level = min(max(int(classes[i][d]-'0'), 1), 6)
	}
	return text, anchor, level
}

// headerClass reports whether a class names a title block: it ends in
// "heading" or "header", in any case.
func headerClass(c string) bool {
	l := strings.ToLower(c)
	return strings.HasSuffix(l, "heading") || strings.HasSuffix(l, "header")
}

// tocMinLinks is the fewest links to sections of the page that make a
// section of nothing else a table of contents (flush).
const tocMinLinks = 3

// maxSignatureLetters bounds the letters and digits of a signature that
// titles its entry by a permalink (titleBlock): of the 12,104 methods and
// macros in Crystal 1.6's standard library, 99% have at most 88 and the
// longest (OAuth::Consumer.new, eight parameters with defaults) 192.
const maxSignatureLetters = 200

// splitHref splits a link at its "#" into the page it names and the
// fragment, percent-decoded as a browser does before it looks the id up
// ("#for%28type%29" is the element id="for(type)"); a fragment that is
// no valid escape is kept as written. ok is false without a "#".
func splitHref(href string) (where, frag string, ok bool) {
	where, frag, ok = strings.Cut(href, "#")
	if u, err := url.PathUnescape(frag); err == nil {
		frag = u
	}
	return where, frag, ok
}

// linksTo reports whether a link under n points at id in the same page,
// its fragment percent-decoded as a browser does ("#for%28type%29" is
// the element id="for(type)"), other than Sphinx's a.headerlink.
func linksTo(n *html.Node, id string) bool {
	for c := range n.Descendants() {
		if c.DataAtom != atom.A {
			continue
		}
		where, frag, ok := splitHref(attr(c, "href"))
		if !ok || where != "" || hasClass(c, "headerlink") {
			continue
		}
		if frag == id {
			return true
		}
	}
	return false
}

// Bounds of boldTitle: the most words a bold title has, and the most
// letters and digits.
const (
	boldTitleWords   = 12
	boldTitleLetters = 80
)

// boldTitle returns the text and anchor of paragraph n when it is only a
// short bold phrase with one link target: the paragraph's own id or an
// <a id|name> around or inside the bold, and no link to elsewhere. Any
// text outside the bold, a second target or bold run, a line break, a
// longer phrase or one ending as a sentence or lead-in does ("Note:")
// leaves it a paragraph, and anchor "".
func boldTitle(n *html.Node) (text, anchor string) {
	anchors := 0
	if id := attr(n, "id"); id != "" {
		anchor, anchors = id, 1
	}
	bolds := 0
	ok := true
	var walk func(c *html.Node, inBold bool)
	walk = func(c *html.Node, inBold bool) {
		for k := c.FirstChild; k != nil && ok; k = k.NextSibling {
			switch k.Type {
			case html.TextNode:
				if !inBold && strings.TrimSpace(k.Data) != "" {
					ok = false
				}
			case html.ElementNode:
				switch k.DataAtom {
				case atom.A:
					if attr(k, "href") != "" {
						ok = false
						continue
					}
					if id := cmp.Or(attr(k, "id"), attr(k, "name")); id != "" {
						anchor = id
						anchors++
					}
					walk(k, inBold)
				case atom.B, atom.Strong:
					if !inBold {
						bolds++
					}
					walk(k, true)
				case atom.Code, atom.Em, atom.I, atom.Span:
					walk(k, inBold)
				default:
					ok = false
				}
			}
		}
	}
	walk(n, false)
	if !ok || anchors != 1 || bolds != 1 {
		return "", ""
	}
	text = headingText(n)
	if text == "" || countLetters(text) > boldTitleLetters || len(strings.Fields(text)) > boldTitleWords ||
		strings.ContainsAny(text[len(text)-1:], ".:;,") {
		return "", ""
	}
	return text, anchor
}

// siteBanner reports whether n is a heading that is only a link to a web
// site: the site's name above the page, as Exim's specification opens
// every chapter with <h1 id="header"><a href="http://www.exim.org">Exim
// Internet Mailer</a></h1>. It is chrome, not the top of every heading
// path. A heading linking to the page itself or to another page of the
// same documentation is content, but for siteTitle's.
func siteBanner(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
	default:
		return false
	}
	link := onlyLink(n)
	if link == nil {
		return false
	}
	href := strings.ToLower(strings.TrimSpace(attr(link, "href")))
	return strings.HasPrefix(href, "http://") || strings.HasPrefix(href, "https://")
}

// onlyLink returns n's one child element if it is a link and n holds
// nothing else but spaces and comments, else nil.
func onlyLink(n *html.Node) *html.Node {
	var link *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == html.TextNode && strings.TrimSpace(c.Data) == "", c.Type == html.CommentNode:
		case c.Type == html.ElementNode && c.DataAtom == atom.A && link == nil:
			link = c
		default:
			return nil
		}
	}
	return link
}

// siteTitle returns the h1 that names the documentation above the page,
// or nil: the first h1 under content, outside any main or article, that
// is only a link to another page, when another h1 follows it. Django
// opens every page with <h1><a href="../index.html">Django 3.2.25
// documentation</a></h1> before the page's own h1, and kept it was the
// top of every heading path and the title's parent. A page's one h1 is
// its title even when it links elsewhere.
func siteTitle(content *html.Node, page string) *html.Node {
	var first *html.Node
	for n := range content.Descendants() {
		if n.DataAtom != atom.H1 {
			continue
		}
		if first != nil {
			return first
		}
		link := onlyLink(n)
		if link == nil || insideMain(n) {
			return nil
		}
		where, _, _ := strings.Cut(strings.TrimSpace(attr(link, "href")), "#")
		if where == "" || path.Base(where) == page {
			return nil
		}
		first = n
	}
	return nil
}

// insideMain reports whether n has a main or article ancestor, or one
// with role main.
func insideMain(n *html.Node) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		if a.DataAtom == atom.Main || a.DataAtom == atom.Article || attr(a, "role") == "main" {
			return true
		}
	}
	return false
}

// hiddenClasses are classes of widgets a page's own stylesheet hides until
// hovered or clicked: Doxygen's source tooltips (div.ttc, "Definition:
// SDL_video.h:123", a quarter of the chunks of some Doxygen pages),
// Bootstrap's dropdown menus (HAProxy's "This keyword is available in
// sections"), rustdoc's "Notable traits" tooltips, which sit inside a
// method's heading, RDoc's method source and its "click to toggle
// source", and the "Expand description" of rustdoc's open details
// (summary.hideme, shown only once a reader folds the item).
var hiddenClasses = []string{"ttc", "dropdown-menu", "notable-traits-tooltiptext", "method-source-code", "method-click-advice", "hideme"}

// hidden reports whether a browser would not show n: the hidden attribute,
// an inline display:none or visibility:hidden, or a hiddenClasses class;
// or whether the page hides it from a screen reader, aria-hidden="true"
// (MkDocs' search dialog, shown only by a script, whose title was a
// section of every page; icons and the "¶" of permalinks are never
// words of the page either).
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Namespace != "" {
			continue
		}
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.TrimSpace(a.Val) == "true" {
				return true
			}
		case "style":
			st := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(st, "display:none") || strings.Contains(st, "visibility:hidden") {
				return true
			}
		}
	}
	return hasAnyClass(n, hiddenClasses...)
}

// Bounds of the navigation heuristics (navBar, linkList), in letters.
const (
	// navBarLetters is the most text outside links a "Next: ...,
	// Previous: ..., Up: ..." bar has (texinfo's has 14 letters).
	navBarLetters = 40
	// buttonLetters is the most letters a navigation button's link has
	// on average (navBar): "Up", "Top", "Contents".
	buttonLetters = 4
	// barSeparators are what a bar of links has between them besides
	// spaces: "[ << ] [ Up ]", "de | en", "Next: ... Up: ...".
	barSeparators = "[]|•·:,/-–— "
	// crumbArrows are what a trail of links from the site's top down to
	// the page has between them: "Apache > HTTP Server > Modules".
	crumbArrows = ">›»→"
	// linkListOutside is the share of a link list's letters that may lie
	// outside its links (section numbers, a separator).
	linkListOutside = 0.1
	// preTargetLetters is the fewest letters per link target that make a
	// pre a plain-text manual (plainManual).
	preTargetLetters = 100
	// maxPreLine is the longest line, in bytes, whose link targets may
	// open a section in a plain-text manual (markPreTarget).
	maxPreLine = 4096
)

// navRels are the rel values of links that move through a document: the
// sequence (next, prev, up) and texinfo's "[Contents][Index]" buttons,
// which bashref.html puts alone in the bar between a node's id and its
// heading.
var navRels = map[string]bool{"next": true, "prev": true, "previous": true, "up": true, "contents": true, "index": true}

// neighbourRels are the rel values of a page's head links that name the
// pages around it (neighbours): navRels and the start, first, last and
// table-of-contents pages.
var neighbourRels = func() map[string]bool {
	m := maps.Clone(navRels)
	for _, r := range []string{"toc", "start", "first", "last"} {
		m[r] = true
	}
	return m
}()

// neighbours returns the targets of the page's <link rel> to the pages
// around it (neighbourRels). A bar of links to them is navigation
// whatever it says (navBar): Halibut's "Previous | Contents | Index |
// Next" marks nothing on its links and names its neighbours only in the
// head. The whole page is read, not only the head: qdoc writes its
// <link rel="prev"> in the body, where the parser leaves them.
func neighbours(root *html.Node) map[string]bool {
	out := make(map[string]bool)
	visit(root, func(n *html.Node) {
		if n.DataAtom != atom.Link {
			return
		}
		href := strings.TrimSpace(attr(n, "href"))
		if href == "" || strings.HasPrefix(href, "#") {
			return
		}
		for _, r := range strings.Fields(strings.ToLower(attr(n, "rel"))) {
			if neighbourRels[r] {
				out[href] = true
			}
		}
	})
	return out
}

// pageTurn reports whether link a names itself a link to the previous or
// next page: it leads to another page (not "#..."), and its title says
// so ("previous page", as pydata-sphinx-theme's do) or one of its
// classes has a part (classParts) prev, previous or next (pydata's
// a.left-prev and a.right-next, Furo's a.prev-page, Exim's
// a.previous_page, qdoc's a.prevPage). Ids are not read: a page's own
// anchors are named after what they mark ("iterator-next"). Such a link
// is chrome wherever it stands (skipElement: Exim's stand loose in the
// body, "<-previous" and "next->"), and a bar of them navigation (navBar)
// however long the titles it shows.
func pageTurn(a *html.Node) bool {
	if a.DataAtom != atom.A {
		return false
	}
	if href := strings.TrimSpace(attr(a, "href")); href == "" || strings.HasPrefix(href, "#") {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(attr(a, "title"))) {
	case "previous page", "next page":
		return true
	}
	for _, name := range strings.Fields(attr(a, "class")) {
		for _, part := range classParts(name) {
			switch part {
			case "prev", "previous", "next":
				return true
			}
		}
	}
	return false
}

// footerClass reports whether one of n's class names has the word
// "footer" (classParts): "footer", Boost's "copyright-footer",
// ImageMagick's "magick-footer".
// footerRule reports whether n is an <hr> whose class names a footer or a
// copyright notice (skipElement drops the paragraph after it: Chez Scheme's hr.copyright).
func footerRule(n *html.Node) bool {
	return n != nil && n.DataAtom == atom.Hr && (footerClass(n) || hasClass(n, "copyright"))
}

func footerClass(n *html.Node) bool {
	for _, name := range strings.Fields(attr(n, "class")) {
		if slices.Contains(classParts(name), "footer") {
			return true
		}
	}
	return false
}

// classParts splits a class name into its lower-cased words, at - and _
// and where a lower-case letter meets an upper-case one: "left-prev",
// "previous_page", qdoc's "prevPage".
func classParts(name string) []string {
	var parts []string
	var b strings.Builder
	lower := false
	for _, r := range name {
		if r == '-' || r == '_' || lower && unicode.IsUpper(r) {
			if b.Len() > 0 {
				parts = append(parts, b.String())
			}
			b.Reset()
		}
		lower = unicode.IsLower(r)
		if r != '-' && r != '_' {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	if b.Len() > 0 {
		parts = append(parts, b.String())
	}
	return parts
}

// linkStats describes the links in an element's subtree, for the
// navigation heuristics.
type linkStats struct {
	nav   bool // a link marked rel next, prev, previous, up, contents or index, with an accesskey, or a pageTurn
	links int  // links (a elements with an href)
	// neighbours counts links to a page the page's <link rel> names as
	// a neighbour (neighbours).
	neighbours int
	// turns counts links whose text opens with a word of turnWords ("Next:
	// Graphics", "Back to Table of Contents", "Top") or is a title of
	// contents (tocTitles: Yodl's "Table of Contents"): navBar's turns.
	turns  int
	inPage int // links to a section of the page itself ("#x", "page.html#x", ownAlias's "old.html#x")
	// self counts links to the page itself by its name, no section
	// ("page.html"): how a site's menu marks the page it is on.
	self int
	// current counts elements a menu marks as where the reader is: an
	// aria-current other than "false", or a class "current" or "active"
	// (Crystal's sidebar li.current, Sphinx themes' li.current): how a
	// menu marks the page it is on when its link to it does not name the
	// page as saved (markedCurrent).
	current int
	inside  int // letters and digits of text inside links
	outside int // letters and digits of text outside links
	// symbols: text outside links has a character that is not a letter,
	// digit, space or separator (barSeparators), as code has (Doxygen's
	// source lines, whose names are links).
	symbols bool
	// other: text outside links has anything but breadcrumb arrows
	// (crumbArrows) and spaces; arrows: a text of only arrows and spaces
	// outside links has an arrow (navBar's trail needs arrows, not other).
	arrows, other bool
	// pipes: a text of only "|" and spaces outside links has a "|";
	// unpiped: text outside links has anything but "|" and spaces.
	pipes, unpiped bool
	// unlabelled: text outside links has a word other than turnWords
	// (LaTeX2HTML's bar labels its links "Next:", "Up:", "Previous:").
	unlabelled bool
	// code: a pre or code element inside (rustdoc's signatures, whose
	// type names are links: "pub fn f<P: AsRef<Path>>").
	code     bool
	headings int // h1-h6 elements
	// rows counts tr elements, linkedRows those with a link in inPage
	// (summaryTable).
	rows, linkedRows int
	// entries counts links to any element of the page by its id or
	// name, the fragment percent-decoded (a method's entry, not only a
	// section): entrySummary's.
	entries int
	// said counts the letters and digits outside links in runs of text
	// the page says again where they point (saidAgain): a summary's
	// descriptions.
	said int
	// targets counts elements whose id or name a link of the page
	// points at (entry): an entry, which a summary of entries holds none
	// of.
	targets int
}

// mostlyLinks reports whether at most linkListOutside of st's letters
// lie outside its links, as a list, index table or menu of links has
// (linkList, summaryTable, siteMenu).
func (st linkStats) mostlyLinks() bool {
	return float64(st.outside) <= linkListOutside*float64(st.inside)
}

// measureLinks computes linkStats for every element under n in one pass
// (after one to find the page's section ids), so that the heuristics cost
// linear time however deep the page nests. page is the page's file name,
// for telling links within it. A link within the page counts in inPage
// only when it points at a section (sectionIDs): a table of contents
// does, a list of options linking to their entries does not. around
// holds the pages the page's <link rel> names as its neighbours
// (neighbours).
func measureLinks(n *html.Node, page string, around map[string]bool) map[*html.Node]linkStats {
	sections := sectionIDs(n)
	alias := ownAlias(n, sections)
	ids := pageIDs(n)
	// entry returns the id a link points at when it is an element of
	// the page, its fragment percent-decoded as a browser does
	// ("#for%28type%29" is id="for(type)"); else "".
	entry := func(a *html.Node) string {
		where, frag, ok := splitHref(attr(a, "href"))
		if !ok || where != "" && where != page && where != alias {
			return ""
		}
		if !ids[frag] {
			return ""
		}
		return frag
	}
	repeated, linked := saidAgain(n, entry)
	out := make(map[*html.Node]linkStats)
	var walk func(*html.Node, bool, bool) linkStats
	walk = func(c *html.Node, inLink, inSaid bool) linkStats {
		var st linkStats
		inSaid = inSaid || repeated[c]
		switch c.Type {
		case html.TextNode:
			if inLink {
				st.inside = countLetters(c.Data)
			} else {
				st.outside = countLetters(c.Data)
				if inSaid {
					st.said = st.outside
				}
				st.symbols = strings.IndexFunc(c.Data, func(r rune) bool {
					return !isLetterOrDigit(r) && !unicode.IsSpace(r) && !strings.ContainsRune(barSeparators, r)
				}) >= 0
				st.arrows, st.other = separatedBy(c.Data, crumbArrows)
				st.pipes, st.unpiped = separatedBy(c.Data, "|")
				// Only navBar reads it, and only for blocks of at most
				// navBarLetters letters outside their links: a longer
				// text is not split into words on every page.
				st.unlabelled = st.outside > navBarLetters || slices.ContainsFunc(strings.Fields(c.Data), func(w string) bool {
					w = bareWord(w)
					return w != "" && !turnWords[w]
				})
			}
			return st
		case html.ElementNode:
			if markedCurrent(c) {
				st.current = 1
			}
			if linked[attr(c, "id")] || c.DataAtom == atom.A && linked[attr(c, "name")] {
				st.targets = 1
			}
			if href := attr(c, "href"); c.DataAtom == atom.A && href != "" {
				if !inLink {
					st.links = 1
					if around[strings.TrimSpace(href)] {
						st.neighbours = 1
					}
					if saysWhereItTurns(c) {
						st.turns = 1
					}
					where, frag, ok := splitHref(href)
					if ok && sections[frag] && (where == "" || where == page || where == alias) {
						st.inPage = 1
					}
					if entry(c) != "" {
						st.entries = 1
					}
					if frag == "" && where != "" && (where == page || where == alias) {
						st.self = 1
					}
				}
				inLink = true
				for _, r := range strings.Fields(strings.ToLower(attr(c, "rel"))) {
					st.nav = st.nav || navRels[r]
				}
				st.nav = st.nav || attr(c, "accesskey") != "" || pageTurn(c)
			}
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			ks := walk(k, inLink, inSaid)
			st.nav = st.nav || ks.nav
			st.symbols = st.symbols || ks.symbols
			st.arrows = st.arrows || ks.arrows
			st.other = st.other || ks.other
			st.pipes = st.pipes || ks.pipes
			st.unpiped = st.unpiped || ks.unpiped
			st.unlabelled = st.unlabelled || ks.unlabelled
			st.code = st.code || ks.code
			st.links += ks.links
			st.neighbours += ks.neighbours
			st.turns += ks.turns
			st.inPage += ks.inPage
			st.self += ks.self
			st.current += ks.current
			st.inside += ks.inside
			st.outside += ks.outside
			st.headings += ks.headings
			st.rows += ks.rows
			st.linkedRows += ks.linkedRows
			st.entries += ks.entries
			st.said += ks.said
			st.targets += ks.targets
		}
		if c.Type == html.ElementNode {
			if isHeading(c.DataAtom) {
				st.headings++
			}
			if c.DataAtom == atom.Tr {
				st.rows++
				if st.inPage > 0 {
					st.linkedRows++
				}
			}
			st.code = st.code || c.DataAtom == atom.Pre || c.DataAtom == atom.Code
			out[c] = st
		}
		return st
	}
	walk(n, false, false)
	return out
}

// separatedBy reports whether text s is made of the runes of seps and
// spaces only, with at least one of seps (sep), and whether it has
// anything else (other). Nearly every text has a letter, which settles
// other at its first; only a text of separators and spaces is read again.
func separatedBy(s, seps string) (sep, other bool) {
	other = strings.IndexFunc(s, func(r rune) bool {
		return !unicode.IsSpace(r) && !strings.ContainsRune(seps, r)
	}) >= 0
	return !other && strings.ContainsAny(s, seps), other
}

// Bounds of ownAlias: how many of the page's relative links to its own
// section ids must name the other file, and what share of them.
const (
	aliasMinLinks = 5
	aliasShare    = 0.8
)

// ownAlias returns the file name a page copied under another name still
// calls itself in its links (Doxygen's commands.html saved as
// doxygen-commands.html links to commands.html#cmda), else "": the one
// relative path that at least aliasMinLinks and aliasShare of the
// relative links to this page's section ids (sections) name. Generators that make ids
// from heading text give pages many ids in common, so a link to another
// page's #installation is not enough; a page's list of its own sections
// written with its old name is nearly all such links.
func ownAlias(n *html.Node, sections map[string]bool) string {
	count := make(map[string]int)
	total := 0
	for c := range n.Descendants() {
		if c.DataAtom != atom.A {
			continue
		}
		where, frag, ok := splitHref(attr(c, "href"))
		if !ok || where == "" || !sections[frag] {
			continue
		}
		// A scheme ("https:", "mailto:") or a host ("//example.org/p")
		// is another site's page, never this one.
		if !strings.Contains(where, ":") && !strings.HasPrefix(where, "//") {
			count[where]++
			total++
		}
	}
	for where, k := range count {
		if k >= aliasMinLinks && float64(k) >= aliasShare*float64(total) {
			return where
		}
	}
	return ""
}

// sectionIDs returns the ids under n that name a section: a heading's own
// or an anchor's inside it (Node.js's <a class="mark" id>), or that of an
// element holding a heading (Sphinx's section, texinfo's node div,
// DocBook's sect div). An element id'd and holding a heading only deep
// inside, such as a page wrapper, is rarely a link's target, so no closer
// look is taken.
func sectionIDs(n *html.Node) map[string]bool {
	ids := make(map[string]bool)
	var walk func(*html.Node) bool // reports whether c holds a heading
	walk = func(c *html.Node) bool {
		has := c.Type == html.ElementNode && isHeading(c.DataAtom)
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			if walk(k) {
				has = true
			}
		}
		if id := attr(c, "id"); has && id != "" {
			ids[id] = true
		}
		if id := searchHeading(c); id != "" {
			ids[id] = true
		}
		if id := markerBeforeHeading(c); id != "" {
			ids[id] = true
		}
		if c.Type == html.ElementNode && isHeading(c.DataAtom) {
			// The anchor inside it (Node.js's <a class="mark" id>,
			// Lua's <a name>) names its section as well, and so does
			// every other target in it: the Lynx guide's table of
			// contents links to the <a name="Help"> inside
			// <h2 id="id-Help">.
			if a := ownAnchor(c); a != "" {
				ids[a] = true
			}
			for a := range c.Descendants() {
				if a.DataAtom == atom.A {
					if id := cmp.Or(attr(a, "id"), attr(a, "name")); id != "" {
						ids[id] = true
					}
				}
			}
		}
		return has
	}
	walk(n)
	return ids
}

// markerBeforeHeading returns the id (or an a's name) of empty element
// n (white space or a no-break space at most) when a heading follows it
// with nothing but white space between: the target texi2any's,
// gtk-doc's, the JDK's and man2html's pages put before each heading (<a
// name="Synopsis"></a><h2>, <A NAME="lbAB">&nbsp;</A><H2>), which their
// tables of contents link to. Else "".
func markerBeforeHeading(n *html.Node) string {
	if n.Type != html.ElementNode || !blank(n) {
		return ""
	}
	id := attr(n, "id")
	if id == "" && n.DataAtom == atom.A {
		id = attr(n, "name")
	}
	if id == "" {
		return ""
	}
	for m := n; ; m = m.Parent {
		for c := m.NextSibling; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.ElementNode:
				if isHeading(c.DataAtom) {
					return id
				}
				return ""
			case c.Type == html.TextNode && strings.TrimSpace(c.Data) != "":
				return ""
			}
		}
		// Out of the paragraph it ends: man2html writes <P><A
		// NAME="lbAB">&nbsp;</A><H2>, and the parser closes the paragraph
		// at the heading (whose anchor it is then, as headingAnchor
		// takes the id just before a heading).
		if m.Parent == nil || m.Parent.DataAtom != atom.P {
			return ""
		}
	}
}

// searchHeading returns the id of an <h _id="pragma_auto_vacuum"
// style="display:none"> element, "" for any other node. SQLite's
// documentation marks the sub-sections of a page this way for its site
// search, after the <a name> that links reach them by: pragma.html's 74
// pragmas have no other heading, so without it one section held 93% of
// the page. The element is no HTML heading (h1-h6); it opens a section at
// the deepest heading level, closed by the next of its kind or any h1-h6.
func searchHeading(n *html.Node) string {
	if n.Type != html.ElementNode || n.DataAtom != 0 || n.Data != "h" {
		return ""
	}
	return attr(n, "_id")
}

func isHeading(a atom.Atom) bool {
	switch a {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// navBar reports whether n is a block of page-to-page navigation: it
// holds a link marked rel next, prev or up, or given an accesskey (as
// texinfo's and DocBook's bars are), and almost no text outside its
// links, or is a row of buttons: four or more links whose texts average
// at most buttonLetters letters ("[ << ] [ < ] [ Up ] [ > ] [ >> ] [Top]
// [Contents] [Index] [ ? ]", texi2any 6's bar, which marks none), or a
// breadcrumb trail: links with only arrows between them (Apache's
// "Apache > HTTP Server > Documentation > Version 2.4 > Modules"), or
// three or more links, two of them or more to pages the head names as
// the page's neighbours, and nothing but separators between them
// (Halibut's "Previous | Contents | Index | Next"; a sentence that
// links the next page and the contents, as Flask's "Check out the
// Quickstart or go to the Documentation Overview", and gtk-doc's "See
// also" of two neighbours stay). Such a
// bar stands just before each section's heading in a texinfo manual, so
// kept it would give the previous section the next one's title, and its
// text would part the heading from the section div whose id the manual's
// own links use.
func (p *htmlParser) navBar(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Div, atom.P, atom.Table, atom.Ul, atom.Ol:
	default:
		return false
	}
	st := p.links[n]
	// A bar has almost no text outside its links; a section that holds
	// a bar (texinfo 7 nests it in the node's div) is not one, however
	// short.
	if st.outside > navBarLetters || st.headings > 0 {
		return false
	}
	buttons := st.links >= 4 && st.inside <= buttonLetters*st.links && !st.symbols && !st.code
	trail := st.links >= 2 && st.arrows && !st.other && !st.code
	// Three or more links with "|" and nothing else between them are a
	// menu (Django's "Home | Table of contents | Index | Modules" above
	// every page), whatever their length.
	piped := st.links >= 3 && st.pipes && !st.unpiped && !st.code
	// Their labels may stand between them (LaTeX2HTML's "Next: User
	// Manual Up: ... Previous: ..."), and nothing else.
	neighbours := st.links >= 3 && st.neighbours >= 2 && !st.unlabelled && !st.code
	// A one-row table of links and nothing else outside the article is
	// the site's menu bar (Boost's "Home Libraries People FAQ More" above
	// every page, a logo in its first cell). A table of links with rows
	// is content (pathlib's os functions beside their Path methods).
	menuRow := n.DataAtom == atom.Table && p.inArticle == 0 && st.rows == 1 && st.links >= 4 && st.outside == 0 && !st.symbols && !st.code
	// Two or more links that each say where they turn, and nothing else:
	// groff's mom pages open with "Back to Table of Contents | Next:
	// Graphics, floats, preprocessor support" and end with "... | Top |
	// Next: ..." in a one-row table, which no rel or class marks.
	turns := st.links >= 2 && st.turns == st.links && st.outside == 0 && !st.code
	if n.DataAtom == atom.Ul || n.DataAtom == atom.Ol {
		// A list is a bar only so: Yodl puts "Table of Contents",
		// "Previous Chapter", "Next Chapter" in a <ul> above and below
		// every chapter. Other lists of links are linkList's and
		// siteMenu's to judge.
		return turns
	}
	// A trail may end in the page itself, unlinked (YARD's "Index »
	// File: Tags Overview"); only then is text besides arrows allowed.
	current := st.links >= 1 && st.other && !st.code && p.currentCrumb(n)
	return st.nav || neighbours || buttons || trail || piped || menuRow || turns || current
}

// currentCrumb reports whether n is a breadcrumb trail that ends in the
// page's own name as plain text: links with only arrows (crumbArrows)
// between them, then an arrow and a text the page's <title> holds (YARD's
// "Index » File: Tags Overview" and "Index (D) » YARD » Docstring", whose
// titles are "File: Tags Overview — YARD 0.9.28 Documentation" and
// "Class: YARD::Docstring — ..."). A sentence that links a page and
// points on with an arrow ("see Setup » then Usage") names another page
// than its own, and a trail followed by more links is a menu.
func (p *htmlParser) currentCrumb(n *html.Node) bool {
	var tail strings.Builder
	links, arrowed := 0, false
	ok := true
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		for k := c.FirstChild; k != nil && ok; k = k.NextSibling {
			switch {
			case k.Type == html.ElementNode && k.DataAtom == atom.A && attr(k, "href") != "":
				// A link after the tail, or two without an arrow between.
				ok = tail.Len() == 0 && (links == 0 || arrowed)
				links++
				arrowed = false
			case k.Type == html.TextNode:
				text := k.Data
				if tail.Len() == 0 {
					rest := strings.TrimLeftFunc(text, func(r rune) bool {
						return unicode.IsSpace(r) || strings.ContainsRune(crumbArrows, r)
					})
					arrowed = arrowed || strings.ContainsAny(text[:len(text)-len(rest)], crumbArrows)
					text = rest
				}
				if strings.TrimSpace(text) != "" {
					// The page's name comes after an arrow, and only once.
					ok = links > 0 && arrowed && !strings.ContainsAny(text, crumbArrows)
					tail.WriteString(text)
				}
			case k.Type == html.ElementNode:
				walk(k)
			}
		}
	}
	walk(n)
	name := foldText(tail.String())
	return ok && name != "" && strings.Contains(p.title, name)
}

// turnWords are the first words of a link that says where it turns
// rather than what it holds (linkStats.turns), lower-cased, without
// the punctuation around it: "Next:", "Previous", "Back to ...", "Top",
// "Up", "Home", and the book's "Contents" and "Index" that such bars
// name beside them (GAPDoc's "[Top of Book] [Contents] [Previous
// Chapter] [Next Chapter]"). Only a block of nothing but such links is
// navigation (navBar); one among others says nothing ("Top-level names"
// is another word, and an "Index of functions" among links to other
// pages is content).
var turnWords = map[string]bool{"next": true, "previous": true, "prev": true, "back": true, "top": true, "up": true, "home": true,
	"contents": true, "index": true}

// saysWhereItTurns reports whether link a says where it turns (its first
// word one of turnWords) or names the table of contents (tocTitles).
func saysWhereItTurns(a *html.Node) bool {
	return turnWords[firstWord(a)] || tocTitles[foldText(textUnder(a))]
}

// firstWord returns the first word of the text under n, lower-cased and
// without the punctuation around it ("Next:" -> "next", GAPDoc's
// "[Previous Chapter]" -> "previous"), reading only as far as that word.
func firstWord(n *html.Node) string {
	for c := range n.Descendants() {
		if c.Type != html.TextNode {
			continue
		}
		if f := strings.Fields(c.Data); len(f) > 0 {
			return bareWord(f[0])
		}
	}
	return ""
}

// bareWord is word w lower-cased, without the punctuation around it.
func bareWord(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !isLetterOrDigit(r) }))
}

// linkList reports whether n is a list of links and little else, at
// least two of them, most of them to places in the page itself: a table
// of contents (DocBook writes its own as a dl), a section's menu of its
// subsections. Their words are the titles of other sections, and indexed
// they would make a match for every section's name. A list of links to
// other pages is kept, as it can be content (os.chmod's list of the stat
// module's mode constants); tables are summaryTable's.
func (p *htmlParser) linkList(n *html.Node) bool {
	st := p.links[n]
	least := 2
	switch n.DataAtom {
	case atom.Ul, atom.Ol, atom.Dl:
	case atom.P:
		// A paragraph of links to the page's sections, separators
		// between them (ImageMagick's "-adaptive-blur • -adaptive-resize
		// • ..." over its options). Fewer links are a sentence's
		// cross-references.
		least = 5
	case atom.Div:
		// A div of such links and nothing else, not even a heading:
		// Doxygen's div.summary "Data Structures | Macros | ... |
		// Functions" atop an API page. A div that titles its list
		// ("Contents") or says what it lists is a page's sidebar or an
		// index, whose ids and text other rules place (Qt's sidebar
		// holds the empty div#sidebar-content the class introduction
		// is cited at).
		if st.outside > 0 || st.headings > 0 {
			return false
		}
		least = 5
	default:
		return false
	}
	return st.links >= least && 2*st.inPage > st.links && st.inside > 0 && st.mostlyLinks()
}

// siteMenuLinks is the fewest links a site's menu has (siteMenu).
const siteMenuLinks = 5

// siteMenu reports whether n is the site's menu beside the page: a list,
// div or table cell outside the article, of at least siteMenuLinks links
// and little else, one of them to the page itself, as a menu marks where
// the reader is (Node.js's div#column2 of every module, libxml2's "Main
// Menu"). A list of links that is content (os.chmod's list of the stat
// module's constants, an index page's list of pages) does not link the
// page it is on, and an API signature whose type names are links
// (Haddock's instances, Doxygen's members, which link their own page)
// has symbols between them.
func (p *htmlParser) siteMenu(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Ul, atom.Ol, atom.Div, atom.Td:
	default:
		return false
	}
	st := p.links[n]
	return p.inArticle == 0 && (st.self > 0 || st.current > 0) && st.links >= siteMenuLinks && st.headings == 0 && !st.symbols &&
		st.inside > 0 && st.mostlyLinks()
}

// markedCurrent reports whether element n is marked as the reader's place
// in a menu (linkStats.current): aria-current set to anything but "false"
// (empty is false too, as ARIA says), or a class "current" or "active".
func markedCurrent(n *html.Node) bool {
	if v := attr(n, "aria-current"); v != "" && v != "false" {
		return true
	}
	return hasAnyClass(n, "current", "active")
}

// hasLetters reports whether any text under n has a letter or digit (what
// countLetters counts), stopping at the first instead of copying all of
// n's text: n may be a page's whole <main>.
func hasLetters(n *html.Node) bool {
	if n.Type == html.TextNode {
		return hasLettersIn(n.Data)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasLetters(c) {
			return true
		}
	}
	return false
}

// textUnder returns the text under n, as the page has it.
func textUnder(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// blank reports whether n holds no text but white space (no-break
// spaces too): an empty element, as man2html's <DT> spacers are.
func blank(n *html.Node) bool {
	for c := range n.Descendants() {
		if c.Type == html.TextNode && strings.TrimFunc(c.Data, unicode.IsSpace) != "" {
			return false
		}
	}
	return true
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func countLetters(s string) int {
	c := 0
	for _, r := range s {
		if isLetterOrDigit(r) {
			c++
		}
	}
	return c
}

// headingAnchor picks the fragment id that links to heading n: its own
// id, the target of a permalink inside it (Sphinx's a.headerlink), the id
// or name of an anchor inside it, else an id seen just before it with no
// text in between, preferring an anchor around the heading, then an
// enclosing section or div, to an inline anchor, else that of the element
// whose section it opens (headingOwners).
func (p *htmlParser) headingAnchor(n *html.Node) string {
	own := ownAnchor(n)
	if id := attr(n, "id"); id != "" && own == id && p.firstID[id] != n {
		// A later copy of an id: links to it reach the first (Erlang's
		// pages give every function's "Types" heading id="types").
		own = ""
	}
	if p.inlineID != "" && anchorAround(n, p.inlineID) {
		// An anchor around the heading is nearer than any container
		// opened before it: Haddock writes <div id="interface"><a
		// id="g:1"><h1>, and its contents link to #g:1.
		return cmp.Or(own, p.inlineID)
	}
	return cmp.Or(own, p.containerID, p.inlineID, p.owners[n], linkName(n))
}

// anchorAround reports whether an a element around n carries id as its
// id or name.
func anchorAround(n *html.Node, id string) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		if a.DataAtom == atom.A && (attr(a, "id") == id || attr(a, "name") == id) {
			return true
		}
	}
	return false
}

// firstIDs maps each id under n to the first element carrying it.
func firstIDs(n *html.Node) map[string]*html.Node {
	first := make(map[string]*html.Node)
	for c := range n.Descendants() {
		if id := attr(c, "id"); c.Type == html.ElementNode && id != "" {
			if _, ok := first[id]; !ok {
				first[id] = c
			}
		}
	}
	return first
}

// articleLevels maps each heading inside an article that ranks as high
// as the article's first heading, or higher, to one level below that
// heading: an article is a section, and the headings after its own are
// inside it whatever their rank. Erlang's reference pages make every
// function an <article> titled by an <h4> and put an <h3>Types</h3>
// inside it, which would otherwise close the function and hold every
// function after it. The same holds for any element but the content
// root n and the body that a heading leads (is its first child element),
// for the headings that outrank it inside the elements after it:
// gi-docgen writes <div><h4>Description</h4><div class="docblock">
// around the class description, whose own headings are h3, and then
// <div><h4 id="ancestors">.
func articleLevels(n *html.Node) map[*html.Node]int {
	levels := articleOnlyLevels(n)
	rank := func(h *html.Node) int { return int(h.Data[1] - '0') }
	// lead is the level of the nearest heading that leads an element
	// around c and comes before it, 0 when there is none.
	var walk func(c *html.Node, lead int)
	walk = func(c *html.Node, lead int) {
		if c.Type != html.ElementNode && c.Type != html.DocumentNode {
			return
		}
		if _, ok := levels[c]; !ok && isHeading(c.DataAtom) && lead > 0 && rank(c) < lead {
			levels[c] = min(lead+1, 6)
		}
		var h *html.Node
		if f := firstElement(c); c != n && c.DataAtom != atom.Body && f != nil && isHeading(f.DataAtom) {
			h = f
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			switch {
			case h == nil || k == h:
				walk(k, lead)
			default:
				walk(k, cmp.Or(levels[h], rank(h)))
			}
		}
	}
	walk(n, 0)
	return levels
}

// firstElement returns n's first child element, nil if it has none.
func firstElement(n *html.Node) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return c
		}
	}
	return nil
}

// articleOnlyLevels is articleLevels for headings inside articles.
func articleOnlyLevels(n *html.Node) map[*html.Node]int {
	levels := make(map[*html.Node]int)
	rank := func(h *html.Node) int { return int(h.Data[1] - '0') }
	// first is the enclosing article's first heading, nil outside
	// articles.
	var walk func(c, first *html.Node)
	walk = func(c, first *html.Node) {
		switch {
		case c.Type != html.ElementNode:
		case c.DataAtom == atom.Article:
			first = nil
			for k := range c.Descendants() {
				if k.Type == html.ElementNode && isHeading(k.DataAtom) {
					first = k
					break
				}
			}
		case isHeading(c.DataAtom) && first != nil && c != first && rank(c) <= rank(first):
			levels[c] = min(rank(first)+1, 6)
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k, first)
		}
	}
	walk(n, nil)
	return levels
}

// headingOwners maps each heading under n to the id of the nearest element
// that is its section: the element's first heading, with every other
// heading in it deeper. rustdoc's <section id="method.push"> holds a
// version and a "source" link before its h4, texinfo 6.8's node div a
// Prev/Up/Next table without rel or accesskey before its h2. That text
// parts the id from the heading, so the id seen just before the heading
// (containerID) is gone by then; the element still names the section its
// heading opens. A wrapper holding several sections names none of them.
func headingOwners(n *html.Node) map[*html.Node]string {
	owners := make(map[*html.Node]string)
	level := func(h *html.Node) int { return int(h.Data[1] - '0') }
	// walk returns c's first heading and the lowest level (the highest
	// rank) of its other headings, 7 when there are none.
	var walk func(*html.Node) (*html.Node, int)
	walk = func(c *html.Node) (*html.Node, int) {
		var first *html.Node
		rest := 7
		if c.Type == html.ElementNode && isHeading(c.DataAtom) {
			first = c
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			kf, kr := walk(k)
			switch {
			case kf == nil:
			case first == nil:
				first, rest = kf, kr
			default:
				rest = min(rest, level(kf), kr)
			}
		}
		if id := attr(c, "id"); first != nil && first != c && id != "" && rest > level(first) {
			if _, ok := owners[first]; !ok { // a nearer element named it
				owners[first] = id
			}
		}
		return first, rest
	}
	walk(n)
	return owners
}

// ownAnchor is the fragment id heading n carries itself: its id, the
// target of a permalink inside it (Sphinx's and MkDocs' a.headerlink),
// the id or name of an anchor inside it (innerTarget), or else the id of
// any other element inside it (MediaWiki's <h3><span class="mw-headline"
// id="Details">); "" when it has none.
func ownAnchor(n *html.Node) string {
	if id := attr(n, "id"); id != "" {
		return id
	}
	var permalink, inner, other string
	visit(n, func(c *html.Node) {
		if c.DataAtom != atom.A {
			if other == "" && hasLetters(c) {
				// Words of the heading, not a control beside them
				// (rustdoc's <button id="copy-path"> in every h1).
				other = attr(c, "id")
			}
			return
		}
		if href := attr(c, "href"); permalink == "" && hasClass(c, "headerlink") && strings.HasPrefix(href, "#") && len(href) > 1 {
			permalink = href[1:]
		}
		if inner == "" {
			inner = innerTarget(c)
		}
	})
	return cmp.Or(permalink, inner, other)
}

// innerTarget returns the id, else the name, of anchor a inside a
// heading: a place links reach the heading by. The name of a link to
// another page is one only where nothing nearer names the heading
// (linkName): Scaladoc gives every type in a signature <a
// href="Regex$$MatchIterator.html"
// name="scala.util.matching.Regex.MatchIterator"> (href="" for the page's
// own type), the member's own targets standing before the heading, while
// texi2html's footnotes are <h3><a name="FOOT1" href="m_1.html#DOCF1">.
// An id is a target whatever the anchor links to.
func innerTarget(a *html.Node) string {
	if id := attr(a, "id"); id != "" {
		return id
	}
	if linksAway(a) {
		return ""
	}
	return attr(a, "name")
}

// linksAway reports whether a is a link to anything but a place in the
// page ("#x").
func linksAway(a *html.Node) bool {
	return hasAttr(a, "href") && !strings.HasPrefix(attr(a, "href"), "#")
}

// linkName returns the name of the first link to another page inside
// heading n that has one (innerTarget), else "".
func linkName(n *html.Node) string {
	for c := range n.Descendants() {
		if c.DataAtom == atom.A && linksAway(c) && attr(c, "name") != "" {
			return attr(c, "name")
		}
	}
	return ""
}

// hasAttr reports whether n has attribute key, even empty (href="" links
// the page itself).
func hasAttr(n *html.Node, key string) bool {
	return slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Namespace == "" && a.Key == key })
}

// headingText is n's visible text on one line, without permalinks: a
// Sphinx headerlink, or any link within the page whose text is only
// symbols (Node.js's "#", a "¶" or "🔗"), without what is aria-hidden
// or hidden, and without symbols such as Doxygen's "◆" at either end.
func headingText(n *html.Node) string {
	var b strings.Builder
	root := n
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (hasClass(n, "headerlink") || sourceLink(n) || scriptLink(n) || footnoteMark(n) || n.DataAtom == atom.Script || n.DataAtom == atom.Style ||
			attr(n, "aria-hidden") == "true" || n != root && hidden(n)) {
			// Hidden from readers, it is no part of the heading's name:
			// ffmpeg's headings end with "#" and "TOC" links, and
			// rustdoc's with a tooltip of notable traits. (SQLite's
			// hidden <h _id> is itself a heading: searchHeading.)
			return
		}
		if n.DataAtom == atom.A && strings.HasPrefix(attr(n, "href"), "#") && !hasLetters(n) {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.DataAtom == atom.Br {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	t := strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "¶", "")), " ")
	return strings.TrimSpace(strings.TrimFunc(t, func(r rune) bool { return unicode.Is(unicode.So, r) }))
}

// contentRoot returns the element holding the page's main content: the
// first main or [role=main], else the article when the page has one (not
// counting articles inside it), else Sphinx's div.body, else the whole
// document. A page of several articles is not one of them: Erlang's
// reference pages make each data type and function an article.
func contentRoot(root *html.Node) *html.Node {
	var mainEl, article, body *html.Node
	articles := 0
	visit(root, func(n *html.Node) {
		if n.DataAtom == atom.Article && !insideArticle(n) {
			articles++
		}
		switch {
		case mainEl == nil && (n.DataAtom == atom.Main || attr(n, "role") == "main") && hasLetters(n):
			// An empty one is a template's leftover, not the content
			// (ImageMagick's pages open an empty <div role="main"> before
			// their <main>): taken, it would leave the page without text.
			mainEl = n
		case article == nil && n.DataAtom == atom.Article:
			article = n
		case body == nil && n.DataAtom == atom.Div && hasClass(n, "body"):
			body = n
		}
	})
	if articles > 1 {
		article = nil
	}
	for _, n := range []*html.Node{mainEl, article, body} {
		if n != nil {
			return n
		}
	}
	return root
}

// insideArticle reports whether n has an article ancestor.
func insideArticle(n *html.Node) bool {
	for a := n.Parent; a != nil; a = a.Parent {
		if a.DataAtom == atom.Article {
			return true
		}
	}
	return false
}

// titleText is the text of the page's first <title>.
func titleText(root *html.Node) string {
	var t string
	found := false
	visit(root, func(n *html.Node) {
		if !found && n.DataAtom == atom.Title {
			found = true
			t = headingText(n)
		}
	})
	return t
}

// firstH1 is the text of the first h1 in content, else anywhere in root,
// leaving out the site's (siteTitle), and whether it is in content.
func firstH1(content, root, site *html.Node) (text string, inContent bool) {
	for i, r := range []*html.Node{content, root} {
		var h *html.Node
		visit(r, func(n *html.Node) {
			if h == nil && n.DataAtom == atom.H1 && n != site {
				h = n
			}
		})
		if h != nil {
			if t := headingText(h); t != "" {
				return t, i == 0
			}
		}
	}
	return "", false
}

// pageTitle chooses a page's title. A <title> that is the page's h1 with
// the site's name joined to it by a separator ("json — JSON encoder and
// decoder — Python 3.11.2 documentation", "Blog | Post") gives the h1: the
// rest names the site, not the page, and would repeat in every chunk of
// every page. Any other <title> is kept as it is; without one the first
// h1 is the title.
func pageTitle(title, h1 string) string {
	switch {
	case title == "":
		return h1
	case h1 == "" || title == h1:
		return title
	}
	if rest, ok := strings.CutPrefix(title, h1); ok && startsWithSeparator(strings.TrimLeft(rest, " ")) && strings.HasPrefix(rest, " ") {
		return h1
	}
	if _, ok := beforeSeparated(title, h1); ok {
		return h1
	}
	return title
}

// beforeSeparated returns what title holds before tail when it ends with
// tail after a space-separated separator ("Page - Site"), with the
// separator and spaces trimmed.
func beforeSeparated(title, tail string) (string, bool) {
	rest, ok := strings.CutSuffix(title, tail)
	if !ok || !strings.HasSuffix(rest, " ") || !endsWithSeparator(strings.TrimRight(rest, " ")) {
		return "", false
	}
	return strings.TrimRightFunc(rest, func(r rune) bool { return r == ' ' || isTitleSeparator(r) }), true
}

// siteNamedTitle is the title of a page whose only h1 stands outside its
// content, in the site's menu bar (mdBook's h1.menu-title, the book's
// name on every page): a <title> that ends with that h1 after a
// separator ("Storing UTF-8 Encoded Text with Strings - The Rust
// Programming Language") gives what comes before it, the page's name,
// when the content's first heading (first) says so too; pageTitle would
// have kept the book's name for all 82 such pages of the Rust book. A
// "Site | Page" <title> whose page h1 stands in a header outside the
// content is pageTitle's to decide, as is any other.
func siteNamedTitle(title, h1, first string) string {
	if page, ok := beforeSeparated(title, h1); ok && page != "" && foldText(page) == foldText(first) {
		return page
	}
	return pageTitle(title, h1)
}

// firstHeading is the text of the first h1-h6 under n, or "".
func firstHeading(n *html.Node) string {
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && isHeading(c.DataAtom) {
			return headingText(c)
		}
	}
	return ""
}

func isTitleSeparator(r rune) bool {
	switch r {
	case '—', '–', '-', '|', '·', '•', ':', '«', '»':
		return true
	}
	return false
}

func startsWithSeparator(s string) bool {
	for _, r := range s {
		return isTitleSeparator(r)
	}
	return false
}

func endsWithSeparator(s string) bool {
	r := []rune(s)
	return len(r) > 0 && isTitleSeparator(r[len(r)-1])
}

// dropTitleHeading removes a top heading that repeats the document title
// from every section's Path (it would say the title twice in the heading
// path).
func dropTitleHeading(doc *Document) {
	for i := range doc.Sections {
		s := &doc.Sections[i]
		if len(s.Path) > 0 && sameText(s.Path[0], doc.Title) {
			// nil, not empty, when nothing is left: a document read
			// back from gob (the PDF sandbox's) is the same then.
			s.Path = slices.Clone(s.Path[1:])
			if len(s.Path) == 0 {
				s.Path = nil
			}
		}
	}
}

// sameText compares two headings ignoring case and spacing.
func sameText(a, b string) bool {
	return foldText(a) == foldText(b)
}

// foldText returns s lower-cased with its runs of spaces made one space
// and none at either end, for comparing texts as a reader sees them.
func foldText(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), unicode.IsSpace), " ")
}

// visit calls f on every element under and including n, in document order.
func visit(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		visit(c, f)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// admonitionClasses are the classes DocBook's XSL gives a note, tip or
// warning box (<div class="note"><h3 class="title">Note</h3>...), the
// one common generator that titles them with a heading element.
var admonitionClasses = []string{"note", "tip", "warning", "caution", "important", "admonition"}

// isAdmonition reports whether n is an admonition box (a div or aside
// with one of admonitionClasses).
func isAdmonition(n *html.Node) bool {
	if n.DataAtom != atom.Div && n.DataAtom != atom.Aside {
		return false
	}
	return slices.ContainsFunc(strings.Fields(attr(n, "class")), func(c string) bool {
		return slices.Contains(admonitionClasses, c)
	})
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

// hasAnyClass reports whether n has one of classes, splitting its class
// attribute once for all of them.
func hasAnyClass(n *html.Node, classes ...string) bool {
	return slices.ContainsFunc(strings.Fields(attr(n, "class")), func(c string) bool { return slices.Contains(classes, c) })
}

// isBlock reports whether a is an element a browser lays out as a block
// of its own (HTML's block-level elements, table rows and cells, br).
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Li, atom.Ul, atom.Ol, atom.Br,
		atom.Tr, atom.Table, atom.Pre, atom.Blockquote, atom.Dd, atom.Dt, atom.Dl, atom.Hr, atom.Header,
		atom.Footer, atom.Main, atom.Nav, atom.Td, atom.Th, atom.Aside, atom.Figure, atom.Figcaption,
		atom.Caption, atom.Address, atom.Center, atom.Details, atom.Dialog, atom.Fieldset, atom.Form,
		atom.Hgroup, atom.Legend, atom.Menu, atom.Summary:
		return true
	}
	return false
}
