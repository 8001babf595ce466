// Package httpjson sends JSON POST requests to upstream model providers
// (OpenAI-compatible APIs, Ollama), shared by the embedders and the
// generators.
//
// # Model
//
// A [Client] is bound to one endpoint. [Client.Post] marshals the request
// once and sends it with retries under a [retry.Policy], each attempt
// bounded by the client's timeout; a non-2xx answer is classified by
// [retry.Send], and each 2xx body is handed to the caller's read function.
// [Client.PostJSON] is Post with a bounded read decoded into a value. An API
// key goes into "Authorization: Bearer KEY" or the header the config names
// (Azure's "api-key") and is scrubbed from every error.
//
// # Errors
//
// The caller passes in its own sentinels ([Errors]), so that its callers
// keep branching on them with errors.Is: a bad config wraps Errors.Config;
// a done ctx gives ctx.Err(); an unusable 2xx body wraps
// Errors.BadResponse; any other failure after the retries wraps
// Errors.Upstream.
//
// # Concurrency and ownership
//
// A Client is immutable once built and safe for concurrent use. Post does
// not retain in; read must not keep the body after it returns.
package httpjson
