package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/rag"
)

func TestRoutes_FastAPIStatusBodies(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name, method, path string
		status             int
		body               string
		allow              string
		location           string
	}{
		{"health", "GET", "/health", 200, `{"status":"ok"}`, "", ""},
		{"HEAD on a GET route, as Starlette", "HEAD", "/health", 200, "", "", ""},
		{"HEAD redirects slashes too", "HEAD", "/health/", 307, "", "", "/health"},
		// The Python app's target group checks /: the new tasks pass it
		// while a roll-out replaces the old ones.
		{"root answers as health", "GET", "/", 200, `{"status":"ok"}`, "", ""},
		{"wrong method on root", "POST", "/", 405, `{"detail":"Method Not Allowed"}`, "GET", ""},
		{"unknown path", "GET", "/nope", 404, `{"detail":"Not Found"}`, "", ""},
		{"wrong method on health", "POST", "/health", 405, `{"detail":"Method Not Allowed"}`, "GET", ""},
		{"wrong method on search", "GET", "/search", 405, `{"detail":"Method Not Allowed"}`, "POST", ""},
		{"trailing slash redirects", "GET", "/health/?x=1", 307, "", "", "/health?x=1"},
		{"missing slash on unknown stays 404", "GET", "/nope/", 404, `{"detail":"Not Found"}`, "", ""},
		// Starlette redirects when the other path is a route for any
		// method, and strips every trailing slash.
		{"trailing slash on a POST route redirects a GET", "GET", "/search/", 307, "", "", "/search"},
		{"every trailing slash goes", "POST", "/search//", 307, "", "", "/search"},
		{"only slashes stay 404", "GET", "//", 404, `{"detail":"Not Found"}`, "", ""},
		// A request target in absolute form names a host of its own: the
		// redirect must not go there.
		{"absolute-form target stays on this host", "POST", "http://evil.example/search/?q=1", 307, "", "", "/search?q=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do(tt.method, tt.path, "", nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.body != "" && strings.TrimSpace(rec.Body.String()) != tt.body {
				t.Errorf("body %s, want %s", rec.Body, tt.body)
			}
			if tt.body != "" && rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", rec.Header().Get("Content-Type"))
			}
			if got := strings.Join(rec.Header().Values("Allow"), ","); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if got := rec.Header().Get("Location"); got != tt.location {
				t.Errorf("Location %q, want %q", got, tt.location)
			}
		})
	}
}

