package httpapi

import (
	"cmp"
	"net/http"
	"strings"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
)

// POST /chat speaks the Vercel AI SDK's UI message stream protocol (v1),
// what useChat with DefaultChatTransport sends and reads, so a frontend
// needs no adapter route: the request is {id, messages: [{id, role,
// parts}], trigger}, the answer SSE "data: {part}" lines ending with
// "data: [DONE]" under the header x-vercel-ai-ui-message-stream: v1.

// uiMessageStreamHeader marks a response as the UI message stream.
const uiMessageStreamHeader = "X-Vercel-Ai-Ui-Message-Stream"

// chatRequest is POST /chat's body. Other fields the transport sends
// (messageId, body extras) are ignored.
type chatRequest struct {
	ID       string         `json:"id,omitempty" example:"chat-1"`                               // the chat's id, as useChat names it
	Messages []uiMessage    `json:"messages"`                                                    // the conversation, oldest first; the last must be the user's
	Trigger  string         `json:"trigger,omitempty" enums:"submit-message,regenerate-message"` // why the transport sent it; both answer the last user message
	TopK     int            `json:"top_k,omitempty" minimum:"1" maximum:"50"`                    // extension: how many passages to retrieve (DEFAULT_TOP_K when absent)
	Filter   map[string]any `json:"filter,omitempty"`                                            // extension: metadata filter, as /query's

	turns []turn
}

// uiMessage is one message of the conversation. Its text parts, joined by
// newlines, are its content; other parts (sources, step markers, files)
// are ignored. System messages are ignored too.
type uiMessage struct {
	ID    string   `json:"id,omitempty"`
	Role  string   `json:"role" enums:"system,user,assistant"`
	Parts []uiPart `json:"parts"`
}

type uiPart struct {
	Type string `json:"type" example:"text"`
	Text string `json:"text,omitempty"`
}

func (q *chatRequest) decode(v *validator) {
	v.objectList("messages", func(i int, obj map[string]any) {
		role, okRole := v.role([]any{"body", "messages", i}, obj, "system", "user", "assistant")
		loc := []any{"body", "messages", i, "parts"}
		parts, ok := obj["parts"].([]any)
		if !ok {
			if obj["parts"] == nil {
				v.fail(loc, "missing", "Field required", obj)
			} else {
				v.fail(loc, "list_type", "Input should be a valid list", obj["parts"])
			}
			return
		}
		var texts []string
		var at []any // where a problem with the content is reported
		for j, p := range parts {
			if obj, ok := p.(map[string]any); ok && obj["type"] == "text" {
				if s, ok := obj["text"].(string); ok {
					texts = append(texts, s)
					at = []any{"parts", j, "text"}
				}
			}
		}
		if len(texts) > 1 {
			at = []any{"parts"} // the content is their join, no one part's
		}
		text := strings.Join(texts, "\n")
		if role == "user" && strings.TrimSpace(text) == "" {
			v.fail(loc, "value_error", "Value error, a user message needs a text part", obj["parts"])
			return
		}
		if okRole && role != "system" {
			q.turns = append(q.turns, turn{Role: role, Content: text, Index: i, At: at})
		}
	})
	q.TopK = v.integer(topKField)
	q.Filter = v.object(filterField)
}

// The parts of the UI message stream this server sends, as the ai
// package's uiMessageChunkSchema defines them.
type (
	uiStartPart struct {
		Type      string `json:"type" enums:"start"`
		MessageID string `json:"messageId"` // the answer's id, for POST /feedback
	}
	uiSourceURLPart struct {
		Type     string `json:"type" enums:"source-url"`
		SourceID string `json:"sourceId"`        // the chunk's id
		URL      string `json:"url"`             // the chunk's metadata url (source#anchor)
		Title    string `json:"title,omitempty"` // its metadata title, else source
	}
	uiSourceDocumentPart struct {
		Type      string `json:"type" enums:"source-document"`
		SourceID  string `json:"sourceId"`
		MediaType string `json:"mediaType" enums:"text/plain"`
		Title     string `json:"title"`
		Filename  string `json:"filename,omitempty"` // its metadata source
	}
	uiTextStartPart struct {
		Type string `json:"type" enums:"text-start"`
		ID   string `json:"id"`
	}
	uiTextDeltaPart struct {
		Type  string `json:"type" enums:"text-delta"`
		ID    string `json:"id"`
		Delta string `json:"delta"`
	}
	uiTextEndPart struct {
		Type string `json:"type" enums:"text-end"`
		ID   string `json:"id"`
	}
	uiFinishPart struct {
		Type         string `json:"type" enums:"finish"`
		FinishReason string `json:"finishReason" enums:"stop"`
		// MessageMetadata is what useChat merges into the answer's
		// message.metadata; absent when the generator reports no usage.
		MessageMetadata *uiMessageMetadata `json:"messageMetadata,omitempty"`
	}
	// uiMessageMetadata is the answer message's metadata, sent on finish.
	uiMessageMetadata struct {
		Usage uiUsage `json:"usage"` // the tokens the generator's calls used, the question's rewrite included
	}
	// uiUsage is the AI SDK's LanguageModelUsage.
	uiUsage struct {
		InputTokens  int `json:"inputTokens"`
		OutputTokens int `json:"outputTokens"`
		TotalTokens  int `json:"totalTokens"`
	}
	uiErrorPart struct {
		Type      string `json:"type" enums:"error"`
		ErrorText string `json:"errorText"`
	}
)

