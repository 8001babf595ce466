package store

import (
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
)

// Formats a Store can be opened from.
const (
	FormatNative    = "native"
	FormatLangChain = "langchain-faiss"
)

// Store is a loaded vector store: chunks, their index and what describes
// them. Chunks[i] belongs to index id i. A Store is read-only once opened
// and safe for concurrent use.
type Store struct {
	Dir      string
	Format   string   // FormatNative or FormatLangChain
	Manifest Manifest // for LangChain folders, synthesised from the files and the open options
	Chunks   []docmodel.Chunk
	Index    ann.Index
	LoadedAt time.Time
}
