package main

// End-to-end tests of the real api binary over TCP. Handler behaviour in
// detail is covered by internal/httpapi's httptest tests; these check that
// the binary as built wires it all together: configuration from the
// environment, the listener, the vector store load, logging to stdout,
// signals and exit codes.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/sseclient"
	"github.com/vendor0919/api/internal/store"
)

// readyFixtureServer starts a server on the fixture store with env
// overrides and waits until /ready answers 200.
func readyFixtureServer(t *testing.T, overrides map[string]string) *apiProcess {
	t.Helper()
	env := baseEnv(fixtureStore(t))
	for k, v := range overrides {
		env[k] = v
	}
	p := startServer(t, env)
	p.waitReady(30 * time.Second)
	return p
}

func TestE2E_Routing(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)

	cases := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   string // exact JSON, compared structurally; "" skips
		wantHeader map[string]string
	}{
		{"health", "GET", "/health", 200, `{"status":"ok","version":"` + e2eVersion + ` (` + e2eCommit + `)"}`, map[string]string{"Content-Type": "application/json"}},
		// The Python app's target group checked /: it passes on the new
		// tasks during the roll-out.
		{"root answers as health", "GET", "/", 200, `{"status":"ok","version":"` + e2eVersion + ` (` + e2eCommit + `)"}`, map[string]string{"Content-Type": "application/json"}},
		{"unknown path", "GET", "/no/such/route", 404, `{"detail":"Not Found"}`, nil},
		{"unknown path POST", "POST", "/nope", 404, `{"detail":"Not Found"}`, nil},
		{"wrong method on GET route", "POST", "/health", 405, `{"detail":"Method Not Allowed"}`, map[string]string{"Allow": "GET"}},
		{"wrong method on POST route", "GET", "/search", 405, `{"detail":"Method Not Allowed"}`, map[string]string{"Allow": "POST"}},
		{"wrong method on query", "DELETE", "/query", 405, `{"detail":"Method Not Allowed"}`, map[string]string{"Allow": "POST"}},
		{"trailing slash redirect GET", "GET", "/health/", 307, "", map[string]string{"Location": "/health"}},
		{"trailing slash redirect POST", "POST", "/search/", 307, "", map[string]string{"Location": "/search"}},
		{"redirect keeps query string", "GET", "/ready/?x=1", 307, "", map[string]string{"Location": "/ready?x=1"}},
		{"admin API off without ADMIN_TOKEN", "POST", "/admin/reload", 403, `{"detail":"Admin API is disabled: set ADMIN_TOKEN"}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := p.do(tc.method, tc.path, nil, "")
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("%s %s: status %d, want %d; body %s", tc.method, tc.path, resp.StatusCode, tc.wantStatus, body)
			}
			if tc.wantBody != "" {
				assertJSONEqual(t, body, tc.wantBody)
			}
			for k, v := range tc.wantHeader {
				if got := strings.Join(resp.Header.Values(k), ", "); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
		})
	}

	t.Run("version subcommand", func(t *testing.T) {
		cmd := exec.Command(apiBinary(t), "version")
		cmd.Env = raceEnv()
		out, err := cmd.Output()
		if want := e2eVersion + " (" + e2eCommit + ")\n"; err != nil || string(out) != want {
			t.Errorf("api version: %q, %v; want %q", out, err, want)
		}
	})
	t.Run("ready with vectorstore facts", func(t *testing.T) {
		status, body := p.getJSON("/ready")
		if status != 200 || body["status"] != "ready" {
			t.Fatalf("/ready: %d %v", status, body)
		}
		vs, _ := body["vectorstore"].(map[string]any)
		assertStoreFacts(t, vs, fixtureStore(t))
	})
	t.Run("vectorstore facts", func(t *testing.T) {
		status, vs := p.getJSON("/vectorstore")
		if status != 200 {
			t.Fatalf("/vectorstore: %d %v", status, vs)
		}
		assertStoreFacts(t, vs, fixtureStore(t))
		if vs["source"] != "local:"+fixtureStore(t) {
			t.Errorf("source = %v, want local:%s", vs["source"], fixtureStore(t))
		}
		if at, _ := vs["loaded_at"].(string); at == "" {
			t.Errorf("loaded_at missing: %v", vs)
		} else if ts, err := time.Parse(time.RFC3339Nano, at); err != nil || time.Since(ts) > 10*time.Minute || time.Until(ts) > time.Minute {
			t.Errorf("loaded_at = %q (%v), want a recent RFC 3339 time", at, err)
		}
	})
	t.Run("docs", func(t *testing.T) {
		resp, body := p.do("GET", "/docs", nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("/docs: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		html := string(body)
		for _, want := range []string{"swagger-ui", `<base href="/docs/">`, "/openapi.json"} {
			if !strings.Contains(html, want) {
				t.Errorf("/docs page lacks %q", want)
			}
		}
		// Every local script and stylesheet the page references is served
		// by the binary itself (no CDN: the task has no internet egress).
		refs := regexp.MustCompile(`(?:src|href)="([^"]+\.(?:js|css))"`).FindAllStringSubmatch(html, -1)
		if len(refs) == 0 {
			t.Fatalf("/docs references no scripts or stylesheets:\n%s", html)
		}
		for _, m := range refs {
			ref := m[1]
			if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "//") {
				t.Errorf("/docs loads %s from another host", ref)
				continue
			}
			path := "/docs/" + strings.TrimPrefix(ref, "./")
			if strings.HasPrefix(ref, "/") {
				path = ref
			}
			r, b := p.do("GET", path, nil, "")
			if r.StatusCode != 200 || len(b) < 100 {
				t.Errorf("asset %s: status %d, %d bytes", path, r.StatusCode, len(b))
			}
		}
	})
	t.Run("openapi.json", func(t *testing.T) {
		resp, body := p.do("GET", "/openapi.json", nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("/openapi.json: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var doc struct {
			OpenAPI string                               `json:"openapi"`
			Paths   map[string]map[string]map[string]any `json:"paths"`
		}
		decode(t, body, &doc)
		if !strings.HasPrefix(doc.OpenAPI, "3.") {
			t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
		}
		for path, method := range map[string]string{"/health": "get", "/ready": "get", "/search": "post", "/query": "post", "/vectorstore": "get"} {
			if _, ok := doc.Paths[path][method]; !ok {
				t.Errorf("spec lacks %s %s; paths: %v", strings.ToUpper(method), path, keys(doc.Paths))
			}
		}
		// The binary's `openapi` subcommand prints the same document with
		// the same environment (EMBEDDER names the examples' model).
		cmd := exec.Command(apiBinary(t), "openapi")
		cmd.Env = raceEnv()
		for k, v := range p.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("api openapi: %v", err)
		}
		if string(out) != string(body) {
			t.Errorf("`api openapi` output differs from GET /openapi.json (%d vs %d bytes)", len(out), len(body))
		}
	})
	t.Run("unknown docs asset is FastAPI-shaped 404", func(t *testing.T) {
		resp, body := p.do("GET", "/docs/no-such-asset.js", nil, "")
		if resp.StatusCode != 404 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		assertJSONEqual(t, body, `{"detail":"Not Found"}`)
	})
	t.Run("metrics", func(t *testing.T) {
		p.postJSON("/search", `{"query": "battery"}`)
		resp, body := p.do("GET", "/metrics", nil, "")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{`http_requests_total{`, `route="/search"`, `http_request_duration_seconds_bucket{`} {
			if !strings.Contains(string(body), want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
	})
	t.Run("request id", func(t *testing.T) {
		hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
		for _, tc := range []struct {
			name, sent string
			want       func(string) bool
		}{
			{"honoured", "e2e-req-42", func(s string) bool { return s == "e2e-req-42" }},
			{"absent: generated", "", hex32.MatchString},
			{"with space: replaced", "bad id", hex32.MatchString},
			{"too long: replaced", strings.Repeat("a", 129), hex32.MatchString},
		} {
			h := http.Header{}
			if tc.sent != "" {
				h.Set("X-Request-ID", tc.sent)
			}
			resp, _ := p.do("GET", "/health", h, "")
			if got := resp.Header.Get("X-Request-ID"); !tc.want(got) {
				t.Errorf("%s: X-Request-ID = %q", tc.name, got)
			}
		}
		// Errors carry it too.
		resp, _ := p.do("GET", "/nope", http.Header{"X-Request-Id": {"e2e-404"}}, "")
		if got := resp.Header.Get("X-Request-ID"); got != "e2e-404" {
			t.Errorf("404: X-Request-ID = %q", got)
		}
	})
}

// assertStoreFacts checks /ready's and /vectorstore's description of the
// fixture store.
func assertStoreFacts(t *testing.T, vs map[string]any, dir string) {
	t.Helper()
	if vs == nil {
		t.Fatalf("no vectorstore facts")
	}
	want := map[string]any{
		"format": "native", "count": float64(len(fixtureChunks)), "dims": float64(384),
		"metric": "cosine", "version": fixtureVersion, "dir": dir,
	}
	for k, v := range want {
		if vs[k] != v {
			t.Errorf("vectorstore %s = %v, want %v (all: %v)", k, vs[k], v, vs)
		}
	}
	emb, _ := vs["embedding"].(map[string]any)
	if emb["provider"] != "hash" || emb["dims"] != float64(384) {
		t.Errorf("vectorstore embedding = %v, want provider hash, dims 384", emb)
	}
	if idx, _ := vs["index"].(string); idx == "" {
		t.Errorf("vectorstore index type missing: %v", vs)
	}
}

func TestE2E_Validation(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, map[string]string{"MAX_BODY_BYTES": "4096"})

	type item = map[string]any
	cases := []struct {
		name        string
		path        string
		contentType string
		body        string
		wantStatus  int
		wantItem    item   // expected detail[0], keys compared exactly ("input" too when present)
		wantDetail  string // substring of a string detail
	}{
		{"missing question", "/query", "application/json", `{"top_k": 3}`, 422,
			item{"type": "missing", "loc": []any{"body", "question"}, "msg": "Field required", "input": item{"top_k": float64(3)}}, ""},
		{"empty body", "/query", "application/json", ``, 422,
			item{"type": "missing", "loc": []any{"body"}, "msg": "Field required", "input": nil}, ""},
		{"question wrong type", "/query", "application/json", `{"question": 123}`, 422,
			item{"type": "string_type", "loc": []any{"body", "question"}, "msg": "Input should be a valid string", "input": float64(123)}, ""},
		{"question empty", "/query", "application/json", `{"question": ""}`, 422,
			item{"type": "string_too_short", "loc": []any{"body", "question"}, "msg": "String should have at least 1 character", "input": "", "ctx": item{"min_length": float64(1)}}, ""},
		{"top_k 0", "/query", "application/json", `{"question": "x", "top_k": 0}`, 422,
			item{"type": "greater_than_equal", "loc": []any{"body", "top_k"}, "msg": "Input should be greater than or equal to 1", "input": float64(0), "ctx": item{"ge": float64(1)}}, ""},
		{"top_k 51", "/search", "application/json", `{"query": "x", "top_k": 51}`, 422,
			item{"type": "less_than_equal", "loc": []any{"body", "top_k"}, "msg": "Input should be less than or equal to 50", "input": float64(51), "ctx": item{"le": float64(50)}}, ""},
		{"top_k not a number", "/search", "application/json", `{"query": "x", "top_k": "many"}`, 422,
			item{"type": "int_parsing", "loc": []any{"body", "top_k"}, "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "many"}, ""},
		{"stream not a bool", "/query", "application/json", `{"question": "x", "stream": "maybe"}`, 422,
			item{"type": "bool_parsing", "loc": []any{"body", "stream"}, "msg": "Input should be a valid boolean, unable to interpret input", "input": "maybe"}, ""},
		{"body not an object", "/search", "application/json", `[1, 2]`, 422,
			item{"type": "model_attributes_type", "loc": []any{"body"}, "msg": "Input should be a valid dictionary or object to extract fields from", "input": []any{float64(1), float64(2)}}, ""},
		// Positions are Python's json module's character offsets, as
		// FastAPI reports them: json.loads('{"question": "x",}') fails at
		// char 17, '{"question": }' at char 13, and the third one at char
		// 19 (characters, not bytes: 日本 are two characters, six bytes).
		{"json_invalid trailing comma", "/query", "application/json", `{"question": "x",}`, 422,
			item{"type": "json_invalid", "loc": []any{"body", float64(17)}, "msg": "JSON decode error", "input": item{}}, ""},
		{"json_invalid missing value", "/query", "application/json", `{"question": }`, 422,
			item{"type": "json_invalid", "loc": []any{"body", float64(13)}, "msg": "JSON decode error", "input": item{}}, ""},
		{"json_invalid after multibyte", "/query", "application/json", `{"question": "日本", x}`, 422,
			item{"type": "json_invalid", "loc": []any{"body", float64(19)}, "msg": "JSON decode error", "input": item{}}, ""},
		{"bad filter operator", "/search", "application/json", `{"query": "battery", "filter": {"lang": {"$regex": "e."}}}`, 422,
			item{"type": "value_error", "loc": []any{"body", "filter", "lang"}}, ""},
		{"wrong content type", "/query", "text/plain", `{"question": "x"}`, 415, nil, "Unsupported Media Type"},
		{"form content type", "/search", "application/x-www-form-urlencoded", `query=x`, 415, nil, "Unsupported Media Type"},
		{"body over MAX_BODY_BYTES", "/query", "application/json", `{"question": "` + strings.Repeat("a", 100_000) + `"}`, 413, nil, "4096"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := p.do("POST", tc.path, http.Header{"Content-Type": {tc.contentType}}, tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tc.wantStatus, tail(string(body), 400))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			var got struct {
				Detail json.RawMessage `json:"detail"`
			}
			decode(t, body, &got)
			if tc.wantItem == nil {
				var s string
				if err := json.Unmarshal(got.Detail, &s); err != nil || !strings.Contains(s, tc.wantDetail) {
					t.Errorf("detail = %s, want a string containing %q", got.Detail, tc.wantDetail)
				}
				return
			}
			var items []map[string]any
			decode(t, got.Detail, &items)
			if len(items) == 0 {
				t.Fatalf("detail is an empty list: %s", body)
			}
			it := items[0]
			if _, ok := it["url"]; ok {
				t.Errorf("item has a url key (FastAPI >= 0.110.2 has none): %v", it)
			}
			for k, want := range tc.wantItem {
				if !reflect.DeepEqual(it[k], want) {
					t.Errorf("detail[0].%s = %#v, want %#v (item %v)", k, it[k], want, it)
				}
			}
			if it["type"] == "json_invalid" {
				ctx, _ := it["ctx"].(map[string]any)
				if e, _ := ctx["error"].(string); e == "" {
					t.Errorf("json_invalid item has no ctx.error: %v", it)
				}
			}
		})
	}
}

// searchHit is one ranked chunk in a /search or /query answer.
type searchHit struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Score    float64        `json:"score"`
	Metadata map[string]any `json:"metadata"`
}

