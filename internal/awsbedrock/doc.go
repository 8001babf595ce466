// Package awsbedrock builds the Amazon Bedrock Runtime client shared by the
// Titan embedder (package embed) and the Converse generator (package llm).
//
// [New] resolves the AWS configuration once (region, default credential
// chain, which is the ECS task role in production) and turns the SDK's own
// retries off: callers retry with package retry, so that backoff,
// Retry-After and attempt counting are the same for every provider. With
// Config.MaxResponseBytes it caps the response bodies the SDK would
// otherwise read whole (an InvokeModel answer is one []byte, a Converse
// answer one JSON document); a ConverseStream's event stream is left to
// its reader, which bounds the answer itself.
//
// # Concurrency and ownership
//
// New is safe to call concurrently; the returned client is safe for
// concurrent use, as the SDK documents. New keeps no reference to cfg.
package awsbedrock
