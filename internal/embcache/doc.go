// Package embcache is a content-addressed cache of embedding vectors on
// disk, so that rebuilding a store re-embeds only new or changed chunks
// and an interrupted build resumes where it stopped.
//
// # Keys and folders
//
// A vector is found by Key: the SHA-256 of the embedding model's provider,
// model and dims and the exact text embedded. One folder holds one model's
// vectors (Dir names it "<provider>-<model>-<dims>"), in one file,
// vectors.log.
//
// # File format
//
// The file starts with the 16-byte header "embcache v1\n" followed by the
// dims as a little-endian uint32. Then come records, each
//
//	length   uint32 LE  payload bytes: always 32 + 4*dims
//	checksum uint32 LE  CRC-32C (Castagnoli) of the payload
//	payload             32-byte key, then dims float32 LE
//
// Records are only ever appended, a batch of them with one write, and all
// have the same size, so the reader steps from one record boundary to the
// next without trusting any record's length field. A whole record that
// declares another length or fails its checksum (a flipped bit, a batch
// the disk never finished) is skipped and counted (Skipped), and never
// returned; the records after it are read as usual, and the file keeps
// it: a failing build must not lose vectors already paid for. Only a
// torn tail, less than a whole record after the last one, is cut by Open
// before appending (Dropped), so later records stay on the boundaries.
// The reader allocates one record, and only once the file holds a whole
// one.
// A file whose header is not a cache's, or names other dims, has nothing
// to trust: Open renames it to vectors.log.bad-TIME-PID (kept for a look) and
// starts a new one, and OpenReadOnly reads it as empty (SetAside).
//
// # Memory and concurrency
//
// The cache keeps only an index in memory (key -> file offset, about 60
// bytes per vector); Get reads the vector from the file and checks the
// record's checksum and key again, so a record another process appended
// meanwhile, or a damaged file, is a miss, never a wrong vector. A Cache
// is safe for concurrent use by one process's goroutines. Two processes
// sharing a folder do not interleave records (each batch is one O_APPEND
// write), but each sees only what was there when it opened.
package embcache
