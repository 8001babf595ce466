package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/fsatomic"
)

// WriteOptions describes a native store to write.
type WriteOptions struct {
	// Version labels the store; empty uses the UTC time as 20060102T150405Z.
	Version string
	// Embedding names the model that made the vectors; Dims is required.
	Embedding docmodel.EmbeddingModel
	// Metric is the similarity; zero means Cosine.
	Metric ann.Metric
	// HNSW configures the graph; zero fields take ann's defaults.
	HNSW ann.HNSWConfig
	// Exact writes no graph: the store is served by an exact index.
	Exact bool
}

// Write writes chunks and their vectors (row-major, len(chunks)*Dims) as a
// native store in dir, replacing whatever dir held. It builds the HNSW
// graph (unless opts.Exact), writes every file into a temporary sibling
// folder, fsyncs them, writes the manifest last and swaps the folder into
// place. Write does not modify chunks or vectors. Chunk IDs must be
// non-empty and unique, and vectors finite.
func Write(ctx context.Context, dir string, chunks []docmodel.Chunk, vectors []float32, opts WriteOptions) (*Manifest, error) {
	dims := opts.Embedding.Dims
	if dims <= 0 {
		return nil, fmt.Errorf("store: write: embedding dims %d must be positive", dims)
	}
	if len(vectors) != len(chunks)*dims {
		return nil, fmt.Errorf("store: write: %w: %d floats for %d chunks of %d dims", ErrDimensionMismatch, len(vectors), len(chunks), dims)
	}
	metric := opts.Metric
	if metric == 0 {
		metric = ann.Cosine
	}
	if _, err := ann.ParseMetric(metric.String()); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	seen := make(map[string]int, len(chunks))
	for i, c := range chunks {
		if c.ID == "" {
			return nil, fmt.Errorf("store: write: chunk %d has an empty id", i)
		}
		if j, dup := seen[c.ID]; dup {
			return nil, fmt.Errorf("store: write: chunks %d and %d share id %q", j, i, c.ID)
		}
		seen[c.ID] = i
	}
	for i, v := range vectors {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("store: write: vector %d component %d is %v", i/dims, i%dims, v)
		}
	}
	vecs := append([]float32(nil), vectors...)

	var graph *ann.HNSW
	info := &IndexInfo{Type: "flat"}
	if opts.Exact || len(chunks) == 0 {
		if _, err := ann.NewFlat(dims, metric, vecs); err != nil { // normalises for Cosine
			return nil, fmt.Errorf("store: write: %w", err)
		}
	} else {
		h, err := ann.BuildHNSW(ctx, dims, metric, vecs, opts.HNSW)
		if err != nil {
			return nil, fmt.Errorf("store: write: build index: %w", err)
		}
		graph = h
		c := h.Config()
		info = &IndexInfo{Type: "hnsw", M: c.M, EFConstruction: c.EFConstruction, EFSearch: c.EFSearch}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if err := os.MkdirAll(filepath.Dir(filepath.Clean(dir)), 0o755); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(dir)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	files := map[string]FileInfo{}
	put := func(name string, fill func(w io.Writer) error) error {
		fi, err := writeFile(filepath.Join(tmp, name), fill)
		if err != nil {
			return fmt.Errorf("store: write %s: %w", name, err)
		}
		files[name] = fi
		return nil
	}
	if err := put(VectorsFile, func(w io.Writer) error { return writeVectors(w, vecs) }); err != nil {
		return nil, err
	}
	if err := put(ChunksFile, func(w io.Writer) error { return writeChunks(w, chunks) }); err != nil {
		return nil, err
	}
	if graph != nil {
		if err := put(GraphFile, func(w io.Writer) error { _, err := graph.WriteGraph(w); return err }); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	m := &Manifest{
		Format:        FormatName,
		FormatVersion: FormatVersion,
		Version:       opts.Version,
		CreatedAt:     now,
		Embedding:     opts.Embedding,
		Metric:        metric.String(),
		Count:         len(chunks),
		Index:         info,
		Files:         files,
	}
	if m.Version == "" {
		m.Version = now.Format("20060102T150405Z")
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("store: write manifest: %w", err)
	}
	if err := fsatomic.WriteFile(filepath.Join(tmp, ManifestFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("store: write manifest: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := fsatomic.ReplaceDir(tmp, dir); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	done = true
	return m, nil
}

// writeFile creates path, lets fill write it through a buffer, fsyncs it
// and returns its size and SHA-256.
func writeFile(path string, fill func(w io.Writer) error) (FileInfo, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return FileInfo{}, err
	}
	defer f.Close()
	h := sha256.New()
	cw := &countingWriter{w: io.MultiWriter(f, h)}
	bw := bufio.NewWriterSize(cw, 1<<20)
	if err := fill(bw); err != nil {
		return FileInfo{}, err
	}
	if err := bw.Flush(); err != nil {
		return FileInfo{}, err
	}
	if err := f.Sync(); err != nil {
		return FileInfo{}, err
	}
	if err := f.Close(); err != nil {
		return FileInfo{}, err
	}
	return FileInfo{Size: cw.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeVectors(w io.Writer, vecs []float32) error {
	var buf [4]byte
	for _, v := range vecs {
		binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
		if _, err := w.Write(buf[:]); err != nil {
			return err
		}
	}
	return nil
}

func writeChunks(w io.Writer, chunks []docmodel.Chunk) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for i := range chunks {
		if err := enc.Encode(&chunks[i]); err != nil {
			return fmt.Errorf("chunk %d (%q): %w", i, chunks[i].ID, err)
		}
	}
	return nil
}

// openNative loads and verifies a native store.
func openNative(ctx context.Context, dir string, opts OpenOptions) (*Store, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if err := CheckEmbedding(dir, m.Embedding, opts.Embedding); err != nil {
		return nil, err
	}
	metric, err := ann.ParseMetric(m.Metric)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, filepath.Join(dir, ManifestFile), err)
	}
	hnsw := m.Index != nil && m.Index.Type == "hnsw"
	if m.Index != nil && m.Index.Type != "hnsw" && m.Index.Type != "flat" {
		return nil, fmt.Errorf("%w: %s: index type %q", ErrCorrupt, filepath.Join(dir, ManifestFile), m.Index.Type)
	}
	required := []string{VectorsFile, ChunksFile}
	if hnsw {
		required = append(required, GraphFile)
	}
	for _, name := range required {
		if _, ok := m.Files[name]; !ok {
			return nil, fmt.Errorf("%w: %s: manifest lists no %s", ErrCorrupt, filepath.Join(dir, ManifestFile), name)
		}
	}
	// Files the loader parses are hashed while they are read (one pass,
	// and what is parsed is what was hashed); any others are verified here.
	others := *m
	others.Files = maps.Clone(m.Files)
	delete(others.Files, VectorsFile)
	delete(others.Files, ChunksFile)
	if hnsw {
		delete(others.Files, GraphFile)
	}
	if err := others.Verify(dir); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dims := m.Embedding.Dims
	if want := int64(m.Count) * int64(dims) * 4; m.Files[VectorsFile].Size != want {
		return nil, fmt.Errorf("%w: %s: %d bytes, want count*dims*4 = %d*%d*4 = %d", ErrCorrupt, VectorsFile,
			m.Files[VectorsFile].Size, m.Count, dims, want)
	}
	// The sizes were checked against the files: what the store will cost
	// is known before a byte of it is read.
	cost := m.Files[VectorsFile].Size + m.Files[ChunksFile].Size*TextCost
	if hnsw && !opts.Exact {
		cost += m.Files[GraphFile].Size
	}
	if budget := opts.maxBytes(); cost > budget {
		return nil, fmt.Errorf("%w: %s: vectors, %d bytes of chunks (x%d) and the graph would take %d bytes, the budget is %d (STORE_LOAD_MAX_BYTES raises it)",
			ErrTooLarge, dir, m.Files[ChunksFile].Size, TextCost, cost, budget)
	}
	var vecs []float32
	err = readVerified(dir, VectorsFile, m.Files[VectorsFile], func(r *bufio.Reader) (err error) {
		vecs, err = readVectors(ctx, r, VectorsFile, m.Count*dims)
		return err
	})
	if err != nil {
		return nil, err
	}
	var chunks []docmodel.Chunk
	err = readVerified(dir, ChunksFile, m.Files[ChunksFile], func(r *bufio.Reader) error {
		b := make([]byte, m.Files[ChunksFile].Size) // the size was checked
		if _, err := io.ReadFull(r, b); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, ChunksFile, err)
		}
		chunks, err = readChunks(ctx, b, ChunksFile, m.Count)
		return err
	})
	if err != nil {
		return nil, err
	}
	var idx ann.Index
	switch {
	case opts.Exact || !hnsw:
		if hnsw {
			// The graph is not loaded, but the store is still checked whole.
			if err := readVerified(dir, GraphFile, m.Files[GraphFile], func(*bufio.Reader) error { return nil }); err != nil {
				return nil, err
			}
		}
		idx, err = ann.NewFlat(dims, metric, vecs)
		if err != nil {
			return nil, fmt.Errorf("store: index %s: %w", dir, err)
		}
	default:
		err = readVerified(dir, GraphFile, m.Files[GraphFile], func(r *bufio.Reader) (err error) {
			idx, err = readGraph(r, GraphFile, dims, metric, vecs)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return &Store{
		Dir:      dir,
		Format:   FormatNative,
		Manifest: *m,
		Chunks:   chunks,
		Index:    withEF(idx, opts.EFSearch),
		LoadedAt: time.Now(),
	}, nil
}

// readVerified opens dir/name, checks its size against want, and hands
// parse a reader that hashes every byte it reads. After parse the rest of
// the file is hashed too, and a SHA-256 that differs from the manifest's is
// reported before any parse error: a file that is not the one the manifest
// describes is the more fundamental problem.
func readVerified(dir, name string, want FileInfo, parse func(r *bufio.Reader) error) error {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	} else if st.Size() != want.Size {
		return fmt.Errorf("%w: %s: size %d, manifest says %d", ErrCorrupt, name, st.Size(), want.Size)
	}
	h := sha256.New()
	r := bufio.NewReaderSize(io.TeeReader(f, h), 1<<20)
	parseErr := parse(r)
	if _, err := io.Copy(io.Discard, r); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 {
		return fmt.Errorf("%w: %s: sha256 %s, manifest says %s", ErrCorrupt, name, got, want.SHA256)
	}
	return parseErr
}

// readVectors reads n little-endian float32 from r (the file name), rejecting
// non-finite values with their offset.
func readVectors(ctx context.Context, r *bufio.Reader, name string, n int) ([]float32, error) {
	out := make([]float32, n)
	var buf [4]byte
	for i := range out {
		if i%checkEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("store: %s: %w", name, err)
			}
		}
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("%w: %s: offset %d: %w", ErrCorrupt, name, int64(i)*4, err)
		}
		v := math.Float32frombits(binary.LittleEndian.Uint32(buf[:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("%w: %s: offset %d: component is %v", ErrCorrupt, name, int64(i)*4, v)
		}
		out[i] = v
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: offset %d: trailing bytes", ErrCorrupt, name, int64(n)*4)
	}
	return out, nil
}

// checkEvery is how many vector components are read between two checks
// of the context (chunk lines: every 64).
const checkEvery = 16384

// readChunks parses count JSON lines from b (the file name).
func readChunks(ctx context.Context, b []byte, name string, count int) ([]docmodel.Chunk, error) {
	chunks := make([]docmodel.Chunk, 0, min(count, len(b)/8+1))
	for off := 0; off < len(b); {
		if len(chunks)%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("store: %s: %w", name, err)
			}
		}
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			return nil, fmt.Errorf("%w: %s: offset %d: line %d has no newline", ErrCorrupt, name, off, len(chunks)+1)
		}
		line := b[off : off+end]
		if len(chunks) == count {
			return nil, fmt.Errorf("%w: %s: offset %d: more than the manifest's %d chunks", ErrCorrupt, name, off, count)
		}
		var c docmodel.Chunk
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		if err := d.Decode(&c); err != nil {
			return nil, fmt.Errorf("%w: %s: offset %d: line %d: %w", ErrCorrupt, name, off, len(chunks)+1, err)
		}
		if d.More() {
			return nil, fmt.Errorf("%w: %s: offset %d: line %d: data after the object", ErrCorrupt, name, off, len(chunks)+1)
		}
		if c.ID == "" {
			return nil, fmt.Errorf("%w: %s: offset %d: line %d: empty id", ErrCorrupt, name, off, len(chunks)+1)
		}
		c.Metadata, _ = NormalizeNumbers(c.Metadata).(map[string]any)
		chunks = append(chunks, c)
		off += end + 1
	}
	if len(chunks) != count {
		return nil, fmt.Errorf("%w: %s: offset %d: %d chunks, manifest says %d", ErrCorrupt, name, len(b), len(chunks), count)
	}
	return chunks, nil
}

