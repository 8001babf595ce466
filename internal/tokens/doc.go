// Package tokens estimates how many tokens a language or embedding model
// spends on a text, without its tokenizer: the answer pipeline budgets its
// prompt and the conversation history by it, /v1/embeddings reports it as
// usage, and vectorstore build cuts texts to a model's input limit by it
// when the model's own tokenizer is not at hand (Titan's is not public).
//
// Estimate counts by character class for a byte-level BPE tokenizer like
// OpenAI's cl100k_base, erring high: a text judged to fit a limit should.
// Truncate cuts a text to a budget at a rune boundary. Both are pure
// functions, safe for concurrent use.
package tokens
