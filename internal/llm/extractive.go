package llm

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/keyword"
)

// ExtractiveModel is the Model name of the [Extractive] generator.
const ExtractiveModel = "extractive"

// Labels that open every extractive answer, so that a reader never mistakes
// quoted passages for a model's words.
const (
	extractiveLabelEN   = "Extractive answer (no language model was used; the sentences below are quoted from the retrieved passages):"
	extractiveLabelJA   = "抽出型の回答です（言語モデルは使用せず、検索された文書の文をそのまま引用しています）："
	extractiveNoneEN    = "Extractive answer: no relevant passages were found for this question."
	extractiveNoneJA    = "抽出型の回答：この質問に関連する文書は見つかりませんでした。"
	maxSentenceRunes    = 400
	fallbackPassageKeep = 3
)

// ExtractiveConfig configures the [Extractive] generator.
type ExtractiveConfig struct {
	// MaxSentences caps the quoted sentences. Zero means 5.
	MaxSentences int
	// MaxChars caps the quoted text, in runes, before citations and label.
	// Zero means 1200.
	MaxChars int
}

// Extractive answers without a model: it quotes the passage sentences that
// share the most (IDF-weighted) terms with the question, grouped by passage
// in retrieval order and cited as [n]. Words and CJK character bigrams are
// matched, and sentences split on 。！？!? as well as full stops. When no
// sentence shares a term with the question, it quotes the opening sentence
// of the first passages. The answer opens with a label saying it is
// extractive, in Japanese when the question is Japanese.
type Extractive struct {
	maxSentences int
	maxChars     int
}

// NewExtractive returns an Extractive generator, or an error wrapping
// ErrConfig for negative limits.
func NewExtractive(cfg ExtractiveConfig) (*Extractive, error) {
	if cfg.MaxSentences < 0 || cfg.MaxChars < 0 {
		return nil, fmt.Errorf("extractive: negative limit: %w", ErrConfig)
	}
	if cfg.MaxSentences == 0 {
		cfg.MaxSentences = 5
	}
	if cfg.MaxChars == 0 {
		cfg.MaxChars = 1200
	}
	return &Extractive{maxSentences: cfg.MaxSentences, maxChars: cfg.MaxChars}, nil
}

// Model returns "extractive".
func (e *Extractive) Model() string { return ExtractiveModel }

type sentence struct {
	passage int // index into req.Passages
	pos     int // position within the passage
	text    string
	terms   map[string]bool
	score   float64
}

// Generate builds the answer from req.Question and req.Passages (Messages
// is ignored) and streams it through emit as a label and one piece per
// cited passage.
func (e *Extractive) Generate(ctx context.Context, req Request, emit func(delta string) error) (Answer, error) {
	ja := isJapanese(req.Question)
	pieces := e.compose(req, ja)
	var b strings.Builder
	for _, p := range pieces {
		if err := ctx.Err(); err != nil {
			return Answer{}, fmt.Errorf("extractive: %w", err)
		}
		if emit != nil {
			if err := emit(p); err != nil {
				return Answer{}, fmt.Errorf("extractive: emit: %w", err)
			}
		}
		b.WriteString(p)
	}
	return Answer{Text: b.String(), Model: ExtractiveModel}, nil
}

// compose returns the answer as stream pieces.
func (e *Extractive) compose(req Request, ja bool) []string {
	var sents []sentence
	for pi, p := range req.Passages {
		for si, s := range splitSentences(p.Text) {
			ts := map[string]bool{}
			for _, t := range keyword.Tokenize(s) {
				ts[t] = true
			}
			sents = append(sents, sentence{passage: pi, pos: si, text: s, terms: ts})
		}
	}
	if len(sents) == 0 {
		if ja {
			return []string{extractiveNoneJA}
		}
		return []string{extractiveNoneEN}
	}

	e.score(sents, req.Question)
	chosen := e.pick(sents)

	// Group by passage (retrieval order), then by position.
	sort.SliceStable(chosen, func(a, b int) bool {
		if chosen[a].passage != chosen[b].passage {
			return chosen[a].passage < chosen[b].passage
		}
		return chosen[a].pos < chosen[b].pos
	})
	label := extractiveLabelEN
	if ja {
		label = extractiveLabelJA
	}
	pieces := []string{label + "\n"}
	for i := 0; i < len(chosen); {
		j := i
		var texts []string
		for j < len(chosen) && chosen[j].passage == chosen[i].passage {
			texts = append(texts, listMarker.ReplaceAllString(chosen[j].text, ""))
			j++
		}
		sep := " "
		if ja {
			sep = ""
		}
		n := req.Passages[chosen[i].passage].N
		if n == 0 {
			n = chosen[i].passage + 1
		}
		pieces = append(pieces, "\n- "+strings.Join(texts, sep)+sep+"["+strconv.Itoa(n)+"]")
		i = j
	}
	return pieces
}

// listMarker is a list item's marker at the start of a sentence (a
// Markdown "- ", "* " or "1) ", a "・"): each quoted passage is a list item
// of the answer already, and a quoted item read "- - ...". ("1. " never
// reaches it: splitSentences ends a sentence there.)
var listMarker = regexp.MustCompile(`^(?:[-*+•]\s+|・\s*|\d{1,3}\)\s+)`)

// score sets each sentence's score: the summed IDF (over sentences) of the
// distinct question terms it contains, English stop words ignored.
func (e *Extractive) score(sents []sentence, question string) {
	q := map[string]bool{}
	for _, t := range keyword.Tokenize(question) {
		if !stopwords[t] {
			q[t] = true
		}
	}
	df := map[string]int{}
	for _, s := range sents {
		for t := range q {
			if s.terms[t] {
				df[t]++
			}
		}
	}
	n := float64(len(sents))
	for i := range sents {
		for t := range q {
			if sents[i].terms[t] {
				sents[i].score += math.Log(1 + n/float64(df[t]))
			}
		}
	}
}

// pick returns the best-scoring sentences within the limits, or the opening
// sentences of the first passages when nothing matched.
func (e *Extractive) pick(sents []sentence) []sentence {
	order := make([]int, len(sents))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sents[order[a]].score > sents[order[b]].score })
	var chosen []sentence
	used := 0
	if sents[order[0]].score > 0 {
		for _, i := range order {
			s := sents[i]
			if s.score <= 0 || len(chosen) == e.maxSentences {
				break
			}
			s.text = clip(s.text, maxSentenceRunes)
			r := len([]rune(s.text))
			if used+r > e.maxChars && len(chosen) > 0 {
				continue
			}
			used += r
			chosen = append(chosen, s)
		}
		return chosen
	}
	seen := map[int]bool{}
	for _, s := range sents {
		if seen[s.passage] || len(seen) == fallbackPassageKeep || len(chosen) == e.maxSentences {
			continue
		}
		seen[s.passage] = true
		s.text = clip(s.text, maxSentenceRunes)
		chosen = append(chosen, s)
	}
	return chosen
}

// clip shortens s to at most n runes, marking a cut with "…".
func clip(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}
