package httpapi

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embed/minilm"
	"github.com/vendor0919/api/internal/embedtest"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
)

// sseData returns the data of each event of an SSE body, in order.
func sseData(t *testing.T, body string) []string {
	t.Helper()
	var out []string
	for _, block := range strings.Split(strings.TrimSpace(body), "\n\n") {
		if strings.HasPrefix(block, ":") {
			continue
		}
		d, ok := strings.CutPrefix(block, "data: ")
		if !ok || strings.Contains(d, "\n") {
			t.Fatalf("unexpected SSE block %q", block)
		}
		out = append(out, d)
	}
	return out
}

func TestChatCompletions_MessagesBecomeQuestionAndHistory(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/v1/chat/completions", `{"model":"vendor0919-rag","temperature":0.2,"messages":[
		{"role":"system","content":"Be brief."},
		{"role":"user","content":"What is the refund policy?"},
		{"role":"assistant","content":[{"type":"text","text":"Refunds take 14 days."}]},
		{"role":"user","content":[{"type":"text","text":"And for"},{"type":"text","text":"opened items?"}]}]}`, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got chatCompletion
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Object != "chat.completion" || got.Model != RAGModelID || len(got.Choices) != 1 ||
		got.Choices[0].Message.Content != "Refunds take 14 days [1]." || got.Choices[0].FinishReason != "stop" ||
		!strings.HasPrefix(got.ID, "ans_") || len(got.Sources) != 1 || got.Sources[0].ID != "c1" {
		t.Errorf("completion %+v", got)
	}
	q := ts.rag.queries[0]
	want := []rag.Message{{Role: "user", Content: "What is the refund policy?"}, {Role: "assistant", Content: "Refunds take 14 days."}}
	if q.Question != "And for\nopened items?" || !reflect.DeepEqual(q.History, want) || q.TopK != 5 {
		t.Errorf("rag request %+v", q)
	}
}

func TestChatCompletions_BadInput(t *testing.T) {
	t.Parallel()
	user := `{"role":"user","content":"q"}`
	tests := []struct {
		name, body  string
		status      int
		code, param string
	}{
		{"empty messages", `{"model":"vendor0919-rag","messages":[]}`, 422, "too_short", "messages"},
		{"ends with the assistant", `{"model":"vendor0919-rag","messages":[` + user + `,{"role":"assistant","content":"a"}]}`, 422, "value_error", "messages.1.role"},
		{"unknown role", `{"model":"vendor0919-rag","messages":[{"role":"tool","content":"x"},` + user + `]}`, 422, "literal_error", "messages.0.role"},
		{"image part", `{"model":"vendor0919-rag","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, 422, "literal_error", "messages.0.content.0.type"},
		{"empty question", `{"model":"vendor0919-rag","messages":[{"role":"user","content":" "}]}`, 422, "string_too_short", "messages.0.content"},
		{"only system", `{"model":"vendor0919-rag","messages":[{"role":"system","content":"s"}]}`, 422, "value_error", "messages"},
		{"no model", `{"messages":[` + user + `]}`, 422, "missing", "model"},
		{"unknown model", `{"model":"gpt-4o","messages":[` + user + `]}`, 404, "model_not_found", "model"},
		{"not JSON, which names no parameter", `{"model":`, 422, "json_invalid", ""},
		{"include_usage not a boolean", `{"model":"vendor0919-rag","stream":true,"stream_options":{"include_usage":"maybe"},"messages":[` + user + `]}`, 422, "bool_parsing", "stream_options.include_usage"},
		{"include_usage a list", `{"model":"vendor0919-rag","stream":true,"stream_options":{"include_usage":[true]},"messages":[` + user + `]}`, 422, "bool_type", "stream_options.include_usage"},
		{"stream_options not an object", `{"model":"vendor0919-rag","stream":true,"stream_options":true,"messages":[` + user + `]}`, 422, "dict_type", "stream_options"},
		{"top_k past int64", `{"model":"vendor0919-rag","top_k":9223372036854775808,"messages":[` + user + `]}`, 422, "less_than_equal", "top_k"},
		{"top_k float past int64", `{"model":"vendor0919-rag","top_k":1e20,"messages":[` + user + `]}`, 422, "int_parsing_size", "top_k"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := newTestServer(t, nil).do("POST", "/v1/chat/completions", tc.body, nil)
			var got openAIErrorBody
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			param := ""
			if got.Error.Param != nil {
				param = *got.Error.Param
			}
			if rec.Code != tc.status || got.Error.Code != tc.code || param != tc.param || (tc.param != "") != (got.Error.Param != nil) ||
				got.Error.Type != "invalid_request_error" || got.Error.Message == "" {
				t.Errorf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func TestChatCompletions_RAGRequestErrorNamesTheMessage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.err = &rag.RequestError{Field: "question", Msg: "too long"}
	rec := ts.do("POST", "/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"system","content":"s"},{"role":"user","content":"q"}]}`, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"param":"messages.1.content"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	// rag counts turns; the system message it never saw still has its index.
	ts.rag.err = &rag.RequestError{Field: "messages.1.content", Type: "string_too_long", Msg: "too long"}
	rec = ts.do("POST", "/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"a"},{"role":"system","content":"s"},{"role":"assistant","content":"b"},{"role":"user","content":"q"}]}`, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"param":"messages.2.content"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func TestV1_ErrorsUseOpenAIBody(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.APIKeys = []string{"key"} })
	for _, tc := range []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		code               string
	}{
		{"no key", "GET", "/v1/models", nil, 401, "invalid_api_key"},
		{"wrong key", "POST", "/v1/chat/completions", map[string]string{"Authorization": "Bearer nope"}, 401, "invalid_api_key"},
		{"unknown path", "GET", "/v1/nothing", map[string]string{"Authorization": "Bearer key"}, 404, "not_found"},
	} {
		rec := ts.do(tc.method, tc.path, "", tc.hdr)
		var got openAIErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &got)
		if rec.Code != tc.status || got.Error.Code != tc.code || got.Error.Type != "invalid_request_error" || !strings.Contains(rec.Body.String(), `"param":null`) {
			t.Errorf("%s: %d %s", tc.name, rec.Code, rec.Body)
		}
	}
	// Outside /v1 the FastAPI body stays.
	if rec := ts.do("POST", "/query", `{"question":"q"}`, nil); rec.Code != 401 || !strings.Contains(rec.Body.String(), `"detail"`) {
		t.Errorf("/query: %d %s", rec.Code, rec.Body)
	}
}

// TestChatCompletions_StreamSourcesAlwaysOnTheFirstChunk: with nothing
// retrieved, the first chunk still says "sources": [], as the plain
// completion does; the chunks after it carry none.
func TestChatCompletions_StreamSourcesAlwaysOnTheFirstChunk(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.hits = nil
	rec := ts.do("POST", "/v1/chat/completions", `{"model":"fake-gen","stream":true,"messages":[{"role":"user","content":"q"}]}`, nil)
	data := sseData(t, rec.Body.String())
	if rec.Code != 200 || len(data) < 3 {
		t.Fatalf("%d %q", rec.Code, data)
	}
	var first, second map[string]json.RawMessage
	if json.Unmarshal([]byte(data[0]), &first) != nil || json.Unmarshal([]byte(data[1]), &second) != nil {
		t.Fatalf("frames %q", data)
	}
	if got := string(first["sources"]); got != "[]" {
		t.Errorf("first chunk's sources %q, want []", got)
	}
	if _, ok := second["sources"]; ok {
		t.Errorf("second chunk carries sources: %s", data[1])
	}
}

func TestChatCompletions_Stream(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/v1/chat/completions", `{"model":"fake-gen","stream":true,"messages":[{"role":"user","content":"q"}]}`, nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	data := sseData(t, rec.Body.String())
	if len(data) != 5 || data[4] != "[DONE]" {
		t.Fatalf("frames %q", data)
	}
	var chunks []chatCompletionChunk
	for _, d := range data[:4] {
		var c chatCompletionChunk
		if err := json.Unmarshal([]byte(d), &c); err != nil {
			t.Fatal(err)
		}
		chunks = append(chunks, c)
	}
	first, last := chunks[0], chunks[3]
	if first.Choices[0].Delta.Role != "assistant" || first.Sources == nil || len(*first.Sources) != 1 || first.Choices[0].FinishReason != nil {
		t.Errorf("first chunk %s", data[0])
	}
	if chunks[1].Choices[0].Delta.Content+chunks[2].Choices[0].Delta.Content != "Refunds take 14 days [1]." || chunks[1].Sources != nil {
		t.Errorf("content chunks %q", data[1:3])
	}
	if last.Choices[0].FinishReason == nil || *last.Choices[0].FinishReason != "stop" {
		t.Errorf("last chunk %s", data[3])
	}
	for _, c := range chunks {
		if c.ID != first.ID || c.Object != "chat.completion.chunk" || c.Model != "fake-gen" || c.Created != first.Created {
			t.Errorf("chunk %+v differs from the first", c)
		}
	}
}

func TestChatCompletions_StreamFailureIsAnErrorChunk(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.rag.failMid = true
	rec := ts.do("POST", "/v1/chat/completions", `{"model":"vendor0919-rag","stream":true,"messages":[{"role":"user","content":"q"}]}`, nil)
	data := sseData(t, rec.Body.String())
	n := len(data)
	if rec.Code != 200 || n < 3 || data[n-1] != "[DONE]" {
		t.Fatalf("%d %q", rec.Code, data)
	}
	var e openAIErrorBody
	if err := json.Unmarshal([]byte(data[n-2]), &e); err != nil || e.Error.Type != "server_error" || e.Error.Message == "" {
		t.Errorf("error frame %s (%v)", data[n-2], err)
	}
}

func TestModels_ListsRAGGeneratorAndEmbedder(t *testing.T) {
	t.Parallel()
	rec := newTestServer(t, nil).do("GET", "/v1/models", "", nil)
	var got modelList
	_ = json.Unmarshal(rec.Body.Bytes(), &got)
	var ids []string
	for _, m := range got.Data {
		ids = append(ids, m.ID)
		if m.Object != "model" || m.Created == 0 || m.OwnedBy == "" {
			t.Errorf("model %+v", m)
		}
	}
	if rec.Code != 200 || got.Object != "list" || !reflect.DeepEqual(ids, []string{RAGModelID, "fake-gen", "universal-sentence-encoder-lite"}) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func TestModel_RetrievesListedIDs(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.GeneratorModel = "meta/llama3:8b" })
	tests := []struct {
		path, id string
		status   int
	}{
		{"/v1/models/" + RAGModelID, RAGModelID, 200},
		{"/v1/models/meta/llama3:8b", "meta/llama3:8b", 200}, // ids may hold a "/"
		{"/v1/models/meta%2Fllama3:8b", "meta/llama3:8b", 200},
		{"/v1/models/universal-sentence-encoder-lite", "universal-sentence-encoder-lite", 200},
		{"/v1/models/gpt-4o", "", 404},
		{"/v1/models/", "", 404},
	}
	for _, tt := range tests {
		rec := ts.do("GET", tt.path, "", nil)
		if rec.Code != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.path, rec.Code, rec.Body, tt.status)
			continue
		}
		if tt.status == 200 {
			var m modelInfo
			if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || m.ID != tt.id || m.Object != "model" || m.Created == 0 {
				t.Errorf("%s: %s (%v)", tt.path, rec.Body, err)
			}
			continue
		}
		var e openAIErrorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code != "model_not_found" || e.Error.Type != "invalid_request_error" {
			t.Errorf("%s: %s (%v), want OpenAI's model_not_found", tt.path, rec.Body, err)
		}
	}
}

