package ingest

import (
	"sync"
	"unicode"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
)

// Limits are what one embedding model accepts. Zero fields mean no limit.
type Limits struct {
	// MaxInputs is the most texts in one Embed call: 1 for Bedrock Titan
	// (one InvokeModel per text), so that --concurrency counts requests.
	MaxInputs int
	// MaxRequestTokens caps the estimated tokens of one Embed call
	// (OpenAI refuses requests over 300,000 tokens).
	MaxRequestTokens int
	// MaxInputTokens and MaxInputChars bound one text. Longer texts are
	// cut to fit before they are embedded, unless SelfTruncates.
	MaxInputTokens int
	MaxInputChars  int
	// SelfTruncates says the model reads only the first MaxInputTokens
	// tokens itself (use-lite): a longer text is counted, not cut, so that
	// its vector and cache key stay what they always were.
	SelfTruncates bool
	// Tokens counts a text's tokens; nil means EstimateTokens.
	Tokens func(string) int
}

// tokenCounter is implemented by embedders that can count their own
// tokens exactly (use-lite's SentencePiece tokenizer).
type tokenCounter interface {
	CountTokens(text string) int
}

// selfTruncating holds the offline models that read only a text's first
// tokens themselves, and how many: use-lite 128 SentencePiece tokens
// (alone or joined with GloVe), MiniLM 256 WordPiece ids (minilm.MaxTokens).
var selfTruncating = map[string]int{
	docmodel.ProviderUseLite:      128,
	docmodel.ProviderUseLiteGlove: 128,
	docmodel.ProviderMiniLM:       256,
}

// LimitsFor returns the limits of the model emb runs: OpenAI's
// text-embedding models take 8191 tokens a text and 300,000 a request
// (2048 texts a request, more than the embedder's own batches), counted
// exactly with cl100k_base for the models known to use it; Titan v2
// 8192 tokens or 50,000 characters, one text a call; use-lite reads 128
// tokens of its own, MiniLM 256 WordPiece ids. Ollama truncates on the server (its /api/embed
// "truncate" defaults to true) and hash reads everything, so neither has
// limits here.
func LimitsFor(emb embed.Embedder) Limits {
	info := emb.Info()
	switch info.Provider {
	case docmodel.ProviderOpenAI:
		l := Limits{MaxInputs: 2048, MaxRequestTokens: 300_000, MaxInputTokens: 8191}
		if openAICl100k[info.Model] {
			if enc, err := cl100k(); err == nil {
				l.Tokens = func(s string) int { return countPieces(s, func(p string) int { return len(enc.EncodeOrdinary(p)) }) }
			}
		}
		return l
	case docmodel.ProviderBedrock:
		return Limits{MaxInputs: 1, MaxInputTokens: 8192, MaxInputChars: 50_000}
	}
	if n, ok := selfTruncating[info.Provider]; ok {
		l := Limits{MaxInputTokens: n, SelfTruncates: true}
		if tc, ok := emb.(tokenCounter); ok {
			l.Tokens = tc.CountTokens
		}
		return l
	}
	return Limits{}
}

// openAICl100k holds the OpenAI embedding models that count in
// cl100k_base. Another model name (an Azure deployment, a compatible
// server) is estimated, since its tokenizer is not known.
var openAICl100k = map[string]bool{
	"text-embedding-3-small": true,
	"text-embedding-3-large": true,
	"text-embedding-ada-002": true,
}

// cl100k loads OpenAI's cl100k_base encoding from the ranks compiled into
// the binary (no download), once: about 0.1 s and 11 MiB of maps, so only
// a build that embeds with OpenAI pays for it. The encoder is read-only
// and safe for concurrent use.
var cl100k = sync.OnceValues(func() (*tiktoken.Tiktoken, error) {
	tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
	return tiktoken.GetEncoding(tiktoken.MODEL_CL100K_BASE)
})

// countPiece is the most bytes countPieces gives the tokenizer at once.
const countPiece = 1024

// countPieces returns the tokens of s counted by count a piece of at most
// countPiece bytes at a time. BPE merges within a pre-token in time
// quadratic in its length, and a run of Han characters or base64 with no
// space or punctuation is one pre-token: counting 32,768 such runes whole
// took 2.6 s, and cutting a text to fit counts it about fifteen times. A
// piece ends before a space that follows a non-space in its second half,
// where cl100k_base's pre-tokenizer cuts too (the space opens the next
// word's token), so prose counts as it does whole; a piece with no such
// space ends at a rune boundary, which can only count more.
func countPieces(s string, count func(string) int) int {
	n := 0
	for len(s) > countPiece {
		cut := countPiece
		for cut > countPiece/2 && (s[cut] != ' ' || isSpaceByte(s[cut-1])) {
			cut--
		}
		if cut == countPiece/2 {
			cut = countPiece
			for cut > 1 && !utf8.RuneStart(s[cut]) {
				cut--
			}
		}
		n += count(s[:cut])
		s = s[cut:]
	}
	return n + count(s)
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

func (l Limits) tokens(s string) int {
	if l.Tokens != nil {
		return l.Tokens(s)
	}
	return EstimateTokens(s)
}

// fit returns text as it will be embedded, its token count, and whether
// it exceeds the model's input limit (cut to fit unless SelfTruncates).
func (l Limits) fit(text string) (string, int, bool) {
	n := l.tokens(text)
	over := (l.MaxInputTokens > 0 && n > l.MaxInputTokens) ||
		(l.MaxInputChars > 0 && utf8.RuneCountInString(text) > l.MaxInputChars)
	if !over || l.SelfTruncates {
		return text, n, over
	}
	// The longest prefix within both limits, found by bisection on rune
	// boundaries: the estimate only grows with the prefix.
	idx := make([]int, 0, len(text)+1)
	for i := range text {
		idx = append(idx, i)
	}
	idx = append(idx, len(text))
	lo, hi := 0, len(idx)-1 // runes; prefix of lo runes fits, of hi does not
	if l.MaxInputChars > 0 {
		hi = min(hi, l.MaxInputChars+1)
	}
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if l.MaxInputTokens > 0 && l.tokens(text[:idx[mid]]) > l.MaxInputTokens || l.MaxInputChars > 0 && mid > l.MaxInputChars {
			hi = mid
		} else {
			lo = mid
		}
	}
	cut := text[:idx[lo]]
	return cut, l.tokens(cut), true
}

// EstimateTokens estimates the tokens a byte-level BPE tokenizer (OpenAI's
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
func EstimateTokens(s string) int {
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

// ASCII classes for EstimateTokens.
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

// modelKey is the identity a price is looked up by.
func modelKey(m docmodel.EmbeddingModel) string { return m.Provider + "/" + m.Model }
