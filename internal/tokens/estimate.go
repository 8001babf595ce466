package tokens

import (
	"unicode"
	"unicode/utf8"
)

// Estimate estimates the tokens a byte-level BPE tokenizer (OpenAI's
// cl100k_base; Titan's is not public) spends on s, erring high so that a
// text judged to fit does. It counts by character class, in quarter
// tokens: ASCII words a token per four lower-case letters, two capitals,
// or one letter of a word that changes case or follows a digit (code,
// hex, base64); digits a token per three; punctuation a token per two
// marks; a lone space nothing unless a digit follows (" 7" is two tokens),
// a line break a token. Other letters cost what their script costs
// cl100k_base (scriptQuarters); emoji three tokens; a script not listed
// one token a byte of UTF-8, the most any byte-level BPE can spend.
// Measured against cl100k_base on Debian's translations, base64, hex,
// emoji and tables of numbers, no corpus as a whole comes out above its
// estimate; English prose comes out near two thirds of it, Japanese near
// four fifths. It is an estimate, not a bound: short runs of rare words
// (lists of place names) can exceed it by a third, so a text cut to
// Titan's limit by it may still be refused.
func Estimate(s string) int {
	q := 0         // quarter tokens
	run := 0       // length of the current run of one ASCII class
	first := true  // the current run of one case is the first of its word
	glued := false // the word follows a digit or changes case: code, hex, base64
	prev := cNone
	for _, r := range s {
		if r >= utf8.RuneSelf {
			w := runeQuarters(r)
			if w < 4 && unicode.IsUpper(r) {
				w += 2 // capitals of cheap scripts (Cyrillic) are not
			}
			q += w
			prev, run = cNone, 0
			continue
		}
		c := asciiClass(r)
		letter, wasLetter := c == cLower || c == cUpper, prev == cLower || prev == cUpper
		switch {
		case letter && wasLetter && c != prev:
			// A change of case inside a word starts a token, except
			// after the capital that opens it ("The").
			if prev != cUpper || run != 1 || !first {
				q += 4
				glued = true
			}
			run, first = 1, false
		case letter && wasLetter:
			run++
			switch {
			case glued:
				q += 4
			case c == cUpper && run%2 == 1, c == cLower && run%4 == 1:
				q += 4
			}
		case c == prev && c == cDigit:
			run++
			if run%3 == 1 {
				q += 4
			}
		case c == prev && c == cPunct:
			run++
			if run%2 == 1 {
				q += 4
			}
		case c == prev && c == cSpace:
			run++
			if run%8 == 2 {
				q += 4
			}
		case c == prev && c == cNewline:
		default:
			if c == cDigit && prev == cSpace {
				q += 4 // " 7": the space does not merge with a digit as with a word
			}
			run, first, glued = 1, true, letter && prev == cDigit
			if c != cSpace {
				q += 4
			}
		}
		prev = c
	}
	if prev == cSpace {
		q += 4 // trailing spaces are a token
	}
	return (q + 3) / 4
}

// ASCII classes for Estimate.
const (
	cNone = iota
	cLower
	cUpper
	cDigit
	cPunct
	cSpace
	cNewline
)

func asciiClass(r rune) int {
	switch {
	case 'a' <= r && r <= 'z':
		return cLower
	case 'A' <= r && r <= 'Z':
		return cUpper
	case '0' <= r && r <= '9':
		return cDigit
	case r == '\n' || r == '\r':
		return cNewline
	case r == ' ' || r == '\t' || r == '\v' || r == '\f':
		return cSpace
	}
	return cPunct
}

// scriptQuarters is what a letter of a script costs cl100k_base, in
// quarter tokens: its mean over Debian's translations into that script,
// rounded up with a margin (Armenian and Georgian: two tokens a letter,
// Ethiopic and other scripts not listed: one a byte).
var scriptQuarters = []struct {
	tab *unicode.RangeTable
	q   int
}{
	{unicode.Latin, 4},
	{unicode.Cyrillic, 2},
	{unicode.Greek, 5},
	{unicode.Arabic, 4},
	{unicode.Hebrew, 5},
	{unicode.Devanagari, 5},
	{unicode.Thai, 5},
	{unicode.Hiragana, 4},
	{unicode.Katakana, 5},
	{unicode.Hangul, 6},
	{unicode.Han, 6},
	{unicode.Bengali, 6},
	{unicode.Tamil, 7},
	{unicode.Armenian, 9},
	{unicode.Georgian, 9},
	{unicode.Myanmar, 9},
}

// runeQuarters is what one non-ASCII rune costs, in quarter tokens.
func runeQuarters(r rune) int {
	switch {
	case r >= 0x2000 && r <= 0x206F && r != 0x200D, // general punctuation, not the emoji joiner
		r >= 0x3000 && r <= 0x303F, // CJK punctuation
		r >= 0xFF00 && r <= 0xFFEF: // full-width forms
		return 4
	}
	for _, s := range scriptQuarters {
		if unicode.Is(s.tab, r) {
			return s.q
		}
	}
	switch n := utf8.RuneLen(r); n {
	case 2:
		return 4
	case 4:
		return 12 // emoji and rare ideographs
	default:
		return 4 * n
	}
}

// Truncate returns a prefix of s, cut at a rune boundary, whose estimate
// is at most budget tokens and which one more rune would take over it
// ("" when budget < 1), by bisection in O(len(s) log len(s)). It is the
// longest such prefix but where the estimate falls as a prefix grows,
// which it does only by a token at a trailing space ("д " is two tokens,
// "д д" one): there the cut may come a word early.
func Truncate(s string, budget int) string {
	return TruncateFunc(s, budget, Estimate)
}

// TruncateFunc is Truncate with the tokens counted by count (a model's
// own tokenizer), which should grow with the prefix as Estimate does:
// count is called about log2(len(s)) times.
func TruncateFunc(s string, budget int, count func(string) int) string {
	if count(s) <= budget {
		return s
	}
	if budget < 1 {
		return ""
	}
	lo, hi := 0, len(s) // byte offsets: s[:lo] fits, s[:hi] does not
	for {
		mid := lo + (hi-lo)/2
		// Back to the start of the rune mid is in. A rune is at most
		// UTFMax bytes, so a continuation byte with no start that close
		// before it is a rune of its own (invalid UTF-8, as range reads
		// it): a long run of them costs no more than valid text.
		for i := 1; !utf8.RuneStart(s[mid]) && i < utf8.UTFMax && mid-i >= lo; i++ {
			if utf8.RuneStart(s[mid-i]) {
				mid -= i
			}
		}
		if mid == lo {
			_, n := utf8.DecodeRuneInString(s[lo:])
			if mid = lo + n; mid >= hi {
				return s[:lo]
			}
		}
		if count(s[:mid]) <= budget {
			lo = mid
		} else {
			hi = mid
		}
	}
}
