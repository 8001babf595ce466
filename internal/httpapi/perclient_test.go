package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
)

// TestLimitPerClient: a client holding PerClientInFlight requests of a
// class gets a 429 with Retry-After for the next one, while another client
// and the same client's other class are admitted; once its requests end
// it is admitted again and no client is remembered.
func TestLimitPerClient(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		class      string
		hold, same overloadReq
		other      overloadReq // the other class, same client
	}{
		{classSearch, overloadReq{"/search", `{"query":"q"}`}, overloadReq{"/feedback", `{"answer_id":"ans_mfrggzdfmztwq2lkmnxw6zlq","rating":"up"}`},
			overloadReq{"/query", `{"question":"q"}`}},
		{classGeneration, overloadReq{"/query", `{"question":"q","stream":true}`}, overloadReq{"/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"q"}]}`},
			overloadReq{"/search", `{"query":"q"}`}},
	} {
		t.Run(tc.class, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts, release := newHeldServer(t, func(o *Options) {
					o.Overload.SearchInFlight, o.Overload.GenerationInFlight, o.Overload.PerClientInFlight = 8, 8, 2
				})
				defer release()
				send := func(r overloadReq, peer string) *httptest.ResponseRecorder {
					return ts.send(http.MethodPost, r.path, r.body, peer, "")
				}
				done := make(chan int, 4)
				for range 2 { // the client's two requests, held
					go func() { done <- send(tc.hold, "192.0.2.1:1").Code }()
				}
				synctest.Wait()
				rec := send(tc.same, "192.0.2.1:2")
				if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "1" {
					t.Fatalf("third request of the client: %d (Retry-After %q) %s, want 429 with Retry-After 1", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
				}
				if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
					t.Errorf("Access-Control-Allow-Origin = %q: the browser could not read the 429", got)
				}
				if body := decode(t, rec); strings.HasPrefix(tc.same.path, "/v1/") {
					if e, _ := body["error"].(map[string]any); e["code"] != "rate_limit_exceeded" {
						t.Errorf("body %v, want OpenAI's error", body)
					}
				} else if body["detail"] == nil {
					t.Errorf("body %v, want a detail", body)
				}
				// Another client, and the same client's other class, are admitted
				// (they reach the held RAG and wait there).
				go func() { done <- send(tc.hold, "192.0.2.7:1").Code }()
				go func() { done <- send(tc.other, "192.0.2.1:3").Code }()
				synctest.Wait()
				select {
				case code := <-done:
					t.Fatalf("a request was answered %d while the RAG is held: another client or class was turned away", code)
				default:
				}
				release()
				for range 4 {
					if code := <-done; code != http.StatusOK {
						t.Errorf("held request answered %d, want 200", code)
					}
				}
				if rec := send(tc.same, "192.0.2.1:4"); rec.Code != http.StatusOK {
					t.Errorf("after its requests ended the client got %d %s, want 200", rec.Code, rec.Body)
				}
				m := ts.do(http.MethodGet, "/metrics", "", nil).Body.String()
				if want := `http_rate_limited_total{class="` + tc.class + `"} 1`; !strings.Contains(m, want) {
					t.Errorf("metrics lack %q", want)
				}
			})
		})
	}
}

// TestLimitPerClient_BurstSpendsNoRate: the requests of a burst that the
// client's in-flight bound refuses do not count against its rate, so a
// browser that fires many at once is not then locked out for the rest of
// the window (a black-box probe saw 4 answered of 200 and the next 81
// told to wait 33 s).
func TestLimitPerClient_BurstSpendsNoRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ path, body string }{
		{"/search", `{"query":"q"}`},
		{"/query", `{"question":"q","stream":true}`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts, release := newHeldServer(t, func(o *Options) {
					o.Overload.SearchInFlight, o.Overload.GenerationInFlight, o.Overload.PerClientInFlight = 8, 8, 2
					o.Overload.SearchRate, o.Overload.GenerationRate = 3, 3
				})
				defer release()
				send := func(port int) int {
					return ts.send(http.MethodPost, tc.path, tc.body, "192.0.2.1:"+strconv.Itoa(port), "").Code
				}
				done := make(chan int, 2)
				for i := range 2 { // held: two of the rate's three
					go func() { done <- send(i) }()
				}
				synctest.Wait()
				for i := range 10 {
					if code := send(10 + i); code != http.StatusTooManyRequests {
						t.Fatalf("burst request %d: %d, want 429", i, code)
					}
				}
				release()
				for range 2 {
					if code := <-done; code != http.StatusOK {
						t.Errorf("held request answered %d", code)
					}
				}
				if code := send(30); code != http.StatusOK {
					t.Errorf("the rate's third request: %d, want 200: the refused burst spent the rate", code)
				}
				if code := send(31); code != http.StatusTooManyRequests {
					t.Errorf("a fourth request in the window: %d, want 429", code)
				}
			})
		})
	}
}