func TestEmbeddings_FloatAndBase64Agree(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	var floats, b64 embeddingList
	rec := ts.do("POST", "/v1/embeddings", `{"model":"universal-sentence-encoder-lite","input":["ab","cde"],"encoding_format":"float","dimensions":4}`, nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &floats); rec.Code != 200 || err != nil {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	rec = ts.do("POST", "/v1/embeddings", `{"model":"universal-sentence-encoder-lite","input":["ab","cde"],"encoding_format":"base64"}`, nil)
	if err := json.Unmarshal(rec.Body.Bytes(), &b64); rec.Code != 200 || err != nil {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if len(floats.Data) != 2 || len(b64.Data) != 2 || floats.Model != "universal-sentence-encoder-lite" {
		t.Fatalf("%+v %+v", floats, b64)
	}
	if want := (embeddingUsage{PromptTokens: 2, TotalTokens: 2}); floats.Usage != want || b64.Usage != want { // "ab", "cde": a token each
		t.Errorf("usage %+v and %+v, want %+v", floats.Usage, b64.Usage, want)
	}
	for i := range 2 {
		raw, err := base64.StdEncoding.DecodeString(b64.Data[i].Embedding.(string))
		if err != nil || len(raw) != 16 {
			t.Fatalf("base64 %v: %v", b64.Data[i].Embedding, err)
		}
		fl := floats.Data[i].Embedding.([]any)
		for j := range 4 {
			got := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
			want, _ := fl[j].(float64)
			if math.Abs(float64(got)-want) > 1e-6 || floats.Data[i].Index != i {
				t.Errorf("input %d dim %d: base64 %v, float %v", i, j, got, want)
			}
		}
	}
	if want := []any{2.0, 0.0, 0.5, -1.0}; !reflect.DeepEqual(floats.Data[0].Embedding, want) {
		t.Errorf("first embedding %v", floats.Data[0].Embedding)
	}
}

func TestEmbeddings_BadInput(t *testing.T) {
	t.Parallel()
	many := `"x"` + strings.Repeat(`,"x"`, maxEmbedInputs)
	tests := []struct {
		name, body string
		status     int
		param      string
		code       string // "": not checked
	}{
		{"wrong dimensions", `{"model":"universal-sentence-encoder-lite","input":"a","dimensions":3}`, 422, "dimensions", ""},
		{"dimensions float past int64", `{"model":"universal-sentence-encoder-lite","input":"a","dimensions":1e20}`, 422, "dimensions", "int_parsing_size"},
		{"dimensions negative float past int64", `{"model":"universal-sentence-encoder-lite","input":"a","dimensions":-1e20}`, 422, "dimensions", "int_parsing_size"},
		{"too many", `{"model":"universal-sentence-encoder-lite","input":[` + many + `]}`, 422, "input", ""},
		{"empty string", `{"model":"universal-sentence-encoder-lite","input":["a",""]}`, 422, "input.1", ""},
		{"tokens", `{"model":"universal-sentence-encoder-lite","input":[[1,2]]}`, 422, "input.0", ""},
		{"format", `{"model":"universal-sentence-encoder-lite","input":"a","encoding_format":"int8"}`, 422, "encoding_format", ""},
		{"model", `{"model":"text-embedding-3-small","input":"a"}`, 404, "model", ""},
		// The name is echoed back cut short, whatever its length.
		{"long model", `{"model":"` + strings.Repeat("m", 60000) + `","input":"a"}`, 404, "model", ""},
	}
	for _, tc := range tests {
		rec := newTestServer(t, func(o *Options) { o.MaxBodyBytes = 1 << 16 }).do("POST", "/v1/embeddings", tc.body, nil)
		var got openAIErrorBody
		_ = json.Unmarshal(rec.Body.Bytes(), &got)
		if rec.Code != tc.status || got.Error.Param == nil || *got.Error.Param != tc.param || rec.Body.Len() > 2048 ||
			(tc.code != "" && got.Error.Code != tc.code) {
			t.Errorf("%s: %d %.300s (%d bytes)", tc.name, rec.Code, rec.Body, rec.Body.Len())
		}
	}
}

// TestEmbeddings_UnnormalisableVectorRefused: when the provider answers
// with a vector the index cannot normalise (all zeros; values whose
// float32 squared norm overflows), /v1/embeddings passes no vector on: it
// answers the generic 500 of an upstream failure and logs the embedder's
// bad-response error naming the provider.
func TestEmbeddings_UnnormalisableVectorRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fill float32
	}{{"zeros", 0}, {"huge", 3e38}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := embedtest.New(embedtest.OpenAI)
			srv.VectorsWith(func(_ string, dims int) []float32 {
				v := make([]float32, dims)
				for i := range v {
					v[i] = tc.fill
				}
				return v
			})
			emb, err := embed.NewOpenAI(embed.OpenAIConfig{BaseURL: "http://openai.test/v1", APIKey: "sk-test", Model: "m8", Dims: 8,
				SendDimensions: true, HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			ts := newTestServer(t, func(o *Options) { o.Embedder = emb })
			rec := ts.do("POST", "/v1/embeddings", `{"model":"m8","input":["a","b"]}`, nil)
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), `"embedding"`) {
				t.Fatalf("%d %s, want a 500 without vectors", rec.Code, rec.Body)
			}
			if logs := ts.logs.String(); !strings.Contains(logs, "openai: embeddings: vector 0: embed: bad upstream response") {
				t.Errorf("logs:\n%s\nwant the embedder's bad-response error", logs)
			}
		})
	}
}

