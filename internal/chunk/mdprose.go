package chunk

import (
	"html"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// renderProse reduces the inline Markdown of a block of prose lines (no
// code block among them) to what a reader sees of it, keeping the
// Markdown that carries meaning: a link is its text ("[docker
// build](commandline/build.md)" is "docker build"), an image its alt
// text, an autolink ("<https://x>") its address, an inline HTML tag
// nothing, an entity its character ("&amp;" is "&"); a link reference
// definition ("[1]: https://...") is dropped as no renderer shows it
// (not one right under a paragraph's line, which is that paragraph's
// text: refLines).
// Code spans, emphasis and escapes stay as written. Link targets are a quarter of a README's characters: they
// are noise to the keyword index and the embedder, and tokens in a
// prompt. defs holds the document's reference labels (see refLabels),
// so that "[label]" alone is a link only when one is defined, as
// CommonMark has it.
func renderProse(s string, defs map[string]bool) string {
	if !strings.ContainsAny(s, "[<&") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	var refs refLines
	for _, line := range strings.SplitAfter(s, "\n") {
		if _, ok := refs.definition(line); !ok {
			b.WriteString(line)
		}
	}
	text := b.String()
	b.Reset()
	// Each paragraph is read alone, as CommonMark reads it: a "[" or a
	// "<" in one never pairs with a "](...)" or a ">" in the next, which
	// would leave out the text between them.
	for text != "" {
		n := paragraphEnd(text)
		para := text[:n]
		r := prose{s: para, closes: matchBrackets(para), spans: codeRuns(para), defs: defs}
		r.into(&b, 0, len(para), 0)
		text = text[n:]
		for text != "" {
			line, _, _ := strings.Cut(text, "\n")
			if !blankLine(line) {
				break
			}
			n := min(len(line)+1, len(text))
			b.WriteString(text[:n])
			text = text[n:]
		}
	}
	return b.String()
}

// paragraphEnd returns where the paragraph s opens with ends: at the
// start of its first blank line, list item or table row, or at the end
// of s. A code span or a link never runs from one item or row into the
// next.
func paragraphEnd(s string) int {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return len(s)
		}
		next := i + j + 1
		rest := s[next:]
		line, _, _ := strings.Cut(rest, "\n")
		if next < len(s) && (blankLine(line) || opensBlock(line)) {
			return next
		}
		i = next
	}
	return len(s)
}

// opensBlock reports whether line opens a block of its own inside a run
// of prose: a list item (listMarker) or a table row ("| a | b |").
func opensBlock(line string) bool {
	_, rest := indentation(line)
	if rest == "" {
		return false
	}
	_, item := listMarker(rest)
	return item || rest[0] == '|'
}

// breaksWords reports whether the tag m (mdTag's match) is one a
// browser shows as a break: a line break, or the start or end of a
// block, a list item or a table cell.
func breaksWords(m string) bool {
	return blockTags[tagName(m)]
}

// tagName returns the name, lower-cased, of the tag s opens with ("<td",
// "</TD>", "<br/>"), or "" when s opens no tag.
func tagName(s string) string {
	if !strings.HasPrefix(s, "<") {
		return ""
	}
	name := strings.TrimPrefix(s[1:], "/")
	end := strings.IndexFunc(name, func(r rune) bool { return r >= utf8.RuneSelf || !isWordByte(byte(r)) })
	if end < 0 {
		end = len(name)
	} else if c := name[end]; c != ' ' && c != '\t' && c != '\n' && c != '>' && c != '/' {
		return ""
	}
	return strings.ToLower(name[:end])
}

// blockTags are the tags breaksWords reads as breaks and opensHTMLBlock
// as opening an HTML block.
var blockTags = map[string]bool{
	"br": true, "p": true, "div": true, "hr": true, "li": true, "ul": true, "ol": true,
	"dl": true, "dt": true, "dd": true, "table": true, "tr": true, "td": true, "th": true,
	"thead": true, "tbody": true, "tfoot": true, "caption": true, "blockquote": true, "pre": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"section": true, "details": true, "summary": true, "figure": true, "figcaption": true,
}

// endsInSpace reports whether what b holds so far ends in white space
// (or is empty).
func endsInSpace(b *strings.Builder) bool {
	return b.Len() == 0 || isSpace(b.String()[b.Len()-1])
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n'
}

