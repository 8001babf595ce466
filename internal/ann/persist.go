package ann

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"unsafe"
)

// Graph file format, version 1. All integers little-endian.
//
//	offset  size          field
//	0       8             magic "ANNHNSW1"
//	8       4             version (1)
//	12      4             dim
//	16      4             metric (1 cosine, 2 ip, 3 l2)
//	20      4             n, number of nodes
//	24      4             M
//	28      4             EFConstruction
//	32      4             EFSearch
//	36      4             Workers used by the build
//	40      8             Seed
//	48      4             entry node
//	52      4             max level (the entry node's level)
//	56      8             number of upper-layer slots, U
//	64      n             level of each node (uint8)
//	64+n    4*n*2M        level-0 lists, 2M slots per node
//	...     4*U           upper lists: for each node i with level L>0 in id
//	                      order, layers 1..L of M slots each
//	...     4             CRC-32C of every byte before it
//
// Empty slots hold 0xFFFFFFFF and only follow filled ones. The vectors are
// not in the file; ReadHNSW is handed them.
const (
	graphMagic   = "ANNHNSW1"
	graphVersion = 1
	headerSize   = 64
	maxWorkers   = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// GraphError reports a corrupt or truncated graph file and the byte offset
// of the offending field.
type GraphError struct {
	Offset int64
	Reason string
	Err    error // io.ErrUnexpectedEOF for truncation, else nil or the read error
}

func (e *GraphError) Error() string {
	return fmt.Sprintf("ann: HNSW graph: at byte %d: %s", e.Offset, e.Reason)
}

func (e *GraphError) Unwrap() error { return e.Err }

// WriteGraph writes the graph and its parameters (not the vectors) and
// returns the number of bytes written.
func (h *HNSW) WriteGraph(w io.Writer) (int64, error) {
	gw := &graphWriter{w: w, crc: crc32.New(castagnoli)}
	var hdr [headerSize]byte
	copy(hdr[0:8], graphMagic)
	le := binary.LittleEndian
	le.PutUint32(hdr[8:], graphVersion)
	le.PutUint32(hdr[12:], uint32(h.dim))
	le.PutUint32(hdr[16:], uint32(h.metric))
	le.PutUint32(hdr[20:], uint32(h.n))
	le.PutUint32(hdr[24:], uint32(h.cfg.M))
	le.PutUint32(hdr[28:], uint32(h.cfg.EFConstruction))
	le.PutUint32(hdr[32:], uint32(h.cfg.EFSearch))
	le.PutUint32(hdr[36:], uint32(min(h.cfg.Workers, maxWorkers)))
	le.PutUint64(hdr[40:], uint64(h.cfg.Seed))
	le.PutUint32(hdr[48:], h.entry)
	le.PutUint32(hdr[52:], uint32(h.maxLevel))
	le.PutUint64(hdr[56:], uint64(len(h.upper)))
	gw.write(hdr[:])
	gw.write(h.levels)
	gw.writeU32s(h.level0)
	gw.writeU32s(h.upper)
	var sum [4]byte
	le.PutUint32(sum[:], gw.crc.Sum32())
	gw.write(sum[:])
	return gw.n, gw.err
}

type graphWriter struct {
	w   io.Writer
	crc hash.Hash32
	n   int64
	err error
	buf []byte
}

func (g *graphWriter) write(b []byte) {
	if g.err != nil || len(b) == 0 {
		return
	}
	g.crc.Write(b)
	n, err := g.w.Write(b)
	g.n += int64(n)
	g.err = err
}

func (g *graphWriter) writeU32s(s []uint32) {
	const chunk = 1 << 16
	for len(s) > 0 && g.err == nil {
		c := s[:min(len(s), chunk)]
		s = s[len(c):]
		if littleEndian {
			g.write(u32Bytes(c))
			continue
		}
		g.buf = g.buf[:0]
		for _, v := range c {
			g.buf = binary.LittleEndian.AppendUint32(g.buf, v)
		}
		g.write(g.buf)
	}
}

func u32Bytes(s []uint32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), 4*len(s)) //nolint:gosec // G103: byte view of a []uint32 for bulk I/O; byte order handled by callers
}

// ReadHNSW reads a graph written by WriteGraph and attaches vectors (row-
// major, len n*dim, ownership taken; Cosine rows not already of unit length
// are normalised in place). No distance is computed. Every field is checked
// against dim, metric, len(vectors) and the format's limits, and every link
// against the node count and levels; a corrupt or truncated file yields a
// *GraphError naming the byte offset. ReadHNSW reads exactly the graph's
// bytes from r.
func ReadHNSW(r io.Reader, dim int, metric Metric, vectors []float32) (*HNSW, error) {
	return readHNSW(r, dim, metric, vectors, true)
}

