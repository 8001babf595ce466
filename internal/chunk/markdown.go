package chunk

import (
	"html"
	"math"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// parseMarkdown splits Markdown into sections at ATX headings ("# ...",
// indented by at most three spaces) and setext headings (a one-line
// paragraph over "===" or "---") outside fenced code blocks and HTML
// comments. Each heading's anchor is the id of a trailing attribute block
// ("## Intro {#custom}"), else its GitHub-style slug (see slugger). HTML
// comments outside code are dropped (not one that opens mid-line and
// closes on a later line). The title is the title of the front
// matter (YAML between "---" and "---" or "...", TOML between "+++"
// lines; see frontMatter; otherwise dropped), else the h1 if there is
// only one or the first heading is one; a document whose several h1s
// follow another heading has them as sections and no title of its own.
//
// source is the file's path: a file named README or index (whose name says
// nothing of it) is titled by its first HTML <h1> where nothing else
// titles it (htmlH1).
func parseMarkdown(src, source string) Document {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	var doc Document
	doc.Title, src = frontMatter(src)
	var (
		stack []heading
		lines []string // the current section's lines
		// code holds, for each of lines, whether it is code (fenced or
		// indented), whose text is kept as written; prose lines are
		// rendered (renderProse) when the section ends.
		code []bool
		// para is how many lines the paragraph ending the section has so
		// far, so that a one-line paragraph over "===" or "---" can become
		// a setext heading.
		para int
		// paraLazy is whether the paragraph's line is a lazy
		// continuation of a list item's or a quote's paragraph (CommonMark
		// 5.1, 5.2) or a list item's own line, none of which a heading's
		// text; quoted whether the line before was in a quote,
		// nestedQuote whether that quote is inside another, and
		// prevText whether it was paragraph text (of a list item or a
		// quote too), which alone a lazy line continues.
		paraLazy, quoted, nestedQuote, prevText bool
		// paraItem is the list item the paragraph is in (listItems.item;
		// 0: none), which ends it when it ends: "- a\n  b\n---" is a list
		// and a thematic break, no heading.
		paraItem int
		fence    codeFence
		// inQuote follows a fenced code block and list items inside a
		// quote: a quote's code is no paragraph a lazy line goes on.
		inQuote quoteBlocks
		// tableCols is the number of cells of the GFM table the line
		// before was a row of (0: none), and tableItem the list item the
		// table is in (listItems.item), which ends it when it ends.
		tableCols, tableItem int
		// comment is whether the lines are inside an HTML comment that
		// opened a line (CommonMark's HTML block of type 2).
		comment bool
		slugs   slugger
		rawH1   htmlH1
		defs    = refLabels(src)
	)
	add := func(line string, isCode bool) {
		lines = append(lines, line)
		code = append(code, isCode)
	}
	// endBlock ends the paragraph before a line that is dropped.
	endBlock := func() {
		para = 0
		if n := len(lines); n > 0 && lines[n-1] != "\n" {
			add("\n", false)
		}
	}
	// carried holds the text of headings that closed with nothing under
	// them before a heading of their own level: API signatures one above
	// the other ("### get(url)", "### post(url, data)", then what both
	// do). Like an HTML list's terms that share one description, they
	// are the next section's first lines, under its anchor.
	var carried []string
	// flush ends the current section before a heading of level next (0:
	// the document's end). An empty one before a sibling is carried; an
	// empty one that nothing continues is a section of its heading
	// alone, so that its words and anchor are kept; an empty parent is
	// in its children's heading paths.
	flush := func(next int) {
		var b strings.Builder
		for i := 0; i < len(lines); {
			j := i + 1
			for j < len(lines) && code[j] == code[i] {
				j++
			}
			run := strings.Join(lines[i:j], "")
			if !code[i] {
				run = renderProse(run, defs)
			}
			b.WriteString(run)
			i = j
		}
		text := strings.TrimSpace(b.String())
		lines, code = lines[:0], code[:0]
		para = 0
		if text == "" {
			if len(stack) == 0 {
				return
			}
			top := stack[len(stack)-1]
			switch {
			case next > top.level:
				return
			case next == top.level:
				carried = append(carried, top.text)
				return
			}
			text = top.text
		}
		if len(carried) > 0 {
			text = strings.Join(carried, "\n") + "\n\n" + text
			carried = nil
		}
		sec := Section{Text: text}
		for _, h := range stack {
			sec.Path = append(sec.Path, h.text)
			if h.anchor != "" {
				sec.Anchor = h.anchor
			}
		}
		if n := len(stack); n > 0 {
			sec.Heading = stack[n-1].text
		}
		doc.Sections = append(doc.Sections, sec)
	}
	firstH1, h1s, firstLevel := "", 0, 0
	// push opens a section at a heading, whose anchor is id if it has
	// one ("## Intro {#custom}"), else its slug.
	var items listItems
	// htmlBlock is whether the line is in an HTML block that opened with
	// a block tag (CommonMark's type 6), which a blank line ends.
	htmlBlock := false
	push := func(level int, h, id string) {
		flush(level)
		items.reset()
		// Cut before the slug is made, as Parse would cut it after:
		// the anchor is copied into every chunk of the section too.
		// GitHub slugs the text as shown, each space a "-" ("README:
		// Tcl" with two spaces is readme--tcl); the heading kept has
		// its runs of white space collapsed.
		shown := capHeading(h)
		h = capHeading(strings.Join(strings.Fields(h), " "))
		anchor := id // never cut: a cut id leads nowhere (Parse drops a long one)
		if anchor != "" {
			slugs.reserve(anchor)
		} else {
			anchor = slugs.slug(shown)
		}
		for len(stack) > 0 && stack[len(stack)-1].level >= level {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, heading{level: level, text: h, anchor: anchor})
		if firstLevel == 0 {
			firstLevel = level
		}
		if level == 1 {
			if h1s == 0 {
				firstH1 = h
			}
			h1s++
		}
	}
	for _, line := range strings.SplitAfter(src, "\n") {
		if fence.goesOn(line) {
			add(line, true)
			continue
		}
		inTable := tableCols
		tableCols = 0 // until the line is a row of the table
		// Inside a list item, indentation is the item's, not code's;
		// inside an HTML block, it is the markup's.
		// A lazy continuation line: shallower than the text of the item
		// it goes on, or a quote's paragraph going on without its ">";
		// either way text that a paragraph can go on with. A list item,
		// even an empty one, ends a quote ("> a\n-" is no heading).
		cols, rest := indentation(line)
		_, marker := listMarker(rest)
		quoteLazy := prevText && quoted && !blankLine(rest) && !strings.HasPrefix(rest, ">")
		endsQuote := quoteLazy && marker && !deepInQuote(cols, nestedQuote)
		inItem, itemCode, itemLazy := items.read(line, prevText && !endsQuote)
		lazy := itemLazy || quoteLazy && goesOnQuote(cols, rest, marker, nestedQuote)
		wasQuoted := quoted
		// markdown-it goes on with a quote at a ">" however deep ("> a\n
		// \t> b" is one quote): only its first line is indented at most
		// three columns.
		// A quote in a list item opens at most three columns into it.
		item := items.blockColumn(inItem, lazy)
		quoteCols := cols - max(item, 0)
		quoteGoesOn := quoted && quoteCols > 3 && strings.HasPrefix(rest, ">")
		if quoteCols <= 3 && strings.HasPrefix(rest, ">") || quoteGoesOn {
			quoted, nestedQuote = true, strings.HasPrefix(strings.TrimLeft(rest[1:], " \t"), ">")
		} else {
			quoted = quoted && lazy
		}
		if wasQuoted && !quoted {
			para = 0 // the quote, and its paragraph, has ended
		}
		quoteCode := false
		switch {
		case !quoted:
			inQuote = quoteBlocks{}
		case !lazy:
			quoteCode = inQuote.read(cols, rest, prevText)
		}
		if !lazy && items.item() != paraItem {
			para = 0 // the list item the paragraph was in has ended
		}
		prevText = false // until the line is added as text, below
		htmlBlock = htmlBlock && strings.TrimSpace(line) != "" || !htmlBlock && opensHTMLBlock(line)
		indentedCode := func(line string, para int) bool {
			switch {
			case htmlBlock, lazy, quoteGoesOn:
				return false
			case inItem:
				return itemCode
			}
			return indentedCode(line, para)
		}
		// HTML comments are dropped, as no renderer shows them; what
		// follows one that opened a line is left of its HTML block.
		inHTML := false
		if !comment && !indentedCode(line, para) {
			if rest, ok := opensComment(line); ok {
				comment, line = true, rest
			}
		}
		if comment {
			_, after, ok := strings.Cut(line, "-->")
			comment, inHTML, line = !ok, true, after
			if strings.TrimSpace(line) == "" {
				endBlock()
				continue
			}
		}
		if !indentedCode(line, para) {
			line = stripComments(line)
		}
		if inHTML {
			// The comment's HTML block ends with this line (CommonMark
			// 4.6): the next line opens a block of its own, so a link
			// reference definition may stand there.
			endBlock()
			add(line, false)
			endBlock()
			continue
		}
		trimmed := strings.Trim(line, mdSpace)
		if h1s == 0 && !rawH1.done && (rawH1.open || !indentedCode(line, para)) {
			rawH1.add(line)
		}
		// A fence or an underline is indented by at most three columns,
		// into its list item if it is in one.
		relCols, lineRest := indentation(line)
		relCols -= max(item, 0)
		if fence.opens(line, item) {
			para = 0
			add(line, true)
			continue
		}
		if level, h, id, ok := atxHeading(line, defs); ok {
			push(level, h, id)
			continue
		}
		// A GFM table: a header row, a delimiter row with as many cells,
		// then rows up to a blank line, the end of its list item or a
		// block: any list item, even "3)" or an empty one, and any HTML
		// block but a lone tag's (markdown-it's terminators of a table,
		// wider than a paragraph's). A row's cells past the header's are
		// not shown (GFM 4.10, markdown-it), so they are cut.
		if inTable > 0 && !lazy && relCols < 4 && trimmed != "" && items.item() == tableItem &&
			!interruptsParagraph(lineRest) && !marker && !opensRawHTMLBlock(lineRest) {
			tableCols, para = inTable, 0
			add(cutRow(line, inTable), false)
			continue
		}
		if n := delimiterRow(lineRest); n > 0 && !lazy && relCols <= 3 && len(lines) > 0 && !code[len(code)-1] &&
			rowCells(lines[len(lines)-1]) == n {
			tableCols, tableItem, para = n, items.item(), 0
			add(line, false)
			continue
		}
		// An underline is no lazy continuation line (CommonMark 4.3): "*
		// fix\nRelease v1.2\n===" is the item's text.
		level := setextUnderline(lineRest)
		underline := level > 0 && relCols <= 3 && para > 0 && !lazy
		if underline && para == 1 && !paraLazy {
			text, id := headingID(strings.TrimSpace(lines[len(lines)-1]))
			if h := inlineText(text, defs); h != "" {
				lines, code = lines[:len(lines)-1], code[:len(code)-1]
				push(level, h, id)
				continue
			}
		}
		isCode := indentedCode(line, para)
		// Where a paragraph is open, a line goes on with it unless it
		// opens a block (at most three columns into its list item) or is
		// the underline that ends it (a heading to CommonMark, which a
		// paragraph of several lines is not to us).
		continued := false
		switch {
		case trimmed == "" || underline:
			para = 0
		case para > 0 && (lazy || relCols > 3 || !interruptsParagraph(rest)):
			line = joinWrapped(lines, line)
			para++
			continued = true
		case relCols <= 3 && startsParagraph(lineRest):
			para, paraLazy, paraItem = 1, lazy, items.item()
		case inItem && marker && cols < items.column() && opensText(rest):
			// A list item's own line opens its paragraph.
			para, paraLazy, paraItem = 1, true, items.item()
		default:
			para = 0
		}
		// A lazy line is the paragraph's text however it reads ("> a\n
		// \t\t---" is no thematic break), so the next may go on it too.
		prevText = !isCode && !quoteCode && !underline && (continued || lazy || opensText(rest))
		add(line, isCode)
	}
	flush(0)
	// One h1, or several of which the first opens the document, titles
	// it. Several h1s after another heading (JUnit's release notes: "##
	// Summary of changes", then "# Assertions", "# Test Runners") are
	// sections like any other: the document has no title of its own then
	// (Parse gives it the file name).
	if doc.Title == "" && (h1s == 1 || h1s > 1 && firstLevel == 1) {
		doc.Title = firstH1
	}
	if doc.Title == "" && h1s == 0 && rawH1.done && genericName(source) {
		doc.Title = rawH1.title
	}
	dropTitleHeading(&doc)
	return doc
}

// mdSpace is the white space a blank line is made of: a line of a
// no-break space (U+00A0) is text to markdown-it, as to CommonMark.
const mdSpace = " \t\n"

// blankLine reports whether line is blank: nothing but mdSpace.
func blankLine(line string) bool {
	return strings.Trim(line, mdSpace) == ""
}

// opensComment reports whether line opens an HTML comment's block
// (CommonMark 4.6, type 2: "<!--" after at most three spaces), and
// returns the line from the comment's "--" on, so that "<!-->" reads as
// a whole comment.
func opensComment(line string) (rest string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || !strings.HasPrefix(t, "<!--") {
		return "", false
	}
	return t[2:], true
}

// goesOnQuote reports whether a line that is not blank and has fewer
// quote markers than the quote the line before was in (indented cols,
// rest the rest, marker whether rest opens with a list marker) goes on
// that quote's paragraph as a lazy continuation line (CommonMark 5.1):
// it opens no block, a list item (even an empty one) ending the quote,
// or it is indented past any block (deepInQuote). nested is whether the
// quote is inside another.
func goesOnQuote(cols int, rest string, marker, nested bool) bool {
	return deepInQuote(cols, nested) || !marker && !interruptsParagraph(rest)
}

// deepInQuote reports whether a line indented cols columns opens no
// block, so that it goes on a quote's paragraph: four columns or more,
// except that markdown-it reads such a line for a block inside a quote
// inside a quote, however deep ("> > a\n\t\t````" is the quote, then
// code).
func deepInQuote(cols int, nested bool) bool {
	return cols >= 4 && !nested
}

// quoteText returns a quote's line (without its indentation) without
// its first most markers, each ">" and one space or tab after it (a tab
// is taken whole, though CommonMark keeps what it spans past one column:
// ">\t```" opens a fence in the quote either way), and how many it took.
func quoteText(rest string, most int) (text string, depth int) {
	for depth < most && strings.HasPrefix(rest, ">") {
		rest = rest[1:]
		depth++
		if rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			rest = rest[1:]
		}
		if t := strings.TrimLeft(rest, " "); depth < most && len(rest)-len(t) <= 3 && strings.HasPrefix(t, ">") {
			rest = t
		}
	}
	return rest, depth
}