// searchResult is POST /search's answer as a client sees it.
type searchResult struct {
	Results []searchHit `json:"results"`
	Query   string      `json:"query"`
	TopK    int         `json:"top_k"`
	Mode    string      `json:"mode"`
}

func (r searchResult) ids() []string {
	out := make([]string, len(r.Results))
	for i, h := range r.Results {
		out[i] = h.ID
	}
	return out
}

func TestE2E_Search(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	byID := map[string]fixtureChunk{}
	for _, c := range fixtureChunks {
		byID[c.id] = c
	}
	search := func(t *testing.T, body string) searchResult {
		t.Helper()
		resp, b := p.postJSON("/search", body)
		if resp.StatusCode != 200 {
			t.Fatalf("/search %s: %d %s", body, resp.StatusCode, b)
		}
		var r searchResult
		decode(t, b, &r)
		for i, h := range r.Results {
			c, ok := byID[h.ID]
			if !ok {
				t.Fatalf("result %d has unknown id %q", i, h.ID)
			}
			if h.Text != c.text || h.Metadata["source"] != c.source || h.Metadata["lang"] != c.lang || h.Metadata["topic"] != c.topic {
				t.Errorf("result %q: text/metadata do not match the stored chunk: %+v", h.ID, h)
			}
			if i > 0 && h.Score > r.Results[i-1].Score {
				t.Errorf("results not ranked: score[%d]=%v > score[%d]=%v", i, h.Score, i-1, r.Results[i-1].Score)
			}
			if h.Score <= 0 {
				t.Errorf("result %q has score %v, want > 0", h.ID, h.Score)
			}
		}
		return r
	}

	for _, tc := range []struct {
		name    string
		body    string
		wantN   int
		wantTop string
	}{
		{"top_k 3", `{"query": "How should I store the battery when I do not ride for several weeks?", "top_k": 3}`, 3, "battery-en-1"},
		{"top_k 1", `{"query": "how long does a full charge take with the charger", "top_k": 1}`, 1, "charging-en"},
		{"default top_k is 5", `{"query": "warranty for the frame"}`, 5, "warranty-en"},
		{"japanese", `{"query": "長期間乗らない時のバッテリーの保管場所", "top_k": 2}`, 2, "battery-ja"},
		{"vector mode", `{"query": "brake pads thinner than millimetres", "top_k": 2, "mode": "vector"}`, 2, "brakes-en"},
		{"keyword mode", `{"query": "tire pressure gauge", "top_k": 2, "mode": "keyword"}`, 0, "tires-en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := search(t, tc.body)
			if tc.wantN > 0 && len(r.Results) != tc.wantN {
				t.Errorf("%d results %v, want %d", len(r.Results), r.ids(), tc.wantN)
			}
			if len(r.Results) == 0 || r.Results[0].ID != tc.wantTop {
				t.Errorf("ranking %v, want %s first", r.ids(), tc.wantTop)
			}
		})
	}

	t.Run("filter equality", func(t *testing.T) {
		q := `"query": "battery warranty years charge", "top_k": 10`
		all := search(t, `{`+q+`}`)
		if !slices.ContainsFunc(all.Results, func(h searchHit) bool {
			return h.Metadata["lang"] == "en"
		}) {
			t.Fatalf("unfiltered results %v hold no English chunk; the filter test would prove nothing", all.ids())
		}
		ja := search(t, `{`+q+`, "filter": {"lang": "ja"}}`)
		if len(ja.Results) == 0 {
			t.Fatalf("filter lang=ja returned nothing")
		}
		for _, h := range ja.Results {
			if h.Metadata["lang"] != "ja" {
				t.Errorf("filter lang=ja returned %s (lang %v)", h.ID, h.Metadata["lang"])
			}
		}
	})
	t.Run("filter $in", func(t *testing.T) {
		r := search(t, `{"query": "battery", "top_k": 10, "filter": {"topic": {"$in": ["warranty", "returns"]}}}`)
		if len(r.Results) == 0 || r.Results[0].ID != "warranty-en" {
			t.Errorf("$in filter ranking %v, want warranty-en (the only match for \"battery\") first", r.ids())
		}
		got := r.ids()
		slices.Sort(got)
		if want := []string{"returns-en", "returns-ja", "warranty-en", "warranty-ja"}; !reflect.DeepEqual(got, want) {
			t.Errorf("$in filter returned %v, want exactly %v", got, want)
		}
	})
	t.Run("filter on numbers", func(t *testing.T) {
		for _, tc := range []struct {
			filter string
			pages  []float64
		}{
			{`{"page": 2}`, []float64{2}},
			{`{"page": {"$in": [1, 3]}}`, []float64{1, 3}},
			{`{"page": {"$ne": 1.0}}`, []float64{2, 3}},
		} {
			r := search(t, `{"query": "battery warranty repair", "top_k": 12, "mode": "keyword", "filter": `+tc.filter+`}`)
			if len(r.Results) == 0 {
				t.Errorf("filter %s returned nothing", tc.filter)
			}
			for _, h := range r.Results {
				if p, _ := h.Metadata["page"].(float64); !slices.Contains(tc.pages, p) {
					t.Errorf("filter %s returned %s on page %v", tc.filter, h.ID, h.Metadata["page"])
				}
			}
		}
	})
	t.Run("filter on two fields", func(t *testing.T) {
		r := search(t, `{"query": "battery", "top_k": 10, "filter": {"topic": "battery", "lang": "en"}}`)
		got := r.ids()
		slices.Sort(got)
		if !reflect.DeepEqual(got, []string{"battery-en-1", "battery-en-2"}) {
			t.Errorf("topic=battery AND lang=en returned %v", got)
		}
	})
}

