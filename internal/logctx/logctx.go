package logctx

import (
	"context"
	"log/slog"
	"time"
	"unicode/utf8"
)

// Attribute keys added by Handler.
const (
	KeyRequestID = "req_id"
	KeyTraceID   = "trace_id"
)

// maxTraceID bounds the trace id kept from a client-supplied header. An
// X-Amzn-Trace-Id is "Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx" plus a few
// short fields, well under this; anything longer is cut so one header cannot
// bloat every log line of a request.
const maxTraceID = 256

// ctxKey is the type of this package's context key.
type ctxKey struct{}

// request is what WithRequest stores.
type request struct {
	id, trace string
}

// WithRequest returns a copy of ctx carrying the request id and trace id
// that Handler adds to records. An empty trace id is left out of records;
// a long one is truncated.
func WithRequest(ctx context.Context, reqID, traceID string) context.Context {
	if len(traceID) > maxTraceID {
		n := maxTraceID
		for n > 0 && !utf8.RuneStart(traceID[n]) {
			n-- // cut at a rune boundary: a split rune would be logged as U+FFFD, longer
		}
		traceID = traceID[:n]
	}
	return context.WithValue(ctx, ctxKey{}, request{id: reqID, trace: traceID})
}

// RequestID returns the request id stored in ctx by WithRequest, or "".
func RequestID(ctx context.Context) string {
	r, _ := fromContext(ctx)
	return r.id
}

// TraceID returns the trace id stored in ctx by WithRequest, or "".
func TraceID(ctx context.Context) string {
	r, _ := fromContext(ctx)
	return r.trace
}

// Handler wraps a slog.Handler, adding req_id and trace_id from the
// record's context (see WithRequest) to each record, at the top level
// even under WithGroup, so every line of a request can be found by one key.
type Handler struct {
	base slog.Handler // the wrapped handler, before any WithAttrs/WithGroup
	next slog.Handler // base with ops applied
	ops  []op         // WithAttrs and WithGroup calls, oldest first
	// grouped reports whether ops open a group; only then must Handle
	// rebuild the chain to keep the request's attributes at the top level.
	grouped bool
}

// op is one WithAttrs (group == "") or WithGroup call.
type op struct {
	group string
	attrs []slog.Attr
}

// NewHandler returns a Handler that passes records, with the request's
// attributes added, to next.
func NewHandler(next slog.Handler) *Handler {
	return &Handler{base: next, next: next}
}

// New returns a logger whose handler is NewHandler(h).
func New(h slog.Handler) *slog.Logger { return slog.New(NewHandler(h)) }

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, rec slog.Record) error {
	r, ok := fromContext(ctx)
	if !ok {
		return h.next.Handle(ctx, rec)
	}
	attrs := make([]slog.Attr, 0, 2)
	attrs = append(attrs, slog.String(KeyRequestID, r.id))
	if r.trace != "" {
		attrs = append(attrs, slog.String(KeyTraceID, r.trace))
	}
	if h.grouped {
		// Attributes added to the record would land inside the open
		// group: add them beneath the groups instead. This costs a
		// handler chain per record, only for grouped loggers.
		next := h.base.WithAttrs(attrs)
		for _, o := range h.ops {
			if o.group != "" {
				next = next.WithGroup(o.group)
			} else {
				next = next.WithAttrs(o.attrs)
			}
		}
		return next.Handle(ctx, rec)
	}
	out := slog.NewRecord(rec.Time, rec.Level, rec.Message, rec.PC)
	out.AddAttrs(attrs...)
	rec.Attrs(func(a slog.Attr) bool { out.AddAttrs(a); return true })
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(op{attrs: attrs}, h.next.WithAttrs(attrs))
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(op{group: name}, h.next.WithGroup(name))
}

func (h *Handler) with(o op, next slog.Handler) *Handler {
	return &Handler{
		base:    h.base,
		next:    next,
		ops:     append(h.ops[:len(h.ops):len(h.ops)], o),
		grouped: h.grouped || o.group != "",
	}
}

func fromContext(ctx context.Context) (request, bool) {
	if ctx == nil {
		return request{}, false
	}
	r, ok := ctx.Value(ctxKey{}).(request)
	return r, ok
}

// Took returns the took_ms attribute for the time since start: float
// milliseconds with microsecond resolution.
func Took(start time.Time) slog.Attr {
	return slog.Float64("took_ms", Millis(time.Since(start)))
}

// Millis returns d in milliseconds with microsecond resolution, the unit
// and type of every *_ms log attribute.
func Millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}

// Wrap returns l with its handler wrapped by NewHandler, or l itself if its
// handler already is a *Handler, so that wrapping twice does not log the
// request's attributes twice.
func Wrap(l *slog.Logger) *slog.Logger {
	if _, ok := l.Handler().(*Handler); ok {
		return l
	}
	return slog.New(NewHandler(l.Handler()))
}