// quoteBlocks follows a fenced code block and list items inside a quote,
// read on its lines without their markers. The zero value is outside
// any.
type quoteBlocks struct {
	fence codeFence
	items listItems
	// depth is how many quotes the fence is in: a line in fewer has
	// ended the quote the fence is in ("> > ```\n> text" is text), and
	// a line in more is its code ("> ```\n> > ```" closes nothing).
	depth int
}

// read takes a quote's line that is no lazy line (indented cols, rest
// the rest) and reports whether it is code in the quote: of a fence, or
// indented code. prevText is whether the line before was paragraph
// text, as for listItems.read.
func (q *quoteBlocks) read(cols int, rest string, prevText bool) bool {
	text, depth := quoteText(rest, math.MaxInt)
	if q.fence.fence != "" {
		if depth < q.depth {
			q.fence = codeFence{}
		} else {
			inFence, _ := quoteText(rest, q.depth)
			if q.fence.goesOn(inFence) {
				return true
			}
		}
	}
	inItem, itemCode, itemLazy := q.items.read(text, prevText)
	if q.fence.opens(text, q.items.blockColumn(inItem, itemLazy)) {
		q.depth = depth
		return true
	}
	if inItem {
		return itemCode
	}
	return !prevText && !blankLine(text) && quoteIndent(cols, rest, text) >= 4
}

