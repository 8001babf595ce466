package httpapi

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/tokens"
)

// The OpenAI-compatible routes under /v1 let the official clients (and
// anything built on them) call the service: chat completions answered by
// the RAG pipeline, the model list, and the configured embedder. Their
// errors use OpenAI's body, {"error": {message, type, code, param}}; see
// writeError.

// RAGModelID is the model id /v1/models lists and /v1/chat/completions
// answers as: retrieval from the vector store, then the generator.
const RAGModelID = "vendor0919-rag"

// Embedder is what /v1/embeddings needs; embed.Embedder implements it.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Info() docmodel.EmbeddingModel
}

// openAIErrorBody is the body of every error on the /v1 routes.
type openAIErrorBody struct {
	Error openAIError `json:"error"`
}

// openAIError is OpenAI's error object. Type is "invalid_request_error"
// for 4xx and "server_error" for 5xx; Code names the problem
// ("invalid_api_key", "model_not_found", the validation item's type...);
// Param is the offending field's path ("messages.1.role"), or null.
type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type" example:"invalid_request_error"`
	Code    string  `json:"code" example:"invalid_api_key"`
	Param   *string `json:"param" extensions:"x-nullable"`
}

// openAIErrorFrom converts an error response to OpenAI's shape: a 422's
// items become one message, the first item's location the param.
func openAIErrorFrom(he *Error) openAIErrorBody {
	if e, ok := he.Detail.(openAIError); ok {
		return openAIErrorBody{Error: e}
	}
	e := openAIError{Type: "invalid_request_error", Message: fmt.Sprint(he.Detail)}
	switch he.Status {
	case http.StatusUnauthorized:
		e.Code = "invalid_api_key"
	case http.StatusNotFound:
		e.Code = "not_found"
	case http.StatusMethodNotAllowed:
		e.Code = "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		e.Code = "request_too_large"
	case http.StatusUnsupportedMediaType:
		e.Code = "unsupported_media_type"
	case http.StatusTooManyRequests:
		e.Code = "rate_limit_exceeded"
	case http.StatusServiceUnavailable:
		e.Type, e.Code = "server_error", "service_unavailable"
	case http.StatusGatewayTimeout:
		e.Type, e.Code = "server_error", "timeout"
	default:
		e.Code = "invalid_request"
		if he.Status >= 500 {
			e.Type, e.Code = "server_error", "internal_error"
		}
	}
	if items, ok := he.Detail.([]ValidationItem); ok && len(items) > 0 {
		msgs := make([]string, len(items))
		for i, it := range items {
			p := locPath(it.Loc)
			msgs[i] = cmp.Or(p, "body") + ": " + it.Msg
		}
		e.Message = strings.Join(msgs, "; ")
		e.Code = items[0].Type
		// A body that is no JSON names no parameter (its loc holds the
		// error's offset, FastAPI's way), as OpenAI answers it.
		if p := locPath(items[0].Loc); p != "" && items[0].Type != "json_invalid" {
			e.Param = &p
		}
	}
	return openAIErrorBody{Error: e}
}

// locPath is a 422 location without its leading "body", dotted.
func locPath(loc []any) string {
	parts := make([]string, 0, len(loc))
	for i, l := range loc {
		if i == 0 && l == "body" {
			continue
		}
		parts = append(parts, fmt.Sprint(l))
	}
	return strings.Join(parts, ".")
}

func modelNotFound(model string) *Error {
	p := "model"
	shown, _ := echo(model, 0).(string) // the name is the client's, of any length
	return &Error{Status: http.StatusNotFound, Detail: openAIError{
		Message: fmt.Sprintf("The model %q does not exist or is not served here; GET /v1/models lists the ones that are", shown),
		Type:    "invalid_request_error", Code: "model_not_found", Param: &p,
	}}
}

