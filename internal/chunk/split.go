package chunk

import (
	"unicode"
	"unicode/utf8"
)

// Defaults for Options fields left at zero.
const (
	DefaultSize    = 800
	DefaultOverlap = 100
)

// MaxSize is the largest chunk size a build accepts (vectorstore build
// --chunk-size). Every embedder reads at most 8,192 tokens, about 32,000
// runes of English; a larger chunk is only cut again. It also keeps each
// chunk's JSON (its text, at most one and a half times the size, heading
// path, title and ids) well inside the 4 MiB a store allows a chunk, so a
// build cannot fail there after embedding everything.
const MaxSize = 32768

// Options sets chunk sizes. The zero value uses the defaults.
type Options struct {
	// Size is the largest chunk, in runes; 0 means DefaultSize.
	Size int
	// Overlap is how many runes a chunk may repeat from the end of the one
	// before it; 0 means DefaultOverlap, a negative value means none. It is
	// capped at Size/2.
	Overlap int
}

func (o Options) norm() (size, overlap int) {
	size, overlap = o.Size, o.Overlap
	if size <= 0 {
		size = DefaultSize
	}
	switch {
	case overlap == 0:
		overlap = DefaultOverlap
	case overlap < 0:
		overlap = 0
	}
	if overlap > size/2 {
		overlap = size / 2
	}
	return size, overlap
}

// Span is one piece of a split text: Text == text[Start:End] (byte
// offsets).
type Span struct {
	Start, End int
	Text       string
}

// Split cuts text into spans of at most Size runes that together cover
// every byte of text, consecutive spans overlapping by at most Overlap
// runes. A span ends, in order of preference, at a paragraph break, after a
// sentence end, at a line break or at a space found in the second half of
// its window; failing those it ends at the size limit.
func Split(text string, opts Options) []Span {
	if text == "" {
		return nil
	}
	size, overlap := opts.norm()
	// offs[i] is the byte offset of rune i; offs[n] == len(text).
	offs := make([]int, 0, len(text)+1)
	for i := range text {
		offs = append(offs, i)
	}
	n := len(offs)
	offs = append(offs, len(text))
	runeAt := func(i int) rune {
		r, _ := utf8.DecodeRuneInString(text[offs[i]:])
		return r
	}

	var spans []Span
	start := 0
	for start < n {
		end := start + size
		if end >= n {
			end = n
		} else {
			end = bestBreak(runeAt, start+max(size/2, 1), end)
		}
		spans = append(spans, Span{Start: offs[start], End: offs[end], Text: text[offs[start]:offs[end]]})
		if end == n {
			break
		}
		next := end
		if overlap > 0 && end-overlap > start {
			next = overlapStart(runeAt, end-overlap, end)
		}
		if next <= start {
			next = end
		}
		start = next
	}
	return spans
}

// bestBreak returns the rune index in [lo, hi] at which to end a span:
// the last paragraph break, else the last sentence end, else the last line
// break, else the last space, else hi. Rune hi is the first rune after the
// span's limit and exists.
func bestBreak(runeAt func(int) rune, lo, hi int) int {
	sent, line, space := -1, -1, -1
	for i := hi; i >= lo; i-- {
		prev, cur := runeAt(i-1), runeAt(i)
		switch {
		case prev == '\n' && i >= 2 && runeAt(i-2) == '\n':
			return i
		case sent < 0 && isSentenceEnd(prev) && (isFullWidthEnd(prev) || unicode.IsSpace(cur)):
			sent = i
			if unicode.IsSpace(cur) && i < hi {
				sent = i + 1 // keep the space with the sentence it follows
			}
		case line < 0 && prev == '\n':
			line = i
		case space < 0 && unicode.IsSpace(prev):
			space = i
		}
	}
	for _, b := range []int{sent, line, space} {
		if b > 0 {
			return b
		}
	}
	return hi
}

// overlapStart returns where the next span starts: the first sentence or
// line start in [lo, end) (after any spaces), else the first word start
// there, else lo. Rune lo-1 must exist.
func overlapStart(runeAt func(int) rune, lo, end int) int {
	word := -1
	for i := lo; i < end; i++ {
		prev := runeAt(i - 1)
		if prev == '\n' || (isSentenceEnd(prev) && (isFullWidthEnd(prev) || unicode.IsSpace(runeAt(i)))) {
			for i < end-1 && unicode.IsSpace(runeAt(i)) {
				i++
			}
			return i
		}
		if word < 0 && unicode.IsSpace(prev) && !unicode.IsSpace(runeAt(i)) {
			word = i
		}
	}
	if word >= 0 {
		return word
	}
	return lo
}

func isSentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', '。', '！', '？':
		return true
	}
	return false
}

// isFullWidthEnd reports a Japanese sentence end, which needs no space
// after it.
func isFullWidthEnd(r rune) bool { return r == '。' || r == '！' || r == '？' }
