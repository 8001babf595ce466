package chunk

import (
	"slices"
	"strings"
)

// listItems follows the list item a Markdown line belongs to, so that a
// list item's indented lines (a nested item, a continuation paragraph)
// are read as the item's text, not as indented code: CommonMark measures
// an item's indentation from its content's column (5.2). CHANGELOGs and
// READMEs nest lists by tab or four spaces ("* a" then "\t* Fixes [#1](...)"),
// and reading them as code kept their link targets.
type listItems struct {
	// content holds, for each open item from the outermost in, the
	// column where its text starts.
	content []int
	// ids numbers the open items in the order they opened (count is
	// the last number), so that two items whose text starts in one
	// column are told apart.
	ids   []int
	count int
	// blank is whether the line before was blank, and opened whether
	// the innermost item opened without text and nothing has followed.
	blank, opened bool
}

// read takes the next line (outside fenced code) and reports whether it
// is inside a list item, and if so whether it is indented code there (four
// columns past the item's text, after a blank line) and whether it is a
// lazy continuation line. paraOpen is whether the line before was
// paragraph text, which alone a lazy continuation line (shallower than
// the item's text, no blank line before) goes on, and only with text
// that could go on a paragraph (CommonMark 5.2): a thematic break, a
// fence, a heading or a quote there ends the item, so that "* a\n___"
// leaves no item open to read the indentation that follows as its text.
func (l *listItems) read(line string, paraOpen bool) (inItem, code, lazy bool) {
	cols, rest := indentation(line)
	blank := rest == "" || rest == "\n"
	defer func() { l.blank = blank }()
	if blank {
		if l.opened {
			// An item that opens empty ends at a blank line (CommonMark
			// 5.2: it may begin with at most one blank line).
			l.pop()
			l.opened = false
		}
		return len(l.content) > 0, false, false
	}
	opened := l.opened
	l.opened = false
	top := func() int { return l.content[len(l.content)-1] }
	// close ends the items whose text starts right of cols.
	close := func() {
		for len(l.content) > 0 && cols < top() {
			l.pop()
		}
	}
	// An item that would open inside a paragraph must have text and be
	// a bullet or number 1 (CommonMark 5.2): "text\n-" is a heading, a
	// "-" under an item's text an underline. A thematic break ("* * *")
	// is no item (4.1).
	interrupts := paraOpen && interruptsParagraph(rest) // asked only where a paragraph is open
	inPara := paraOpen && (len(l.content) == 0 || cols >= top()) && !interrupts
	// An item opens less than four columns past the text of the item
	// it is in, or past the margin: in "   1.\n  \t10. a" the second
	// line is left of the empty item's text, and four columns in, so
	// it ends the list and is indented code.
	// The open items' columns only grow inwards, so the innermost at or
	// left of cols is found by bisection: a lazy line left of a deep
	// nest would otherwise walk it, line after line.
	base := 0
	if i, _ := slices.BinarySearch(l.content, cols+1); i > 0 {
		base = l.content[i-1]
	}
	shallow := cols < base+4
	w, marker := listMarker(rest)
	isBreak := func() bool { return thematicBreak.MatchString(strings.TrimSpace(rest)) }
	if marker && shallow && !inPara && !isBreak() {
		close() // a sibling, or an item of an outer list
		l.count++
		l.content, l.ids = append(l.content, cols+w), append(l.ids, l.count)
		l.opened = blankLine(rest[min(w, len(rest)):])
		return true, false, false
	}
	switch {
	case len(l.content) == 0:
		return false, false, false
	case cols >= top():
		// An item that opened empty begins as after a blank line: "-\n
		// \t\t+ a" is indented code in the item.
		return true, (l.blank || opened) && cols >= top()+4, false
	case !l.blank && paraOpen && (!interrupts || marker && !shallow && !isBreak()):
		// A lazy continuation line of the item's paragraph; a list
		// marker four columns past the list's margin, which opens no
		// item, is one too (markdown-it's "paragraph continuation"):
		// "  1. Build\n    - with make" is one paragraph.
		return true, false, true
	}
	// A shallower line that goes on no paragraph belongs to an outer
	// item, or ends the list.
	close()
	if len(l.content) == 0 {
		return false, false, false
	}
	return true, l.blank && cols >= top()+4, false
}

