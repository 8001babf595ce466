// Package store implements the on-disk vector store formats the service
// loads: its own native folder and the LangChain FAISS folder the Python
// application left in S3.
//
// # Native folder
//
// A native store is a folder holding
//
//	manifest.json  format, version, embedding {provider, model, dims}, metric,
//	               count, index parameters, and the size and SHA-256 of every
//	               other file; written last
//	vectors.f32    count*dims little-endian float32, row i at i*dims; unit
//	               length for the cosine metric
//	chunks.jsonl   one {"id","text","metadata"} object per line, row order
//	index.hnsw     the HNSW graph written by ann.(*HNSW).WriteGraph (absent
//	               when the store was written with an exact index)
//	chunks.idx     the byte offset of every line of chunks.jsonl (optional)
//	keyword.bm25   the BM25 index of the chunks' KeywordText, written by
//	               keyword.(*Index).WriteTo with its analyzer's version
//	               (optional)
//
// The two optional files came later: a store without them (or with a
// keyword index made by another analyzer than the server's) loads by
// scanning the chunks for line ends and building the keyword index in
// memory, which takes seconds at 200,000 chunks. Older readers verify and
// ignore them, so the format version did not change.
//
// Write builds everything in a temporary sibling folder, fsyncs it, writes
// the manifest last and swaps the folder into place with
// fsatomic.ReplaceDir, so readers see the old store or the new, never a mix.
// Open checks every file against the manifest (size and SHA-256) and the
// counts and dimensions against each other before it trusts a byte. The
// manifest's strings are bounded (MaxVersionBytes, MaxModelNameBytes,
// MaxFileNameBytes), as they are served and logged at every load; Write
// refuses what ReadManifest would (CheckLabels), so a store it writes
// opens.
//
// # Opening fast, holding little
//
// Open maps the vector, chunk and keyword files read-only instead of
// reading them: the vectors are used in place (ann's rows are the file's
// little-endian float32; for Cosine only when every row is already of unit
// length, as Write leaves them, else a heap copy is normalised), chunks are
// decoded from their JSON line when asked for (Store.Chunk,
// Store.ChunkMetadata), and KeywordIndex uses the persisted postings in
// place. A store's memory is then its files' pages that searches touch,
// plus the graph's links and 8 bytes of offset per chunk.
//
// Hashing 400 MB costs a second, and parsing every chunk more; both are
// done once. After Open has hashed and checked a store it writes the
// sidecar VerifiedFile with each file's checksum, size, mtime and inode;
// a later Open trusts a file whose identity is unchanged and hashes (and,
// if its content is new, checks) any other. Files modified less than
// racyWindow before they are recorded are not recorded, since a coarse
// file-system clock could hide a second change. Staging folders are opened
// the same way, so a store that does not verify and parse never replaces
// a good one.
//
// # LangChain FAISS folder
//
// A folder with index.faiss and index.pkl (FAISS.save_local; NAME.faiss and
// NAME.pkl when saved with index_name=NAME, which OpenOptions.IndexName and
// the other functions' indexName select, CheckIndexName validates and
// FolderFlags offers as --index-name) is read with
// packages faiss and lcpickle. Row i of the FAISS index becomes Chunks[i]
// through index_to_docstore_id. FAISS records neither the embedding model
// nor whether vectors were normalised, so the expected embedding comes from
// OpenOptions. The graph of an IHNf index is not reused: Open builds an
// HNSW index over the vectors (or an exact one for small stores), which
// costs start-up time (see Open); "vectorstore import-faiss" converts such
// a folder into a native store whose graph is persisted. The graph built
// for a folder (above ExactThreshold rows), its keyword index and its
// chunks are saved in the folder, in files named and stamped with the
// SHA-256 of the folder's two files (derived.go), so the next open of the
// same files loads them and reads no pickle; the two files' checksums
// themselves are recorded in VerifiedFile as for a native store.
// Inspect compares the FAISS rows with the pickle's mapping and docstore
// (Report.Rows) and reports what disagrees, where Open refuses the folder.
//
// # One place for formats
//
// This package is the only one that knows store file names and formats.
// DetectFiles tells the format from a folder's file names (a directory or
// an S3 listing) and says which files make up the store (Layout); Detect,
// Open, VerifyDir, Verify and Inspect all start from it, and package s3sync
// uses DetectFiles and VerifyDir instead of naming files. CheckEmbedding
// is the one rule for whether a store's vectors fit the configured
// embedder; Open applies it.
//
// # Command line
//
// ImportFlags is the option set of "vectorstore import-faiss" and
// FolderFlags the --index-name every command reading a LangChain folder
// shares (cliflag.Options); Report.WriteText and WriteJSON print "vectorstore
// inspect", VerifyText prints "vectorstore verify". The words and numbers
// an operator reads about a store come from here, beside the formats.
//
// # Scores
//
// Relevance turns an index distance into the score /search reports,
// reproducing LangChain's relevance functions so clients see the numbers
// the Python service gave.
//
// # Load budget
//
// Open bounds what a store may cost in memory by OpenOptions.MaxBytes
// (DefaultMaxBytes: a third of the process memory limit, or 2 GiB with
// none): the vectors, chunk text times TextCost (4: the text and the
// keyword index over it) and metadata. Mapping a file does not make it
// free: every page a search touches becomes resident, so a native store
// costs the same whether mapped or read. A native store's cost is known
// from its manifest before anything is mapped (a persisted keyword.bm25
// counts when larger than the in-memory index it spares: textBytes); a
// LangChain folder's vectors are charged as FAISS allocates them and the
// pickle gets the rest (lcpickle.Options). Past the budget Open fails with
// ErrTooLarge. The context is checked while vectors, chunk lines and the
// pickle are read, and while a first open hashes and checks mapped files.
//
// # Concurrency and ownership
//
// Open and Write may run concurrently on different folders; callers
// serialise writers of one folder. A Store is read-only once opened and
// safe for concurrent use; its Chunks (including metadata maps, which may
// be shared between chunks) must not be modified.
package store
