package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vendor0919/api/internal/rag"
)

// heldRAG answers like fakeRAG once release is closed; until then every
// call blocks, holding its route class's slot.
type heldRAG struct {
	fakeRAG
	release chan struct{}
}

func (h *heldRAG) Search(ctx context.Context, req rag.SearchRequest) (rag.SearchResult, error) {
	select {
	case <-h.release:
	case <-ctx.Done():
		return rag.SearchResult{}, ctx.Err()
	}
	return h.fakeRAG.Search(ctx, req)
}

func (h *heldRAG) Query(ctx context.Context, req rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error) {
	select {
	case <-h.release:
	case <-ctx.Done():
		return rag.QueryResult{}, ctx.Err()
	}
	return h.fakeRAG.Query(ctx, req, emit)
}

type overloadReq struct{ path, body string }

func (o overloadReq) send(ts testServer, hdr map[string]string) *httptest.ResponseRecorder {
	return ts.do(http.MethodPost, o.path, o.body, hdr)
}

var overloadClasses = []struct {
	class string
	hold  overloadReq   // holds the class's only slot
	probe []overloadReq // other routes of the class, turned away while it is held
}{
	{classSearch, overloadReq{"/search", `{"query":"q"}`},
		[]overloadReq{{"/search", `{"query":"q"}`}, {"/v1/embeddings", `{"model":"universal-sentence-encoder-lite","input":"a"}`},
			{"/feedback", `{"answer_id":"ans_mfrggzdfmztwq2lkmnxw6zlq","rating":"up"}`}}},
	{classGeneration, overloadReq{"/query", `{"question":"q","stream":true}`},
		[]overloadReq{{"/query", `{"question":"q"}`}, {"/chat", `{"messages":[{"role":"user","parts":[{"type":"text","text":"q"}]}]}`},
			{"/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"q"}]}`}}},
	{classAdmin, overloadReq{"/admin/reload", ""}, []overloadReq{{"/admin/reload", ""}}},
}

// newHeldServer serves every class with one slot and a queue of one, the
// RAG and the reloader held until release is called (more calls do
// nothing). Call it inside the synctest bubble that runs the requests, and
// defer release, so a test that stops early lets the held requests end.
func newHeldServer(t *testing.T, mod func(*Options)) (ts testServer, release func()) {
	ch := make(chan struct{})
	var once sync.Once
	h := &heldRAG{release: ch, fakeRAG: fakeRAG{hits: []rag.Hit{{ID: "c1", Text: "t", Score: 1}}, deltas: []string{"a"}}}
	ts = newTestServer(t, func(o *Options) {
		o.RAG, o.AdminToken = h, "admin"
		o.Reloader = reloaderFunc(func(ctx context.Context) (*StoreInfo, error) {
			select {
			case <-ch:
				return &StoreInfo{Format: "native"}, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
		o.Overload = Overload{SearchInFlight: 1, GenerationInFlight: 1, AdminInFlight: 1,
			SearchQueue: 1, GenerationQueue: 1, AdminQueue: 1, QueueWait: time.Minute}
		if mod != nil {
			mod(o)
		}
	})
	return ts, func() { once.Do(func() { close(ch) }) }
}

// TestLimitInFlight_QueueFull holds a class's slot and fills its queue,
// then checks that more requests of the class get a 503 with Retry-After,
// CORS headers and an error body at once, that the other classes and the
// open routes still answer, and that the held and queued requests finish
// once the slot frees.
func TestLimitInFlight_QueueFull(t *testing.T) {
	t.Parallel()
	for _, tc := range overloadClasses {
		t.Run(tc.class, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts, release := newHeldServer(t, nil)
				defer release()
				admin := map[string]string{"Authorization": "Bearer admin", "Origin": "http://localhost:3000"}
				done := make(chan *httptest.ResponseRecorder, 2)
				for range 2 { // the first takes the slot, the second waits
					go func() { done <- tc.hold.send(ts, admin) }()
					synctest.Wait()
				}
				for _, p := range tc.probe {
					rec := p.send(ts, admin)
					if rec.Code != http.StatusServiceUnavailable {
						t.Fatalf("%s with the class full: %d %s, want 503", p.path, rec.Code, rec.Body)
					}
					if got := rec.Header().Get("Retry-After"); got != "60" {
						t.Errorf("%s: Retry-After = %q, want 60 (the queue wait)", p.path, got)
					}
					if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
						t.Errorf("%s: Access-Control-Allow-Origin = %q: the browser could not read the 503", p.path, got)
					}
					body := decode(t, rec)
					if strings.HasPrefix(p.path, "/v1/") {
						if e, _ := body["error"].(map[string]any); e["code"] != "service_unavailable" {
							t.Errorf("%s: body %v, want OpenAI's error", p.path, body)
						}
					} else if body["detail"] != "Server is busy; retry later" {
						t.Errorf("%s: body %v", p.path, body)
					}
				}
				// Other classes and the open routes are not held up: a
				// request of another class reaches the held RAG.
				var others []string
				for _, o := range overloadClasses {
					if o.class == tc.class || o.class == classAdmin {
						continue
					}
					go func() { _ = o.hold.send(ts, admin) }()
					synctest.Wait()
					others = append(others, `http_class_requests_in_flight{class="`+o.class+`"} 1`)
				}
				for _, path := range []string{"/health", "/ready", "/metrics", "/openapi.json", "/docs"} {
					if rec := ts.do(http.MethodGet, path, "", nil); rec.Code != http.StatusOK {
						t.Errorf("%s while %s is full: %d", path, tc.class, rec.Code)
					}
				}
				m := ts.do(http.MethodGet, "/metrics", "", nil).Body.String()
				for _, want := range append([]string{
					`http_overload_rejections_total{class="` + tc.class + `"} ` + itoa(len(tc.probe)),
					`http_class_requests_queued{class="` + tc.class + `"} 1`,
					`http_class_requests_in_flight{class="` + tc.class + `"} 1`,
				}, others...) {
					if !strings.Contains(m, want) {
						t.Errorf("metrics lack %q", want)
					}
				}
				release()
				for range 2 {
					if rec := <-done; rec.Code != http.StatusOK {
						t.Errorf("held or queued request: %d %s", rec.Code, rec.Body)
					}
				}
				// One WARN line a refusal, the access log's: overload
				// doubled the log volume with a second line.
				synctest.Wait() // the other classes' requests have ended
				for line := range strings.Lines(ts.logs.String()) {
					if strings.Contains(line, `"msg":"request error"`) && strings.Contains(line, `"level":"WARN"`) {
						t.Errorf("a WARN request error line for an overload 503: %s", line)
					}
				}
			})
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestLimitInFlight_Waits checks the queue's other two ends: a waiter
// whose wait runs out gets the 503, one whose client leaves is not
// counted as a rejection, and with no queue the 503 comes at once.
func TestLimitInFlight_Waits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		queue        int
		cancel       bool // the waiting client goes away
		wantRejected string
	}{
		{"wait runs out", 1, false, "1"},
		{"client leaves", 1, true, "0"},
		{"no queue", 0, false, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts, release := newHeldServer(t, func(o *Options) { o.Overload.SearchQueue, o.Overload.QueueWait = tt.queue, 1500*time.Millisecond })
				defer release()
				go func() { _ = ts.do(http.MethodPost, "/search", `{"query":"q"}`, nil) }()
				synctest.Wait()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				got := make(chan *httptest.ResponseRecorder, 1)
				go func() {
					req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/search", strings.NewReader(`{"query":"q"}`))
					rec := httptest.NewRecorder()
					ts.ServeHTTP(rec, req)
					got <- rec
				}()
				synctest.Wait()
				if tt.queue > 0 {
					select {
					case rec := <-got:
						t.Fatalf("the waiter was answered before its wait ran out: %d", rec.Code)
					default:
					}
					if tt.cancel {
						cancel()
					} else {
						time.Sleep(1500 * time.Millisecond) // the bubble's clock: the wait runs out
					}
				}
				rec := <-got
				if rec.Code != http.StatusServiceUnavailable {
					t.Fatalf("status %d, want 503", rec.Code)
				}
				if got := rec.Header().Get("Retry-After"); got != "2" {
					t.Errorf("Retry-After = %q, want 2 (1.5 s rounded up)", got)
				}
				m := ts.do(http.MethodGet, "/metrics", "", nil).Body.String()
				if want := `http_overload_rejections_total{class="search"} ` + tt.wantRejected; !strings.Contains(m, want) {
					t.Errorf("metrics lack %q", want)
				}
				if want := `http_class_requests_queued{class="search"} 0`; !strings.Contains(m, want) {
					t.Errorf("metrics lack %q", want)
				}
			})
		})
	}
}

// TestLimitInFlight_ZeroIsUnbounded checks that zero Overload (and a zero
// in-flight bound) hold nothing back: many requests run at once.
func TestLimitInFlight_ZeroIsUnbounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ts, release := newHeldServer(t, func(o *Options) { o.Overload = Overload{} })
		defer release()
		const n = 20
		done := make(chan int, n)
		for range n {
			go func() { done <- ts.do(http.MethodPost, "/search", `{"query":"q"}`, nil).Code }()
		}
		synctest.Wait()
		if len(done) != 0 {
			t.Fatalf("%d requests were answered while the RAG was held", len(done))
		}
		release()
		for range n {
			if code := <-done; code != http.StatusOK {
				t.Errorf("status %d", code)
			}
		}
	})
}

