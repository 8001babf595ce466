package uselite

import (
	"fmt"
	"math"
)

// Model dimensions, as read from the graph (model.json) and checked
// against the weights at load.
const (
	// Dims is the length of every output vector.
	Dims = 512
	// MaxTokens is the number of leading token ids the model reads: the
	// graph's ClipToMaxLength keeps positions < 128 and drops the rest.
	MaxTokens = 128

	vocabRows = 8002 // rows of the token embedding table
	embDim    = 256  // token embedding width (layer 0 input)
	hidden    = 512  // transformer width after layer 0
	ffnDim    = 1536 // feed-forward inner width
	numHeads  = 4
	timeScale = 128 // sin/cos timing-signal frequencies (half of embDim)
	lnEpsName = "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x"
	l2EpsName = "module_apply_default/Encoder_en/hidden_layers/l2_normalize/Maximum/y"
	maskBias  = "module_apply_default/Encoder_en/KonaTransformer/Encode/TransformerStack/Layer_1/TransformerLayer/MultiheadAttention/DotProductAttention/attention_bias_ignore_padding/mul/y"
	clipName  = "module_apply_default/Encoder_en/KonaTransformer/ClipToMaxLength/Less/y"
	prefixAp  = "module_apply_default/Encoder_en/KonaTransformer/Encode/"
	prefixMod = "module/Encoder_en/KonaTransformer/Encode/"
)

// layerNorm holds a layer norm's scale and bias.
type layerNorm struct{ scale, bias []float32 }

// dense is an affine map y = x·W + b with W stored transposed, [out][in],
// so each output is one contiguous dot product.
type dense struct {
	wt      []float32 // [out*in], row j is column j of the graph's W
	b       []float32 // [out]
	in, out int
}

// transformerLayer is one KonaTransformer layer.
type transformerLayer struct {
	in, width  int
	attnNorm   layerNorm
	residual   *dense // layer 0 only: projects the 256-wide input to 512
	qkv        dense  // [in] -> [3*width]
	attnOut    dense  // [width] -> [hidden]
	qScale     float32
	ffnNorm    layerNorm
	ffn1, ffn2 dense
}

// graph holds every weight the forward pass reads. It is immutable after
// loadGraph and shared by concurrent Embed calls.
type graph struct {
	emb        []float32 // [vocabRows*embDim]
	invTime    []float32 // [timeScale] timing-signal inverse timescales
	layers     [2]transformerLayer
	tanh       dense
	lnEps      float32
	l2Eps      float32
	noTokenVec []float32 // output for a text with no tokens
}

func loadDense(m *modelFile, wName, bName string, in, out int, conv bool) (dense, error) {
	var (
		wt  []float32
		err error
	)
	if conv {
		wt, err = m.float32sTransposed(wName, 1, 1, in, out)
	} else {
		wt, err = m.float32sTransposed(wName, in, out)
	}
	if err != nil {
		return dense{}, err
	}
	b, err := m.float32s(bName, out)
	if err != nil {
		return dense{}, err
	}
	return dense{wt: wt, b: b, in: in, out: out}, nil
}

func loadNorm(m *modelFile, prefix string, n int) (layerNorm, error) {
	s, err := m.float32s(prefix+"layer_norm/layer_norm_scale/ConcatPartitions/concat", n)
	if err != nil {
		return layerNorm{}, err
	}
	b, err := m.float32s(prefix+"layer_norm/layer_norm_bias/ConcatPartitions/concat", n)
	if err != nil {
		return layerNorm{}, err
	}
	return layerNorm{scale: s, bias: b}, nil
}

