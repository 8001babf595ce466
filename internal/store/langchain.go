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
	rec := readVerifiedState(dir)
	rows, chunks, table, files, modTime, err := readLangChain(ctx, dir, lay, opts.maxBytes(), &rec)
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
	derived := newDerivedFiles(dir, lay.IndexName, files[lay.Files[0]].SHA256, files[lay.Files[1]].SHA256)
	var idx ann.Index
	var built *ann.HNSW
	info := &IndexInfo{Type: "flat"}
	switch {
	case opts.Exact || rows.Count <= ExactThreshold:
		idx, err = ann.NewFlat(rows.Dim, metric, rows.Vectors)
	default:
		// A graph built for these very files before is loaded whether or
		// not the caller defers the build.
		if h := derived.loadGraph(rows.Dim, metric, rows.Vectors); h != nil {
			go h.AdviseHugePages() // FAISS rows are read into the heap, never mapped
			idx, info = withEF(h, opts.EFSearch), graphInfo(h)
		} else if opts.DeferGraph {
			idx, err = ann.NewFlat(rows.Dim, metric, rows.Vectors)
		} else {
			idx, info, err = buildLangChainGraph(ctx, rows.Dim, metric, rows.Vectors, opts.EFSearch)
			built, _ = unwrapHNSW(idx)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: index %s: %w", dir, err)
	}
	emb := opts.Embedding
	emb.Dims = rows.Dim
	sum := sha256.Sum256([]byte(files[lay.Files[0]].SHA256 + files[lay.Files[1]].SHA256))
	st := &Store{
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
		Verified: VerifiedRecorded,
		table:    table,
		derived:  derived,
	}
	if table != nil {
		st.maps = []*mapping{table.src}
	} else if rows.Count > ExactThreshold { // small folders open fast anyway
		derived.saveChunks(chunks) // the next open of these files skips the pickle
	}
	if rec.changed {
		st.Verified = VerifiedHashed
		if rows.Count > ExactThreshold { // small folders hash and parse fast
			rec.save(dir)
		}
	}
	st.saveDerivedGraph(built)
	return st, nil
}

// graphInfo describes h as the synthesised manifest records it.
func graphInfo(h *ann.HNSW) *IndexInfo {
	c := h.Config()
	return &IndexInfo{Type: "hnsw", M: c.M, EFConstruction: c.EFConstruction, EFSearch: c.EFSearch}
}

// unwrapHNSW returns the graph behind idx, if it is one.
func unwrapHNSW(idx ann.Index) (*ann.HNSW, bool) {
	if e, ok := idx.(efDefault); ok {
		return e.HNSW, true
	}
	h, ok := idx.(*ann.HNSW)
	return h, ok
}

