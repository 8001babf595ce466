package httpapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"

	"github.com/vendor0919/api/docs"
	"github.com/vendor0919/api/internal/rag"
)

// The OpenAPI document is written in two steps. swag turns this package's
// annotations into Swagger 2.0 (make docs, into docs/); the functions here
// convert that to OpenAPI 3 and finish it with what Swagger 2 or swag cannot
// say, each as a rule over every operation rather than a patch per route:
//
//   - schema names lose swag's Go package prefix (httpapi.searchRequest ->
//     SearchRequest; a type can choose its name with swag's @name comment);
//   - required lists come from swag's --requiredByDefault: a field is
//     required unless its json tag says omitempty;
//   - the Authorization apiKey schemes of Swagger 2 become OpenAPI 3 http
//     bearer schemes, and an operation without @Security says security: [];
//   - the responses every route can send because of the middleware and the
//     body decoder (401, 400, 413, 415, 500) are added where they apply;
//   - the routes of a limited class (routeClassOf) document the rate
//     limit's 429 and the busy 503, each with its Retry-After;
//   - the operations that check a bearer token (those documenting a 401)
//     document the failed-authentication limit's 429 (limitAuthFailures),
//     in the class's 429 when they have one;
//   - operations that stream (streams) get a text/event-stream response
//     whose schema is one frame {event, data}, the data schemas derived
//     from the Go types the handler sends, and no JSON schema under it;
//   - request bodies get the example Swagger UI's "Try it out" sends
//     (requestExamples);
//   - under /v1/ (the OpenAI-compatible routes) the added error responses
//     have OpenAI's body, OpenAIErrorBody, as writeError sends there, and
//     stream events are unnamed "data:" lines ending with "data: [DONE]".
//
// Conversion fails when an operation lacks an operationId, a request
// example, its 422 response or its stream events, so a new route cannot be
// half documented: New and the tests fail first.

// contractVersion is info.version in api/openapi.json, which describes
// every build. A server replaces it with its own version (Options.Version);
// "dev" is also what an unstamped build reports.
const contractVersion = "dev"

// The security schemes declared in doc.go.
const (
	apiKeyScheme = "BearerAuth" // API_KEYS: /search, /query, /vectorstore
	adminScheme  = "AdminAuth"  // ADMIN_TOKEN: /admin/*
)

// contractEmbeddingModel is the model the contract's /v1/embeddings
// examples name: the default embedder's (minilm). A server names its own
// embedder's (documentEmbedder).
const contractEmbeddingModel = "all-MiniLM-L6-v2"

// requestExamples are the bodies Swagger UI's "Try it out" sends, by
// operationId. Each must succeed against make run's demo store
// (TestOpenAPI_RequestExamplesAreValid).
var requestExamples = map[string]any{
	"search": map[string]any{"query": "How long is the warranty?", "top_k": 3},
	"query":  map[string]any{"question": "How long is the warranty?", "top_k": 3},
	"chat": map[string]any{"id": "chat-1", "trigger": "submit-message", "messages": []any{
		map[string]any{"id": "m1", "role": "user", "parts": []any{map[string]any{"type": "text", "text": "How long is the warranty?"}}},
	}},
	"createChatCompletion": map[string]any{"model": RAGModelID, "messages": []any{
		map[string]any{"role": "user", "content": "How long is the warranty?"},
	}},
	"createEmbedding": map[string]any{"model": contractEmbeddingModel, "input": "How long is the warranty?"},
	"feedback":        map[string]any{"answer_id": "ans_mfrggzdfmztwq2lkmnxw6zlq", "rating": "up", "comment": "Cited the right page."},
}

// streamEvent documents one event of a text/event-stream response: its name,
// what it means, and a value of the Go type sent as its data.
type streamEvent struct {
	name, doc string
	data      any
}

