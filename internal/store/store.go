package store

import (
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// Formats a Store can be opened from.
const (
	FormatNative    = "native"
	FormatLangChain = "langchain-faiss"
)

// How Open established that a store's files are the ones its checksums
// name (Store.Verified).
const (
	// VerifiedHashed: Open verified the files itself: it hashed those the
	// record did not vouch for and, when any content was new to the
	// record, parsed and checked every file.
	VerifiedHashed = "hashed"
	// VerifiedRecorded: every file was unchanged since a recorded
	// verification (VerifiedFile), so Open trusted it without hashing.
	VerifiedRecorded = "recorded"
)

// Store is a loaded vector store: chunks, their index and what describes
// them. Chunk(i) belongs to index id i. A Store is read-only once opened
// and safe for concurrent use.
//
// A native store's vectors, chunk texts and keyword index are mapped from
// its files rather than copied, and stay mapped while the Store (or a copy
// of it, such as WithHNSW's) or an index over them (Index, KeywordIndex's
// result) is reachable; a slice taken out of one (the index's Vectors) is
// valid only while the Store is held. The files must not be modified in
// place while mapped (stores are replaced whole, by renaming folders).
type Store struct {
	Dir      string
	Format   string   // FormatNative or FormatLangChain
	Manifest Manifest // for LangChain folders, synthesised from the files and the open options
	// Chunks holds the chunks of stores read whole into memory (LangChain
	// folders, and stores built in code); nil for a native store opened
	// from disk, whose chunks are decoded on demand. Use ChunkCount,
	// Chunk and ChunkMetadata, which serve both.
	Chunks   []docmodel.Chunk
	Index    ann.Index
	LoadedAt time.Time
	// Verified says how Open trusted the files: VerifiedHashed or
	// VerifiedRecorded ("" for a store not opened from disk).
	Verified string

	table    *chunkTable   // native: the chunks file and its line offsets
	keyword  *mapping      // native: the persisted keyword index, if any
	heading  *mapping      // native: the persisted heading-path index, if any
	sections *mapping      // native: the persisted chunk sections (SectionsFile), if any
	derived  *derivedFiles // LangChain: the graph and keyword index kept beside the files
	maps     []*mapping    // every mapping the store's slices point into
}

// ChunkCount returns the number of chunks (and index ids).
func (s *Store) ChunkCount() int {
	if s.table != nil {
		return s.table.len()
	}
	return len(s.Chunks)
}

// Chunk returns chunk i, 0 <= i < ChunkCount(); its Metadata must not be
// modified. For a native store it is decoded from the mapped file on each
// call (a few microseconds for a chunk of a few hundred bytes).
func (s *Store) Chunk(i int) docmodel.Chunk {
	if s.table != nil {
		return s.table.chunk(i)
	}
	return s.Chunks[i]
}

// ChunkMetadata returns chunk i's metadata (nil when it has none), for
// filters that need nothing else; it must not be modified.
func (s *Store) ChunkMetadata(i int) map[string]any {
	if s.table != nil {
		return s.table.metadata(i)
	}
	return s.Chunks[i].Metadata
}

// SameChunks reports whether s and o serve the very same chunks (one store
// and a copy of it with another index, as WithHNSW makes).
func (s *Store) SameChunks(o *Store) bool {
	if s == nil || o == nil {
		return false
	}
	if s.table != nil || o.table != nil {
		return s.table == o.table
	}
	a, b := s.Chunks, o.Chunks
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// KeywordIndex returns the store's BM25 index for queries analysed by an:
// the persisted one when the store has one made by the same analyzer
// version (loaded reports that), else one built now from every chunk's
// KeywordText. A persisted index that does not decode is ignored and
// rebuilt. For a LangChain folder a built index is saved beside the files,
// keyed by their checksums (best effort), and loaded from there next time.
func (s *Store) KeywordIndex(an keyword.Analyzer) (ix *keyword.Index, loaded bool) {
	if an == nil {
		an = keyword.Standard
	}
	if ix := s.persistedKeyword(an); ix != nil {
		return ix, true
	}
	texts := make([]string, s.ChunkCount())
	for i := range texts {
		texts[i] = s.Chunk(i).KeywordText()
	}
	ix = keyword.NewWith(texts, an)
	s.saveDerivedKeyword(ix)
	return ix, false
}

// HeadingIndex returns the BM25 index of the chunks' heading paths
// (docmodel.MetaHeadingPath; "" for a chunk without one), by an: the
// persisted one when the store has one that an made (loaded reports that),
// else one built now from every chunk's metadata. A LangChain folder's
// chunks carry no heading paths (LangChain's loaders do not write that
// key), so it gets nil: reading every chunk's metadata to find none would
// cost a large folder seconds at each load.
func (s *Store) HeadingIndex(an keyword.Analyzer) (ix *keyword.Index, loaded bool) {
	if an == nil {
		an = keyword.Standard
	}
	if s.Format == FormatLangChain {
		return nil, false
	}
	if ix := s.decodeMapped(s.heading, an); ix != nil {
		return ix, true
	}
	texts := make([]string, s.ChunkCount())
	for i := range texts {
		texts[i], _ = s.ChunkMetadata(i)[docmodel.MetaHeadingPath].(string)
	}
	return keyword.NewWith(texts, an), false
}

// persistedKeyword decodes the persisted keyword index, if there is one
// for an that fits the store.
func (s *Store) persistedKeyword(an keyword.Analyzer) *keyword.Index {
	if ix := s.decodeMapped(s.keyword, an); ix != nil {
		return ix
	}
	return s.loadDerivedKeyword(an)
}

// decodeMapped decodes a persisted BM25 index mapped in m (nil: none),
// or returns nil when an did not make it or it does not fit the store.
// The file's SHA-256 was verified (or recorded as verified), so its own
// CRC need not be read page by page again.
func (s *Store) decodeMapped(m *mapping, an keyword.Analyzer) *keyword.Index {
	if m == nil {
		return nil
	}
	ix, err := keyword.Decode(m.data, an, keyword.DecodeOptions{SkipChecksum: true, Owner: m})
	if err != nil || ix.Len() != s.ChunkCount() {
		return nil
	}
	return ix
}
