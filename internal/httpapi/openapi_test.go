package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/vendor0919/api/docs"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed/minilm"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
)

// loadSpec parses an OpenAPI document and validates it.
func loadSpec(t *testing.T, b []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI 3 document: %v", err)
	}
	return doc
}

func TestOpenAPI_EveryOperationIsNamedTaggedAndSecured(t *testing.T) {
	t.Parallel()
	spec, err := OpenAPI3()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadSpec(t, spec)
	tags := map[string]bool{}
	for _, tag := range doc.Tags {
		if tag.Description == "" {
			t.Errorf("tag %s has no description", tag.Name)
		}
		tags[tag.Name] = true
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if prev, dup := ids[op.OperationID]; dup || op.OperationID == "" {
				t.Errorf("%s: operationId %q (also %s)", where, op.OperationID, prev)
			}
			ids[op.OperationID] = where
			if len(op.Tags) != 1 || !tags[op.Tags[0]] {
				t.Errorf("%s: tags %v, want one of the top-level list", where, op.Tags)
			}
			if op.Security == nil {
				t.Errorf("%s: no security requirement (want security: [] when open)", where)
			}
			ok := op.Responses.Status(200)
			if ok == nil {
				t.Errorf("%s: no 200 response", where)
				continue
			}
			if mt := ok.Value.Content.Get("application/json"); mt != nil && mt.Schema.Ref == "" && path != "/openapi.json" {
				t.Errorf("%s: the JSON answer is not a named schema", where)
			}
		}
	}
	for name := range doc.Components.Schemas {
		if strings.Contains(name, ".") || strings.ToUpper(name[:1]) != name[:1] {
			t.Errorf("schema name %q", name)
		}
	}
	for name, s := range doc.Components.SecuritySchemes {
		if s.Value.Type != "http" || s.Value.Scheme != "bearer" {
			t.Errorf("security scheme %s is %s/%s, want http/bearer", name, s.Value.Type, s.Value.Scheme)
		}
	}
	if doc.Info.Version != contractVersion {
		t.Errorf("contract info.version %q, want the placeholder %q", doc.Info.Version, contractVersion)
	}
}

// TestOpenAPI_ServedDocument checks the only ways the served document may
// differ from the contract: its version, its embedder's model in the
// /v1/embeddings examples, and open operations without API_KEYS.
func TestOpenAPI_ServedDocument(t *testing.T) {
	t.Parallel()
	contract, err := OpenAPI3()
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(contract, &want); err != nil {
		t.Fatal(err)
	}
	want["info"].(map[string]any)["version"] = "1.2.3 (abc)"
	model := fakeEmbedder{}.Info().Model
	jsonAt(t, want, "components", "schemas", "EmbeddingRequest", "properties", "model").(map[string]any)["example"] = model
	jsonAt(t, want, "paths", "/v1/embeddings", "post", "requestBody", "content", "application/json", "example").(map[string]any)["model"] = model

	ts := newTestServer(t, func(o *Options) { o.Version, o.APIKeys = "1.2.3 (abc)", []string{"k"} })
	var got map[string]any
	if err := json.Unmarshal(ts.openapi, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with API_KEYS the served document is not the contract with the build's version")
	}

	open := loadSpec(t, newTestServer(t, func(o *Options) { o.Version = "1.2.3" }).openapi)
	if open.Info.Version != "1.2.3" {
		t.Errorf("open server's info.version %q", open.Info.Version)
	}
	if _, ok := open.Components.SecuritySchemes[apiKeyScheme]; ok {
		t.Errorf("open server still declares %s", apiKeyScheme)
	}
	for path, item := range open.Paths.Map() {
		for method, op := range item.Operations() {
			for _, req := range *op.Security {
				if _, ok := req[apiKeyScheme]; ok {
					t.Errorf("open server: %s %s requires an API key", method, path)
				}
			}
			if path == "/search" && (len(*op.Security) != 0 || op.Responses.Status(401) != nil) {
				t.Errorf("open server: POST /search security %v, 401 documented: %v", *op.Security, op.Responses.Status(401) != nil)
			}
		}
	}
}

