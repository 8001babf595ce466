// Package weaviatetest starts real Weaviate servers for tests: the
// weaviate-server binary (v1.35.2, built from the Go module proxy), one
// node or a cluster, each node on free 127.0.0.1 ports over its own
// temporary folder.
//
// # Use
//
//	srv := weaviatetest.Start(t, weaviatetest.Options{}) // skips without the binary or under -short
//	srv.Host                                             // "127.0.0.1:PORT" for the client's Host
//	srv.GRPCAddr                                         // "127.0.0.1:PORT" for its gRPC config
//
//	nodes := weaviatetest.StartCluster(t, 3, weaviatetest.Options{}) // CLUSTER_JOIN/RAFT_JOIN on loopback
//	nodes[1].Kill(); nodes[1].Restart(t)                             // same ports and data
//
// A node is ready when GET /v1/.well-known/ready answers 200 (about 20 s
// on a busy 2-core machine). Servers stop through t.Cleanup; a failed test
// prints their logs. Starting one costs seconds, so a package's tests may
// share one server (each test then uses its own collection names).
//
// # Finding weaviate-server
//
// Binary looks in this order: the WEAVIATE_SERVER_BIN environment
// variable, a "weaviate-server" on PATH, then
// $XDG_CACHE_HOME/vendor0919/bin/weaviate-server (or $HOME/.cache/...),
// where scripts/install-tools.sh installs it. If none is found the test is
// skipped, unless VENDOR0919_REQUIRE_TOOLS=1, in which case it fails.
//
// Weaviate must be told CLUSTER_ADVERTISE_ADDR=127.0.0.1: left alone, it
// advertises the machine's IPv6 address and exits ("too many colons in
// address"). Reading environment variables here is deliberate: this is
// test-only wiring, not service configuration.
package weaviatetest