// streams lists, by operationId, the operations that may answer
// text/event-stream, with their events in the order they come. An event
// without a name is a bare "data:" line (the chat protocols'), told apart
// by its data.
var streams = map[string][]streamEvent{
	"createChatCompletion": {
		{"", "First: a chunk with delta.role \"assistant\" and the extension field sources (the passages the answer cites as [1], [2], ...); then chunks with delta.content; last a chunk with finish_reason \"stop\".", chatCompletionChunk{}},
		{"", "With stream_options.include_usage, after the last: a chunk with no choices and usage, the tokens the generator's calls counted (null when it reports none); every chunk before it then has usage null.", chatCompletionChunk{}},
		{"", "Instead of the rest, on a failure after the stream began: OpenAI's error object (the openai clients raise it as an APIError).", openAIErrorBody{}},
		{"", "The end of the stream, after the last chunk or the error.", sseDone},
	},
	"chat": {
		{"", "First: start, with the answer's id as messageId.", uiStartPart{}},
		{"", "Then one per retrieved passage, in citation order: source-url when the passage has a metadata url...", uiSourceURLPart{}},
		{"", "...else source-document.", uiSourceDocumentPart{}},
		{"", "Then text-start,", uiTextStartPart{}},
		{"", "text-delta, any number of times,", uiTextDeltaPart{}},
		{"", "text-end,", uiTextEndPart{}},
		{"", "and finish, with messageMetadata.usage (the AI SDK's LanguageModelUsage: the tokens the generator's calls used, the question's rewrite included) when the generator reports them, no messageMetadata when it reports none; useChat merges messageMetadata into the answer's message.metadata.", uiFinishPart{}},
		{"", "Instead of the rest, on a failure after the stream began (generation failed or timed out, or the service is shutting down).", uiErrorPart{}},
		{"", "The end of the stream.", sseDone},
	},
	"query": {
		{"sources", "First: the answer's id (for POST /feedback) and the retrieved passages, numbered in order as the answer cites them ([1], [2], ...).", querySourcesEvent{}},
		{"delta", "Then, any number of times: the next piece of the answer's text.", queryDeltaEvent{}},
		{"done", "Last, on success: the answer's id again, the whole answer, the model that wrote it and usage, the tokens the generator's calls used (the question's rewrite included), when it reports them; no usage when it reports none.", queryDoneEvent{}},
		{"error", "Last, on a failure after the stream began (generation failed or timed out, or the service is shutting down).", errorBody{}},
	},
}

// OpenAPI3 returns the contract, api/openapi.json: the OpenAPI 3 document
// with info.version "dev" and the retrieval operations requiring a bearer
// API key, as a deployment with API_KEYS serves them. A client written
// against it also works with an open server, which ignores the header.
func OpenAPI3() ([]byte, error) {
	return openAPI3(contractVersion, false, Limits{}.withDefaults(), contractEmbeddingModel)
}

// OpenAPI3For returns the document a Server built with opts serves at
// /openapi.json: the contract with info.version set to opts.Version, the
// limits of opts.Limits, opts.Embedder's model in the /v1/embeddings
// examples and, when opts.APIKeys is empty and opts.JWT nil, the API-key
// operations marked open (security: []) and their scheme removed, so
// Swagger UI and generated clients ask for no key the server does not
// want.
func OpenAPI3For(opts Options) ([]byte, error) {
	model := contractEmbeddingModel
	if opts.Embedder != nil {
		model = cmp.Or(opts.Embedder.Info().Model, model)
	}
	return openAPI3(cmp.Or(opts.Version, contractVersion), len(opts.APIKeys) == 0 && opts.JWT == nil, opts.Limits.withDefaults(), model)
}

func openAPI3(version string, open bool, lim Limits, embedModel string) ([]byte, error) {
	v2json, err := renameDefinitions(docs.SwaggerJSON)
	if err != nil {
		return nil, err
	}
	var v2 openapi2.T
	if err := json.Unmarshal(v2json, &v2); err != nil {
		return nil, fmt.Errorf("openapi: parse swagger 2 document: %w", err)
	}
	doc, err := openapi2conv.ToV3(&v2)
	if err != nil {
		return nil, fmt.Errorf("openapi: convert to openapi 3: %w", err)
	}
	doc.Info.Version = version
	if err := finish(doc, open); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if err := documentLimits(doc, lim); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if err := documentEmbedder(doc, embedModel); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return encodeDoc(doc)
}

