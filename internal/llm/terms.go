package llm

import (
	"strings"
	"unicode"
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
// pieces are dropped.
func splitSentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	emit := func(end int) {
		s := strings.TrimSpace(string(rs[start:end]))
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