// ReadHNSWUnit is ReadHNSW for rows the caller knows are of unit length
// already (IsNormalized held for these very bytes): it neither reads nor
// writes them, where ReadHNSW reads every Cosine row to normalise it. Rows
// in a file mapping then stay unread until searches touch them, and an
// SQ8 index (WithSQ8) touches only the rows it rescores. Rows that are
// not of unit length give wrong Cosine scores.
func ReadHNSWUnit(r io.Reader, dim int, metric Metric, vectors []float32) (*HNSW, error) {
	return readHNSW(r, dim, metric, vectors, false)
}

func readHNSW(r io.Reader, dim int, metric Metric, vectors []float32, normalize bool) (*HNSW, error) {
	if err := checkInput(dim, metric, vectors); err != nil {
		return nil, err
	}
	n := len(vectors) / dim
	gr := &graphReader{r: r, crc: crc32.New(castagnoli)}
	var hdr [headerSize]byte
	if err := gr.read(hdr[:], "header"); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	u32 := func(off int) uint32 { return le.Uint32(hdr[off:]) }
	bad := func(off int64, format string, args ...any) error {
		return &GraphError{Offset: off, Reason: fmt.Sprintf(format, args...)}
	}
	if string(hdr[0:8]) != graphMagic {
		return nil, bad(0, "bad magic %q, want %q", hdr[0:8], graphMagic)
	}
	if v := u32(8); v != graphVersion {
		return nil, bad(8, "unsupported version %d, want %d", v, graphVersion)
	}
	if v := u32(12); uint64(v) != uint64(dim) {
		return nil, bad(12, "dimension %d, want %d", v, dim)
	}
	if v := u32(16); v != uint32(metric) {
		return nil, bad(16, "metric %v, want %v", Metric(v), metric)
	}
	if v := u32(20); uint64(v) != uint64(n) {
		return nil, bad(20, "%d nodes, but %d vectors were given", v, n)
	}
	cfg := HNSWConfig{
		M:              int(u32(24)),
		EFConstruction: int(u32(28)),
		EFSearch:       int(u32(32)),
		Workers:        int(u32(36)),
		Seed:           int64(le.Uint64(hdr[40:])),
	}
	switch {
	case cfg.M < 2 || cfg.M > maxM:
		return nil, bad(24, "M %d out of range [2, %d]", cfg.M, maxM)
	case cfg.EFConstruction < 1 || cfg.EFConstruction > maxEF:
		return nil, bad(28, "EFConstruction %d out of range [1, %d]", cfg.EFConstruction, maxEF)
	case cfg.EFSearch < 1 || cfg.EFSearch > maxEF:
		return nil, bad(32, "EFSearch %d out of range [1, %d]", cfg.EFSearch, maxEF)
	case cfg.Workers < 1 || cfg.Workers > maxWorkers:
		return nil, bad(36, "Workers %d out of range [1, %d]", cfg.Workers, maxWorkers)
	}
	entry, top := u32(48), u32(52)
	upperSlots := le.Uint64(hdr[56:])
	if n == 0 {
		if entry != 0 {
			return nil, bad(48, "entry %d in an empty graph", entry)
		}
	} else if uint64(entry) >= uint64(n) {
		return nil, bad(48, "entry %d out of range [0, %d)", entry, n)
	}
	if top > maxLevel {
		return nil, bad(52, "max level %d above %d", top, maxLevel)
	}
	if upperSlots > uint64(n)*maxLevel*uint64(cfg.M) || upperSlots >= 1<<32 {
		return nil, bad(56, "%d upper slots impossible for %d nodes", upperSlots, n)
	}

	h := &HNSW{
		space:    space{dim: dim, metric: metric, vectors: vectors},
		n:        n,
		cfg:      cfg,
		m0:       2 * cfg.M,
		m:        cfg.M,
		entry:    entry,
		maxLevel: int(top),
	}

	// Levels.
	levelsOff := gr.off
	h.levels = make([]uint8, n)
	if err := gr.read(h.levels, "node levels"); err != nil {
		return nil, err
	}
	h.upperOff = make([]uint32, n)
	var total uint64
	seenTop := uint8(0)
	for i, l := range h.levels {
		if l > maxLevel {
			return nil, bad(levelsOff+int64(i), "node %d level %d above %d", i, l, maxLevel)
		}
		seenTop = max(seenTop, l)
		h.upperOff[i] = uint32(min(total, 1<<32-1))
		total += uint64(l) * uint64(cfg.M)
	}
	if total != upperSlots {
		return nil, bad(56, "%d upper slots, but the node levels need %d", upperSlots, total)
	}
	if n > 0 && uint32(seenTop) != top {
		return nil, bad(52, "max level %d, but the highest node level is %d", top, seenTop)
	}
	if n > 0 && uint32(h.levels[entry]) != top {
		return nil, bad(48, "entry %d has level %d, not the max level %d", entry, h.levels[entry], top)
	}

	// Level-0 lists.
	level0Off := gr.off
	var err error
	if h.level0, err = gr.readU32s(uint64(n)*uint64(h.m0), "level-0 links"); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		base := i * h.m0
		if j, reason := checkList(h.level0[base:base+h.m0], uint32(i), n, nil, 0); reason != "" {
			return nil, bad(level0Off+4*int64(base+j), "node %d layer 0 slot %d: %s", i, j, reason)
		}
	}

	// Upper lists.
	upperOff := gr.off
	if h.upper, err = gr.readU32s(upperSlots, "upper-layer links"); err != nil {
		return nil, err
	}
	for i, lv := range h.levels {
		for l := 1; l <= int(lv); l++ {
			base := int(h.upperOff[i]) + (l-1)*h.m
			if j, reason := checkList(h.upper[base:base+h.m], uint32(i), n, h.levels, l); reason != "" {
				return nil, bad(upperOff+4*int64(base+j), "node %d layer %d slot %d: %s", i, l, j, reason)
			}
		}
	}

	// Checksum.
	want := gr.crc.Sum32()
	sumOff := gr.off
	var sum [4]byte
	if err := gr.read(sum[:], "checksum"); err != nil {
		return nil, err
	}
	if got := le.Uint32(sum[:]); got != want {
		return nil, bad(sumOff, "checksum %08x, computed %08x", got, want)
	}

	if metric == Cosine && normalize {
		normalizeRows(vectors, dim)
	}
	// Only the links, which ReadHNSW allocated: the rows are the caller's
	// and may be a read-only file mapping (AdviseHugePages says why that
	// is left alone). In the background: MADV_COLLAPSE copies into huge
	// pages, a noticeable part of a second for a large graph. Searches are
	// correct meanwhile; they get faster once it is done. The goroutine
	// only hands the kernel addresses and touches no Go memory.
	go h.adviseLinks()
	return h, nil
}

