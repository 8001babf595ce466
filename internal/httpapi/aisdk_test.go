package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
)

// chatBody is what useChat's DefaultChatTransport posts for a follow-up:
// the earlier turns as UIMessages, with the parts the SDK keeps on an
// assistant message (step markers, sources) beside its text.
const chatBody = `{"id":"chat-1","trigger":"submit-message","messageId":null,"messages":[
	{"id":"m1","role":"user","parts":[{"type":"text","text":"What is the refund policy?"}]},
	{"id":"m2","role":"assistant","parts":[{"type":"step-start"},{"type":"source-url","sourceId":"c1","url":"refund.md"},{"type":"text","text":"Refunds take 14 days.","state":"done"}]},
	{"id":"m3","role":"user","parts":[{"type":"text","text":"And for opened items?"}],"metadata":{"x":1}}]}`

func TestChat_UIMessageStream(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.hits = append(ts.rag.hits, rag.Hit{ID: "c2", Text: "t", Metadata: map[string]any{"url": "warranty.md#terms", "title": "Warranty", "section": "Terms"}})
	rec := ts.do("POST", "/chat", chatBody, nil)
	if rec.Code != 200 || rec.Header().Get("x-vercel-ai-ui-message-stream") != "v1" || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	data := sseData(t, rec.Body.String())
	if data[len(data)-1] != "[DONE]" {
		t.Fatalf("no [DONE]: %q", data)
	}
	var types []string
	var parts []map[string]any
	for _, d := range data[:len(data)-1] {
		var p map[string]any
		if err := json.Unmarshal([]byte(d), &p); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
		types = append(types, p["type"].(string))
	}
	want := []string{"start", "source-document", "source-url", "text-start", "text-delta", "text-delta", "text-end", "finish"}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("parts %v, want %v", types, want)
	}
	id, _ := parts[0]["messageId"].(string)
	textID := parts[3]["id"]
	if !strings.HasPrefix(id, "ans_") || textID == "" || parts[4]["id"] != textID || parts[6]["id"] != textID {
		t.Errorf("ids: %v", parts)
	}
	if parts[1]["sourceId"] != "c1" || parts[1]["title"] != "refund.md" || parts[1]["mediaType"] != "text/plain" ||
		parts[2]["url"] != "warranty.md#terms" || parts[2]["title"] != "Warranty › Terms" {
		t.Errorf("sources %v %v", parts[1], parts[2])
	}
	if parts[4]["delta"].(string)+parts[5]["delta"].(string) != "Refunds take 14 days [1]." || parts[7]["finishReason"] != "stop" {
		t.Errorf("text %v", parts[4:])
	}
	q := ts.rag.queries[0]
	hist := []rag.Message{{Role: "user", Content: "What is the refund policy?"}, {Role: "assistant", Content: "Refunds take 14 days."}}
	if q.Question != "And for opened items?" || !reflect.DeepEqual(q.History, hist) {
		t.Errorf("rag request %+v", q)
	}
}

func TestChat_FailureAfterTheFirstByteIsAnErrorPart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.failMid = true
	rec := ts.do("POST", "/chat", chatBody, nil)
	data := sseData(t, rec.Body.String())
	n := len(data)
	if rec.Code != 200 || n < 3 || data[n-1] != "[DONE]" || !strings.Contains(data[n-2], `"type":"error","errorText":"`) {
		t.Errorf("%d %q", rec.Code, data)
	}
}