// chatCompletionRequest is POST /v1/chat/completions' body. OpenAI's
// other parameters (temperature, max_tokens, tools, n...) are accepted
// and ignored: the server's configuration decides them.
type chatCompletionRequest struct {
	Model    string          `json:"model" example:"vendor0919-rag"` // an id from GET /v1/models: vendor0919-rag or the generator's model
	Messages []openAIMessage `json:"messages"`                       // the conversation, oldest first; the last must be the user's question
	Stream   bool            `json:"stream,omitempty"`               // answer as text/event-stream chunks ending with data: [DONE]
	// StreamOptions.IncludeUsage adds a last chunk with the tokens used.
	StreamOptions *chatStreamOptions `json:"stream_options,omitempty"`
	TopK          int                `json:"top_k,omitempty" minimum:"1" maximum:"50"` // extension: how many passages to retrieve (DEFAULT_TOP_K when absent)
	Filter        map[string]any     `json:"filter,omitempty"`                         // extension: metadata filter, as /query's

	turns []turn
}

// chatStreamOptions is a streamed completion's stream_options.
type chatStreamOptions struct {
	IncludeUsage bool `json:"include_usage,omitempty"` // a chunk with no choices and the request's usage comes before data: [DONE]; other chunks carry none
}

// openAIMessage is one message. System and developer messages are accepted
// and ignored (the server's prompt template governs the answer); user and
// assistant messages before the last are the conversation's history.
type openAIMessage struct {
	Role    string `json:"role" enums:"system,developer,user,assistant"`
	Content string `json:"content"` // a string, or an array of {"type":"text","text":"..."} parts joined by newlines
}

func (q *chatCompletionRequest) decode(v *validator) {
	q.Model = v.str(field{name: "model", kind: kindString, required: true, minLen: 1})
	v.objectList("messages", func(i int, obj map[string]any) {
		role, okRole := v.role([]any{"body", "messages", i}, obj, "system", "developer", "user", "assistant")
		text, okText := v.openAIContent([]any{"body", "messages", i, "content"}, obj["content"], role == "user")
		if okRole && okText && (role == "user" || role == "assistant") {
			q.turns = append(q.turns, turn{Role: role, Content: text, Index: i})
		}
	})
	q.Stream = v.boolean(field{name: "stream", kind: kindBool})
	if so := v.object(field{name: "stream_options", kind: kindObject}); so != nil && so["include_usage"] != nil {
		// The same rules as stream's, at the nested location.
		inc, bad := field{name: "include_usage", kind: kindBool}.coerce(so["include_usage"])
		for _, it := range bad {
			it.Loc = []any{"body", "stream_options", "include_usage"}
			v.add(it)
		}
		if b, ok := inc.(bool); ok {
			q.StreamOptions = &chatStreamOptions{IncludeUsage: b}
		}
	}
	q.TopK = v.integer(topKField)
	q.Filter = v.object(filterField)
}

// openAIContent reads a message's content: a string, or a list of text
// parts. A user's content must hold some text; other roles may be empty
// or null (an assistant turn that called tools).
func (v *validator) openAIContent(loc []any, raw any, required bool) (string, bool) {
	var text string
	switch c := raw.(type) {
	case nil:
	case string:
		text = c
	case []any:
		var parts []string
		ok := true
		for j, p := range c {
			ploc := append(slices.Clone(loc), j)
			obj, isObj := p.(map[string]any)
			if !isObj {
				v.fail(ploc, "model_type", "Input should be a valid dictionary or object", p)
				ok = false
				continue
			}
			if obj["type"] != "text" {
				v.add(ValidationItem{Type: "literal_error", Loc: append(ploc, "type"), Msg: "Input should be 'text' (only text parts are supported)",
					Input: obj["type"], Ctx: map[string]any{"expected": "'text'"}})
				ok = false
				continue
			}
			s, isStr := obj["text"].(string)
			if !isStr {
				v.fail(append(ploc, "text"), "string_type", "Input should be a valid string", obj["text"])
				ok = false
				continue
			}
			parts = append(parts, s)
		}
		if !ok {
			return "", false
		}
		text = strings.Join(parts, "\n")
	default:
		v.fail(loc, "string_type", "Input should be a valid string or a list of text parts", raw)
		return "", false
	}
	if required && strings.TrimSpace(text) == "" {
		v.add(ValidationItem{Type: "string_too_short", Loc: loc, Msg: "String should have at least 1 character", Input: raw, Ctx: map[string]any{"min_length": 1}})
		return "", false
	}
	return text, true
}

