// Package chunk implements document loading and chunking for the vector
// store builder: Markdown, plain text and HTML files become Documents made
// of Sections, and each Section is split into overlapping chunks that
// prefer paragraph breaks and sentence ends (". ! ?" and "。！？").
//
// # Sizes
//
// Chunk sizes and overlaps are counted in runes, never bytes, so a chunk
// boundary never falls inside a UTF-8 sequence. EstimateTokens gives the
// rough token count the answer pipeline budgets its prompt with.
//
// # Identity
//
// A chunk's id is derived from its document's source path and its index in
// the document (the first 16 hex digits of a SHA-256), so rebuilding an
// unchanged corpus yields the same ids. Metadata carries "source" (the
// slash-separated path relative to the corpus root, also the document id),
// "title", "section" and "chunk" (the index within the document).
//
// PDF is not supported: no well-kept pure-Go PDF text extractor was
// available to this project.
//
// # Concurrency and ownership
//
// The package holds no state; all functions are safe for concurrent use and
// return values the caller owns.
package chunk