// slowEmbedder embeds as fakeEmbedder after delay, or ends with ctx.
type slowEmbedder struct {
	fakeEmbedder
	delay time.Duration
}

func (s slowEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.fakeEmbedder.Embed(ctx, texts)
}

// TestEmbeddings_OutlivesServerWriteTimeout: embedding many long inputs
// in-process can take longer than the server's WriteTimeout; the vectors
// are still written (bounded by QueryTimeout, as an answer is), not
// dropped with the connection.
func TestEmbeddings_OutlivesServerWriteTimeout(t *testing.T) {
	t.Parallel()
	srv := serveWithWriteTimeout(t, Options{RAG: &fakeRAG{}, Embedder: slowEmbedder{delay: 400 * time.Millisecond}, QueryTimeout: 5 * time.Second})
	resp, err := http.Post(srv.URL+"/v1/embeddings", "application/json", strings.NewReader(`{"model":"universal-sentence-encoder-lite","input":["a","b"]}`))
	if err != nil {
		t.Fatalf("the vectors were dropped: %v", err)
	}
	defer resp.Body.Close()
	var got embeddingList
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK || len(got.Data) != 2 {
		t.Fatalf("got %d %+v %v, want 200 with two vectors", resp.StatusCode, got, err)
	}
}

// TestWrap_ClientClosedIsNoServerError: a request whose client left
// while it ran is logged as nginx's 499 at debug, not as a 500 error that
// would count in the server's error rate.
func TestWrap_ClientClosedIsNoServerError(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) { o.Embedder = slowEmbedder{delay: time.Hour} })
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/embeddings", strings.NewReader(`{"model":"universal-sentence-encoder-lite","input":"a"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		go func() { time.Sleep(time.Second); cancel() }() // the bubble's clock: no real wait
		ts.ServeHTTP(rec, req)
		if rec.Code != statusClientClosed {
			t.Errorf("status %d, want 499", rec.Code)
		}
		if logs := ts.logs.String(); strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, `"status":499`) {
			t.Errorf("logs:\n%s\nwant a 499 and no ERROR line", logs)
		}
	})
}

