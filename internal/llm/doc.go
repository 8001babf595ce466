// Package llm implements answer generation: the Generator contract (llm.go),
// an offline extractive generator, and clients for OpenAI-compatible chat
// completions, AWS Bedrock Converse/ConverseStream and Ollama.
//
// # Generators
//
//   - [Extractive] (Model "extractive"): no model at all. It quotes the
//     passage sentences that best match the question, cited as [n], under a
//     label that says so (in Japanese for a Japanese question).
//   - [OpenAI]: POST {base}/chat/completions, streamed as Server-Sent
//     Events when emit is non-nil, a single JSON answer otherwise.
//   - [Bedrock]: Bedrock Runtime Converse, or ConverseStream when emit is
//     non-nil (AWS event-stream framing).
//   - [Ollama]: POST {base}/api/chat, streamed as NDJSON when emit is
//     non-nil.
//
// # Retries, timeouts and streaming
//
// Each remote call has a per-attempt timeout (Config.Timeout) covering the
// whole request including the streamed body. 429, 5xx, connection failures
// and per-attempt timeouts are retried with exponential backoff and full
// jitter, honouring Retry-After (package retry), but only until the first
// delta has been passed to emit: after that a failure is returned as is,
// since the caller has already forwarded text. When ctx is done the body is
// closed and Generate returns an error wrapping ctx.Err().
//
// Errors name the provider and, for HTTP failures, a *retry.HTTPError with
// status and a short reason from which API keys are scrubbed; they wrap
// ErrUpstream or ErrBadResponse. Keys are never logged.
//
// # Concurrency and ownership
//
// All generators are safe for concurrent use once constructed. Generate
// does not retain req or its slices after returning. emit is called from
// the goroutine that called Generate, one delta at a time, in order.
package llm
