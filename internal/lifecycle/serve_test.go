package lifecycle

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/httpapi"
)

// addrHandler is a slog handler that reports the address Serve listens on.
type addrHandler struct{ addr chan string }

func (h addrHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h addrHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h addrHandler) WithGroup(string) slog.Handler            { return h }
func (h addrHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "listening" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "addr" {
				h.addr <- a.Value.String()
			}
			return true
		})
	}
	return nil
}

// serveAsync runs Serve with handler and returns its address and result.
func serveAsync(t *testing.T, ctx context.Context, handler http.Handler, drain time.Duration) (string, *Loader, chan error) {
	t.Helper()
	h := &harness{version: "v1"}
	l := h.loader(t, false)
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, ServerConfig{Addr: "127.0.0.1:0", Handler: handler, ShutdownTimeout: drain,
			Logger: slog.New(addrHandler{addr: addr})}, l)
	}()
	select {
	case a := <-addr:
		return a, l, done
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	return "", nil, nil
}

func TestServe_ListenFailsAtOnce(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	h := &harness{version: "v1"}
	err = Serve(t.Context(), ServerConfig{Addr: ln.Addr().String(), Handler: http.NotFoundHandler()}, h.loader(t, false))
	if err == nil || !strings.HasPrefix(err.Error(), "listen on "+ln.Addr().String()+": ") {
		t.Fatalf("Serve on a taken port: %v", err)
	}
	if len(h.swapped) != 0 {
		t.Errorf("loaded although it could not listen")
	}
}

// TestServe_DrainCancelsRequestsBeforeTheDeadline: on shutdown /ready turns
// draining and loading stops; a request still running shortly before the
// drain deadline sees its context cancelled with httpapi.ErrShuttingDown,
// answers, and Serve returns nil.
func TestServe_DrainCancelsRequestsBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	cause := make(chan error, 1)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		cause <- context.Cause(r.Context())
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	ctx, cancel := context.WithCancel(t.Context())
	// Shutdown polls for idle connections at up to 500ms intervals: the
	// grace (a fifth of the drain, 1s here) leaves it room.
	addr, l, done := serveAsync(t, ctx, handler, 5*time.Second)
	resp := make(chan int, 1)
	go func() {
		r, err := http.Get("http://" + addr + "/")
		if err != nil {
			resp <- 0
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		resp <- r.StatusCode
	}()
	<-started
	start := time.Now()
	cancel() // SIGTERM
	if err := <-cause; !errors.Is(err, httpapi.ErrShuttingDown) {
		t.Errorf("request cancelled with %v, want ErrShuttingDown", err)
	}
	// The request was told to stop 1s before the end of the drain.
	if took := time.Since(start); took < 4*time.Second || took > 5*time.Second {
		t.Errorf("request cancelled after %s, want between 4s and 5s", took)
	}
	if code := <-resp; code != http.StatusServiceUnavailable {
		t.Errorf("the drained request answered %d", code)
	}
	if err := <-done; err != nil {
		t.Fatalf("Serve after a clean drain: %v", err)
	}
	if !l.Readiness().Draining() {
		t.Errorf("readiness not draining after shutdown")
	}
	if _, err := l.Reload(context.Background()); !errors.Is(err, context.Canceled) {
		t.Errorf("a reload after shutdown: %v, want cancelled", err)
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Errorf("the listener still accepts after Serve returned")
	}
}

// TestServe_RequestOutlivesTheDrain: a request that ignores cancellation
// makes Serve fail once ShutdownTimeout has passed.
func TestServe_RequestOutlivesTheDrain(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	handler := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		close(started)
		<-release
	})
	ctx, cancel := context.WithCancel(t.Context())
	addr, _, done := serveAsync(t, ctx, handler, 300*time.Millisecond)
	go func() {
		if r, err := http.Get("http://" + addr + "/"); err == nil {
			r.Body.Close()
		}
	}()
	<-started
	cancel()
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "shutdown: in-flight requests did not finish within 300ms") {
		t.Fatalf("Serve: %v", err)
	}
}

func TestDrainGrace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ drain, want time.Duration }{
		{25 * time.Second, 3 * time.Second},
		{10 * time.Second, 2 * time.Second},
		{time.Second, 200 * time.Millisecond},
		{0, 0},
	} {
		if got := drainGrace(tc.drain); got != tc.want {
			t.Errorf("drainGrace(%s) = %s, want %s", tc.drain, got, tc.want)
		}
	}
}