// loadGraph reads and checks every tensor of the graph.
func loadGraph(m *modelFile) (*graph, error) {
	g := &graph{}
	var err error
	if g.emb, err = m.float32s("module/Embeddings_en", vocabRows, embDim); err != nil {
		return nil, err
	}
	if g.invTime, err = m.float32s(prefixAp+"TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1", 1, timeScale); err != nil {
		return nil, err
	}
	if g.lnEps, err = m.scalarF32(lnEpsName); err != nil {
		return nil, err
	}
	if g.l2Eps, err = m.scalarF32(l2EpsName); err != nil {
		return nil, err
	}
	// Constants the forward pass relies on but does not read at run time.
	if bias, err := m.scalarF32(maskBias); err != nil {
		return nil, err
	} else if bias != -1e9 {
		return nil, fmt.Errorf("uselite: padding bias is %g, want -1e9: %w", bias, ErrBadModel)
	}
	if clip, err := m.int32s(clipName); err != nil {
		return nil, err
	} else if clip[0] != MaxTokens {
		return nil, fmt.Errorf("uselite: clip length is %d, want %d: %w", clip[0], MaxTokens, ErrBadModel)
	}
	for i := range g.layers {
		in, width := hidden, hidden
		if i == 0 {
			in, width = embDim, embDim
		}
		l := &g.layers[i]
		l.in, l.width = in, width
		lp := fmt.Sprintf("%sLayer_%d/TransformerLayer/", prefixAp, i)
		mp := fmt.Sprintf("%sLayer_%d/TransformerLayer/", prefixMod, i)
		sp := fmt.Sprintf("%sTransformerStack/Layer_%d/TransformerLayer/", prefixAp, i)
		if l.attnNorm, err = loadNorm(m, lp+"layer_prepostprocess/", in); err != nil {
			return nil, err
		}
		if i == 0 {
			d, err := loadDense(m, lp+"dense/kernel/ConcatPartitions/concat", lp+"dense/bias/ConcatPartitions/concat", embDim, hidden, false)
			if err != nil {
				return nil, err
			}
			l.residual = &d
		}
		if l.qkv, err = loadDense(m, mp+"MultiheadAttention/qkv_transform_single/kernel/part_0",
			lp+"MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat", in, 3*width, true); err != nil {
			return nil, err
		}
		split, err := m.int32s(sp+"MultiheadAttention/Const", 3)
		if err != nil {
			return nil, err
		}
		for _, s := range split {
			if int(s) != width {
				return nil, fmt.Errorf("uselite: layer %d q/k/v split %v, want %d each: %w", i, split, width, ErrBadModel)
			}
		}
		if l.qScale, err = m.scalarF32(sp + "MultiheadAttention/mul/y"); err != nil {
			return nil, err
		}
		if want := float32(1 / math.Sqrt(float64(width/numHeads))); l.qScale != want {
			return nil, fmt.Errorf("uselite: layer %d query scale %g, want %g: %w", i, l.qScale, want, ErrBadModel)
		}
		if l.attnOut, err = loadDense(m, mp+"MultiheadAttention/output_transform_single/kernel/part_0",
			lp+"MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat", width, hidden, true); err != nil {
			return nil, err
		}
		if l.ffnNorm, err = loadNorm(m, lp+"FFN/layer_prepostprocess/", hidden); err != nil {
			return nil, err
		}
		if l.ffn1, err = loadDense(m, sp+"FFN/conv1/Tensordot/Reshape_1", lp+"FFN/conv1/bias/ConcatPartitions/concat", hidden, ffnDim, false); err != nil {
			return nil, err
		}
		if l.ffn2, err = loadDense(m, sp+"FFN/conv2/Tensordot/Reshape_1", lp+"FFN/conv2/bias/ConcatPartitions/concat", ffnDim, hidden, false); err != nil {
			return nil, err
		}
	}
	if g.tanh, err = loadDense(m, "module/Encoder_en/hidden_layers/tanh_layer_0/weights", "module/Encoder_en/hidden_layers/tanh_layer_0/bias", hidden, Dims, false); err != nil {
		return nil, err
	}
	// A text without tokens pools to the zero vector: tanh(0·W + b).
	g.noTokenVec = make([]float32, Dims)
	for j := range g.noTokenVec {
		g.noTokenVec[j] = tanh32(g.tanh.b[j])
	}
	l2Normalize(g.noTokenVec, g.l2Eps)
	return g, nil
}