func TestE2E_Query(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	resp, b := p.postJSON("/query", `{"question": "How long does a full charge take with the standard charger?", "top_k": 3}`)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/query: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var r struct {
		Answer  string      `json:"answer"`
		Model   string      `json:"model"`
		Sources []searchHit `json:"sources"`
	}
	decode(t, b, &r)
	if r.Model != "extractive" {
		t.Errorf("model = %q, want extractive", r.Model)
	}
	if len(r.Sources) == 0 || len(r.Sources) > 3 || r.Sources[0].ID != "charging-en" {
		t.Fatalf("sources %+v, want 1-3 with charging-en first", r.Sources)
	}
	if r.Sources[0].Metadata["source"] != "en/charging.md" || r.Sources[0].Text == "" {
		t.Errorf("source 1 lacks text or metadata: %+v", r.Sources[0])
	}
	if !strings.Contains(r.Answer, "four hours") || !strings.Contains(r.Answer, "[1]") || !strings.HasPrefix(r.Answer, "Extractive answer") {
		t.Errorf("answer does not quote and cite the charging passage:\n%s", r.Answer)
	}

	t.Run("japanese question answers in Japanese", func(t *testing.T) {
		resp, b := p.postJSON("/query", `{"question": "満充電まで何時間かかりますか？", "filter": {"lang": "ja"}}`)
		if resp.StatusCode != 200 {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		var r struct {
			Answer string `json:"answer"`
		}
		decode(t, b, &r)
		if !strings.HasPrefix(r.Answer, "抽出型の回答") || !strings.Contains(r.Answer, "約4時間") {
			t.Errorf("answer:\n%s", r.Answer)
		}
	})
}

// sseEvent is one event of a streamed /query.
type sseEvent struct {
	Type string
	Data map[string]any
}

func TestE2E_QueryStream(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	const body = `{"question": "How should I store the battery and how long does charging take?", "top_k": 4, "stream": true}`

	t.Run("sse client", func(t *testing.T) {
		req, _ := http.NewRequest("POST", p.URL+"/query", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		resp, err := p.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("Cache-Control = %q, want no-cache", resp.Header.Get("Cache-Control"))
		}
		if resp.ContentLength != -1 || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("want a chunked response of unknown length, got length %d, encoding %v", resp.ContentLength, resp.TransferEncoding)
		}
		rd := sseclient.NewReader(resp.Body, 0)
		var evs []sseEvent
		for {
			ev, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("read event %d: %v", len(evs), err)
			}
			var data map[string]any
			if err := json.Unmarshal([]byte(ev.Data), &data); err != nil {
				t.Fatalf("event %q data is not JSON: %q", ev.Type, ev.Data)
			}
			evs = append(evs, sseEvent{ev.Type, data})
		}
		checkStreamEvents(t, evs)
	})

	// Each event must be flushed on its own. The extractive generator
	// produces the whole answer in microseconds, so "first event before
	// the response completes" cannot be observed by timing; instead this
	// reads the raw chunked framing off the socket. net/http turns each
	// Flush into the end of a chunk and otherwise buffers 2 KiB before
	// writing, so if every event ends exactly at a chunk end and no chunk
	// holds the end of one event and the start of the next, every event
	// was flushed as it was written.
	t.Run("each event flushed", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(p.URL, "http://"), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
		fmt.Fprintf(conn, "POST /query HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			strings.TrimPrefix(p.URL, "http://"), len(body), body)
		br := bufio.NewReader(conn)
		tp := textproto.NewReader(br)
		status, err := tp.ReadLine()
		if err != nil || status != "HTTP/1.1 200 OK" {
			t.Fatalf("status line %q, %v", status, err)
		}
		hdr, err := tp.ReadMIMEHeader()
		if err != nil || hdr.Get("Transfer-Encoding") != "chunked" {
			t.Fatalf("headers %v, %v", hdr, err)
		}
		var chunks []string
		for {
			line, err := tp.ReadLine()
			if err != nil {
				t.Fatalf("chunk size line: %v", err)
			}
			size, err := strconv.ParseInt(strings.SplitN(line, ";", 2)[0], 16, 64)
			if err != nil {
				t.Fatalf("chunk size %q: %v", line, err)
			}
			if size == 0 {
				break
			}
			buf := make([]byte, size+2)
			if _, err := io.ReadFull(br, buf); err != nil || string(buf[size:]) != "\r\n" {
				t.Fatalf("chunk data: %v", err)
			}
			chunks = append(chunks, string(buf[:size]))
		}
		var stream strings.Builder
		for i, c := range chunks {
			if !strings.HasSuffix(c, "\n\n") {
				// An event larger than the 2 KiB buffer may span chunks;
				// then this chunk must hold no event end at all.
				if strings.Contains(c, "\n\n") {
					t.Errorf("chunk %d ends mid-event after an event end: %q", i, c)
				}
			} else if n := strings.Count(c, "\n\n"); n != 1 {
				t.Errorf("chunk %d holds %d events (not flushed one by one): %q", i, n, c)
			}
			stream.WriteString(c)
		}
		rd := sseclient.NewReader(strings.NewReader(stream.String()), 0)
		var evs []sseEvent
		for {
			ev, err := rd.Next()
			if err != nil {
				break
			}
			var data map[string]any
			_ = json.Unmarshal([]byte(ev.Data), &data)
			evs = append(evs, sseEvent{ev.Type, data})
		}
		checkStreamEvents(t, evs)
		if len(chunks) < len(evs) {
			t.Errorf("%d chunks for %d events", len(chunks), len(evs))
		}
	})

	t.Run("validation error before streaming is a plain 422", func(t *testing.T) {
		resp, b := p.postJSON("/query", `{"stream": true}`)
		if resp.StatusCode != 422 || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("status %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	})
}

// checkStreamEvents asserts the event order sources, delta..., done and
// that the deltas add up to the final answer.
func checkStreamEvents(t *testing.T, evs []sseEvent) {
	t.Helper()
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
	}
	if len(evs) < 3 || evs[0].Type != "sources" || evs[len(evs)-1].Type != "done" {
		t.Fatalf("events %v, want sources, delta..., done", types)
	}
	srcs, _ := evs[0].Data["sources"].([]any)
	if len(srcs) == 0 || len(srcs) > 4 {
		t.Errorf("sources event holds %d sources, want 1-4", len(srcs))
	}
	for _, s := range srcs {
		m, _ := s.(map[string]any)
		if m["id"] == "" || m["text"] == "" || m["metadata"] == nil || m["score"] == nil {
			t.Errorf("source lacks id/text/score/metadata: %v", m)
		}
	}
	var answer strings.Builder
	for _, e := range evs[1 : len(evs)-1] {
		if e.Type != "delta" {
			t.Errorf("events %v: %q between sources and done", types, e.Type)
		}
		s, _ := e.Data["text"].(string)
		answer.WriteString(s)
	}
	done := evs[len(evs)-1].Data
	if done["model"] != "extractive" || done["answer"] != answer.String() || answer.Len() == 0 {
		t.Errorf("done %v does not match the deltas %q", done, answer.String())
	}
}

func TestE2E_AccessLog(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	cases := []struct {
		id, method, path, ctype, body string
		origin                        string
		route                         string
		status                        int
	}{
		{"log-health", "GET", "/health", "", "", "", "/health", 200},
		{"log-ready", "GET", "/ready", "", "", "", "/ready", 200},
		{"log-search", "POST", "/search", "application/json", `{"query": "battery"}`, "", "/search", 200},
		{"log-404", "GET", "/secret/user/text", "", "", "", "unmatched", 404},
		{"log-405", "PUT", "/search", "", "", "", "unmatched", 405},
		{"log-422", "POST", "/query", "application/json", `{}`, "", "/query", 422},
		{"log-stream", "POST", "/query", "application/json", `{"question": "battery storage", "stream": true}`, "", "/query", 200},
		{"log-preflight", "OPTIONS", "/search", "", "", "http://localhost:3000", "unmatched", 200},
	}
	sizes := map[string]int{}
	for _, tc := range cases {
		h := http.Header{"X-Request-Id": {tc.id}}
		if tc.ctype != "" {
			h.Set("Content-Type", tc.ctype)
		}
		if tc.origin != "" {
			h.Set("Origin", tc.origin)
			h.Set("Access-Control-Request-Method", "POST")
		}
		resp, b := p.do(tc.method, tc.path, h, tc.body)
		if resp.StatusCode != tc.status {
			t.Fatalf("%s %s: status %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
		sizes[tc.id] = len(b)
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			// The line is written after the response, so wait for it.
			rec, ok := p.Stdout.waitRecord(10*time.Second, func(r logRecord) bool {
				return r.str("msg") == "request" && r.str("req_id") == tc.id
			})
			if !ok {
				t.Fatalf("no access log line for %s", tc.id)
			}
			want := map[string]any{"method": tc.method, "route": tc.route, "status": float64(tc.status), "bytes": float64(sizes[tc.id])}
			for k, v := range want {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v (line %v)", k, rec[k], v, rec)
				}
			}
			if ms, ok := rec["took_ms"].(float64); !ok || ms < 0 || ms > 30_000 {
				t.Errorf("took_ms = %v", rec["took_ms"])
			}
			if strings.Contains(fmt.Sprint(rec), "secret/user/text") {
				t.Errorf("access log carries the raw path: %v", rec)
			}
		})
	}
	// Exactly one access line per request, and stdout is nothing but JSON.
	recs, bad := p.Stdout.records()
	if len(bad) > 0 {
		t.Errorf("stdout lines that are not JSON: %q", bad)
	}
	count := map[string]int{}
	for _, r := range recs {
		if r.str("msg") == "request" {
			count[r.str("req_id")]++
		}
		if r.str("time") == "" || r.str("level") == "" {
			t.Errorf("log line without time or level: %v", r)
		}
	}
	for _, tc := range cases {
		if count[tc.id] != 1 {
			t.Errorf("%d access log lines for %s, want 1", count[tc.id], tc.id)
		}
	}
}

