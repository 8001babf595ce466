package httpapi

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vendor0919/api/internal/rag"
)

// queryRequest is POST /query's body, as decoded and as documented. Zero
// TopK and Mode were absent and take the server's defaults. Exactly one of
// Question and Messages is set.
type queryRequest struct {
	Question string         `json:"question,omitempty" maxLength:"4000" example:"How long is the warranty?"` // a single question (at most MAX_QUESTION_CHARS characters); send this or messages
	Messages []chatMessage  `json:"messages,omitempty" maxItems:"1000"`                                      // a conversation, oldest turn first, ending with the user's question (at most MAX_QUESTION_CHARS characters); the server keeps no history and answers from the newest MAX_MESSAGES turns that hold MAX_CONVERSATION_CHARS characters in all, older ones dropped
	TopK     int            `json:"top_k,omitempty" minimum:"1" maximum:"50"`                                // how many passages to retrieve (the server's DEFAULT_TOP_K when absent)
	Filter   map[string]any `json:"filter,omitempty"`                                                        // metadata equality, or an operator ($eq, $ne, $in, $nin), per key; all must match (at most 32 keys, 256 list items, 1024-character strings)
	Stream   bool           `json:"stream,omitempty"`                                                        // answer as text/event-stream instead of JSON
	Mode     rag.Mode       `json:"mode,omitempty" enums:"hybrid,vector,keyword" swaggertype:"string"`       // the server's SEARCH_MODE when absent
}

func (q *queryRequest) decode(v *validator) {
	if m, ok := v.obj["messages"]; ok && m != nil {
		if qu, ok := v.obj["question"]; ok && qu != nil {
			v.add(ValidationItem{Type: "value_error", Loc: []any{"body", "question"},
				Msg: "Value error, send question or messages, not both", Input: qu, Ctx: map[string]any{"error": map[string]any{}}})
		}
		q.Messages = v.messages()
	} else {
		q.Question = v.str(field{name: "question", kind: kindString, required: true, minLen: 1, maxLen: v.lim.QuestionChars})
	}
	q.TopK = v.integer(topKField)
	q.Filter = v.object(filterField)
	q.Mode = v.mode(modeField)
	q.Stream = v.boolean(field{name: "stream", kind: kindBool})
}

// queryResponse is POST /query's answer when stream is false.
type queryResponse struct {
	ID      string     `json:"id" example:"ans_mfrggzdfmztwq2lkmnxw6zlq"` // the answer's id, for POST /feedback
	Answer  string     `json:"answer"`
	Sources []hit      `json:"sources"`
	Model   string     `json:"model"`
	Usage   *chatUsage `json:"usage,omitempty"` // the tokens the generator's calls used (the question's rewrite included); absent when it reports none (the extractive generator)
}

// The data of /query's stream events, as sent and as documented (the
// conversion to OpenAPI 3 derives their schemas from these types; see
// streams). An "error" event's data is an errorBody.
type (
	querySourcesEvent struct {
		ID      string `json:"id"` // the answer's id, for POST /feedback
		Sources []hit  `json:"sources"`
	}
	queryDeltaEvent struct {
		Text string `json:"text"`
	}
	queryDoneEvent struct {
		ID     string     `json:"id"`
		Answer string     `json:"answer"`
		Model  string     `json:"model"`
		Usage  *chatUsage `json:"usage,omitempty"` // as queryResponse's
	}
)

// heartbeat is how often a quiet stream sends an SSE comment, well inside
// the ALB's 60 s idle timeout.
const heartbeat = 15 * time.Second

