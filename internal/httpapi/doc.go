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
// 500), corsMiddleware (Starlette semantics with credentials) and the
// bearer-token checks in auth.
//
// # Concurrency
//
// A Server is immutable after New and safe for concurrent use; the
// Readiness, StoreStatus and Reloader it is given are small interfaces
// defined here and implemented by the process (internal/lifecycle).
//
//	@title			vendor0919 RAG API
//	@version		1.0
//	@description	Retrieval-augmented answers over the vendor0919 vector store. Drop-in replacement for the FastAPI backend.
//	@BasePath		/
//	@securityDefinitions.apikey	BearerAuth
//	@in			header
//	@name			Authorization
//	@description	"Bearer <token>" when the server sets API_KEYS (or ADMIN_TOKEN for /admin).
package httpapi
