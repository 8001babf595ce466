package kagome

import (
	"bytes"
	"compress/gzip"
	_ "embed" // baseforms.gz
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// The dictionary forms of the IPA dictionary's words, one per word id, in
// the form encodeBaseForms writes: the whole dictionary holds them among
// its feature columns, 63 MB of heap, where this table takes about 6 MB.
// TestBaseForms_MatchTheWholeDictionary checks it against the dictionary
// in use and rewrites it with -update.
//
//go:embed baseforms.gz
var baseFormsGz []byte

// baseForms is the dictionary form of each word id: blob[off[id]:off[id+1]],
// empty when the dictionary has none.
type baseForms struct {
	off  []uint32
	blob string
}

// of returns word id's dictionary form.
func (b *baseForms) of(id int) (string, bool) {
	if id < 0 || id+1 >= len(b.off) {
		return "", false
	}
	s := b.blob[b.off[id]:b.off[id+1]]
	return s, s != ""
}

// maxBaseForm bounds one dictionary form in the table (the longest in the
// IPA dictionary is far shorter).
const maxBaseForm = 1 << 10

// encodeBaseForms writes forms gzipped: their count, then each form's
// length and bytes (uvarints).
func encodeBaseForms(forms []string) ([]byte, error) {
	var raw []byte
	raw = binary.AppendUvarint(raw, uint64(len(forms)))
	for _, f := range forms {
		raw = binary.AppendUvarint(raw, uint64(len(f)))
		raw = append(raw, f...)
	}
	var out bytes.Buffer
	w, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// errBaseForms reports a table that does not decode.
var errBaseForms = errors.New("kagome: dictionary forms table is damaged")

// decodeBaseForms reads what encodeBaseForms wrote, expecting words forms
// (the dictionary's word count): a table made for another dictionary is
// an error, not wrong words.
func decodeBaseForms(gz []byte, words int) (*baseForms, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBaseForms, err)
	}
	// The table is embedded, but it is bounded all the same: at most a
	// form of maxBaseForm bytes per word.
	raw, err := io.ReadAll(io.LimitReader(zr, int64(words+1)*(maxBaseForm+2*binary.MaxVarintLen64)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errBaseForms, err)
	}
	n, k := binary.Uvarint(raw)
	if k <= 0 || n != uint64(words) {
		return nil, fmt.Errorf("%w: %d forms for a dictionary of %d words", errBaseForms, n, words)
	}
	raw = raw[k:]
	if uint64(len(raw)) > math.MaxUint32 { // offsets are uint32
		return nil, errBaseForms
	}
	b := &baseForms{off: make([]uint32, 0, words+1)}
	var blob strings.Builder
	blob.Grow(max(0, len(raw)-words)) // at least a byte of length per form
	for range words {
		l, k := binary.Uvarint(raw)
		if k <= 0 || l > maxBaseForm || uint64(len(raw)-k) < l {
			return nil, errBaseForms
		}
		b.off = append(b.off, uint32(blob.Len()))
		blob.Write(raw[k : k+int(l)])
		raw = raw[k+int(l):]
	}
	if len(raw) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last form", errBaseForms, len(raw))
	}
	b.off = append(b.off, uint32(blob.Len()))
	b.blob = blob.String()
	return b, nil
}