// readGraph loads the persisted HNSW graph over vecs from r (the file name).
func readGraph(r *bufio.Reader, name string, dims int, metric ann.Metric, vecs []float32) (*ann.HNSW, error) {
	h, err := ann.ReadHNSW(r, dims, metric, vecs)
	if err != nil {
		var ge *ann.GraphError
		if errors.As(err, &ge) {
			return nil, fmt.Errorf("%w: %s: offset %d: %w", ErrCorrupt, name, ge.Offset, err)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: trailing bytes after the graph", ErrCorrupt, name)
	}
	return h, nil
}

// NormalizeNumbers replaces, throughout v, json.Number values by float64
// where that is exact, so metadata decodes as encoding/json would, except
// that integers beyond float64 precision stay json.Number (as LangChain
// folders give them). Chunk metadata and request filters both go through
// it, so they compare alike.
func NormalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		str := x.String()
		if !strings.ContainsAny(str, ".eE") {
			if i, err := strconv.ParseInt(str, 10, 64); err == nil && i >= -(1<<53) && i <= 1<<53 {
				return float64(i)
			}
			return x // an integer float64 cannot hold keeps its digits
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x
	case map[string]any:
		for k, e := range x {
			x[k] = NormalizeNumbers(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = NormalizeNumbers(e)
		}
		return x
	}
	return v
}