// TestOpenAPI_TheServerKeepsItsWord sends requests that produce every
// status each operation documents, against servers configured each way,
// and validates every response against the document that server serves:
// the status is documented, and the content type and body match. Every
// documented (operation, status) must be produced by some request here,
// so a new route or status needs a case.
func TestOpenAPI_TheServerKeepsItsWord(t *testing.T) {
	t.Parallel()
	registerTestDecoders()
	covered := map[string]bool{}
	var mu sync.Mutex
	store := &StoreInfo{Format: "native", Count: 12, Dims: 384, Metric: "cosine", Version: "v1", Source: "local:/s", Dir: "/s", Index: "hnsw",
		Embedding: EmbeddingInfo{Provider: "hash", Model: "hash-384", Dims: 384}, LoadedAt: time.Unix(1700000000, 0).UTC()}
	type call struct {
		method, path, body string
		hdr                map[string]string
		bodyErr            bool // the body fails part-way
	}
	post := func(path, body string) call { return call{method: "POST", path: path, body: body} }
	get := func(path string) call { return call{method: "GET", path: path} }
	withHdr := func(c call, k, v string) call { c.hdr = map[string]string{k: v}; return c }
	served := loadSpec(t, newTestServer(t, nil).openapi)
	example := func(opID string) string { return servedExample(t, served, opID) }

	cases := []struct {
		name  string
		opts  func(*Options, *fakeRAG)
		calls []call
	}{
		{"open and loaded", func(o *Options, _ *fakeRAG) {
			o.StoreStatus = staticStore{store}
		}, []call{
			get("/"), get("/health"), get("/ready"), get("/ready?scope=task"), get("/ready?scope=everything"), get("/openapi.json"), get("/docs"), get("/metrics"), get("/vectorstore"),
			post("/search", example("search")), post("/query", example("query")),
			post("/query", `{"question":"q","stream":true}`),
			post("/query", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"and?"}],"stream":true}`),
			post("/feedback", example("feedback")), post("/feedback", `{"answer_id":"nope","rating":"meh"}`),
			post("/feedback", `{"answer_id":"`+strings.Repeat("x", 5000)+`"}`),
			withHdr(post("/feedback", example("feedback")), "Content-Type", "text/plain"), {method: "POST", path: "/feedback", bodyErr: true},
			post("/search", `{"top_k":0}`), post("/query", `{}`), post("/query", `{"question":"q","stream":"yes"}`),
			post("/search", `{"query":"`+strings.Repeat("x", 5000)+`"}`), post("/query", `{"question":"`+strings.Repeat("x", 5000)+`"}`),
			withHdr(post("/search", `{"query":"q"}`), "Content-Type", "text/plain"), withHdr(post("/query", `{"question":"q"}`), "Content-Type", "text/plain"),
			{method: "POST", path: "/search", bodyErr: true}, {method: "POST", path: "/query", bodyErr: true},
			post("/admin/reload", ""), // no ADMIN_TOKEN: disabled
			post("/v1/chat/completions", example("createChatCompletion")), post("/v1/chat/completions", `{"model":"fake-gen","messages":[{"role":"user","content":"q"}],"stream":true}`),
			post("/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"q"}]}`), post("/v1/chat/completions", `{"model":"vendor0919-rag","messages":[]}`),
			post("/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"`+strings.Repeat("x", 5000)+`"}]}`),
			withHdr(post("/v1/chat/completions", `{}`), "Content-Type", "text/plain"), {method: "POST", path: "/v1/chat/completions", bodyErr: true},
			get("/v1/models"), get("/v1/models/vendor0919-rag"), get("/v1/models/gpt-4o"),
			post("/v1/embeddings", example("createEmbedding")), post("/v1/embeddings", `{"model":"universal-sentence-encoder-lite","input":["a","b"],"encoding_format":"base64"}`),
			post("/v1/embeddings", `{"model":"text-embedding-3-small","input":"a"}`), post("/v1/embeddings", `{"model":"universal-sentence-encoder-lite","input":"a","dimensions":3}`),
			post("/v1/embeddings", `{"model":"x","input":"`+strings.Repeat("x", 5000)+`"}`),
			withHdr(post("/v1/embeddings", `{}`), "Content-Type", "text/plain"), {method: "POST", path: "/v1/embeddings", bodyErr: true},
			post("/chat", example("chat")), post("/chat", `{"messages":[{"role":"assistant","parts":[{"type":"text","text":"hi"}]}]}`),
			post("/chat", `{"messages":[{"role":"user","parts":[{"type":"text","text":"`+strings.Repeat("x", 5000)+`"}]}]}`),
			withHdr(post("/chat", `{}`), "Content-Type", "text/plain"), {method: "POST", path: "/chat", bodyErr: true},
		}},
		{"stream fails after the first byte", func(_ *Options, f *fakeRAG) { f.failMid = true }, []call{
			post("/query", `{"question":"q","stream":true}`),
			post("/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"q"}],"stream":true}`),
			post("/chat", example("chat")),
		}},
		{"usage counted", func(_ *Options, f *fakeRAG) { f.usage = &llm.Usage{PromptTokens: 120, CompletionTokens: 9} }, []call{
			post("/query", example("query")), post("/query", `{"question":"q","stream":true}`),
			post("/chat", example("chat")), post("/v1/chat/completions", example("createChatCompletion")),
			post("/v1/chat/completions", `{"model":"vendor0919-rag","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"q"}]}`),
		}},
		{"not loaded", func(o *Options, _ *fakeRAG) {
			o.RAG, o.Readiness, o.Embedder = nil, notReady{}, nil
		}, []call{get("/ready"), get("/vectorstore"), post("/search", `{"query":"q"}`), post("/query", `{"question":"q"}`),
			post("/v1/chat/completions", example("createChatCompletion")), post("/v1/embeddings", example("createEmbedding")), post("/chat", example("chat"))}},
		{"upstream timeout", func(o *Options, f *fakeRAG) {
			f.err, o.Embedder = context.DeadlineExceeded, fakeEmbedder{err: context.DeadlineExceeded}
		}, []call{
			post("/search", `{"query":"q"}`), post("/query", `{"question":"q"}`), post("/query", `{"question":"q","stream":true}`),
			post("/v1/chat/completions", example("createChatCompletion")), post("/v1/embeddings", example("createEmbedding")), post("/chat", example("chat")),
		}},
		{"upstream failure", func(o *Options, f *fakeRAG) {
			f.err, o.Embedder = errors.New("boom"), fakeEmbedder{err: errors.New("boom")}
		}, []call{
			post("/search", `{"query":"q"}`), post("/query", `{"question":"q"}`),
			post("/v1/chat/completions", example("createChatCompletion")), post("/v1/embeddings", example("createEmbedding")), post("/chat", example("chat")),
		}},
		{"API keys, admin and metrics tokens", func(o *Options, _ *fakeRAG) {
			o.APIKeys, o.AdminToken, o.MetricsToken = []string{"key"}, "admin", "scrape"
			o.StoreStatus = staticStore{store}
		}, []call{
			post("/search", `{"query":"q"}`), post("/query", `{"question":"q"}`), get("/vectorstore"), post("/feedback", example("feedback")),
			withHdr(post("/search", `{"query":"q"}`), "Authorization", "Bearer nope"),
			post("/v1/chat/completions", example("createChatCompletion")), get("/v1/models"), get("/v1/models/vendor0919-rag"),
			post("/v1/embeddings", example("createEmbedding")), post("/chat", example("chat")),
			withHdr(get("/vectorstore"), "Authorization", "Bearer key"),
			post("/admin/reload", ""),
			withHdr(post("/admin/reload", ""), "Authorization", "Bearer key"),
			withHdr(post("/admin/reload", ""), "Authorization", "Bearer admin"), // no Reloader: 503
			get("/metrics"), withHdr(get("/metrics"), "Authorization", "Bearer key"),
			withHdr(get("/metrics"), "Authorization", "Bearer scrape"),
			withHdr(get("/metrics"), "Accept", "application/openmetrics-text;version=1.0.0"),
		}},
		{"over the limits", func(o *Options, _ *fakeRAG) {
			o.MaxBodyBytes, o.Limits = 1<<20, Limits{QuestionChars: 30}
		}, []call{
			post("/search", `{"vector":[true`+strings.Repeat(",true", 5000)+`]}`), // capped: 20 items and a count
			post("/search", `{"query":"`+strings.Repeat("q", 31)+`"}`), post("/query", `{"question":"`+strings.Repeat("q", 31)+`"}`),
			post("/query", `{"messages":[`+strings.Repeat(`{"role":"user","content":"a"},`, rag.MaxListedMessages)+`{"role":"user","content":"c"}]}`),
			post("/query", `{"question":"q","filter":{"k":{"$in":[`+strings.Repeat("1,", 256)+`1]}}}`),
			post("/chat", `{"messages":[{"role":"user","parts":[{"type":"text","text":"`+strings.Repeat("q", 31)+`"}]}]}`),
			post("/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":[`+strings.Repeat("1,", 100)+`1]}]}`),
		}},
		{"rate limited", func(o *Options, _ *fakeRAG) {
			o.AdminToken, o.Reloader = "admin", fakeReloader{store}
			o.Overload = Overload{SearchRate: 2, GenerationRate: 3, AdminRate: 1}
		}, []call{
			post("/search", example("search")), post("/v1/embeddings", example("createEmbedding")), post("/search", example("search")),
			post("/v1/embeddings", example("createEmbedding")), post("/feedback", example("feedback")),
			post("/query", example("query")), post("/chat", example("chat")), post("/v1/chat/completions", example("createChatCompletion")),
			post("/query", example("query")), post("/chat", example("chat")), post("/v1/chat/completions", example("createChatCompletion")),
			withHdr(post("/admin/reload", ""), "Authorization", "Bearer admin"), withHdr(post("/admin/reload", ""), "Authorization", "Bearer admin"),
		}},
		// One refused token locks the address out of every token check
		// (the window is the wall clock's minute: one refusal weighs at
		// least 0.5 for half a minute into the next).
		{"failed authentication limited", func(o *Options, _ *fakeRAG) {
			o.APIKeys, o.AdminToken, o.MetricsToken, o.Reloader = []string{"key"}, "admin", "scrape", fakeReloader{store}
			o.Overload = Overload{AuthFailures: 1}
		}, []call{
			withHdr(post("/search", `{"query":"q"}`), "Authorization", "Bearer nope"),
			withHdr(post("/search", example("search")), "Authorization", "Bearer key"), withHdr(post("/query", example("query")), "Authorization", "Bearer key"),
			withHdr(get("/vectorstore"), "Authorization", "Bearer key"), withHdr(post("/feedback", example("feedback")), "Authorization", "Bearer key"),
			withHdr(post("/chat", example("chat")), "Authorization", "Bearer key"),
			withHdr(post("/v1/chat/completions", example("createChatCompletion")), "Authorization", "Bearer key"),
			withHdr(get("/v1/models"), "Authorization", "Bearer key"), withHdr(get("/v1/models/vendor0919-rag"), "Authorization", "Bearer key"),
			withHdr(post("/v1/embeddings", example("createEmbedding")), "Authorization", "Bearer key"),
			withHdr(post("/admin/reload", ""), "Authorization", "Bearer admin"), withHdr(get("/metrics"), "Authorization", "Bearer scrape"),
		}},
		{"reloads", func(o *Options, _ *fakeRAG) {
			o.AdminToken, o.Reloader = "admin", fakeReloader{store}
		}, []call{withHdr(post("/admin/reload", ""), "Authorization", "Bearer admin")}},
	}
	for _, tc := range cases {
		var f *fakeRAG
		ts := newTestServer(t, func(o *Options) {
			f = o.RAG.(*fakeRAG)
			tc.opts(o, f)
		})
		doc := loadSpec(t, ts.openapi)
		doc.Servers = nil // match requests on any host
		router, err := legacy.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range tc.calls {
			var body io.Reader = strings.NewReader(c.body)
			if c.bodyErr {
				body = io.MultiReader(strings.NewReader(`{"q`), errReader{})
			}
			req := httptest.NewRequest(c.method, c.path, body)
			if c.body != "" || c.bodyErr {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range c.hdr {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, req)
			where := fmt.Sprintf("%s: %s %s -> %d", tc.name, c.method, c.path, rec.Code)
			op := checkResponse(t, router, req, rec, where)
			mu.Lock()
			covered[op+" "+strconv.Itoa(rec.Code)] = true
			mu.Unlock()
		}
	}

	contract, err := OpenAPI3()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range loadSpec(t, contract).Paths.Map() {
		for method, op := range item.Operations() {
			for code := range op.Responses.Map() {
				// The recoverer's 500 on routes that cannot fail otherwise is
				// covered by recoverer_test.
				if code == "500" && !slices.Contains([]string{"search", "query", "chat", "createChatCompletion", "createEmbedding"}, op.OperationID) {
					continue
				}
				// /feedback's only 503 is its class being busy, which needs
				// requests held in flight: TestLimitInFlight_QueueFull.
				if code == "503" && op.OperationID == "feedback" {
					continue
				}
				if !covered[op.OperationID+" "+code] {
					t.Errorf("%s %s documents %s, but no request here produced it", method, path, code)
				}
			}
		}
	}
}