// query answers POST /query, as JSON or, with stream:true, as Server-Sent
// Events: one "sources" event, then "delta" events, then "done" (or
// "error" if generation fails after the stream began).
//
//	@Summary	Answer a question from the vector store
//	@Description	Retrieves passages and answers with numbered citations. Send either "question" or "messages", a conversation (roles user and assistant, oldest first, ending with the user's question; the server keeps no history): a follow-up is answered in context, retrieval using a standalone question rewritten from the recent turns (by the configured model, or offline by carrying the earlier questions' key words), and the prompt carrying the recent turns within HISTORY_TOKENS (oldest dropped first). Turns beyond MAX_MESSAGES or MAX_CONVERSATION_CHARS are dropped, oldest first, and the newest user turn over HISTORY_TOKENS on its own is cut, so a conversation a client keeps resending stays answerable; more than 1,000 messages, a last message over MAX_QUESTION_CHARS or a bad role is a 422 naming the item; an earlier turn is never refused for its length (a client sends the service's long answers back), and one over half of MAX_CONVERSATION_CHARS is used cut to half. Every answer has an "id" for POST /feedback, and "usage" {"prompt_tokens","completion_tokens","total_tokens"} when the generator reports token counts (its calls, the question's rewrite included); without counts (the offline extractive generator) there is no "usage". With "stream": true the response is text/event-stream: event "sources" {"id","sources":[...]}, events "delta" {"text":"..."}, then "done" {"id","answer","model"} with "usage" as above; a failure after the first byte is an "error" event {"detail"}. Errors before the first byte are ordinary JSON error responses.
//	@ID			query
//	@Tags		rag
//	@Accept		json
//	@Produce	json,text/event-stream
//	@Param		body	body		queryRequest	true	"The question and how to retrieve for it"
//	@Success	200		{object}	queryResponse	"The answer as JSON, or with stream:true a text/event-stream of events"
//	@Failure	422		{object}	validationBody	"The body is not valid JSON or a field is invalid (the problems as pydantic v2 reports them: at most 20 items, then one of type too_many_errors counting the rest)"
//	@Failure	503		{object}	errorBody	"The vector store is not loaded yet, or the service is shutting down"
//	@Failure	504		{object}	errorBody	"Retrieval or generation did not finish within QUERY_TIMEOUT"
//	@Security	BearerAuth
//	@Router		/query [post]
func (s *Server) query(w http.ResponseWriter, r *http.Request) (any, error) {
	var body queryRequest
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
	}
	if s.opts.RAG == nil {
		return nil, errNotLoaded
	}
	req := rag.QueryRequest{
		Question: body.Question, Filter: body.Filter,
		TopK: cmp.Or(body.TopK, s.opts.DefaultTopK), Mode: cmp.Or(body.Mode, s.opts.SearchMode),
	}
	if len(body.Messages) > 0 {
		req.Question, req.History = splitMessages(body.Messages)
	}
	// rag names a bad question "question"; a conversation's is the last
	// message's content.
	qerr := func(err error) error {
		var re *rag.RequestError
		if errors.As(err, &re) && re.Field == "question" {
			re.Field = questionField(len(body.Messages))
		}
		return ragError(err)
	}
	ctx, cancel := s.answerDeadline(w, r)
	defer cancel()
	if !body.Stream {
		res, err := s.opts.RAG.Query(ctx, req, nil)
		if err != nil {
			return nil, qerr(err)
		}
		return queryResponse{ID: res.ID, Answer: res.Answer, Sources: toHits(res.Sources), Model: res.Model, Usage: toUsage(res.Usage)}, nil
	}
	sse, err := newSSE(w)
	if err != nil {
		return nil, err
	}
	if err := s.streamAnswer(ctx, r, sse, req, queryFrames{sse}); err != nil {
		return nil, qerr(err)
	}
	return nil, nil
}

// queryFrames writes a streamed answer as /query's named events.
type queryFrames struct{ sse *sseWriter }

func (f queryFrames) sources(id string, hits []rag.Hit) error {
	return f.sse.event("sources", querySourcesEvent{ID: id, Sources: toHits(hits)})
}

func (f queryFrames) delta(text string) error {
	return f.sse.event("delta", queryDeltaEvent{Text: text})
}

func (f queryFrames) done(id string, ev rag.Event) error {
	return f.sse.event("done", queryDoneEvent{ID: id, Answer: ev.Answer, Model: ev.Model, Usage: toUsage(ev.Usage)})
}

func (f queryFrames) fail(message string) error {
	return f.sse.event("error", errorBody{Detail: message})
}

// end does nothing: /query's stream has no terminator after "done" or
// "error".
func (queryFrames) end() error { return nil }

// answerDeadline bounds an answer (/query, /chat, /v1/chat/completions,
// streamed or not) and /v1/embeddings by QueryTimeout (deadline).
func (s *Server) answerDeadline(w http.ResponseWriter, r *http.Request) (context.Context, context.CancelFunc) {
	return deadline(w, r, s.opts.QueryTimeout)
}

// deadline bounds a request by d: its context ends after d, and the
// connection's write deadline, which the server's WriteTimeout sets for
// short requests, moves to 5 s after that, so the error that ends a late
// request can still be written. The caller must call cancel.
func deadline(w http.ResponseWriter, r *http.Request, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), d)
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d + 5*time.Second))
	return ctx, cancel
}
