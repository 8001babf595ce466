package llm

import "unicode"

// terms splits text into lexical features: runs of letters and digits
// outside CJK scripts become lower-cased words; runs of CJK characters
// become overlapping character bigrams (a unigram for a run of one).
// Full-width ASCII is folded first. It mirrors the hash embedder's
// tokeniser so that extractive answers and hash retrieval agree.
func terms(text string) []string {
	var out []string
	var word, cjk []rune
	flushWord := func() {
		if len(word) > 0 {
			out = append(out, string(word))
			word = word[:0]
		}
	}
	flushCJK := func() {
		switch {
		case len(cjk) == 1:
			out = append(out, string(cjk))
		case len(cjk) > 1:
			for i := 0; i+1 < len(cjk); i++ {
				out = append(out, string(cjk[i:i+2]))
			}
		}
		cjk = cjk[:0]
	}
	for _, r := range text {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		switch {
		case isCJK(r):
			flushWord()
			cjk = append(cjk, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushCJK()
			word = append(word, unicode.ToLower(r))
		default:
			flushWord()
			flushCJK()
		}
	}
	flushWord()
	flushCJK()
	return out
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) || r == 'ー'
}

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
// pieces are dropped.
func splitSentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	emit := func(end int) {
		s := trimSpace(string(rs[start:end]))
		if s != "" {
			out = append(out, s)
		}
		start = end
	}
	for i, r := range rs {
		switch r {
		case '。', '！', '？', '!', '?', '\n':
			emit(i + 1)
		case '.':
			if i+1 == len(rs) || unicode.IsSpace(rs[i+1]) {
				emit(i + 1)
			}
		}
	}
	emit(len(rs))
	return out
}

func trimSpace(s string) string {
	rs := []rune(s)
	i, j := 0, len(rs)
	for i < j && unicode.IsSpace(rs[i]) {
		i++
	}
	for j > i && unicode.IsSpace(rs[j-1]) {
		j--
	}
	return string(rs[i:j])
}