func TestE2E_CORS(t *testing.T) {
	t.Parallel()
	const amplify = "https://main.d1abc.amplifyapp.com"
	p := readyFixtureServer(t, map[string]string{
		"CORS_ALLOW_ORIGINS":      amplify + ",http://localhost:3000",
		"CORS_ALLOW_ORIGIN_REGEX": `https://[a-z0-9-]+\.d1abc\.amplifyapp\.com`,
	})
	searchBody := `{"query": "battery"}`
	cases := []struct {
		name       string
		method     string
		path       string
		header     map[string]string
		body       string
		wantStatus int
		allowed    bool   // expect ACAO echoed with credentials
		wantBody   string // substring
	}{
		{"allowed origin", "POST", "/search", map[string]string{"Origin": amplify, "Content-Type": "application/json"}, searchBody, 200, true, `"results"`},
		{"localhost frontend", "POST", "/search", map[string]string{"Origin": "http://localhost:3000", "Content-Type": "application/json"}, searchBody, 200, true, `"results"`},
		{"regex origin (branch preview)", "POST", "/query", map[string]string{"Origin": "https://feature-x.d1abc.amplifyapp.com", "Content-Type": "application/json"}, `{"question": "battery"}`, 200, true, `"answer"`},
		{"other origin gets no CORS headers", "POST", "/search", map[string]string{"Origin": "https://evil.example", "Content-Type": "application/json"}, searchBody, 200, false, `"results"`},
		{"no origin", "GET", "/health", nil, "", 200, false, `"ok"`},
		{"404 readable by the frontend", "GET", "/nope", map[string]string{"Origin": amplify}, "", 404, true, "Not Found"},
		{"422 readable by the frontend", "POST", "/query", map[string]string{"Origin": amplify, "Content-Type": "application/json"}, `{}`, 422, true, "missing"},
		{"preflight allowed", "OPTIONS", "/search", map[string]string{"Origin": amplify, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"}, "", 200, true, ""},
		{"preflight other origin", "OPTIONS", "/search", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, "", 400, false, "Disallowed CORS origin"},
		{"preflight disallowed method", "OPTIONS", "/search", map[string]string{"Origin": amplify, "Access-Control-Request-Method": "DELETE"}, "", 400, false, "Disallowed CORS method"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			resp, b := p.do(tc.method, tc.path, h, tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, b)
			}
			if !strings.Contains(string(b), tc.wantBody) {
				t.Errorf("body %q lacks %q", b, tc.wantBody)
			}
			acao := resp.Header.Get("Access-Control-Allow-Origin")
			acac := resp.Header.Get("Access-Control-Allow-Credentials")
			if !tc.allowed {
				if acao != "" || acac != "" {
					t.Errorf("ACAO %q, ACAC %q; want none", acao, acac)
				}
				if tc.header["Origin"] != "" && !hasToken(resp.Header.Values("Vary"), "Origin") {
					t.Errorf("Vary = %q, want Origin (the answer depends on it)", resp.Header.Values("Vary"))
				}
				return
			}
			if acao != tc.header["Origin"] || acac != "true" {
				t.Errorf("ACAO %q, ACAC %q; want %q, true", acao, acac, tc.header["Origin"])
			}
			if !hasToken(resp.Header.Values("Vary"), "Origin") {
				t.Errorf("Vary = %q, want Origin", resp.Header.Values("Vary"))
			}
			if tc.method == "OPTIONS" {
				if !hasToken(resp.Header.Values("Access-Control-Allow-Methods"), "POST") {
					t.Errorf("Allow-Methods = %q", resp.Header.Values("Access-Control-Allow-Methods"))
				}
				if !hasToken(resp.Header.Values("Access-Control-Allow-Headers"), "content-type") {
					t.Errorf("Allow-Headers = %q", resp.Header.Values("Access-Control-Allow-Headers"))
				}
			} else if !hasToken(resp.Header.Values("Access-Control-Expose-Headers"), "X-Request-ID") {
				t.Errorf("Expose-Headers = %q, want X-Request-ID", resp.Header.Values("Access-Control-Expose-Headers"))
			}
		})
	}
}

