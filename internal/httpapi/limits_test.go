package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// countingEmbedder and countingGen count the calls that reach the
// providers, which a request over a limit must never make.
type countingEmbedder struct {
	embed.Embedder
	calls atomic.Int64
}

func (e *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.calls.Add(1)
	return e.Embedder.Embed(ctx, texts)
}

type countingGen struct {
	calls atomic.Int64
	mu    sync.Mutex
	last  llm.Request
}

func (g *countingGen) Model() string { return "fake-gen" }
func (g *countingGen) Generate(_ context.Context, req llm.Request, _ func(string) error) (llm.Answer, error) {
	g.calls.Add(1)
	g.mu.Lock()
	g.last = req
	g.mu.Unlock()
	return llm.Answer{Text: "ok [1]"}, nil
}

// prompt is the last request's messages, as "role: content" lines.
func (g *countingGen) prompt() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var b strings.Builder
	for _, m := range g.last.Messages {
		b.WriteString(m.Role + ": " + m.Content + "\n")
	}
	return b.String()
}

// limitServer serves a real rag.Service with cfg over n chunks, with
// counting providers, a 2 MiB body limit and cfg's question limit.
func limitServer(t *testing.T, n int, cfg rag.Config) (testServer, *countingEmbedder, *countingGen) {
	t.Helper()
	h, err := embed.NewHash(embed.HashConfig{Dims: 16})
	if err != nil {
		t.Fatal(err)
	}
	emb := &countingEmbedder{Embedder: h}
	gen := &countingGen{}
	texts := make([]string, n)
	chunks := make([]docmodel.Chunk, n)
	for i := range chunks {
		texts[i] = fmt.Sprintf("chunk %d about refunds", i)
		chunks[i] = docmodel.Chunk{ID: fmt.Sprintf("c%d", i), Text: texts[i], Metadata: map[string]any{"page": float64(i), "lang": "en"}}
	}
	vecs, err := h.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	flat := make([]float32, 0, n*16)
	for _, v := range vecs {
		flat = append(flat, v...)
	}
	idx, err := ann.NewFlat(16, ann.Cosine, flat)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rag.New(cfg, emb, gen)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Swap(context.Background(), &store.Store{Chunks: chunks, Index: idx, Manifest: store.Manifest{Embedding: h.Info()}}); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(o *Options) {
		o.RAG, o.Embedder, o.MaxBodyBytes, o.Limits = svc, emb, 2<<20, Limits{QuestionChars: cfg.MaxQuestionChars}
	})
	return ts, emb, gen
}

// details decodes a 422's detail list.
func details(t *testing.T, body []byte) []ValidationItem {
	t.Helper()
	var b struct{ Detail []ValidationItem }
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("422 body %.200q: %v", body, err)
	}
	return b.Detail
}

// fortyDigitList is a JSON list of n distinct 40-digit integers.
func fortyDigitList(n int) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "1%039d", i)
	}
	b.WriteByte(']')
	return b.String()
}