// checkResponse validates rec against the operation the document routes
// req to, and returns the operation's id.
func checkResponse(t *testing.T, router routers.Router, req *http.Request, rec *httptest.ResponseRecorder, where string) string {
	t.Helper()
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Errorf("%s: not in the document: %v", where, err)
		return ""
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s: the response breaks the document: %v\nbody: %.300s", where, err, rec.Body)
	}
	return route.Operation.OperationID
}

var registerOnce sync.Once

// registerTestDecoders teaches openapi3filter to read HTML as text and a
// Server-Sent Events body as the list of frames {event, data} the
// document describes.
func registerTestDecoders() {
	registerOnce.Do(func() {
		openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/event-stream", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			return decodeSSEFrames(r)
		})
	})
}

// decodeSSEFrames parses an event stream into []any of {event, data} with
// data decoded as JSON ({data} for an unnamed event; the chat streams'
// final "[DONE]" stays a string); comment lines are skipped.
func decodeSSEFrames(r io.Reader) ([]any, error) {
	frames := []any{}
	var event, data string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if event == "" && data == "" {
				continue
			}
			var v any = data
			if data != string(sseDone) {
				if err := json.Unmarshal([]byte(data), &v); err != nil {
					return nil, fmt.Errorf("event %s: data %q is not JSON: %w", event, data, err)
				}
			}
			frame := map[string]any{"data": v}
			if event != "" {
				frame["event"] = event
			}
			frames = append(frames, frame)
			event, data = "", ""
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		default:
			return nil, fmt.Errorf("unexpected line %q", line)
		}
	}
	if event != "" || data != "" {
		return nil, errors.New("the stream ends inside an event")
	}
	return frames, sc.Err()
}

