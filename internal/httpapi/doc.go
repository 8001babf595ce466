// Package httpapi is the service's HTTP surface: a chi router with
// FastAPI-compatible routes, error bodies and CORS.
//
// # Handlers and errors
//
// Route handlers return (value, error); one wrap writes the value as JSON
// or the error as FastAPI would: {"detail": "..."} for 4xx/5xx and a
// pydantic v2 list for 422. No handler writes an error body itself.
// Request bodies are read by readBody, which enforces the size limit,
// content type and field rules (unknown fields are ignored, as FastAPI's
// default models do).
//
// # Middleware
//
// Each middleware is one file: requestID (X-Request-ID in and out),
// accessLog (one slog line per request), recoverer (panic -> JSON 500),
// corsMiddleware (Starlette semantics with credentials).
//
// # Concurrency
//
// A Server is immutable after New and safe for concurrent use; the
// Readiness it reads is flipped atomically by the process.
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