// quoteIndent returns how many columns text, the end of a quote's line
// rest (indented cols) after its markers, is indented, a tab to the next
// multiple of four columns of the line. A tab after a marker is its
// space whole (quoteText), so a quote's code is never seen where
// CommonMark sees none.
func quoteIndent(cols int, rest, text string) int {
	start := columnAfter(cols, rest[:len(rest)-len(text)])
	return columnAfter(start, text[:len(text)-len(strings.TrimLeft(text, " \t"))]) - start
}

// columnAfter returns the column s ends at from column col, a tab to the
// next multiple of four.
func columnAfter(col int, s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\t' {
			col += 4 - col%4
		} else {
			col++
		}
	}
	return col
}

// htmlH1 reads the first <h1> element written as HTML that opens an HTML
// block in a Markdown file (a README's centred "<h1 align="center"><img
// ...><br>Chalk</h1>", which 73 of 443 npm packages' files have), for a
// title where no Markdown h1 or front matter gives one: "README" was the
// title of every chunk. Only a README or an index is so titled: the
// pages of a documentation set (Fastify's docs) each open with the
// project's name in such an h1, and their file names (Server, Routes)
// say more. An "<h1>" inside a line (code spans, tables) opens nothing.
// Its text is what stands between the tags; an h1 of images alone has
// none and the search goes on. At most 4 KiB of one element is read.
type htmlH1 struct {
	buf   strings.Builder
	open  bool
	done  bool
	title string
}

