package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzQueryBody feeds arbitrary bodies to POST /query and /search: the
// answer is always 200 or a FastAPI-shaped 4xx, never a panic or a 5xx.
func FuzzQueryBody(f *testing.F) {
	for _, seed := range []string{
		`{"question":"q"}`, `{"question":"q","top_k":"3","stream":"no"}`, `{"question": }`,
		`[1,2]`, `"x"`, `null`, `{"question":"q"} x`, `{"vector":[1,"2",null]}`, `{"top_k":1e400}`,
		`{"question":"\ud800"}`, "{\"question\":\"\xff\"}", `{"filter":{"a":{"$in":[1]}},"query":"x"}`,
		`{"vector":[true,true,true],"query":"x"}`, `{"messages":[{"role":"user","content":"q"}],"filter":{"a":{"$in":[1,"1",{"$in":[]}]}}}`,
		`{"question":"q","filter":{"a":{"$nin":[1000000000000000000000000000000000000007]},"b":{"$ne":-0}}}`,
	} {
		f.Add(seed)
	}
	ts := newTestServer(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/query", "/search"} {
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: status %d %s", path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 {
				var e struct{ Detail json.RawMessage }
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || len(e.Detail) == 0 {
					t.Fatalf("%s %q: %d body not FastAPI-shaped: %s", path, body, rec.Code, rec.Body)
				}
			}
		}
	})
}