func TestOpenAPI_DecodeSSEFrames(t *testing.T) {
	t.Parallel()
	got, err := decodeSSEFrames(strings.NewReader(": ping\n\nevent: delta\ndata: {\"text\":\"a\"}\n\n"))
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], map[string]any{"event": "delta", "data": map[string]any{"text": "a"}}) {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := decodeSSEFrames(strings.NewReader("event: delta\ndata: {\n\n")); err == nil {
		t.Errorf("bad JSON data accepted")
	}
}

// TestOpenAPI_RequestExamplesAreValid: "Try it out" sends each example as
// it stands; the validator must accept it.
func TestOpenAPI_RequestExamplesAreValid(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t, newTestServer(t, nil).openapi)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody == nil {
				continue
			}
			mt := op.RequestBody.Value.Content.Get("application/json")
			b, err := json.Marshal(mt.Example)
			if err != nil || mt.Example == nil {
				t.Errorf("%s %s: example %v (%v)", method, path, mt.Example, err)
				continue
			}
			rec := newTestServer(t, nil).do(method, path, string(b), nil)
			if rec.Code != http.StatusOK {
				t.Errorf("%s %s with its example %s: %d %s", method, path, b, rec.Code, rec.Body)
			}
			// Dropping any required field is a 422 naming it.
			var ex map[string]any
			_ = json.Unmarshal(b, &ex)
			for _, req := range mt.Schema.Value.Required {
				m := maps.Clone(ex)
				delete(m, req)
				b, _ := json.Marshal(m)
				rec := newTestServer(t, nil).do(method, path, string(b), nil)
				names := strings.Contains(rec.Body.String(), `"loc":["body","`+req+`"]`) ||
					(strings.HasPrefix(path, "/v1/") && strings.Contains(rec.Body.String(), `"param":"`+req+`"`))
				if rec.Code != http.StatusUnprocessableEntity || !names {
					t.Errorf("%s %s without required %s: %d %s", method, path, req, rec.Code, rec.Body)
				}
			}
		}
	}
}

