package minilm

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/nlpodyssey/safetensors"
	"github.com/x448/float16"
)

// The model's shape (config.json); weights.go refuses files of any other.
const (
	VocabSize = 30522
	Dims      = 384 // hidden size, and the vector length
	heads     = 12
	headDim   = Dims / heads
	ffnDims   = 1536
	layers    = 6
	positions = 512
	lnEps     = 1e-12
)

// ErrBadModel is wrapped by errors about an unusable model file.
var ErrBadModel = errors.New("minilm: bad model file")

// linear is a dense layer, y = x W^T + b, with W stored transposed (in
// rows of out) as vek32.MatMul reads it.
type linear struct {
	wT, b   []float32
	in, out int
}

type layer struct {
	q, k, v, o, up, down linear
	ln1g, ln1b           []float32 // after attention
	ln2g, ln2b           []float32 // after the feed-forward block
}

// weights are the model's parameters. The word embeddings stay in the
// file's float16 (23 MB that the OS pages in on use, not heap); the rest
// is converted to float32 once (42 MB).
type weights struct {
	word     []byte    // VocabSize x Dims float16, little-endian
	pos      []float32 // positions x Dims
	typ      []float32 // token type 0
	lng, lnb []float32 // embedding LayerNorm
	layers   [layers]layer
}

// modelConfig is the part of config.json that must match the constants.
type modelConfig struct {
	HiddenAct         string  `json:"hidden_act"`
	HiddenSize        int     `json:"hidden_size"`
	IntermediateSize  int     `json:"intermediate_size"`
	LayerNormEps      float64 `json:"layer_norm_eps"`
	MaxPositions      int     `json:"max_position_embeddings"`
	NumHeads          int     `json:"num_attention_heads"`
	NumLayers         int     `json:"num_hidden_layers"`
	PositionEmbedding string  `json:"position_embedding_type"`
	VocabSize         int     `json:"vocab_size"`
	ModelType         string  `json:"model_type"`
	TypeVocabSize     int     `json:"type_vocab_size"`
}

func checkConfig(b []byte) error {
	var c modelConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("minilm: config.json: %w: %w", err, ErrBadModel)
	}
	want := modelConfig{HiddenAct: "gelu", HiddenSize: Dims, IntermediateSize: ffnDims, LayerNormEps: lnEps,
		MaxPositions: positions, NumHeads: heads, NumLayers: layers, PositionEmbedding: "absolute",
		VocabSize: VocabSize, ModelType: "bert", TypeVocabSize: 2}
	if c != want {
		return fmt.Errorf("minilm: config.json describes %+v, this code runs %+v: %w", c, want, ErrBadModel)
	}
	return nil
}

// parseWeights reads the safetensors file (BertModel names, float16). The
// error wraps ErrBadModel; b must outlive the weights (word aliases it).
func parseWeights(b []byte) (*weights, error) {
	st, err := safetensors.Deserialize(b)
	if err != nil {
		return nil, fmt.Errorf("minilm: safetensors: %w: %w", err, ErrBadModel)
	}
	var firstErr error
	raw := func(name string, shape ...uint64) []byte {
		tv, ok := st.Tensor(name)
		switch {
		case firstErr != nil:
			return nil
		case !ok:
			firstErr = fmt.Errorf("minilm: safetensors: no tensor %s: %w", name, ErrBadModel)
		case tv.DType() != safetensors.F16 || !slices.Equal(tv.Shape(), shape):
			firstErr = fmt.Errorf("minilm: safetensors: %s is %v %v, want F16 %v: %w", name, tv.DType(), tv.Shape(), shape, ErrBadModel)
		default:
			return tv.Data()
		}
		return nil
	}
	f32 := func(name string, shape ...uint64) []float32 { return halfToFloat(raw(name, shape...)) }
	lin := func(name string, out, in int) linear {
		w := f32(name+".weight", uint64(out), uint64(in))
		l := linear{wT: make([]float32, len(w)), b: f32(name+".bias", uint64(out)), in: in, out: out}
		if len(w) == in*out {
			for o := range out {
				for i := range in {
					l.wT[i*out+o] = w[o*in+i]
				}
			}
		}
		return l
	}
	w := &weights{
		word: raw("embeddings.word_embeddings.weight", VocabSize, Dims),
		pos:  f32("embeddings.position_embeddings.weight", positions, Dims),
		typ:  f32("embeddings.token_type_embeddings.weight", 2, Dims),
		lng:  f32("embeddings.LayerNorm.weight", Dims),
		lnb:  f32("embeddings.LayerNorm.bias", Dims),
	}
	for i := range w.layers {
		p := fmt.Sprintf("encoder.layer.%d.", i)
		w.layers[i] = layer{
			q:    lin(p+"attention.self.query", Dims, Dims),
			k:    lin(p+"attention.self.key", Dims, Dims),
			v:    lin(p+"attention.self.value", Dims, Dims),
			o:    lin(p+"attention.output.dense", Dims, Dims),
			up:   lin(p+"intermediate.dense", ffnDims, Dims),
			down: lin(p+"output.dense", Dims, ffnDims),
			ln1g: f32(p+"attention.output.LayerNorm.weight", Dims),
			ln1b: f32(p+"attention.output.LayerNorm.bias", Dims),
			ln2g: f32(p+"output.LayerNorm.weight", Dims),
			ln2b: f32(p+"output.LayerNorm.bias", Dims),
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	w.typ = w.typ[:Dims]
	return w, nil
}

// halfToFloat converts little-endian float16 values.
func halfToFloat(b []byte) []float32 {
	out := make([]float32, len(b)/2)
	for i := range out {
		out[i] = float16.Frombits(binary.LittleEndian.Uint16(b[2*i:])).Float32()
	}
	return out
}

// wordRow writes the embedding of token id into dst.
func (w *weights) wordRow(id int, dst []float32) {
	row := w.word[id*Dims*2 : (id+1)*Dims*2]
	for i := range dst {
		dst[i] = float16.Frombits(binary.LittleEndian.Uint16(row[2*i:])).Float32()
	}
}