// TestFilter_AttackIsRefusedBeforeAnyWork is row 2 of issue 12: the ~1 MB
// $in list and the 98 KB body of 40-digit numbers, against a 2,000-chunk
// store, are a 422 naming the list, and nothing is embedded or generated.
// A filter at the limits is answered.
func TestFilter_AttackIsRefusedBeforeAnyWork(t *testing.T) {
	t.Parallel()
	ts, emb, gen := limitServer(t, 2000, rag.Config{})
	big := `{"query":"refunds","filter":{"page":{"$in":` + fortyDigitList(24000) + `}}}`
	small := `{"question":"refunds?","filter":{"page":{"$nin":` + fortyDigitList(2300) + `}}}`
	if len(big) < 900_000 || len(small) < 90_000 || len(small) > 100_000 {
		t.Fatalf("bodies of %d and %d bytes, want about 1 MB and 98 KB", len(big), len(small))
	}
	manyKeys := make([]string, rag.MaxFilterFields+1)
	for i := range manyKeys {
		manyKeys[i] = fmt.Sprintf(`"k%d":1`, i)
	}
	tests := []struct {
		name, path, body string
		loc              []any
		typ              string
	}{
		{"1 MB $in on /search", "/search", big, []any{"body", "filter", "page", "$in"}, "too_long"},
		{"98 KB $nin on /query", "/query", small, []any{"body", "filter", "page", "$nin"}, "too_long"},
		{"too many keys", "/search", `{"query":"q","filter":{` + strings.Join(manyKeys, ",") + `}}`, []any{"body", "filter"}, "too_long"},
		{"long string", "/search", `{"query":"q","filter":{"lang":"` + strings.Repeat("x", rag.MaxFilterStringChars+1) + `"}}`, []any{"body", "filter", "lang"}, "string_too_long"},
		{"long string in a list", "/query", `{"question":"q","filter":{"lang":{"$in":["en","` + strings.Repeat("x", rag.MaxFilterStringChars+1) + `"]}}}`, []any{"body", "filter", "lang", "$in", 1.0}, "string_too_long"},
		{"operator in a list", "/search", `{"query":"q","filter":{"lang":{"$in":[{"$in":["en"]}]}}}`, []any{"body", "filter", "lang", "$in", 0.0}, "value_error"},
		{"chat completions", "/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"q"}],"filter":{"page":{"$in":` + fortyDigitList(300) + `}}}`, nil, "too_long"},
		{"ai sdk chat", "/chat", `{"messages":[{"role":"user","parts":[{"type":"text","text":"q"}]}],"filter":{"page":{"$in":` + fortyDigitList(300) + `}}}`, []any{"body", "filter", "page", "$in"}, "too_long"},
	}
	for _, tt := range tests {
		rec := ts.do("POST", tt.path, tt.body, nil)
		if rec.Code != 422 {
			t.Errorf("%s: status %d, want 422: %.300s", tt.name, rec.Code, rec.Body)
			continue
		}
		if rec.Body.Len() > 4096 {
			t.Errorf("%s: a %d-byte 422", tt.name, rec.Body.Len())
		}
		if tt.loc == nil { // OpenAI's body
			if !strings.Contains(rec.Body.String(), `"code":"`+tt.typ+`"`) {
				t.Errorf("%s: %s, want code %s", tt.name, rec.Body, tt.typ)
			}
			continue
		}
		items := details(t, rec.Body.Bytes())
		if len(items) != 1 || items[0].Type != tt.typ || !equalLoc(items[0].Loc, tt.loc) {
			t.Errorf("%s: items %+v, want one %s at %v", tt.name, items, tt.typ, tt.loc)
		}
	}
	if e, g := emb.calls.Load(), gen.calls.Load(); e != 0 || g != 0 {
		t.Errorf("%d embedder and %d model calls for refused filters, want none", e, g)
	}
	// At the limits: 256 forty-digit numbers, answered.
	rec := ts.do("POST", "/query", `{"question":"refunds?","filter":{"page":{"$nin":`+fortyDigitList(rag.MaxFilterListItems)+`}}}`, nil)
	if rec.Code != 200 {
		t.Fatalf("filter at the limits: %d %.300s", rec.Code, rec.Body)
	}
}

// TestValidation_ManyBadElementsAreCapped is row 3 of issue 12: a 1 MiB
// body of [true,true,...] as vector was a 21.9 MB 422 costing 125 MB. Now
// the answer lists 20 items and one counting the rest, and a request
// allocates a bounded amount (the decoded body itself, a few MB).
func TestValidation_ManyBadElementsAreCapped(t *testing.T) {
	ts, _, _ := limitServer(t, 10, rag.Config{})
	n := (1<<20 - 20) / 5
	body := `{"vector":[true` + strings.Repeat(",true", n-1) + `]}`
	rec := ts.do("POST", "/search", body, nil)
	if rec.Code != 422 {
		t.Fatalf("status %d", rec.Code)
	}
	if rec.Body.Len() > 8<<10 {
		t.Errorf("a %d-byte 422 for a %d-byte body, want at most 8 KiB", rec.Body.Len(), len(body))
	}
	items := details(t, rec.Body.Bytes())
	if len(items) != maxErrorItems+1 {
		t.Fatalf("%d items, want %d and a summary", len(items), maxErrorItems)
	}
	last := items[maxErrorItems]
	if last.Type != omittedType || last.Ctx["omitted"] != float64(n-maxErrorItems) || !equalLoc(last.Loc, []any{"body"}) {
		t.Errorf("summary item %+v, want %s with omitted %d", last, omittedType, n-maxErrorItems)
	}
	if items[0].Type != "float_type" || !equalLoc(items[0].Loc, []any{"body", "vector", 0.0}) {
		t.Errorf("first item %+v", items[0])
	}

	// Memory per request: the old validator built an item per element
	// (125 MB); what is left is encoding/json's decoding of the body into
	// []any (its growth by 1.25 makes about 16 bytes of garbage per body
	// byte for a list of small elements: 26 MB measured), proportional
	// to MAX_BODY_BYTES, not to the number of errors.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const runs = 3
	for range runs {
		ts.do("POST", "/search", body, nil)
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / runs
	if per > 40<<20 {
		t.Errorf("%d MB allocated per request, want at most 40 MB", per>>20)
	}
	t.Logf("a %d-byte body of %d bad elements: a %d-byte 422, %.1f MB allocated per request", len(body), n, rec.Body.Len(), float64(per)/(1<<20))
	if allocs := testing.AllocsPerRun(2, func() { ts.do("POST", "/search", body, nil) }); allocs > 5000 {
		t.Errorf("%v allocations per request, want a bound independent of the %d elements (at most 5000)", allocs, n)
	}
}

// TestValidation_CappedEverywhere checks the other lists a client can fill
// with bad elements, and the input echo of a huge value.
func TestValidation_CappedEverywhere(t *testing.T) {
	t.Parallel()
	ts, emb, gen := limitServer(t, 10, rag.Config{})
	ones := "[1" + strings.Repeat(",1", 50_000) + "]"
	tests := []struct{ name, path, body string }{
		{"content parts", "/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":` + ones + `}]}`},
		{"embedding inputs", "/v1/embeddings", `{"model":"hash-16","input":["a",` + strings.Repeat("1,", 255) + `1]}`},
		{"huge echo", "/query", `{"question":"q","top_k":"` + strings.Repeat("x", 500_000) + `"}`},
		{"huge body echo on missing", "/query", `{"top_k":1,"x":"` + strings.Repeat("x", 500_000) + `"}`},
	}
	for _, tt := range tests {
		rec := ts.do("POST", tt.path, tt.body, nil)
		if rec.Code != 422 {
			t.Errorf("%s: status %d: %.200s", tt.name, rec.Code, rec.Body)
			continue
		}
		if rec.Body.Len() > 8<<10 {
			t.Errorf("%s: a %d-byte 422, want at most 8 KiB", tt.name, rec.Body.Len())
		}
	}
	if e, g := emb.calls.Load(), gen.calls.Load(); e != 0 || g != 0 {
		t.Errorf("%d embedder and %d model calls, want none", e, g)
	}
}

// TestLimits_RefusedBeforeAnyProviderCall is row 7 of issue 12: a 1 MB
// question was forwarded to the embedder and the model (and retried). Each
// route's question, message and message list are bounded, a 422 before
// any provider call; the limits come from Options. A conversation over
// MAX_MESSAGES or MAX_CONVERSATION_CHARS is answered from its newest turns
// (TestConversation_WindowedNotRefused).
func TestLimits_RefusedBeforeAnyProviderCall(t *testing.T) {
	t.Parallel()
	ts, emb, gen := limitServer(t, 50, rag.Config{MaxQuestionChars: 100, MaxMessages: 4, MaxConversationChars: 300})
	q101 := strings.Repeat("q", 101)
	m := func(role, content string) string { return fmt.Sprintf(`{"role":%q,"content":%q}`, role, content) }
	ui := func(role, text string) string {
		return fmt.Sprintf(`{"role":%q,"parts":[{"type":"text","text":%q}]}`, role, text)
	}
	list := func(items ...string) string { return "[" + strings.Join(items, ",") + "]" }
	a90 := strings.Repeat("a", 90)
	long := strings.Repeat("word ", 4000) // 20,000 characters
	over := make([]string, rag.MaxListedMessages+1)
	for i := range over {
		over[i] = m("user", "q")
	}
	tests := []struct {
		name, path, body string
		loc              []any // nil: OpenAI's body, checked by code
		typ              string
	}{
		{"query question", "/query", `{"question":"` + q101 + `"}`, []any{"body", "question"}, "string_too_long"},
		{"search query", "/search", `{"query":"` + q101 + `"}`, []any{"body", "query"}, "string_too_long"},
		{"query 1 MB question", "/query", `{"question":"` + strings.Repeat("q", 1<<20) + `"}`, []any{"body", "question"}, "string_too_long"},
		{"query last message", "/query", `{"messages":` + list(m("user", "hi"), m("assistant", "a"), m("user", q101)) + `}`, []any{"body", "messages", 2.0, "content"}, "string_too_long"},
		{"query more messages than listable", "/query", `{"messages":` + list(over...) + `}`, []any{"body", "messages"}, "too_long"},
		{"chat last message", "/chat", `{"messages":` + list(ui("user", "hi"), ui("assistant", "a"), ui("user", q101)) + `}`, []any{"body", "messages", 2.0, "parts", 0.0, "text"}, "string_too_long"},
		{"completions question", "/v1/chat/completions", `{"model":"vendor0919-rag","messages":` + list(m("user", q101)) + `}`, nil, "string_too_long"},
		{"embeddings count", "/v1/embeddings", `{"model":"hash-16","input":[` + strings.Repeat(`"a",`, 256) + `"a"]}`, nil, "too_long"},
		{"embeddings length", "/v1/embeddings", `{"model":"hash-16","input":"` + strings.Repeat("a", 8193) + `"}`, nil, "string_too_long"},
		{"feedback comment", "/feedback", `{"answer_id":"ans_abcdefghijklmnopqrstuvwx","rating":"up","comment":"` + strings.Repeat("c", 2001) + `"}`, []any{"body", "comment"}, "string_too_long"},
	}
	for _, tt := range tests {
		rec := ts.do("POST", tt.path, tt.body, nil)
		if rec.Code != 422 {
			t.Errorf("%s: status %d, want 422: %.300s", tt.name, rec.Code, rec.Body)
			continue
		}
		if rec.Body.Len() > 4096 {
			t.Errorf("%s: a %d-byte 422", tt.name, rec.Body.Len())
		}
		if tt.loc == nil {
			if !strings.Contains(rec.Body.String(), `"code":"`+tt.typ+`"`) {
				t.Errorf("%s: %s, want code %s", tt.name, rec.Body, tt.typ)
			}
			continue
		}
		items := details(t, rec.Body.Bytes())
		if len(items) != 1 || items[0].Type != tt.typ || !equalLoc(items[0].Loc, tt.loc) {
			t.Errorf("%s: items %+v, want one %s at %v", tt.name, items, tt.typ, tt.loc)
		}
	}
	if e, g := emb.calls.Load(), gen.calls.Load(); e != 0 || g != 0 {
		t.Errorf("%d embedder and %d model calls for refused requests, want none", e, g)
	}
	// At the limits, every route answers; more turns or characters than the
	// window holds are no reason to refuse.
	for _, c := range []struct{ path, body string }{
		{"/query", `{"messages":` + list(m("user", "1"), m("assistant", "2"), m("user", "3"), m("assistant", "4"), m("user", "5")) + `}`},
		{"/query", `{"messages":` + list(m("user", a90), m("assistant", a90+a90), m("user", a90)) + `}`},
		{"/chat", `{"messages":` + list(ui("system", "s"), ui("user", "1"), ui("assistant", "2"), ui("user", "3"), ui("assistant", "4"), ui("user", "5")) + `}`},
		{"/chat", `{"messages":` + list(ui("user", a90), ui("assistant", a90+a90), ui("user", a90)) + `}`},
		{"/v1/chat/completions", `{"model":"vendor0919-rag","messages":` + list(m("user", "1"), m("assistant", "2"), m("user", "3"), m("assistant", "4"), m("user", "5")) + `}`},
		{"/query", `{"question":"` + strings.Repeat("q", 100) + `"}`},
		{"/search", `{"query":"` + strings.Repeat("q", 100) + `"}`},
		{"/query", `{"messages":` + list(m("assistant", a90), m("user", "1"), m("assistant", a90), m("user", strings.Repeat("q", 100))) + `}`},
		{"/v1/chat/completions", `{"model":"vendor0919-rag","messages":` + list(m("system", "s"), m("assistant", "1"), m("user", "2"), m("assistant", "3"), m("user", "q")) + `}`},
		{"/chat", `{"messages":` + list(ui("user", a90), ui("assistant", a90+a90), ui("user", "short")) + `}`},
		// The service's own long answer, sent back as useChat and the
		// OpenAI clients do: no turn before the question has a bound of
		// its own (the body's size bounds them).
		{"/query", `{"messages":` + list(m("user", "1"), m("assistant", long), m("user", "2")) + `}`},
		{"/chat", `{"messages":` + list(ui("user", "1"), ui("assistant", long), ui("user", "2")) + `}`},
		{"/v1/chat/completions", `{"model":"vendor0919-rag","messages":` + list(m("user", "1"), m("assistant", long), m("user", "2")) + `}`},
	} {
		if rec := ts.do("POST", c.path, c.body, nil); rec.Code != 200 {
			t.Errorf("%s at the limits: %d %.300s", c.path, rec.Code, rec.Body)
		}
	}
}

// TestLimits_Defaults checks the defaults a zero Options gets.
func TestLimits_Defaults(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.MaxBodyBytes = 1 << 20 })
	if got := ts.opts.Limits; got != (Limits{QuestionChars: 4000}) {
		t.Errorf("defaults %+v", got)
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"question":"` + strings.Repeat("あ", 4000) + `"}`, 200},
		{`{"question":"` + strings.Repeat("あ", 4001) + `"}`, 422},
	} {
		if rec := ts.do("POST", "/query", c.body, nil); rec.Code != c.want {
			t.Errorf("%d-byte question: %d, want %d", len(c.body), rec.Code, c.want)
		}
	}
}