func TestOpenAPI_RequiredFields(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t, newTestServer(t, nil).openapi)
	for name, want := range map[string][]string{
		"QueryRequest":    nil, // question or messages: a rule across fields
		"SearchRequest":   nil, // query or vector: a rule across fields
		"SearchResponse":  {"mode", "results", "top_k"},
		"Hit":             {"id", "metadata", "score", "text"},
		"QueryResponse":   {"answer", "id", "model", "sources"},
		"ChatMessage":     {"content", "role"},
		"FeedbackRequest": {"answer_id", "rating"},
	} {
		if got := doc.Components.Schemas[name].Value.Required; !slices.Equal(got, want) {
			t.Errorf("%s required %v, want %v", name, got, want)
		}
	}
}

// TestOpenAPI_NullableFields checks that the fields the server sends as
// null accept null under OpenAPI 3.0.3's reading of nullable, which
// kin-openapi does not apply (it lets null through any nullable schema,
// whatever its allOf says): nullable only adds null to the type of its
// own schema, and every other keyword still applies. Every nullable
// schema in the document is held to that, and the fields' values are
// validated as well.
func TestOpenAPI_NullableFields(t *testing.T) {
	t.Parallel()
	spec, err := OpenAPI3()
	if err != nil {
		t.Fatal(err)
	}
	doc := loadSpec(t, spec)
	usage := map[string]any{"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129}
	tests := []struct {
		schema, prop string
		valid        []any
		invalid      []any
	}{
		{"ChatCompletionChunk", "usage", []any{nil, usage}, []any{"x", map[string]any{"prompt_tokens": 1}}},
		{"ChunkChoice", "finish_reason", []any{nil, "stop"}, []any{1}},
		{"OpenAIError", "param", []any{nil, "messages.0.content"}, []any{true}},
	}
	for _, tt := range tests {
		t.Run(tt.schema+"."+tt.prop, func(t *testing.T) {
			t.Parallel()
			s := doc.Components.Schemas[tt.schema]
			if s == nil || s.Value.Properties[tt.prop] == nil {
				t.Fatalf("no property %s.%s", tt.schema, tt.prop)
			}
			p := s.Value.Properties[tt.prop].Value
			if !admitsNull(p) {
				t.Errorf("OpenAPI 3.0.3 validators refuse null: %s", jsonOf(p))
			}
			for _, v := range tt.valid {
				if err := p.VisitJSON(v); err != nil {
					t.Errorf("%v refused: %v", v, err)
				}
			}
			for _, v := range tt.invalid {
				if p.VisitJSON(v) == nil {
					t.Errorf("%v accepted", v)
				}
			}
		})
	}
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Nullable && !admitsNull(s) {
			t.Errorf("%s is nullable, but OpenAPI 3.0.3 validators refuse null: %s", where, jsonOf(s))
		}
		for name, p := range s.Properties {
			walk(where+"."+name, p)
		}
		walk(where+"[]", s.Items)
		for i, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
			walk(fmt.Sprintf("%s/%d", where, i), sub)
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s)
	}
}

