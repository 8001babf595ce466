package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/go-chi/chi/v5/middleware"
)

// recoverer turns a panic in a handler into a logged 500 with a JSON body
// (Starlette sends plain text; JSON is kinder to the frontend) and keeps
// the process serving. http.ErrAbortHandler is re-raised, as net/http
// expects. Memory faults panic too, instead of killing the process: a
// store's files are memory-mapped, and one truncated in place under the
// server (an operator's cp over it; syncs and builds replace files whole)
// would otherwise SIGBUS every task reading it.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic",
				slog.String("panic", fmt.Sprint(v)),
				slog.String("stack", string(debug.Stack())),
			)
			if ww, ok := w.(middleware.WrapResponseWriter); ok && ww.Status() != 0 {
				// The response has begun (an SSE stream, say): a JSON body
				// now would corrupt it. Drop the connection instead.
				panic(http.ErrAbortHandler)
			}
			writeJSON(w, http.StatusInternalServerError, errorBody{Detail: "Internal Server Error"})
		}()
		next.ServeHTTP(w, r)
	})
}