var (
	htmlH1Open  = regexp.MustCompile(`(?i)^ {0,3}<h1[\s>]`)
	htmlH1Close = regexp.MustCompile(`(?i)</h1\s*>`)
	htmlAnyTag  = regexp.MustCompile(`<[^>]*>`)
)

func (h *htmlH1) add(line string) {
	if !h.open {
		loc := htmlH1Open.FindStringIndex(line)
		if loc == nil {
			return
		}
		h.open, line = true, line[loc[0]:]
		h.buf.Reset()
	}
	end := htmlH1Close.FindStringIndex(line)
	if end != nil {
		line = line[:end[1]]
	}
	h.buf.WriteString(line)
	if h.buf.Len() > 4<<10 {
		h.open = false // no end in sight: not an element to read
		return
	}
	if end == nil {
		return
	}
	h.open = false
	text := html.UnescapeString(htmlAnyTag.ReplaceAllString(h.buf.String(), " "))
	if t := strings.Join(strings.Fields(text), " "); t != "" {
		h.title, h.done = capHeading(t), true
	}
}

// genericName reports whether a file's name says nothing of its content:
// README or index, any case, any extension.
func genericName(source string) bool {
	base := strings.ToLower(path.Base(filepath.ToSlash(source)))
	base = strings.TrimSuffix(base, path.Ext(base))
	return base == "readme" || base == "index" || base == "_index"
}

// joinWrapped joins a paragraph's line to the line before (the last of
// lines, changed in place) when the break falls between two East Asian
// wide characters, and returns what is left of it: a soft line break
// there is no space (CSS Text 3, as the HTML parser does), and Japanese
// is wrapped inside words. A hard break (two trailing spaces or a
// backslash) stays.
func joinWrapped(lines []string, line string) string {
	prev := lines[len(lines)-1]
	if strings.HasSuffix(prev, "  \n") || strings.HasSuffix(prev, "\\\n") {
		return line
	}
	p := strings.TrimRight(prev, " \t\n")
	l := strings.TrimLeft(line, " \t")
	before, _ := utf8.DecodeLastRuneInString(p)
	after, _ := utf8.DecodeRuneInString(l)
	if !wideRune(before) || !wideRune(after) {
		return line
	}
	lines[len(lines)-1] = p
	return l
}

