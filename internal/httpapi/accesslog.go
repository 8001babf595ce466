package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/vendor0919/api/internal/logctx"
)

// accessLog writes one JSON line per request after it completes: method,
// route pattern (not the raw path, which may carry user text), status,
// bytes, duration, the client (the address the rate limits key on: behind
// the ALB, not the ALB's) and user agent; the logger adds req_id and trace_id from
// the context (logctx). Values a client chooses are cut to maxLoggedValue
// bytes (logctx bounds the trace id; requestID admits only short ids), so
// no header can make a line large.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		r = withOutcome(r)
		defer func() {
			status, route := responseStatus(ww, r), routeOf(r)
			level := slog.LevelInfo
			switch {
			case r.URL.Path == "/health" || r.URL.Path == "/ready" || r.URL.Path == "/":
				// Probes poll these every few seconds (the ALB's old check
				// is /), and /ready is 503 by design while loading; keep
				// them out of the default level.
				level = slog.LevelDebug
			case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests:
				// Shed load, draining, not loaded yet: expected states any
				// client can cause, not faults for an ERROR alarm.
				level = slog.LevelWarn
			case status >= 500:
				level = slog.LevelError
			}
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", clip(r.Method, maxLoggedValue)),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				logctx.Took(start),
				slog.String("remote", r.RemoteAddr),
				slog.String("client", clip(clientIP(r), maxLoggedValue)),
				slog.String("user_agent", clip(r.UserAgent(), maxLoggedValue)),
			)
		}()
		next.ServeHTTP(ww, r)
	})
}

// outcome is what a handler knows of its response that the written
// status does not say.
type outcome struct {
	clientClosed atomic.Bool
}

type outcomeKey struct{}

// withOutcome returns r with an outcome holder, its own if it has one:
// the access log and the metrics, in whichever order they wrap each
// other, read the same.
func withOutcome(r *http.Request) *http.Request {
	if _, ok := r.Context().Value(outcomeKey{}).(*outcome); ok {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), outcomeKey{}, &outcome{}))
}

// markClientClosed records that the client of the request ctx belongs to
// left before its answer ended: responseStatus is then 499, whatever was
// written (a stream has sent its 200 by then).
func markClientClosed(ctx context.Context) {
	if o, ok := ctx.Value(outcomeKey{}).(*outcome); ok {
		o.clientClosed.Store(true)
	}
}

// responseStatus is the status the access log and the metrics report for
// r: nginx's 499 when the client left mid-answer (markClientClosed), else
// the status written, 200 if none was.
func responseStatus(ww middleware.WrapResponseWriter, r *http.Request) int {
	if o, ok := r.Context().Value(outcomeKey{}).(*outcome); ok && o.clientClosed.Load() {
		return statusClientClosed
	}
	if status := ww.Status(); status != 0 {
		return status
	}
	return http.StatusOK
}

// maxLoggedValue bounds each client-chosen value in a log line.
const maxLoggedValue = 256

// clip returns s cut to at most n bytes, at a UTF-8 boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