// checkList validates one neighbour list of node self: ids below n, no
// self link, empty slots only at the end and, on upper layers, neighbours
// that exist on layer l. It returns the bad slot and why.
func checkList(ls []uint32, self uint32, n int, levels []uint8, l int) (int, string) {
	for j, x := range ls {
		if x == none {
			for k := j + 1; k < len(ls); k++ {
				if ls[k] != none {
					return k, "link after an empty slot"
				}
			}
			return 0, ""
		}
		switch {
		case uint64(x) >= uint64(n):
			return j, fmt.Sprintf("link %d out of range [0, %d)", x, n)
		case x == self:
			return j, "link to itself"
		case levels != nil && int(levels[x]) < l:
			return j, fmt.Sprintf("link to node %d whose level %d is below %d", x, levels[x], l)
		}
	}
	return 0, ""
}

type graphReader struct {
	r   io.Reader
	crc hash.Hash32
	off int64
}

func (g *graphReader) read(b []byte, what string) error {
	n, err := io.ReadFull(g.r, b)
	g.crc.Write(b[:n])
	start := g.off
	g.off += int64(n)
	if err != nil {
		return g.readErr(start, n, len(b), what, err)
	}
	return nil
}

func (g *graphReader) readErr(start int64, got, want int, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &GraphError{Offset: start + int64(got), Reason: fmt.Sprintf("truncated in %s (%d of %d bytes from byte %d)", what, got, want, start), Err: io.ErrUnexpectedEOF}
	}
	return &GraphError{Offset: start + int64(got), Reason: fmt.Sprintf("reading %s: %v", what, err), Err: err}
}

// readU32s reads count little-endian uint32s. It grows the slice chunk by
// chunk so a corrupt count in a short file cannot force a huge allocation.
func (g *graphReader) readU32s(count uint64, what string) ([]uint32, error) {
	const chunk = 1 << 20
	out := make([]uint32, 0, min(count, chunk))
	for uint64(len(out)) < count {
		start := len(out)
		c := int(min(count-uint64(start), chunk))
		if cap(out)-start < c {
			grown := make([]uint32, start, min(count, uint64(2*cap(out)+c)))
			copy(grown, out)
			out = grown
		}
		out = out[:start+c]
		b := u32Bytes(out[start:])
		if err := g.read(b, what); err != nil {
			return nil, err
		}
		if !littleEndian {
			for i := range out[start:] {
				out[start+i] = binary.LittleEndian.Uint32(b[4*i:])
			}
		}
	}
	return out, nil
}
