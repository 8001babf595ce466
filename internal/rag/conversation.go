package rag

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/tokens"
)

// Message is one turn of a conversation the client sends (the service keeps
// no state).
type Message struct {
	Role    string // RoleUser or RoleAssistant
	Content string
}

// The roles a Message may have.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Conversation limits. The zero Config fields take the defaults.
const (
	// DefaultHistoryTokens is Config.HistoryTokens' default.
	DefaultHistoryTokens = 1500
	// DefaultRewriteTimeout is Config.RewriteTimeout's default: a rewrite
	// asks for at most maxRewriteTokens, a second or two of a hosted model.
	DefaultRewriteTimeout = 10 * time.Second
	// DefaultMaxMessages is Config.MaxMessages' default.
	DefaultMaxMessages = 50
	// MaxListedMessages bounds the messages a request may list, the
	// question included; more is a *RequestError. Config.MaxMessages only
	// windows the turns used, so this (with the body size limit) is what
	// bounds the validation work one request can cause.
	MaxListedMessages = 1000
	// DefaultMaxQuestionChars is Config.MaxQuestionChars' default.
	DefaultMaxQuestionChars = 4000
	// DefaultMaxConversationChars is Config.MaxConversationChars' default:
	// 32 KiB of text, about 8,000 tokens of English.
	DefaultMaxConversationChars = 32 << 10
	// maxRewriteTokens bounds the model's standalone question.
	maxRewriteTokens = 96
	// maxRewriteChars bounds the standalone question whoever wrote it.
	maxRewriteChars = 500
	// maxCarriedTerms bounds the terms the offline rule carries over.
	maxCarriedTerms = 8
)

// RewritePrompt is the system prompt that asks the configured model to
// turn a follow-up into a standalone question for retrieval. The user
// message that follows lists the recent turns as "user: ..." and
// "assistant: ..." lines, then "Follow-up: " and the latest question.
const RewritePrompt = `Rewrite the user's follow-up question as one standalone question that can be understood without the conversation.
Keep the names, products and terms the conversation refers to, in the language of the follow-up.
If the follow-up already stands alone, repeat it unchanged.
Reply with the question only: no answer, no explanation, no quotes.`

// validateHistory checks the turns before the latest question: their
// number against MaxListedMessages (before any item is looked at) and
// each role. Field paths name the item as the client's messages list
// numbers it. How many turns, how many characters and how many tokens
// are used is windowHistory's and recentHistory's business, not a
// reason to refuse: a chat client such as the AI SDK's useChat resends
// the whole conversation every turn, the service's own long answers
// included, so a refused conversation could never be continued. The
// request body's size bounds the turns' text.
func (s *Service) validateHistory(history []Message) error {
	if n := len(history) + 1; n > MaxListedMessages {
		return &RequestError{Field: "messages", Type: "too_long",
			Msg: fmt.Sprintf("List should have at most %d items after validation, not %d", MaxListedMessages, n),
			Ctx: map[string]any{"field_type": "List", "max_length": MaxListedMessages, "actual_length": n}}
	}
	for i, m := range history {
		if m.Role != RoleUser && m.Role != RoleAssistant {
			return &RequestError{Field: fmt.Sprintf("messages.%d.role", i), Type: "literal_error",
				Msg: "Input should be 'user' or 'assistant'", Ctx: map[string]any{"expected": "'user' or 'assistant'"}}
		}
	}
	return nil
}

