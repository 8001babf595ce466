package keyword

import (
	"strings"
	"unicode"
)

// IsCJK reports whether r belongs to a script written without spaces
// between words: Han, Hiragana, Katakana, Hangul, or the Katakana-Hiragana
// prolonged sound mark (ー).
func IsCJK(r rune) bool {
	if r < 0x1100 { // below Hangul Jamo, the first of these blocks
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		r == 'ー' || r == '々' || r == '〆'
}

// fold maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII and
// lower-cases the result.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFF01 - 0x21
	}
	return unicode.ToLower(r)
}

// Tokenize returns the index tokens of text, in order of appearance. See
// the package documentation for the rules.
func Tokenize(text string) []string {
	var (
		toks []string
		word strings.Builder
		cjk  []rune
	)
	flushWord := func() {
		if word.Len() > 0 {
			toks = append(toks, word.String())
			word.Reset()
		}
	}
	flushCJK := func() {
		switch len(cjk) {
		case 0:
		case 1:
			toks = append(toks, string(cjk))
		default:
			for i := 0; i+1 < len(cjk); i++ {
				toks = append(toks, string(cjk[i:i+2]))
			}
		}
		cjk = cjk[:0]
	}
	for _, r := range text {
		r = fold(r)
		switch {
		case IsCJK(r):
			flushWord()
			cjk = append(cjk, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			flushCJK()
			word.WriteRune(r)
		default:
			flushWord()
			flushCJK()
		}
	}
	flushWord()
	flushCJK()
	return toks
}
