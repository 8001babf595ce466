package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/vendor0919/api/internal/rag"
)

func TestDocs_SwaggerUIAndOpenAPI(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("GET", "/docs", "", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "swagger-ui") || !strings.Contains(rec.Body.String(), `<base href="/docs/">`) {
		t.Fatalf("/docs: %d %.200s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "cdn") || strings.Contains(rec.Body.String(), "unpkg") {
		t.Errorf("/docs loads from a CDN")
	}
	for _, asset := range []string{"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"} {
		if rec := ts.do("GET", asset, "", nil); rec.Code != 200 || rec.Body.Len() < 1000 {
			t.Errorf("%s: %d (%d bytes)", asset, rec.Code, rec.Body.Len())
		}
	}
	// HEAD answers as GET does, without the body (uptime monitors probe
	// so; Starlette serves HEAD on every GET route).
	for _, path := range []string{"/docs", "/docs/", "/docs/swagger-ui.css"} {
		get, head := ts.do("GET", path, "", nil), ts.do("HEAD", path, "", nil)
		if head.Code != 200 || head.Header().Get("Content-Type") != get.Header().Get("Content-Type") {
			t.Errorf("HEAD %s: %d %q, GET: %d %q", path, head.Code, head.Header().Get("Content-Type"), get.Code, get.Header().Get("Content-Type"))
		}
	}
	for _, missing := range []string{"/docs/no-such-asset.js", "/docs/../openapi.json", "/docs/dist/index.html"} {
		if rec := ts.do("GET", missing, "", nil); rec.Code != 404 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Not Found"}` {
			t.Errorf("%s: %d %q", missing, rec.Code, rec.Body)
		}
	}
	rec = ts.do("GET", "/openapi.json", "", nil)
	doc := decode(t, rec)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Errorf("openapi version %v", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/health", "/ready", "/search", "/query", "/vectorstore", "/admin/reload"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("spec lacks %s", p)
		}
	}
}

func TestOpenAPI_CoversEveryRoute(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	var spec struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(ts.openapi, &spec); err != nil {
		t.Fatal(err)
	}
	// Swagger UI's own scripts and styles, which /docs loads.
	undocumented := map[string]bool{"/docs/*": true}
	// Routes whose last segment is a wildcard so that ids with a "/" match
	// too; the document names the parameter.
	documentedAs := map[string]string{"/v1/models/*": "/v1/models/{model}"}
	err := chi.Walk(ts.router, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if undocumented[route] {
			return nil
		}
		if as, ok := documentedAs[route]; ok {
			route = as
		}
		if _, ok := spec.Paths[route][strings.ToLower(method)]; !ok {
			t.Errorf("%s %s is served but not in the OpenAPI document", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenAPI_DocumentsTheValidatedBounds keeps the request schemas, which
// swag generates from the request structs' tags, in step with what the
// validator enforces.
func TestOpenAPI_DocumentsTheValidatedBounds(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Minimum   *float64 `json:"minimum"`
					Maximum   *float64 `json:"maximum"`
					MaxLength *int     `json:"maxLength"`
					MaxItems  *int     `json:"maxItems"`
					Enum      []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(ts.openapi, &spec); err != nil {
		t.Fatal(err)
	}
	var modes []string
	for _, m := range rag.Modes {
		modes = append(modes, string(m))
	}
	for _, name := range []string{"SearchRequest", "QueryRequest"} {
		props := spec.Components.Schemas[name].Properties
		topK := props["top_k"]
		if topK.Minimum == nil || *topK.Minimum != minTopK || topK.Maximum == nil || *topK.Maximum != maxTopK {
			t.Errorf("%s top_k documented as [%v, %v], validated as [%d, %d]", name, topK.Minimum, topK.Maximum, minTopK, maxTopK)
		}
		if got := strings.Join(props["mode"].Enum, ","); got != strings.Join(modes, ",") {
			t.Errorf("%s mode enum %q, rag.Modes %q", name, got, modes)
		}
	}
	// The length limits: the served document states the server's own
	// (here the defaults, which the validator and rag share).
	lim := ts.opts.Limits
	for _, b := range []struct {
		schema, prop string
		got          *int
		want         int
	}{
		{"QueryRequest", "question", spec.Components.Schemas["QueryRequest"].Properties["question"].MaxLength, lim.QuestionChars},
		{"SearchRequest", "query", spec.Components.Schemas["SearchRequest"].Properties["query"].MaxLength, lim.QuestionChars},
		{"QueryRequest", "messages", spec.Components.Schemas["QueryRequest"].Properties["messages"].MaxItems, rag.MaxListedMessages},
		{"FeedbackRequest", "comment", spec.Components.Schemas["FeedbackRequest"].Properties["comment"].MaxLength, maxFeedbackComment},
	} {
		if b.got == nil || *b.got != b.want {
			t.Errorf("%s.%s documented bound %v, validated %d", b.schema, b.prop, b.got, b.want)
		}
	}
	// An earlier turn has no bound of its own: a client sends the
	// service's long answers back (the body's size bounds it).
	if m := spec.Components.Schemas["ChatMessage"].Properties["content"].MaxLength; m != nil {
		t.Errorf("ChatMessage.content documented with maxLength %d", *m)
	}
	if lim != (Limits{}).withDefaults() || lim.QuestionChars != rag.DefaultMaxQuestionChars {
		t.Errorf("default limits %+v differ from rag's", lim)
	}
	// A server with other limits documents those.
	other := newTestServer(t, func(o *Options) { o.Limits = Limits{QuestionChars: 123} })
	if !strings.Contains(string(other.openapi), `"maxLength": 123`) {
		t.Error("configured limits are not in the served document")
	}
}
