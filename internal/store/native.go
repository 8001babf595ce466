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
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/keyword"
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
	// KeywordAnalyzer makes the persisted keyword index (KeywordFile);
	// nil means keyword.Standard. A server configured with another
	// analyzer builds its own index at load instead.
	KeywordAnalyzer keyword.Analyzer
	// Quantization "" keeps float32 search; QuantizeSQ8 also writes
	// SQ8File, 8-bit codes that searches walk the graph on (a quarter of
	// the vector bytes), rescoring the best candidates with the float
	// rows. Ignored with Exact.
	Quantization string
	// Lock is the caller's OutLock on dir (a build's, taken before it
	// embeds); nil makes Write take and release one itself.
	Lock *OutLock
}

// MinBytes is the least disk a store of chunks takes once Write has
// written it with opts: the float rows, the SQ8 codes when asked for, and
// each chunk's text, which the chunk table holds whole. The keyword
// index, the graph and the metadata come on top, so a filesystem with
// less free space than this cannot take the store.
func MinBytes(chunks []docmodel.Chunk, opts WriteOptions) int64 {
	perRow := int64(opts.Embedding.Dims) * 4
	if opts.Quantization == QuantizeSQ8 && !opts.Exact {
		perRow += int64(opts.Embedding.Dims)
	}
	n := int64(len(chunks)) * perRow
	for _, c := range chunks {
		n += int64(len(c.Text))
	}
	return n
}

// countDocuments returns how many distinct sources (docmodel.MetaSource)
// chunks have; chunks without one count as one document together.
func countDocuments(chunks []docmodel.Chunk) int {
	seen := make(map[string]struct{})
	for _, c := range chunks {
		src, _ := c.Metadata[docmodel.MetaSource].(string)
		seen[src] = struct{}{}
	}
	return len(seen)
}

// QuantizeSQ8 selects per-dimension 8-bit scalar quantization
// (WriteOptions.Quantization, IndexInfo.Quantization).
const QuantizeSQ8 = "sq8"

// CheckQuantization reports whether q names a supported quantization
// ("" or QuantizeSQ8).
func CheckQuantization(q string) error {
	if q != "" && q != QuantizeSQ8 {
		return fmt.Errorf("store: quantization %q: want %q or none", q, QuantizeSQ8)
	}
	return nil
}

