package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/sseclient"
)

// slowOllama stands in for an Ollama server (which cannot run here): it
// answers POST /api/chat with the documented NDJSON stream, one message
// chunk every 200 ms, for far longer than the drain lasts.
func slowOllama(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/chat" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i := 0; i < 600; i++ {
			line, _ := json.Marshal(map[string]any{"model": "slow", "message": map[string]string{"role": "assistant", "content": fmt.Sprintf("word%d ", i)}, "done": false})
			if _, err := fmt.Fprintf(w, "%s\n", line); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestE2E_ShutdownEndsStreamsCleanly: SIGTERM while an answer streams. The
// stream runs on through most of the drain, then ends with an SSE "error"
// event saying the service is shutting down (not a cut connection), and
// the process exits 0 within SHUTDOWN_TIMEOUT.
func TestE2E_ShutdownEndsStreamsCleanly(t *testing.T) {
	t.Parallel()
	ollama := slowOllama(t)
	p := readyFixtureServer(t, map[string]string{
		"LLM": "ollama", "LLM_MODEL": "slow", "OLLAMA_BASE_URL": ollama.URL,
		// The grace before the end of the drain is a fifth of it: 2 s here,
		// room for the stream to end under a loaded CI machine (at 3 s,
		// 0.6 s ran out once with the whole suite running).
		"SHUTDOWN_TIMEOUT": "10s",
	})
	resp, err := http.Post(p.URL+"/query", "application/json", strings.NewReader(`{"question":"battery warranty","stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := sseclient.NewReader(resp.Body, 0)
	var types []string
	next := func() sseclient.Event {
		t.Helper()
		ev, err := rd.Next()
		if err != nil {
			t.Fatalf("stream broke after %v: %v", types, err)
		}
		types = append(types, ev.Type)
		return ev
	}
	if ev := next(); ev.Type != "sources" {
		t.Fatalf("first event %q", ev.Type)
	}
	if ev := next(); ev.Type != "delta" {
		t.Fatalf("second event %q", ev.Type)
	}
	start := time.Now()
	p.signal(syscall.SIGTERM)
	var last sseclient.Event
	for last.Type != "error" && last.Type != "done" {
		last = next()
	}
	took := time.Since(start)
	if last.Type != "error" || !strings.Contains(last.Data, "shutting down") {
		t.Errorf("stream ended with %s %s, want an error event saying the service is shutting down", last.Type, last.Data)
	}
	if took < time.Second {
		t.Errorf("the stream was stopped %s after SIGTERM; it should run on through most of the 10s drain", took)
	}
	if code := p.wait(30 * time.Second); code != 0 {
		t.Errorf("exit code %d, want 0: the stream ended within the drain\n%s", code, p.Stderr)
	}
}