// TestBufferBody_SlowBodyHoldsNoSlot: clients that send their bodies
// slowly do not hold the class's slots, so others are served meanwhile;
// and a declared length over the limit is refused before a byte is read.
func TestBufferBody_SlowBodyHoldsNoSlot(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) {
			o.Overload = Overload{SearchInFlight: 1, SearchQueue: 1, QueueWait: time.Second}
		})
		type slow struct {
			w    *io.PipeWriter
			done chan *httptest.ResponseRecorder
		}
		var slows []slow
		for range 3 { // more than the class's slot and queue together
			pr, pw := io.Pipe()
			req := httptest.NewRequest(http.MethodPost, "/search", pr)
			req.Header.Set("Content-Type", "application/json")
			sl := slow{pw, make(chan *httptest.ResponseRecorder, 1)}
			go func() {
				rec := httptest.NewRecorder()
				ts.ServeHTTP(rec, req)
				sl.done <- rec
			}()
			_, _ = io.WriteString(pw, `{"query":`) // then nothing, for now
			slows = append(slows, sl)
		}
		synctest.Wait()
		time.Sleep(5 * time.Second) // past the queue's wait: a held slot would have turned this away
		if rec := ts.do(http.MethodPost, "/search", `{"query":"q"}`, nil); rec.Code != http.StatusOK {
			t.Fatalf("search beside three slow bodies: %d %s, want 200", rec.Code, rec.Body)
		}
		for _, sl := range slows {
			_, _ = io.WriteString(sl.w, `"q"}`)
			_ = sl.w.Close()
			if rec := <-sl.done; rec.Code != http.StatusOK {
				t.Errorf("slow body, once sent: %d %s", rec.Code, rec.Body)
			}
		}
	})
}

