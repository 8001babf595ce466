package faiss

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/vendor0919/api/internal/ann"
)

// Sentinel errors for callers to branch on with errors.Is.
var (
	// ErrFormat marks a file that is not a well-formed FAISS index.
	ErrFormat = errors.New("faiss: malformed index file")
	// ErrUnsupported marks a well-formed record of an index type or metric
	// this package does not read.
	ErrUnsupported = errors.New("faiss: unsupported index")
	// ErrBudget marks an index whose vectors, labels and the copies made
	// while reading them would take more than the caller's budget.
	ErrBudget = errors.New("faiss: over the load budget")
)

// Index type codes (FAISS "fourcc") this package reads.
const (
	FourCCFlatL2    = "IxF2"
	FourCCFlatIP    = "IxFI"
	FourCCFlat      = "IxFl"
	FourCCHNSWFlat  = "IHNf"
	FourCCIDMap     = "IxMp"
	FourCCIDMap2    = "IxM2"
	FourCCIVFFlat   = "IwFl"
	headerDummy     = 1 << 20
	maxDim          = 1 << 16     // widest embedding accepted
	maxCount        = 1<<32 - 2   // ids must fit a uint32 below the "none" marker
	maxHNSWLevels   = 1 << 10     // cum_nneighbor_per_level / assign_probas entries
	vectorChunkSize = 1 << 16     // bytes decoded per read
	hnswIntsSize    = 4           // int32 neighbours and levels
	hnswOffsetSize  = 8           // uint64 offsets
	hnswProbaSize   = 8           // float64 assign_probas
	float32Size     = 4           // bytes per stored component
	sizeOfHeader    = 4 + 4 + 8*3 // fourcc, d, ntotal, two dummies
)

// MetricType is FAISS's metric code as stored in the header.
type MetricType int32

// FAISS metric codes (faiss/MetricType.h).
const (
	MetricInnerProduct MetricType = 0
	MetricL2           MetricType = 1
)

// String returns "inner_product", "l2" or "metric(N)".
func (m MetricType) String() string {
	switch m {
	case MetricInnerProduct:
		return "inner_product"
	case MetricL2:
		return "l2"
	}
	return fmt.Sprintf("metric(%d)", int32(m))
}

// HNSWInfo describes the graph of an IHNf record. The graph itself is not
// kept.
type HNSWInfo struct {
	M              int // links per upper layer (layer 0 keeps 2M)
	EntryPoint     int32
	MaxLevel       int32
	EFConstruction int32
	EFSearch       int32
}

// IVFInfo describes the clustering of an IwFl record. The centroids and
// list assignment are not kept.
type IVFInfo struct {
	NList  int // inverted lists (centroids)
	NProbe int // lists searched per query when the index was saved
}

// Index is the content of an index.faiss file.
type Index struct {
	FourCC  string     // outer record type, e.g. "IxF2", "IHNf", "IxM2", "IwFl"
	Dim     int        // vector dimension d
	Count   int        // ntotal
	Metric  MetricType // MetricL2 or MetricInnerProduct
	HNSW    *HNSWInfo  // non-nil for IHNf, also inside an ID map
	IVF     *IVFInfo   // non-nil for IwFl
	Vectors []float32  // Count*Dim values, row i at i*Dim
	// Labels[i] is the FAISS id of row i: what FAISS's search returns and
	// what LangChain's index_to_docstore_id is keyed by. Rows are in
	// ascending label order and labels are distinct and non-negative.
	// Labels is nil when row i's label is i, as for flat and HNSW indexes
	// (and ID maps or IVF lists whose ids are exactly 0..Count-1).
	Labels []int64
}

// Label returns the FAISS id of row i.
func (x *Index) Label(i int) int64 {
	if x.Labels == nil {
		return int64(i)
	}
	return x.Labels[i]
}

// ReadFile reads the FAISS index file at path.
func ReadFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("faiss: open: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("faiss: stat: %w", err)
	}
	return Read(f, st.Size())
}