// TestStreams_ClientClosedIs499: a stream the client cut has sent its 200
// already, but the access log and the metrics count it as nginx's 499, as
// they count a plain answer the client left, not as an answer delivered.
func TestStreams_ClientClosedIs499(t *testing.T) {
	t.Parallel()
	for path, body := range map[string]string{
		"/query":               `{"question":"q","stream":true}`,
		"/v1/chat/completions": `{"model":"vendor0919-rag","stream":true,"messages":[{"role":"user","content":"q"}]}`,
		"/chat":                `{"messages":[{"role":"user","parts":[{"type":"text","text":"q"}]}]}`,
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts := newTestServer(t, func(o *Options) { o.RAG = &blockingRAG{stopped: make(chan error, 1)} })
				ctx, cancel := context.WithCancel(context.Background())
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				go func() { time.Sleep(time.Second); cancel() }() // the bubble's clock: no real wait
				ts.ServeHTTP(rec, req)
				if !strings.Contains(rec.Body.String(), "Refunds ") {
					t.Fatalf("body %q: the stream did not start", rec.Body.String())
				}
				if logs := ts.logs.String(); !strings.Contains(logs, `"status":499`) || strings.Contains(logs, `"status":200`) {
					t.Errorf("logs:\n%s\nwant the request logged as 499", logs)
				}
				m := httptest.NewRecorder()
				ts.ServeHTTP(m, httptest.NewRequest(http.MethodGet, "/metrics", nil))
				if want := `route="` + path + `",status="499"} 1`; !strings.Contains(m.Body.String(), want) {
					t.Errorf("metrics lack %s", want)
				}
			})
		})
	}
}