// buildLangChainGraph builds the HNSW graph Open uses for a LangChain
// folder; it takes ownership of vectors.
func buildLangChainGraph(ctx context.Context, dim int, metric ann.Metric, vectors []float32, efSearch int) (ann.Index, *IndexInfo, error) {
	cfg := ann.HNSWConfig{M: langChainM, EFConstruction: langChainEFConstruction, EFSearch: efSearch}
	h, err := ann.BuildHNSW(ctx, dim, metric, vectors, cfg)
	if err != nil {
		return nil, nil, err
	}
	return h, graphInfo(h), nil
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
	if h, ok := unwrapHNSW(idx); ok {
		c.saveDerivedGraph(h) // the next start, or another task with these files, loads it
	}
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
	rows, chunks, _, _, _, err := readLangChain(context.Background(), dir, lay, DefaultMaxBytes(), nil)
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

// readLangChain reads and cross-checks both files, within budget bytes:
// the FAISS vectors and labels first, then the pickle (or the chunks saved
// beside it) with what remains. It hashes them as it goes unless rec (when
// not nil) vouches for a file's checksum by its unchanged identity; files
// it hashes are recorded in rec (rec.changed set). When rec vouches for
// both files and their chunks were saved beside them (derived.go), the
// pickle is not read: the chunks come back as a table over the saved file
// instead of a slice (one of the two is nil).
func readLangChain(ctx context.Context, dir string, lay Layout, budget int64, rec *verifiedState) (*faiss.Index, []docmodel.Chunk, *chunkTable, map[string]FileInfo, time.Time, error) {
	rows, chunks, files, modTime, table, err := readLangChainFiles(ctx, dir, lay, budget, rec)
	return rows, chunks, table, files, modTime, err
}

func readLangChainFiles(ctx context.Context, dir string, lay Layout, budget int64, rec *verifiedState) (rows *faiss.Index, chunks []docmodel.Chunk, files map[string]FileInfo, modTime time.Time, table *chunkTable, err error) {
	idxPath, pklPath := lay.langChainPaths(dir)
	f, err := os.Open(idxPath)
	if err != nil {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("store: open %s: %w", idxPath, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("store: stat %s: %w", idxPath, err)
	}
	idxName, pklName := filepath.Base(idxPath), filepath.Base(pklPath)
	files = map[string]FileInfo{}
	var r io.Reader = bufio.NewReaderSize(f, 1<<20)
	h := sha256.New()
	idxID, idxKnown := rec.known(idxName, st)
	if !idxKnown {
		r = io.TeeReader(r, h)
	}
	rows, err = faiss.ReadContext(ctx, r, st.Size(), budget)
	if err != nil {
		return nil, nil, nil, time.Time{}, nil, wrapFileErr(idxPath, err)
	}
	budget -= int64(len(rows.Vectors))*4 + int64(len(rows.Labels))*8
	if rows.Count > ExactThreshold {
		budget -= int64(rows.Count) * graphBytesPerRow // the graph Upgrade builds
	}
	if idxKnown {
		files[idxName] = idxID.FileInfo
	} else {
		files[idxName] = FileInfo{Size: st.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}
		rec.note(idxName, idxID, files[idxName])
	}

	if idxKnown {
		if pst, err := os.Stat(pklPath); err == nil {
			if pklID, ok := rec.known(pklName, pst); ok {
				d := newDerivedFiles(dir, lay.IndexName, files[idxName].SHA256, pklID.SHA256)
				if t := d.loadChunks(ctx, rows.Count, budget); t != nil {
					files[pklName] = pklID.FileInfo
					return rows, nil, files, st.ModTime(), t, nil
				}
			}
		}
	}

	if err := ctx.Err(); err != nil {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("store: read %s: %w", pklPath, err)
	}
	pf, err := os.Open(pklPath)
	if err != nil {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("store: read %s: %w", pklPath, err)
	}
	defer pf.Close()
	pst, err := pf.Stat()
	if err != nil {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("store: stat %s: %w", pklPath, err)
	}
	if pst.Size() > budget {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("%w: %s: %d bytes, %d of the load budget remain after the vectors (STORE_LOAD_MAX_BYTES raises it)",
			ErrTooLarge, pklPath, pst.Size(), max(budget, 0))
	}
	b, err := io.ReadAll(io.LimitReader(pf, pst.Size()))
	if err != nil || int64(len(b)) != pst.Size() {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("store: read %s: %d of %d bytes: %w", pklPath, len(b), pst.Size(), err)
	}
	if pklID, ok := rec.known(pklName, pst); ok {
		files[pklName] = pklID.FileInfo
	} else {
		sum := sha256.Sum256(b)
		files[pklName] = FileInfo{Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
		rec.note(pklName, pklID, files[pklName])
	}
	ds, err := lcpickle.DecodeContext(ctx, b, lcpickle.Options{MaxBytes: max(budget, 1), TextCost: TextCost})
	if err != nil {
		return nil, nil, nil, time.Time{}, nil, wrapFileErr(pklPath, err)
	}
	if len(ds.IndexToDocstoreID) != rows.Count {
		return nil, nil, nil, time.Time{}, nil, fmt.Errorf("%w: %s maps %d rows, %s holds %d vectors",
			ErrCorrupt, pklPath, len(ds.IndexToDocstoreID), idxPath, rows.Count)
	}
	chunks = make([]docmodel.Chunk, rows.Count)
	for row := range chunks {
		// LangChain keys its map by the label FAISS returns from a search,
		// which is the row only for indexes without an id map.
		label := rows.Label(row)
		id, ok := ds.IndexToDocstoreID[int(label)]
		if !ok {
			return nil, nil, nil, time.Time{}, nil, fmt.Errorf("%w: %s: no docstore id for FAISS id %d (row %d)", ErrCorrupt, pklPath, label, row)
		}
		doc, ok := ds.Documents[id]
		if !ok {
			return nil, nil, nil, time.Time{}, nil, fmt.Errorf("%w: %s: row %d names docstore id %q, which the docstore lacks", ErrCorrupt, pklPath, row, id)
		}
		chunks[row] = docmodel.Chunk{ID: id, Text: doc.PageContent, Metadata: doc.Metadata}
	}
	return rows, chunks, files, st.ModTime(), nil, nil
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