// documentLimits writes the limits the server enforces into the request
// schemas: swag's tags carry the defaults, the environment may change them
// (and swag drops a maxItems tag, so the messages bound is set here too).
func documentLimits(doc *openapi3.T, lim Limits) error {
	for _, b := range []struct {
		schema, prop string
		set          func(*openapi3.Schema)
	}{
		{"QueryRequest", "question", func(s *openapi3.Schema) { s.MaxLength = ptr(uint64(lim.QuestionChars)) }},
		{"QueryRequest", "messages", func(s *openapi3.Schema) { s.MaxItems = ptr(uint64(rag.MaxListedMessages)) }},
		{"SearchRequest", "query", func(s *openapi3.Schema) { s.MaxLength = ptr(uint64(lim.QuestionChars)) }},
	} {
		s := doc.Components.Schemas[b.schema]
		if s == nil || s.Value.Properties[b.prop] == nil || s.Value.Properties[b.prop].Value == nil {
			return fmt.Errorf("schema %s has no property %s", b.schema, b.prop)
		}
		b.set(s.Value.Properties[b.prop].Value)
	}
	return nil
}

// documentEmbedder names model, the server's embedder's, in the examples
// of /v1/embeddings, which answers any other model with 404
// model_not_found: swag's tag and requestExamples carry the default's.
func documentEmbedder(doc *openapi3.T, model string) error {
	s := doc.Components.Schemas["EmbeddingRequest"]
	if s == nil || s.Value.Properties["model"] == nil || s.Value.Properties["model"].Value == nil {
		return fmt.Errorf("schema EmbeddingRequest has no property model")
	}
	s.Value.Properties["model"].Value.Example = model
	item := doc.Paths.Value("/v1/embeddings")
	if item == nil || item.Post == nil || item.Post.RequestBody == nil {
		return fmt.Errorf("no POST /v1/embeddings with a body")
	}
	mt := item.Post.RequestBody.Value.Content.Get("application/json")
	ex, ok := mt.Example.(map[string]any)
	if !ok {
		return fmt.Errorf("POST /v1/embeddings: example %T, want an object", mt.Example)
	}
	// A copy: the example is requestExamples' own map, shared by every
	// document.
	ex = maps.Clone(ex)
	ex["model"] = model
	mt.Example = ex
	return nil
}

func ptr[T any](v T) *T { return &v }

