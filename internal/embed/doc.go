// Package embed implements text embedders: the Embedder contract (embed.go)
// and its remote providers.
//
// # Providers
//
//   - [OpenAI]: an OpenAI-compatible POST {base}/embeddings client (OpenAI,
//     Azure OpenAI via [OpenAIConfig.URL] and [OpenAIConfig.AuthHeader],
//     and compatible servers such as vLLM or LiteLLM).
//   - [Bedrock]: Amazon Titan Text Embeddings v2 through Bedrock Runtime
//     InvokeModel, signed with the default AWS credential chain (the ECS
//     task role in production).
//   - [Ollama]: a local Ollama server's POST {base}/api/embed.
//   - [Hash]: a deterministic, offline feature-hashing embedder for
//     development and tests. It needs no model and no network, and ranks by
//     lexical overlap only; it is not a semantic model.
//
// The offline sentence encoders live in sub-packages: minilm
// (all-MiniLM-L6-v2, the default) and uselite, joined with glove by offline.
//
// # Errors
//
// Remote embedders retry 429, 5xx and connection failures with exponential
// backoff and full jitter (see package retry), honouring Retry-After. A
// non-2xx answer that is not retried, or the last one, is returned as a
// *retry.HTTPError naming provider, status and a short, secret-free
// reason, wrapped so that errors.Is(err, ErrUpstream) holds. A 2xx answer
// that cannot be used (bad JSON, wrong count, wrong dimensions, a vector
// the index cannot scale to unit length) wraps ErrBadResponse. Context cancellation is returned as ctx.Err(), wrapped.
//
// # Concurrency and ownership
//
// Every Embedder here is safe for concurrent use once constructed; configs
// are copied by the constructors. Embed never retains the texts slice and
// returns fresh vectors that the caller owns. API keys are kept only to set
// request headers and are never logged or put into errors.
package embed
