// Package testproc holds what the harnesses that run real servers in tests
// (versitygw in s3test, weaviate-server in weaviatetest, the api binary in
// soak and in startbench's benchmark) share: where a tool's binary is found, what a test does when a tool
// is missing (Missing: skip, or fail under VENDOR0919_REQUIRE_TOOLS=1), and a
// bounded, goroutine-safe buffer for a process's output.
package testproc
