// Package texmex reads and writes the TEXMEX vector formats used by the
// public ANN benchmarks (SIFT1M, GIST1M, ...): .fvecs holds float32 vectors
// and .ivecs int32 vectors (e.g. ground-truth neighbour ids). Each vector is
// stored as a little-endian int32 dimension d followed by d little-endian
// 4-byte values; every vector in a file has the same d.
package texmex

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// MaxDim bounds the dimension a reader accepts, so a corrupt header cannot
// request a huge row.
const MaxDim = 1 << 16

// ReadFvecs reads every vector in an .fvecs stream and returns them
// row-major with their dimension. An empty stream yields no vectors and
// dimension 0. A bad dimension, a dimension that changes between rows or a
// truncated row is an error naming the byte offset.
func ReadFvecs(r io.Reader) ([]float32, int, error) {
	var out []float32
	dim, err := readVecs(r, func(row []byte) {
		for i := 0; i < len(row); i += 4 {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(row[i:])))
		}
	})
	return out, dim, err
}

// ReadIvecs reads every vector in an .ivecs stream; see ReadFvecs.
func ReadIvecs(r io.Reader) ([]int32, int, error) {
	var out []int32
	dim, err := readVecs(r, func(row []byte) {
		for i := 0; i < len(row); i += 4 {
			out = append(out, int32(binary.LittleEndian.Uint32(row[i:])))
		}
	})
	return out, dim, err
}

func readVecs(r io.Reader, emit func(row []byte)) (int, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	var hdr [4]byte
	var row []byte
	dim := 0
	var off int64
	for idx := 0; ; idx++ {
		n, err := io.ReadFull(br, hdr[:])
		if errors.Is(err, io.EOF) {
			return dim, nil
		}
		if err != nil {
			return dim, readErr(off+int64(n), idx, "dimension", err)
		}
		d := int32(binary.LittleEndian.Uint32(hdr[:]))
		if d <= 0 || d > MaxDim {
			return dim, fmt.Errorf("texmex: at byte %d: vector %d has dimension %d, want 1..%d", off, idx, d, MaxDim)
		}
		if dim == 0 {
			dim = int(d)
			row = make([]byte, 4*dim)
		} else if int(d) != dim {
			return dim, fmt.Errorf("texmex: at byte %d: vector %d has dimension %d, earlier vectors %d", off, idx, d, dim)
		}
		off += 4
		n, err = io.ReadFull(br, row)
		if err != nil {
			return dim, readErr(off+int64(n), idx, "values", err)
		}
		off += int64(n)
		emit(row)
	}
}

func readErr(off int64, idx int, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("texmex: at byte %d: vector %d truncated in its %s: %w", off, idx, what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("texmex: at byte %d: vector %d: %w", off, idx, err)
}

// WriteFvecs writes data (row-major, len a multiple of dim) as .fvecs.
func WriteFvecs(w io.Writer, data []float32, dim int) error {
	return writeVecs(w, len(data), dim, func(buf []byte, i int) {
		binary.LittleEndian.PutUint32(buf, math.Float32bits(data[i]))
	})
}

// WriteIvecs writes data (row-major, len a multiple of dim) as .ivecs.
func WriteIvecs(w io.Writer, data []int32, dim int) error {
	return writeVecs(w, len(data), dim, func(buf []byte, i int) {
		binary.LittleEndian.PutUint32(buf, uint32(data[i]))
	})
}

func writeVecs(w io.Writer, n, dim int, put func(buf []byte, i int)) error {
	if dim <= 0 || dim > MaxDim || n%dim != 0 {
		return fmt.Errorf("texmex: %d values are not whole vectors of dimension %d (1..%d)", n, dim, MaxDim)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var b [4]byte
	for i := 0; i < n; i++ {
		if i%dim == 0 {
			binary.LittleEndian.PutUint32(b[:], uint32(dim))
			if _, err := bw.Write(b[:]); err != nil {
				return err
			}
		}
		put(b[:], i)
		if _, err := bw.Write(b[:]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ReadFvecsFile reads an .fvecs file.
func ReadFvecsFile(path string) ([]float32, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	v, d, err := ReadFvecs(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, d, nil
}

// ReadIvecsFile reads an .ivecs file.
func ReadIvecsFile(path string) ([]int32, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	v, d, err := ReadIvecs(f)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return v, d, nil
}

// WriteFvecsFile writes an .fvecs file.
func WriteFvecsFile(path string, data []float32, dim int) error {
	return writeFile(path, func(w io.Writer) error { return WriteFvecs(w, data, dim) })
}

// WriteIvecsFile writes an .ivecs file.
func WriteIvecsFile(path string, data []int32, dim int) error {
	return writeFile(path, func(w io.Writer) error { return WriteIvecs(w, data, dim) })
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