// prose is a block renderProse reads: its text, where each "[" closes
// (matchBrackets), where each run of backticks of each length starts
// (codeRuns) and the document's reference labels.
type prose struct {
	s      string
	closes map[int]int
	spans  map[int][]int
	defs   map[string]bool
}

// codeRuns returns, for each length n, where the runs of exactly n
// backticks of s start, in order, so that a code span's end is found by
// a binary search, not a scan to the end of s for each backtick.
func codeRuns(s string) map[int][]int {
	runs := map[int][]int{}
	for i := 0; i < len(s); {
		n := backticks(s[i:])
		if n == 0 {
			i++
			continue
		}
		runs[n] = append(runs[n], i)
		i += n
	}
	return runs
}

// spanEnd returns where the code span opened by the n backticks at i
// ends (after its closing run), or -1 when no run of n closes it before
// to.
func (r *prose) spanEnd(i, n, to int) int {
	starts := r.spans[n]
	k, _ := slices.BinarySearch(starts, i+n)
	if k == len(starts) || starts[k]+n > to {
		return -1
	}
	return starts[k] + n
}

// into writes the rendering of r.s[from:to], a link's text when depth >
// 0 (nested to at most 8 levels; deeper brackets stay as text).
func (r *prose) into(b *strings.Builder, from, to, depth int) {
	s := r.s
	plain := from
	// emit writes the text up to end with its entities decoded
	// ("&amp;" is "&", "&nbsp;" a no-break space), as a reader sees them.
	emit := func(end int) { writeDecoded(b, s[plain:end]) }
	// imageEnd is where the last image (or link around one) ended: an
	// image right after it is another picture, whose alt text a space
	// keeps apart (a README's row of badges, "[![Build](b)](u)[![Go](g)](v)",
	// was "BuildGo").
	imageEnd := -1
	apart := func(i int) {
		if i == imageEnd && !endsInSpace(b) {
			b.WriteByte(' ')
		}
	}
	for i := from; i < to; {
		c := s[i]
		switch {
		case c == '\\' && i+1 < to:
			emit(i)
			b.WriteString(s[i : i+2]) // an escape as written
			i += 2
			plain = i
		case c == '`':
			n := backticks(s[i:to])
			if end := r.spanEnd(i, n, to); end >= 0 {
				emit(i)
				b.WriteString(s[i:end]) // the span as written, brackets, entities and all
				i, plain = end, end
			} else {
				i += n
			}
		case c == '!' && i+1 < to && s[i+1] == '[' && depth < 8:
			if close, end, ok := r.link(i+1, to); ok {
				emit(i)
				apart(i)
				r.into(b, i+2, close, depth+1)
				i, plain, imageEnd = end, end, end
				continue
			}
			i++
		case c == '[' && depth < 8:
			if close, end, ok := r.link(i, to); ok {
				emit(i)
				picture := strings.HasPrefix(s[i+1:close], "![")
				if picture {
					apart(i)
				}
				r.into(b, i+1, close, depth+1)
				i, plain = end, end
				if picture {
					imageEnd = end
				}
				continue
			}
			i++
		case c == '<':
			if m := autolink.FindString(s[i:to]); m != "" {
				emit(i)
				b.WriteString(m[1 : len(m)-1])
				i += len(m)
				plain = i
				continue
			}
			if m := mdTag.FindString(s[i:to]); m != "" {
				emit(i)
				i += len(m)
				plain = i
				// A tag that breaks the line or ends a cell ("one<br>two",
				// "</td><td>") leaves a space, so the words either side
				// stay apart.
				if breaksWords(m) && !endsInSpace(b) && i < to && !isSpace(s[i]) {
					b.WriteByte(' ')
				}
				continue
			}
			i++
		default:
			i++
		}
	}
	emit(to)
}

// entity matches an HTML entity or numeric character reference, which
// CommonMark decodes in text (2.5): always with its semicolon.
var entity = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// writeDecoded writes s to b with its entities decoded; an unknown name
// ("&nosuch;") stays as written.
func writeDecoded(b *strings.Builder, s string) {
	if !strings.Contains(s, "&") {
		b.WriteString(s)
		return
	}
	b.WriteString(entity.ReplaceAllStringFunc(s, html.UnescapeString))
}

