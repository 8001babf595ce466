package chunk

import (
	"cmp"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds on a heading found by its size (sizeOutline): a heading is
// short, and a few lines at most; a larger run of large print is a
// cover, a banner or a pull quote, not a heading.
const (
	maxSizeHeadingLines = 3
	maxSizeHeadingRunes = 160
	maxSizeHeadingWords = 20
	// maxSizeLevels is the depth of the heading paths sizes give: sizes
	// below the sixth largest heading size count as the sixth.
	maxSizeLevels = 6
)

// sizeHeadingRatio is how much larger than the body text a line must be
// set to be a heading: LaTeX's \large over an 11 pt body is 1.09 times
// it, Word's Heading 3 over its 11 pt Normal 1.09; superscripts and
// footnotes are smaller, not larger.
const sizeHeadingRatio = 1.08

// sizeOutline finds the headings of a document without an outline by the
// size they are set in: a paragraph of at most maxSizeHeadingLines lines
// whose first is at least sizeHeadingRatio times the body's size (the
// size most of the document's bytes of text are set in) and the others
// the same size, short, with a letter, and neither a table of contents'
// entry (three or more on a page) nor a running head (the same text at the
// same height on more than a tenth of the pages). Larger sizes are outer
// levels. It marks each heading's lines (pdfLine.heading), so that
// joinPDFLines sets the heading apart for findHeading, and returns the
// bookmarks it would have been given. pages holds each page's lines, in
// page order.
func sizeOutline(pages [][]*pdfLine) []outlineEntry {
	body, share := bodySize(pages)
	if body <= 0 {
		return nil
	}
	type found struct {
		page  int
		lines []*pdfLine
		title string
		size  float64
		toc   bool // words, then a page number
	}
	var heads []found
	for p, all := range pages {
		// The lines joinPDFLines prints: one that is empty, or only a
		// table of contents' dot leaders, is none.
		lines := slices.DeleteFunc(slices.Clone(all), func(l *pdfLine) bool {
			return printedText(l) == ""
		})
		var onPage []found
		for i := 0; i < len(lines); {
			l := lines[i]
			if !largeLine(l, body) || bodyLike(share(l.size)) || !opensParagraph(lines, i) {
				i++
				continue
			}
			// The heading's lines: the same size, no paragraph gap.
			j, n := i+1, len(l.text)
			for j < len(lines) && j-i <= maxSizeHeadingLines && sameSize(lines[j].size, l.size) &&
				!opensParagraph(lines, j) {
				n += len(lines[j].text)
				j++
			}
			run := lines[i:j]
			i = j
			if len(run) > maxSizeHeadingLines || n > 4*maxSizeHeadingRunes {
				continue
			}
			title := joinPDFLines(run)
			folded := foldText(title)
			if !sizeHeadingText(folded) || dropCap(run, lines[j:]) {
				continue
			}
			onPage = append(onPage, found{page: p + 1, lines: run, title: title, size: l.size, toc: tocEntry(folded)})
		}
		// A table of contents: three or more entries on a page. A heading
		// alone that ends in a number ("Python 3", "Step 2") is kept.
		toc := 0
		for _, h := range onPage {
			if h.toc {
				toc++
			}
		}
		for _, h := range onPage {
			if !h.toc || toc < 3 {
				heads = append(heads, h)
			}
		}
	}
	// A running head: the same text, at the same size and height, on more
	// than a tenth of the pages (at least three). A heading repeated
	// down the pages ("Description" in each entry of a reference) stands
	// at other heights.
	type spot struct {
		text    string
		size, y float64
	}
	at := func(h found) spot {
		return spot{foldText(h.title), math.Round(h.size), math.Round(h.lines[0].y / 2)}
	}
	seen := map[spot]map[int]bool{}
	for _, h := range heads {
		k := at(h)
		if seen[k] == nil {
			seen[k] = map[int]bool{}
		}
		seen[k][h.page] = true
	}
	heads = slices.DeleteFunc(heads, func(h found) bool {
		return len(seen[at(h)]) > max(2, len(pages)/10)
	})
	if len(heads) == 0 {
		return nil
	}
	// Levels: the heading sizes, largest first, one level a size (sizes
	// within sameSize of a level's largest are that level).
	sizes := make([]float64, len(heads))
	for i, h := range heads {
		sizes[i] = h.size
	}
	slices.SortFunc(sizes, func(a, b float64) int { return cmp.Compare(b, a) })
	levelOf := map[float64]int{}
	lv, first := -1, 0.0
	for _, s := range sizes {
		if lv < 0 || !sameSize(first, s) {
			lv, first = lv+1, s
		}
		levelOf[s] = min(lv, maxSizeLevels-1)
	}
	var out []outlineEntry
	type open struct {
		level int
		title string
	}
	var stack []open
	for _, h := range heads {
		lv := levelOf[h.size]
		for len(stack) > 0 && stack[len(stack)-1].level >= lv {
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, open{lv, h.title})
		path := make([]string, len(stack))
		for i, o := range stack {
			path[i] = o.title
		}
		for _, l := range h.lines {
			l.heading = true
		}
		out = append(out, outlineEntry{path: path, page: h.page, top: h.lines[0].y, order: len(out), line: true})
	}
	return out
}

// bodyLike reports whether a size that holds n bytes of a document's
// text, share of them, is a second body size rather than a heading size:
// doxygen's manual sets 31% of its text (199,000 bytes) at 10 pt over a
// 9 pt majority, and none of it is a heading. The headings of the manuals
// measured (docs/BENCHMARKS.md) hold under 3% each; a short document's
// may hold more, hence the count.
func bodyLike(n int, share float64) bool { return share > 0.1 && n > 5000 }

// bodySize returns the size most of the pages' text is set in (by bytes),
// by tenths of a point (the smaller of two equally common), or 0 for
// none, and a function giving the bytes set in a size (within 2% of it)
// and their share of all.
func bodySize(pages [][]*pdfLine) (body float64, share func(float64) (int, float64)) {
	bySize := map[float64]int{}
	total := 0
	for _, lines := range pages {
		for _, l := range lines {
			bySize[math.Round(l.size*10)/10] += len(l.text)
			total += len(l.text)
		}
	}
	most := 0
	for size, n := range bySize {
		if n > most || n == most && size < body {
			body, most = size, n
		}
	}
	// The sizes in order with the bytes up to each, so that a share
	// costs two binary searches however many sizes a document uses.
	sizes := slices.Sorted(maps.Keys(bySize))
	upTo := make([]int, len(sizes)+1)
	for i, s := range sizes {
		upTo[i+1] = upTo[i] + bySize[s]
	}
	share = func(size float64) (int, float64) {
		lo, _ := slices.BinarySearch(sizes, size-0.02*size)
		hi, found := slices.BinarySearch(sizes, size+0.02*size)
		if found {
			hi++
		}
		n := upTo[hi] - upTo[lo]
		return n, float64(n) / float64(max(total, 1))
	}
	return body, share
}

// sameSize reports whether two line sizes are one size, as set (within
// 2%: a size is read through the text and current matrices).
func sameSize(a, b float64) bool { return math.Abs(a-b) <= 0.02*math.Max(a, b) }

// largeLine reports whether l is set large enough for a heading.
func largeLine(l *pdfLine, body float64) bool {
	return l.size >= sizeHeadingRatio*body && !sameSize(l.size, body)
}

// opensParagraph reports whether lines[i] starts a paragraph as
// joinPDFLines reads one (the page's first line, a jump up the page, or a
// drop of more than 1.6 sizes), or follows a line of another size.
func opensParagraph(lines []*pdfLine, i int) bool {
	if i == 0 {
		return true
	}
	prev, l := lines[i-1], lines[i]
	drop := prev.y - l.y
	return drop < 0 || drop > 1.6*math.Max(l.size, prev.size) || !sameSize(prev.size, l.size)
}

// sizeHeadingText reports whether folded text reads as a heading: short, with
// a letter (not a page number), not ending in a comma.
func sizeHeadingText(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxSizeHeadingRunes || len(strings.Fields(s)) > maxSizeHeadingWords {
		return false
	}
	return strings.ContainsFunc(s, unicode.IsLetter) && !strings.HasSuffix(s, ",")
}

// dropCap reports whether a run of large print is a drop cap: one letter
// set beside the first lines of its paragraph, which go on with its word
// in lower case ("O" then "nce upon a time"), higher on the page than the
// letter's baseline. An index's letter ("C" over "cat (builtin)") stands
// above its entries.
func dropCap(run, after []*pdfLine) bool {
	t := strings.TrimSpace(run[0].text)
	if len(run) > 1 || utf8.RuneCountInString(t) != 1 || len(after) == 0 {
		return false
	}
	next := strings.TrimSpace(after[0].text)
	r, _ := utf8.DecodeRuneInString(next)
	return after[0].y > run[0].y && unicode.IsLower(r)
}

// tocEntry reports whether folded text reads as a table of contents'
// entry: words, then a page number ("2 installing r under unix-alikes
// 3"), unlike "chapter 4" or "part ii". A heading may read so too
// ("python 3"), hence sizeOutline's count of them on the page.
func tocEntry(s string) bool {
	words := strings.Fields(s)
	n := len(words)
	return n > 1 && pageNumber.MatchString(words[n-1]) &&
		slices.ContainsFunc(words[:n-1], func(w string) bool { return !headingNumber(w) })
}

// pageNumber matches a page number as a table of contents prints it.
var pageNumber = regexp.MustCompile(`^(?:[0-9]{1,5}|[ivxlc]{1,7})$`)