// admitsNull reports whether s accepts null under OpenAPI 3.0.3: nullable
// adds null to an explicit type (no type allows any), an enum must list
// it, all of allOf and one of anyOf or oneOf must accept it.
func admitsNull(s *openapi3.Schema) bool {
	if s.Type != nil && len(*s.Type) > 0 && !s.Nullable {
		return false
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, any(nil)) {
		return false
	}
	for _, sub := range s.AllOf {
		if !admitsNull(sub.Value) {
			return false
		}
	}
	for _, alts := range [][]*openapi3.SchemaRef{s.AnyOf, s.OneOf} {
		if len(alts) > 0 && !slices.ContainsFunc(alts, func(r *openapi3.SchemaRef) bool { return admitsNull(r.Value) }) {
			return false
		}
	}
	return true
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// namedEmbedder is fakeEmbedder under another model's name.
type namedEmbedder struct {
	fakeEmbedder
	model string
}

func (n namedEmbedder) Info() docmodel.EmbeddingModel {
	info := n.fakeEmbedder.Info()
	info.Model = n.model
	return info
}

// TestOpenAPI_EmbeddingExampleIsTheEmbedders: /v1/embeddings answers 404
// for any model but its embedder's, so the served examples name that one
// and "Try it out" succeeds; the contract names the default embedder's.
func TestOpenAPI_EmbeddingExampleIsTheEmbedders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		embedder Embedder
		want     string
	}{
		{"use-lite", fakeEmbedder{}, "universal-sentence-encoder-lite"},
		{"minilm", namedEmbedder{model: minilm.Model}, minilm.Model},
		{"another", namedEmbedder{model: "text-embedding-3-small"}, "text-embedding-3-small"},
		{"none: the contract's", nil, minilm.Model},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(o *Options) { o.Embedder = tt.embedder })
			rec := ts.do("GET", "/openapi.json", "", nil)
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("%d %v", rec.Code, err)
			}
			prop := jsonAt(t, doc, "components", "schemas", "EmbeddingRequest", "properties", "model", "example")
			body := jsonAt(t, doc, "paths", "/v1/embeddings", "post", "requestBody", "content", "application/json", "example", "model")
			if prop != tt.want || body != tt.want {
				t.Errorf("model example %v, body example's model %v; want %s", prop, body, tt.want)
			}
			if tt.embedder == nil {
				return
			}
			ex := servedExample(t, loadSpec(t, rec.Body.Bytes()), "createEmbedding")
			if rec := ts.do("POST", "/v1/embeddings", ex, nil); rec.Code != http.StatusOK {
				t.Errorf("the example %s: %d %s", ex, rec.Code, rec.Body)
			}
		})
	}
	// The contract and swag's Swagger 2 document (the struct tag) name the
	// default embedder's model.
	contract, err := OpenAPI3()
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"api/openapi.json": contract, "docs/swagger.json": docs.SwaggerJSON} {
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		path := []string{"components", "schemas", "EmbeddingRequest", "properties", "model", "example"}
		if name == "docs/swagger.json" {
			path = []string{"definitions", "httpapi.embeddingRequest", "properties", "model", "example"}
		}
		if got := jsonAt(t, doc, path...); got != minilm.Model {
			t.Errorf("%s: model example %v, want %s", name, got, minilm.Model)
		}
	}
}

// jsonAt returns the value at path in a decoded JSON document, failing
// the test when a step is missing.
func jsonAt(t *testing.T, doc map[string]any, path ...string) any {
	t.Helper()
	var v any = doc
	for i, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s is %T, not an object", strings.Join(path[:i], "."), v)
		}
		if v, ok = m[k]; !ok {
			t.Fatalf("no %s", strings.Join(path[:i+1], "."))
		}
	}
	return v
}

// servedExample is the body "Try it out" sends for operation id.
func servedExample(t *testing.T, doc *openapi3.T, id string) string {
	t.Helper()
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id && op.RequestBody != nil {
				b, err := json.Marshal(op.RequestBody.Value.Content.Get("application/json").Example)
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
		}
	}
	t.Fatalf("no operation %s with a body", id)
	return ""
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

type staticStore struct{ info *StoreInfo }

func (s staticStore) Status() *StoreInfo { return s.info }

type notReady struct{}

func (notReady) Check() (bool, string) { return false, "Vector store is loading" }

type fakeReloader struct{ info *StoreInfo }

func (f fakeReloader) Reload(context.Context) (*StoreInfo, error) { return f.info, nil }
