// Package ann holds the nearest-neighbour indexes behind a vector store:
// an exact Flat index and an HNSW graph (hierarchical navigable small
// world, Malkov and Yashunin 2016) written for this project after the
// algorithm of nmslib/hnswlib.
//
// # Metrics
//
// Cosine keeps unit-length vectors and ranks by 1-dot; InnerProduct ranks by
// -dot; L2 by squared Euclidean distance. NewFlat, BuildHNSW and ReadHNSW
// take ownership of the vector slice and, for Cosine, normalise its rows in
// place (rows already of unit length are left bit-identical, so normalising
// twice changes nothing). Queries are never modified: a Cosine query is
// copied into pooled scratch space and normalised there.
//
// # Distance kernels
//
// On amd64 CPUs with AVX2 and FMA (SIMD reports which), dot products run on
// github.com/viterin/vek's assembly and squared distances on l2sqAVX2, a
// small kernel of our own (l2sq_amd64.s): four 8-wide accumulators take 32
// floats per iteration with one subtract and one fused multiply-add each,
// then an 8-wide and a scalar tail. vek has no squared distance, and its
// Euclidean distance squared again rounds twice. Elsewhere, portable Go
// loops with four accumulators run. Building with -tags annportable forces
// the portable kernels on any CPU; make test-kernels runs the ann and store
// tests that way. Both kernels sum squared differences directly, so inputs
// whose partial sums are exact in float32 (small integers) give identical,
// exact distances; otherwise they differ in the last bits, and tests
// compare distances with tolerances. On amd64 a 384-dimension dot product
// takes about 15 ns against about 100 ns for the Go loop, and a squared
// distance about 14 ns (vek's Distance squared: 16 ns) against about
// 150 ns (BenchmarkDot_D384, BenchmarkL2Sq_D384).
//
// The graph searches do not call these per neighbour: they gather a
// node's unvisited neighbours and compute all their distances with one
// call to a batch kernel (batch_amd64.s: dotBatchAVX2, l2sqBatchAVX2), which
// walks the id list itself and prefetches the row a few ids ahead (about
// 6 KiB of rows in flight; 15 rows at 100 dimensions, 4 at 384). At 100
// dimensions a dot product is 13 multiply-adds, so the call and slice
// overhead per neighbour, and the wait for each row, cost more than the
// arithmetic.
//
// # Memory layout
//
// Vectors live in one []float32, row-major: vector i occupies elements
// i*dim to (i+1)*dim-1. The index adds no copy of them, so the store can
// persist that slice as a flat float32 file and hand it back on load.
//
// The HNSW graph is stored in four flat arrays. Layer 0, which every node
// is on and which searches spend nearly all their time in, is one []uint32
// with a fixed stride of 2M slots per node: node i's neighbours are at
// i*2M onwards. Lists fill from the front and an empty slot holds
// 0xFFFFFFFF, so no count is stored and a list ends at its first empty
// slot. Upper layers are sparse: a node's level is drawn with probability
// 1/M per extra layer, so only about one node in M has any. levels holds
// each node's top layer as a byte; for a node with level L > 0, upperOff
// gives the start of its L blocks of M slots (layers 1..L in order) in the
// shared upper array. For 100,000 vectors of 384 dimensions and M=16 the
// graph takes 13.7 MB next to the 153.6 MB of vectors, 1.09 times the raw
// vector bytes in all.
//
// On Linux the index asks for transparent huge pages under the vectors
// and the level-0 links once they are in place (madvise MADV_HUGEPAGE and
// MADV_COLLAPSE over their 2 MiB-aligned interior; adviseHuge). A search
// reads rows at random, and with 4 KiB pages nearly every row is also a
// TLB miss; with 2 MiB pages 40 MB of vectors need 20 TLB entries. On the
// 100-d GloVe set this took about 7% off the CPU time per query. A kernel
// that refuses leaves the memory as it was. BuildHNSW advises before it
// inserts; ReadHNSW advises the links it read from a goroutine after it
// returns the index, so the copy into huge pages never delays start-up,
// and leaves the caller's rows alone: they may be a file mapping, which
// the caller knows and ann does not (AdviseHugePages is for rows in the
// heap).
//
// # Search
//
// A search starts at the entry point (a node on the top layer), descends
// greedily through the upper layers to the closest node it can reach, then
// runs the beam search on layer 0 with a candidate list of ef entries
// (SearchOptions.EF, else Config().EFSearch, raised to k). When it expands
// a node it first starts loading the link list of the next candidate (a
// small prefetch helper on amd64; a no-op elsewhere), gathers the
// unvisited neighbours, then computes their distances in one batch call
// that prefetches rows ahead of itself (see Distance kernels): rows are
// scattered over memory and a cache miss costs more than the dot product.
// A full result set takes a closer node by replacing its farthest in one
// sift-down instead of a push and a pop. Visited nodes are
// tracked in an epoch-stamped []uint16 per search context: a node is
// visited when its stamp equals the current epoch, so a search starts by
// incrementing the epoch instead of clearing the list (it is cleared once
// every 65,535 searches, when the epoch wraps). Contexts, with their
// candidate and result heaps, come from a sync.Pool, so a search allocates
// only its result slice. Searches take no locks and are safe for
// concurrent use.
//
// # Scalar quantization (SQ8)
//
// TrainSQ8 learns each dimension's minimum and maximum and Encode stores a
// vector as one byte per dimension (FAISS's SQ8: QT_8bit, RS_minmax), a
// quarter of the float32 bytes; the error per component is at most half a
// step, (max-min)/510. HNSW.WithSQ8 returns an index over the same graph
// that walks it on the codes: the query is prepared once (each component
// times its dimension's step, plus the dot product with the minimums), and
// dotU8BatchAVX2 widens eight codes at a time to float32 and multiplies
// them in. The best candidates (all ef by default) are then rescored with
// the exact float rows, so reported distances are exact and the float rows
// are read only about ef times per query: they can stay in a file mapping
// and out of the resident set. The graph is the one built on the float
// rows. WriteSQ8 and ReadSQ8 persist the ranges and codes with a CRC-32C;
// ReadSQ8 validates the shape and ranges and never panics (FuzzReadSQ8).
//
// # Filtered search
//
// With SearchOptions.Filter the layer-0 search still walks through rejected
// nodes (they keep the graph connected) but collects only admitted ones,
// and keeps going until it holds ef admitted nodes, as hnswlib does. When
// the filter admits a fraction p of the nodes that costs about 26*ef/p
// distance computations, while an exact scan costs n filter calls plus p*n
// distances, and is exact. Search estimates p from 256 ids spread evenly
// over the index and takes the cheaper path, in units of one scan distance:
// exact when n*(0.1 + p) < 26*ef/p, or when the index has at most 1,024
// nodes or no sampled id passes. For ef 64 the crossover is p of about 0.2
// at 20,000 nodes and about 0.14 at 50,000: the graph's cost does not grow
// with n, the scan's does.
//
// The constants come from BenchmarkFilteredSearch_D128 (128 dimensions,
// uniform random filters, k 10, ef 64; docs/BENCHMARKS.md). Median
// microseconds per query, exact scan / graph walk:
//
//	p        20,000 nodes     50,000 nodes
//	0.01       29 / 1,719       75 / 3,706
//	0.05       44 /   505      130 /   763
//	0.10       67 /   281      198 /   380
//	0.20      107 /   159      312 /   159
//	0.30      146 /   104      445 /   117
//	0.50      220 /    68    1,176 /   116
//
// The graph's times fit 1.7 ms*0.01/p, about 26*ef/p distances at 24 ns;
// the scan's fit n*(2.4 ns + p*24 ns), hence the 0.1.
//
// A sample can mislead: a filter that passes the sampled ids but few others
// looks loose. So a filtered walk may compute at most three times its
// estimated distances and at most n/4; past that, if it holds fewer than k
// admitted nodes, Search runs the exact scan instead. A filter passing all
// 256 sampled ids and nothing else now costs 0.29 ms at 20,000 nodes
// (0.66 ms at 50,000) instead of 1.5 ms (6.6 ms) for the full walk.
//
// # Build
//
// BuildHNSW draws every node's level up front from Seed, lays out all link
// storage, inserts node 0 as the first entry point and then inserts the
// other nodes from Workers goroutines (GOMAXPROCS by default), each taking
// the next id from an atomic counter. Each insertion descends greedily to
// its own level, then on each layer below runs the beam search with
// EFConstruction candidates, keeps M of them with the neighbour-selection
// heuristic (selectNeighbors: a candidate is kept only if it is closer to
// the new node than to every neighbour already kept) and links both ways;
// a neighbour whose list is full (2M on layer 0, M above) is re-pruned with
// the same heuristic. Each node has a mutex held only while its lists are
// written, and a writer holds one such lock at a time, so the build cannot
// deadlock. Readers traverse lists with atomic loads (plain moves on amd64)
// while other workers rewrite them; a reader may see a list mid-rewrite,
// which costs at most a slightly different path. A global mutex guards the
// entry point and is held through the insertion of a node that raises the
// top level. With one worker a build is deterministic for a seed. The
// build stops with ctx.Err() soon after ctx is cancelled.
//
// # Persistence
//
// WriteGraph writes the graph and parameters (layout in persist.go, with a
// CRC-32C trailer); the vectors are not included. ReadHNSW reads them back
// next to the caller's vectors without computing any distance, validates
// every header field and every link (range, no self links, empty slots only
// at the end, upper-layer links only to nodes on that layer, level counts
// consistent with the slot count) and reports a corrupt or truncated file as
// a *GraphError naming the byte offset. It never panics on bad input
// (FuzzReadHNSW).
package ann
