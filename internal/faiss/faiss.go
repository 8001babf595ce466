package faiss

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Sentinel errors for callers to branch on with errors.Is.
var (
	// ErrFormat marks a file that is not a well-formed FAISS index.
	ErrFormat = errors.New("faiss: malformed index file")
	// ErrUnsupported marks a well-formed record of an index type or metric
	// this package does not read.
	ErrUnsupported = errors.New("faiss: unsupported index")
)

// Index type codes (FAISS "fourcc") this package reads.
const (
	FourCCFlatL2    = "IxF2"
	FourCCFlatIP    = "IxFI"
	FourCCFlat      = "IxFl"
	FourCCHNSWFlat  = "IHNf"
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

// Index is the content of an index.faiss file.
type Index struct {
	FourCC  string     // outer record type, e.g. "IxF2" or "IHNf"
	Dim     int        // vector dimension d
	Count   int        // ntotal
	Metric  MetricType // MetricL2 or MetricInnerProduct
	HNSW    *HNSWInfo  // non-nil for IHNf
	Vectors []float32  // Count*Dim values, row i at i*Dim
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
	if size < 0 {
		return nil, fmt.Errorf("faiss: negative size %d", size)
	}
	d := &decoder{r: bufio.NewReaderSize(io.LimitReader(r, size), 1<<16), size: size}
	idx, err := d.index(true)
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
	m, err := io.CopyN(io.Discard, d.r, n)
	d.off += m
	if err != nil {
		if errors.Is(err, io.EOF) {
			return d.errf("truncated reading %s", what)
		}
		return fmt.Errorf("faiss: offset %d: read %s: %w", d.off, what, err)
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
	case FourCCFlatL2, FourCCFlatIP, FourCCFlat, FourCCHNSWFlat:
	default:
		if !printable(b) {
			d.off = start
			return h, d.errf("not a FAISS index (fourcc %q)", h.fourcc)
		}
		d.off = start
		return h, fmt.Errorf("faiss: offset %d: index type %q (only IxF2, IxFI and IHNf are read): %w", start, h.fourcc, ErrUnsupported)
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

// index reads one index record. Only the outer record may be IHNf.
func (d *decoder) index(outer bool) (*Index, error) {
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
	idx := &Index{FourCC: h.fourcc, Dim: h.dim, Count: h.count, Metric: h.metric}
	if h.fourcc == FourCCHNSWFlat {
		if !outer {
			return nil, fmt.Errorf("faiss: offset %d: nested IHNf record: %w", start, ErrFormat)
		}
		info, err := d.hnsw(h)
		if err != nil {
			return nil, err
		}
		storageStart := d.off
		storage, err := d.index(false)
		if err != nil {
			return nil, err
		}
		if storage.Dim != h.dim || storage.Count != h.count || storage.Metric != h.metric {
			return nil, fmt.Errorf("faiss: offset %d: storage record (d %d, ntotal %d, %v) disagrees with IHNf header (d %d, ntotal %d, %v): %w",
				storageStart, storage.Dim, storage.Count, storage.Metric, h.dim, h.count, h.metric, ErrFormat)
		}
		idx.HNSW = info
		idx.Vectors = storage.Vectors
		return idx, nil
	}
	idx.Vectors, err = d.vectors(h)
	if err != nil {
		return nil, err
	}
	return idx, nil
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
	out := make([]float32, n)
	buf := make([]byte, vectorChunkSize)
	for i := 0; i < len(out); {
		m := min(len(out)-i, vectorChunkSize/float32Size)
		b := buf[:m*float32Size]
		if _, err := io.ReadFull(d.r, b); err != nil {
			return nil, d.errf("truncated reading vectors")
		}
		for j := range m {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[j*4:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				d.off += int64(j * 4)
				return nil, d.errf("vector %d component %d is %v", (i+j)/h.dim, (i+j)%h.dim, v)
			}
			out[i+j] = v
		}
		d.off += int64(len(b))
		i += m
	}
	return out, nil
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