// chatCompletion is the answer when stream is false.
type chatCompletion struct {
	ID      string       `json:"id" example:"ans_k3x2..."` // the answer's id, for POST /feedback
	Object  string       `json:"object" enums:"chat.completion"`
	Created int64        `json:"created"`         // Unix seconds
	Model   string       `json:"model"`           // the request's model
	Choices []chatChoice `json:"choices"`         // always one
	Usage   *chatUsage   `json:"usage,omitempty"` // the tokens the generator's calls used (the question's rewrite included); absent when it reports none (the extractive generator)
	Sources []hit        `json:"sources"`         // extension: the passages the answer cites as [1], [2], ... in that order
}

// chatUsage is OpenAI's usage object, which /query sends too.
type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// toUsage is the usage object of a rag answer's counts, nil without any.
// It is the one conversion of the counts: /query sends it as it is, /chat
// renames its numbers (toUIMetadata).
func toUsage(u *rag.Usage) *chatUsage {
	if u == nil {
		return nil
	}
	return &chatUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
}

type chatChoice struct {
	Index        int       `json:"index"`
	Message      chatReply `json:"message"`
	FinishReason string    `json:"finish_reason" enums:"stop"`
}

type chatReply struct {
	Role    string `json:"role" enums:"assistant"`
	Content string `json:"content"`
}

// chatCompletionChunk is one event of a streamed completion. The first
// carries the role and the sources, the next ones the text, the last
// finish_reason "stop"; then comes data: [DONE].
type chatCompletionChunk struct {
	ID      string        `json:"id"`
	Object  string        `json:"object" enums:"chat.completion.chunk"`
	Created int64         `json:"created"`
	Model   string        `json:"model"`
	Choices []chunkChoice `json:"choices"`
	// Sources is an extension, on the first chunk only (so a pointer: an
	// empty list is still sent there): the passages the answer cites, in
	// order.
	Sources *[]hit `json:"sources,omitempty"`
	// Usage, when the request set stream_options.include_usage, is null
	// on every chunk but the last, which has no choices and the usage (null
	// when the generator reports none), as OpenAI writes them; absent
	// otherwise. Two pointers tell absent (nil) from null.
	Usage **chatUsage `json:"usage,omitempty"`
}

type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason *string    `json:"finish_reason"` // null until the last chunk, then "stop"
}

type chunkDelta struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content,omitempty"`
}

// chatModels are the ids /v1/chat/completions accepts: the RAG id and the
// generator's model, both answered by the same pipeline.
func (s *Server) chatModels() []string {
	ids := []string{RAGModelID}
	if m := s.opts.GeneratorModel; m != "" && m != RAGModelID {
		ids = append(ids, m)
	}
	return ids
}

