package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/vendor0919/api/internal/rag"
)

// This file holds what the two chat protocols (OpenAI's chat completions
// and the AI SDK's UI message stream) share: turning a list of turns into
// a question and its history, and running a streamed answer whose frames
// each protocol writes in its own shape.

// turn is one conversation message after a protocol's shape is removed.
// Index is its position in the request's messages list and At where its
// content sits in that message, for 422 locations: nil for a "content"
// field (OpenAI's), ["parts", j, "text"] for /chat's one text part.
type turn struct {
	Role    string
	Content string
	Index   int
	At      []any
}

// loc is the 422 location of t's content.
func (t turn) loc() []any {
	at := t.At
	if at == nil {
		at = []any{"content"}
	}
	return append([]any{"body", "messages", t.Index}, at...)
}

// conversation splits turns into the question (the last turn, which must
// be the user's) and the history before it. It returns a 422 naming the
// item when the list is empty, ends with another role or has a content too
// long (conversationProblem). However many turns there are (objectList
// bounds the list), none is refused for that: rag keeps the newest within
// MAX_MESSAGES, MAX_CONVERSATION_CHARS and HISTORY_TOKENS.
func conversation(turns []turn, lim Limits) (string, []rag.Message, error) {
	if len(turns) == 0 {
		return "", nil, errValidation(ValidationItem{Type: "value_error", Loc: []any{"body", "messages"},
			Msg: "Value error, the messages hold no user or assistant turn", Input: nil})
	}
	last := turns[len(turns)-1]
	if last.Role != "user" {
		return "", nil, errValidation(ValidationItem{Type: "value_error", Loc: []any{"body", "messages", last.Index, "role"},
			Msg: "Value error, the last message must be the user's question", Input: last.Role})
	}
	contents := make([]string, len(turns))
	for i, t := range turns {
		contents[i] = t.Content
	}
	at := func(i int, _ string) []any { return turns[i].loc() } // the field is always the content
	if it, bad := conversationProblem(lim, contents, at); bad {
		return "", nil, errValidation(it)
	}
	hist := make([]rag.Message, 0, len(turns)-1)
	for _, t := range turns[:len(turns)-1] {
		hist = append(hist, rag.Message{Role: t.Role, Content: t.Content})
	}
	return last.Content, hist, nil
}

// objectList reads a required JSON list of objects of at most
// rag.MaxListedMessages items (system messages included; the bound is
// checked before any item is walked), recording pydantic-style items for a
// bad list or item. Each valid object is passed to each, with its index.
func (v *validator) objectList(name string, each func(i int, obj map[string]any)) {
	raw, present := v.obj[name]
	loc := []any{"body", name}
	if !present {
		v.add(ValidationItem{Type: "missing", Loc: loc, Msg: "Field required", Input: v.obj})
		return
	}
	list, ok := raw.([]any)
	switch {
	case !ok:
		v.add(ValidationItem{Type: "list_type", Loc: loc, Msg: "Input should be a valid list", Input: raw})
		return
	case len(list) == 0:
		v.add(ValidationItem{Type: "too_short", Loc: loc, Msg: "List should have at least 1 item after validation, not 0",
			Input: raw, Ctx: map[string]any{"field_type": "List", "min_length": 1, "actual_length": 0}})
		return
	case len(list) > rag.MaxListedMessages:
		v.add(tooManyMessages(loc, rag.MaxListedMessages, len(list), raw))
		return
	}
	for i, e := range list {
		obj, ok := e.(map[string]any)
		if !ok {
			v.add(ValidationItem{Type: "model_type", Loc: []any{"body", name, i}, Msg: "Input should be a valid dictionary or object", Input: e})
			continue
		}
		each(i, obj)
	}
}

// fail records one item at loc.
func (v *validator) fail(loc []any, typ, msg string, input any) {
	v.add(ValidationItem{Type: typ, Loc: loc, Msg: msg, Input: input})
}

// role reads a message's role, one of allowed.
func (v *validator) role(loc []any, obj map[string]any, allowed ...string) (string, bool) {
	raw, present := obj["role"]
	loc = append(loc, "role")
	if !present {
		v.fail(loc, "missing", "Field required", obj)
		return "", false
	}
	s, ok := raw.(string)
	for _, a := range allowed {
		if ok && s == a {
			return s, true
		}
	}
	exp := literalList(allowed)
	v.add(ValidationItem{Type: "literal_error", Loc: loc, Msg: "Input should be " + exp, Input: raw, Ctx: map[string]any{"expected": exp}})
	return "", false
}

// answerFrames writes one protocol's frames for a streamed answer. Each
// method is called at most once, except delta; fail writes the protocol's
// in-band error frame and end its terminator.
type answerFrames interface {
	sources(id string, hits []rag.Hit) error
	delta(text string) error
	done(id string, ev rag.Event) error // ev is the rag.EventDone
	fail(message string) error
	end() error
}

// streamAnswer runs req and writes its frames through f. Errors before the
// first byte are returned as rag gave them, for the caller to map (an
// ordinary error response); after it a failure
// is f.fail then f.end, and a client that went away only cancels the
// generation (ctx is the request's) and is logged.
func (s *Server) streamAnswer(ctx context.Context, r *http.Request, sse *sseWriter, req rag.QueryRequest, f answerFrames) error {
	stop := sse.heartbeat(ctx, heartbeat)
	defer stop()
	failed := false
	id := ""
	_, err := s.opts.RAG.Query(ctx, req, func(ev rag.Event) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		switch ev.Type {
		case rag.EventSources:
			id = ev.ID
			if id == "" {
				id = rag.NewAnswerID()
			}
			return f.sources(id, ev.Sources)
		case rag.EventDelta:
			return f.delta(ev.Delta)
		case rag.EventDone:
			if err := f.done(id, ev); err != nil {
				return err
			}
			return f.end()
		case rag.EventError:
			failed = true
			if err := f.fail(ev.Err); err != nil {
				return err
			}
			return f.end()
		}
		return nil
	})
	if err == nil {
		return nil
	}
	if !sse.started() {
		return err
	}
	switch {
	case shuttingDown(r):
		if !failed {
			_ = f.fail(shuttingDownDetail)
			_ = f.end()
		}
		return nil
	case r.Context().Err() != nil:
		markClientClosed(r.Context())
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "stream cancelled by client")
		return nil
	}
	s.log.LogAttrs(r.Context(), slog.LevelError, "stream failed", slog.Any("error", err))
	if !failed {
		msg := "Answer generation failed"
		if errors.Is(err, context.DeadlineExceeded) {
			msg = "Answer generation timed out"
		}
		_ = f.fail(msg)
		_ = f.end()
	}
	return nil
}
