// Package logctx carries request-scoped log attributes in a context and
// adds them to every record logged with that context.
//
// # Contexts
//
// The HTTP layer calls WithRequest once per request with the request id
// and the load balancer's trace id. Any code below it that logs with the
// request's context (Logger.LogAttrs(ctx, ...), Logger.InfoContext and so
// on) gets req_id and trace_id on its lines through Handler, without
// passing them by hand. Records logged without a context, or with one that
// carries no request, are unchanged.
//
// # Keys
//
// The keys are fixed: KeyRequestID ("req_id") and KeyTraceID
// ("trace_id"). Durations are logged as Took: "took_ms", float
// milliseconds, the one type the access log and the services share.
//
// # Concurrency
//
// A Handler is as safe for concurrent use as the handler it wraps; it
// keeps no state of its own beyond what WithAttrs and WithGroup record.
package logctx
