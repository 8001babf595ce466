package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRouteBodies feeds arbitrary bodies to the JSON routes FuzzQueryBody
// does not cover: /feedback, /chat (the AI SDK's), /v1/chat/completions
// and /v1/embeddings. Each answers 2xx or a 4xx in its route's error shape
// (FastAPI's {"detail"}, OpenAI's {"error"} under /v1/), never a panic or a
// 5xx.
func FuzzRouteBodies(f *testing.F) {
	for _, seed := range []string{
		`{"answer_id":"ans_mfrggzdfmztwq2lkmnxw6zlq","rating":"up","comment":"Cited the right page."}`,
		`{"answer_id":"","rating":"sideways"}`,
		`{"id":"chat-1","trigger":"submit-message","messages":[{"id":"m1","role":"user","parts":[{"type":"text","text":"How long is the warranty?"}]}]}`,
		`{"id":"c","messages":[{"id":"m","role":"assistant","parts":[{"type":"file","url":"x"}]}]}`,
		`{"model":"vendor0919-rag","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"warranty?"}]}],"stream":true}`,
		`{"model":"vendor0919-rag","messages":[]}`,
		`{"model":"universal-sentence-encoder-lite","input":["a","b"],"encoding_format":"base64"}`,
		`{"model":"m","input":[[1,2,3]],"dimensions":-1}`,
		`{"messages":[{"role":"user","content":null}]} trailing`, `[]`, `null`, `{"input":"\ud800"}`,
	} {
		f.Add(seed)
	}
	ts := newTestServer(f, nil)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/feedback", "/chat", "/v1/chat/completions", "/v1/embeddings"} {
			req := httptest.NewRequest("POST", path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %q: status %d %s", path, body, rec.Code, rec.Body)
			}
			if rec.Code < 400 {
				continue
			}
			var e struct {
				Detail json.RawMessage `json:"detail"`
				Error  json.RawMessage `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("%s %q: %d body is not JSON: %s", path, body, rec.Code, rec.Body)
			}
			shaped := len(e.Detail) > 0
			if strings.HasPrefix(path, "/v1/") {
				shaped = len(e.Error) > 0
			}
			if !shaped {
				t.Fatalf("%s %q: %d body not in the route's error shape: %s", path, body, rec.Code, rec.Body)
			}
		}
	})
}