func TestChat_BadInput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, body, loc string }{
		{"no messages", `{"id":"c","messages":[]}`, `["body","messages"]`},
		{"ends with the assistant", `{"messages":[{"role":"user","parts":[{"type":"text","text":"q"}]},{"role":"assistant","parts":[{"type":"text","text":"a"}]}]}`, `["body","messages",1,"role"]`},
		{"unknown role", `{"messages":[{"role":"tool","parts":[]},{"role":"user","parts":[{"type":"text","text":"q"}]}]}`, `["body","messages",0,"role"]`},
		{"user without text", `{"messages":[{"role":"user","parts":[{"type":"file","url":"x"}]}]}`, `["body","messages",0,"parts"]`},
		{"no parts", `{"messages":[{"role":"user","content":"q"}]}`, `["body","messages",0,"parts"]`},
	} {
		rec := newTestServer(t, nil).do("POST", "/chat", tc.body, nil)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"loc":`+tc.loc) {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
}

// TestChat_ContentLocation: a /chat message's content is its text parts,
// so a 422 about it (the validator's or rag's) names the one text part's
// text, or the parts list when several are joined; never "content", which
// /chat messages do not have.
func TestChat_ContentLocation(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("q", 11)
	tests := []struct {
		name, body string
		ragErr     *rag.RequestError
		typ        string
		loc        []any
	}{
		{"one text part too long", `{"messages":[{"role":"user","parts":[{"type":"step-start"},{"type":"text","text":"` + long + `"}]}]}`, nil,
			"string_too_long", []any{"body", "messages", 0.0, "parts", 1.0, "text"}},
		{"joined text parts too long", `{"messages":[{"role":"user","parts":[{"type":"text","text":"qqqqqq"},{"type":"text","text":"qqqqqq"}]}]}`, nil,
			"string_too_long", []any{"body", "messages", 0.0, "parts"}},
		{"rag's question", `{"messages":[{"role":"system","parts":[{"type":"text","text":"s"}]},{"role":"user","parts":[{"type":"text","text":"q"}]}]}`,
			&rag.RequestError{Field: "question", Type: "string_too_long", Msg: "too long"}, "string_too_long", []any{"body", "messages", 1.0, "parts", 0.0, "text"}},
		{"rag's history turn", `{"messages":[{"role":"system","parts":[{"type":"text","text":"s"}]},{"role":"assistant","parts":[{"type":"text","text":"a"}]},{"role":"user","parts":[{"type":"text","text":"q"}]}]}`,
			&rag.RequestError{Field: "messages.0.content", Type: "string_too_long", Msg: "too long"}, "string_too_long", []any{"body", "messages", 1.0, "parts", 0.0, "text"}},
		{"rag's role", `{"messages":[{"role":"system","parts":[{"type":"text","text":"s"}]},{"role":"user","parts":[{"type":"text","text":"q"}]}]}`,
			&rag.RequestError{Field: "messages.0.role", Type: "literal_error", Msg: "bad role"}, "literal_error", []any{"body", "messages", 1.0, "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(o *Options) { o.Limits = Limits{QuestionChars: 10} })
			if tt.ragErr != nil {
				ts.rag.err = tt.ragErr
			}
			rec := ts.do("POST", "/chat", tt.body, nil)
			if rec.Code != 422 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			items := details(t, rec.Body.Bytes())
			if len(items) != 1 || items[0].Type != tt.typ || !equalLoc(items[0].Loc, tt.loc) {
				t.Errorf("items %+v, want one %s at %v", items, tt.typ, tt.loc)
			}
		})
	}
}

// TestChat_Usage: the generator's token counts come back on the finish
// part as messageMetadata.usage under the AI SDK's names; without counts
// finish has no messageMetadata at all rather than zeros.
func TestChat_Usage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		usage *llm.Usage
		want  string // the finish part
	}{
		{"counted", &llm.Usage{PromptTokens: 120, CompletionTokens: 9},
			`{"type":"finish","finishReason":"stop","messageMetadata":{"usage":{"inputTokens":120,"outputTokens":9,"totalTokens":129}}}`},
		{"a known zero is sent", &llm.Usage{PromptTokens: 7},
			`{"type":"finish","finishReason":"stop","messageMetadata":{"usage":{"inputTokens":7,"outputTokens":0,"totalTokens":7}}}`},
		{"not counted", nil, `{"type":"finish","finishReason":"stop"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.usage = tc.usage
			rec := ts.do("POST", "/chat", chatBody, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			data := sseData(t, rec.Body.String())
			if n := len(data); n < 2 || data[n-1] != "[DONE]" || data[n-2] != tc.want {
				t.Fatalf("frames %q, want the finish part %s before [DONE]", data, tc.want)
			}
			if tc.usage == nil && strings.Contains(rec.Body.String(), "messageMetadata") {
				t.Errorf("a part has messageMetadata without counts: %s", rec.Body)
			}
		})
	}
}
