package rag

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/vendor0919/api/internal/tokens"
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
	// words(n) is n tokens to the estimate (a word of four letters is one,
	// a space between words none), and its longest prefix within k < n
	// tokens is words(k).
	words := func(n int) string { return strings.TrimSpace(strings.Repeat("word ", n)) }
	for _, n := range []int{1, 6, 50, 150} {
		if got := tokens.Estimate(words(n)); got != n {
			t.Fatalf("words(%d) estimated at %d tokens", n, got)
		}
	}
	long := words(50)
	cases := []struct {
		name    string
		history []Message
		budget  int
		want    []Message
	}{
		{"all fit", []Message{user("a b"), assistant("c d")}, 100, []Message{user("a b"), assistant("c d")}},
		// "short" and "answer" are two tokens each, as are "q1" and "a1".
		{"oldest dropped first", []Message{user(long), assistant(long), user("short"), assistant("answer")}, 52,
			[]Message{user("short"), assistant("answer")}},
		{"an older answer is cut to what is left", []Message{user(long), assistant(long), user("short"), assistant("answer")}, 60,
			[]Message{user(long), assistant(words(6)), user("short"), assistant("answer")}},
		{"stops at the first exchange that does not fit", []Message{user("x"), assistant("w"), user(long), assistant("z"), user("y"), assistant("v")}, 10,
			[]Message{user("y"), assistant("v")}},
		{"leading assistant turns are dropped", []Message{assistant("hello"), assistant("there"), user("q1"), assistant("a1")}, 100,
			[]Message{user("q1"), assistant("a1")}},
		{"a long answer is cut to half the budget", []Message{user("q1"), assistant(long)}, 20,
			[]Message{user("q1"), assistant(words(10))}},
		// The user turn of the newest exchange fits; its answer is cut to
		// what it leaves, not dropped with it.
		{"a long question keeps its cut answer", []Message{user(words(56)), assistant(words(100))}, 100,
			[]Message{user(words(56)), assistant(words(44))}},
		{"an answer with nothing left is dropped", []Message{user("q1"), assistant("a1"), user(long), assistant(long)}, 50,
			[]Message{user(long)}},
		{"several answers share what is left", []Message{user("q1"), assistant(long), assistant(long)}, 40,
			[]Message{user("q1"), assistant(words(20)), assistant(words(18))}},
		// A pasted question over the budget on its own used to be a 422
		// for every later turn; it is kept, cut to half the budget, and
		// its answer gets what is left.
		{"the newest question over the budget is cut to half", []Message{user(words(150)), assistant("fine")}, 100,
			[]Message{user(words(50)), assistant("fine")}},
		{"the newest question over the budget, CJK at a rune boundary", []Message{user(strings.Repeat("あ", 300))}, 101,
			[]Message{user(strings.Repeat("あ", 50))}},
		{"the cut newest question leaves room for older exchanges", []Message{user("q1"), assistant("a1"), user(words(150))}, 100,
			[]Message{user("q1"), assistant("a1"), user(words(50))}},
		{"an older question over the budget ends the walk", []Message{user("q0"), assistant("a0"), user(words(150)), assistant("a1"), user("q2"), assistant("a2")}, 100,
			[]Message{user("q2"), assistant("a2")}},
		{"only the newest question is ever cut", []Message{user(long), user(long)}, 60,
			[]Message{user(long)}},
		{"a budget too small for any of the question", []Message{user(long)}, 1, nil},
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
	if err := s.Swap(context.Background(), newStore(newEmbedder(), corpus())); err != nil {
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
		// Checked before any item: the bad role at 0 is not reported.
		{"more messages than a request may list", QueryRequest{Question: "q", History: append([]Message{{Role: "system"}}, turns(MaxListedMessages)...)},
			"messages", "too_long", "at most 1000 items after validation, not 1002"},
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
	// At the bounds, and what is windowed or cut rather than refused: a
	// long answer (the service's own, sent back by the client, whatever
	// its length), a user turn over the history budget, more turns than
	// MaxMessages.
	for _, ok := range []QueryRequest{
		{Question: "and?", History: []Message{user("q"), assistant(strings.Repeat("あ", 50_000))}},
		{Question: "warranty", History: []Message{user(strings.Repeat("word ", 80)), assistant(strings.Repeat("word ", 500)), user("c")}},
		{Question: "warranty", History: []Message{user("a"), assistant("b"), user(strings.Repeat("word ", 100))}},
		{Question: "warranty", History: turns(MaxListedMessages - 1)},
	} {
		if _, err := s.Query(context.Background(), ok, nil); err != nil {
			t.Errorf("history of %d turns: %v", len(ok.History), err)
		}
	}
}

// turns is a conversation of n turns, user first, each naming its index
// ("turn 07"), so a test can tell which ones were kept.
func turns(n int) []Message {
	h := make([]Message, n)
	for i := range h {
		h[i] = Message{Role: RoleUser, Content: fmt.Sprintf("turn %02d", i)}
		if i%2 == 1 {
			h[i].Role = RoleAssistant
		}
	}
	return h
}

// recordingGen is a test Generator that records every request (the
// rewrite's and the answer's) and answers "ok".
type recordingGen struct {
	mu   sync.Mutex
	reqs []llm.Request
}

func (g *recordingGen) Model() string { return "recording" }

func (g *recordingGen) Generate(_ context.Context, req llm.Request, _ func(string) error) (llm.Answer, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reqs = append(g.reqs, req)
	return llm.Answer{Text: "ok"}, nil
}

// TestQuery_HistoryWindow: useChat resends the whole conversation every
// turn, so MaxMessages and MaxConversationChars keep the newest turns
// (oldest dropped first) instead of refusing every later turn, and a user
// turn over HistoryTokens is cut instead. Only the window reaches the
// rewrite and the prompt.
func TestQuery_HistoryWindow(t *testing.T) {
	t.Parallel()
	hundred := func(c string) string { return strings.Repeat(c, 100) }
	cases := []struct {
		name     string
		cfg      Config
		question string
		history  []Message
		want     []Message // the turns between the system and the last user message
	}{
		// The window of 4 holds the question and turns 57-59; turn 57 is
		// an answer with no question before it, dropped by recentHistory.
		{"60 turns, MaxMessages 4", Config{MaxMessages: 4}, "and then?", turns(60),
			[]Message{user("turn 58"), assistant("turn 59")}},
		{"60 turns, the default window of 50", Config{}, "and then?", turns(60),
			turns(60)[12:]},
		// 10 + 3*100 characters fit 320; a fourth turn would not.
		{"MaxConversationChars counts the question", Config{MaxConversationChars: 320}, strings.Repeat("q", 10),
			[]Message{user(hundred("a")), assistant(hundred("b")), user(hundred("c")), assistant(hundred("d")), user(hundred("e"))},
			[]Message{user(hundred("c")), assistant(hundred("d")), user(hundred("e"))}},
		{"a question that fills the window leaves no history", Config{MaxConversationChars: 320}, strings.Repeat("q", 300),
			[]Message{user(hundred("a")), assistant(hundred("b"))}, []Message{}},
		{"a window of one is the question alone", Config{MaxMessages: 1}, "and then?", turns(3), []Message{}},
		// An answer of 1,000 characters counts 160, half the window,
		// so the question it answered still fits.
		{"a long answer is cut to half the window", Config{MaxConversationChars: 320, HistoryTokens: 4000}, strings.Repeat("q", 10),
			[]Message{user(hundred("a")), assistant(strings.Repeat("b", 1000))},
			[]Message{user(hundred("a")), assistant(strings.Repeat("b", 160))}},
		// A Japanese question of 1,501-4,000 characters passes
		// MaxQuestionChars but is over HistoryTokens once it is history.
		{"the newest user turn over HistoryTokens is cut to half", Config{}, "続きは？",
			[]Message{user("最初の質問"), assistant("答え"), user(strings.Repeat("あ", 3000)), assistant("長い質問への答え")},
			[]Message{user("最初の質問"), assistant("答え"), user(strings.Repeat("あ", 750)), assistant("長い質問への答え")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			gen := &recordingGen{}
			s, err := New(tc.cfg, newEmbedder(), gen)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(context.Background(), newStore(newEmbedder(), corpus())); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Query(context.Background(), QueryRequest{Question: tc.question, History: tc.history}, nil); err != nil {
				t.Fatalf("Query: %v", err)
			}
			gen.mu.Lock()
			defer gen.mu.Unlock()
			ans := gen.reqs[len(gen.reqs)-1].Messages
			got := []Message{}
			for _, m := range ans[1 : len(ans)-1] {
				got = append(got, Message{Role: m.Role, Content: m.Content})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("prompt history %.300q, want %.300q", got, tc.want)
			}
			// The rewrite saw the same turns, no older ones.
			if len(tc.want) > 0 {
				rw := gen.reqs[0].Messages[1].Content
				if !strings.HasPrefix(rw, tc.want[0].Role+": "+tc.want[0].Content) {
					t.Errorf("rewrite request %.200q does not open with the window's first turn", rw)
				}
			}
		})
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
	if err := s.Swap(context.Background(), newStore(newEmbedder(), corpus())); err != nil {
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
			if err := s.Swap(context.Background(), newStore(newEmbedder(), corpus())); err != nil {
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

// TestWindowHistory_CutsACopy: a turn over half the window counts half
// exactly, and is cut in a copy, so the caller's turns are left as they
// were; with nothing cut the window is the caller's own turns.
func TestWindowHistory_CutsACopy(t *testing.T) {
	t.Parallel()
	s, err := New(Config{MaxConversationChars: 320}, newEmbedder(), &recordingGen{})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("b", 1000)
	history := []Message{user(strings.Repeat("a", 150)), assistant(long)}
	// 10 + 160 (the answer, cut to half) + 150 = 320: both fit.
	w := s.windowHistory(strings.Repeat("q", 10), history)
	if len(w) != 2 || w[0].Content != history[0].Content || w[1].Content != strings.Repeat("b", 160) {
		t.Fatalf("window %d turns, %q", len(w), w)
	}
	if history[1].Content != long {
		t.Error("the caller's turn was cut in place")
	}
	short := []Message{user("a"), assistant("b")}
	if w := s.windowHistory("q", short); len(w) != 2 || &w[0] != &short[0] {
		t.Error("an uncut window is not the caller's turns")
	}
}
