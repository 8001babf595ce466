package ingest

import (
	"crypto/sha256"
	"encoding/base64"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embed/glove"
	"github.com/vendor0919/api/internal/embed/minilm"
	"github.com/vendor0919/api/internal/embed/offline"
	"github.com/vendor0919/api/internal/embed/uselite"
)

// TestLimitsFor_OpenAICountsExactly: OpenAI's models are counted with
// cl100k_base, so a text the estimate would pass (base64 spends about
// three tokens on four characters) is cut to 8191 real tokens; a model of
// unknown tokenizer is estimated.
func TestLimitsFor_OpenAICountsExactly(t *testing.T) {
	t.Parallel()
	enc, err := cl100k()
	if err != nil {
		t.Fatal(err)
	}
	emb, err := embed.NewOpenAI(embed.OpenAIConfig{Model: "text-embedding-3-small"})
	if err != nil {
		t.Fatal(err)
	}
	l := LimitsFor(emb)
	if l.Tokens == nil || l.Tokens("hello world") != 2 {
		t.Fatalf("text-embedding-3-small: limits %+v do not count with cl100k_base", l)
	}
	raw := make([]byte, 0, 15_000)
	for h := sha256.Sum256(nil); len(raw) < cap(raw); h = sha256.Sum256(h[:]) {
		raw = append(raw, h[:]...)
	}
	text := base64.StdEncoding.EncodeToString(raw) // 20,000 characters, about 15,000 tokens
	got, n, over := l.fit(text)
	if real := len(enc.EncodeOrdinary(got)); !over || n != real || real > 8191 || real < 8000 {
		t.Errorf("base64: over %v, cut to %d tokens (%d counted), want at most 8191", over, real, n)
	}
	custom, err := embed.NewOpenAI(embed.OpenAIConfig{Model: "my-model", Dims: 8})
	if err != nil {
		t.Fatal(err)
	}
	if l := LimitsFor(custom); l.Tokens != nil || l.MaxInputTokens != 8191 {
		t.Errorf("my-model: limits %+v, want the estimate", l)
	}
}

func TestLimits_Fit(t *testing.T) {
	t.Parallel()
	openai := Limits{MaxInputs: 2048, MaxRequestTokens: 300_000, MaxInputTokens: 8191}
	titan := Limits{MaxInputs: 1, MaxInputTokens: 8192, MaxInputChars: 50_000}
	useLite := Limits{MaxInputTokens: 128, SelfTruncates: true, Tokens: func(s string) int { return len(strings.Fields(s)) }}
	long := strings.Repeat("word ", 10_000)  // 50,000 characters, about 16,667 estimated tokens
	cjk := strings.Repeat("日本語のテキスト", 7_000) // 56,000 characters
	tests := []struct {
		name     string
		lim      Limits
		text     string
		wantOver bool
		wantSame bool
	}{
		{"short text untouched", openai, "hello world", false, true},
		{"openai cuts to 8191 tokens", openai, long, true, false},
		{"titan cuts long text", titan, long, true, false},
		{"titan cuts CJK by tokens", titan, cjk, true, false},
		{"no limits", Limits{}, long, false, true},
		{"use-lite counts but keeps", useLite, long, true, true},
	}
	for _, tt := range tests {
		got, n, over := tt.lim.fit(tt.text)
		if over != tt.wantOver || (got == tt.text) != tt.wantSame {
			t.Errorf("%s: over %v, unchanged %v", tt.name, over, got == tt.text)
			continue
		}
		if !utf8.ValidString(got) || !strings.HasPrefix(tt.text, got) {
			t.Errorf("%s: result is not a valid prefix", tt.name)
		}
		if tt.wantSame {
			continue
		}
		if n != tt.lim.tokens(got) || n > tt.lim.MaxInputTokens || (tt.lim.MaxInputChars > 0 && utf8.RuneCountInString(got) > tt.lim.MaxInputChars) {
			t.Errorf("%s: cut to %d runes, %d tokens", tt.name, utf8.RuneCountInString(got), n)
		}
		// The cut is the longest that fits: one more rune does not.
		next := tt.text[:len(got)+utf8.RuneLen([]rune(tt.text[len(got):])[0])]
		if tt.lim.tokens(next) <= tt.lim.MaxInputTokens && (tt.lim.MaxInputChars == 0 || utf8.RuneCountInString(next) <= tt.lim.MaxInputChars) {
			t.Errorf("%s: cut at %d bytes, but %d fit", tt.name, len(got), len(next))
		}
	}
}

