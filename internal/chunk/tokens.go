package chunk

import "github.com/vendor0919/api/internal/keyword"

// EstimateTokens returns a rough token count for s: one token per CJK
// character (Han, Kana, Hangul) and one per four other runes, rounded up.
// It errs on the high side for Japanese, where BPE tokenisers usually spend
// one or more tokens per character.
func EstimateTokens(s string) int {
	cjk, other := 0, 0
	for _, r := range s {
		if keyword.IsCJK(r) {
			cjk++
		} else {
			other++
		}
	}
	return cjk + (other+3)/4
}
