package uselite

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ErrBadModel marks a model file that cannot be used: wrong magic, a
// malformed header, a missing tensor or a tensor of the wrong shape.
var ErrBadModel = errors.New("uselite: bad model file")

const (
	fileMagic    = "USELITE1"
	fileAlign    = 64
	formatNumber = 1
)

// fileHeader is the JSON header written by scripts/uselite/convert.mjs.
type fileHeader struct {
	Format int `json:"format"`
	Source struct {
		Package string            `json:"package"`
		Version string            `json:"version"`
		Files   map[string]string `json:"files"`
	} `json:"source"`
	Tensors []tensorEntry `json:"tensors"`
	// Vocab holds [piece, score] pairs in id order.
	Vocab [][2]any `json:"vocab"`
}

type tensorEntry struct {
	Name   string `json:"name"`
	DType  string `json:"dtype"`
	Shape  []int  `json:"shape"`
	Offset int    `json:"offset"`
}

// modelFile is a parsed model file: its header and raw tensor bytes. data
// aliases the caller's string; nothing is copied until a tensor is read.
type modelFile struct {
	header  fileHeader
	tensors map[string]tensorEntry
	data    string
}

// parseModelFile parses the container format of convert.mjs.
func parseModelFile(b string) (*modelFile, error) {
	if len(b) < 12 || b[:8] != fileMagic {
		return nil, fmt.Errorf("uselite: parse model: no %q magic: %w", fileMagic, ErrBadModel)
	}
	hlen := int(binary.LittleEndian.Uint32([]byte(b[8:12])))
	if hlen <= 0 || 12+hlen > len(b) {
		return nil, fmt.Errorf("uselite: parse model: header length %d out of range: %w", hlen, ErrBadModel)
	}
	var h fileHeader
	if err := json.Unmarshal([]byte(b[12:12+hlen]), &h); err != nil {
		return nil, fmt.Errorf("uselite: parse model header: %w: %w", err, ErrBadModel)
	}
	if h.Format != formatNumber {
		return nil, fmt.Errorf("uselite: parse model: format %d, want %d: %w", h.Format, formatNumber, ErrBadModel)
	}
	start := (12 + hlen + fileAlign - 1) / fileAlign * fileAlign
	if start > len(b) {
		return nil, fmt.Errorf("uselite: parse model: data section missing: %w", ErrBadModel)
	}
	m := &modelFile{header: h, tensors: make(map[string]tensorEntry, len(h.Tensors)), data: b[start:]}
	for _, t := range h.Tensors {
		if t.DType != "float32" && t.DType != "int32" {
			return nil, fmt.Errorf("uselite: parse model: tensor %s has dtype %s: %w", t.Name, t.DType, ErrBadModel)
		}
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("uselite: parse model: tensor %s has shape %v: %w", t.Name, t.Shape, ErrBadModel)
			}
			n *= d
		}
		if t.Offset < 0 || t.Offset+4*n > len(m.data) {
			return nil, fmt.Errorf("uselite: parse model: tensor %s runs past the file: %w", t.Name, ErrBadModel)
		}
		m.tensors[t.Name] = t
	}
	return m, nil
}

// lookup returns the named tensor's entry after checking dtype and shape.
func (m *modelFile) lookup(name, dtype string, shape ...int) (tensorEntry, error) {
	t, ok := m.tensors[name]
	if !ok {
		return t, fmt.Errorf("uselite: tensor %s missing: %w", name, ErrBadModel)
	}
	if t.DType != dtype || !equalShape(t.Shape, shape) {
		return t, fmt.Errorf("uselite: tensor %s is %s%v, want %s%v: %w", name, t.DType, t.Shape, dtype, shape, ErrBadModel)
	}
	return t, nil
}

// float32s returns a copy of the named float32 tensor.
func (m *modelFile) float32s(name string, shape ...int) ([]float32, error) {
	t, err := m.lookup(name, "float32", shape...)
	if err != nil {
		return nil, err
	}
	out := make([]float32, numel(shape))
	for i := range out {
		out[i] = math.Float32frombits(m.u32(t.Offset + 4*i))
	}
	return out, nil
}

// float32sTransposed returns the named [rows, cols] float32 tensor (with
// optional leading 1-sized dimensions) transposed to [cols, rows].
func (m *modelFile) float32sTransposed(name string, shape ...int) ([]float32, error) {
	t, err := m.lookup(name, "float32", shape...)
	if err != nil {
		return nil, err
	}
	rows, cols := shape[len(shape)-2], shape[len(shape)-1]
	out := make([]float32, rows*cols)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			out[c*rows+r] = math.Float32frombits(m.u32(t.Offset + 4*(r*cols+c)))
		}
	}
	return out, nil
}

// scalarF32 returns the value of a float32 scalar tensor.
func (m *modelFile) scalarF32(name string) (float32, error) {
	t, err := m.lookup(name, "float32")
	if err != nil {
		return 0, err
	}
	return math.Float32frombits(m.u32(t.Offset)), nil
}

// int32s returns the values of an int32 tensor.
func (m *modelFile) int32s(name string, shape ...int) ([]int32, error) {
	t, err := m.lookup(name, "int32", shape...)
	if err != nil {
		return nil, err
	}
	out := make([]int32, numel(shape))
	for i := range out {
		out[i] = int32(m.u32(t.Offset + 4*i))
	}
	return out, nil
}

func (m *modelFile) u32(off int) uint32 {
	d := m.data[off : off+4]
	return uint32(d[0]) | uint32(d[1])<<8 | uint32(d[2])<<16 | uint32(d[3])<<24
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
