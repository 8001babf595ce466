package store

import (
	"context"
	"errors"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
)

// Sentinel errors for callers to branch on with errors.Is. ErrCorrupt is
// declared in manifest.go.
var (
	// ErrDimensionMismatch reports a store whose vectors have a different
	// dimension from the configured embedder's.
	ErrDimensionMismatch = errors.New("store: embedding dimension mismatch")
	// ErrModelMismatch reports a native store built with a different
	// embedding model from the configured one.
	ErrModelMismatch = errors.New("store: embedding model mismatch")
	// ErrNoStore reports a folder that holds neither a native store nor a
	// LangChain FAISS folder.
	ErrNoStore = errors.New("store: no vector store in folder")
	// ErrUnsupported reports a well-formed store this package cannot
	// serve, such as a FAISS IVF index.
	ErrUnsupported = errors.New("store: unsupported vector store")
)

// File names inside store folders. A LangChain folder saved with another
// index_name has other names (LangChainFiles).
const (
	VectorsFile = "vectors.f32"
	ChunksFile  = "chunks.jsonl"
	GraphFile   = "index.hnsw"
	SQ8File     = "vectors.sq8" // SQ8 ranges and codes (ann.WriteSQ8), with Quantization "sq8"
	// KeywordFile is the store's BM25 index (keyword.Index.WriteTo),
	// optional: a store without it (or whose index another analyzer made)
	// builds the index in memory at load.
	KeywordFile = "keyword.bm25"
	// HeadingFile is the BM25 index of the chunks' heading paths
	// (docmodel.MetaHeadingPath), made by the same analyzer, optional: a
	// store without it builds that index at load (Store.HeadingIndex).
	HeadingFile        = "heading.bm25"
	LangChainIndexFile = DefaultIndexName + ".faiss"
	LangChainDocsFile  = DefaultIndexName + ".pkl"
)

// OpenOptions tells Open what the service expects. The zero value accepts
// any store and uses its defaults.
type OpenOptions struct {
	// Embedding is the configured embedder, checked against the store's
	// with CheckEmbedding. For LangChain folders, which record no model,
	// Provider and Model are copied into the synthesised manifest.
	Embedding docmodel.EmbeddingModel
	// Metric overrides, for LangChain folders only, the metric the FAISS
	// file implies (IxF2: L2, IxFI: InnerProduct). Zero infers it. Cosine
	// normalises the vectors at load time. Native stores keep their own.
	Metric ann.Metric
	// EFSearch is the default HNSW candidate list size for searches; zero
	// uses the value stored with the graph (or ann's default).
	EFSearch int
	// Exact serves every search from an exact (flat) index instead of HNSW.
	Exact bool
	// DeferGraph opens a LangChain folder with an exact index instead of
	// building its HNSW graph first, so the store can be served at once;
	// build the graph afterwards with (*Store).WithHNSW. Native stores load
	// their persisted graph either way.
	DeferGraph bool
	// IndexName is a LangChain folder's index_name: Open reads
	// IndexName.faiss and IndexName.pkl. "" is DefaultIndexName.
	IndexName string
	// MaxBytes is the load budget in bytes: what the store may cost in
	// memory once loaded, vectors plus chunk text times TextCost plus
	// metadata (and, while a LangChain pickle is decoded, the work of
	// decoding it). A store over it fails with ErrTooLarge before its
	// large parts are read. Zero is DefaultMaxBytes().
	MaxBytes int64
}

// Open loads the vector store in dir: a native store when dir holds
// manifest.json, else a LangChain FAISS folder (index.faiss + index.pkl, or
// the files opts.IndexName names).
//
// A native store is verified against its manifest and its persisted graph
// is loaded, so opening costs a read and a hash of every file. A LangChain
// folder carries no usable graph: Open builds one over the vectors, with
// GOMAXPROCS workers, unless the store has at most ExactThreshold vectors
// or opts.Exact is set, in which case searches scan all vectors. The build
// costs start-up time: 20,000 vectors of 384 dims took 32 s on a busy
// 2-core machine, against 0.5 s to open the same store in native form
// (BenchmarkOpen_*). A graph built once for the folder's files (by Open or
// WithHNSW) is saved beside them and loaded instead, DeferGraph or not.
func Open(ctx context.Context, dir string, opts OpenOptions) (*Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lay, err := Detect(dir, opts.IndexName)
	if err != nil {
		return nil, err
	}
	if lay.Format == FormatNative {
		return openNative(ctx, dir, opts)
	}
	return openLangChain(ctx, dir, lay, opts)
}

// efDefault gives searches a default EF other than the graph's own. It
// embeds the graph itself, not ann.Index, so the graph's other methods
// (Distances, which hybrid search scores rows with; Vectors) stay
// visible to callers that look for them.
type efDefault struct {
	*ann.HNSW
	ef int
}

// Search implements ann.Index.
func (e efDefault) Search(query []float32, k int, opts ann.SearchOptions) ([]ann.Neighbor, error) {
	if opts.EF == 0 {
		opts.EF = e.ef
	}
	return e.HNSW.Search(query, k, opts)
}

// withEF wraps idx when ef overrides its default.
func withEF(idx ann.Index, ef int) ann.Index {
	h, ok := idx.(*ann.HNSW)
	if ef <= 0 || !ok {
		return idx
	}
	return efDefault{HNSW: h, ef: ef}
}
