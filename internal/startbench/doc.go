// Package startbench measures how fast the real server becomes ready on a
// large store and how much memory it holds then: "make bench-startup".
//
// # What it does
//
// Generate writes a native store of synthetic chunks (clustered vectors
// from ann/synth, text of about 430 bytes a chunk drawn from a Zipf
// vocabulary, a heading path and a source in the metadata) with
// store.Write, so the store has every file a built store has. A LangChain
// FAISS folder of the same rows is written by scripts/bench_startup_lc.py
// (python3-faiss), which also times Python's own read of it
// (faiss.read_index + pickle.load).
//
// Measure starts the server binary on a store, polls /ready until it
// answers 200 and reads the process's VmHWM and VmRSS from /proc, then
// stops it with SIGTERM. Time runs from just before the process is started
// to the first 200, so it includes the process's own start-up.
//
// # Concurrency
//
// Functions run one server at a time and are not meant for concurrent use.
package startbench
