package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// sseWriter frames and flushes Server-Sent Events; the mutex serialises
// events and heartbeats.
type sseWriter struct {
	mu    sync.Mutex
	w     http.ResponseWriter
	rc    *http.ResponseController
	begun bool
}

func (s *sseWriter) begin() {
	if s.begun {
		return
	}
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	s.begun = true
}

func (s *sseWriter) event(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("sse: encode %s: %w", name, err)
	}
	return s.write("event: "+name+"\n", b)
}

// write sends one frame, head (an event line, or nothing) then "data: b",
// and flushes it: one owner of the framing, the lock and the flush.
func (s *sseWriter) write(head string, b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begin()
	if _, err := fmt.Fprintf(s.w, "%sdata: %s\n\n", head, b); err != nil {
		return fmt.Errorf("sse: write: %w", err)
	}
	return s.rc.Flush()
}

func (s *sseWriter) started() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.begun }

// heartbeat sends an SSE comment every d once the stream has begun, so
// proxies keep a quiet connection open. The returned func stops it.
func (s *sseWriter) heartbeat(ctx context.Context, d time.Duration) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				s.mu.Lock()
				if s.begun {
					_, _ = fmt.Fprint(s.w, ": ping\n\n")
					_ = s.rc.Flush()
				}
				s.mu.Unlock()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// data writes one unnamed SSE event, "data: <v as JSON>", and flushes it.
// A raw string is written as is (the "[DONE]" sentinel).
func (s *sseWriter) data(v any) error {
	var b []byte
	if raw, ok := v.(sseRaw); ok {
		b = []byte(raw)
	} else {
		var err error
		if b, err = json.Marshal(v); err != nil {
			return fmt.Errorf("sse: encode: %w", err)
		}
	}
	return s.write("", b)
}

// sseRaw is data written without JSON encoding.
type sseRaw string

// sseDone ends both chat streams, as OpenAI and the AI SDK do.
const sseDone sseRaw = "[DONE]"

// newSSE checks that w can stream and returns a writer for it.
func newSSE(w http.ResponseWriter) (*sseWriter, error) {
	if _, ok := w.(http.Flusher); !ok {
		return nil, &Error{Status: http.StatusInternalServerError, Detail: "Streaming is not supported", Err: errors.New("response writer cannot flush")}
	}
	return &sseWriter{w: w, rc: http.NewResponseController(w)}, nil
}