// opensRawHTMLBlock reports whether rest (a line without its
// indentation) opens an HTML block of CommonMark's types 1 to 5, which
// end at their own closing text, not a blank line: <script>, <pre>,
// <style> or <textarea>, a comment, a processing instruction, a
// declaration or CDATA.
func opensRawHTMLBlock(rest string) bool {
	switch {
	case strings.HasPrefix(rest, "<!--"), strings.HasPrefix(rest, "<?"), strings.HasPrefix(rest, "<![CDATA["):
		return true
	case len(rest) > 2 && strings.HasPrefix(rest, "<!") && isASCIILetter(rest[2]):
		return true
	}
	switch tagName(rest) {
	case "script", "pre", "style", "textarea":
		return !strings.HasPrefix(rest, "</")
	}
	return false
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// delimiterRow returns how many cells a GFM table's delimiter row has
// ("|:--|--:|", "--- | ---"), read as markdown-it reads it, or 0 when
// rest (a line without its indentation) is none.
func delimiterRow(rest string) int {
	t := strings.TrimRight(rest, " \t\n")
	if len(t) < 2 || !strings.ContainsRune("|-:", rune(t[0])) || !strings.ContainsRune("|-: \t", rune(t[1])) ||
		t[0] == '-' && (t[1] == ' ' || t[1] == '\t') || strings.Trim(t, "|-: \t") != "" {
		return 0
	}
	cells := strings.Split(t, "|")
	n := 0
	for i, c := range cells {
		c = strings.TrimSpace(c)
		switch {
		case c == "" && (i == 0 || i == len(cells)-1):
			continue
		case strings.Trim(strings.TrimSuffix(strings.TrimPrefix(c, ":"), ":"), "-") != "" || !strings.Contains(c, "-"):
			return 0
		}
		n++
	}
	return n
}

// rowPipes returns where the pipes that separate a table row's cells
// are in t (a row, trimmed): each "|" not right after a backslash, as
// markdown-it splits rows (a pipe in a code span splits it too), and
// how many cells they make, the empty ones before a leading and after a
// trailing pipe not counted.
func rowPipes(t string) (pipes []int, cells int) {
	for i := 0; i < len(t); i++ {
		if t[i] == '|' && (i == 0 || t[i-1] != '\\') {
			pipes = append(pipes, i)
		}
	}
	cells = len(pipes) + 1
	if len(pipes) > 0 && pipes[0] == 0 {
		cells--
	}
	if len(pipes) > 0 && pipes[len(pipes)-1] == len(t)-1 && cells > 0 {
		cells--
	}
	return pipes, cells
}

// rowCells returns how many cells line has as a table's header row, or
// 0 when it has no pipe or is indented as code.
func rowCells(line string) int {
	cols, _ := indentation(line)
	t := strings.TrimSpace(line)
	if cols > 3 || !strings.Contains(t, "|") {
		return 0
	}
	_, n := rowPipes(t)
	return n
}

// cutRow returns a table row's line without its cells past the first n,
// up to and with the pipe that ends the nth cell.
func cutRow(line string, n int) string {
	t := strings.TrimSpace(line)
	pipes, cells := rowPipes(t)
	if cells <= n {
		return line
	}
	if pipes[0] == 0 {
		n++ // the leading pipe opens the first cell
	}
	start := strings.Index(line, t)
	return line[:start+pipes[n-1]+1] + "\n"
}

// setextUnderline returns 1 for a line of "=" and 2 for a line of "-"
// (after at most three spaces, trailing spaces allowed), else 0.
func setextUnderline(line string) int {
	t := strings.TrimRight(line, " \t\n")
	indent := len(t) - len(strings.TrimLeft(t, " "))
	if indent > 3 || indent == len(t) {
		return 0
	}
	t = t[indent:]
	switch {
	case strings.Trim(t, "=") == "":
		return 1
	case strings.Trim(t, "-") == "":
		return 2
	}
	return 0
}

// indentedCode reports whether line, after a paragraph of para lines so
// far, is indented code: four columns of indentation outside a
// paragraph. Inside a list item, listItems decides instead.
func indentedCode(line string, para int) bool {
	if para > 0 {
		return false
	}
	cols, _ := indentation(line)
	return cols >= 4
}

// stripComments returns line without the HTML comments ("<!-- ... -->")
// that begin and end in it outside code spans and backslash escapes.
func stripComments(line string) string {
	if !strings.Contains(line, "<!--") {
		return line
	}
	// runs[n] holds where each run of exactly n backticks starts, so
	// that finding a code span's end takes no second scan of the line.
	runs := map[int][]int{}
	for i := 0; i < len(line); {
		n := backticks(line[i:])
		if n > 0 {
			runs[n] = append(runs[n], i)
			i += n
		} else {
			i++
		}
	}
	var b strings.Builder
	for i := 0; i < len(line); {
		switch {
		case line[i] == '\\' && i+1 < len(line):
			b.WriteString(line[i : i+2])
			i += 2
		case line[i] == '`':
			n := backticks(line[i:])
			end := i + n
			starts := runs[n]
			if k, _ := slices.BinarySearch(starts, end); k < len(starts) {
				end = starts[k] + n
			}
			b.WriteString(line[i:end])
			i = end
		case strings.HasPrefix(line[i:], "<!--"):
			j := strings.Index(line[i+2:], "-->")
			if j < 0 {
				b.WriteString(line[i:])
				return b.String()
			}
			i += 2 + j + len("-->")
		default:
			b.WriteByte(line[i])
			i++
		}
	}
	return b.String()
}

// backticks returns how many backticks start s.
func backticks(s string) int {
	return len(s) - len(strings.TrimLeft(s, "`"))
}

// startsParagraph reports whether a non-blank line outside code starts a
// paragraph rather than a list item (listMarker: "1.5 million" is a
// paragraph, "2024. A year" an item), a thematic break, a quote, a table
// row, an HTML block, indented code or an ATX heading (one in a list
// item is the item's text), none of which a setext underline turns into
// a heading.
func startsParagraph(line string) bool {
	cols, rest := indentation(line)
	t := strings.Trim(rest, mdSpace)
	if cols > 3 || t == "" {
		return false
	}
	switch t[0] {
	case '>', '|', '<':
		return false
	}
	if _, ok := listMarker(t); ok || atxOpener(t) {
		return false
	}
	return !thematicBreak.MatchString(t)
}

// interruptsParagraph reports whether a line, without its indentation,
// opens a block that ends a paragraph (CommonMark 4, 5): a thematic
// break, an ATX heading, a fence, a quote, an HTML block of a block tag,
// or a list item with text that is a bullet or numbered 1. Such a line
// is no lazy continuation line, however deep its indentation.
func interruptsParagraph(rest string) bool {
	t := strings.TrimRight(rest, " \t\n")
	if t == "" {
		return false
	}
	if thematicBreak.MatchString(t) || t[0] == '>' || openingFence(t) != "" || opensHTMLBlock(t) || atxOpener(t) {
		return true
	}
	w, ok := listMarker(t)
	if !ok || blankLine(t[min(w, len(t)):]) {
		return false
	}
	return strings.ContainsRune("-*+", rune(t[0])) || strings.HasPrefix(t, "1.") || strings.HasPrefix(t, "1)")
}

// opensText reports whether a line (without its indentation) that is not
// code opens paragraph text, of a list item or a quote too: not blank, no
// thematic break, no heading (an ATX heading in a list item: "1.\n\t##
// Usage" is no paragraph a lazy line goes on), and not a list marker or
// ">" with nothing after it.
func opensText(rest string) bool {
	t := strings.Trim(rest, mdSpace)
	for strings.HasPrefix(t, ">") {
		t = strings.Trim(t[1:], mdSpace)
	}
	if t == "" || thematicBreak.MatchString(t) {
		return false
	}
	if w, ok := listMarker(t); ok {
		t = strings.Trim(t[min(w, len(t)):], mdSpace)
	}
	return t != "" && !atxOpener(t)
}

// atxOpener reports whether t (without indentation) opens an ATX
// heading: one to six "#", then a space, a tab or the end.
func atxOpener(t string) bool {
	n := len(t) - len(strings.TrimLeft(t, "#"))
	return n >= 1 && n <= 6 && (n == len(t) || t[n] == ' ' || t[n] == '\t' || t[n] == '\n')
}

// thematicBreak matches a thematic break (CommonMark 4.1) without its
// indentation: three or more of one of "-", "*" or "_", spaces between.
var thematicBreak = regexp.MustCompile(`^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)

// closesFence reports whether line closes the code block that fence
// opened: a run of the fence's character at least as long, alone on the
// line, indented by at most three spaces (CommonMark 4.5: a deeper one is
// code).
func closesFence(line, fence string) bool {
	cols, rest := indentation(line)
	t := strings.TrimSpace(rest)
	return cols <= 3 && strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == ""
}

// openingFence returns the fence ("```", "~~~~", ...) a line opens, or "".
// The info string after a backtick fence may not hold a backtick
// (CommonMark 4.5), so "```code span```" at the start of a line is a
// paragraph, not a fence.
func openingFence(line string) string {
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if indent > 3 {
		return ""
	}
	t := line[indent:]
	for _, c := range []byte{'`', '~'} {
		n := 0
		for n < len(t) && t[n] == c {
			n++
		}
		if n < 3 {
			continue
		}
		if c == '`' && strings.IndexByte(t[n:], '`') >= 0 {
			return ""
		}
		return t[:n]
	}
	return ""
}

// atxHeading returns the level, inline-stripped text and id (see
// headingID) of an ATX heading line: one to six "#" after at most three
// spaces, then a space or the end.
func atxHeading(line string, defs map[string]bool) (int, string, string, bool) {
	line = strings.TrimRight(line, "\n")
	indent := len(line) - len(strings.TrimLeft(line, " "))
	if indent > 3 {
		return 0, "", "", false
	}
	line = line[indent:]
	level := 0
	for level < len(line) && line[level] == '#' {
		level++
	}
	if level == 0 || level > 6 || (level < len(line) && line[level] != ' ' && line[level] != '\t') {
		return 0, "", "", false
	}
	// Attributes come after the closing sequence (Pandoc) or before it.
	text, id := headingID(strings.TrimSpace(line[level:]))
	// A closing sequence of "#" counts only after a space.
	if t := strings.TrimRight(text, "#"); t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t") {
		text = strings.TrimSpace(t)
	}
	if id == "" {
		text, id = headingID(text)
	}
	text = inlineText(text, defs)
	return level, text, id, text != ""
}

var (
	// headingAttrs matches a heading's attribute block at its end
	// (Pandoc's, kramdown's and Hugo's "{#id .class key=value}"), after
	// a space.
	headingAttrs = regexp.MustCompile(`[ \t]\{[ \t]*((?:(?:#[^\s{}]+|\.[^\s{}]+|[A-Za-z_][\w.:-]*=(?:"[^"]*"|'[^']*'|[^\s{}"']+))[ \t]*)+)\}$`)
	attrToken    = regexp.MustCompile(`#[^\s{}]+|\.[^\s{}]+|[A-Za-z_][\w.:-]*=(?:"[^"]*"|'[^']*'|[^\s{}"']+)`)
)

// headingID returns a heading's text without an attribute block that
// ends it and names an id ("Intro {#custom .c}"), and the id, which is
// the heading's anchor as these renderers give it. A block without an
// id, or a brace that is not one, is left in the text.
func headingID(text string) (string, string) {
	m := headingAttrs.FindStringSubmatchIndex(text)
	if m == nil {
		return text, ""
	}
	for _, tok := range attrToken.FindAllString(text[m[2]:m[3]], -1) {
		if id, ok := strings.CutPrefix(tok, "#"); ok {
			return strings.TrimSpace(text[:m[0]]), id
		}
	}
	return text, ""
}

// mdTag matches an inline HTML tag as CommonMark reads one (6.6): an
// open tag's attributes are names with optional values, so a placeholder
// such as "<PATH TO FILE (optional)>" is text, not a tag.
var mdTag = regexp.MustCompile(`^(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>` + "`" + `]+|'[^']*'|"[^"]*"))?)*\s*/?>|</[A-Za-z][A-Za-z0-9-]*\s*>)`)

// inlineText reduces a heading's inline Markdown to the text a reader
// sees, which GitHub makes the anchor of: a code span's text as written
// ("getDecorator<T>"); a link's text, not its target, whether inline
// ("[a](u)") or by reference ("[a][r]", "[a][]", or "[a]" where defs,
// the document's reference labels, define it); no image (a badge's
// alt text is not shown); no HTML tag, emphasis ("*", "**", "_" at a
// word's edge, "~~"), or backslash before punctuation; entities decoded
// ("&amp;" is "&").
func inlineText(s string, defs map[string]bool) string {
	if len(s) > maxHeadingSource {
		// Past any title's 1,000 runes (capHeading), and so that a line
		// of brackets or backticks costs what a heading does.
		cut := maxHeadingSource
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	var b strings.Builder
	inlineInto(&b, s, defs, 0)
	return strings.TrimSpace(b.String())
}

// maxHeadingSource is the most bytes of a heading's source inlineText
// reads.
const maxHeadingSource = 16 << 10

// inlineInto writes inlineText(s) to b, reading link texts within link
// texts to at most 8 levels (deeper brackets are kept as text).
func inlineInto(b *strings.Builder, s string, defs map[string]bool, depth int) {
	closes := matchBrackets(s)
	underscores := pairUnderscores(s)
	plain := 0 // start of the text not yet written
	emit := func(end int) {
		b.WriteString(html.UnescapeString(s[plain:end]))
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			emit(i)
			b.WriteByte(s[i+1])
			i += 2
			plain = i
		case c == '`':
			n := backticks(s[i:])
			end := closingRun(s, i+n, n)
			if end < 0 {
				i += n // no closing run: the backticks are text
				continue
			}
			emit(i)
			b.WriteString(s[i+n : end])
			i = end + n
			plain = i
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			if _, end, ok := bracketed(s, i+1, closes, defs); ok {
				// An image shows no text (a badge's alt).
				emit(i)
				i = end
				plain = i
				continue
			}
			i++
		case c == '[' && depth < 8:
			if text, end, ok := bracketed(s, i, closes, defs); ok {
				emit(i)
				inlineInto(b, text, defs, depth+1)
				i = end
				plain = i
				continue
			}
			i++
		case c == '<':
			if m := mdTag.FindString(s[i:]); m != "" {
				emit(i)
				i += len(m)
				plain = i
				continue
			}
			i++
		case c == '*' || c == '~' && i+1 < len(s) && s[i+1] == '~':
			emit(i)
			for i < len(s) && s[i] == c {
				i++
			}
			plain = i
		case c == '_' && underscores[i]:
			emit(i)
			i++
			plain = i
		default:
			i++
		}
	}
	emit(len(s))
}

// closingRun returns where the first run of exactly n backticks at or
// after from starts in s, or -1: the end of a code span (a run of
// another length does not close it).
func closingRun(s string, from, n int) int {
	for j := from; j < len(s); {
		k := strings.IndexByte(s[j:], '`')
		if k < 0 {
			return -1
		}
		j += k
		m := backticks(s[j:])
		if m == n {
			return j
		}
		j += m
	}
	return -1
}

// underscorePairs holds the "_" of a text that are emphasis: one that
// opens a word ("_void") paired with the next one that closes a word
// ("void_"). A "_" inside a word (snake_case), or one with no partner
// ("_private", "foo_", a URL's "/_/"), is text, as CommonMark has it.
type underscorePairs map[int]bool

func pairUnderscores(s string) underscorePairs {
	type run struct{ from, to int }
	var opens, closes []run
	for i := 0; i < len(s); {
		if s[i] != '_' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '_' {
			j++
		}
		before := i > 0 && isWordByte(s[i-1])
		after := j < len(s) && isWordByte(s[j])
		switch {
		case !before && after:
			opens = append(opens, run{i, j})
		case before && !after:
			closes = append(closes, run{i, j})
		}
		i = j
	}
	pairs := underscorePairs{}
	k := 0
	for _, o := range opens {
		for k < len(closes) && closes[k].from <= o.from {
			k++
		}
		if k == len(closes) {
			break
		}
		for _, r := range []run{o, closes[k]} {
			for i := r.from; i < r.to; i++ {
				pairs[i] = true
			}
		}
		k++
	}
	return pairs
}

// matchBrackets returns, for each "[" of s not escaped, where its
// matching "]" is (brackets within balanced), in one pass.
func matchBrackets(s string) map[int]int {
	closes := map[int]int{}
	var open []int
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			open = append(open, i)
		case ']':
			if n := len(open); n > 0 {
				closes[open[n-1]] = i
				open = open[:n-1]
			}
		}
	}
	return closes
}