// chatCompletions answers POST /v1/chat/completions.
//
//	@Summary	Answer a conversation (OpenAI-compatible)
//	@Description	OpenAI's chat completions API over the RAG pipeline: the last user message is the question, the user and assistant messages before it the history (system and developer messages are ignored; the server's prompt applies). Answers carry the retrieved passages in the extension field "sources" (on the completion, and on the first chunk of a stream). With "stream": true the response is text/event-stream: "data: {chat.completion.chunk}" lines, then "data: [DONE]"; a failure after the first byte is a "data: {\"error\": {...}}" line, then "data: [DONE]". Token usage ("usage": the generator's calls, the question's rewrite included) is on the completion, and, with "stream_options": {"include_usage": true}, on a last chunk with no choices; it is absent (null on that chunk) when the generator reports none, as the offline extractive one does. Errors use OpenAI's body {"error": {message, type, code, param}}.
//	@ID			createChatCompletion
//	@Tags		openai
//	@Accept		json
//	@Produce	json,text/event-stream
//	@Param		body	body		chatCompletionRequest	true	"The model and the conversation"
//	@Success	200		{object}	chatCompletion	"The answer as JSON, or with stream:true a text/event-stream of chunks"
//	@Failure	404		{object}	openAIErrorBody	"The model is not one GET /v1/models lists (code model_not_found)"
//	@Failure	422		{object}	openAIErrorBody	"The body is not valid JSON or a field is invalid (up to 20 problems in message; param names the first; code its kind)"
//	@Failure	503		{object}	openAIErrorBody	"The vector store is not loaded yet, or the service is shutting down"
//	@Failure	504		{object}	openAIErrorBody	"Retrieval or generation did not finish within QUERY_TIMEOUT"
//	@Security	BearerAuth
//	@Router		/v1/chat/completions [post]
func (s *Server) chatCompletions(w http.ResponseWriter, r *http.Request) (any, error) {
	var body chatCompletionRequest
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
	}
	if !slices.Contains(s.chatModels(), body.Model) {
		return nil, modelNotFound(body.Model)
	}
	question, hist, err := conversation(body.turns, s.opts.Limits)
	if err != nil {
		return nil, err
	}
	if s.opts.RAG == nil {
		return nil, errNotLoaded
	}
	req := rag.QueryRequest{Question: question, History: hist, Filter: body.Filter,
		TopK: cmp.Or(body.TopK, s.opts.DefaultTopK), Mode: s.opts.SearchMode}
	ctx, cancel := s.answerDeadline(w, r)
	defer cancel()
	created := time.Now().Unix()
	if !body.Stream {
		res, err := s.opts.RAG.Query(ctx, req, nil)
		if err != nil {
			return nil, questionAt(ragError(err), body.turns)
		}
		return chatCompletion{
			ID: cmp.Or(res.ID, rag.NewAnswerID()), Object: "chat.completion", Created: created, Model: body.Model,
			Choices: []chatChoice{{Message: chatReply{Role: "assistant", Content: res.Answer}, FinishReason: "stop"}},
			Usage:   toUsage(res.Usage), Sources: toHits(res.Sources),
		}, nil
	}
	sse, err := newSSE(w)
	if err != nil {
		return nil, err
	}
	err = s.streamAnswer(ctx, r, sse, req, &openAIFrames{sse: sse, model: body.Model, created: created,
		includeUsage: body.StreamOptions != nil && body.StreamOptions.IncludeUsage})
	return nil, questionAt(ragError(err), body.turns)
}

// questionAt points a 422 from rag at the message the client wrote: its
// "question" is the last turn's content, and its "messages.N" counts the
// turns (history, then question), which skip the ignored system messages;
// a turn's "content" is where the protocol holds it (turn.loc).
func questionAt(err error, turns []turn) error {
	var he *Error
	if !errors.As(err, &he) || len(turns) == 0 {
		return err
	}
	items, ok := he.Detail.([]ValidationItem)
	if !ok {
		return err
	}
	for i, it := range items {
		if len(it.Loc) < 2 {
			continue
		}
		switch it.Loc[1] {
		case "question":
			items[i].Loc = append(turns[len(turns)-1].loc(), it.Loc[2:]...)
		case "messages":
			if len(it.Loc) < 3 {
				continue
			}
			n, err := strconv.Atoi(fmt.Sprint(it.Loc[2]))
			if err != nil || n < 0 || n >= len(turns) {
				continue
			}
			if rest := it.Loc[3:]; len(rest) > 0 && rest[0] == "content" {
				items[i].Loc = append(turns[n].loc(), rest[1:]...)
			} else {
				items[i].Loc = append([]any{"body", "messages", turns[n].Index}, rest...)
			}
		}
	}
	return err
}

// openAIFrames writes a streamed answer as chat.completion.chunk events.
type openAIFrames struct {
	sse          *sseWriter
	id           string
	model        string
	created      int64
	includeUsage bool // stream_options.include_usage: a usage chunk after the last
}

// frame is a chunk of the answer with choices; with include_usage its
// usage is null until the last (done).
func (f *openAIFrames) frame(choices []chunkChoice) chatCompletionChunk {
	cc := chatCompletionChunk{ID: f.id, Object: "chat.completion.chunk", Created: f.created, Model: f.model, Choices: choices}
	if f.includeUsage {
		cc.Usage = new(*chatUsage)
	}
	return cc
}

func (f *openAIFrames) chunk(c chunkChoice, sources *[]hit) error {
	cc := f.frame([]chunkChoice{c})
	cc.Sources = sources
	return f.sse.data(cc)
}

func (f *openAIFrames) sources(id string, hits []rag.Hit) error {
	f.id = id
	h := toHits(hits)
	return f.chunk(chunkChoice{Delta: chunkDelta{Role: "assistant"}}, &h)
}

