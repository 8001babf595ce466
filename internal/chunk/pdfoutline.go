package chunk

import (
	"cmp"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/ledongthuc/pdf"
)

// outlineEntry is a bookmark of a PDF's outline that leads to a page of
// the document: its title, the titles above it, and the page (1-based)
// and height on it (PDF user space, larger is higher; 0 when the
// destination gives none) it opens.
type outlineEntry struct {
	path  []string // from the outermost entry down to this one's title
	page  int
	top   float64
	order int // position in the outline, for entries with the same spot
	// line: the title stands on a line of its own (a heading sizeOutline
	// found, which joinPDFLines set apart), so a paragraph that opens with
	// its words is not it.
	line bool
}

// Bounds on reading an outline: bookmarks, their depth, and entries of
// the named-destination tree. An outline past them is read as far as
// they reach; a real book's has a few thousand bookmarks.
const (
	maxOutlineEntries = 20000
	maxOutlineDepth   = 16
	maxNamedDests     = 200000
)

// readOutline returns the bookmarks of the document whose catalog is
// root that lead to one of its pages, in reading order: by page, then
// from the top of the page down. pages are the page tree's leaves in
// order. Bookmarks that lead elsewhere (a URI, another file) or nowhere
// are left out, and so are those below them.
func readOutline(root pdf.Value, pages []pdf.Page) []outlineEntry {
	pageOf := make(map[uint32]int, len(pages))
	for i, p := range pages {
		if id, ok := objectID(p.V); ok {
			if _, dup := pageOf[id]; !dup {
				pageOf[id] = i + 1
			}
		}
	}
	o := outlineReader{root: root, pageOf: pageOf, pages: len(pages)}
	o.walk(root.Key("Outlines").Key("First"), nil, 0)
	slices.SortStableFunc(o.out, func(a, b outlineEntry) int {
		return cmp.Or(cmp.Compare(a.page, b.page), cmp.Compare(b.top, a.top), cmp.Compare(a.order, b.order))
	})
	return o.out
}

type outlineReader struct {
	root   pdf.Value
	pageOf map[uint32]int
	pages  int
	seen   int
	out    []outlineEntry
	// named holds the document's named destinations (Names/Dests tree
	// and the older Dests dictionary), read on first use.
	named     map[string]pdf.Value
	namedRead bool
}

// walk reads the bookmark item and its next siblings under path.
func (o *outlineReader) walk(item pdf.Value, path []string, depth int) {
	for ; item.Kind() == pdf.Dict && o.seen < maxOutlineEntries && depth < maxOutlineDepth; item = item.Key("Next") {
		o.seen++
		title := strings.Join(strings.Fields(item.Key("Title").Text()), " ")
		page, top, ok := o.destination(item)
		if !ok || title == "" {
			continue
		}
		p := append(slices.Clip(path), title)
		o.out = append(o.out, outlineEntry{path: p, page: page, top: top, order: len(o.out)})
		o.walk(item.Key("First"), p, depth+1)
	}
}

// destination returns the page and height a bookmark opens: its Dest, or
// the D of its GoTo action, an explicit destination ([page /XYZ left top
// zoom], [page /FitH top], ...) or the name of one.
func (o *outlineReader) destination(item pdf.Value) (page int, top float64, ok bool) {
	d := item.Key("Dest")
	if d.IsNull() {
		if a := item.Key("A"); a.Key("S").Name() == "GoTo" {
			d = a.Key("D")
		}
	}
	for range 2 { // a name leads to an array, or to a dictionary holding one
		switch d.Kind() {
		case pdf.Name:
			d = o.lookup(d.Name())
		case pdf.String:
			d = o.lookup(d.RawString())
		}
		if d.Kind() == pdf.Dict {
			d = d.Key("D")
		}
	}
	if d.Kind() != pdf.Array || d.Len() < 2 {
		return 0, 0, false
	}
	target := d.Index(0)
	if target.Kind() == pdf.Integer { // a page number, as some writers put it
		page = int(target.Int64()) + 1
	} else if id, found := objectID(target); found {
		page = o.pageOf[id]
	}
	if page < 1 || page > o.pages {
		return 0, 0, false
	}
	switch d.Index(1).Name() {
	case "XYZ":
		top = d.Index(3).Float64()
	case "FitH", "FitBH":
		top = d.Index(2).Float64()
	case "FitR":
		top = d.Index(5).Float64()
	}
	return page, top, true
}

