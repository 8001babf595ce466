package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/logctx"
)

// Event types, in the order a streamed query emits them: one EventSources,
// any number of EventDelta, then EventDone, or EventError if generation
// fails after the sources went out.
const (
	EventSources = "sources"
	EventDelta   = "delta"
	EventDone    = "done"
	EventError   = "error"
)

// QueryRequest asks for an answer to Question, the latest turn of a
// conversation whose earlier turns are History.
type QueryRequest struct {
	Question string         // the user's latest question
	History  []Message      // earlier turns, oldest first; empty for a single question
	TopK     int            // 0 means Config.DefaultTopK
	Filter   map[string]any // see the package documentation
	Mode     Mode           // "" means Config.Mode
}

// Event is one step of a streamed answer. Sources is set on EventSources,
// Delta on EventDelta, Answer, Model and Usage on EventDone, Err on
// EventError;
// ID, the answer's id, on EventSources and EventDone. Err is a
// client-safe message; the cause is returned by Query, for the caller to
// log.
type Event struct {
	Type    string
	ID      string
	Sources []Hit
	Delta   string
	Answer  string
	Model   string
	Usage   *Usage
	Err     string
}

// Usage is the tokens a query's model calls cost (llm.Usage), named here
// so that callers of Query need not import llm.
type Usage = llm.Usage

// QueryResult is a finished answer with the passages it was given, in
// citation order: Sources[i] is passage [i+1].
type QueryResult struct {
	ID      string // unique answer id (NewAnswerID), also on the stream's sources and done events
	Answer  string
	Sources []Hit
	Model   string
	Mode    Mode   // the mode retrieval ran in; see SearchResult.Mode
	Query   string // the standalone retrieval query used: Question, or rewritten from History
	// Usage is the tokens the model calls cost, the question's rewrite
	// included; nil when a call reported none (the extractive generator
	// makes none), as a partial count would mislead.
	Usage *Usage
}

// Query retrieves passages for req.Question, asks the generator for an
// answer and returns it with its sources. With History, retrieval uses a
// standalone question rewritten from the recent turns, and the prompt
// carries the turns that fit Config.HistoryTokens (see the package
// documentation). Turns beyond Config.MaxMessages or
// Config.MaxConversationChars are dropped, oldest first; an invalid History
// (a bad role, more than MaxListedMessages messages) is a *RequestError.
//
// With a non-nil emit it streams: emit gets the sources first, then each
// text delta, then a done event. Errors before the sources (ErrNotReady, a
// *RequestError, a failed embedding) are returned without any event. A
// generator failure after the sources is emitted as an error event and
// returned wrapping ErrGenerate. An error from emit stops the query and is
// returned.
func (s *Service) Query(ctx context.Context, req QueryRequest, emit func(Event) error) (QueryResult, error) {
	be := s.backend()
	if be == nil {
		return QueryResult{}, ErrNotReady
	}
	start := time.Now()
	if strings.TrimSpace(req.Question) == "" {
		return QueryResult{}, &RequestError{Field: "question", Msg: "must not be empty", Input: req.Question}
	}
	if err := s.validateQuestion(req.Question); err != nil {
		return QueryResult{}, err
	}
	if err := s.validateHistory(req.History); err != nil {
		return QueryResult{}, err
	}
	// The filter is checked here too (search compiles it again, a cost
	// bounded by its limits) so a bad one fails before the rewrite calls
	// the model.
	if err := CheckFilter(req.Filter); err != nil {
		return QueryResult{}, err
	}
	history := recentHistory(s.windowHistory(req.Question, req.History), s.cfg.HistoryTokens)
	var used usageSum
	query := s.standaloneQuery(ctx, req.Question, history, &used)
	hits, mode, err := s.search(ctx, be, SearchRequest{Query: query, TopK: req.TopK, Filter: req.Filter, Mode: req.Mode})
	if err != nil {
		var re *RequestError
		if errors.As(err, &re) && re.Field == "query" {
			re.Field = "question"
		}
		return QueryResult{}, err
	}
	passages, sources := fitBudget(hits, s.cfg.ContextTokens)
	msgs, err := s.render(PromptData{Question: req.Question, Passages: passages}, history)
	if err != nil {
		return QueryResult{}, err
	}
	id := NewAnswerID()
	if emit != nil {
		if err := emit(Event{Type: EventSources, ID: id, Sources: sources}); err != nil {
			return QueryResult{}, fmt.Errorf("rag: emit sources: %w", err)
		}
	}
	var onDelta func(string) error
	emitErr := error(nil)
	if emit != nil {
		onDelta = func(d string) error {
			if err := emit(Event{Type: EventDelta, Delta: d}); err != nil {
				emitErr = err
				return err
			}
			return nil
		}
	}
	ans, err := s.gen.Generate(ctx, llm.Request{
		// Question is what an extractive generator matches sentences by:
		// the standalone query, which carries the conversation's terms.
		Messages: msgs, Question: query, Passages: passages,
		MaxTokens: s.cfg.MaxAnswerTokens, Temperature: s.cfg.Temperature,
	}, onDelta)
	if err != nil {
		if emitErr != nil {
			return QueryResult{}, fmt.Errorf("rag: emit delta: %w", emitErr)
		}
		if emit != nil {
			// The stream has started; the failure can only be reported in
			// band. The cause goes back to the caller, which logs it.
			_ = emit(Event{Type: EventError, Err: "answer generation failed"})
		}
		// Not logged here: the caller decides what the failure means (a 500,
		// an error event) and logs it once, with this context.
		return QueryResult{}, fmt.Errorf("%w: model %s, %d passages: %w", ErrGenerate, s.gen.Model(), len(passages), err)
	}
	model := ans.Model
	if model == "" {
		model = s.gen.Model()
	}
	used.add(ans.Usage)
	total := used.total()
	if emit != nil {
		if err := emit(Event{Type: EventDone, ID: id, Answer: ans.Text, Model: model, Usage: total}); err != nil {
			return QueryResult{}, fmt.Errorf("rag: emit done: %w", err)
		}
	}
	ids := make([]string, len(sources))
	for i, h := range sources {
		ids[i] = h.ID
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "rag: query answered",
		slog.String("mode", string(mode)), slog.Int("top_k", req.TopK), slog.Int("question_len", len(req.Question)),
		slog.Int("history_turns", len(history)), slog.Int("query_len", len(query)), slog.String("answer_id", id),
		slog.Int("hits", len(hits)), slog.Int("passages", len(passages)), slog.Any("source_ids", ids),
		slog.Int("answer_len", len(ans.Text)), slog.String("model", model), usageAttr(total),
		logctx.Took(start))
	return QueryResult{ID: id, Answer: ans.Text, Sources: sources, Model: model, Mode: mode, Query: query, Usage: total}, nil
}

// usageAttr logs the tokens a query cost, for cost tracking from the
// logs; nothing when the generator reported none.
func usageAttr(u *Usage) slog.Attr {
	if u == nil {
		return slog.Attr{}
	}
	return slog.Group("usage", slog.Int("prompt_tokens", u.PromptTokens), slog.Int("completion_tokens", u.CompletionTokens))
}