// encodeDoc writes doc as indented JSON without HTML escapes ("<" stays
// "<"), keys sorted, with a final newline.
func encodeDoc(doc *openapi3.T) ([]byte, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi: encode: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("openapi: encode: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("openapi: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// renameDefinitions strips the Go package prefix swag puts on definition
// names and capitalises them (httpapi.hit -> Hit), rewriting every $ref.
func renameDefinitions(swaggerJSON []byte) ([]byte, error) {
	var v2 map[string]any
	if err := json.Unmarshal(swaggerJSON, &v2); err != nil {
		return nil, fmt.Errorf("openapi: parse swagger 2 document: %w", err)
	}
	defs, _ := v2["definitions"].(map[string]any)
	names := map[string]string{}
	renamed := map[string]any{}
	for _, old := range slices.Sorted(maps.Keys(defs)) {
		name := schemaName(old)
		if _, dup := renamed[name]; dup {
			return nil, fmt.Errorf("openapi: two schemas named %s (rename one with swag's @name)", name)
		}
		names["#/definitions/"+old] = "#/definitions/" + name
		renamed[name] = defs[old]
	}
	if defs != nil {
		v2["definitions"] = renamed
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					if n, ok := names[s]; ok {
						v[k] = n
					}
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v2)
	return json.Marshal(v2)
}

// schemaName is a schema's name without its Go package, capitalised.
func schemaName(goName string) string {
	name := goName[strings.LastIndex(goName, ".")+1:]
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}

// streamOnly lists the streams operations that never answer JSON on success.
var streamOnly = map[string]bool{"chat": true}

func schemaRef(name string) *openapi3.SchemaRef {
	return openapi3.NewSchemaRef("#/components/schemas/"+name, nil)
}

// errorResponse is a response whose body is the error schema named
// (ErrorBody, {"detail": "..."}, or OpenAIErrorBody under /v1/).
func errorResponse(schema, desc string) *openapi3.ResponseRef {
	r := openapi3.NewResponse().WithDescription(desc)
	r.Content = openapi3.Content{"application/json": openapi3.NewMediaType().WithSchemaRef(schemaRef(schema))}
	return &openapi3.ResponseRef{Value: r}
}

// errorSchema is the error body's schema on path, as writeError sends it.
func errorSchema(path string) string {
	if strings.HasPrefix(path, "/v1/") {
		return "OpenAIErrorBody"
	}
	return "ErrorBody"
}

// finish applies the rules in the comment at the top of this file.
func finish(doc *openapi3.T, open bool) error {
	if doc.Components == nil || doc.Components.Schemas["ErrorBody"] == nil {
		return fmt.Errorf("no ErrorBody schema: some route must reference errorBody")
	}
	if doc.Components.Schemas["OpenAIErrorBody"] == nil {
		return fmt.Errorf("no OpenAIErrorBody schema: the /v1 routes must reference openAIErrorBody")
	}
	// The OpenAI bodies' fields that take one of two shapes, which swag
	// cannot say: an embedding is numbers or their bytes in base64, an
	// input a string or a list, a message's content a string or text parts.
	b64 := openapi3.NewStringSchema().WithFormat("byte")
	b64.Description = "With encoding_format base64: the vector's little-endian float32 bytes"
	textPart := openapi3.NewObjectSchema().
		WithProperty("type", openapi3.NewStringSchema().WithEnum("text")).
		WithProperty("text", openapi3.NewStringSchema())
	textPart.Required = []string{"type", "text"}
	for _, alt := range []struct {
		schema, prop string
		other        *openapi3.Schema
	}{
		{"Embedding", "embedding", b64},
		{"EmbeddingRequest", "input", openapi3.NewStringSchema()},
		{"OpenAIMessage", "content", openapi3.NewArraySchema().WithItems(textPart)},
	} {
		s := doc.Components.Schemas[alt.schema]
		if s == nil || s.Value.Properties[alt.prop] == nil {
			return fmt.Errorf("schema %s has no property %s", alt.schema, alt.prop)
		}
		p := s.Value.Properties[alt.prop].Value
		one := openapi3.NewOneOfSchema(p, alt.other)
		one.Description, p.Description = p.Description, ""
		s.Value.Properties[alt.prop] = one.NewRef()
	}
	for name, s := range doc.Components.SecuritySchemes {
		v := s.Value
		if v.Type == "apiKey" && v.In == "header" && strings.EqualFold(v.Name, "Authorization") {
			s.Value = openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer").WithDescription(v.Description)
		} else {
			return fmt.Errorf("security scheme %s: only bearer tokens in Authorization are expected", name)
		}
	}
	usedStreams := map[string]bool{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				return fmt.Errorf("%s: no operationId (add @ID)", where)
			}
			errSchema := errorSchema(path)
			if err := finishSecurity(op, open, errSchema); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if err := finishBody(op, errSchema); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if class, ok := routeClassOf[path]; ok {
				finishLimits(op, class, errSchema)
			}
			finishAuthLimit(op, errSchema)
			if events, ok := streams[op.OperationID]; ok {
				usedStreams[op.OperationID] = true
				if err := finishStream(doc, op, events); err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
			}
			for code, r := range op.Responses.Map() {
				if _, ok := r.Value.Content["application/json"]; ok && len(r.Value.Content) > 1 {
					// swag gives every response all @Produce types: an
					// error is JSON whatever the route serves, and a route
					// that answers text (/metrics) answers its 200 as text.
					if code != "200" {
						r.Value.Content = openapi3.Content{"application/json": r.Value.Content["application/json"]}
						continue
					}
					if op.OperationID == "metrics" {
						delete(r.Value.Content, "application/json")
					}
				}
				if _, ok := r.Value.Content["text/event-stream"]; !ok {
					continue
				}
				if !usedStreams[op.OperationID] {
					return fmt.Errorf("%s produces text/event-stream but streams does not list its events", where)
				}
				if code != "200" {
					// swag gives every response all @Produce types; errors
					// come before a stream's first byte, as JSON.
					delete(r.Value.Content, "text/event-stream")
				}
			}
			op.Responses.Set("500", cmp.Or(op.Responses.Value("500"), errorResponse(errSchema,
				"An unexpected failure (a panic, or an upstream error before any byte was sent). The cause is logged, never sent.")))
		}
	}
	for id := range streams {
		if !usedStreams[id] {
			return fmt.Errorf("streams lists %s, which no operation has", id)
		}
	}
	if open {
		delete(doc.Components.SecuritySchemes, apiKeyScheme)
	}
	return nil
}

