package ingest

import (
	"sync"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"

	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/tokens"
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
	// Tokens counts a text's tokens; nil means tokens.Estimate.
	Tokens func(string) int
}

// tokenCounter is implemented by embedders that can count their own
// tokens exactly (use-lite's SentencePiece tokenizer).
type tokenCounter interface {
	CountTokens(text string) int
}

// selfTruncating is implemented by the offline models that read only a
// text's first tokens themselves, and say how many: use-lite 128
// SentencePiece tokens (alone or joined with GloVe), MiniLM 256
// WordPiece ids.
type selfTruncating interface {
	MaxInputTokens() int
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
	if st, ok := emb.(selfTruncating); ok && st.MaxInputTokens() > 0 {
		l := Limits{MaxInputTokens: st.MaxInputTokens(), SelfTruncates: true}
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
	return tokens.Estimate(s)
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
	// The longest prefix within both limits: the tokens only grow with
	// the prefix.
	cut := text
	if l.MaxInputChars > 0 {
		cut = chunk.TruncateRunes(cut, l.MaxInputChars)
	}
	if l.MaxInputTokens > 0 {
		cut = tokens.TruncateFunc(cut, l.MaxInputTokens, l.tokens)
	}
	return cut, l.tokens(cut), true
}

// modelKey is the identity a price is looked up by.
func modelKey(m docmodel.EmbeddingModel) string { return m.Provider + "/" + m.Model }