// refDefinition matches a line that is a link reference definition:
// "[label]: destination" and an optional title, after at most three
// spaces. A footnote ("[^1]: text") is text.
var refDefinition = regexp.MustCompile(`^ {0,3}\[([^\]^\\][^\]\\]*)\]:[ \t]*(?:<[^<>\n]*>|[^\s<]\S*)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\n?$`)

// refLines reads a block's lines in order and tells which are link
// reference definitions: a definition cannot interrupt a paragraph
// (CommonMark 4.7), so "text\n[a]: https://x" is one paragraph of two
// lines and "[a]" no defined label. A quote's lines are read without
// their markers ("> [a]: https://x" is a definition). The zero value
// reads from a block's start.
type refLines struct {
	// para is whether the line before was a paragraph's text, comment
	// whether it was in an HTML comment that opened a line (an HTML
	// block, which no paragraph goes on after).
	para, comment bool
	// depth is how many quotes the line before was in, and quote
	// follows their fenced code, which the parser hands over as prose.
	// doubt is whether the quote opened more than three columns in: in
	// a list item, or a paragraph's line or indented code, which only a
	// list item's column would tell apart, so its lines define nothing.
	depth int
	quote quoteBlocks
	doubt bool
}

// definition reports whether line is a link reference definition, and
// its label, and notes whether line leaves a paragraph open: any line
// but a blank one, a definition, a thematic break or setext underline,
// an ATX heading, an HTML comment's, or indented code where no paragraph
// is open.
func (r *refLines) definition(line string) (label string, ok bool) {
	if rest, ok := opensComment(line); ok && !r.comment {
		r.comment, line = true, rest
	}
	if r.comment {
		r.comment, r.para = !strings.Contains(line, "-->"), false
		return "", false
	}
	line, read := r.unquote(line)
	if !read {
		return "", false
	}
	if !r.para {
		if m := refDefinition.FindStringSubmatch(line); m != nil {
			return m[1], true
		}
	}
	cols, rest := indentation(line)
	t := strings.Trim(rest, mdSpace)
	r.para = t != "" && !thematicBreak.MatchString(t) && setextUnderline(line) == 0 && !atxOpener(t) &&
		(r.para || cols < 4)
	return "", false
}

// unquote returns line without its quote markers, or ok false for a
// line that is no definition and leaves the paragraph as it is: code of
// a fence in the quote (no paragraph), or a lazy line (the quote's).
// A quote that opens ends the paragraph before: a quote's first line
// may be a definition.
func (r *refLines) unquote(line string) (text string, ok bool) {
	cols, rest := indentation(line)
	if !strings.HasPrefix(rest, ">") {
		return r.unquoted(line, rest)
	}
	text, depth := quoteText(rest, math.MaxInt)
	r.doubt = r.doubt || cols > 3 && r.depth == 0
	switch {
	case r.doubt:
		// A line of text, as the line whole would be: its paragraph
		// goes on, or one opens unless it is indented code.
		r.depth, r.para = depth, r.para || cols < 4
		return "", false
	case r.lazy(text, depth):
		return "", false
	case r.quote.read(cols, rest, r.para):
		r.depth, r.para = depth, false
		return "", false
	case depth > r.depth:
		r.para = false
	}
	r.depth = depth
	return text, true
}

// unquoted is unquote for a line without a quote marker (rest: without
// its indentation): a lazy line of the quote's paragraph, or a line
// that ends the quote, and its paragraph (a definition may follow). A
// quote in doubt goes on while a paragraph does, its lines read as if
// outside any quote.
func (r *refLines) unquoted(line, rest string) (string, bool) {
	switch {
	case r.doubt && r.para && !blankLine(rest):
		return line, true
	case !r.doubt && r.lazy(line, 0):
		return "", false
	case r.depth > 0:
		r.depth, r.quote, r.para, r.doubt = 0, quoteBlocks{}, false, false
	}
	return line, true
}

// lazy reports whether a line in depth quotes, text without its
// markers, is a lazy continuation line of the paragraph of a quote it
// is not in, as the parser reads one (goesOnQuote).
func (r *refLines) lazy(text string, depth int) bool {
	if !r.para || depth >= r.depth {
		return false
	}
	cols, rest := indentation(text)
	_, marker := listMarker(rest)
	return !blankLine(rest) && goesOnQuote(cols, rest, marker, r.depth > 1)
}

