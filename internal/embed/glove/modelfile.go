package glove

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// ErrBadModel marks a model file that cannot be used: wrong magic, a
// malformed header, or sections that do not match the header.
var ErrBadModel = errors.New("glove: bad model file")

// The file layout, written by WriteModel and read by parseModel:
//
//	magic "GLOVEQ8\x01", uint32 header length, JSON header
//	per word: uint32 rank, uint8 byte length, UTF-8 bytes
//	per word: float32 scale
//	per word: Dims int8 codes; the word's unit vector is codes × scale
//
// All integers and floats are little-endian. Words are in rank order
// (GloVe's own order, most frequent first).
const (
	fileMagic = "GLOVEQ8\x01"

	// Bounds a file must stay within; they keep a corrupt or hostile file
	// from asking for unbounded memory.
	maxHeader = 1 << 16
	maxWords  = 1 << 20
	maxDims   = 1024
)

// Header is the model file's JSON header: what the vectors are and where
// they came from.
type Header struct {
	// Source names the package the vectors were converted from, with its
	// version and the sha256 of the file read.
	Source struct {
		Package string `json:"package"`
		Version string `json:"version"`
		File    string `json:"file"`
		SHA256  string `json:"sha256"`
	} `json:"source"`
	Dims  int `json:"dims"`
	Words int `json:"words"`
	// MaxRank is one more than the highest frequency rank kept: every
	// word's rank is below it. The SIF weights are computed from it.
	MaxRank int `json:"max_rank"`
}

// Entry is one word of a model: its GloVe frequency rank (0 = most
// frequent) and its unit vector, before quantisation.
type Entry struct {
	Word   string
	Rank   int
	Vector []float32
}

// model is a parsed model file.
type model struct {
	header Header
	words  []string
	ranks  []uint32
	scales []float32
	// codes are the int8 components, row by row, as bytes of the file:
	// a slice of the caller's string, not a copy, so the embedded model's
	// 14.5 MB of codes stay in the binary's read-only data and only the
	// pages of words in use are read in.
	codes string
}

// WriteModel writes h and entries (in rank order, each Vector of h.Dims
// unit length) in the model file format, quantising each vector to int8
// with its own scale (its largest absolute component / 127). h.Words is
// set from entries.
func WriteModel(w io.Writer, h Header, entries []Entry) error {
	h.Words = len(entries)
	hdr, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(fileMagic)
	buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(hdr))))
	buf.Write(hdr)
	for _, e := range entries {
		if len(e.Word) == 0 || len(e.Word) > math.MaxUint8 || len(e.Vector) != h.Dims || e.Rank < 0 || e.Rank >= h.MaxRank {
			return fmt.Errorf("glove: write model: entry %q (rank %d, %d dims) out of range", e.Word, e.Rank, len(e.Vector))
		}
		buf.Write(binary.LittleEndian.AppendUint32(nil, uint32(e.Rank)))
		buf.WriteByte(byte(len(e.Word)))
		buf.WriteString(e.Word)
	}
	codes := make([]byte, 0, len(entries)*h.Dims)
	for _, e := range entries {
		var mx float64
		for _, x := range e.Vector {
			mx = max(mx, math.Abs(float64(x)))
		}
		scale := float32(mx / 127)
		buf.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(scale)))
		for _, x := range e.Vector {
			var c int8
			if scale > 0 {
				c = int8(math.Round(float64(x / scale)))
			}
			codes = append(codes, byte(c))
		}
	}
	buf.Write(codes)
	_, err = w.Write(buf.Bytes())
	return err
}

// parseModel reads the format WriteModel writes. Every count and length
// is checked against the bytes present before anything is allocated.
func parseModel(b string) (*model, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("glove: parse model: "+format+": %w", append(args, ErrBadModel)...)
	}
	if len(b) < len(fileMagic)+4 || b[:len(fileMagic)] != fileMagic {
		return nil, bad("no %q magic", fileMagic)
	}
	off := len(fileMagic)
	hlen := int(binary.LittleEndian.Uint32([]byte(b[off : off+4])))
	off += 4
	if hlen <= 0 || hlen > maxHeader || hlen > len(b)-off {
		return nil, bad("header length %d out of range", hlen)
	}
	var h Header
	if err := json.Unmarshal([]byte(b[off:off+hlen]), &h); err != nil {
		return nil, bad("header: %v", err)
	}
	off += hlen
	if h.Dims <= 0 || h.Dims > maxDims || h.Words <= 0 || h.Words > maxWords || h.MaxRank < h.Words || h.MaxRank > math.MaxInt32 {
		return nil, bad("header says %d words of %d dims, max rank %d", h.Words, h.Dims, h.MaxRank)
	}
	// Each word takes at least 6 bytes (rank, length, one byte), a scale
	// and its codes: check the total before allocating for h.Words.
	if need := h.Words * (6 + 4 + h.Dims); need > len(b)-off {
		return nil, bad("%d words of %d dims need at least %d bytes, have %d", h.Words, h.Dims, need, len(b)-off)
	}
	m := &model{header: h, words: make([]string, h.Words), ranks: make([]uint32, h.Words)}
	prev := -1
	for i := range h.Words {
		if len(b)-off < 5 {
			return nil, bad("word %d truncated", i)
		}
		rank := int(binary.LittleEndian.Uint32([]byte(b[off : off+4])))
		n := int(b[off+4])
		off += 5
		if n == 0 || n > len(b)-off {
			return nil, bad("word %d has length %d", i, n)
		}
		if rank <= prev || rank >= h.MaxRank {
			return nil, bad("word %d has rank %d after %d (max %d)", i, rank, prev, h.MaxRank)
		}
		w := b[off : off+n]
		if !utf8.ValidString(w) {
			return nil, bad("word %d is not UTF-8", i)
		}
		m.words[i], m.ranks[i] = w, uint32(rank)
		prev = rank
		off += n
	}
	if want := h.Words * (4 + h.Dims); len(b)-off != want {
		return nil, bad("scales and codes take %d bytes, want %d", len(b)-off, want)
	}
	m.scales = make([]float32, h.Words)
	for i := range m.scales {
		s := math.Float32frombits(binary.LittleEndian.Uint32([]byte(b[off : off+4])))
		if !(s >= 0) || math.IsInf(float64(s), 0) {
			return nil, bad("word %d has scale %v", i, s)
		}
		m.scales[i] = s
		off += 4
	}
	m.codes = b[off:]
	return m, nil
}
