package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/vendor0919/api/internal/logctx"
)

// accessLog writes one JSON line per request after it completes: method,
// route pattern (not the raw path, which may carry user text), status,
// bytes and duration; the logger adds req_id and trace_id from the context
// (logctx).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			route := "unmatched"
			if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
				route = rc.RoutePattern()
			}
			level := slog.LevelInfo
			switch {
			case r.URL.Path == "/health" || r.URL.Path == "/ready":
				// Probes poll these every few seconds, and /ready is 503 by
				// design while loading; keep them out of the default level.
				level = slog.LevelDebug
			case status >= 500:
				level = slog.LevelError
			}
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", r.Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int("bytes", ww.BytesWritten()),
				logctx.Took(start),
				slog.String("remote", r.RemoteAddr),
			)
		}()
		next.ServeHTTP(ww, r)
	})
}