// hasToken reports whether a comma-separated header holds tok
// (case-insensitively).
func hasToken(values []string, tok string) bool {
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), tok) {
				return true
			}
		}
	}
	return false
}

func TestE2E_InvalidEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string
		want []string // each must appear on stderr
	}{
		{"port not a number", map[string]string{"PORT": "abc"}, []string{"PORT"}},
		{"port out of range", map[string]string{"PORT": "70000"}, []string{"PORT"}},
		{"unknown embedder", map[string]string{"EMBEDDER": "nope"}, []string{"EMBEDDER"}},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL"}},
		{"cors origin with path", map[string]string{"CORS_ALLOW_ORIGINS": "http://localhost:3000/app"}, []string{"CORS_ALLOW_ORIGINS"}},
		{"shutdown timeout beyond Fargate", map[string]string{"SHUTDOWN_TIMEOUT": "5m"}, []string{"SHUTDOWN_TIMEOUT"}},
		{"body limit too small", map[string]string{"MAX_BODY_BYTES": "10"}, []string{"MAX_BODY_BYTES"}},
		{"s3 uri", map[string]string{"VECTORSTORE_S3_URI": "https://bucket/prefix"}, []string{"VECTORSTORE_S3_URI"}},
		{"openai without key", map[string]string{"LLM": "openai"}, []string{"OPENAI_API_KEY"}},
		{"index name not a file stem", map[string]string{"VECTORSTORE_INDEX_NAME": "../faiss_index"}, []string{"VECTORSTORE_INDEX_NAME"}},
		{"all errors named at once", map[string]string{"PORT": "abc", "EMBEDDER": "nope"}, []string{"PORT", "EMBEDDER"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(fixtureStore(t))
			for k, v := range tc.env {
				env[k] = v
			}
			p := launch(t, env)
			code := p.wait(20 * time.Second)
			stderr := p.Stderr.String()
			if code == 0 {
				t.Errorf("exit code 0, want non-zero")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %s:\n%s", w, stderr)
				}
			}
			if !strings.Contains(stderr, "invalid configuration") {
				t.Errorf("stderr does not say the configuration is invalid:\n%s", stderr)
			}
			if _, ok := p.Stdout.wait(0, func(l string) bool { return strings.Contains(l, `"msg":"listening"`) }); ok {
				t.Errorf("it listened before failing:\n%s", p.Stdout)
			}
		})
	}
}

func TestE2E_PortInUse(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	env := baseEnv(fixtureStore(t))
	env["PORT"] = port
	p := launch(t, env)
	if code := p.wait(20 * time.Second); code == 0 {
		t.Errorf("exit code 0 with the port taken")
	}
	// Once the logger exists, the reason is its last line, JSON like the
	// others (CloudWatch), and stderr stays empty.
	rec, ok := p.Stdout.waitRecord(0, func(r logRecord) bool { return r.str("msg") == "exiting" })
	for _, want := range []string{"listen on 127.0.0.1:" + port, "address already in use"} {
		if !ok || !strings.Contains(rec.str("error"), want) || rec.str("level") != "ERROR" {
			t.Errorf("no ERROR exiting line with %q:\n%s", want, p.Stdout)
		}
	}
	if s := p.Stderr.String(); s != "" {
		t.Errorf("stderr %q, want nothing: the reason is logged", s)
	}
}

func TestE2E_ReadyWhileLoading(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "vectorstore")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := startServer(t, baseEnv(dir))

	// /health is 200 as soon as it listens; /ready stays 503 with the
	// reason while the folder holds no store, and the RAG routes say so.
	// Until the first load attempt has failed /ready says only "Loading
	// the vector store": wait for that failure, not for a time.
	if _, ok := p.Stdout.wait(30*time.Second, func(l string) bool { return strings.Contains(l, "vector store load failed") }); !ok {
		t.Fatalf("no failed load logged for the empty folder:\n%s", p.Stdout)
	}
	status, body := p.getJSON("/ready")
	if status != 503 {
		t.Fatalf("/ready with an empty store folder: %d %v", status, body)
	}
	if d, _ := body["detail"].(string); !strings.Contains(d, "not loaded") || !strings.Contains(d, dir) {
		t.Errorf("/ready detail %q does not give the reason", d)
	}
	resp, b := p.postJSON("/search", `{"query": "battery"}`)
	if resp.StatusCode != 503 {
		t.Errorf("/search before load: %d %s", resp.StatusCode, b)
	}
	assertJSONEqual(t, b, `{"detail":"Vector store is not loaded yet"}`)
	if code := runHealthcheck(t, p.URL+"/ready"); code != 1 {
		t.Errorf("healthcheck on /ready while loading exited %d, want 1", code)
	}

	// The server retries with backoff; once a store appears it loads it.
	if err := writeFixtureStore(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	ready := p.waitReady(30 * time.Second)
	vs, _ := ready["vectorstore"].(map[string]any)
	assertStoreFacts(t, vs, dir)
	resp, b = p.postJSON("/search", `{"query": "battery", "top_k": 2}`)
	if resp.StatusCode != 200 {
		t.Errorf("/search after load: %d %s", resp.StatusCode, b)
	}
	if code := runHealthcheck(t, p.URL+"/ready"); code != 0 {
		t.Errorf("healthcheck on /ready after load exited %d, want 0", code)
	}
}

