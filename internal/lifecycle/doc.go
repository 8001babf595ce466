// Package lifecycle runs the service from start-up to drain: it loads the
// vector store and keeps it current, keeps the readiness /ready reports,
// exposes both on /metrics, decides which error words the public routes
// may show, serves HTTP until SIGTERM, and probes /health for the
// container's health check.
//
// # Loading
//
// Start-up, the admin reload and the optional poll share one path,
// Loader.Load: sync the folder from S3 (a Syncer, when configured), open
// and verify it (an Opener), and swap it into the retrieval service (a
// Swapper). A failed step leaves the store already served in place, so a
// corrupt or partial download never replaces a good index. At start-up
// LoadUntilReady retries with backoff until something can be served. A
// failure Load returns is the caller's to log; Load logs only what it
// decides itself (serving the verified local copy after a failed sync).
// Errors shown on /ready and /vectorstore pass through PublicReason: S3
// errors carry bucket and role names, so only their kind is shown.
//
// # Readiness and drain
//
// Readiness moves from starting to ready (every successful load) to
// draining (SIGTERM), never back. Serve listens before loading, and on
// SIGTERM turns /ready 503, stops loads, drains requests and cancels them
// with httpapi.ErrShuttingDown shortly before the drain deadline.
//
// # Concurrency
//
// Loads are serialised by a mutex; Status, Readiness and the collectors
// are read lock-free and are safe for concurrent use. The Loader
// implements httpapi.StoreStatus and httpapi.Reloader, its Readiness
// httpapi.Readiness.
package lifecycle
