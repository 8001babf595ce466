package rag

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/retry"
)

func user(s string) Message      { return Message{Role: RoleUser, Content: s} }
func assistant(s string) Message { return Message{Role: RoleAssistant, Content: s} }

func TestCarryTerms_Rule(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		question string
		history  []Message
		want     string
	}{
		{"no history", "How long?", nil, "How long?"},
		{"carries the earlier question's key words", "For how long?",
			[]Message{user("What does the warranty cover?"), assistant("The warranty covers defects [1].")},
			"For how long? warranty cover"},
		{"skips stop words, punctuation and words the question has", "Is the warranty transferable?",
			[]Message{user("What is the warranty on the frame?")},
			"Is the warranty transferable? frame"},
		{"assistant turns carry nothing", "And returns?",
			[]Message{assistant("Shipping takes three days.")},
			"And returns?"},
		{"newest user turn first, each token once", "What about weekends?",
			[]Message{user("Tell me about shipping"), assistant("..."), user("shipping costs to islands")},
			"What about weekends? shipping costs islands Tell"},
		{"at most eight words", "Why?",
			[]Message{user("alpha bravo charlie delta echo foxtrot golf hotel india juliet")},
			"Why? alpha bravo charlie delta echo foxtrot golf hotel"},
		{"a Japanese sentence is carried whole", "期間は？",
			[]Message{user("バッテリーの保証について教えて")},
			"期間は？ バッテリーの保証について教えて"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := carryTerms(keyword.Standard, tc.question, tc.history); got != tc.want {
				t.Errorf("carryTerms = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRecentHistory_Budget(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", 40) // 50 tokens
	cases := []struct {
		name    string
		history []Message
		budget  int
		want    []Message
	}{
		{"all fit", []Message{user("a b"), assistant("c d")}, 100, []Message{user("a b"), assistant("c d")}},
		{"oldest dropped first", []Message{user(long), assistant(long), user("short"), assistant("answer")}, 52,
			[]Message{user("short"), assistant("answer")}},
		{"an older answer is cut to what is left", []Message{user(long), assistant(long), user("short"), assistant("answer")}, 60,
			[]Message{user(long), assistant("word word word word word"), user("short"), assistant("answer")}},
		{"stops at the first exchange that does not fit", []Message{user("x"), assistant("w"), user(long), assistant("z"), user("y"), assistant("v")}, 10,
			[]Message{user("y"), assistant("v")}},
		{"leading assistant turns are dropped", []Message{assistant("hello"), assistant("there"), user("q1"), assistant("a1")}, 100,
			[]Message{user("q1"), assistant("a1")}},
		{"a long answer is cut to half the budget", []Message{user("q1"), assistant(long)}, 20,
			[]Message{user("q1"), assistant(strings.Repeat("word ", 8))}},
		// The user turn of the newest exchange fits (validateHistory
		// holds it to the budget); its answer is cut to what it leaves,
		// not dropped with it.
		{"a long question keeps its cut answer", []Message{user(long + long[:30]), assistant(long + long)}, 100,
			[]Message{user(long + long[:30]), assistant(strings.Repeat("word ", 33) + "wor")}},
		{"an answer with nothing left is dropped", []Message{user("q1"), assistant("a1"), user(long), assistant(long)}, 50,
			[]Message{user(long)}},
		{"several answers share what is left", []Message{user("q1"), assistant(long), assistant(long)}, 40,
			[]Message{user("q1"), assistant(strings.Repeat("word ", 16)), assistant(strings.Repeat("word ", 15) + "w")}},
		{"nothing fits", []Message{user(long)}, 10, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := recentHistory(tc.history, tc.budget); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("recentHistory = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestQuery_HistoryValidation(t *testing.T) {
	t.Parallel()
	s, err := New(Config{HistoryTokens: 100, MaxMessages: 4}, newEmbedder(), &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(newStore(newEmbedder(), corpus())); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		req       QueryRequest
		field     string
		typ       string
		msgSubstr string
	}{
		{"unknown role", QueryRequest{Question: "q", History: []Message{user("a"), {Role: "system", Content: "b"}}},
			"messages.1.role", "literal_error", "'user' or 'assistant'"},
		{"content too long", QueryRequest{Question: "q", History: []Message{user(strings.Repeat("あ", MaxContentChars+1))}},
			"messages.0.content", "string_too_long", "at most 8000 characters"},
		{"a user turn over the history budget", QueryRequest{Question: "q", History: []Message{user("a"), assistant("b"), user(strings.Repeat("word ", 100))}},
			"messages.2.content", "", "over the history budget of 100"},
		{"too many turns", QueryRequest{Question: "q", History: []Message{user("a"), assistant("b"), user("c"), assistant("d")}},
			"messages", "too_long", "at most 4 items"},
		{"empty question", QueryRequest{Question: "  ", History: []Message{user("a"), assistant("b")}},
			"question", "", "must not be empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.Query(context.Background(), tc.req, nil)
			var re *RequestError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want a *RequestError", err)
			}
			if re.Field != tc.field || re.Type != tc.typ || !strings.Contains(re.Msg, tc.msgSubstr) {
				t.Errorf("got %+v, want field %s type %q msg ~%q", re, tc.field, tc.typ, tc.msgSubstr)
			}
		})
	}
	// At the bounds, and a long answer (cut, not refused): accepted.
	ok := QueryRequest{Question: "warranty", History: []Message{user(strings.Repeat("word ", 80)), assistant(strings.Repeat("word ", 500)), user("c")}}
	if _, err := s.Query(context.Background(), ok, nil); err != nil {
		t.Errorf("history at the bounds: %v", err)
	}
}

// TestQuery_FollowUpExtractive: offline, a follow-up that names nothing
// retrieves by the earlier question's terms, and the answer has an id.
func TestQuery_FollowUpExtractive(t *testing.T) {
	t.Parallel()
	gen, err := llm.NewExtractive(llm.ExtractiveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Mode: ModeKeyword}, newEmbedder(), gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Swap(newStore(newEmbedder(), corpus())); err != nil {
		t.Fatal(err)
	}
	alone, err := s.Query(context.Background(), QueryRequest{Question: "For how long?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(alone.Sources) != 0 {
		t.Fatalf("the follow-up alone found %v; the test needs one that finds nothing", alone.Sources)
	}
	var events []Event
	res, err := s.Query(context.Background(), QueryRequest{Question: "For how long?", History: []Message{
		user("What does the warranty cover?"), assistant("Manufacturing defects [1]."),
	}}, func(ev Event) error { events = append(events, ev); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Query != "For how long? warranty cover" {
		t.Errorf("Query = %q", res.Query)
	}
	if len(res.Sources) == 0 || res.Sources[0].ID != "c5" {
		t.Errorf("sources %v, want c5 (warranty) first", res.Sources)
	}
	if !strings.Contains(res.Answer, "two years") {
		t.Errorf("answer %q does not quote the warranty passage", res.Answer)
	}
	if !ValidAnswerID(res.ID) || res.ID == alone.ID {
		t.Errorf("ids %q, %q", res.ID, alone.ID)
	}
	if len(events) < 2 || events[0].ID != res.ID || events[len(events)-1].Type != EventDone || events[len(events)-1].ID != res.ID {
		t.Errorf("events %+v do not carry id %s on sources and done", events, res.ID)
	}
}

// chatStandIn is an OpenAI-compatible chat server: it answers the rewrite
// prompt with rewriteTo (or fails with 500 when rewriteTo is "", or waits
// for the client to leave when it is "hang"), and any
// other prompt with "Answer [1]."; it records every request's messages.
type chatStandIn struct {
	rewriteTo string
	uncounted bool // the answer (not the rewrite) reports no usage
	mu        sync.Mutex
	calls     [][]llm.Message
}

func (c *chatStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Messages []struct{ Role, Content string }
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	msgs := make([]llm.Message, len(body.Messages))
	for i, m := range body.Messages {
		msgs[i] = llm.Message{Role: m.Role, Content: m.Content}
	}
	c.mu.Lock()
	c.calls = append(c.calls, msgs)
	c.mu.Unlock()
	text, prompt, completion := "Answer [1].", 300, 20
	if len(msgs) > 0 && msgs[0].Content == RewritePrompt {
		switch c.rewriteTo {
		case "":
			http.Error(w, `{"error":{"message":"down"}}`, http.StatusInternalServerError)
			return
		case "hang":
			<-r.Context().Done()
			return
		}
		text, prompt, completion = c.rewriteTo, 40, 8
	}
	resp := map[string]any{
		"model":   "stand-in",
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop", "message": map[string]any{"role": "assistant", "content": text}}},
		"usage":   map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
	}
	if c.uncounted && prompt == 300 {
		delete(resp, "usage")
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func TestQuery_RewriteWithModel(t *testing.T) {
	t.Parallel()
	history := []Message{
		assistant("Hello! Ask me anything."), // dropped: the prompt opens with the user
		user("What does the warranty cover?"), assistant("Manufacturing defects [1]."),
	}
	cases := []struct {
		name      string
		rewriteTo string
		wantQuery string
		wantWarn  bool
		uncounted bool
		wantUsage *llm.Usage // the rewrite's tokens and the answer's
	}{
		{"the model's standalone question", "\"How long does the warranty last?\"\nextra line", "How long does the warranty last?", false, false,
			&llm.Usage{PromptTokens: 340, CompletionTokens: 28}},
		// One attempt, though the client's policy retries a 500.
		{"falls back to the rule when the call fails", "", "For how long? warranty cover", true, false,
			&llm.Usage{PromptTokens: 300, CompletionTokens: 20}},
		// Within RewriteTimeout, though the client's allows a minute.
		{"falls back to the rule when the call hangs", "hang", "For how long? warranty cover", true, false,
			&llm.Usage{PromptTokens: 300, CompletionTokens: 20}},
		// Counted only in part: unknown, not the rewrite's tokens alone.
		{"an answer without counts", "How long does the warranty last?", "How long does the warranty last?", false, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			standIn := &chatStandIn{rewriteTo: tc.rewriteTo, uncounted: tc.uncounted}
			hs := httptest.NewServer(standIn)
			defer hs.Close()
			gen, err := llm.NewOpenAI(llm.OpenAIConfig{BaseURL: hs.URL, Timeout: time.Minute,
				Retry: retry.Policy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			cfg := Config{Mode: ModeKeyword, Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
			if tc.rewriteTo == "hang" {
				cfg.RewriteTimeout = 100 * time.Millisecond
			}
			s, err := New(cfg, newEmbedder(), gen)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(newStore(newEmbedder(), corpus())); err != nil {
				t.Fatal(err)
			}
			res, err := s.Query(context.Background(), QueryRequest{Question: "For how long?", History: history}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Query != tc.wantQuery {
				t.Errorf("Query = %q, want %q", res.Query, tc.wantQuery)
			}
			if (res.Usage == nil) != (tc.wantUsage == nil) || res.Usage != nil && *res.Usage != *tc.wantUsage {
				t.Errorf("Usage = %+v, want %+v", res.Usage, tc.wantUsage)
			}
			if len(res.Sources) == 0 || res.Sources[0].ID != "c5" {
				t.Errorf("sources %v, want c5 first", res.Sources)
			}
			if got := strings.Count(logs.String(), "question rewrite failed"); got != map[bool]int{true: 1}[tc.wantWarn] {
				t.Errorf("%d rewrite warnings; logs:\n%s", got, logs.String())
			}
			standIn.mu.Lock()
			defer standIn.mu.Unlock()
			if len(standIn.calls) != 2 {
				t.Fatalf("%d model calls, want the rewrite and the answer", len(standIn.calls))
			}
			rw := standIn.calls[0]
			if len(rw) != 2 || !strings.Contains(rw[1].Content, "user: What does the warranty cover?\nassistant: Manufacturing defects [1].\nFollow-up: For how long?") {
				t.Errorf("rewrite request %q", rw)
			}
			ans := standIn.calls[1]
			roles := make([]string, len(ans))
			for i, m := range ans {
				roles[i] = m.Role
			}
			if want := []string{"system", "user", "assistant", "user"}; !reflect.DeepEqual(roles, want) ||
				ans[1].Content != history[1].Content || !strings.HasSuffix(ans[3].Content, "Question: For how long?") {
				t.Errorf("answer prompt roles %v, messages %q", roles, ans)
			}
		})
	}
}

func TestAnswerID_Format(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		id := NewAnswerID()
		if !ValidAnswerID(id) || seen[id] {
			t.Fatalf("id %q invalid or repeated", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "ans_", "ans_ABCDEFGHIJKLMNOPQRSTUVWX", "ans_abcdefghijklmnopqrstuvw", "ans_abcdefghijklmnopqrstuvwxy", "xyz_abcdefghijklmnopqrstuvwx", "ans_abcdefghijklmnopqrstuvw1"} {
		if ValidAnswerID(bad) {
			t.Errorf("ValidAnswerID(%q) = true", bad)
		}
	}
}