// TestE2E_AuthAndReload: API keys guard the RAG routes (not the probes,
// docs or CORS preflights); the admin token guards /admin/reload, which
// hot-swaps a new store written into VECTORSTORE_DIR and keeps serving
// the old one when the new one is corrupt.
func TestE2E_AuthAndReload(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "vectorstore")
	if err := writeFixtureStore(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	env := baseEnv(dir)
	env["API_KEYS"] = "key-one,key-two"
	env["ADMIN_TOKEN"] = "admin-secret"
	p := startServer(t, env)
	p.waitReady(30 * time.Second)

	bearer := func(tok string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		if tok != "" {
			h.Set("Authorization", "Bearer "+tok)
		}
		return h
	}
	search := `{"query": "battery", "top_k": 2}`
	for _, tc := range []struct {
		name       string
		method     string
		path       string
		header     http.Header
		body       string
		wantStatus int
		wantDetail string
	}{
		{"search without key", "POST", "/search", bearer(""), search, 401, "Not authenticated"},
		{"search with wrong key", "POST", "/search", bearer("nope"), search, 401, "Invalid authentication credentials"},
		{"search with second key", "POST", "/search", bearer("key-two"), search, 200, ""},
		{"query without key", "POST", "/query", bearer(""), `{"question": "battery"}`, 401, "Not authenticated"},
		{"vectorstore without key", "GET", "/vectorstore", nil, "", 401, "Not authenticated"},
		{"vectorstore with key", "GET", "/vectorstore", bearer("key-one"), "", 200, ""},
		{"health open", "GET", "/health", nil, "", 200, ""},
		{"ready open", "GET", "/ready", nil, "", 200, ""},
		{"openapi open", "GET", "/openapi.json", nil, "", 200, ""},
		{"preflight needs no key", "OPTIONS", "/search", http.Header{"Origin": {"http://localhost:3000"}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization,content-type"}}, "", 200, ""},
		{"reload without token", "POST", "/admin/reload", nil, "", 401, "Not authenticated"},
		{"reload with an API key", "POST", "/admin/reload", bearer("key-one"), "", 403, "Invalid admin token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := p.do(tc.method, tc.path, tc.header, tc.body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, b)
			}
			if tc.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("WWW-Authenticate = %q, want Bearer", resp.Header.Get("WWW-Authenticate"))
			}
			if tc.wantDetail != "" {
				assertJSONEqual(t, b, `{"detail":"`+tc.wantDetail+`"}`)
			}
		})
	}

	vectorstore := func() map[string]any {
		t.Helper()
		resp, b := p.do("GET", "/vectorstore", bearer("key-one"), "")
		var m map[string]any
		decode(t, b, &m)
		if resp.StatusCode != 200 {
			t.Fatalf("/vectorstore: %d %v", resp.StatusCode, m)
		}
		return m
	}

	// Hot swap: a new version with one more chunk.
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.Context(), dir, store.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	chunks := make([]docmodel.Chunk, 0, st.ChunkCount()+1)
	for i := range st.ChunkCount() {
		chunks = append(chunks, st.Chunk(i))
	}
	chunks = append(chunks, docmodel.Chunk{ID: "lock-en", Text: "The frame lock uses a four digit combination; reset it with the orange key.", Metadata: map[string]any{"source": "en/lock.md", "lang": "en", "topic": "lock"}})
	var texts []string
	for _, c := range chunks {
		texts = append(texts, c.Text)
	}
	vecs, err := emb.Embed(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var flat []float32
	for _, v := range vecs {
		flat = append(flat, v...)
	}
	if _, err := store.Write(t.Context(), dir, chunks, flat, store.WriteOptions{Version: "e2e-fixture-2", Embedding: emb.Info()}); err != nil {
		t.Fatal(err)
	}
	resp, b := p.do("POST", "/admin/reload", bearer("admin-secret"), "")
	if resp.StatusCode != 200 {
		t.Fatalf("reload: %d %s", resp.StatusCode, b)
	}
	vs := vectorstore()
	if vs["version"] != "e2e-fixture-2" || vs["count"] != float64(len(fixtureChunks)+1) || vs["reloads"] != float64(1) {
		t.Errorf("after reload /vectorstore = %v, want version e2e-fixture-2, count %d, reloads 1", vs, len(fixtureChunks)+1)
	}
	resp, b = p.do("POST", "/search", bearer("key-one"), `{"query": "frame lock combination orange key", "top_k": 1}`)
	var r searchResult
	decode(t, b, &r)
	if resp.StatusCode != 200 || len(r.Results) != 1 || r.Results[0].ID != "lock-en" {
		t.Errorf("search after reload: %d %v", resp.StatusCode, r.ids())
	}

	// A corrupt store is refused and the served one stays. The corrupt
	// file replaces the served one as syncs and builds replace files (a
	// new file renamed over it): the served store maps its files, and one
	// truncated in place would take its pages away (store.Store's doc).
	if err := fsatomic.WriteFile(filepath.Join(dir, store.VectorsFile), []byte("truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, b = p.do("POST", "/admin/reload", bearer("admin-secret"), "")
	if resp.StatusCode != 503 || !strings.Contains(string(b), "previous vector store is still served") {
		t.Errorf("reload of a corrupt store: %d %s", resp.StatusCode, b)
	}
	vs = vectorstore()
	if vs["version"] != "e2e-fixture-2" || vs["last_error"] == nil {
		t.Errorf("after a failed reload /vectorstore = %v, want version e2e-fixture-2 and last_error", vs)
	}
	resp, b = p.do("POST", "/search", bearer("key-one"), `{"query": "frame lock combination orange key", "top_k": 1}`)
	decode(t, b, &r)
	if resp.StatusCode != 200 || len(r.Results) != 1 || r.Results[0].ID != "lock-en" {
		t.Errorf("search after a failed reload: %d %v", resp.StatusCode, r.ids())
	}
	if status, _ := p.getJSON("/ready"); status != 200 {
		t.Errorf("/ready after a failed reload: %d, want 200 (the old store is served)", status)
	}
}

// TestE2E_LangChainFolder serves the LangChain FAISS folders written by
// Python (FAISS 1.7.3, LangChain save_local; internal/store/testdata) as
// they are, the switch-over path for the production store, and checks the
// vector search over HTTP against what FAISS itself returned
// (expected.json): same documents in the same order, and LangChain's
// relevance scores.
func TestE2E_LangChainFolder(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", "..", "internal", "store", "testdata", "langchain"))
	if err != nil {
		t.Fatal(err)
	}
	// Every fixture, the one saved with index_name="faiss_index" too
	// (served with VECTORSTORE_INDEX_NAME).
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "*.faiss"))
	if len(dirs) == 0 {
		t.Fatalf("no LangChain fixtures under %s", root)
	}
	for _, idx := range dirs {
		dir := filepath.Dir(idx)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			var want struct {
				Dims      int              `json:"dims"`
				Count     int              `json:"count"`
				K         int              `json:"k"`
				Queries   [][]float32      `json:"queries"`
				Labels    [][]int          `json:"labels"`
				Relevance [][]float64      `json:"relevance"`
				IDs       []string         `json:"ids"`
				Texts     []string         `json:"texts"`
				Metadata  []map[string]any `json:"metadata"`
				// Row i's FAISS id when the index has an id map; the
				// labels above are then those ids.
				FAISSLabels []int `json:"faiss_labels"`
				// IndexName is the index_name the folder was saved with,
				// when not LangChain's default.
				IndexName string `json:"index_name"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			decode(t, b, &want)
			rowOf := func(label int) int { return label }
			if want.FAISSLabels != nil {
				rowOf = func(label int) int { return slices.Index(want.FAISSLabels, label) }
			}
			env := baseEnv(dir)
			env["EMBEDDING_DIMS"] = strconv.Itoa(want.Dims)
			if want.IndexName != "" {
				env["VECTORSTORE_INDEX_NAME"] = want.IndexName
			}
			p := startServer(t, env)
			ready := p.waitReady(30 * time.Second)
			vs, _ := ready["vectorstore"].(map[string]any)
			if vs["format"] != "langchain-faiss" || vs["count"] != float64(want.Count) || vs["dims"] != float64(want.Dims) {
				t.Errorf("/ready facts %v, want langchain-faiss, %d x %d", vs, want.Count, want.Dims)
			}
			for qi, q := range want.Queries {
				body, _ := json.Marshal(map[string]any{"vector": q, "top_k": want.K, "mode": "vector"})
				resp, b := p.postJSON("/search", string(body))
				if resp.StatusCode != 200 {
					t.Fatalf("query %d: %d %s", qi, resp.StatusCode, b)
				}
				var r searchResult
				decode(t, b, &r)
				if len(r.Results) != len(want.Labels[qi]) {
					t.Fatalf("query %d: %d results, FAISS returned %d", qi, len(r.Results), len(want.Labels[qi]))
				}
				for rank, h := range r.Results {
					row := rowOf(want.Labels[qi][rank])
					if row < 0 || h.ID != want.IDs[row] {
						t.Errorf("query %d rank %d: id %s, FAISS says label %d (row %d)", qi, rank, h.ID, want.Labels[qi][rank], row)
						continue
					}
					if h.Text != want.Texts[row] || h.Metadata["source"] != want.Metadata[row]["source"] {
						t.Errorf("query %d rank %d: text/metadata %q %v, want %q %v", qi, rank, h.Text, h.Metadata, want.Texts[row], want.Metadata[row])
					}
					if d := h.Score - want.Relevance[qi][rank]; d > 1e-4 || d < -1e-4 {
						t.Errorf("query %d rank %d: score %v, LangChain reports %v", qi, rank, h.Score, want.Relevance[qi][rank])
					}
				}
			}
		})
	}
}

// TestE2E_StoreProblems: a store the server cannot serve keeps /ready at
// 503 with a reason an operator can act on, while /health stays 200 (so
// ECS does not restart-loop the task). Each server is then stopped with
// SIGTERM by the cleanup, which also checks that a server that never got
// ready exits 0.
func TestE2E_StoreProblems(t *testing.T) {
	t.Parallel()
	corrupt := filepath.Join(t.TempDir(), "corrupt")
	if err := writeFixtureStore(t.Context(), corrupt); err != nil {
		t.Fatal(err)
	}
	vf := filepath.Join(corrupt, store.VectorsFile)
	vb, err := os.ReadFile(vf)
	if err != nil {
		t.Fatal(err)
	}
	vb[10] ^= 0xff // same size, different content
	if err := os.WriteFile(vf, vb, 0o644); err != nil {
		t.Fatal(err)
	}
	halfLC := filepath.Join(t.TempDir(), "half-langchain")
	if err := os.Mkdir(halfLC, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(halfLC, store.LangChainIndexFile), []byte("IxF2"), 0o644); err != nil {
		t.Fatal(err)
	}
	namedLC, err := filepath.Abs(filepath.Join("..", "..", "internal", "store", "testdata", "langchain", "index_name_flat_l2_pydantic_v2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dir  string
		env  map[string]string
		want []string // substrings of /ready's detail
	}{
		{"embedder dims differ from the store", fixtureStore(t), map[string]string{"EMBEDDING_DIMS": "256"}, []string{"dimension mismatch", "384", "256"}},
		{"vectors file altered", corrupt, nil, []string{store.VectorsFile}},
		{"langchain folder without index.pkl", halfLC, nil, []string{"index.pkl"}},
		// Saved with index_name="faiss_index" and served without
		// VECTORSTORE_INDEX_NAME: the reason says what to set.
		{"langchain folder under another index_name", namedLC, nil, []string{"found faiss_index.faiss + faiss_index.pkl: set VECTORSTORE_INDEX_NAME=faiss_index"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := baseEnv(tc.dir)
			for k, v := range tc.env {
				env[k] = v
			}
			p := startServer(t, env)
			// The first load attempt has run once its failure is logged.
			if _, ok := p.Stdout.wait(30*time.Second, func(l string) bool { return strings.Contains(l, "vector store load failed") }); !ok {
				t.Fatalf("no load failure logged")
			}
			status, body := p.getJSON("/ready")
			detail, _ := body["detail"].(string)
			if status != 503 {
				t.Fatalf("/ready %d %v, want 503", status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(detail, w) {
					t.Errorf("/ready detail %q lacks %q", detail, w)
				}
			}
			if status, _ := p.getJSON("/health"); status != 200 {
				t.Errorf("/health %d while the store cannot load, want 200", status)
			}
		})
	}
}

// runHealthcheck runs `api healthcheck -url URL` and returns its exit code.
func runHealthcheck(t *testing.T, url string, env ...string) int {
	t.Helper()
	cmd := exec.Command(apiBinary(t), "healthcheck", "-url", url)
	if url == "" {
		cmd = exec.Command(apiBinary(t), "healthcheck")
	}
	cmd.Env = append(raceEnv(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			if ee.ExitCode() != 0 && !strings.Contains(string(out), "healthcheck:") {
				t.Errorf("healthcheck failed without saying why: %q", out)
			}
			return ee.ExitCode()
		}
		t.Fatalf("healthcheck: %v", err)
	}
	return 0
}

func TestE2E_Healthcheck(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	closed := fmt.Sprintf("http://127.0.0.1:%d/health", closedPort(t))
	for _, tc := range []struct {
		name string
		url  string
		env  []string
		want int
	}{
		{"running server", p.URL + "/health", nil, 0},
		{"default URL from PORT", "", []string{"PORT=" + strconv.Itoa(p.Port)}, 0},
		{"closed port", closed, nil, 1},
		{"404 is unhealthy", p.URL + "/nope", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runHealthcheck(t, tc.url, tc.env...); got != tc.want {
				t.Errorf("exit code %d, want %d", got, tc.want)
			}
		})
	}
}

// TestE2E_GracefulShutdown sends SIGTERM while a request is in flight.
//
// The slow request is honest, without test hooks in the binary: a POST
// /search whose headers carry "Expect: 100-continue" and whose body the
// client trickles. net/http answers "100 Continue" only when the handler
// starts reading the body, so reading that line proves the handler is
// running (the connection is active, not idle). The client then sends
// half the body, the test sends SIGTERM, checks that the server stops
// accepting connections (and that /ready, if a connection still gets
// through before the listener closes, is 503), then sends the rest of the
// body: the in-flight search must complete with 200 and results, and the
// process must exit 0 once it has.
func TestE2E_GracefulShutdown(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	addr := strings.TrimPrefix(p.URL, "http://")
	conn, br := startTrickledSearch(t, addr)
	defer conn.Close()
	body := []byte(`{"query": "How should I store the battery when I do not ride for several weeks?", "top_k": 3}`)
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}

	p.signal(syscall.SIGTERM)
	if _, ok := p.Stdout.wait(10*time.Second, func(l string) bool { return strings.Contains(l, `"msg":"shutting down"`) }); !ok {
		t.Fatalf("no shutting down log line after SIGTERM:\n%s", p.Stdout)
	}
	// Draining: new connections are refused once the listener is closed;
	// one that slips in before that must see /ready 503, never 200.
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for !dialRefused(addr) {
		if resp, err := c.Get(p.URL + "/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode != 503 {
				t.Errorf("/ready after SIGTERM answered %d, want 503", resp.StatusCode)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("new connections still accepted 10s after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond) // polling interval
	}
	if p.exited() {
		t.Fatalf("the process exited (code %d) with a request in flight", p.exitCode)
	}

	// Finish the in-flight request.
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("write rest of body: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight response: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("in-flight request answered %d: %s", resp.StatusCode, b)
	}
	var r searchResult
	decode(t, b, &r)
	if len(r.Results) != 3 || r.Results[0].ID != "battery-en-1" {
		t.Errorf("in-flight search results %v", r.ids())
	}
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit code %d after a graceful shutdown, want 0; stderr:\n%s", code, p.Stderr)
	}
	if _, ok := p.Stdout.wait(0, func(l string) bool { return strings.Contains(l, `"msg":"stopped"`) }); !ok {
		t.Errorf("no stopped log line")
	}
	if _, ok := p.Stdout.waitRecord(0, func(r logRecord) bool {
		return r.str("msg") == "request" && r.str("req_id") == "inflight" && r["status"] == float64(200)
	}); !ok {
		t.Errorf("no access log line for the in-flight request")
	}
}

// TestE2E_ShutdownTrickledBody: a client that sends its body a byte at a
// time held the drain to SHUTDOWN_TIMEOUT and made the process exit 1 (a
// body read does not watch the request's context): an attacker could turn
// every task stop into a failure. When the drain tells requests to stop,
// the read ends: the client gets the drain's 503 and the process exits 0.
func TestE2E_ShutdownTrickledBody(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, map[string]string{"SHUTDOWN_TIMEOUT": "5s"})
	conn, br := startTrickledSearch(t, strings.TrimPrefix(p.URL, "http://"))
	defer conn.Close()
	if _, err := conn.Write([]byte(`{"query": "bat`)); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGTERM)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to the trickled request: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "Service is shutting down; retry the request") {
		t.Errorf("trickled request: %d %s, want the drain's 503", resp.StatusCode, b)
	}
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit code %d, want 0; stderr:\n%s\nstdout:\n%s", code, p.Stderr, p.Stdout)
	}
	if _, ok := p.Stdout.wait(0, func(l string) bool { return strings.Contains(l, `"msg":"stopped"`) }); !ok {
		t.Errorf("no stopped log line")
	}
}

// TestE2E_SIGINT: Ctrl-C (SIGINT) stops the server as gracefully as
// SIGTERM does (the cleanup of every other test checks SIGTERM).
func TestE2E_SIGINT(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, nil)
	p.signal(os.Interrupt)
	if code := p.wait(20 * time.Second); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0; stderr:\n%s", code, p.Stderr)
	}
	if _, ok := p.Stdout.wait(0, func(l string) bool { return strings.Contains(l, `"msg":"stopped"`) }); !ok {
		t.Errorf("no stopped log line after SIGINT")
	}
}

