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
// size they are set in: a paragraph of at most maxSizeHeadingLines lines,
// each at least sizeHeadingRatio times the body's size (the size most of
// the document's letters are set in), short, with a letter, and not on
// every other page (a running head). Larger sizes are outer levels. It
// marks each heading's lines (pdfLine.heading), so that joinPDFLines sets
// the heading apart for findHeading, and returns the bookmarks it would
// have been given. pages holds each page's lines, in page order.
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
	}
	var heads []found
	for p, lines := range pages {
		for i := 0; i < len(lines); {
			l := lines[i]
			if !largeLine(l, body) || bodyLike(share(l.size)) || !opensParagraph(lines, i) {
				i++
				continue
			}
			// The heading's lines: the same size, no paragraph gap.
			j := i + 1
			for j < len(lines) && j-i <= maxSizeHeadingLines && sameSize(lines[j].size, l.size) &&
				!opensParagraph(lines, j) {
				j++
			}
			run := lines[i:j]
			i = j
			if len(run) > maxSizeHeadingLines {
				continue
			}
			title := foldText(joinPDFLines(run))
			if !sizeHeadingText(title) {
				continue
			}
			heads = append(heads, found{page: p + 1, lines: run, title: joinPDFLines(run), size: l.size})
		}
	}
	// A running head: the same text at the same size on many pages.
	seen := map[string]int{}
	for _, h := range heads {
		seen[foldText(h.title)]++
	}
	heads = slices.DeleteFunc(heads, func(h found) bool {
		return seen[foldText(h.title)] > max(2, len(pages)/10)
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
		out = append(out, outlineEntry{path: path, page: h.page, top: h.lines[0].y, order: len(out)})
	}
	return out
}

// bodyLike reports whether a size that holds letters of a document's
// letters, a share of them, is a second body size rather than a heading
// size: doxygen's manual sets 31% of its text (199,000 letters) at 10 pt
// over a 9 pt majority, and none of it is a heading. The headings of the
// manuals measured (docs/BENCHMARKS.md) hold under 3% each; a short
// document's may hold more, hence the count.
func bodyLike(letters int, share float64) bool { return share > 0.1 && letters > 5000 }

// bodySize returns the size most of the pages' letters are set in, by
// tenths of a point (the smaller of two equally common), or 0 for none,
// and a function giving the letters set in a size (within sameSize of
// it) and their share of all.
func bodySize(pages [][]*pdfLine) (body float64, share func(float64) (int, float64)) {
	bySize := map[float64]int{}
	total := 0
	for _, lines := range pages {
		for _, l := range lines {
			bySize[math.Round(l.size*10)/10] += l.text.Len()
			total += l.text.Len()
		}
	}
	most := 0
	for size, n := range bySize {
		if n > most || n == most && size < body {
			body, most = size, n
		}
	}
	// The sizes in order with the letters up to each, so that a share
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
	if !strings.ContainsFunc(s, unicode.IsLetter) || strings.HasSuffix(s, ",") {
		return false
	}
	// A table of contents' entry: words, then a page number ("2
	// installing r under unix-alikes 3"), unlike "chapter 4" or "part ii".
	words := strings.Fields(s)
	if n := len(words); n > 1 && pageNumber.MatchString(words[n-1]) {
		return !slices.ContainsFunc(words[:n-1], func(w string) bool { return !headingNumber(w) })
	}
	return true
}

// pageNumber matches a page number as a table of contents prints it.
var pageNumber = regexp.MustCompile(`^(?:[0-9]{1,5}|[ivxlc]{1,7})$`)