// refLabels returns the labels of src's link reference definitions
// outside fenced code, folded as CommonMark matches them (case and inner
// spaces). Fences are read as the parser reads them, in list items too
// ("- ```", or one indented into its item).
func refLabels(src string) map[string]bool {
	if !strings.Contains(src, "]:") {
		return nil
	}
	defs := map[string]bool{}
	var (
		refs  refLines
		items listItems
		fence codeFence
	)
	for _, line := range strings.SplitAfter(src, "\n") {
		if fence.goesOn(line) {
			continue
		}
		inItem, _, lazy := items.read(line, refs.para)
		if fence.opens(line, items.blockColumn(inItem, lazy)) {
			refs = refLines{} // a code block ends any paragraph
			continue
		}
		if label, ok := refs.definition(line); ok {
			defs[foldText(label)] = true
		}
	}
	return defs
}

// definedRef reports whether a full reference "[text][label]" or a
// collapsed one "[text][]" (label empty: the text is the label) names a
// defined label. An undefined one is text, as CommonMark has it, so that
// Go's "map[string][]string" or "[BETA][FEATURE]" lose nothing.
func definedRef(label, text string, defs map[string]bool) bool {
	if label == "" {
		label = text
	}
	return definedLabel(label, defs)
}

// definedLabel reports whether defs defines label, compared as CommonMark
// compares labels (case folded, runs of white space one space: foldText).
// A label has at most 999 characters (CommonMark 4.7), so nested brackets
// are not each folded whole.
func definedLabel(label string, defs map[string]bool) bool {
	return len(label) < 1000 && defs[foldText(label)]
}

// maxDestination is the most bytes an inline link's destination and
// title may take.
const maxDestination = 4 << 10

// autolink matches a CommonMark autolink: a URI with a scheme or an
// email address between angle brackets.
var autolink = regexp.MustCompile(`^<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[A-Za-z0-9.!#$%&'*+/=?^_` + "`" + `{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>`)

// link reads a link whose text opens at r.s[open] ("[") and that ends
// by to: inline ("[text](dest "title")"), full or collapsed reference
// ("[text][ref]", "[text][]"), or shortcut ("[label]", only when the
// document defines the label). It returns where its text's "]" is and
// where the link ends; ok is false when the bracket opens no link.
func (r *prose) link(open, to int) (close, end int, ok bool) {
	s := r.s[:to]
	close, found := r.closes[open]
	if !found || close >= to {
		return 0, 0, false
	}
	rest := close + 1
	if rest < len(s) && s[rest] == '(' {
		if end := destinationEnd(s, rest+1); end > 0 {
			return close, end, true
		}
	}
	if rest < len(s) && s[rest] == '[' {
		if j := strings.IndexAny(s[rest+1:], "[]"); j >= 0 && s[rest+1+j] == ']' &&
			definedRef(s[rest+1:rest+1+j], s[open+1:close], r.defs) {
			return close, rest + j + 2, true
		}
	}
	if definedLabel(s[open+1:close], r.defs) {
		return close, rest, true
	}
	return 0, 0, false
}

// destinationEnd returns where an inline link's "(destination "title")"
// ends, reading from just after its "(", or 0 when it is none: a
// destination in angle brackets, or one without spaces whose
// parentheses balance ("https://en.wikipedia.org/wiki/Go_(language)"),
// then an optional title in quotes or parentheses.
func destinationEnd(s string, i int) int {
	// A destination and title past maxDestination are no link, so that
	// every "](" of a long line does not scan to its end.
	s = s[:min(len(s), i+maxDestination)]
	skip := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
	}
	skip()
	if i < len(s) && s[i] == '<' {
		j := strings.IndexAny(s[i+1:], "<>\n")
		if j < 0 || s[i+1+j] != '>' {
			return 0
		}
		i += j + 2
	} else {
		depth := 0
	dest:
		for ; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '(':
				depth++
				if depth > 32 {
					return 0
				}
			case ')':
				if depth == 0 {
					break dest
				}
				depth--
			case ' ', '\t', '\n':
				break dest
			}
		}
		if depth != 0 {
			return 0
		}
	}
	skip()
	if i < len(s) && (s[i] == '"' || s[i] == '\'' || s[i] == '(') {
		closer := s[i]
		if closer == '(' {
			closer = ')'
		}
		j := strings.IndexByte(s[i+1:], closer)
		if j < 0 {
			return 0
		}
		i += j + 2
		skip()
	}
	if i < len(s) && s[i] == ')' {
		return i + 1
	}
	return 0
}