// Read reads one FAISS index of exactly size bytes from r. Trailing bytes
// after the record are an error.
func Read(r io.Reader, size int64) (*Index, error) {
	return ReadContext(context.Background(), r, size, 0)
}

// ReadContext is Read bounded by maxBytes (0: no bound beyond the file's
// size), the memory its slices take (vectors, labels, and the copies
// made to order rows by label; ErrBudget past it), and checking ctx every
// 64 KiB read or 8,192 rows, whose error it returns once ctx is done.
func ReadContext(ctx context.Context, r io.Reader, size, maxBytes int64) (*Index, error) {
	return read(ctx, r, size, maxBytes, nil)
}

// read is ReadContext with a hook called at every context check.
func read(ctx context.Context, r io.Reader, size, maxBytes int64, onCheck func()) (*Index, error) {
	if size < 0 {
		return nil, fmt.Errorf("faiss: negative size %d", size)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("faiss: %w", err)
	}
	d := &decoder{r: bufio.NewReaderSize(io.LimitReader(r, size), 1<<16), size: size, ctx: ctx, maxBytes: maxBytes, onCheck: onCheck}
	idx, err := d.index("")
	if err != nil {
		return nil, err
	}
	if d.off != size {
		return nil, d.errf("%d trailing bytes after the index record", size-d.off)
	}
	return idx, nil
}

// decoder reads little-endian values and tracks the offset for errors.
type decoder struct {
	r    *bufio.Reader
	off  int64
	size int64
	buf  [8]byte
	ctx  context.Context
	// maxBytes bounds used, the bytes of the slices allocated (0: none).
	maxBytes, used int64
	ticks          int
	onCheck        func() // for tests: called at each context check
}

// alloc charges n bytes about to be allocated for what.
func (d *decoder) alloc(n uint64, what string) error {
	d.used += int64(min(n, 1<<62))
	if d.maxBytes > 0 && d.used > d.maxBytes {
		return fmt.Errorf("faiss: %s: %d bytes in all, more than the load budget of %d (STORE_LOAD_MAX_BYTES raises it): %w", what, d.used, d.maxBytes, ErrBudget)
	}
	return nil
}

// checkEvery is the work (values read or moved) between two checks of
// the context: a 64 KiB chunk of vectors is one check.
const checkEvery = vectorChunkSize / float32Size

// tick counts one value read or moved and checks the context every
// checkEvery.
func (d *decoder) tick() error { return d.tickN(1) }

// tickN counts n values and returns the context's error at the first
// call and whenever a multiple of checkEvery is crossed.
func (d *decoder) tickN(n int) error {
	before := d.ticks
	d.ticks += n
	if before != 0 && before/checkEvery == d.ticks/checkEvery {
		return nil
	}
	if d.onCheck != nil {
		d.onCheck()
	}
	if err := d.ctx.Err(); err != nil {
		return fmt.Errorf("faiss: offset %d: %w", d.off, err)
	}
	return nil
}

func (d *decoder) errf(format string, args ...any) error {
	return fmt.Errorf("faiss: offset %d: %s: %w", d.off, fmt.Sprintf(format, args...), ErrFormat)
}

func (d *decoder) remaining() int64 { return d.size - d.off }

func (d *decoder) read(n int, what string) ([]byte, error) {
	b := d.buf[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, d.errf("truncated reading %s", what)
		}
		return nil, fmt.Errorf("faiss: offset %d: read %s: %w", d.off, what, err)
	}
	d.off += int64(n)
	return b, nil
}

