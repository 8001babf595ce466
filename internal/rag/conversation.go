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
	// MaxContentChars bounds one message's content, in characters (runes).
	MaxContentChars = 8000
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

// validateHistory checks the turns before the latest question: the count
// (the question included) against Config.MaxMessages, each role, each
// content's length, and each user turn against the history budget on its
// own. A long assistant turn is not the client's fault (a model wrote it),
// so recentHistory cuts it instead. Field paths name the item as the
// client's messages list numbers it.
//
// These bounds are also what keeps the embedder's and the generator's
// retries cheap: a retried upstream call resends at most this much text.
func (s *Service) validateHistory(question string, history []Message) error {
	if n := len(history) + 1; n > s.cfg.MaxMessages {
		return &RequestError{Field: "messages", Type: "too_long",
			Msg: fmt.Sprintf("List should have at most %d items after validation, not %d", s.cfg.MaxMessages, n),
			Ctx: map[string]any{"field_type": "List", "max_length": s.cfg.MaxMessages, "actual_length": n}}
	}
	for i, m := range history {
		if m.Role != RoleUser && m.Role != RoleAssistant {
			return &RequestError{Field: fmt.Sprintf("messages.%d.role", i), Type: "literal_error",
				Msg: "Input should be 'user' or 'assistant'", Ctx: map[string]any{"expected": "'user' or 'assistant'"}}
		}
		if utf8.RuneCountInString(m.Content) > MaxContentChars {
			return &RequestError{Field: fmt.Sprintf("messages.%d.content", i), Type: "string_too_long",
				Msg: fmt.Sprintf("String should have at most %d characters", MaxContentChars), Ctx: map[string]any{"max_length": MaxContentChars}}
		}
		if t := chunk.EstimateTokens(m.Content); m.Role == RoleUser && t > s.cfg.HistoryTokens {
			return &RequestError{Field: fmt.Sprintf("messages.%d.content", i),
				Msg: fmt.Sprintf("this turn alone is about %d tokens, over the history budget of %d", t, s.cfg.HistoryTokens)}
		}
	}
	if len(history) > 0 {
		total := utf8.RuneCountInString(question)
		for _, m := range history {
			total += utf8.RuneCountInString(m.Content)
		}
		if total > s.cfg.MaxConversationChars {
			return &RequestError{Field: "messages",
				Msg: fmt.Sprintf("the messages hold %d characters in all, over the limit of %d", total, s.cfg.MaxConversationChars)}
		}
	}
	return nil
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
// as a chat model's conversation starts with the user. A user turn is
// kept whole or not at all; validateHistory holds each to the budget, so
// the newest always fits. The assistant turns after it are cut (at a rune
// boundary) to what is left and to half the budget, so a long answer
// neither pushes out the question it answers nor leaves no room for the
// exchanges before; one with nothing left is dropped.
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
		t := chunk.EstimateTokens(history[start].Content)
		if used+t > budget {
			break
		}
		used += t
		ex := []Message{history[start]}
		for _, m := range history[start+1 : end] {
			if left := min(budget-used, budget/2); chunk.EstimateTokens(m.Content) > left {
				m.Content = truncateTokens(m.Content, left)
			}
			if m.Content == "" {
				break
			}
			used += chunk.EstimateTokens(m.Content)
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
func (s *Service) standaloneQuery(ctx context.Context, question string, history []Message, used *tokens) string {
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

// tokens adds up the usage of a query's model calls. The total is unknown
// (nil) once a call that answered reported none, rather than a part of
// it passed off as the whole.
type tokens struct {
	sum     *Usage
	unknown bool
}

func (t *tokens) add(u *Usage) {
	if u == nil {
		t.unknown = true
		return
	}
	t.sum = t.sum.Plus(u)
}

func (t *tokens) total() *Usage {
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