func TestQuery_Validation(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name   string
		body   string
		status int
		want   []ValidationItem // type and loc checked; msg when set
	}{
		{"missing question", `{}`, 422, []ValidationItem{{Type: "missing", Loc: []any{"body", "question"}, Msg: "Field required"}}},
		{"question wrong type", `{"question": 5}`, 422, []ValidationItem{{Type: "string_type", Loc: []any{"body", "question"}, Msg: "Input should be a valid string"}}},
		{"empty question", `{"question": ""}`, 422, []ValidationItem{{Type: "string_too_short", Loc: []any{"body", "question"}, Msg: "String should have at least 1 character"}}},
		{"top_k too small", `{"question":"q","top_k":0}`, 422, []ValidationItem{{Type: "greater_than_equal", Loc: []any{"body", "top_k"}, Msg: "Input should be greater than or equal to 1"}}},
		{"top_k too big", `{"question":"q","top_k":51}`, 422, []ValidationItem{{Type: "less_than_equal", Loc: []any{"body", "top_k"}, Msg: "Input should be less than or equal to 50"}}},
		{"top_k fractional", `{"question":"q","top_k":2.5}`, 422, []ValidationItem{{Type: "int_from_float", Loc: []any{"body", "top_k"}}}},
		{"top_k text", `{"question":"q","top_k":"many"}`, 422, []ValidationItem{{Type: "int_parsing", Loc: []any{"body", "top_k"}}}},
		// Python's json makes an integer literal an unbounded int and an
		// exponent a float, which pydantic refuses beyond int64.
		{"top_k integer past int64", `{"question":"q","top_k":9223372036854775808}`, 422, []ValidationItem{{Type: "less_than_equal", Loc: []any{"body", "top_k"}, Msg: "Input should be less than or equal to 50"}}},
		{"top_k negative integer past int64", `{"question":"q","top_k":-99999999999999999999}`, 422, []ValidationItem{{Type: "greater_than_equal", Loc: []any{"body", "top_k"}}}},
		{"top_k float 1e20", `{"question":"q","top_k":1e20}`, 422, []ValidationItem{{Type: "int_parsing_size", Loc: []any{"body", "top_k"}, Msg: "Unable to parse input string as an integer, exceeded maximum size"}}},
		{"top_k float 1e19", `{"question":"q","top_k":1e19}`, 422, []ValidationItem{{Type: "int_parsing_size", Loc: []any{"body", "top_k"}}}},
		{"top_k float 9.3e18", `{"question":"q","top_k":9.3e18}`, 422, []ValidationItem{{Type: "int_parsing_size", Loc: []any{"body", "top_k"}}}},
		{"top_k float -1e20", `{"question":"q","top_k":-1e20}`, 422, []ValidationItem{{Type: "int_parsing_size", Loc: []any{"body", "top_k"}}}},
		{"top_k float just under 2^63", `{"question":"q","top_k":9.223372036854775e18}`, 422, []ValidationItem{{Type: "less_than_equal", Loc: []any{"body", "top_k"}}}},
		{"top_k string past int64", `{"question":"q","top_k":"99999999999999999999"}`, 422, []ValidationItem{{Type: "less_than_equal", Loc: []any{"body", "top_k"}}}},
		{"top_k negative string past int64", `{"question":"q","top_k":" -99999999999999999999 "}`, 422, []ValidationItem{{Type: "greater_than_equal", Loc: []any{"body", "top_k"}}}},
		{"stream wrong type", `{"question":"q","stream":[]}`, 422, []ValidationItem{{Type: "bool_type", Loc: []any{"body", "stream"}}}},
		{"filter wrong type", `{"question":"q","filter":"x"}`, 422, []ValidationItem{{Type: "dict_type", Loc: []any{"body", "filter"}}}},
		{"mode literal", `{"question":"q","mode":"fuzzy"}`, 422, []ValidationItem{{Type: "literal_error", Loc: []any{"body", "mode"}, Msg: "Input should be 'hybrid', 'vector' or 'keyword'"}}},
		{"two errors at once", `{"top_k":0}`, 422, []ValidationItem{{Type: "missing", Loc: []any{"body", "question"}}, {Type: "greater_than_equal", Loc: []any{"body", "top_k"}}}},
		{"malformed json", `{"question": }`, 422, []ValidationItem{{Type: "json_invalid", Loc: []any{"body", float64(13)}, Msg: "JSON decode error"}}},
		{"truncated json", `{"question": "q"`, 422, []ValidationItem{{Type: "json_invalid", Msg: "JSON decode error"}}},
		{"trailing data", `{"question": "q"} x`, 422, []ValidationItem{{Type: "json_invalid", Loc: []any{"body", float64(18)}}}},
		{"array body", `[1,2]`, 422, []ValidationItem{{Type: "model_attributes_type", Loc: []any{"body"}}}},
		{"empty body", ` `, 422, []ValidationItem{{Type: "missing", Loc: []any{"body"}}}},
		{"lax coercions accepted", `{"question":"q","top_k":"3","stream":"false","unknown":1}`, 200, nil},
		{"null optional accepted", `{"question":"q","top_k":null}`, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", "/query", tt.body, nil)
			if tt.body == " " {
				rec = ts.do("POST", "/query", "", map[string]string{"Content-Type": "application/json"})
			}
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 422 {
				return
			}
			var got struct{ Detail []ValidationItem }
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Detail) != len(tt.want) {
				t.Fatalf("detail %+v, want %d items", got.Detail, len(tt.want))
			}
			for i, w := range tt.want {
				g := got.Detail[i]
				if g.Type != w.Type {
					t.Errorf("item %d type %q, want %q", i, g.Type, w.Type)
				}
				if w.Loc != nil && !equalLoc(g.Loc, w.Loc) {
					t.Errorf("item %d loc %v, want %v", i, g.Loc, w.Loc)
				}
				if w.Msg != "" && g.Msg != w.Msg {
					t.Errorf("item %d msg %q, want %q", i, g.Msg, w.Msg)
				}
			}
			if strings.Contains(rec.Body.String(), `"url"`) {
				t.Errorf("FastAPI >= 0.110.2 sends no url key: %s", rec.Body)
			}
		})
	}
}

