// Package faiss implements a reader for the FAISS binary index files that
// LangChain's FAISS.save_local writes as index.faiss.
//
// # Supported records
//
// Three index types are read, all little-endian as FAISS writes them
// (impl/index_write.cpp):
//
//   - "IxF2": IndexFlatL2, squared Euclidean distances.
//   - "IxFI": IndexFlatIP, inner products.
//   - "IHNf": IndexHNSWFlat. Its graph (levels, offsets, neighbours) is
//     checked for size and skipped; the vectors come from the nested flat
//     record that follows it. Callers rebuild their own index from them.
//
// Every other four-character code (IVF, PQ, ID maps, binary indexes) is
// reported with an error wrapping ErrUnsupported.
//
// # Safety
//
// A file is never trusted: counts and dimensions from a header are checked
// against the bytes that remain before anything is allocated, so a corrupt
// header cannot cause a huge allocation, and every malformed input yields
// an error wrapping ErrFormat that names the byte offset. Nothing panics.
//
// # Concurrency and ownership
//
// Read and ReadFile are safe for concurrent use; the returned Index and its
// Vectors slice belong to the caller.
package faiss
