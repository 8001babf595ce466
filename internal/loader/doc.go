// Package loader keeps the served vector store current. Start-up, the
// admin reload and the optional poll share one path: sync the folder from
// S3 (when configured), open and verify it, and swap it into the
// retrieval service. A failed step leaves the store already served in
// place, so a corrupt or partial download never replaces a good index.
//
// A failure Load returns is the caller's to log; Load logs only what it
// decides itself (serving the verified local copy after a failed sync).
//
// Loads are serialised by a mutex; Status is read lock-free and is safe
// for concurrent use.
package loader
