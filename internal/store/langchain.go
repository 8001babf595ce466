package store

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/faiss"
	"github.com/vendor0919/api/internal/lcpickle"
)

// ExactThreshold is the largest LangChain store Open serves with an exact
// index instead of building an HNSW graph at start-up.
const ExactThreshold = 2000

// The graph Open builds for a LangChain folder: a lower EFConstruction
// than ann's default trades a little recall headroom for a faster start-up.
// graphBytesPerRow is what it costs per vector, counted in the load
// budget: 2M uint32 links at layer 0, plus upper layers and bookkeeping.
const (
	langChainM              = 16
	langChainEFConstruction = 100
	graphBytesPerRow        = 2*langChainM*4 + 64
)

// openLangChain loads a LangChain FAISS folder.
func openLangChain(ctx context.Context, dir string, lay Layout, opts OpenOptions) (*Store, error) {
	rows, chunks, files, modTime, err := readLangChain(ctx, dir, lay, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	idxPath, _ := lay.langChainPaths(dir)
	if err := CheckEmbedding(idxPath, docmodel.EmbeddingModel{Dims: rows.Dim}, opts.Embedding); err != nil {
		return nil, err
	}
	metric := opts.Metric
	if metric == 0 {
		metric = ann.L2
		if rows.Metric == faiss.MetricInnerProduct {
			metric = ann.InnerProduct
		}
	}
	exact := opts.Exact || opts.DeferGraph || rows.Count <= ExactThreshold
	var idx ann.Index
	info := &IndexInfo{Type: "flat"}
	if exact {
		idx, err = ann.NewFlat(rows.Dim, metric, rows.Vectors)
	} else {
		idx, info, err = buildLangChainGraph(ctx, rows.Dim, metric, rows.Vectors, opts.EFSearch)
	}
	if err != nil {
		return nil, fmt.Errorf("store: index %s: %w", dir, err)
	}
	emb := opts.Embedding
	emb.Dims = rows.Dim
	sum := sha256.Sum256([]byte(files[lay.Files[0]].SHA256 + files[lay.Files[1]].SHA256))
	return &Store{
		Dir:    dir,
		Format: FormatLangChain,
		Manifest: Manifest{
			Format:    FormatLangChain,
			Version:   "lc-" + hex.EncodeToString(sum[:6]),
			CreatedAt: modTime.UTC(),
			Embedding: emb,
			Metric:    metric.String(),
			Count:     rows.Count,
			Index:     info,
			Files:     files,
		},
		Chunks:   chunks,
		Index:    idx,
		LoadedAt: time.Now(),
	}, nil
}

// buildLangChainGraph builds the HNSW graph Open uses for a LangChain
// folder; it takes ownership of vectors.
func buildLangChainGraph(ctx context.Context, dim int, metric ann.Metric, vectors []float32, efSearch int) (ann.Index, *IndexInfo, error) {
	cfg := ann.HNSWConfig{M: langChainM, EFConstruction: langChainEFConstruction,
		EFSearch: efSearch, Workers: runtime.GOMAXPROCS(0)}
	h, err := ann.BuildHNSW(ctx, dim, metric, vectors, cfg)
	if err != nil {
		return nil, nil, err
	}
	c := h.Config()
	return h, &IndexInfo{Type: "hnsw", M: c.M, EFConstruction: c.EFConstruction, EFSearch: c.EFSearch}, nil
}

// NeedsGraph reports whether s is served by an exact index that
// WithHNSW would replace: a LangChain folder opened with DeferGraph and
// larger than ExactThreshold.
func (s *Store) NeedsGraph() bool {
	_, flat := s.Index.(*ann.Flat)
	return flat && s.Format == FormatLangChain && s.ChunkCount() > ExactThreshold
}

// WithHNSW returns a copy of s served by an HNSW graph built over its
// vectors, for a store opened with DeferGraph; s itself is unchanged and
// may be searched meanwhile. A store that NeedsGraph does not is returned
// as it is. The vectors are shared with s, except for Cosine, where the
// build may renormalise rows and so works on a copy.
func (s *Store) WithHNSW(ctx context.Context, efSearch int) (*Store, error) {
	if !s.NeedsGraph() {
		return s, nil
	}
	flat := s.Index.(*ann.Flat)
	vectors := flat.Vectors()
	if flat.Metric() == ann.Cosine {
		vectors = append([]float32(nil), vectors...)
	}
	idx, info, err := buildLangChainGraph(ctx, flat.Dim(), flat.Metric(), vectors, efSearch)
	if err != nil {
		return nil, fmt.Errorf("store: index %s: %w", s.Dir, err)
	}
	c := *s
	c.Index, c.Manifest.Index = idx, info
	return &c, nil
}

// ReadLangChain reads the vectors and chunks of a LangChain FAISS folder
// saved with index name indexName ("" is DefaultIndexName) without
// building an index. Row i of the returned vectors (dims wide) belongs to
// chunks[i]; metric is what the FAISS file records (ann.L2 or
// ann.InnerProduct).
func ReadLangChain(dir, indexName string) (chunks []docmodel.Chunk, vectors []float32, dims int, metric ann.Metric, err error) {
	lay, err := langChainLayout(indexName)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	rows, chunks, _, _, err := readLangChain(context.Background(), dir, lay, DefaultMaxBytes())
	if err != nil {
		return nil, nil, 0, 0, err
	}
	metric = ann.L2
	if rows.Metric == faiss.MetricInnerProduct {
		metric = ann.InnerProduct
	}
	return chunks, rows.Vectors, rows.Dim, metric, nil
}

// langChainLayout is the Layout of a LangChain folder saved with index
// name name ("" is DefaultIndexName), for callers that know the folder is
// one.
func langChainLayout(name string) (Layout, error) {
	if name == "" {
		name = DefaultIndexName
	}
	if err := CheckIndexName(name); err != nil {
		return Layout{}, fmt.Errorf("store: index name %q: %w", name, err)
	}
	idx, pkl := LangChainFiles(name)
	return Layout{Format: FormatLangChain, Files: []string{idx, pkl}, IndexName: name}, nil
}

// readLangChain reads and cross-checks both files, hashing them as it
// goes, within budget bytes: the FAISS vectors and labels first, then the
// pickle with what remains.
func readLangChain(ctx context.Context, dir string, lay Layout, budget int64) (*faiss.Index, []docmodel.Chunk, map[string]FileInfo, time.Time, error) {
	idxPath, pklPath := lay.langChainPaths(dir)
	f, err := os.Open(idxPath)
	if err != nil {
		return nil, nil, nil, time.Time{}, fmt.Errorf("store: open %s: %w", idxPath, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, time.Time{}, fmt.Errorf("store: stat %s: %w", idxPath, err)
	}
	h := sha256.New()
	rows, err := faiss.ReadContext(ctx, io.TeeReader(bufio.NewReaderSize(f, 1<<20), h), st.Size(), budget)
	if err != nil {
		return nil, nil, nil, time.Time{}, wrapFileErr(idxPath, err)
	}
	budget -= int64(len(rows.Vectors))*4 + int64(len(rows.Labels))*8
	if rows.Count > ExactThreshold {
		budget -= int64(rows.Count) * graphBytesPerRow // the graph Upgrade builds
	}
	files := map[string]FileInfo{filepath.Base(idxPath): {Size: st.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}}

	pst, err := os.Stat(pklPath)
	if err != nil {
		return nil, nil, nil, time.Time{}, fmt.Errorf("store: read %s: %w", pklPath, err)
	}
	if pst.Size() > budget {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: %s: %d bytes, %d of the load budget remain after the vectors (STORE_LOAD_MAX_BYTES raises it)",
			ErrTooLarge, pklPath, pst.Size(), max(budget, 0))
	}
	b, err := os.ReadFile(pklPath)
	if err != nil {
		return nil, nil, nil, time.Time{}, fmt.Errorf("store: read %s: %w", pklPath, err)
	}
	sum := sha256.Sum256(b)
	files[filepath.Base(pklPath)] = FileInfo{Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
	ds, err := lcpickle.DecodeContext(ctx, b, lcpickle.Options{MaxBytes: max(budget, 1), TextCost: TextCost})
	if err != nil {
		return nil, nil, nil, time.Time{}, wrapFileErr(pklPath, err)
	}
	if len(ds.IndexToDocstoreID) != rows.Count {
		return nil, nil, nil, time.Time{}, fmt.Errorf("%w: %s maps %d rows, %s holds %d vectors",
			ErrCorrupt, pklPath, len(ds.IndexToDocstoreID), idxPath, rows.Count)
	}
	chunks := make([]docmodel.Chunk, rows.Count)
	for row := range chunks {
		// LangChain keys its map by the label FAISS returns from a search,
		// which is the row only for indexes without an id map.
		label := rows.Label(row)
		id, ok := ds.IndexToDocstoreID[int(label)]
		if !ok {
			return nil, nil, nil, time.Time{}, fmt.Errorf("%w: %s: no docstore id for FAISS id %d (row %d)", ErrCorrupt, pklPath, label, row)
		}
		doc, ok := ds.Documents[id]
		if !ok {
			return nil, nil, nil, time.Time{}, fmt.Errorf("%w: %s: row %d names docstore id %q, which the docstore lacks", ErrCorrupt, pklPath, row, id)
		}
		chunks[row] = docmodel.Chunk{ID: id, Text: doc.PageContent, Metadata: doc.Metadata}
	}
	return rows, chunks, files, st.ModTime(), nil
}

// wrapFileErr maps reader errors to the store's sentinels, naming the file.
func wrapFileErr(path string, err error) error {
	switch {
	case errors.Is(err, faiss.ErrBudget), errors.Is(err, lcpickle.ErrBudget):
		return tooLarge(path, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("store: read %s: %w", path, err)
	case errors.Is(err, faiss.ErrUnsupported):
		return fmt.Errorf("%w: %s: %w", ErrUnsupported, path, err)
	case errors.Is(err, faiss.ErrFormat), errors.Is(err, lcpickle.ErrFormat), errors.Is(err, lcpickle.ErrClass):
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	return fmt.Errorf("store: read %s: %w", path, err)
}