// chat answers POST /chat.
//
//	@Summary	Answer a conversation (Vercel AI SDK)
//	@Description	For useChat with DefaultChatTransport (ai v5): the body is what the transport sends, {id, messages: [{id, role, parts: [{type: "text", text}]}], trigger}; the last message is the question, the user and assistant messages before it the history. The answer is always a stream in the AI SDK's UI message stream protocol (header x-vercel-ai-ui-message-stream: v1): "data: {part}" lines start, one source-url (a passage with a metadata url) or source-document part per retrieved passage in citation order, text-start, text-delta..., text-end, finish, then "data: [DONE]". When the generator reports token usage, finish carries it as messageMetadata {usage: {inputTokens, outputTokens, totalTokens}} (the AI SDK's LanguageModelUsage: the generator's calls, the question's rewrite included), which useChat merges into the answer's message.metadata; without counts (the offline extractive generator) finish has no messageMetadata. A failure after the first byte is an error part, then [DONE]. Errors before the first byte are ordinary JSON error responses.
//	@ID			chat
//	@Tags		rag
//	@Accept		json
//	@Produce	text/event-stream
//	@Param		body	body	chatRequest	true	"The conversation, as useChat sends it"
//	@Success	200		{object}	uiStartPart	"A text/event-stream of UI message parts"
//	@Failure	422		{object}	validationBody	"The body is not valid JSON or a field is invalid (the problems as pydantic v2 reports them: at most 20 items, then one of type too_many_errors counting the rest)"
//	@Failure	503		{object}	errorBody	"The vector store is not loaded yet, or the service is shutting down"
//	@Failure	504		{object}	errorBody	"Retrieval did not finish within QUERY_TIMEOUT"
//	@Security	BearerAuth
//	@Router		/chat [post]
func (s *Server) chat(w http.ResponseWriter, r *http.Request) (any, error) {
	var body chatRequest
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
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
	sse, err := newSSE(w)
	if err != nil {
		return nil, err
	}
	err = s.streamAnswer(ctx, r, sse, req, &uiFrames{sse: sse, w: w})
	return nil, questionAt(ragError(err), body.turns)
}

// uiFrames writes a streamed answer as UI message stream parts.
type uiFrames struct {
	sse    *sseWriter
	w      http.ResponseWriter
	textID string
}

func (f *uiFrames) sources(id string, hits []rag.Hit) error {
	f.w.Header().Set(uiMessageStreamHeader, "v1")
	if err := f.sse.data(uiStartPart{Type: "start", MessageID: id}); err != nil {
		return err
	}
	for _, h := range hits {
		if err := f.sse.data(sourcePart(h)); err != nil {
			return err
		}
	}
	f.textID = "text-" + id
	return f.sse.data(uiTextStartPart{Type: "text-start", ID: f.textID})
}

// sourcePart is a source-url part for a passage whose metadata has a url,
// else a source-document part. Its title names the section after the
// document ("Warranty › Terms"): the parts are the answer's citations, and
// several may come from one document.
func sourcePart(h rag.Hit) any {
	md := func(k string) string { s, _ := h.Metadata[k].(string); return s }
	title := cmp.Or(md("title"), md(docmodel.MetaSource), h.ID)
	if sec := md("section"); sec != "" && sec != title {
		title += " › " + sec
	}
	if u := md(docmodel.MetaURL); u != "" {
		return uiSourceURLPart{Type: "source-url", SourceID: h.ID, URL: u, Title: title}
	}
	return uiSourceDocumentPart{Type: "source-document", SourceID: h.ID, MediaType: "text/plain", Title: title, Filename: md(docmodel.MetaSource)}
}

func (f *uiFrames) delta(text string) error {
	return f.sse.data(uiTextDeltaPart{Type: "text-delta", ID: f.textID, Delta: text})
}

func (f *uiFrames) done(_ string, ev rag.Event) error {
	if err := f.sse.data(uiTextEndPart{Type: "text-end", ID: f.textID}); err != nil {
		return err
	}
	return f.sse.data(uiFinishPart{Type: "finish", FinishReason: "stop", MessageMetadata: toUIMetadata(ev.Usage)})
}

// toUIMetadata is the answer message's metadata for a rag answer's counts:
// toUsage's numbers under the AI SDK's names, nil without any.
func toUIMetadata(u *rag.Usage) *uiMessageMetadata {
	c := toUsage(u)
	if c == nil {
		return nil
	}
	return &uiMessageMetadata{Usage: uiUsage{InputTokens: c.PromptTokens, OutputTokens: c.CompletionTokens, TotalTokens: c.TotalTokens}}
}

func (f *uiFrames) fail(message string) error {
	return f.sse.data(uiErrorPart{Type: "error", ErrorText: message})
}

func (f *uiFrames) end() error { return f.sse.data(sseDone) }
