// Package faiss implements a reader for the FAISS binary index files that
// LangChain's FAISS.save_local writes as index.faiss.
//
// # Supported records
//
// These index types are read, all little-endian as FAISS writes them
// (impl/index_write.cpp, checked against FAISS 1.7.3):
//
//   - "IxF2": IndexFlatL2, squared Euclidean distances.
//   - "IxFI": IndexFlatIP, inner products.
//   - "IHNf": IndexHNSWFlat. Its graph (levels, offsets, neighbours) is
//     checked for size and skipped; the vectors come from the nested flat
//     record that follows it. Callers rebuild their own index from them.
//   - "IxM2" and "IxMp": IndexIDMap2 and IndexIDMap over a flat or HNSW
//     index: the nested record, then one int64 id per row.
//   - "IwFl": IndexIVFFlat: the IVF header, the quantizer (a flat record,
//     whose centroids are skipped), the direct map (skipped), then the
//     inverted lists in the array layout "ilar" (dense "full" or sparse
//     "sprs" sizes), each list's raw vectors and their ids.
//
// Every other four-character code (PQ, scalar quantisers, binary indexes,
// other inverted-list layouts) is reported with an error wrapping
// ErrUnsupported.
//
// # Labels
//
// FAISS answers a search with labels, and LangChain's
// index_to_docstore_id is keyed by them. For flat and HNSW indexes the
// label of row i is i. ID maps and IVF lists carry their own: Read returns
// the rows in ascending label order with Index.Labels holding them (nil
// when they are exactly 0..Count-1, so a caller that maps row i to label i
// stays right). Negative or repeated labels are ErrFormat.
//
// # Safety
//
// A file is never trusted: counts and dimensions from a header are checked
// against the bytes that remain before anything is allocated (for IVF:
// list sizes must add up to ntotal and their codes and ids must fit), so a corrupt
// header cannot cause a huge allocation, and every malformed input yields
// an error wrapping ErrFormat that names the byte offset. Nothing panics.
//
// # Concurrency and ownership
//
// Read and ReadFile are safe for concurrent use; the returned Index and its
// Vectors and Labels slices belong to the caller.
//
// # Budget and cancellation
//
// ReadContext bounds the memory of the slices it allocates (vectors,
// labels, the copies made to order rows by label) by the caller's budget,
// checked before each allocation (ErrBudget), and checks its context
// every 64 KiB of vectors or 16,384 values.
package faiss
