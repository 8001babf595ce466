package embed

import (
	"context"

	"github.com/vendor0919/api/internal/docmodel"
)

// Embedder turns texts into vectors.
//
// Embed returns one vector of length Info().Dims per text, in input order.
// The caller owns the returned slices. Implementations are safe for
// concurrent use and honour ctx cancellation. Info names the model; a
// store records it, and the service refuses to start when they disagree.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Info() docmodel.EmbeddingModel
}