// blockingRAG sends the sources and one delta, then waits for the
// request's context to end, as a generator streaming a long answer would,
// and reports on stopped that it did.
type blockingRAG struct {
	fakeRAG
	stopped chan error
}

func (b *blockingRAG) Query(ctx context.Context, _ rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	if err := emit(rag.Event{Type: rag.EventSources}); err != nil {
		return rag.QueryResult{}, err
	}
	if err := emit(rag.Event{Type: rag.EventDelta, Delta: "Refunds "}); err != nil {
		return rag.QueryResult{}, err
	}
	<-ctx.Done()
	b.stopped <- ctx.Err()
	return rag.QueryResult{}, ctx.Err()
}

// TestChatStreams_ClientDisconnectStopsGeneration: a client that goes away
// mid-stream cancels the generation's context, on both chat protocols.
func TestChatStreams_ClientDisconnectStopsGeneration(t *testing.T) {
	t.Parallel()
	for path, body := range map[string]string{
		"/v1/chat/completions": `{"model":"vendor0919-rag","stream":true,"messages":[{"role":"user","content":"q"}]}`,
		"/chat":                `{"messages":[{"role":"user","parts":[{"type":"text","text":"q"}]}]}`,
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			b := &blockingRAG{stopped: make(chan error, 1)}
			ts := newTestServer(t, func(o *Options) { o.RAG = b })
			srv := httptest.NewServer(ts)
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			// Read until the delta arrives: generation is under way.
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() && !strings.Contains(sc.Text(), "Refunds ") {
			}
			cancel()
			select {
			case err := <-b.stopped:
				if err == nil {
					t.Errorf("generation stopped without a context error")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("generation went on after the client disconnected")
			}
		})
	}
}