// TestE2E_SlowClients: a client that never finishes its request headers
// (slowloris) is disconnected after READ_HEADER_TIMEOUT; one that trickles
// its body past READ_TIMEOUT gets a 400 and the connection is closed; the
// server keeps serving others.
func TestE2E_SlowClients(t *testing.T) {
	t.Parallel()
	p := readyFixtureServer(t, map[string]string{"READ_HEADER_TIMEOUT": "1s", "READ_TIMEOUT": "2s"})
	addr := strings.TrimPrefix(p.URL, "http://")
	for _, tc := range []struct {
		name    string
		send    string
		timeout time.Duration
		want    string // prefix of the answer; "" means closed without one
	}{
		{"headers never finish", "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ", time.Second, ""},
		{"body never finishes", "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"query\"", 2 * time.Second, "HTTP/1.1 400 Bad Request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(tc.timeout + 10*time.Second))
			b, err := io.ReadAll(conn)
			took := time.Since(start)
			if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("connection still open after %s (timeout %s)", took, tc.timeout)
			}
			if took < tc.timeout-100*time.Millisecond {
				t.Errorf("connection closed after %s, before the %s timeout", took, tc.timeout)
			}
			if tc.want == "" && len(b) > 0 && !strings.HasPrefix(string(b), "HTTP/1.1 408") {
				t.Errorf("unexpected answer to an unfinished request: %q", b)
			}
			if tc.want != "" && (!strings.HasPrefix(string(b), tc.want) || !strings.Contains(string(b), `{"detail":"Could not read the request body"}`)) {
				t.Errorf("answer %q, want %s with a FastAPI-shaped detail", b, tc.want)
			}
		})
	}
	t.Cleanup(func() {
		if status, _ := p.getJSON("/health"); status != 200 {
			t.Errorf("/health after the slow clients: %d", status)
		}
	})
}

