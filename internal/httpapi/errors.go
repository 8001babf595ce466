package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Error is an error with an HTTP status and a FastAPI-shaped body:
// {"detail": Detail}. Detail is a string for most errors and a list of
// ValidationItem for 422s.
type Error struct {
	Status int
	Detail any
	Header http.Header // extra response headers, e.g. Allow or WWW-Authenticate
	Err    error       // cause, logged but never sent
}

// Error says the status and detail, and the cause if any. A 422's items
// are given by type and location only: their inputs and messages echo
// the client's body (a question, say), and this string is what
// writeError logs.
func (e *Error) Error() string {
	detail := e.Detail
	if items, ok := e.Detail.([]ValidationItem); ok {
		where := make([]string, len(items))
		for i, it := range items {
			loc := make([]string, len(it.Loc))
			for j, l := range it.Loc {
				loc[j] = fmt.Sprint(l)
			}
			where[i] = it.Type + " at " + strings.Join(loc, ".")
		}
		detail = strings.Join(where, "; ")
	}
	if e.Err != nil {
		return fmt.Sprintf("%d %v: %v", e.Status, detail, e.Err)
	}
	return fmt.Sprintf("%d %v", e.Status, detail)
}

func (e *Error) Unwrap() error { return e.Err }

// ValidationItem is one entry of a 422 detail list, as pydantic v2 and
// FastAPI (>= 0.110.2, no "url" key) write it.
type ValidationItem struct {
	Type  string         `json:"type"`
	Loc   []any          `json:"loc"`
	Msg   string         `json:"msg"`
	Input any            `json:"input"`
	Ctx   map[string]any `json:"ctx,omitempty"`
} //	@name	ValidationError

// errorBody is the JSON body of every error response.
type errorBody struct {
	Detail any `json:"detail" swaggertype:"string"`
}

// validationBody documents the 422 body for the OpenAPI spec, under
// FastAPI's schema name.
//
//nolint:unused // referenced by the OpenAPI conversion only
type validationBody struct {
	Detail []ValidationItem `json:"detail"`
} //	@name	HTTPValidationError

func errStatus(status int, detail string) *Error { return &Error{Status: status, Detail: detail} }

// errBusy is the cause of a 503 the server answers for its own load (a
// class's slots and queue full, the bodies held at their bound).
var errBusy = errors.New("httpapi: server is busy")

// busy is the 503 of a request refused for the server's load, with
// Retry-After retry (seconds) and cause errBusy, or err wrapping it.
func busy(retry string, err error) *Error {
	if err == nil {
		err = errBusy
	}
	return &Error{Status: http.StatusServiceUnavailable, Detail: "Server is busy; retry later",
		Header: http.Header{"Retry-After": {retry}}, Err: err}
}

// errValidation is a 422 listing items: at most maxErrorItems of them and
// a last one counting the rest, each input echo cut short (boundItems).
func errValidation(items ...ValidationItem) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Detail: boundItems(items)}
}

// ErrShuttingDown is the cause with which the process cancels the
// requests still running near the end of its drain (see
// http.Server.BaseContext): handlers then answer 503, and a stream ends
// with an "error" event, instead of being cut off.
var ErrShuttingDown = errors.New("httpapi: service is shutting down")

// shuttingDownDetail is what a request the drain stopped is told, as a
// 503's detail or a stream's last event.
const shuttingDownDetail = "Service is shutting down; retry the request"

// shuttingDown reports whether the drain told r to stop (ErrShuttingDown).
func shuttingDown(r *http.Request) bool {
	return errors.Is(context.Cause(r.Context()), ErrShuttingDown)
}

// errShuttingDown is the 503 for a request the drain stopped, whose own
// failure was err.
func errShuttingDown(err error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Detail: shuttingDownDetail, Err: err}
}

// handlerFunc is a route handler that returns a value to encode as JSON
// with status 200, or an error. A nil value with a nil error means the
// handler has already written the response (streaming).
type handlerFunc func(w http.ResponseWriter, r *http.Request) (any, error)

// statusClientClosed is nginx's status for a request whose client left
// before the answer; net/http has no name for it.
const statusClientClosed = 499

// wrap turns a handlerFunc into an http.Handler: it writes the value as
// JSON, or the error in FastAPI's shape. Errors that are not *Error become
// a generic 500; their text is logged, never sent.

func (s *Server) wrap(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := h(w, r)
		if err != nil {
			switch {
			case shuttingDown(r):
				err = errShuttingDown(err)
			case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
				// The client left: nobody reads the answer, and it is no
				// server error (nginx's 499 in the access log and metrics).
				markClientClosed(r.Context())
				err = &Error{Status: statusClientClosed, Detail: "Client closed the request", Err: err}
			}
			s.writeError(w, r, err)
			return
		}
		if v != nil {
			writeJSON(w, http.StatusOK, v)
		}
	}
}

// shouldRetryHeader tells OpenAI's clients whether to retry a failed
// request (openai-node and openai-python read it before the status).
const shouldRetryHeader = "X-Should-Retry"

// writeError writes err as a FastAPI-shaped body (OpenAI's under /v1/). Client errors log at
// debug, server errors at error.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *Error
	if !errors.As(err, &he) {
		he = &Error{Status: http.StatusInternalServerError, Detail: "Internal Server Error", Err: err}
	}
	level := slog.LevelDebug
	switch {
	case he.Status == http.StatusServiceUnavailable && errors.Is(he, errBusy):
		// Overload: the access log's WARN line says it, once a request.
	case he.Status == http.StatusServiceUnavailable:
		level = slog.LevelWarn // not loaded yet, draining, a failed reload: expected states
	case he.Status >= 500:
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request error",
		slog.Int("status", he.Status),
		slog.Any("error", err),
	)
	for k, vs := range he.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if he.Status == http.StatusInternalServerError || he.Status == http.StatusGatewayTimeout {
		// The server has already retried its providers, or waited
		// QUERY_TIMEOUT: a client retry (the openai client makes two on
		// any 5xx unless told) only multiplies the calls and the wait.
		w.Header().Set(shouldRetryHeader, "false")
	}
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		// The OpenAI-compatible routes answer errors as OpenAI does, so
		// its clients raise their typed errors.
		writeJSON(w, he.Status, openAIErrorFrom(he))
		return
	}
	writeJSON(w, he.Status, errorBody{Detail: he.Detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"detail":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