func TestToInt_Huge(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("9", maxIntStringLen)
	huge := int(clampLimit)
	if strconv.IntSize == 64 && int64(huge) != 1<<40 {
		t.Fatalf("clampLimit = %d, want 2^40 where int has 64 bits", huge)
	}
	tests := []struct {
		name    string
		in      any
		want    int
		wantErr string
	}{
		{"int64 max", json.Number("9223372036854775807"), huge, ""},
		{"past int64", json.Number("9223372036854775808"), huge, ""},
		{"far past int64", json.Number("1" + strings.Repeat("0", 400)), huge, ""},
		{"below int64", json.Number("-9223372036854775809"), -huge, ""},
		{"float 2^63", json.Number("9223372036854775808.0"), 0, "int_parsing_size"},
		{"float -2^63", json.Number("-9.223372036854775808e18"), 0, "int_parsing_size"},
		{"float under 2^63", json.Number("9.223372036854775e18"), huge, ""},
		{"float with exponent", json.Number("1e2"), 100, ""},
		{"float inf", json.Number("-1e400"), 0, "finite_number"},
		{"string past int64", "99999999999999999999", huge, ""},
		{"string at pydantic's limit", " " + long + " ", huge, ""},
		{"string over pydantic's limit", long + "9", 0, "int_parsing_size"},
		{"string with exponent", "1e2", 0, "int_parsing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, bad := toInt(tt.in)
			if n != tt.want || bad != tt.wantErr {
				t.Errorf("toInt(%.30v) = %d, %q; want %d, %q", tt.in, n, bad, tt.want, tt.wantErr)
			}
		})
	}
}

func TestQuery_MissingEchoesInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/query", `{"top_k": 3}`, nil)
	want := `{"detail":[{"type":"missing","loc":["body","question"],"msg":"Field required","input":{"top_k":3}}]}`
	if strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("body %s\nwant %s", rec.Body, want)
	}
}

// TestWriteError_LogsNoInput: at debug level a 422 logs a "request error"
// line; the items there are types and locations, never the input they
// echo to the client (questions are never logged in full).
func TestWriteError_LogsNoInput(t *testing.T) {
	t.Parallel()
	const secret = "my-private-question"
	long := secret + strings.Repeat("x", 40)
	tests := []struct {
		name, path, body string
		want             string // in the log line
	}{
		{"question too long", "/query", `{"question":"` + long + `"}`, "string_too_long at body.question"},
		{"missing echoes the body", "/query", `{"top_k":3,"note":"` + secret + `"}`, "missing at body.question"},
		{"bad top_k next to a question", "/search", `{"query":"` + secret + `","top_k":"` + secret + `"}`, "int_parsing at body.top_k"},
		{"chat text part too long", "/chat", `{"messages":[{"role":"user","parts":[{"type":"text","text":"` + long + `"}]}]}`, "string_too_long at body.messages.0.parts.0.text"},
		{"completions message too long", "/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"` + long + `"}]}`, "string_too_long at body.messages.0.content"},
		{"not JSON", "/query", `{"question":"` + secret + `",}`, "json_invalid at body."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(o *Options) { o.Limits = Limits{QuestionChars: 30} })
			if rec := ts.do("POST", tt.path, tt.body, nil); rec.Code != 422 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			logs := ts.logs.String()
			if !strings.Contains(logs, `"msg":"request error"`) || !strings.Contains(logs, tt.want) {
				t.Errorf("no request error line with %q:\n%s", tt.want, logs)
			}
			if strings.Contains(logs, secret) {
				t.Errorf("the client's input is in the log:\n%s", logs)
			}
		})
	}
}

