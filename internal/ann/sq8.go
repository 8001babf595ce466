package ann

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// SQ8 is an 8-bit scalar quantizer with a range per dimension, as FAISS's
// ScalarQuantizer QT_8bit with RS_minmax: component d of a vector is stored
// as the byte round((x - Min[d]) / Scale[d]), clamped to 0..255, and read
// back as Min[d] + code*Scale[d], Scale[d] = (max - min) / 255 over the
// training vectors. The error per component is at most Scale[d]/2 for
// values inside the trained range. A vector takes dim bytes instead of
// 4*dim.
type SQ8 struct {
	Min   []float32
	Scale []float32
}

// TrainSQ8 returns the quantizer for the rows of vectors (row-major, len a
// multiple of dim): each dimension's range is the rows' minimum and
// maximum. A dimension with one value everywhere gets Scale 0 and decodes
// exactly. Non-finite components are an error.
func TrainSQ8(vectors []float32, dim int) (*SQ8, error) {
	if dim <= 0 || len(vectors)%dim != 0 {
		return nil, fmt.Errorf("%w: %d floats are not rows of %d", ErrDimension, len(vectors), dim)
	}
	lo := make([]float32, dim)
	hi := make([]float32, dim)
	for d := range lo {
		lo[d], hi[d] = inf32, -inf32
	}
	if len(vectors) == 0 {
		clear(lo)
		clear(hi)
	}
	for off := 0; off < len(vectors); off += dim {
		for d, x := range vectors[off : off+dim] {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("ann: sq8: row %d is not finite", off/dim)
			}
			lo[d] = min(lo[d], x)
			hi[d] = max(hi[d], x)
		}
	}
	q := &SQ8{Min: lo, Scale: make([]float32, dim)}
	for d := range lo {
		q.Scale[d] = float32((float64(hi[d]) - float64(lo[d])) / 255)
	}
	return q, nil
}

// Dim returns the vector dimension.
func (q *SQ8) Dim() int { return len(q.Min) }

// Encode writes the codes of the rows of vectors into codes, which must
// hold len(vectors) bytes. Values outside the trained range are clamped.
func (q *SQ8) Encode(vectors []float32, codes []uint8) {
	dim := len(q.Min)
	for off := 0; off+dim <= len(vectors); off += dim {
		row, out := vectors[off:off+dim], codes[off:off+dim]
		for d, x := range row {
			out[d] = q.encode1(d, x)
		}
	}
}

func (q *SQ8) encode1(d int, x float32) uint8 {
	s := q.Scale[d]
	if s == 0 {
		return 0
	}
	v := math.Round(float64(x-q.Min[d]) / float64(s))
	switch {
	case v <= 0 || math.IsNaN(v):
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v)
}

// Decode writes the approximate vectors of codes into out (same length).
func (q *SQ8) Decode(codes []uint8, out []float32) {
	dim := len(q.Min)
	for off := 0; off+dim <= len(codes); off += dim {
		for d, c := range codes[off : off+dim] {
			out[off+d] = q.Min[d] + float32(c)*q.Scale[d]
		}
	}
}

// The SQ8 file layout, little-endian: magic "ANNSQ8\x00\x01", uint32 dim,
// uint64 rows, dim float32 Min, dim float32 Scale, rows*dim code bytes,
// then a CRC-32C of everything before it.
const (
	sq8Magic      = "ANNSQ8\x00\x01"
	sq8HeaderSize = 8 + 4 + 8
	maxSQ8Dim     = 1 << 16
)

// WriteSQ8 writes q and the codes of its rows (len a multiple of q.Dim()) to
// w, in the layout ReadSQ8 reads, and returns the bytes written.
func WriteSQ8(w io.Writer, q *SQ8, codes []uint8) (int64, error) {
	dim := q.Dim()
	if dim == 0 || len(codes)%dim != 0 || len(q.Scale) != dim {
		return 0, fmt.Errorf("%w: sq8: %d code bytes for dimension %d", ErrDimension, len(codes), dim)
	}
	crc := crc32.New(castagnoli)
	mw := io.MultiWriter(w, crc)
	hdr := make([]byte, sq8HeaderSize, sq8HeaderSize+8*dim)
	copy(hdr, sq8Magic)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(dim))
	binary.LittleEndian.PutUint64(hdr[12:], uint64(len(codes)/dim))
	for _, v := range q.Min {
		hdr = binary.LittleEndian.AppendUint32(hdr, math.Float32bits(v))
	}
	for _, v := range q.Scale {
		hdr = binary.LittleEndian.AppendUint32(hdr, math.Float32bits(v))
	}
	var n int64
	for _, b := range [][]byte{hdr, codes} {
		k, err := mw.Write(b)
		n += int64(k)
		if err != nil {
			return n, fmt.Errorf("ann: write sq8: %w", err)
		}
	}
	k, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
	n += int64(k)
	if err != nil {
		return n, fmt.Errorf("ann: write sq8: %w", err)
	}
	return n, nil
}

