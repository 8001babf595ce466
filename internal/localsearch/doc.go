// Package localsearch serves a store folder without the server, for the
// operator's tools: Open loads a store into a rag.Service with the offline
// extractive generator, and WriteHits and WriteHitsJSON print search hits
// for people or scripts. "vectorstore search" and "vectorstore eval" use
// it; the embedder is chosen by the caller, and OpenStore with no
// embedder serves searches by raw vector only. SearchFlags is the option
// set of "vectorstore search" (cliflag.Options: --query, or a raw --vector
// or --vector-file), and Hits prints itself with WriteHits or
// WriteHitsJSON.
//
// # Concurrency
//
// The Service Open returns is safe for concurrent use, like any
// rag.Service. The writers are not: give each its own io.Writer.
package localsearch