func (f *openAIFrames) delta(text string) error {
	return f.chunk(chunkChoice{Delta: chunkDelta{Content: text}}, nil)
}

func (f *openAIFrames) done(_ string, ev rag.Event) error {
	stop := "stop"
	if err := f.chunk(chunkChoice{FinishReason: &stop}, nil); err != nil || !f.includeUsage {
		return err
	}
	last := f.frame([]chunkChoice{})
	*last.Usage = toUsage(ev.Usage)
	return f.sse.data(last)
}

func (f *openAIFrames) fail(message string) error {
	return f.sse.data(openAIErrorBody{Error: openAIError{Message: message, Type: "server_error", Code: "generation_failed"}})
}

func (f *openAIFrames) end() error { return f.sse.data(sseDone) }

// modelList is GET /v1/models' answer.
type modelList struct {
	Object string      `json:"object" enums:"list"`
	Data   []modelInfo `json:"data"`
}

type modelInfo struct {
	ID      string `json:"id" example:"vendor0919-rag"`
	Object  string `json:"object" enums:"model"`
	Created int64  `json:"created"` // Unix seconds: when this server started
	OwnedBy string `json:"owned_by" example:"vendor0919"`
}

// models answers GET /v1/models.
//
//	@Summary	List the models (OpenAI-compatible)
//	@Description	The ids this server answers: "vendor0919-rag" (retrieval, then the generator) and the generator's own model for /v1/chat/completions, both answered by the same pipeline, and the embedder's model for /v1/embeddings.
//	@ID			listModels
//	@Tags		openai
//	@Produce	json
//	@Success	200	{object}	modelList
//	@Security	BearerAuth
//	@Router		/v1/models [get]
func (s *Server) models(_ http.ResponseWriter, _ *http.Request) (any, error) {
	list := modelList{Object: "list", Data: []modelInfo{}}
	for _, id := range s.modelIDs() {
		list.Data = append(list.Data, s.modelInfo(id))
	}
	return list, nil
}

// modelIDs are the ids GET /v1/models lists.
func (s *Server) modelIDs() []string {
	ids := s.chatModels()
	if s.opts.Embedder != nil {
		ids = append(ids, s.opts.Embedder.Info().Model)
	}
	return ids
}

func (s *Server) modelInfo(id string) modelInfo {
	return modelInfo{ID: id, Object: "model", Created: s.started.Unix(), OwnedBy: "vendor0919"}
}

// model answers GET /v1/models/{model}, which the openai client's
// models.retrieve calls. The id is the rest of the path, so ids with a
// "/" (Ollama's and Hugging Face's "owner/name") resolve too.
//
//	@Summary	Describe one model (OpenAI-compatible)
//	@Description	One of the ids GET /v1/models lists; any other id is a 404 with code model_not_found.
//	@ID			retrieveModel
//	@Tags		openai
//	@Produce	json
//	@Param		model	path		string	true	"A model id, such as vendor0919-rag"
//	@Success	200		{object}	modelInfo
//	@Failure	404		{object}	openAIErrorBody	"The id is not one GET /v1/models lists (code model_not_found)"
//	@Security	BearerAuth
//	@Router		/v1/models/{model} [get]
func (s *Server) model(_ http.ResponseWriter, r *http.Request) (any, error) {
	id := strings.TrimPrefix(r.URL.Path, "/v1/models/")
	if !slices.Contains(s.modelIDs(), id) {
		return nil, modelNotFound(id)
	}
	return s.modelInfo(id), nil
}

// Bounds on one embeddings request, well inside any provider's batch and
// input limits so a request is one upstream call. maxEmbedTokens bounds
// the tokens an in-process embedder reads for one request: 32 inputs of
// minilm's 256, 8.3 CPU-seconds on a 2-core Intel Xeon (2026-12-07),
// where 256 such inputs took 68.
const (
	maxEmbedInputs = 256
	maxEmbedRunes  = 8192
	maxEmbedTokens = 8192
)

// inProcessEmbedder is an embedder that computes in this process and
// reads at most MaxInputTokens tokens of each input (0: all), such as
// minilm and use-lite: its CPU for a request follows the tokens it
// reads. A remote embedder's cost is its provider's.
type inProcessEmbedder interface {
	CountTokens(string) int
	MaxInputTokens() int
}