func TestBufferBody_DeclaredTooLarge(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	for _, path := range []string{"/search", "/query", "/v1/embeddings"} {
		read := false
		req := httptest.NewRequest(http.MethodPost, path, readFunc(func([]byte) (int, error) { read = true; return 0, io.EOF }))
		req.Header.Set("Content-Type", "application/json")
		req.ContentLength = 10_000_000_000
		rec := httptest.NewRecorder()
		ts.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || read {
			t.Errorf("%s with Content-Length 1e10: %d (body read: %v), want 413 before reading", path, rec.Code, read)
		}
	}
}

type readFunc func([]byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

// TestEmbeddings_HoldAQuarterOfTheSearchSlots: /v1/embeddings requests,
// seconds of CPU each, pass a gate of a quarter of the search slots
// before the search class's own, so a few of them cannot turn /search
// and /feedback away (a review filled all eight slots with two clients).
func TestEmbeddings_HoldAQuarterOfTheSearchSlots(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) {
			o.Embedder = slowEmbedder{delay: time.Hour}
			o.Overload = Overload{SearchInFlight: 4, SearchQueue: 0, QueueWait: time.Second}
		})
		const body = `{"model":"universal-sentence-encoder-lite","input":["a","b"]}`
		ctx, cancel := context.WithCancel(context.Background())
		held := make(chan int, 1)
		go func() {
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/embeddings", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			ts.ServeHTTP(rec, req)
			held <- rec.Code
		}()
		synctest.Wait() // the first embeds, holding the one embeddings slot
		if rec := ts.do(http.MethodPost, "/v1/embeddings", body, nil); rec.Code != http.StatusServiceUnavailable {
			t.Errorf("a second embeddings request: %d %s, want 503", rec.Code, rec.Body)
		}
		for _, path := range []string{"/search", "/search", "/search"} {
			if rec := ts.do(http.MethodPost, path, `{"query":"q"}`, nil); rec.Code != http.StatusOK {
				t.Errorf("%s while embeddings run: %d %s, want 200", path, rec.Code, rec.Body)
			}
		}
		m := ts.do(http.MethodGet, "/metrics", "", nil).Body.String()
		for _, want := range []string{`http_class_requests_in_flight{class="embeddings"} 1`, `http_overload_rejections_total{class="embeddings"} 1`} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		cancel()
		<-held
	})
}