func TestBatchJobs(t *testing.T) {
	t.Parallel()
	mk := func(tokens ...int) []*job {
		jobs := make([]*job, len(tokens))
		for i, n := range tokens {
			jobs[i] = &job{tokens: n, rows: []int{i}}
		}
		return jobs
	}
	sizes := func(bs [][]*job) []int {
		var out []int
		for _, b := range bs {
			out = append(out, len(b))
		}
		return out
	}
	tests := []struct {
		name  string
		jobs  []*job
		batch int
		lim   Limits
		want  []int
	}{
		{"by count", mk(1, 1, 1, 1, 1), 2, Limits{}, []int{2, 2, 1}},
		{"max inputs caps the batch", mk(1, 1, 1), 32, Limits{MaxInputs: 1}, []int{1, 1, 1}},
		{"request token cap", mk(100_000, 150_000, 100_000, 8_000, 1), 2048, Limits{MaxRequestTokens: 300_000}, []int{2, 3}},
		{"a text over the cap goes alone", mk(10, 400_000, 10), 2048, Limits{MaxRequestTokens: 300_000}, []int{1, 1, 1}},
		{"none", nil, 4, Limits{}, nil},
	}
	for _, tt := range tests {
		if got := sizes(batchJobs(tt.jobs, tt.batch, tt.lim)); !equalInts(got, tt.want) {
			t.Errorf("%s: batches %v, want %v", tt.name, got, tt.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEstimateCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    docmodel.EmbeddingModel
		want string
		usd  float64
	}{
		{docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small"}, "$20.00", 20},
		{docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-large"}, "$130.00", 130},
		{docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-ada-002"}, "$100.00", 100},
		{docmodel.EmbeddingModel{Provider: "bedrock", Model: "amazon.titan-embed-text-v2:0"}, "$20.00", 20},
		{docmodel.EmbeddingModel{Provider: "openai", Model: "my-custom"}, "unknown", 0},
		{docmodel.EmbeddingModel{Provider: "ollama", Model: "nomic-embed-text"}, "$0 (self-hosted)", 0},
		{docmodel.EmbeddingModel{Provider: "use-lite"}, "$0 (self-hosted)", 0},
		{docmodel.EmbeddingModel{Provider: "use-lite-glove"}, "$0 (self-hosted)", 0},
	}
	for _, tt := range tests {
		c := EstimateCost(tt.m, 1_000_000_000)
		if c.String() != tt.want || math.Abs(c.USD-tt.usd) > 1e-9 {
			t.Errorf("%+v: %s (%v), want %s", tt.m, c, c.USD, tt.want)
		}
	}
	small := docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small"}
	for tokens, want := range map[int]string{1234: "$0.000025", 100: "$0.000002", 21: "less than $0.000001", 0: "$0.000000"} {
		if got := EstimateCost(small, tokens).String(); got != want {
			t.Errorf("%d tokens cost %s, want %s", tokens, got, want)
		}
	}
}

// TestLimitsFor_OfflineEmbedders: use-lite, alone or joined with GloVe
// (the default), reads 128 of its own tokens, counted exactly, and
// truncates by itself; the joined embedder counts as use-lite does.
func TestLimitsFor_OfflineEmbedders(t *testing.T) {
	t.Parallel()
	u, err := uselite.New()
	if err != nil {
		t.Fatal(err)
	}
	g, err := glove.New()
	if err != nil {
		t.Fatal(err)
	}
	joined, err := offline.New()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("configure the rewrite engine ", 40)
	for _, emb := range []embed.Embedder{u, joined} {
		l := LimitsFor(emb)
		if l.MaxInputTokens != 128 || !l.SelfTruncates || l.Tokens == nil {
			t.Fatalf("%s: limits %+v", emb.Info().Provider, l)
		}
		if got, want := l.Tokens(text), u.CountTokens(text); got != want || got <= 128 {
			t.Errorf("%s: %d tokens, want use-lite's %d (over 128)", emb.Info().Provider, got, want)
		}
	}
	if l := LimitsFor(g); l.MaxInputTokens != 0 || l.Tokens != nil {
		t.Errorf("glove alone: limits %+v, want none", l)
	}
	m, err := minilm.New()
	if err != nil {
		t.Fatal(err)
	}
	if l := LimitsFor(m); l.MaxInputTokens != minilm.MaxTokens || !l.SelfTruncates || l.Tokens == nil || l.Tokens(text) != m.CountTokens(text) {
		t.Errorf("minilm: limits %+v, want its own %d tokens, counted by it", l, minilm.MaxTokens)
	}
}

// TestCountPieces checks that counting a text in pieces covers it exactly,
// piece by piece of at most countPiece bytes on rune boundaries, and that
// cl100k_base counts ordinary text so as it does whole (a cut before a
// space is where its pre-tokenizer cuts) and a run without spaces no
// lower.
func TestCountPieces(t *testing.T) {
	t.Parallel()
	enc, err := cl100k()
	if err != nil {
		t.Fatal(err)
	}
	whole := func(s string) int { return len(enc.EncodeOrdinary(s)) }
	prose := strings.Repeat("The quick brown fox jumps over the lazy dog, then rests; costs are 1,234.5 units.  Next line\n"+
		"A second line.\n\nA paragraph after a blank line.\n\n\n- a list item\n  - nested: ok.\n\tTabbed.\r\n", 120)
	tests := []struct {
		name  string
		text  string
		exact bool
	}{
		{"prose", prose, true},
		{"one short piece", "Hello world.", true},
		{"a run of Han characters", strings.Repeat("東京大阪名古屋", 1000), false},
		{"base64", strings.Repeat("QUJDRA", 1000), false},
		{"prose around a run", prose[:3000] + strings.Repeat("é", 3000) + prose[:3000], false},
		// Not reached from a build (its texts are UTF-8), but no input
		// may stop the loop.
		{"continuation bytes", strings.Repeat("\x80", 3000), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var pieces []string
			got := countPieces(tc.text, func(p string) int {
				if len(p) > countPiece || len(p) == 0 || utf8.ValidString(tc.text) && !utf8.ValidString(p) {
					t.Fatalf("piece of %d bytes, valid UTF-8 %v", len(p), utf8.ValidString(p))
				}
				pieces = append(pieces, p)
				return whole(p)
			})
			if strings.Join(pieces, "") != tc.text {
				t.Fatal("the pieces do not make the text")
			}
			want := whole(tc.text)
			if tc.exact && got != want || got < want {
				t.Errorf("%d tokens in pieces, %d whole (exact %v)", got, want, tc.exact)
			}
		})
	}
}
