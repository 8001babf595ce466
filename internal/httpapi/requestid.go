package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"

	"github.com/vendor0919/api/internal/logctx"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

// traceIDHeader is the ALB's trace header, logged as trace_id.
const traceIDHeader = "X-Amzn-Trace-Id"

// RequestID returns the request id stored in ctx, or "" if there is none.
func RequestID(ctx context.Context) string { return logctx.RequestID(ctx) }

// requestID honours a sane incoming X-Request-ID (so ids follow a request
// through the ALB and the frontend) or makes a new one, and returns it in
// the response header. It stores the id and the ALB trace id in the
// context with logctx, so every line logged with the request's context,
// here or in rag, carries req_id and trace_id.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		ctx := logctx.WithRequest(r.Context(), id, r.Header.Get(traceIDHeader))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// validRequestID admits 1-128 visible ASCII characters, so a client cannot
// inject log lines or huge values.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
