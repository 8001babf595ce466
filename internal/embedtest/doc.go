// Package embedtest provides stand-ins for the embedding providers' HTTP
// APIs, for tests: OpenAI's POST /v1/embeddings, Ollama's POST /api/embed
// and Bedrock Runtime's InvokeModel for amazon.titan-embed-text-v2:0
// (checking that requests are SigV4-signed). A Server answers with
// deterministic vectors, counts requests and texts, and can be scripted
// to fail chosen requests (429 with Retry-After, 5xx), to answer with
// chosen vectors, or to stream answers padded to any size while counting
// the bytes written.
//
// Serve it with httptest.NewServer, or without a network through
// Server.Client, whose transport calls the handler in-process: that one
// works inside a testing/synctest bubble, where retry back-offs and
// Retry-After waits pass in fake time.
//
// A Server is safe for concurrent use.
package embedtest
