// Package chunk implements document loading and chunking for the vector
// store builder: Markdown, plain text, HTML and PDF files become Documents
// made of Sections, and each Section is split into overlapping chunks that
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
// # PDF
//
// PDFs are read with github.com/ledongthuc/pdf (pure Go, BSD). Each page
// with text becomes one Section with Page set, so a chunk never spans two
// pages and its metadata carries "page" (1-based). The title is the Info
// dictionary's Title, else the first line. Text comes in content-stream
// order; wrapped lines of a paragraph are joined with a space (none next
// to a CJK character, none after a hyphen continued in lowercase) and
// paragraphs, found by vertical gaps, are separated by a blank line.
// Fonts decode through their ToUnicode CMap or simple encoding, and the
// predefined Unicode CMaps (UniJIS-UCS2-H and the like) as UTF-16. Text
// inside form XObjects, legacy CJK CMaps (Shift-JIS, EUC) and fonts with
// neither ToUnicode nor a known encoding are not read. Scanned pages yield
// nothing (no OCR). A file that is corrupt, truncated or needs a password
// is an error naming it; panics in the library are recovered, and reads,
// operators, page-tree nodes and text are capped so a hostile file cannot
// hang the build.
//
// # Concurrency and ownership
//
// The package holds no state; all functions are safe for concurrent use and
// return values the caller owns.
package chunk
