package llm

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isJapanese reports whether s contains kana or Han characters.
func isJapanese(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// stopwords are English function words ignored when scoring sentences.
var stopwords = map[string]bool{
	"a": true, "an": true, "the": true, "is": true, "are": true, "was": true, "were": true,
	"be": true, "to": true, "of": true, "in": true, "on": true, "at": true, "for": true,
	"and": true, "or": true, "it": true, "this": true, "that": true, "what": true,
	"how": true, "do": true, "does": true, "i": true, "you": true, "my": true, "with": true,
	"can": true, "which": true, "who": true, "when": true, "where": true, "why": true,
	"by": true, "from": true, "as": true, "about": true, "there": true, "their": true,
	"me": true, "we": true, "our": true, "your": true, "its": true, "did": true,
}

// splitSentences splits text after sentence ends (。！？!? and a full stop
// followed by a space) and at line breaks, trimming each piece; empty
// pieces are dropped. A line break that only wraps prose (softWrap) is a
// space: Markdown, plain text and PDF keep a paragraph's lines as written,
// and a sentence cut there was quoted by halves.
func splitSentences(text string) []string {
	var out []string
	rs := []rune(text)
	start, line := 0, 0 // line: where the current line starts
	inFence := false    // inside a Markdown code fence, whose lines stay apart
	emit := func(end int) {
		s := strings.TrimSpace(string(rs[start:end]))
		if s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i, r := range rs {
		switch r {
		case '\n':
			fence := fenceLine(rs[line:i])
			if fence {
				inFence = !inFence
			}
			if fence || inFence || !softWrap(rs[line:i], rs[i+1:]) {
				emit(i + 1)
			}
			line = i + 1
		case '。', '！', '？', '!', '?':
			emit(i + 1)
		case '.':
			if i+1 == len(rs) || unicode.IsSpace(rs[i+1]) {
				emit(i + 1)
			}
		}
	}
	emit(len(rs))
	for i, s := range out {
		out[i] = unwrap(s)
	}
	return out
}

// unwrap joins the lines of a sentence softWrap kept whole: by a space, or
// by nothing between two Japanese characters (Japanese is wrapped inside
// words).
func unwrap(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if i > 0 {
			before, _ := utf8.DecodeLastRuneInString(b.String())
			after, _ := utf8.DecodeRuneInString(l)
			if !isJapanese(string(before)) || !isJapanese(string(after)) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

// minWrappedLine is the fewest runes a line has when a line break after it
// may be a soft wrap: prose is wrapped at 70 to 80 columns, while shorter
// lines are titles, list items, table rows or code.
const minWrappedLine = 50

// softWrap reports whether the line break between line and the text after
// it (rest) only wraps a paragraph: line is long, ends inside a sentence
// (in a letter, a digit, a comma or a closing quote or bracket; a line
// ending in ':' or ';' introduces what follows) and the next line goes on
// with prose, not a blank line, an indented or list line or a heading;
// neither line looks like code or a table (looksLikeCode).
func softWrap(line, rest []rune) bool {
	l := strings.TrimRight(string(line), " \t\r")
	if utf8.RuneCountInString(l) < minWrappedLine || len(rest) == 0 {
		return false
	}
	next := rest
	if j := slices.Index(rest, '\n'); j >= 0 {
		next = rest[:j]
	}
	if looksLikeCode(l) || looksLikeCode(string(next)) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(l)
	if !unicode.IsLetter(last) && !unicode.IsDigit(last) && !strings.ContainsRune(",)]`'\"”’", last) {
		return false
	}
	first := rest[0]
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) && !strings.ContainsRune("`('\"“‘", first) {
		return false // a blank, indented, list or heading line; a table row
	}
	return !listItem.MatchString(string(rest[:min(len(rest), 8)]))
}

// fenceLine reports whether line opens or closes a Markdown code fence.
func fenceLine(line []rune) bool {
	t := strings.TrimLeft(string(line), " ")
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

// looksLikeCode reports whether a line reads as code, a grammar rule or a
// table rather than prose: it holds a table's "|", a grammar's "::=",
// braces, "=", a tab, a command's " --option", or spaces that align
// columns (two or more after its first word, but not after a sentence's
// end: GNU manuals put two spaces there).
func looksLikeCode(line string) bool {
	if strings.ContainsAny(line, "|{}=\t") || strings.Contains(line, " --") {
		return true
	}
	t := strings.TrimLeft(line, " ")
	for i := strings.Index(t, "  "); i >= 0; {
		if i == 0 || !strings.ContainsRune(".?!:;", rune(t[i-1])) {
			return true
		}
		t = strings.TrimLeft(t[i:], " ")
		i = strings.Index(t, "  ")
	}
	return false
}

// listItem is an ordered list item's start ("1. ", "2) ", "a) ").
var listItem = regexp.MustCompile(`^(?:\d{1,3}|[a-z])[.)]\s`)
