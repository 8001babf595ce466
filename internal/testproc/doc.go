// Package testproc holds what the harnesses that run real servers in tests
// (versitygw in s3test, weaviate-server in weaviatetest, the api binary in
// soak) share: where a tool's binary is found, and a bounded, goroutine-safe
// buffer for a process's output.
package testproc