// embedWork returns the tokens e reads of inputs, counted until they pass
// maxEmbedTokens.
func embedWork(e inProcessEmbedder, inputs []string) int {
	n, most := 0, e.MaxInputTokens()
	for _, in := range inputs {
		t := e.CountTokens(in)
		if most > 0 {
			t = min(t, most)
		}
		if n += t; n > maxEmbedTokens {
			break
		}
	}
	return n
}

// embeddingRequest is POST /v1/embeddings' body.
type embeddingRequest struct {
	Model          string   `json:"model" example:"all-MiniLM-L6-v2"`               // the embedder's model, as GET /v1/models lists it
	Input          []string `json:"input"`                                          // a string, or a list of up to 256 strings of up to 8192 characters each
	EncodingFormat string   `json:"encoding_format,omitempty" enums:"float,base64"` // float (default): lists of numbers; base64: little-endian float32 bytes
	Dimensions     int      `json:"dimensions,omitempty"`                           // must equal the embedder's dimensions when given
}

func (q *embeddingRequest) decode(v *validator) {
	q.Model = v.str(field{name: "model", kind: kindString, required: true, minLen: 1})
	switch raw := v.obj["input"].(type) {
	case nil:
		v.fail([]any{"body", "input"}, "missing", "Field required", v.obj)
	case string:
		q.Input = v.embedInputs([]any{raw}, true)
	case []any:
		switch {
		case len(raw) == 0:
			v.add(ValidationItem{Type: "too_short", Loc: []any{"body", "input"}, Msg: "List should have at least 1 item after validation, not 0", Input: raw,
				Ctx: map[string]any{"field_type": "List", "min_length": 1, "actual_length": 0}})
		case len(raw) > maxEmbedInputs:
			v.add(ValidationItem{Type: "too_long", Loc: []any{"body", "input"}, Msg: fmt.Sprintf("List should have at most %d items after validation, not %d", maxEmbedInputs, len(raw)),
				Input: nil, Ctx: map[string]any{"field_type": "List", "max_length": maxEmbedInputs, "actual_length": len(raw)}})
		default:
			q.Input = v.embedInputs(raw, false)
		}
	default:
		v.fail([]any{"body", "input"}, "string_type", "Input should be a valid string or a list of strings", raw)
	}
	if raw, ok := v.obj["encoding_format"]; ok && raw != nil {
		if s, _ := raw.(string); s == "float" || s == "base64" {
			q.EncodingFormat = s
		} else {
			v.add(ValidationItem{Type: "literal_error", Loc: []any{"body", "encoding_format"}, Msg: "Input should be 'float' or 'base64'", Input: raw,
				Ctx: map[string]any{"expected": "'float' or 'base64'"}})
		}
	}
	q.Dimensions = v.integer(field{name: "dimensions", kind: kindInt, ge: bound(1)})
}

func (v *validator) embedInputs(list []any, single bool) []string {
	out := make([]string, 0, len(list))
	for i, e := range list {
		loc := []any{"body", "input", i}
		if single {
			loc = []any{"body", "input"}
		}
		s, ok := e.(string)
		switch {
		case !ok:
			v.fail(loc, "string_type", "Input should be a valid string (token arrays are not supported)", e)
		case s == "":
			v.add(ValidationItem{Type: "string_too_short", Loc: loc, Msg: "String should have at least 1 character", Input: e, Ctx: map[string]any{"min_length": 1}})
		case utf8.RuneCountInString(s) > maxEmbedRunes:
			v.add(ValidationItem{Type: "string_too_long", Loc: loc, Msg: fmt.Sprintf("String should have at most %d characters", maxEmbedRunes), Input: nil, Ctx: map[string]any{"max_length": maxEmbedRunes}})
		default:
			out = append(out, s)
		}
	}
	return out
}

// embeddingList is POST /v1/embeddings' answer. Usage is required by
// OpenAI's schema (the openai npm client reads usage.prompt_tokens); the
// embedders report no counts, so it is estimated (tokens.Estimate).
type embeddingList struct {
	Object string         `json:"object" enums:"list"`
	Data   []embedding    `json:"data"`
	Model  string         `json:"model"`
	Usage  embeddingUsage `json:"usage"`
}

