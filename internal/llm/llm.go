package llm

import (
	"context"
	"math"
)

// Message is one chat turn. Role is "system", "user" or "assistant".
type Message struct {
	Role    string
	Content string
}

// Passage is one numbered piece of retrieved context; N is the number the
// prompt cites it by ([1], [2], ...).
type Passage struct {
	N      int
	ID     string
	Text   string
	Source string // document path or title, for display
}

// Request is what rag asks a Generator for. Messages is the rendered prompt
// (system + user turns, passages included); Question and Passages carry the
// same content unrendered, for generators that do not call a model.
type Request struct {
	Messages    []Message
	Question    string
	Passages    []Passage
	MaxTokens   int     // 0: provider default
	Temperature float64 // 0: provider default
}

// Answer is a finished generation.
type Answer struct {
	Text  string
	Model string
	// Usage is what the provider counted; nil when it reported nothing
	// (the extractive generator calls no model).
	Usage *Usage
}

// Usage is the tokens one generation cost, as the provider counted them.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Plus returns the sum of u and v, either of which may be nil (nil when
// both are).
func (u *Usage) Plus(v *Usage) *Usage {
	switch {
	case u == nil:
		return v
	case v == nil:
		return u
	}
	return &Usage{PromptTokens: u.PromptTokens + v.PromptTokens, CompletionTokens: u.CompletionTokens + v.CompletionTokens}
}

// count converts a decoded token count, -1 when it is not one (negative,
// fractional, not finite or beyond any real request).
func count(f float64) int {
	if f < 0 || f > 1<<40 || f != math.Trunc(f) {
		return -1
	}
	return int(f)
}

// usage is the Usage for counts a provider reported: nil when it reported
// none (both zero) or a negative one, which no provider means.
func usage(prompt, completion int) *Usage {
	if prompt < 0 || completion < 0 || prompt == 0 && completion == 0 {
		return nil
	}
	return &Usage{PromptTokens: prompt, CompletionTokens: completion}
}

// Generator produces an answer.
//
// Generate calls emit with each text delta as it is produced (when emit is
// non-nil) and returns the full answer at the end; an error from emit stops
// generation and is returned. Implementations are safe for concurrent use
// and stop promptly when ctx is done.
type Generator interface {
	Generate(ctx context.Context, req Request, emit func(delta string) error) (Answer, error)
	Model() string
}
