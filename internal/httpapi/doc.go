// Package httpapi is the service's HTTP surface: a chi router with
// FastAPI-compatible routes, error bodies and CORS.
//
// # Handlers and errors
//
// Route handlers return (value, error); one wrap writes the value as JSON
// or the error as FastAPI would: {"detail": "..."} for 4xx/5xx and a
// pydantic v2 list for 422. No handler writes an error body itself.
// Request bodies are decoded by decodeBody into the request structs the
// OpenAPI document is generated from (searchRequest, queryRequest). It
// enforces the size limit and content type, and one validator applies
// pydantic's lax field rules and collects every 422 item (unknown fields
// are ignored, as FastAPI's default models do).
//
// # Middleware
//
// Each middleware is one file with its own test file: requestID
// (X-Request-ID in and out; it stores the request and trace ids with
// logctx, so every line logged with the request's context carries them),
// accessLog (one slog line per request), metrics, recoverer (panic -> JSON
// 500), corsMiddleware (Starlette semantics with credentials), the
// bearer-token checks in auth, each behind limitAuthFailures (429 for a
// client address with too many tokens refused), and per route class
// (Overload) rateLimit (429 per client) and limitInFlight (slots and a
// short queue, then 503).
//
// # Concurrency
//
// A Server is immutable after New and safe for concurrent use; the
// Readiness, StoreStatus and Reloader it is given are small interfaces
// defined here and implemented by the process (internal/lifecycle).
//
//	@title			vendor0919 RAG API
//	@version		dev
//	@description	Retrieval-augmented answers over the vendor0919 vector store. Drop-in replacement for the FastAPI backend.
//	@description
//	@description	Errors are JSON `{"detail": "..."}` (422: pydantic's list of `{type, loc, msg, input, ctx?}`). Outside the operations listed here the router answers like FastAPI: a path with a trailing slash added or removed gets `307 Temporary Redirect` to the documented one (same method and body; `Location` header), any other path `404 {"detail":"Not Found"}`, and a documented path with another method `405 {"detail":"Method Not Allowed"}` with an `Allow` header. HEAD works wherever GET does. The search, generation and admin routes answer `429` past the per-client rate limit and `503` when their class is at capacity, both with `Retry-After`. A client address that had RATE_LIMIT_AUTH_FAILURES bearer tokens refused within RATE_LIMIT_WINDOW gets `429` with `Retry-After` from every route that checks a token (/metrics too when METRICS_TOKEN is set), before its token is read, until that has passed. /health, /ready and /docs are never limited, nor is /metrics otherwise.
//	@BasePath		/
//
//	@tag.name			rag
//	@tag.description	Retrieval and answers: search the vector store, ask a question (JSON or Server-Sent Events), describe the store.
//	@tag.name			openai
//	@tag.description	OpenAI-compatible routes for the official clients and the tools built on them: chat completions answered from the vector store, the model list, the embedder. Errors here use OpenAI's body {"error": {message, type, code, param}}.
//	@tag.name			ops
//	@tag.description	For load balancers, monitoring and people: liveness, readiness, Prometheus metrics, this document and Swagger UI. Never behind authentication.
//	@tag.name			admin
//	@tag.description	Operator actions, guarded by ADMIN_TOKEN (disabled without one).
//
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				An API key from the server's API_KEYS, or a JWT from the configured issuer (JWT_JWKS_URL: an Amazon Cognito user pool or any OpenID Connect issuer; RS256 or ES256, with its iss, aud or Cognito client_id, exp and nbf checked), sent as a bearer token (Swagger UI adds the "Bearer " prefix). Not needed when the server runs with neither: its /openapi.json then marks these operations open.
//
//	@securityDefinitions.apikey	AdminAuth
//	@in							header
//	@name						Authorization
//	@description				The server's ADMIN_TOKEN, sent as a bearer token (Swagger UI adds the "Bearer " prefix).
package httpapi