// windowHistory returns the newest turns of a validated history that,
// with the question, number at most Config.MaxMessages and hold at most
// Config.MaxConversationChars characters; older turns are dropped whole,
// oldest first. A turn over half that many characters (a long answer the
// client sends back) counts, and is kept, cut to half, so that it leaves
// room for the question it answered. It is the one place these two
// limits apply, so the rewrite and the prompt only ever see the window,
// and a retried model call resends no more. The result shares history's
// backing array unless a turn was cut.
func (s *Service) windowHistory(question string, history []Message) []Message {
	half := s.cfg.MaxConversationChars / 2
	oldest := max(len(history)-(s.cfg.MaxMessages-1), 0)
	chars := utf8.RuneCountInString(question)
	start := len(history)
	var long []int // the turns kept that are cut to half
	for start > oldest {
		n := utf8.RuneCountInString(history[start-1].Content)
		if chars+min(n, half) > s.cfg.MaxConversationChars {
			break
		}
		chars += min(n, half)
		start--
		if n > half {
			long = append(long, start)
		}
	}
	window := history[start:]
	if len(long) > 0 {
		window = slices.Clone(window)
		for _, i := range long {
			window[i-start].Content = chunk.TruncateRunes(window[i-start].Content, half)
		}
	}
	return window
}

// validateQuestion checks the question's length against
// Config.MaxQuestionChars, before it reaches the embedder or the model.
func (s *Service) validateQuestion(q string) *RequestError {
	if utf8.RuneCountInString(q) > s.cfg.MaxQuestionChars {
		return &RequestError{Field: "question", Type: "string_too_long",
			Msg: fmt.Sprintf("String should have at most %d characters", s.cfg.MaxQuestionChars),
			Ctx: map[string]any{"max_length": s.cfg.MaxQuestionChars}}
	}
	return nil
}

// recentHistory returns the newest exchanges (a user turn and the
// assistant turns after it) whose estimated tokens fit budget, oldest
// dropped first; assistant turns before the first user turn are dropped,
// as a chat model's conversation starts with the user. An older user turn
// is kept whole or not at all. The newest one is always kept: over the
// budget on its own, it is cut (at a rune boundary) to half the budget, so
// that the answers it got still have room; a long pasted question must not
// make every later turn of the conversation fail. The assistant turns
// after a user turn are cut to what is left and to half the budget, so a
// long answer neither pushes out the question it answers nor leaves no
// room for the exchanges before; one with nothing left is dropped.
func recentHistory(history []Message, budget int) []Message {
	var exchanges [][]Message // newest first
	used, end := 0, len(history)
	for end > 0 {
		start := end - 1
		for start >= 0 && history[start].Role != RoleUser {
			start--
		}
		if start < 0 {
			break
		}
		q := history[start]
		t := tokens.Estimate(q.Content)
		if t > budget && len(exchanges) == 0 {
			q.Content = tokens.Truncate(q.Content, budget/2)
			t = tokens.Estimate(q.Content)
		}
		if used+t > budget || q.Content == "" {
			break
		}
		used += t
		ex := []Message{q}
		for _, m := range history[start+1 : end] {
			if left := min(budget-used, budget/2); tokens.Estimate(m.Content) > left {
				m.Content = tokens.Truncate(m.Content, left)
			}
			if m.Content == "" {
				break
			}
			used += tokens.Estimate(m.Content)
			ex = append(ex, m)
		}
		exchanges = append(exchanges, ex)
		end = start
	}
	slices.Reverse(exchanges)
	return slices.Concat(exchanges...)
}

// standaloneQuery is the retrieval query for question after history: the
// question itself without history; else the configured model's rewrite
// (one attempt within Config.RewriteTimeout), or, for the extractive
// generator (or when the model call fails or says nothing), the
// carried-terms rule. A rewrite call that answered adds
// its tokens to used.
func (s *Service) standaloneQuery(ctx context.Context, question string, history []Message, used *usageSum) string {
	if len(history) == 0 {
		return question
	}
	if _, offline := s.gen.(*llm.Extractive); !offline {
		rctx, cancel := context.WithTimeout(retry.WithMaxAttempts(ctx, 1), s.cfg.RewriteTimeout)
		q, u, err := s.rewrite(rctx, question, history)
		cancel()
		if err == nil {
			used.add(u)
		}
		if err == nil && q != "" {
			return q
		}
		if ctx.Err() == nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "rag: question rewrite failed; carrying terms instead",
				slog.String("model", s.gen.Model()), slog.Any("error", err))
		}
	}
	return carryTerms(s.analyzer(), question, history)
}