// ErrSQ8 reports an SQ8 file that is truncated, corrupt or not for the
// expected shape.
var ErrSQ8 = errors.New("ann: bad sq8 data")

// ReadSQ8 reads what WriteSQ8 wrote, for rows vectors of dimension dim
// (rows < 0: any count, up to maxRows). It checks the magic, the shape,
// that every Min and Scale is finite and every Scale non-negative, and the
// checksum; it allocates the codes only after the header proved the shape,
// so a hostile header cannot make it allocate more than rows*dim bytes
// (with rows < 0, more than the input holds plus 1 MiB).
// Errors wrap ErrSQ8. It never panics on bad input (FuzzReadSQ8).
func ReadSQ8(r io.Reader, dim, rows int) (*SQ8, []uint8, error) {
	if dim <= 0 || dim > maxSQ8Dim {
		return nil, nil, fmt.Errorf("%w: dimension %d out of range [1, %d]", ErrSQ8, dim, maxSQ8Dim)
	}
	crc := crc32.New(castagnoli)
	tr := io.TeeReader(r, crc)
	hdr := make([]byte, sq8HeaderSize)
	if _, err := io.ReadFull(tr, hdr); err != nil {
		return nil, nil, fmt.Errorf("%w: header: %w", ErrSQ8, err)
	}
	if string(hdr[:8]) != sq8Magic {
		return nil, nil, fmt.Errorf("%w: bad magic %q", ErrSQ8, hdr[:8])
	}
	if d := binary.LittleEndian.Uint32(hdr[8:]); uint64(d) != uint64(dim) {
		return nil, nil, fmt.Errorf("%w: dimension %d, want %d", ErrSQ8, d, dim)
	}
	n := binary.LittleEndian.Uint64(hdr[12:])
	if rows >= 0 && n != uint64(rows) {
		return nil, nil, fmt.Errorf("%w: %d rows, want %d", ErrSQ8, n, rows)
	}
	if n > maxNodes || n*uint64(dim) > math.MaxInt32*uint64(64) {
		return nil, nil, fmt.Errorf("%w: %d rows of %d is too large", ErrSQ8, n, dim)
	}
	params := make([]byte, 8*dim)
	if _, err := io.ReadFull(tr, params); err != nil {
		return nil, nil, fmt.Errorf("%w: ranges: %w", ErrSQ8, err)
	}
	q := &SQ8{Min: make([]float32, dim), Scale: make([]float32, dim)}
	for d := range dim {
		q.Min[d] = math.Float32frombits(binary.LittleEndian.Uint32(params[4*d:]))
		q.Scale[d] = math.Float32frombits(binary.LittleEndian.Uint32(params[4*(dim+d):]))
		mn, sc := float64(q.Min[d]), float64(q.Scale[d])
		if math.IsNaN(mn) || math.IsInf(mn, 0) || math.IsNaN(sc) || math.IsInf(sc, 0) || sc < 0 ||
			math.IsInf(mn+255*sc, 0) {
			return nil, nil, fmt.Errorf("%w: dimension %d: range min %v scale %v is not finite and non-negative", ErrSQ8, d, mn, sc)
		}
	}
	total := int(n) * dim
	var codes []uint8
	if rows >= 0 {
		// The caller vouched for the count (a store checks the file's size
		// against its manifest first): one allocation, no growth, so no
		// garbage of twice the codes' size at load.
		codes = make([]uint8, total)
		if k, err := io.ReadFull(tr, codes); err != nil {
			return nil, nil, fmt.Errorf("%w: codes: %d of %d bytes: %w", ErrSQ8, k, total, err)
		}
	} else {
		// Read the codes in bounded chunks so a header that overstates
		// the count fails at the end of the input, not with a huge
		// allocation.
		codes = make([]uint8, 0, min(total, 1<<20))
		buf := make([]byte, 1<<16)
		for len(codes) < total {
			k, err := io.ReadFull(tr, buf[:min(len(buf), total-len(codes))])
			codes = append(codes, buf[:k]...)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: codes: %d of %d bytes: %w", ErrSQ8, len(codes), total, err)
			}
		}
	}
	want := crc.Sum32()
	var tail [4]byte
	if _, err := io.ReadFull(r, tail[:]); err != nil {
		return nil, nil, fmt.Errorf("%w: checksum: %w", ErrSQ8, err)
	}
	if got := binary.LittleEndian.Uint32(tail[:]); got != want {
		return nil, nil, fmt.Errorf("%w: checksum %08x, computed %08x", ErrSQ8, got, want)
	}
	return q, codes, nil
}
