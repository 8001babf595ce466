package store

import (
	"context"
	"fmt"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// ImportOptions describes the native store ImportLangChain writes.
type ImportOptions struct {
	// Embedding names the model that made the vectors (a LangChain folder
	// records none); Dims is taken from the FAISS file.
	Embedding docmodel.EmbeddingModel
	// Metric overrides the metric index.faiss records (L2 or
	// InnerProduct); zero keeps it.
	Metric  ann.Metric
	Version string
	HNSW    ann.HNSWConfig
	Exact   bool
	// Quantization is WriteOptions.Quantization ("" or QuantizeSQ8).
	Quantization string
	// IndexName is the LangChain folder's index_name ("" is
	// DefaultIndexName).
	IndexName string
	// KeywordAnalyzers picks the analyzer of the persisted keyword index
	// from the chunks' keyword texts, as the server picks it (give its
	// setting, KEYWORD_JAPANESE); nil is keyword.Standard.
	KeywordAnalyzers keyword.Chooser
}

// ImportResult describes an ImportLangChain.
type ImportResult struct {
	Manifest *Manifest
	// Read is the time spent reading the LangChain folder; Write the time
	// spent building the graph and writing the store.
	Read, Write time.Duration
	// KeywordAnalyzer is the Version of the keyword index's analyzer.
	KeywordAnalyzer string
}

// ImportLangChain converts the LangChain FAISS folder in into a native
// store in out (replaced atomically), so that its HNSW graph is built once
// and persisted instead of at every start-up.
func ImportLangChain(ctx context.Context, in, out string, opts ImportOptions) (ImportResult, error) {
	start := time.Now()
	chunks, vectors, dims, metric, err := ReadLangChain(in, opts.IndexName)
	if err != nil {
		return ImportResult{}, err
	}
	if opts.Metric != 0 {
		metric = opts.Metric
	}
	uniqueIDs(chunks)
	read := time.Now()
	emb := opts.Embedding
	emb.Dims = dims
	an, err := keyword.Choose(opts.KeywordAnalyzers, len(chunks), func(i int) string { return chunks[i].KeywordText() })
	if err != nil {
		return ImportResult{}, fmt.Errorf("import: keyword analyzer: %w", err)
	}
	man, err := Write(ctx, out, chunks, vectors, WriteOptions{
		Version: opts.Version, Embedding: emb, Metric: metric, HNSW: opts.HNSW, Exact: opts.Exact,
		Quantization: opts.Quantization, KeywordAnalyzer: an,
	})
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Manifest: man, Read: read.Sub(start), Write: time.Since(read), KeywordAnalyzer: an.Version()}, nil
}

// uniqueIDs gives each chunk whose id an earlier one has the id
// UniqueIDs gives it, so the native store, whose ids are unique, keeps
// every row as the server did instead of refusing the folder.
func uniqueIDs(chunks []docmodel.Chunk) {
	for i, id := range UniqueIDs(len(chunks), func(i int) string { return chunks[i].ID }) {
		chunks[i].ID = id
	}
}

// UniqueIDs returns, by row, a new id for each of n rows whose id (id(i))
// an earlier row has: "ID#ROW" (with '#'s added until no row has it).
// FAISS rows sharing a document, which save_local never writes, are
// served as a chunk each; a store keyed by id (the native store, a
// Weaviate collection) keeps them all under these ids. Rows not in the
// map keep their id.
func UniqueIDs(n int, id func(i int) string) map[int]string {
	// id is called once a row: for a store it decodes the row's chunk.
	ids := make([]string, n)
	taken := make(map[string]bool, n)
	for i := range n {
		ids[i] = id(i)
		taken[ids[i]] = true
	}
	first := make(map[string]bool, n)
	out := map[int]string{}
	for i, v := range ids {
		if !first[v] {
			first[v] = true
			continue
		}
		alt := fmt.Sprintf("%s#%d", v, i)
		for taken[alt] {
			alt += "#"
		}
		taken[alt] = true
		out[i] = alt
	}
	return out
}