// embeddingUsage is OpenAI's usage of an embeddings request.
type embeddingUsage struct {
	PromptTokens int `json:"prompt_tokens"` // estimated per character class (tokens.Estimate), erring high
	TotalTokens  int `json:"total_tokens"`  // the same
}

// embedding is one input's vector: a list of numbers, or with
// encoding_format base64 a string of its little-endian float32 bytes.
type embedding struct {
	Object    string `json:"object" enums:"embedding"`
	Index     int    `json:"index"`
	Embedding any    `json:"embedding" swaggertype:"array,number"`
}

// embeddings answers POST /v1/embeddings.
//
//	@Summary	Embed texts (OpenAI-compatible)
//	@Description	Embeds with the embedder the vector store was built with (its model id is in GET /v1/models), so the vectors can be sent to /search. "dimensions" is accepted only when it equals the embedder's. An in-process embedder (minilm, use-lite) reads at most 8,192 tokens for one request (each input's first 256 for minilm), a 422 at input past them. usage holds estimated tokens (counted per character class as cl100k_base spends them, erring high): the embedders report none.
//	@ID			createEmbedding
//	@Tags		openai
//	@Accept		json
//	@Produce	json
//	@Param		body	body		embeddingRequest	true	"The model and the texts"
//	@Success	200		{object}	embeddingList
//	@Failure	404		{object}	openAIErrorBody	"The model is not the embedder's (code model_not_found)"
//	@Failure	422		{object}	openAIErrorBody	"The body is not valid JSON or a field is invalid (up to 20 problems in message; param names the first; code its kind)"
//	@Failure	503		{object}	openAIErrorBody	"No embedder is configured"
//	@Failure	504		{object}	openAIErrorBody	"The embedder did not answer within QUERY_TIMEOUT"
//	@Security	BearerAuth
//	@Router		/v1/embeddings [post]
func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) (any, error) {
	var body embeddingRequest
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
	}
	if s.opts.Embedder == nil {
		return nil, errStatus(http.StatusServiceUnavailable, "No embedder is configured")
	}
	info := s.opts.Embedder.Info()
	if body.Model != info.Model {
		return nil, modelNotFound(body.Model)
	}
	if body.Dimensions != 0 && body.Dimensions != info.Dims {
		return nil, errValidation(ValidationItem{Type: "value_error", Loc: []any{"body", "dimensions"},
			Msg: fmt.Sprintf("Value error, %s embeds in %d dimensions only", info.Model, info.Dims), Input: body.Dimensions})
	}
	if e, ok := s.opts.Embedder.(inProcessEmbedder); ok {
		if n := embedWork(e, body.Input); n > maxEmbedTokens {
			return nil, errValidation(ValidationItem{Type: "value_error", Loc: []any{"body", "input"},
				Msg: fmt.Sprintf("Value error, %s would read more than %d tokens of these inputs, the most one request may ask of it; send fewer inputs at a time", info.Model, maxEmbedTokens)})
		}
	}
	// Embedding can take longer than the server's WriteTimeout (seconds
	// in process on a small task, or a slow provider): bounded by
	// QueryTimeout like an answer, so the vectors are not written to a
	// closed conn.
	ctx, cancel := s.answerDeadline(w, r)
	defer cancel()
	vecs, err := s.opts.Embedder.Embed(ctx, body.Input)
	if err != nil {
		return nil, ragError(err)
	}
	if len(vecs) != len(body.Input) {
		return nil, fmt.Errorf("httpapi: embedder returned %d vectors for %d inputs", len(vecs), len(body.Input))
	}
	out := embeddingList{Object: "list", Model: info.Model, Data: make([]embedding, len(vecs))}
	for _, in := range body.Input {
		out.Usage.PromptTokens += tokens.Estimate(in)
	}
	out.Usage.TotalTokens = out.Usage.PromptTokens
	for i, v := range vecs {
		var e any = v
		if body.EncodingFormat == "base64" {
			b := make([]byte, 4*len(v))
			for j, x := range v {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(x))
			}
			e = base64.StdEncoding.EncodeToString(b)
		}
		out.Data[i] = embedding{Object: "embedding", Index: i, Embedding: e}
	}
	return out, nil
}