// finishSecurity makes an open operation say so (security: []), marks the
// API-key operations open when the server runs without API_KEYS, and
// documents the 401 every bearer check can send.
func finishSecurity(op *openapi3.Operation, open bool, errSchema string) error {
	if op.Security == nil {
		op.Security = openapi3.NewSecurityRequirements()
		return nil
	}
	desc, challenges, challengeDesc := "", []any{"Bearer"}, "Always Bearer"
	for _, req := range *op.Security {
		for name := range req {
			switch {
			case name == apiKeyScheme && open:
				op.Security = openapi3.NewSecurityRequirements()
				return nil
			case name == apiKeyScheme:
				desc = `No "Authorization: Bearer ..." header ("Not authenticated"), or a key not in API_KEYS that is not a valid JWT either ("Invalid authentication credentials"; WWW-Authenticate then carries error="invalid_token" when JWT auth is on).`
				challenges = append(challenges, `Bearer error="invalid_token"`)
				challengeDesc = `Bearer, or with JWT auth on Bearer error="invalid_token" for a refused token`
			case name == adminScheme:
				desc = `No "Authorization: Bearer ..." header ("Not authenticated"); a wrong token is a 403.`
			default:
				return fmt.Errorf("unknown security scheme %s", name)
			}
		}
	}
	if op.Responses.Value("401") == nil {
		r := errorResponse(errSchema, desc)
		r.Value.Headers = openapi3.Headers{"WWW-Authenticate": &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
			Description: challengeDesc, Schema: openapi3.NewStringSchema().WithEnum(challenges...).NewRef(),
		}}}}
		op.Responses.Set("401", r)
	}
	return nil
}

// finishBody documents what decodeBody answers for an operation with a
// JSON body and gives the body its "Try it out" example.
func finishBody(op *openapi3.Operation, errSchema string) error {
	if op.RequestBody == nil {
		return nil
	}
	ex, ok := requestExamples[op.OperationID]
	if !ok {
		return fmt.Errorf("no request example (add one to requestExamples)")
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return fmt.Errorf("request body is not application/json")
	}
	mt.Example = ex
	delete(op.RequestBody.Value.Extensions, "x-originalParamName") // the converter's note for going back to Swagger 2
	if op.Responses.Value("422") == nil {
		return fmt.Errorf("no 422 response (annotate @Failure 422 {object} validationBody)")
	}
	for code, desc := range map[string]string{
		"400": "The body could not be read (the connection failed part-way).",
		"413": "The body is larger than the server's MAX_BODY_BYTES.",
		"415": "Content-Type is neither application/json nor application/*+json (a missing Content-Type is read as JSON).",
	} {
		if op.Responses.Value(code) == nil {
			op.Responses.Set(code, errorResponse(errSchema, desc))
		}
	}
	return nil
}

// integerHeader documents a response header whose value is an integer.
func integerHeader(desc string) *openapi3.HeaderRef {
	return &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: desc, Schema: openapi3.NewIntegerSchema().NewRef(),
	}}}
}

