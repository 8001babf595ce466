// Package soak drives a running api server with bounded, mixed traffic for a
// long time and checks that nothing fails and nothing grows.
//
// # What it does
//
// Run sends requests at a fixed rate from a fixed number of workers: POST
// /search, POST /query (plain and streamed), POST /v1/chat/completions
// streamed, GET /health and GET /ready. Every ReloadEvery it asks the caller
// to publish a new edition of the store (Options.Publish) and POSTs
// /admin/reload, checking the served version changed. Every SampleEvery it
// reads go_goroutines from /metrics and VmRSS from /proc/PID/status. The
// Report it returns counts requests per kind with latencies, the reloads and
// the samples; Report.Check compares the last third of the samples after the
// warm-up with the first third against Bounds (goroutines by their floor,
// RSS by its mean). DrainUnderLoad then sends
// SIGTERM (through a caller's function) while keep-alive clients keep
// sending, and counts connections reset or cut.
//
// # Use
//
// The package starts nothing itself: its tests build the api binary, start
// versitygw (internal/s3test), publish a store there and run the server on
// loopback. `make soak` runs `go test -tags soak` for SOAK_DURATION (10m by
// default); the untagged suite runs a 20-second version unless -short.
//
// # Bounds
//
// Requests: Rate per second in total (default 20), at most Workers in
// flight (default 8); a tick finding every worker busy is counted as
// skipped, not queued. Every request has a 30-second client timeout and its
// body is read up to 4 MiB. Samples and latencies are kept in memory: at the
// defaults about 12,000 latencies and 120 samples for 10 minutes.
//
// # Concurrency
//
// Run and DrainUnderLoad may be called once each, one after the other; a
// Report is not safe to modify concurrently with reading it.
package soak
