package ingest

import (
	"unicode"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/keyword"
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
// (2048 texts a request, more than the embedder's own batches); Titan v2
// 8192 tokens or 50,000 characters, one text a call; use-lite reads 128
// tokens of its own, MiniLM 256 WordPiece ids. Ollama truncates on the server (its /api/embed
// "truncate" defaults to true) and hash reads everything, so neither has
// limits here.
func LimitsFor(emb embed.Embedder) Limits {
	info := emb.Info()
	switch info.Provider {
	case docmodel.ProviderOpenAI:
		return Limits{MaxInputs: 2048, MaxRequestTokens: 300_000, MaxInputTokens: 8191}
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

// EstimateTokens estimates the tokens a BPE tokenizer (OpenAI's cl100k,
// Titan's) spends on s, erring high so that a text judged to fit does:
// two per CJK character, one per other non-ASCII rune and per ASCII
// punctuation mark, one per three ASCII letters, digits or spaces. English
// prose comes out about a third above the true count.
func EstimateTokens(s string) int {
	n, plain := 0, 0
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r)):
			plain++
		case r < utf8.RuneSelf:
			n++
		case keyword.IsCJK(r):
			n += 2
		default:
			n++
		}
	}
	return n + (plain+2)/3
}

// modelKey is the identity a price is looked up by.
func modelKey(m docmodel.EmbeddingModel) string { return m.Provider + "/" + m.Model }