func TestEcho_CutsLargeValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 1000)
	list := make([]any, 100)
	deep := any("leaf")
	for range 10 {
		deep = []any{deep}
	}
	obj := map[string]any{}
	for i := range 50 {
		obj[fmt.Sprintf("k%02d", i)] = long
	}
	tests := []struct {
		name string
		in   any
		max  int // bytes of its JSON
	}{
		{"string", long, 400},
		{"list", list, 200},
		{"deep", deep, 100},
		{"object", obj, 8 * 400},
		{"floats", make([]float32, 1000), 200},
	}
	for _, tt := range tests {
		b, err := json.Marshal(echo(tt.in, maxEchoDepth))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if len(b) > tt.max {
			t.Errorf("%s: echo of %d bytes, want at most %d: %.200s", tt.name, len(b), tt.max, b)
		}
	}
	if got := echo("short", maxEchoDepth); got != "short" {
		t.Errorf("short string echoed as %v", got)
	}
}

// TestConversation_WindowedNotRefused: useChat resends the whole
// conversation every turn, so a conversation past MAX_MESSAGES (50) was a
// 422 on every later turn and had to be abandoned. Each chat route now
// answers from the newest turns; only a list over rag.MaxListedMessages
// is refused, before any item is walked, in the route's error shape.
func TestConversation_WindowedNotRefused(t *testing.T) {
	t.Parallel()
	ts, _, gen := limitServer(t, 10, rag.Config{})
	// n messages, user first, ending with the user's question; each names
	// its index ("m07") so the prompt shows which were kept.
	conv := func(n int, item func(role, text string) string) string {
		items := make([]string, n)
		for i := range items {
			role := "user"
			if (n-1-i)%2 == 1 {
				role = "assistant"
			}
			items[i] = item(role, fmt.Sprintf("m%04d refunds", i))
		}
		return "[" + strings.Join(items, ",") + "]"
	}
	plain := func(role, text string) string { return fmt.Sprintf(`{"role":%q,"content":%q}`, role, text) }
	ui := func(role, text string) string {
		return fmt.Sprintf(`{"id":"x","role":%q,"parts":[{"type":"text","text":%q}]}`, role, text)
	}
	queryBody := func(n int) string { return `{"messages":` + conv(n, plain) + `}` }
	chatBody := func(n int) string { return `{"id":"chat-1","trigger":"submit-message","messages":` + conv(n, ui) + `}` }
	completionBody := func(n int) string { return `{"model":"vendor0919-rag","messages":` + conv(n, plain) + `}` }
	tooMany := fmt.Sprintf("List should have at most %d items after validation, not %d", rag.MaxListedMessages, rag.MaxListedMessages+1)
	tests := []struct {
		name, path, body string
		status           int
		kept, dropped    string // in the model's prompt (200), by index
		loc              []any  // the 422 item's loc; nil: OpenAI's body
	}{
		// 51 messages, the default window 50: m0000 (and the answer m0001
		// it leaves leading) dropped, the newest kept.
		{"query 51 messages", "/query", queryBody(51), 200, "m0049", "m0000", nil},
		{"chat 51 messages", "/chat", chatBody(51), 200, "m0049", "m0000", nil},
		{"completions 51 messages", "/v1/chat/completions", completionBody(51), 200, "m0049", "m0000", nil},
		{"query 1000 messages", "/query", queryBody(rag.MaxListedMessages), 200, "m0998", "m0949", nil},
		{"query over the hard cap", "/query", queryBody(rag.MaxListedMessages + 1), 422, "", "", []any{"body", "messages"}},
		{"chat over the hard cap", "/chat", chatBody(rag.MaxListedMessages + 1), 422, "", "", []any{"body", "messages"}},
		{"completions over the hard cap", "/v1/chat/completions", completionBody(rag.MaxListedMessages + 1), 422, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the subtests share gen's last prompt.
			rec := ts.do("POST", tt.path, tt.body, nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %.300s", rec.Code, tt.status, rec.Body)
			}
			if tt.status == 200 {
				p := gen.prompt()
				if !strings.Contains(p, tt.kept) || strings.Contains(p, tt.dropped) {
					t.Errorf("prompt keeps %s: %t, drops %s: %t", tt.kept, strings.Contains(p, tt.kept), tt.dropped, !strings.Contains(p, tt.dropped))
				}
				return
			}
			if tt.loc == nil {
				var e openAIErrorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "too_long" || e.Error.Param == nil ||
					*e.Error.Param != "messages" || e.Error.Type != "invalid_request_error" || !strings.Contains(e.Error.Message, tooMany) {
					t.Errorf("body %.300s, want OpenAI's too_long at messages: %q", rec.Body, tooMany)
				}
				return
			}
			items := details(t, rec.Body.Bytes())
			if len(items) != 1 || items[0].Type != "too_long" || !equalLoc(items[0].Loc, tt.loc) || items[0].Msg != tooMany ||
				items[0].Ctx["max_length"] != float64(rag.MaxListedMessages) || items[0].Ctx["actual_length"] != float64(rag.MaxListedMessages+1) {
				t.Errorf("items %+v, want one too_long at %v: %q", items, tt.loc, tooMany)
			}
			if rec.Body.Len() > 4096 {
				t.Errorf("a %d-byte 422", rec.Body.Len())
			}
		})
	}
}