func TestBody_ContentTypeAndSize(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name   string
		ctype  string
		body   string
		status int
	}{
		{"text/plain refused", "text/plain", `{"question":"q"}`, 415},
		{"form refused", "application/x-www-form-urlencoded", `question=q`, 415},
		{"json with charset", "application/json; charset=utf-8", `{"question":"q"}`, 200},
		{"vendor json", "application/vnd.api+json", `{"question":"q"}`, 200},
		{"too large", "application/json", `{"question":"` + strings.Repeat("x", 5000) + `"}`, 413},
		// As FastAPI: a byte order mark is skipped; bytes that are not
		// UTF-8 are its 400 "There was an error parsing the body".
		{"UTF-8 byte order mark", "application/json", "\xef\xbb\xbf" + `{"question":"q"}`, 200},
		{"not UTF-8", "application/json", `{"question":"caf` + "\xe9" + `"}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", "/query", tt.body, map[string]string{"Content-Type": tt.ctype})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if d, ok := decode(t, rec)["detail"]; tt.status >= 400 && (!ok || d == nil) {
				t.Errorf("no detail: %s", rec.Body)
			}
			if tt.status == 400 && !strings.Contains(rec.Body.String(), "There was an error parsing the body") {
				t.Errorf("400 body %s", rec.Body)
			}
		})
	}
	// No Content-Type at all is parsed as JSON, as FastAPI does.
	req := httptest.NewRequest("POST", "/query", strings.NewReader(`{"question":"q"}`))
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Errorf("no content type: %d %s", rec.Code, rec.Body)
	}
}

// TestWriteError_ShouldRetry: after the server retried its provider (a
// 500) or waited out QUERY_TIMEOUT (a 504), the openai client must not
// retry on its own (it makes two more attempts on any 5xx it is not told
// about: three times the provider calls and the wait); the header is
// readable cross-origin. A 503 (busy, loading) and a 4xx say nothing.
func TestWriteError_ShouldRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		path string
		want string
	}{
		{"provider failed after its retries", errors.New("llm: upstream error: after 4 attempts"), "/v1/chat/completions", "false"},
		{"timed out", context.DeadlineExceeded, "/v1/chat/completions", "false"},
		{"timed out on a FastAPI route", context.DeadlineExceeded, "/query", "false"},
		{"not loaded", rag.ErrNotReady, "/v1/chat/completions", ""},
		{"invalid", &rag.RequestError{Field: "top_k", Msg: "too big"}, "/v1/chat/completions", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.err = tt.err
			body := `{"question":"q"}`
			if strings.HasPrefix(tt.path, "/v1/") {
				body = `{"model":"vendor0919-rag","messages":[{"role":"user","content":"q"}]}`
			}
			rec := ts.do("POST", tt.path, body, map[string]string{"Origin": "http://localhost:3000"})
			if rec.Code < 400 {
				t.Fatalf("status %d", rec.Code)
			}
			if got := rec.Header().Get("X-Should-Retry"); got != tt.want {
				t.Errorf("%d: X-Should-Retry %q, want %q", rec.Code, got, tt.want)
			}
			if !strings.Contains(rec.Header().Get("Access-Control-Expose-Headers"), "X-Should-Retry") {
				t.Errorf("not exposed: %q", rec.Header().Get("Access-Control-Expose-Headers"))
			}
		})
	}
}
