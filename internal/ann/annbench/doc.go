// Package annbench measures the HNSW index on texmex-style data: exact
// ground truth (or a given .ivecs file), build time and memory, the cost
// of saving and loading the graph with its vectors, and recall and
// queries per second at several ef values. It is what "vectorstore bench"
// runs; its Report has the fields scripts/bench_hnswlib.py prints, so
// scripts/bench.sh can put the two engines side by side. Flags and
// GenFlags are the option sets of "vectorstore bench" and "vectorstore
// gen" (cliflag.Options); their Run methods read or write the files.
//
// # Concurrency
//
// Run uses Config.BuildThreads goroutines to build and Config.Threads to
// search, and measures process CPU time, so run one benchmark at a time
// in a process for numbers that mean anything. ExactNeighbors is safe for
// concurrent use.
package annbench
