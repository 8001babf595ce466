// Package docmodel holds the two values the document pipeline passes
// between its stages: a Chunk of text and the EmbeddingModel that turned
// chunks into vectors.
//
// # Why a package of its own
//
// chunk makes Chunks, embed makes vectors and reports its EmbeddingModel,
// store writes and reads both, rag serves them. Before this package the
// Chunk type lived in store and the model identity in embed, so chunk
// imported store and store imported embed only to name a type. Keeping the
// shared types in a leaf that imports nothing of ours lets each of those
// packages depend on the data, not on each other (the shape of weaviate's
// entities package).
//
// # The indexed text
//
// Chunk.IndexText is the one place that says what text represents a chunk
// in the indexes (its heading path from Metadata, then Text): ingest embeds
// it and rag builds the keyword index from Chunk.KeywordText, which is
// IndexText with the heading path weighted twice, so the two cannot drift.
//
// # Ownership
//
// Both types are plain values. A Chunk read from a store is shared by every
// request that finds it: its Metadata map must not be modified.
package docmodel