// startTrickledSearch opens a connection, sends the headers of a POST
// /search with Expect: 100-continue and waits for "100 Continue", which
// net/http sends when the handler begins to read the body.
func startTrickledSearch(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	body := `{"query": "How should I store the battery when I do not ride for several weeks?", "top_k": 3}`
	fmt.Fprintf(conn, "POST /search HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\nX-Request-ID: inflight\r\n\r\n", addr, len(body))
	br := bufio.NewReader(conn)
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil || line != "HTTP/1.1 100 Continue" {
		t.Fatalf("want 100 Continue, got %q, %v", line, err)
	}
	if _, err := tp.ReadMIMEHeader(); err != nil {
		t.Fatal(err)
	}
	return conn, br
}

// TestE2E_DemoStoreDefaultEmbedder starts the server as the README's
// first command does: the bundled demo store with the default embedder.
func TestE2E_DemoStoreDefaultEmbedder(t *testing.T) {
	t.Parallel()
	dir, err := filepath.Abs(filepath.Join("..", "..", "internal", "demo", "store"))
	if err != nil {
		t.Fatal(err)
	}
	mb, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Skipf("no demo store: %v", err)
	}
	var man struct {
		Version   string `json:"version"`
		Count     int    `json:"count"`
		Embedding struct {
			Provider string `json:"provider"`
			Dims     int    `json:"dims"`
		} `json:"embedding"`
	}
	decode(t, mb, &man)
	// The server's default embedder must be the store's, or the README's
	// first command would not start (make demo-store rebuilds it).
	def := config.Embedders()[0]
	if man.Embedding.Provider != def {
		t.Fatalf("demo store is built with %q, not the default %q", man.Embedding.Provider, def)
	}
	env := baseEnv(dir)
	delete(env, "EMBEDDER")
	p := startServer(t, env)
	ready := p.waitReady(60 * time.Second)
	vs, _ := ready["vectorstore"].(map[string]any)
	emb, _ := vs["embedding"].(map[string]any)
	if vs["count"] != float64(man.Count) || vs["version"] != man.Version || emb["provider"] != def || emb["dims"] != float64(man.Embedding.Dims) {
		t.Errorf("/ready facts %v do not match the manifest", vs)
	}

	qb, err := os.ReadFile(filepath.Join(dir, "..", "questions.json"))
	if err != nil {
		t.Fatalf("questions: %v", err)
	}
	var questions []struct {
		ID        string   `json:"id"`
		Question  string   `json:"question"`
		Documents []string `json:"documents"`
	}
	decode(t, qb, &questions)
	hits := 0
	var misses []string
	for _, q := range questions {
		qj, _ := json.Marshal(map[string]any{"query": q.Question, "top_k": 5})
		resp, b := p.postJSON("/search", string(qj))
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", q.ID, resp.StatusCode, b)
		}
		var r searchResult
		decode(t, b, &r)
		found := slices.ContainsFunc(r.Results, func(h searchHit) bool {
			src, _ := h.Metadata["source"].(string)
			return slices.Contains(q.Documents, src)
		})
		if found {
			hits++
		} else {
			misses = append(misses, q.ID)
		}
	}
	rate := float64(hits) / float64(len(questions))
	t.Logf("demo store, default embedder, hybrid: hit@5 %d/%d (%.2f); misses %v", hits, len(questions), rate, misses)
	if rate < demoMinHitRate {
		t.Errorf("hit@5 %.2f below %.2f; misses %v", rate, demoMinHitRate, misses)
	}
}

// demoMinHitRate is the lowest acceptable share of demo questions with an
// answering document in the top 5.
const demoMinHitRate = 0.85

// assertJSONEqual compares a JSON body with the expected JSON text.
func assertJSONEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("body is not JSON: %q", got)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %q: %v", want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body %s, want %s", got, want)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