func (d *decoder) u8(what string) (uint8, error) {
	b, err := d.read(1, what)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (d *decoder) i32(what string) (int32, error) {
	b, err := d.read(4, what)
	if err != nil {
		return 0, err
	}
	return int32(binary.LittleEndian.Uint32(b)), nil
}

func (d *decoder) u64(what string) (uint64, error) {
	b, err := d.read(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// skip discards n bytes.
func (d *decoder) skip(n int64, what string) error {
	for n > 0 {
		if err := d.tickN(checkEvery); err != nil {
			return err
		}
		step := min(n, vectorChunkSize)
		m, err := io.CopyN(io.Discard, d.r, step)
		d.off += m
		n -= m
		if err != nil {
			if errors.Is(err, io.EOF) {
				return d.errf("truncated reading %s", what)
			}
			return fmt.Errorf("faiss: offset %d: read %s: %w", d.off, what, err)
		}
	}
	return nil
}

type header struct {
	fourcc    string
	dim       int
	count     int
	metric    MetricType
	metricArg float32
}

// header reads the common index header (faiss write_index_header).
func (d *decoder) header() (header, error) {
	var h header
	start := d.off
	b, err := d.read(4, "fourcc")
	if err != nil {
		return h, err
	}
	h.fourcc = string(b)
	switch h.fourcc {
	case FourCCFlatL2, FourCCFlatIP, FourCCFlat, FourCCHNSWFlat, FourCCIDMap, FourCCIDMap2, FourCCIVFFlat:
	default:
		if !printable(b) {
			d.off = start
			return h, d.errf("not a FAISS index (fourcc %q)", h.fourcc)
		}
		d.off = start
		return h, fmt.Errorf("faiss: offset %d: index type %q (only IxF2, IxFI, IxFl, IHNf, IxMp, IxM2 and IwFl are read): %w", start, h.fourcc, ErrUnsupported)
	}
	dim, err := d.i32("dimension")
	if err != nil {
		return h, err
	}
	if dim <= 0 || dim > maxDim {
		d.off -= 4
		return h, d.errf("dimension %d out of range [1, %d]", dim, maxDim)
	}
	h.dim = int(dim)
	n, err := d.u64("ntotal")
	if err != nil {
		return h, err
	}
	if n > maxCount {
		d.off -= 8
		return h, d.errf("ntotal %d exceeds %d", int64(n), int64(maxCount))
	}
	h.count = int(n)
	for range 2 {
		v, err := d.u64("header dummy")
		if err != nil {
			return h, err
		}
		if v != headerDummy {
			d.off -= 8
			return h, d.errf("header dummy is %d, want %d", v, headerDummy)
		}
	}
	trained, err := d.u8("is_trained")
	if err != nil {
		return h, err
	}
	if trained > 1 {
		d.off--
		return h, d.errf("is_trained byte %d is not 0 or 1", trained)
	}
	mt, err := d.i32("metric_type")
	if err != nil {
		return h, err
	}
	h.metric = MetricType(mt)
	if mt > 1 {
		b, err := d.read(4, "metric_arg")
		if err != nil {
			return h, err
		}
		h.metricArg = math.Float32frombits(binary.LittleEndian.Uint32(b))
	}
	return h, nil
}

func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// index reads one index record; parent is the fourcc of the record that
// holds it ("" for the outer one). A flat record may be anywhere, IHNf at
// the top or in an ID map, ID maps and IVF only at the top.
func (d *decoder) index(parent string) (*Index, error) {
	start := d.off
	h, err := d.header()
	if err != nil {
		return nil, err
	}
	if h.metric != MetricL2 && h.metric != MetricInnerProduct {
		return nil, fmt.Errorf("faiss: offset %d: metric %v (only L2 and inner product are read): %w", start+33, h.metric, ErrUnsupported)
	}
	want := map[string]MetricType{FourCCFlatL2: MetricL2, FourCCFlatIP: MetricInnerProduct}
	if m, ok := want[h.fourcc]; ok && m != h.metric {
		return nil, fmt.Errorf("faiss: offset %d: %s record with metric %v: %w", start, h.fourcc, h.metric, ErrFormat)
	}
	switch {
	case parent == "", h.fourcc == FourCCFlatL2, h.fourcc == FourCCFlatIP, h.fourcc == FourCCFlat:
	case h.fourcc == FourCCHNSWFlat && (parent == FourCCIDMap || parent == FourCCIDMap2):
	default:
		return nil, fmt.Errorf("faiss: offset %d: %s record nested in %s: %w", start, h.fourcc, parent, ErrFormat)
	}
	idx := &Index{FourCC: h.fourcc, Dim: h.dim, Count: h.count, Metric: h.metric}
	switch h.fourcc {
	case FourCCHNSWFlat:
		info, err := d.hnsw(h)
		if err != nil {
			return nil, err
		}
		storage, err := d.nested(h, FourCCHNSWFlat)
		if err != nil {
			return nil, err
		}
		idx.HNSW = info
		idx.Vectors = storage.Vectors
		return idx, nil
	case FourCCIDMap, FourCCIDMap2:
		return d.idMap(h, idx)
	case FourCCIVFFlat:
		return d.ivfFlat(h, idx)
	}
	idx.Vectors, err = d.vectors(h)
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// nested reads the record inside an IHNf or ID map record, which must
// agree with the outer header.
func (d *decoder) nested(h header, parent string) (*Index, error) {
	start := d.off
	inner, err := d.index(parent)
	if err != nil {
		return nil, err
	}
	if inner.Dim != h.dim || inner.Count != h.count || inner.Metric != h.metric {
		return nil, fmt.Errorf("faiss: offset %d: nested record (d %d, ntotal %d, %v) disagrees with %s header (d %d, ntotal %d, %v): %w",
			start, inner.Dim, inner.Count, inner.Metric, parent, h.dim, h.count, h.metric, ErrFormat)
	}
	return inner, nil
}

// idMap reads IndexIDMap / IndexIDMap2 (faiss write_index: header, the
// wrapped index, then id_map as a vector of int64, one per row).
func (d *decoder) idMap(h header, idx *Index) (*Index, error) {
	inner, err := d.nested(h, h.fourcc)
	if err != nil {
		return nil, err
	}
	n, err := d.u64("id_map size")
	if err != nil {
		return nil, err
	}
	if n != uint64(h.count) {
		d.off -= 8
		return nil, d.errf("id_map has %d ids, ntotal is %d", n, h.count)
	}
	labels, err := d.int64s(h.count, "id_map")
	if err != nil {
		return nil, err
	}
	idx.HNSW = inner.HNSW
	idx.Vectors = inner.Vectors
	return idx, d.byLabel(idx, labels)
}

// Bounds on an IwFl record before its lists are read.
const (
	maxIVFLists = 1 << 24
	ivfIDSize   = 8
)

// ivfFlat reads IndexIVFFlat (faiss write_ivf_header, then
// write_InvertedLists in the "ilar" array layout): every inverted list
// holds its vectors' codes (d float32 each) and their ids.
func (d *decoder) ivfFlat(h header, idx *Index) (*Index, error) {
	nlist, err := d.u64("nlist")
	if err != nil {
		return nil, err
	}
	if nlist == 0 || nlist > maxIVFLists {
		d.off -= 8
		return nil, d.errf("nlist %d out of range [1, %d]", nlist, maxIVFLists)
	}
	nprobe, err := d.u64("nprobe")
	if err != nil {
		return nil, err
	}
	if nprobe > nlist {
		d.off -= 8
		return nil, d.errf("nprobe %d exceeds nlist %d", nprobe, nlist)
	}
	qStart := d.off
	quantizer, err := d.index(FourCCIVFFlat)
	if err != nil {
		return nil, err
	}
	if quantizer.Dim != h.dim || uint64(quantizer.Count) != nlist {
		return nil, fmt.Errorf("faiss: offset %d: quantizer (d %d, ntotal %d) disagrees with IwFl (d %d, nlist %d): %w",
			qStart, quantizer.Dim, quantizer.Count, h.dim, nlist, ErrFormat)
	}
	// direct_map: type, its array, and for a hash table its pairs.
	dm, err := d.u8("direct_map type")
	if err != nil {
		return nil, err
	}
	if dm > 2 {
		d.off--
		return nil, d.errf("direct_map type %d", dm)
	}
	if _, err := d.sizedVector("direct_map array", 8, maxCount); err != nil {
		return nil, err
	}
	if dm == 2 {
		if _, err := d.sizedVector("direct_map hashtable", 16, maxCount); err != nil {
			return nil, err
		}
	}
	sizes, err := d.invListSizes(h, nlist)
	if err != nil {
		return nil, err
	}
	idx.IVF = &IVFInfo{NList: int(nlist), NProbe: int(nprobe)}
	if err := d.alloc(uint64(h.count)*uint64(h.dim)*float32Size+uint64(h.count)*8, "IVF vectors and ids"); err != nil {
		return nil, err
	}
	idx.Vectors = make([]float32, h.count*h.dim)
	labels := make([]int64, 0, h.count)
	row := 0
	for _, n := range sizes {
		if n == 0 {
			continue
		}
		if err := d.floats(idx.Vectors[row*h.dim:(row+n)*h.dim], h.dim, row); err != nil {
			return nil, err
		}
		ids, err := d.int64s(n, "inverted list ids")
		if err != nil {
			return nil, err
		}
		labels = append(labels, ids...)
		row += n
	}
	return idx, d.byLabel(idx, labels)
}

// invListSizes reads the "ilar" header and returns the length of each of
// the nlist lists, after checking that they add up to ntotal and that the
// codes and ids they announce fit in the bytes that remain.
func (d *decoder) invListSizes(h header, nlist uint64) ([]int, error) {
	b, err := d.read(4, "inverted lists type")
	if err != nil {
		return nil, err
	}
	if kind := string(b); kind != "ilar" {
		d.off -= 4
		if !printable(b) {
			return nil, d.errf("inverted lists type %q", kind)
		}
		return nil, fmt.Errorf("faiss: offset %d: inverted lists %q (only the array layout \"ilar\" is read): %w", d.off, kind, ErrUnsupported)
	}
	n, err := d.u64("inverted lists nlist")
	if err != nil {
		return nil, err
	}
	if n != nlist {
		d.off -= 8
		return nil, d.errf("inverted lists nlist %d, IwFl nlist %d", n, nlist)
	}
	codeSize, err := d.u64("code_size")
	if err != nil {
		return nil, err
	}
	if codeSize != uint64(h.dim)*float32Size {
		d.off -= 8
		return nil, d.errf("code_size %d, want d*4 = %d", codeSize, h.dim*float32Size)
	}
	b, err = d.read(4, "inverted lists layout")
	if err != nil {
		return nil, err
	}
	layout := string(b)
	if layout != "full" && layout != "sprs" {
		d.off -= 4
		return nil, d.errf("inverted lists layout %q, want \"full\" or \"sprs\"", layout)
	}
	start := d.off
	count, err := d.u64("list sizes size")
	if err != nil {
		return nil, err
	}
	want := "nlist"
	ok := count == nlist
	if layout == "sprs" {
		want, ok = "an even count up to 2*nlist", count%2 == 0 && count <= 2*nlist
	}
	if !ok || count > uint64(d.remaining())/8 {
		d.off = start
		return nil, d.errf("%s list sizes has %d entries, want %s (%d bytes remain)", layout, count, want, d.remaining()-8)
	}
	raw, err := d.int64s(int(count), "list sizes")
	if err != nil {
		return nil, err
	}
	sizes := make([]int, nlist)
	var total uint64
	for i := 0; i < len(raw); i++ {
		list, size := uint64(i), uint64(raw[i])
		if layout == "sprs" {
			list, size = uint64(raw[i]), uint64(raw[i+1])
			if list >= nlist || (i > 0 && list <= uint64(raw[i-2])) {
				return nil, fmt.Errorf("faiss: offset %d: sparse list index %d (nlist %d, ascending): %w", start+8+int64(i)*8, list, nlist, ErrFormat)
			}
			i++
		}
		if size > uint64(h.count) || total+size > uint64(h.count) {
			return nil, fmt.Errorf("faiss: offset %d: inverted lists hold more than ntotal = %d vectors: %w", start+8+int64(i)*8, h.count, ErrFormat)
		}
		sizes[list] = int(size)
		total += size
	}
	if total != uint64(h.count) {
		return nil, fmt.Errorf("faiss: offset %d: inverted lists hold %d vectors, ntotal is %d: %w", start, total, h.count, ErrFormat)
	}
	if need := total * (codeSize + ivfIDSize); need > uint64(d.remaining()) {
		return nil, d.errf("%d vectors need %d bytes of codes and ids, %d remain (truncated file)", total, need, d.remaining())
	}
	return sizes, nil
}

// int64s reads n little-endian int64 values; the caller has bounded n.
func (d *decoder) int64s(n int, what string) ([]int64, error) {
	if uint64(n)*8 > uint64(d.remaining()) {
		return nil, d.errf("%d %s need %d bytes, %d remain (truncated file)", n, what, uint64(n)*8, d.remaining())
	}
	if err := d.alloc(uint64(n)*8, what); err != nil {
		return nil, err
	}
	out := make([]int64, n)
	for i := range out {
		if err := d.tick(); err != nil {
			return nil, err
		}
		v, err := d.u64(what)
		if err != nil {
			return nil, err
		}
		out[i] = int64(v)
	}
	return out, nil
}

// byLabel orders idx's rows by labels (labels[i] is row i's id), checks
// that the labels are distinct and non-negative, and sets idx.Labels
// (nil when they are 0..Count-1).
func (d *decoder) byLabel(idx *Index, labels []int64) error {
	perm := make([]int, len(labels))
	identity := true
	for i := range perm {
		perm[i] = i
		if labels[i] < 0 {
			return fmt.Errorf("faiss: row %d has label %d: %w", i, labels[i], ErrFormat)
		}
		identity = identity && labels[i] == int64(i)
	}
	if identity {
		return nil
	}
	if err := d.alloc(uint64(len(labels))*16+uint64(len(idx.Vectors))*float32Size, "rows ordered by label"); err != nil {
		return err
	}
	slices.SortFunc(perm, func(a, b int) int { return cmpInt64(labels[a], labels[b]) })
	vecs := make([]float32, len(idx.Vectors))
	sorted := make([]int64, len(labels))
	for to, from := range perm {
		if err := d.tick(); err != nil {
			return err
		}
		if to > 0 && labels[from] == sorted[to-1] {
			return fmt.Errorf("faiss: label %d appears twice: %w", labels[from], ErrFormat)
		}
		sorted[to] = labels[from]
		copy(vecs[to*idx.Dim:(to+1)*idx.Dim], idx.Vectors[from*idx.Dim:(from+1)*idx.Dim])
	}
	idx.Vectors = vecs
	if sorted[0] == 0 && sorted[len(sorted)-1] == int64(len(sorted)-1) {
		return nil // distinct, so exactly 0..n-1
	}
	idx.Labels = sorted
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// vectors reads the flat codes: a uint64 count n = ntotal*d, then n
// float32. The count is checked against the remaining bytes before the
// slice is allocated.
func (d *decoder) vectors(h header) ([]float32, error) {
	n, err := d.u64("vector count")
	if err != nil {
		return nil, err
	}
	want := uint64(h.count) * uint64(h.dim)
	if n != want {
		d.off -= 8
		return nil, d.errf("vector count %d, want ntotal*d = %d*%d", n, h.count, h.dim)
	}
	if n*float32Size > uint64(d.remaining()) {
		return nil, d.errf("%d vectors of %d float32 need %d bytes, %d remain (truncated file)", h.count, h.dim, n*float32Size, d.remaining())
	}
	if err := d.alloc(n*float32Size, "vectors"); err != nil {
		return nil, err
	}
	out := make([]float32, n)
	if err := d.floats(out, h.dim, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// floats fills out with float32 values, rows of dim starting at row
// firstRow (for error messages), refusing components that are not finite
// or beyond ±ann.MaxComponent. The
// caller has checked that they fit in the remaining bytes.
func (d *decoder) floats(out []float32, dim, firstRow int) error {
	buf := make([]byte, min(vectorChunkSize, len(out)*float32Size))
	for i := 0; i < len(out); {
		m := min(len(out)-i, vectorChunkSize/float32Size)
		if err := d.tickN(m); err != nil {
			return err
		}
		b := buf[:m*float32Size]
		if _, err := io.ReadFull(d.r, b); err != nil {
			return d.errf("truncated reading vectors")
		}
		for j := range m {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[j*4:]))
			if !ann.ValidComponent(v) {
				d.off += int64(j * 4)
				return d.errf("vector %d component %d is %v, not a finite value within ±%g", firstRow+(i+j)/dim, (i+j)%dim, v, ann.MaxComponent)
			}
			out[i+j] = v
		}
		d.off += int64(len(b))
		i += m
	}
	return nil
}

// hnsw reads and checks the HNSW graph of an IHNf record without keeping
// it (faiss write_HNSW).
func (d *decoder) hnsw(h header) (*HNSWInfo, error) {
	info := &HNSWInfo{}
	// assign_probas: float64 per level.
	if _, err := d.sizedVector("assign_probas", hnswProbaSize, maxHNSWLevels); err != nil {
		return nil, err
	}
	// cum_nneighbor_per_level: int32 per level + 1; kept for M.
	cumStart := d.off
	nCum, err := d.u64("cum_nneighbor_per_level size")
	if err != nil {
		return nil, err
	}
	if nCum > maxHNSWLevels || nCum*hnswIntsSize > uint64(d.remaining()) {
		d.off = cumStart
		return nil, d.errf("cum_nneighbor_per_level has %d entries", nCum)
	}
	cum := make([]int32, nCum)
	for i := range cum {
		if cum[i], err = d.i32("cum_nneighbor_per_level"); err != nil {
			return nil, err
		}
	}
	if len(cum) >= 3 && cum[1] > 0 {
		info.M = int(cum[2] - cum[1])
	}
	levels, err := d.sizedVector("levels", hnswIntsSize, maxCount)
	if err != nil {
		return nil, err
	}
	if levels != uint64(h.count) {
		return nil, d.errf("levels has %d entries, ntotal is %d", levels, h.count)
	}
	offsets, err := d.sizedVector("offsets", hnswOffsetSize, maxCount+1)
	if err != nil {
		return nil, err
	}
	if offsets != uint64(h.count)+1 {
		return nil, d.errf("offsets has %d entries, want ntotal+1 = %d", offsets, h.count+1)
	}
	if _, err := d.sizedVector("neighbors", hnswIntsSize, math.MaxInt64/hnswIntsSize); err != nil {
		return nil, err
	}
	fields := []*int32{&info.EntryPoint, &info.MaxLevel, &info.EFConstruction, &info.EFSearch}
	names := []string{"entry_point", "max_level", "efConstruction", "efSearch"}
	for i, p := range fields {
		if *p, err = d.i32(names[i]); err != nil {
			return nil, err
		}
	}
	if _, err := d.i32("upper_beam"); err != nil {
		return nil, err
	}
	if h.count > 0 && (info.EntryPoint < 0 || int(info.EntryPoint) >= h.count) {
		return nil, d.errf("entry_point %d outside [0, %d)", info.EntryPoint, h.count)
	}
	if info.MaxLevel < -1 || int64(info.MaxLevel) >= int64(nCum) {
		return nil, d.errf("max_level %d with %d levels", info.MaxLevel, nCum)
	}
	return info, nil
}

// sizedVector skips a FAISS std::vector (uint64 count, then count elements
// of elem bytes) and returns its count.
func (d *decoder) sizedVector(what string, elem, limit uint64) (uint64, error) {
	start := d.off
	n, err := d.u64(what + " size")
	if err != nil {
		return 0, err
	}
	if n > limit || n > uint64(d.remaining())/elem {
		d.off = start
		return 0, d.errf("%s has %d entries of %d bytes, %d bytes remain", what, n, elem, d.remaining()-8)
	}
	if err := d.skip(int64(n*elem), what); err != nil {
		return 0, err
	}
	return n, nil
}