// Write writes chunks and their vectors (row-major, len(chunks)*Dims) as a
// native store in dir, replacing the store dir held (CheckReplaceable: a
// dir holding anything else is refused). When the new store is in place
// but the old folder could not be removed, Write returns the manifest and
// an error wrapping *fsatomic.LeftoverError: the store was written. It builds the HNSW
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
	if err := CheckQuantization(opts.Quantization); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	// What ReadManifest would refuse is never written.
	if err := CheckLabels(opts.Version, opts.Embedding); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
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
		if !ann.ValidComponent(v) {
			return nil, fmt.Errorf("store: write: vector %d component %d is %v, not a finite value within ±%g", i/dims, i%dims, v, ann.MaxComponent)
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
	var sq *ann.SQ8
	var codes []uint8
	if graph != nil && opts.Quantization == QuantizeSQ8 {
		var err error
		if sq, err = ann.TrainSQ8(vecs, dims); err != nil { // on the normalised rows, as searched
			return nil, fmt.Errorf("store: write: %w", err)
		}
		codes = make([]uint8, len(vecs))
		sq.Encode(vecs, codes)
		info.Quantization = QuantizeSQ8
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if err := CheckReplaceable(dir); err != nil {
		return nil, fmt.Errorf("store: write: %w", err)
	}
	switch {
	case opts.Lock == nil:
		lock, err := LockOut(dir)
		if err != nil {
			return nil, fmt.Errorf("store: write: %w", err)
		}
		defer lock.Close()
	case opts.Lock.dir != filepath.Clean(dir):
		return nil, fmt.Errorf("store: write: the lock held is %s's, not %s's", opts.Lock.dir, filepath.Clean(dir))
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
	parts := map[string]PartHashes{}
	put := func(name string, fill func(w io.Writer) error) error {
		fi, ph, err := writeFile(filepath.Join(tmp, name), fill)
		if err != nil {
			return fmt.Errorf("store: write %s: %w", name, err)
		}
		files[name] = fi
		if ph != nil {
			parts[name] = *ph
		}
		return nil
	}
	if err := put(VectorsFile, func(w io.Writer) error { return writeVectors(w, vecs) }); err != nil {
		return nil, err
	}
	var offs []int64
	if err := put(ChunksFile, func(w io.Writer) (err error) { offs, err = writeChunks(w, chunks); return err }); err != nil {
		return nil, err
	}
	if err := put(ChunkIndexFile, func(w io.Writer) error { return writeChunkIndex(w, offs) }); err != nil {
		return nil, err
	}
	an := opts.KeywordAnalyzer
	if an == nil {
		an = keyword.Standard
	}
	texts := make([]string, len(chunks))
	for i := range chunks {
		texts[i] = chunks[i].KeywordText()
	}
	kw := keyword.NewWith(texts, an)
	if err := put(KeywordFile, func(w io.Writer) error { _, err := kw.WriteTo(w); return err }); err != nil {
		return nil, err
	}
	// The heading paths as a field of their own (Store.HeadingIndex),
	// written only when some chunk has one.
	heads, anyHead := make([]string, len(chunks)), false
	for i := range chunks {
		heads[i], _ = chunks[i].Metadata[docmodel.MetaHeadingPath].(string)
		anyHead = anyHead || heads[i] != ""
	}
	if anyHead {
		hx := keyword.NewWith(heads, an)
		if err := put(HeadingFile, func(w io.Writer) error { _, err := hx.WriteTo(w); return err }); err != nil {
			return nil, err
		}
	}
	// Each chunk's section, for the keyword section field
	// (Store.Sections), written only when some chunk has a url.
	if of, n, ok := chunkSections(len(chunks), func(i int) string {
		return docmodel.SectionKey(chunks[i].Metadata)
	}); ok {
		if err := put(SectionsFile, func(w io.Writer) error { return writeSections(w, of, n) }); err != nil {
			return nil, err
		}
	}
	if graph != nil {
		if err := put(GraphFile, func(w io.Writer) error { _, err := graph.WriteGraph(w); return err }); err != nil {
			return nil, err
		}
	}
	if sq != nil {
		if err := put(SQ8File, func(w io.Writer) error { _, err := ann.WriteSQ8(w, sq, codes); return err }); err != nil {
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
		Documents:     countDocuments(chunks),
		Index:         info,
		Files:         files,
	}
	if len(parts) > 0 {
		m.Parts = parts
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
		if lo := (*fsatomic.LeftoverError)(nil); errors.As(err, &lo) {
			done = true // tmp is the old store now, left where lo says
			return m, fmt.Errorf("store: write: %w", err)
		}
		return nil, fmt.Errorf("store: write: %w", err)
	}
	done = true
	return m, nil
}

// staleTempAge is how old a temporary folder beside a store must be for
// LockOut to remove it where there is no lock (fsatomic.CanLock): a build
// killed mid-write leaves one, but a build running at the same time into
// the same folder owns a younger one.
const staleTempAge = 24 * time.Hour

// removeStaleTemps removes, best effort, the .BASE.tmp-* folders under
// parent last modified before cutoff: what a killed Write left (its
// store, or the old store a swap could not remove).
func removeStaleTemps(parent, base string, cutoff time.Time) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "."+base+".tmp-") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(cutoff) {
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// writeFile creates path, lets fill write it through a buffer, fsyncs it
// and returns its size and SHA-256, and its part hashes when it spans more
// than one part.
func writeFile(path string, fill func(w io.Writer) error) (FileInfo, *PartHashes, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return FileInfo{}, nil, err
	}
	defer f.Close()
	h := newFileHasher(PartSize)
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	if err := fill(bw); err != nil {
		return FileInfo{}, nil, err
	}
	if err := bw.Flush(); err != nil {
		return FileInfo{}, nil, err
	}
	if err := f.Sync(); err != nil {
		return FileInfo{}, nil, err
	}
	if err := f.Close(); err != nil {
		return FileInfo{}, nil, err
	}
	fi, ph := h.sums()
	return fi, ph, nil
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

// writeChunks writes one JSON line per chunk and returns the offset of
// every line and of the end (ChunkIndexFile's content).
func writeChunks(w io.Writer, chunks []docmodel.Chunk) ([]int64, error) {
	cw := &countingWriter{w: w}
	enc := json.NewEncoder(cw)
	enc.SetEscapeHTML(false)
	offs := make([]int64, 0, len(chunks)+1)
	for i := range chunks {
		offs = append(offs, cw.n)
		if err := enc.Encode(&chunks[i]); err != nil {
			return nil, fmt.Errorf("chunk %d (%q): %w", i, chunks[i].ID, err)
		}
		if n := cw.n - offs[i] - 1; n > MaxChunkLineBytes {
			return nil, fmt.Errorf("chunk %d (%q): %d bytes of JSON, over the %d a chunk may have", i, chunks[i].ID, n, MaxChunkLineBytes)
		}
	}
	return append(offs, cw.n), nil
}

// nativePlan is what a native store's manifest says about opening it.
type nativePlan struct {
	metric    ann.Metric
	hnsw, sq8 bool // the graph is loaded; the SQ8 codes are
}

// CheckManifest refuses, from a native store's manifest alone, what
// Open with opts would refuse before reading any other file: another
// embedder, a manifest that contradicts itself, a store over the load
// budget. dir names the store in errors. s3sync asks it (through
// lifecycle) before downloading a published store, so one that would be
// refused is not fetched at every retry.
func CheckManifest(dir string, m *Manifest, opts OpenOptions) error {
	_, err := planNative(dir, m, opts)
	return err
}

// planNative checks m against opts (CheckManifest) and says how the
// store opens.
func planNative(dir string, m *Manifest, opts OpenOptions) (nativePlan, error) {
	var p nativePlan
	if err := CheckEmbedding(dir, m.Embedding, opts.Embedding); err != nil {
		return p, err
	}
	metric, err := ann.ParseMetric(m.Metric)
	if err != nil {
		return p, fmt.Errorf("%w: %s: %w", ErrCorrupt, filepath.Join(dir, ManifestFile), err)
	}
	hnsw := m.Index != nil && m.Index.Type == "hnsw"
	if m.Index != nil && m.Index.Type != "hnsw" && m.Index.Type != "flat" {
		return p, fmt.Errorf("%w: %s: index type %q", ErrCorrupt, filepath.Join(dir, ManifestFile), m.Index.Type)
	}
	quant := ""
	if m.Index != nil {
		quant = m.Index.Quantization
	}
	if err := CheckQuantization(quant); err != nil || (quant != "" && !hnsw) {
		return p, fmt.Errorf("%w: %s: quantization %q with index type %q", ErrCorrupt, filepath.Join(dir, ManifestFile), quant, m.Index.Type)
	}
	sq8 := quant == QuantizeSQ8 && !opts.Exact
	required := []string{VectorsFile, ChunksFile}
	if hnsw {
		required = append(required, GraphFile)
	}
	if quant == QuantizeSQ8 {
		required = append(required, SQ8File)
	}
	for _, name := range required {
		if _, ok := m.Files[name]; !ok {
			return p, fmt.Errorf("%w: %s: manifest lists no %s", ErrCorrupt, filepath.Join(dir, ManifestFile), name)
		}
	}
	dims := m.Embedding.Dims
	if want := int64(m.Count) * int64(dims) * 4; m.Files[VectorsFile].Size != want {
		return p, fmt.Errorf("%w: %s: %d bytes, want count*dims*4 = %d*%d*4 = %d", ErrCorrupt, VectorsFile,
			m.Files[VectorsFile].Size, m.Count, dims, want)
	}
	if err := checkBudget(dir, m, hnsw && !opts.Exact, sq8, opts.maxBytes()); err != nil {
		return p, err
	}
	return nativePlan{metric: metric, hnsw: hnsw, sq8: sq8}, nil
}

// openNative loads and verifies a native store.
//
// Files are mapped, not read: the vectors are used in place when the
// metric needs no rewrite of them (unit rows for Cosine), the chunks are
// decoded on demand, the keyword index when KeywordIndex asks. A file the
// recorded verified state (VerifiedFile) vouches for is not hashed; any
// other is hashed from the very bytes mapped. When any file is new to the
// record, every file is parsed and checked as well (each chunk line, every
// vector component, the graph), and the record is written.
func openNative(ctx context.Context, dir string, opts OpenOptions) (*Store, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	plan, err := planNative(dir, m, opts)
	if err != nil {
		return nil, err
	}
	metric, hnsw, sq8, dims := plan.metric, plan.hnsw, plan.sq8, m.Embedding.Dims
	v := nativeVerifier{dir: dir, m: m, rec: readVerifiedState(dir)}
	v.checked = v.rec.Checked
	// Files the loader neither maps nor parses (none today, but a manifest
	// may list more; the SQ8 codes of a store opened for exact search) are
	// verified first, as before.
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		switch name {
		case VectorsFile, ChunksFile, GraphFile, ChunkIndexFile, KeywordFile, HeadingFile, SectionsFile:
			continue
		case SQ8File:
			if sq8 {
				continue
			}
		}
		if err := v.verifyPath(name); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	vm, err := v.mapVerified(ctx, VectorsFile)
	if err != nil {
		return nil, err
	}
	cm, err := v.mapVerified(ctx, ChunksFile)
	if err != nil {
		return nil, err
	}
	st := &Store{Dir: dir, Format: FormatNative, Manifest: *m, maps: []*mapping{vm, cm}}
	var offs []int64
	if _, ok := m.Files[ChunkIndexFile]; ok {
		im, err := v.mapVerified(ctx, ChunkIndexFile)
		if err != nil {
			return nil, err
		}
		// A bad offsets file whose checksum matches is the writer's bug:
		// ignored, the chunks are scanned instead.
		offs, _ = decodeChunkIndex(im.data, m.Count, int64(len(cm.data)))
		// Nothing holds im but this function: without this, a collection
		// during the decode could unmap the bytes it reads (see mapping).
		runtime.KeepAlive(im)
	}
	if offs == nil {
		if offs, err = scanLines(ctx, cm.data, ChunksFile, m.Count); err != nil {
			return nil, err
		}
	}
	st.table = &chunkTable{src: cm, data: cm.data, offs: offs}
	// The optional files a store may carry, each mapped when listed.
	for _, f := range []struct {
		name string
		to   **mapping
	}{{KeywordFile, &st.keyword}, {HeadingFile, &st.heading}, {SectionsFile, &st.sections}} {
		if _, ok := m.Files[f.name]; !ok {
			continue
		}
		if *f.to, err = v.mapVerified(ctx, f.name); err != nil {
			return nil, err
		}
		st.maps = append(st.maps, *f.to)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	vecs := vm.float32s()
	// owned: the rows are a heap copy, not the mapping.
	owned := false
	if vecs == nil && len(vm.data) > 0 { // big-endian or misaligned: decode a copy
		owned = true
		if vecs, err = readVectors(ctx, bufio.NewReader(bytes.NewReader(vm.data)), VectorsFile, m.Count*dims); err != nil {
			return nil, err
		}
	}
	if vecs == nil {
		vecs = []float32{}
	}
	if !v.checked {
		if err := checkFinite(ctx, vm.data, VectorsFile); err != nil {
			return nil, err
		}
		if err := st.table.check(ctx, ChunksFile); err != nil {
			return nil, err
		}
	}
	// Cosine rows of unit length are used in place; others are normalised
	// by ann, in place: give it a copy, not the read-only mapping (stores
	// this package wrote never need it). Which it is, is recorded: a
	// trusted open does not read every row to find out, so the rows stay
	// unread until searches touch them (with SQ8, only those rescored).
	unit := metric == ann.Cosine && v.checked && v.rec.UnitRows
	if metric == ann.Cosine && !unit {
		if unit = ann.IsNormalized(vecs, dims); !unit {
			vecs, owned = append([]float32(nil), vecs...), true
		}
	}

	var idx ann.Index
	switch {
	case opts.Exact || !hnsw:
		if hnsw {
			// The graph is not loaded, but the store is still checked whole.
			if err := v.readVerified(GraphFile, func(*bufio.Reader) error { return nil }); err != nil {
				return nil, err
			}
		}
		f, err := ann.NewFlat(dims, metric, vecs)
		if err != nil {
			return nil, fmt.Errorf("store: index %s: %w", dir, err)
		}
		if !owned {
			f.Retain(vm)
		}
		idx = f
	default:
		err = v.readVerified(GraphFile, func(r *bufio.Reader) error {
			h, err := readGraph(r, GraphFile, dims, metric, vecs, unit)
			if err != nil {
				return err
			}
			if owned {
				go h.AdviseHugePages() // rows in the heap; never the mapping (see its doc)
			} else {
				h.Retain(vm)
			}
			idx = h
			return nil
		})
		if err != nil {
			return nil, err
		}
		if sq8 {
			// The codes are read into memory (a quarter of the vector
			// bytes): every search walks them at random. The float rows
			// stay mapped, page cache the kernel may drop: a search needs
			// only the rows it rescores (fault-around still maps 64 KiB
			// around each, see docs/BENCHMARKS.md).
			err = v.readVerified(SQ8File, func(r *bufio.Reader) error {
				q, codes, err := ann.ReadSQ8(r, dims, m.Count)
				if err != nil {
					return fmt.Errorf("%w: %s: %w", ErrCorrupt, SQ8File, err)
				}
				idx, err = idx.(*ann.HNSW).WithSQ8(q, codes, 0)
				if err != nil {
					return fmt.Errorf("%w: %s: %w", ErrCorrupt, SQ8File, err)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	st.Verified = VerifiedRecorded
	// A record made before UnitRows existed is completed once.
	upgrade := unit && !v.rec.UnitRows
	if v.hashed || !v.rec.Checked || upgrade {
		if v.hashed || !v.rec.Checked {
			st.Verified = VerifiedHashed
		}
		for name := range v.rec.Files {
			if _, ok := m.Files[name]; !ok {
				delete(v.rec.Files, name)
			}
		}
		v.rec.Checked = true
		v.rec.UnitRows = unit
		var total int64
		for _, fi := range m.Files {
			total += fi.Size
		}
		if total >= recordMinBytes {
			v.rec.save(dir)
		}
	}
	st.Index = withEF(idx, opts.EFSearch)
	st.LoadedAt = time.Now()
	return st, nil
}

// nativeVerifier verifies a native store's files against its manifest,
// trusting those its recorded state vouches for and recording the others.
type nativeVerifier struct {
	dir string
	m   *Manifest
	rec verifiedState
	// hashed reports that some file was hashed; checked that every file
	// was parsed and checked with the content it has now (false once a
	// file's checksum is new to the record).
	hashed, checked bool
}

// trust reports whether the recorded state vouches for name as it is now
// (id); if not, a later record of it invalidates an earlier full check
// unless the record held the same checksum.
func (v *nativeVerifier) trust(name string, id verifiedEntry) bool {
	if v.vouched(name, id) {
		return true
	}
	v.hashed = true
	if rec, ok := v.rec.Files[name]; !ok || rec.FileInfo != v.m.Files[name] {
		v.checked = false
	}
	return false
}

// vouched reports whether the record holds name's manifest checksum for
// the file as it is now (id).
func (v *nativeVerifier) vouched(name string, id verifiedEntry) bool {
	rec, ok := v.rec.Files[name]
	return ok && rec.FileInfo == v.m.Files[name] && rec.sameIdentity(id)
}

// verified records name as verified with identity id (unless id is too
// recent to vouch for the content: racy, and not recorded so already).
func (v *nativeVerifier) verified(name string, id verifiedEntry) {
	if v.vouched(name, id) {
		return // already vouched for as it is, by its writer (RecordVerified) if racy
	}
	if racy(id) {
		delete(v.rec.Files, name)
		return
	}
	id.FileInfo = v.m.Files[name]
	v.rec.Files[name] = id
}

// verifyPath hashes dir/name unless trusted.
func (v *nativeVerifier) verifyPath(name string) error {
	id, err := identity(v.dir, name)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	if v.trust(name, id) {
		return nil
	}
	one := Manifest{Files: map[string]FileInfo{name: v.m.Files[name]}}
	if err := one.Verify(v.dir); err != nil {
		return err
	}
	v.verified(name, id)
	return nil
}

// mapVerified maps dir/name and checks it against the manifest: its size
// always, its SHA-256 (of the mapped bytes) unless trusted. Hashing checks
// ctx as it goes: it is most of a first open's time.
func (v *nativeVerifier) mapVerified(ctx context.Context, name string) (*mapping, error) {
	want := v.m.Files[name]
	path := filepath.Join(v.dir, name)
	mp, id, err := mapFileID(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	if int64(len(mp.data)) != want.Size {
		return nil, fmt.Errorf("%w: %s: size %d, manifest says %d", ErrCorrupt, name, len(mp.data), want.Size)
	}
	if v.trust(name, id) {
		return mp, nil
	}
	sum, err := hashMapped(ctx, mp.data)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", name, err)
	}
	if got := hex.EncodeToString(sum); got != want.SHA256 {
		return nil, fmt.Errorf("%w: %s: sha256 %s, manifest says %s", ErrCorrupt, name, got, want.SHA256)
	}
	v.verified(name, id)
	return mp, nil
}

// readVerified opens dir/name, checks its size against the manifest, and
// hands parse a reader over it, hashing every byte unless the file is
// trusted (see the package function readVerified).
func (v *nativeVerifier) readVerified(name string, parse func(r *bufio.Reader) error) error {
	id, err := identity(v.dir, name)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
	}
	if v.trust(name, id) && v.checked {
		f, err := os.Open(filepath.Join(v.dir, name))
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
		}
		defer f.Close()
		return parse(bufio.NewReaderSize(f, 1<<20))
	}
	if err := readVerified(v.dir, name, v.m.Files[name], parse); err != nil {
		return err
	}
	v.verified(name, id)
	return nil
}

// hashMapped returns the SHA-256 of b, checking ctx every checkEvery
// 4-byte words (64 KiB).
func hashMapped(ctx context.Context, b []byte) ([]byte, error) {
	h := sha256.New()
	const step = checkEvery * 4
	for off := 0; off < len(b); off += step {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h.Write(b[off:min(off+step, len(b))])
	}
	return h.Sum(nil), nil
}

// checkFinite rejects a vector file with a component that is not finite
// or beyond ±ann.MaxComponent, naming its offset. It checks ctx every
// checkEvery components.
func checkFinite(ctx context.Context, b []byte, name string) error {
	for off := 0; off+4 <= len(b); off += 4 {
		if off%(checkEvery*4) == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: %s: %w", name, err)
			}
		}
		if v := math.Float32frombits(binary.LittleEndian.Uint32(b[off:])); !ann.ValidComponent(v) {
			return badComponent(name, int64(off), v)
		}
	}
	return nil
}

// badComponent reports a stored vector component checkFinite or
// readVectors refuses.
func badComponent(name string, off int64, v float32) error {
	return fmt.Errorf("%w: %s: offset %d: component %v is not a finite value within ±%g", ErrCorrupt, name, off, v, ann.MaxComponent)
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
// values that are not finite or beyond ±ann.MaxComponent, with their
// offset.
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
		if !ann.ValidComponent(v) {
			return nil, badComponent(name, int64(i)*4, v)
		}
		out[i] = v
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: offset %d: trailing bytes", ErrCorrupt, name, int64(n)*4)
	}
	return out, nil
}

// checkEvery is how many vector components are read (or checked, or
// hashed as 4-byte words) between two checks of the context (chunk lines:
// every checkLinesEvery).
const checkEvery = 16384

// checkLinesEvery is how many chunk lines are scanned or checked between
// two checks of the context.
const checkLinesEvery = 64

// readGraph loads the persisted HNSW graph over vecs from r (the file name).
func readGraph(r *bufio.Reader, name string, dims int, metric ann.Metric, vecs []float32, unit bool) (*ann.HNSW, error) {
	read := ann.ReadHNSW
	if unit {
		read = ann.ReadHNSWUnit
	}
	h, err := read(r, dims, metric, vecs)
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