// finishLimits documents what the rate limit and the in-flight bound of
// a route's class answer.
func finishLimits(op *openapi3.Operation, class, errSchema string) {
	r := errorResponse(errSchema, "This client made more than the "+class+" class's rate limit allows in the window (RATE_LIMIT_"+strings.ToUpper(class)+" per RATE_LIMIT_WINDOW), or holds MAX_INFLIGHT_PER_CLIENT of its requests at once (then Retry-After is 1 and there are no X-RateLimit headers); retry after Retry-After seconds.")
	r.Value.Headers = openapi3.Headers{
		"Retry-After":           integerHeader("Seconds to wait: the first second at which a request is admitted again"),
		"X-RateLimit-Limit":     integerHeader("Requests allowed per window"),
		"X-RateLimit-Remaining": integerHeader("Requests left in the window: 0"),
		"X-RateLimit-Reset":     integerHeader("When the window ends, in Unix seconds"),
	}
	op.Responses.Set("429", r)
	busy := "the " + class + " class is at capacity (MAX_INFLIGHT_" + strings.ToUpper(class) + " served, its queue full or the wait over: Retry-After says when to retry)"
	if prev := op.Responses.Value("503"); prev != nil {
		prev.Value.Description = ptr(*prev.Value.Description + ", or " + busy)
	} else {
		op.Responses.Set("503", errorResponse(errSchema, strings.ToUpper(busy[:1])+busy[1:]))
	}
	op.Responses.Value("503").Value.Headers = openapi3.Headers{"Retry-After": integerHeader("Seconds to wait, when the class is at capacity")}
}

// authLimited says when limitAuthFailures answers 429.
const authLimited = "this client address had RATE_LIMIT_AUTH_FAILURES bearer tokens refused (401 or 403, on any route that checks one) within RATE_LIMIT_WINDOW: its requests to such routes are refused before their token is read, a valid one's too, until Retry-After seconds have passed"

// finishAuthLimit documents the 429 of the failed-authentication limit on
// an operation that checks a bearer token: one that documents a 401.
func finishAuthLimit(op *openapi3.Operation, errSchema string) {
	if op.Responses.Value("401") == nil {
		return
	}
	if prev := op.Responses.Value("429"); prev != nil {
		prev.Value.Description = ptr(*prev.Value.Description + " Also when " + authLimited + ".")
		if h := prev.Value.Headers["X-RateLimit-Limit"]; h != nil {
			h.Value.Description += ", or refused tokens allowed per window (RATE_LIMIT_AUTH_FAILURES)"
		}
		return
	}
	r := errorResponse(errSchema, "When "+authLimited+".")
	r.Value.Headers = openapi3.Headers{
		"Retry-After":           integerHeader("Seconds to wait: the first second at which the address is admitted again"),
		"X-RateLimit-Limit":     integerHeader("Refused tokens allowed per window (RATE_LIMIT_AUTH_FAILURES)"),
		"X-RateLimit-Remaining": integerHeader("Always 0"),
		"X-RateLimit-Reset":     integerHeader("When the current window ends, in Unix seconds"),
	}
	op.Responses.Set("429", r)
}

// finishStream replaces the JSON schema swag put under the 200's
// text/event-stream with the stream's frame schema.
func finishStream(doc *openapi3.T, op *openapi3.Operation, events []streamEvent) error {
	ok := op.Responses.Value("200")
	if ok == nil || ok.Value.Content["text/event-stream"] == nil {
		return fmt.Errorf("streams lists its events but its 200 response has no text/event-stream (add it to @Produce)")
	}
	frame := openapi3.NewOneOfSchema()
	var names []string
	for _, ev := range events {
		data, err := goSchema(doc.Components.Schemas, reflect.TypeOf(ev.data))
		if err != nil {
			return fmt.Errorf("event %s: %w", ev.name, err)
		}
		names = append(names, cmp.Or(ev.name, "data"))
		s := openapi3.NewObjectSchema().WithPropertyRef("data", data)
		s.Description = ev.doc
		s.Required = []string{"data"}
		if ev.name != "" {
			s.WithProperty("event", openapi3.NewStringSchema().WithEnum(ev.name))
			s.Required = []string{"event", "data"}
		}
		frame.OneOf = append(frame.OneOf, s.NewRef())
	}
	name := schemaName(op.OperationID) + "StreamFrame"
	frame.Description = "One Server-Sent Event of the stream, as `event: <event>` and `data: <data as JSON>` lines ending with a blank line. Events come in this order: " +
		strings.Join(names, ", ") + ". Comment lines (`: ping`) keep an idle connection open every 15 s and carry no event."
	if events[0].name == "" {
		// Unnamed frames are told apart by their data alone, which a
		// linter cannot prove exclusive: any of them, in this order.
		frame.AnyOf, frame.OneOf = frame.OneOf, nil
		frame.Description = "One Server-Sent Event of the stream, a `data: <data as JSON>` line (no event name) ending with a blank line; the last is `data: [DONE]`, not JSON. Frames come in the order listed. Comment lines (`: ping`) keep an idle connection open every 15 s and carry no event."
	}
	doc.Components.Schemas[name] = frame.NewRef()
	list := openapi3.NewArraySchema()
	list.Items = schemaRef(name)
	list.Description = "The stream, frame by frame (text/event-stream, not JSON: read it with an SSE parser)."
	ok.Value.Content["text/event-stream"] = openapi3.NewMediaType().WithSchema(list)
	if streamOnly[op.OperationID] {
		delete(ok.Value.Content, "application/json")
	}
	return nil
}

