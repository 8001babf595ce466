package httpapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/rag"
)

// checkItems compares a 422 body's items by type, loc and (when set) msg.
func checkItems(t *testing.T, body []byte, want []ValidationItem) {
	t.Helper()
	var got struct{ Detail []ValidationItem }
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Detail) != len(want) {
		t.Fatalf("detail %+v, want %d items", got.Detail, len(want))
	}
	for i, w := range want {
		g := got.Detail[i]
		if g.Type != w.Type || !reflect.DeepEqual(g.Loc, w.Loc) || (w.Msg != "" && g.Msg != w.Msg) {
			t.Errorf("item %d = %s %v %q, want %s %v %q", i, g.Type, g.Loc, g.Msg, w.Type, w.Loc, w.Msg)
		}
	}
}

func TestQuery_MessagesValidation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.MaxBodyBytes = 1 << 20 })
	turn := func(role, content string) string { return `{"role":"` + role + `","content":"` + content + `"}` }
	msgs := func(turns ...string) string { return `{"messages":[` + strings.Join(turns, ",") + `]}` }
	loc := func(l ...any) []any { return append([]any{"body"}, l...) }
	tests := []struct {
		name string
		body string
		want []ValidationItem
	}{
		{"empty list", `{"messages":[]}`, []ValidationItem{{Type: "too_short", Loc: loc("messages"), Msg: "List should have at least 1 item after validation, not 0"}}},
		{"not a list", `{"messages":"hi"}`, []ValidationItem{{Type: "list_type", Loc: loc("messages")}}},
		{"an item not an object", `{"messages":["hi"]}`, []ValidationItem{{Type: "model_type", Loc: loc("messages", 0.0)}}},
		{"last turn the assistant's", msgs(turn("user", "q"), turn("assistant", "a")),
			[]ValidationItem{{Type: "value_error", Loc: loc("messages", 1.0, "role"), Msg: "Value error, the last message must be the user's question"}}},
		{"unknown role", msgs(turn("user", "q"), turn("assistant", "a"), turn("system", "s"), turn("user", "q2")),
			[]ValidationItem{{Type: "literal_error", Loc: loc("messages", 2.0, "role"), Msg: "Input should be 'user' or 'assistant'"}}},
		{"role not a string", `{"messages":[{"role":1,"content":"q"}]}`, []ValidationItem{{Type: "literal_error", Loc: loc("messages", 0.0, "role")}}},
		{"missing role and content", `{"messages":[{}]}`, []ValidationItem{{Type: "missing", Loc: loc("messages", 0.0, "role")}, {Type: "missing", Loc: loc("messages", 0.0, "content")}}},
		{"content not a string", `{"messages":[{"role":"user","content":["x"]}]}`, []ValidationItem{{Type: "string_type", Loc: loc("messages", 0.0, "content")}}},
		{"empty question", msgs(turn("user", "")), []ValidationItem{{Type: "string_too_short", Loc: loc("messages", 0.0, "content")}}},
		{"question and messages", `{"question":"q","messages":[` + turn("user", "q") + `]}`,
			[]ValidationItem{{Type: "value_error", Loc: loc("question"), Msg: "Value error, send question or messages, not both"}}},
		{"every problem at once", `{"messages":[{"role":"bot","content":1},{"role":"user"}],"top_k":0}`, []ValidationItem{
			{Type: "literal_error", Loc: loc("messages", 0.0, "role")}, {Type: "string_type", Loc: loc("messages", 0.0, "content")},
			{Type: "missing", Loc: loc("messages", 1.0, "content")}, {Type: "greater_than_equal", Loc: loc("top_k")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", "/query", tt.body, nil)
			if rec.Code != 422 {
				t.Fatalf("status %d; body %s", rec.Code, rec.Body)
			}
			checkItems(t, rec.Body.Bytes(), tt.want)
		})
	}
}

// TestQuery_MessagesRAGErrors: the limits rag enforces (the list, each
// turn) come back as items naming the message, indexes as numbers.
func TestQuery_MessagesRAGErrors(t *testing.T) {
	t.Parallel()
	body := `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"q2"}]}`
	tests := []struct {
		name string
		err  *rag.RequestError
		want ValidationItem
	}{
		{"too many messages", &rag.RequestError{Field: "messages", Type: "too_long", Msg: "List should have at most 2 items after validation, not 3"},
			ValidationItem{Type: "too_long", Loc: []any{"body", "messages"}, Msg: "List should have at most 2 items after validation, not 3"}},
		{"a turn's role", &rag.RequestError{Field: "messages.1.role", Type: "literal_error", Msg: "Input should be 'user' or 'assistant'"},
			ValidationItem{Type: "literal_error", Loc: []any{"body", "messages", 1.0, "role"}, Msg: "Input should be 'user' or 'assistant'"}},
		{"the question, as the last message", &rag.RequestError{Field: "question", Msg: "must not be empty"},
			ValidationItem{Type: "value_error", Loc: []any{"body", "messages", 2.0, "content"}, Msg: "Value error, must not be empty"}},
		{"a filter key that looks like a number stays a string", &rag.RequestError{Field: "filter.1", Msg: "bad"},
			ValidationItem{Type: "value_error", Loc: []any{"body", "filter", "1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.err = tt.err
			for _, stream := range []string{"", `,"stream":true`} {
				rec := ts.do("POST", "/query", strings.TrimSuffix(body, "}")+stream+"}", nil)
				if rec.Code != 422 {
					t.Fatalf("status %d; body %s", rec.Code, rec.Body)
				}
				checkItems(t, rec.Body.Bytes(), []ValidationItem{tt.want})
			}
		})
	}
}

func TestQuery_MessagesReachRAG(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/query", `{"messages":[{"role":"user","content":"What does the warranty cover?","id":"m1"},{"role":"assistant","content":"Defects [1]."},{"role":"user","content":"For how long?"}]}`, nil)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	got := ts.rag.queries[0]
	want := []rag.Message{{Role: "user", Content: "What does the warranty cover?"}, {Role: "assistant", Content: "Defects [1]."}}
	if got.Question != "For how long?" || !reflect.DeepEqual(got.History, want) {
		t.Errorf("rag got question %q history %+v", got.Question, got.History)
	}
	if id := decode(t, rec)["id"]; id != fakeAnswerID {
		t.Errorf("answer id %v", id)
	}
	// A single question has no history.
	ts.do("POST", "/query", `{"question":"q"}`, nil)
	if h := ts.rag.queries[1].History; len(h) != 0 {
		t.Errorf("history %v for a single question", h)
	}
}

func TestQuery_StreamCarriesAnswerID(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/query", `{"messages":[{"role":"user","content":"q"}],"stream":true}`, nil)
	for _, e := range readSSE(t, rec.Body) {
		var data map[string]any
		_ = json.Unmarshal([]byte(e.data), &data)
		if (e.name == "sources" || e.name == "done") && data["id"] != fakeAnswerID {
			t.Errorf("%s event without the answer id: %s", e.name, e.data)
		}
	}
}
