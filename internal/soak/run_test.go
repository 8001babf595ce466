package soak

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAPI answers the soak's routes as the server documents them; broken
// names a route that answers wrongly instead.
func fakeAPI(t *testing.T, broken string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var version atomic.Int64
	mux := http.NewServeMux()
	jsonOK := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}
	mux.HandleFunc("POST /search", func(w http.ResponseWriter, _ *http.Request) {
		jsonOK(w, `{"results": [{"id": "a"}], "top_k": 5}`)
	})
	mux.HandleFunc("POST /query", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(readAll(r), `"stream":true`) {
			jsonOK(w, `{"answer": "Ten years [1].", "sources": [{"id": "a"}]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: sources\ndata: []\n\nevent: delta\ndata: {\"text\": \"Ten\"}\n\n")
		if broken == "query_stream" {
			fmt.Fprint(w, "event: error\ndata: {\"detail\": \"boom\"}\n\n")
			return
		}
		fmt.Fprint(w, "event: done\ndata: {}\n\n")
	})
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for range 2 {
			fmt.Fprint(w, "data: {\"object\": \"chat.completion.chunk\"}\n\n")
		}
		if broken != "chat_stream" {
			fmt.Fprint(w, "data: [DONE]\n\n")
		}
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { jsonOK(w, `{"status": "ok"}`) })
	mux.HandleFunc("GET /ready", func(w http.ResponseWriter, _ *http.Request) {
		if broken == "ready" {
			http.Error(w, `{"detail": "not ready"}`, http.StatusServiceUnavailable)
			return
		}
		jsonOK(w, `{"status": "ready"}`)
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "# TYPE go_goroutines gauge\ngo_goroutines 9\n")
	})
	mux.HandleFunc("POST /admin/reload", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, `{"detail": "Invalid admin token"}`, http.StatusForbidden)
			return
		}
		jsonOK(w, fmt.Sprintf(`{"version": "v%d"}`, version.Load()))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &version
}

func readAll(r *http.Request) string {
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	return string(b)
}

// TestRun_AgainstFake runs a short soak against a fake server: a correct
// one passes Check, and one whose streams or /ready misbehave fails it,
// naming the kind.
func TestRun_AgainstFake(t *testing.T) {
	t.Parallel()
	tests := []struct{ broken, want string }{
		{"", ""},
		{"query_stream", "query_stream requests failed"},
		{"chat_stream", "chat_stream requests failed"},
		{"ready", "ready requests failed"},
	}
	for _, tt := range tests {
		t.Run("Broken_"+tt.broken, func(t *testing.T) {
			t.Parallel()
			srv, version := fakeAPI(t, tt.broken)
			rep, err := Run(context.Background(), Target{URL: srv.URL, PID: os.Getpid(), AdminToken: "tok"}, Options{
				Duration: 1500 * time.Millisecond, Rate: 100, Workers: 4,
				ReloadEvery: 200 * time.Millisecond, SampleEvery: 50 * time.Millisecond, Warmup: 100 * time.Millisecond,
				Bounds: Bounds{RSSSlack: 256 << 20}, // the test process, not a server: only the wiring is checked
				Publish: func(_ context.Context, n int) (string, error) {
					version.Store(int64(n))
					return fmt.Sprintf("v%d", n), nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			err = rep.Check()
			if tt.want == "" && err != nil {
				t.Errorf("Check = %v, want nil", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Check = %v, want it to say %q", err, tt.want)
			}
			if rep.Kinds["reload"] == nil || rep.Kinds["reload"].OK == 0 {
				t.Error("no reload recorded")
			}
		})
	}
}