// TestChatCompletions_Usage: the generator's token counts come back as
// OpenAI's usage object, on the completion and, when stream_options asks,
// on a last chunk with no choices; without counts the field is absent
// (null on that chunk) rather than zero.
func TestChatCompletions_Usage(t *testing.T) {
	t.Parallel()
	counted := &llm.Usage{PromptTokens: 120, CompletionTokens: 9}
	const want = `"usage":{"prompt_tokens":120,"completion_tokens":9,"total_tokens":129}`
	const msgs = `"messages":[{"role":"user","content":"q"}]`
	tests := []struct {
		name  string
		usage *llm.Usage
		body  string
		check func(t *testing.T, body string)
	}{
		{"completion", counted, `{"model":"vendor0919-rag",` + msgs + `}`, func(t *testing.T, body string) {
			if !strings.Contains(body, want) {
				t.Errorf("body %s, want %s", body, want)
			}
		}},
		{"completion without counts", nil, `{"model":"vendor0919-rag",` + msgs + `}`, func(t *testing.T, body string) {
			if strings.Contains(body, `"usage"`) {
				t.Errorf("body %s has a usage", body)
			}
		}},
		{"stream with include_usage", counted, `{"model":"vendor0919-rag","stream":true,"stream_options":{"include_usage":true},` + msgs + `}`, func(t *testing.T, body string) {
			data := sseData(t, body)
			if len(data) != 6 || data[5] != "[DONE]" || !strings.Contains(data[4], `"choices":[],`+want) {
				t.Fatalf("frames %q", data)
			}
			for _, d := range data[:4] {
				if !strings.Contains(d, `"usage":null`) {
					t.Errorf("chunk %s: want usage null before the last", d)
				}
			}
		}},
		{"stream with include_usage, no counts", nil, `{"model":"vendor0919-rag","stream":true,"stream_options":{"include_usage":true},` + msgs + `}`, func(t *testing.T, body string) {
			data := sseData(t, body)
			if len(data) != 6 || !strings.Contains(data[4], `"choices":[],"usage":null`) {
				t.Fatalf("frames %q", data)
			}
		}},
		{"stream without include_usage", counted, `{"model":"vendor0919-rag","stream":true,"stream_options":{"include_usage":false},` + msgs + `}`, func(t *testing.T, body string) {
			if data := sseData(t, body); len(data) != 5 || strings.Contains(body, `"usage"`) {
				t.Fatalf("frames %q", data)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.usage = tc.usage
			rec := ts.do("POST", "/v1/chat/completions", tc.body, nil)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			tc.check(t, rec.Body.String())
		})
	}
}

// TestEmbeddings_InProcessWorkBounded: an in-process embedder's CPU for
// a request follows the tokens it reads (minilm: each input's first
// 256), so a request asking for more than maxEmbedTokens of them is a
// 422 before any is embedded; the tokens past what the model reads do
// not count. Counted by the real minilm's tokenizer.
func TestEmbeddings_InProcessWorkBounded(t *testing.T) {
	t.Parallel()
	emb, err := minilm.New()
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("warranty ", 800) // 802 ids, 256 read
	per := maxEmbedTokens / minilm.MaxTokens
	if n := embedWork(emb, slices.Repeat([]string{long}, per)); n != maxEmbedTokens {
		t.Errorf("%d long inputs count %d tokens, want %d", per, n, maxEmbedTokens)
	}
	list := func(n int, s string) string {
		b, _ := json.Marshal(slices.Repeat([]string{s}, n))
		return `{"model":"all-MiniLM-L6-v2","input":` + string(b) + `}`
	}
	for _, tc := range []struct {
		name, body string
		emb        Embedder
		status     int
	}{
		{"one long input more than the bound holds", list(per+1, long), emb, 422},
		{"many short inputs", list(maxEmbedInputs, "a warranty question"), countedEmbedder{emb}, 200},
		// At the bound exactly (countedEmbedder counts as minilm and
		// embeds at no cost).
		{"as many long inputs as the bound holds", list(per, long), countedEmbedder{emb}, 200},
	} {
		ts := newTestServer(t, func(o *Options) { o.Embedder = tc.emb; o.MaxBodyBytes = 1 << 20 })
		rec := ts.do("POST", "/v1/embeddings", tc.body, nil)
		if rec.Code != tc.status {
			t.Errorf("%s: %d %.300s", tc.name, rec.Code, rec.Body)
			continue
		}
		if tc.status == 422 && !strings.Contains(rec.Body.String(), `"param":"input"`) {
			t.Errorf("%s: %s, want the error at input", tc.name, rec.Body)
		}
	}
}

// countedEmbedder counts and reads tokens as the minilm it wraps does and
// embeds as fakeEmbedder, in no time.
type countedEmbedder struct{ *minilm.Encoder }

func (c countedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = make([]float32, c.Info().Dims)
		out[i][0] = 1
	}
	return out, nil
}