// usageSum adds up the usage of a query's model calls. The total is unknown
// (nil) once a call that answered reported none, rather than a part of
// it passed off as the whole.
type usageSum struct {
	sum     *Usage
	unknown bool
}

func (t *usageSum) add(u *Usage) {
	if u == nil {
		t.unknown = true
		return
	}
	t.sum = t.sum.Plus(u)
}

func (t *usageSum) total() *Usage {
	if t.unknown {
		return nil
	}
	return t.sum
}

// rewrite asks the generator for a standalone question (RewritePrompt).
// The answer's first non-empty line is used, cut to maxRewriteChars.
func (s *Service) rewrite(ctx context.Context, question string, history []Message) (string, *Usage, error) {
	var b strings.Builder
	for _, m := range history {
		b.WriteString(m.Role + ": " + strings.Join(strings.Fields(m.Content), " ") + "\n")
	}
	b.WriteString("Follow-up: " + question)
	ans, err := s.gen.Generate(ctx, llm.Request{
		Messages:  []llm.Message{{Role: "system", Content: RewritePrompt}, {Role: "user", Content: b.String()}},
		Question:  question,
		MaxTokens: maxRewriteTokens,
	}, nil)
	if err != nil {
		return "", nil, fmt.Errorf("rag: rewrite question: %w", err)
	}
	for _, line := range strings.Split(ans.Text, "\n") {
		line = strings.Trim(strings.TrimSpace(line), `"'“”「」`)
		if line != "" {
			return chunk.TruncateRunes(line, maxRewriteChars), ans.Usage, nil
		}
	}
	return "", ans.Usage, nil
}

// carryTerms is the offline rewrite: the question followed by the words of
// earlier user turns, newest turn first, that carry a keyword token (not
// a stop word) the question and the words already carried lack; at most
// maxCarriedTerms words and maxRewriteChars characters in all. Words are
// split at spaces and stripped of punctuation, so a Japanese sentence
// without spaces is carried whole.
func carryTerms(an keyword.Analyzer, question string, history []Message) string {
	have := map[string]bool{}
	for _, tok := range an.Analyze(question) {
		have[tok] = true
	}
	out := strings.TrimSpace(question)
	carried := 0
	for i := len(history) - 1; i >= 0 && carried < maxCarriedTerms; i-- {
		if history[i].Role != RoleUser {
			continue
		}
		for _, w := range strings.Fields(history[i].Content) {
			w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) })
			fresh := false
			for _, tok := range an.Analyze(w) {
				if !have[tok] {
					have[tok], fresh = true, true
				}
			}
			if !fresh || utf8.RuneCountInString(out)+1+utf8.RuneCountInString(w) > maxRewriteChars {
				continue
			}
			out += " " + w
			if carried++; carried == maxCarriedTerms {
				break
			}
		}
	}
	return out
}

// AnswerIDPrefix opens every answer id; NewAnswerID's ids are the prefix
// and 24 characters of lowercase base32 (120 random bits).
const AnswerIDPrefix = "ans_"

var answerIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewAnswerID returns a fresh random answer id, e.g.
// "ans_mfrggzdfmztwq2lkmnxw6zlq".
func NewAnswerID() string {
	var b [15]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return AnswerIDPrefix + answerIDEncoding.EncodeToString(b[:])
}

// ValidAnswerID reports whether id has NewAnswerID's form.
func ValidAnswerID(id string) bool {
	rest, ok := strings.CutPrefix(id, AnswerIDPrefix)
	if !ok || len(rest) != 24 {
		return false
	}
	for _, r := range rest {
		if (r < 'a' || r > 'z') && (r < '2' || r > '7') {
			return false
		}
	}
	return true
}