// lookup returns the named destination name, or a null value.
func (o *outlineReader) lookup(name string) pdf.Value {
	if !o.namedRead {
		o.namedRead = true
		o.named = map[string]pdf.Value{}
		dests := o.root.Key("Dests")
		for _, k := range dests.Keys() {
			if len(o.named) >= maxNamedDests {
				break
			}
			o.named[k] = dests.Key(k)
		}
		nodes := 0
		var tree func(v pdf.Value, depth int)
		tree = func(v pdf.Value, depth int) {
			nodes++
			if depth > 32 || nodes > maxNamedDests || len(o.named) >= maxNamedDests {
				return
			}
			names := v.Key("Names")
			for i := 0; i+1 < names.Len() && len(o.named) < maxNamedDests; i += 2 {
				if k := names.Index(i).RawString(); k != "" {
					if _, dup := o.named[k]; !dup {
						o.named[k] = names.Index(i + 1)
					}
				}
			}
			kids := v.Key("Kids")
			for i := 0; i < kids.Len(); i++ {
				tree(kids.Index(i), depth+1)
			}
		}
		tree(o.root.Key("Names").Key("Dests"), 0)
	}
	return o.named[name]
}

// objectID returns the object number of an indirect object the PDF
// library resolved (a page, the page a destination names), which is how
// a destination names its page. The library keeps it unexported in the
// value; it is read, never written, through reflect.
func objectID(v pdf.Value) (uint32, bool) {
	ptr := reflect.ValueOf(v).FieldByName("ptr")
	if !ptr.IsValid() || ptr.Kind() != reflect.Struct {
		return 0, false
	}
	id := ptr.FieldByName("id")
	if !id.IsValid() || id.Kind() != reflect.Uint32 || id.Uint() == 0 {
		return 0, false
	}
	return uint32(id.Uint()), true
}

// applyOutline gives the pages' sections the outline's headings: each
// page's text is cut where a bookmark's title stands as a heading
// (findHeading), and each part is a section under the path of the last
// bookmark that opened before it. A bookmark whose title is not found
// on its page opens at the page's top when no heading was found on the
// page before it; after one, its path waits for the next cut or page, so
// that the heading found keeps its text. secs are one section per page,
// in page order.
func applyOutline(secs []Section, entries []outlineEntry) []Section {
	if len(entries) == 0 {
		return secs
	}
	var out []Section
	var current []string // the path in force
	budget := maxHeadingSearch
	e := 0
	for _, s := range secs {
		for e < len(entries) && entries[e].page < s.Page {
			current = entries[e].path // bookmarks on pages without text
			e++
		}
		text, from, cut := s.Text, 0, false
		var pending []string // a bookmark not found after a cut
		for e < len(entries) && entries[e].page == s.Page {
			path := entries[e].path
			e++
			at, end := findHeading(text, from, path[len(path)-1], entries[e-1].line, &budget)
			if at < 0 {
				if cut {
					pending = path
				} else {
					current = path
				}
				continue
			}
			// The heading on a line of its own, as printed: the
			// extractor may join it with the text around it. Each such
			// rewrite copies the page, so it is charged to the budget:
			// thousands of titles found inside lines of a large page
			// cost a bounded copying, then are not found.
			if rest := strings.TrimLeft(text[end:], " \t"); rest != "" && rest[0] != '\n' {
				text = text[:end] + "\n\n" + rest
				budget -= len(text)
			}
			if at > 0 && text[at-1] != '\n' {
				before := strings.TrimRight(text[:at], " \t")
				text = before + "\n\n" + text[at:]
				at = len(before) + 2
				budget -= len(text)
			}
			// A part without a letter (the page's number above its
			// first heading) joins the next one rather than make a
			// chunk of its own.
			if part := text[from:at]; strings.ContainsFunc(part, unicode.IsLetter) {
				out = append(out, pageSection(part, s.Page, current))
				from = at
			}
			current, cut, pending = path, true, nil
		}
		if part := text[from:]; strings.TrimSpace(part) != "" {
			out = append(out, pageSection(part, s.Page, current))
		}
		if pending != nil {
			current = pending
		}
	}
	return out
}

func pageSection(text string, page int, path []string) Section {
	s := Section{Text: text, Page: page, Path: slices.Clone(path)}
	if len(path) > 0 {
		s.Heading = path[len(path)-1]
	}
	return s
}

// maxHeadingSearch bounds the bytes findHeading reads over one
// document, so that an outline of thousands of titles on one large page
// costs a bounded search: past it, titles are not found.
const maxHeadingSearch = 50_000_000

