package lcpickle

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// text repairs a string as pickle writes it: Python encodes str with
// "surrogatepass", so a lone surrogate is three bytes (ED A0..BF xx) that
// are not UTF-8, and a surrogate pair (a str holding both halves) is six.
// A pair becomes its code point and each lone surrogate one U+FFFD; any
// other invalid byte becomes one U+FFFD, as encoding/json would make it.
func text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || n != 1 {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		hi, ok := surrogate(s[i:])
		if !ok {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		if lo, ok := surrogate(s[i+3:]); ok && utf16.IsSurrogate(hi) && hi < 0xdc00 && lo >= 0xdc00 {
			b.WriteRune(utf16.DecodeRune(hi, lo))
			i += 6
			continue
		}
		b.WriteRune(utf8.RuneError)
		i += 3
	}
	return b.String()
}

// surrogate decodes the three-byte encoding of U+D800..U+DFFF at the start
// of s.
func surrogate(s string) (rune, bool) {
	if len(s) < 3 || s[0] != 0xed || s[1] < 0xa0 || s[1] > 0xbf || s[2] < 0x80 || s[2] > 0xbf {
		return 0, false
	}
	return rune(s[0]&0x0f)<<12 | rune(s[1]&0x3f)<<6 | rune(s[2]&0x3f), true
}