// goSchema returns a schema for a stream event's Go type: a reference to
// the component of that name when swag generated one, otherwise a new
// component built from the struct's json tags (required unless omitempty,
// as swag's --requiredByDefault does). A pointer is nullable, except an
// omitempty field's own pointer: encoding/json leaves that field out when
// it is nil, so it is optional, never null. Only the kinds the events use
// are supported; anything else is an error, caught by the tests.
func goSchema(components openapi3.Schemas, t reflect.Type) (*openapi3.SchemaRef, error) {
	if t == reflect.TypeOf(sseDone) {
		return openapi3.NewStringSchema().WithEnum(string(sseDone)).NewRef(), nil
	}
	switch t.Kind() {
	case reflect.String:
		return openapi3.NewStringSchema().NewRef(), nil
	case reflect.Int, reflect.Int64:
		return openapi3.NewIntegerSchema().NewRef(), nil
	case reflect.Pointer:
		elem, err := goSchema(components, t.Elem())
		if err != nil {
			return nil, err
		}
		if elem.Ref != "" {
			// OpenAPI 3.0 ignores siblings of $ref, and nullable beside an
			// allOf admits no null (3.0.3: nullable only widens the type of
			// its own schema; the $ref'd one still refuses null). So null
			// is a branch of its own, in 3.0.3's form for "only null" (a
			// type, which nullable needs, and an enum of null alone).
			null := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Enum: []any{nil}, Nullable: true}
			s := &openapi3.Schema{AnyOf: openapi3.SchemaRefs{elem, null.NewRef()}}
			return s.NewRef(), nil
		}
		elem.Value.Nullable = true
		return elem, nil
	case reflect.Slice:
		items, err := goSchema(components, t.Elem())
		if err != nil {
			return nil, err
		}
		s := openapi3.NewArraySchema()
		s.Items = items
		return s.NewRef(), nil
	case reflect.Struct:
	default:
		return nil, fmt.Errorf("type %s: kind %s is not supported", t, t.Kind())
	}
	name := schemaName(t.Name())
	if _, ok := components[name]; ok {
		return schemaRef(name), nil
	}
	s := openapi3.NewObjectSchema()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || tag == "-" || tag == "" {
			return nil, fmt.Errorf("type %s: field %s needs a json name", t, f.Name)
		}
		omitempty := slices.Contains(strings.Split(opts, ","), "omitempty")
		ft := f.Type
		if omitempty && ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		p, err := goSchema(components, ft)
		if err != nil {
			return nil, err
		}
		if enums := f.Tag.Get("enums"); enums != "" && p.Ref == "" {
			for _, e := range strings.Split(enums, ",") {
				p.Value.Enum = append(p.Value.Enum, e)
			}
		}
		s.WithPropertyRef(tag, p)
		if !omitempty {
			s.Required = append(s.Required, tag)
		}
	}
	components[name] = s.NewRef()
	return schemaRef(name), nil
}