// findHeading finds, at or after from, where the heading title stands in
// a page's text and returns where it starts (its number's start) and
// where the title ends, or -1, -1. Words compare case-folded. It stands
// as a heading
//   - at a line's start, after up to three number words ("2.1", "A.3.",
//     "Chapter 4", "Part I"), when the title is the whole line, or
//     follows a number, or has two words or more (a one-word title such
//     as "Installation" opens too many paragraphs); or
//   - inside a line (the extractor joined it with a paragraph), after a
//     number that follows the end of a sentence ("... volts. 1.1
//     Mounting on a wall Use ...").
//
// With line, only a title that is a whole line is found.
//
// The words are read as far as the title is found, not to the page's
// end: applyOutline searches from each heading found, so a page of
// thousands of headings is read about once. budget counts the bytes and
// words read and the bytes of the words compared, and stops the search
// at 0.
func findHeading(text string, from int, title string, line bool, budget *int) (start, end int) {
	want := strings.Fields(strings.ToLower(title))
	if len(want) == 0 || *budget < 0 {
		return -1, -1
	}
	words := wordScanner{s: text[from:]}
	// has reads the words up to i and reports whether there is one
	// (false too once the budget is spent).
	has := func(i int) bool {
		for len(words.spans) <= i {
			at := words.at
			ok := words.next()
			if *budget -= 1 + words.at - at; *budget < 0 || !ok {
				return false
			}
		}
		return true
	}
	word := func(i int) string { return text[from+words.spans[i][0] : from+words.spans[i][1]] }
	// folds reports whether word i, case-folded, is w; folding copies the
	// word, so its length is charged.
	folds := func(i int, w string) bool {
		*budget -= len(word(i))
		return strings.ToLower(word(i)) == w
	}
	// opensLine reports whether word i (read) opens a line.
	opensLine := func(i int) bool {
		if i == 0 {
			return from == 0 || text[from-1] == '\n' || strings.Contains(text[from:from+words.spans[0][0]], "\n")
		}
		return strings.Contains(text[from+words.spans[i-1][1]:from+words.spans[i][0]], "\n")
	}
	for i := 0; has(i); i++ {
		if *budget--; *budget < 0 {
			return -1, -1
		}
		if !has(i+len(want)-1) || !folds(i, want[0]) {
			continue
		}
		match := true
		for k := 1; k < len(want); k++ {
			if !folds(i+k, want[k]) || opensLine(i+k) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		end := from + words.spans[i+len(want)-1][1]
		wholeLine := !has(i+len(want)) || opensLine(i+len(want))
		if *budget < 0 {
			return -1, -1 // not the text's end: the search stopped
		}
		// The number words before the title, on its line.
		n := 0
		for n < 3 && i-n > 0 && !opensLine(i-n) && headingNumber(word(i-n-1)) {
			n++
		}
		first := i - n
		switch {
		case line:
			if opensLine(i) && wholeLine {
				return from + words.spans[i][0], end
			}
		case opensLine(first) && (n > 0 || wholeLine || len(want) > 1):
			return from + words.spans[first][0], end
		case n > 0 && first > 0 && sentenceEnd(word(first-1)):
			return from + words.spans[first][0], end
		}
	}
	return -1, -1
}

// sentenceEnd reports whether w ends a sentence.
func sentenceEnd(w string) bool {
	return strings.HasSuffix(w, ".") || strings.HasSuffix(w, ":") || strings.HasSuffix(w, "!") || strings.HasSuffix(w, "?")
}

// wordScanner reads s's words (runs of characters other than white
// space, as strings.Fields splits a title: a no-break or an ideographic
// space too) one at a time, keeping where each starts and ends.
type wordScanner struct {
	s     string
	at    int
	spans [][2]int
}

// next reads the next word into spans and reports whether there was one.
func (w *wordScanner) next() bool {
	start := -1
	for i, r := range w.s[w.at:] {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			w.spans = append(w.spans, [2]int{start, w.at + i})
			w.at += i
			return true
		case !unicode.IsSpace(r) && start < 0:
			start = w.at + i
		}
	}
	w.at = len(w.s)
	if start >= 0 {
		w.spans = append(w.spans, [2]int{start, len(w.s)})
		return true
	}
	return false
}

// headingNumber reports whether w is a heading's number or the word
// before one: "2.1", "3.", "A.2", "IV", "iv.", "Chapter", "Part".
func headingNumber(w string) bool {
	switch strings.ToLower(w) {
	case "chapter", "section", "appendix", "part":
		return true
	}
	return headingNum.MatchString(w)
}

var headingNum = regexp.MustCompile(`^(?:[0-9]{1,3}(?:\.[0-9]{1,3})*\.?|[A-Z](?:\.[0-9]{1,3})*\.?|[IVXLC]{1,6}\.?|[ivxlc]{1,6}\.)$`)
