// Package offline assembles use-lite-glove, the offline default embedder
// before minilm:
// Universal Sentence Encoder Lite (package uselite) and SIF-weighted GloVe
// word vectors (package glove), joined end to end by embed.Concat. Both
// halves run in pure Go from models embedded in the binary: no key, no
// network. Joined, they rank the evaluation sets' sections better than
// either alone (docs/BENCHMARKS.md, round seven).
package offline

import (
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embed/glove"
	"github.com/vendor0919/api/internal/embed/uselite"
)

// Provider and Model are the names the embedder reports (Dims: 612).
const (
	Provider = docmodel.ProviderUseLiteGlove
	Model    = uselite.Model + "+" + glove.Model
)

// New parses both embedded models (about 0.2 s, 40 MB of heap; GloVe's
// once per process, shared with rag's soft match: glove.Shared) and
// returns the joined embedder. It counts tokens as use-lite does, since
// use-lite's 128-token window is the one that cuts texts.
func New() (embed.Embedder, error) {
	u, err := uselite.New()
	if err != nil {
		return nil, err
	}
	g, err := glove.Shared()
	if err != nil {
		return nil, err
	}
	return embed.NewConcat(docmodel.EmbeddingModel{Provider: Provider, Model: Model}, u, g)
}