// TestBufferBody_BodiesHeldBounded: every connection may send its body
// before it takes a slot, so the bytes of the bodies held at once are
// bounded, in all (bodiesHeld bodies of MaxBodyBytes) and per client
// (bodiesHeldPerClient): a body that would pass either is a 503 with
// Retry-After, logged once (the access log's line, not a WARN "request
// error" too), and the bytes count no more once the handler has taken
// them to decode, or the request has ended, however it ended.
func TestBufferBody_BodiesHeldBounded(t *testing.T) {
	t.Parallel()
	post := func(addr, body string) *http.Request {
		r := httptest.NewRequest("POST", "/search", strings.NewReader(body))
		r.RemoteAddr = addr
		return r
	}
	busy := func(t *testing.T, ts testServer, rec *httptest.ResponseRecorder) {
		t.Helper()
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("a body past the bound: %d %q, want 503 with Retry-After", rec.Code, rec.Header())
		}
		if strings.Contains(ts.logs.String(), `"level":"WARN","msg":"request error"`) {
			t.Errorf("a WARN request error line for the 503:\n%s", ts.logs)
		}
	}
	// hold runs n requests of a full body each, from addr(i), whose
	// handler reads the body as a stranger to readBody would and waits;
	// it returns when all are inside, and a func that lets them end.
	hold := func(t *testing.T, ts testServer, n int, addr func(int) string) (over func(string) *httptest.ResponseRecorder, end func()) {
		inside, release, done := make(chan struct{}), make(chan struct{}), make(chan int, n+1)
		h := ts.bufferBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, err := io.ReadAll(r.Body); err != nil {
				t.Error(err)
			}
			inside <- struct{}{}
			<-release
		}))
		full := strings.Repeat("x", int(ts.opts.MaxBodyBytes))
		for i := range n {
			go func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, post(addr(i), full))
				done <- rec.Code
			}()
		}
		for range n {
			<-inside
		}
		over = func(a string) *httptest.ResponseRecorder {
			got := make(chan *httptest.ResponseRecorder, 1)
			go func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, post(a, "x"))
				got <- rec
			}()
			select {
			case rec := <-got:
				return rec
			case <-inside:
				t.Error("a body past the bound reached the handler")
				n++
				return httptest.NewRecorder()
			}
		}
		end = func() {
			close(release)
			for range n {
				if code := <-done; code != http.StatusOK {
					t.Errorf("a held body's request: %d", code)
				}
			}
			if got := ts.bodies.total(); got != 0 {
				t.Errorf("%d bytes still held after the requests ended", got)
			}
		}
		return over, end
	}
	t.Run("in all", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, nil) // MaxBodyBytes 4096
		over, end := hold(t, ts, bodiesHeld, func(i int) string { return fmt.Sprintf("192.0.2.%d:1", i+1) })
		busy(t, ts, over("198.51.100.1:1"))
		end()
	})
	t.Run("per client", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, nil)
		over, end := hold(t, ts, bodiesHeldPerClient, func(int) string { return "192.0.2.1:1" })
		busy(t, ts, over("192.0.2.1:2"))
		rec := httptest.NewRecorder()
		ts.bufferBody(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, post("192.0.2.2:1", "x"))
		if rec.Code != http.StatusOK {
			t.Errorf("another client: %d, want 200", rec.Code)
		}
		end()
	})
	t.Run("released when taken, and however the request ends", func(t *testing.T) {
		t.Parallel()
		ts := newTestServer(t, nil)
		var during int64 = -1
		taken := ts.bufferBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			raw, err := ts.readBody(w, r)
			if err != nil || len(raw) != 10 {
				t.Errorf("readBody: %d bytes, %v", len(raw), err)
			}
			during = ts.bodies.total()
		}))
		taken.ServeHTTP(httptest.NewRecorder(), post("192.0.2.1:1", "0123456789"))
		if during != 0 {
			t.Errorf("%d bytes held while the handler decodes, want 0", during)
		}
		// Over MaxBodyBytes with no declared length: a 413 mid-read.
		r := post("192.0.2.1:1", strings.Repeat("x", 5000))
		r.ContentLength = -1
		rec := httptest.NewRecorder()
		taken.ServeHTTP(rec, r)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("an undeclared body over the limit: %d, want 413", rec.Code)
		}
		func() {
			defer func() { _ = recover() }()
			ts.bufferBody(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })).
				ServeHTTP(httptest.NewRecorder(), post("192.0.2.1:1", "0123456789"))
		}()
		if got := ts.bodies.total(); got != 0 {
			t.Errorf("%d bytes still held after a 413 and a panic", got)
		}
	})
}

// total returns the bytes held, for tests.
func (b *bodyBudget) total() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.held
}