// bracketed reads a link or image at s[open] ("[" ... "]", its matching
// bracket in closes) followed by its target: "(...)", "[ref]" or "[]";
// or a shortcut reference, "[label]" alone, whose label defs defines.
// It returns the text between the brackets and where the link ends; ok
// is false when s[open:] is no such link (a "[" that is only a bracket).
func bracketed(s string, open int, closes map[int]int, defs map[string]bool) (text string, end int, ok bool) {
	i, found := closes[open]
	if !found {
		return "", 0, false
	}
	text, rest := s[open+1:i], i+1
	switch {
	case rest < len(s) && s[rest] == '(':
		if end := destinationEnd(s, rest+1); end > 0 {
			return text, end, true
		}
	case rest < len(s) && s[rest] == '[':
		if j := strings.IndexByte(s[rest:], ']'); j >= 0 && definedRef(s[rest+1:rest+j], text, defs) {
			return text, rest + j + 1, true
		}
	}
	if definedLabel(text, defs) {
		return text, rest, true // a shortcut reference: "[label]", defined
	}
	return "", 0, false
}

// isASCIIPunct reports whether c is ASCII punctuation, which a backslash
// escapes (CommonMark 2.4).
func isASCIIPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !isWordByte(c)
}

// isWordByte reports whether c is part of a word to emphasis rules: a
// letter or digit, or any byte of a non-ASCII character.
func isWordByte(c byte) bool {
	return c >= 0x80 || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// slugger makes GitHub-style heading anchors, unique within a document: the
// heading lowercased as JavaScript does (a final sigma is "ς"),
// characters other than letters, marks, decimal digits, letter numbers
// ("Ⅱ"), alphabetic symbols ("Ⓐ"), connector punctuation ("_"), "-" and
// space removed ("x²" is "x", as github-slugger has it), spaces turned into "-"; a repeat gets "-1", "-2", ... as
// GitHub's renderer does.
type slugger struct {
	seen map[string]int
}

// reserve records an anchor given by the document ("{#id}"), so that no
// slug made after it repeats it.
func (s *slugger) reserve(anchor string) {
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	if _, dup := s.seen[anchor]; !dup {
		s.seen[anchor] = 0
	}
}

func (s *slugger) slug(text string) string {
	var b strings.Builder
	for _, r := range cases.Lower(language.Und).String(text) {
		switch {
		case unicode.IsLetter(r), unicode.IsMark(r), unicode.Is(unicode.Nd, r), unicode.Is(unicode.Nl, r),
			unicode.Is(unicode.Other_Alphabetic, r), unicode.Is(unicode.Pc, r), r == '-':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	base := b.String()
	if base == "" {
		return ""
	}
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	out := base
	for {
		if _, dup := s.seen[out]; !dup {
			break
		}
		s.seen[base]++
		out = base + "-" + strconv.Itoa(s.seen[base])
	}
	s.seen[out] = 0
	return out
}