// column returns the column where the innermost open item's text starts,
// or -1 outside a list.
func (l *listItems) column() int {
	if len(l.content) == 0 {
		return -1
	}
	return l.content[len(l.content)-1]
}

// blockColumn returns the column a line's blocks (a fence, a quote, an
// underline) are measured from, given what read said of it: the text of
// the list item it is in, or -1 outside a list and for a lazy line, which
// opens no block of the item.
func (l *listItems) blockColumn(inItem, lazy bool) int {
	if !inItem || lazy {
		return -1
	}
	return l.column()
}

// reset ends the list, as a heading does.
func (l *listItems) reset() { l.content, l.ids, l.opened = l.content[:0], l.ids[:0], false }

// pop ends the innermost open item.
func (l *listItems) pop() {
	l.content, l.ids = l.content[:len(l.content)-1], l.ids[:len(l.ids)-1]
}

// item returns the innermost open item's number (0 outside a list): a
// paragraph in an item ends with it, even where a sibling's text starts
// in the same column.
func (l *listItems) item() int {
	if len(l.ids) == 0 {
		return 0
	}
	return l.ids[len(l.ids)-1]
}

// codeFence follows a fenced code block (CommonMark 4.5), in a list item
// or not, for the parser and for refLabels alike. The zero value is
// outside one.
type codeFence struct {
	// fence is the opening fence ("```", "~~~~"; "": none), and item the
	// column of the list item's text it opened in (-1: none): a line left
	// of it ends the item, and the fence with it.
	fence string
	item  int
}

// goesOn reports whether line is the open fence's code or its closing
// fence.
func (f *codeFence) goesOn(line string) bool {
	if f.fence == "" {
		return false
	}
	cols, rest := indentation(line)
	if f.item >= 0 && cols < f.item && strings.TrimSpace(line) != "" {
		f.fence = ""
		return false
	}
	if cols-max(f.item, 0) <= 3 && closesFence(rest, f.fence) {
		f.fence = ""
	}
	return true
}

// opens reports whether line, outside a fence, opens one: at most three
// columns into the list item whose text starts at column item (-1: none),
// or on that item's own line ("- ```sh").
func (f *codeFence) opens(line string, item int) bool {
	cols, rest := indentation(line)
	fence := ""
	if cols-max(item, 0) <= 3 {
		fence = openingFence(rest)
	}
	if w, ok := listMarker(rest); ok && fence == "" && item >= 0 && cols < item {
		fence = openingFence(rest[min(w, len(rest)):])
	}
	if fence == "" {
		return false
	}
	f.fence, f.item = fence, item
	return true
}

// indentation returns how many columns line is indented (a tab to the next
// multiple of four) and the rest of the line.
func indentation(line string) (cols int, rest string) {
	rest = strings.TrimLeft(line, " \t")
	return columnAfter(0, line[:len(line)-len(rest)]), rest
}

// listMarker reports whether s (a line without its indentation) opens a
// list item, and the width of its marker with the spaces after it: "- ",
// "* ", "+ ", "1. ", "12) ". Five or more spaces after the marker are one
// space and indented code (CommonMark 5.2, rule 2).
func listMarker(s string) (width int, ok bool) {
	if s == "" {
		return 0, false
	}
	i := 0
	switch s[0] {
	case '-', '*', '+':
		i = 1
	default:
		for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i >= len(s) || s[i] != '.' && s[i] != ')' {
			return 0, false
		}
		i++
	}
	if i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' {
		return 0, false
	}
	if i >= len(s) || s[i] == '\n' {
		return i + 1, true // an item that opens empty
	}
	spaces := 0
	for j := i; j < len(s) && s[j] == ' ' && spaces < 5; j++ {
		spaces++
	}
	if spaces == 0 || spaces > 4 {
		spaces = 1
	}
	return i + spaces, true
}

// opensHTMLBlock reports whether line opens an HTML block of CommonMark's
// type 6: a block tag ("<table>", "</div>", "<p align=center>") after at
// most three spaces. Its lines, however indented ("    <th>Option</th>"),
// are markup, not indented code.
func opensHTMLBlock(line string) bool {
	cols, rest := indentation(line)
	return cols <= 3 && blockTags[tagName(rest)]
}
