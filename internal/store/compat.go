package store

import (
	"fmt"

	"github.com/vendor0919/api/internal/docmodel"
)

// CheckEmbedding reports, as a nil error, whether vectors made by stored
// (what a store records; src names the store in errors) can be searched
// with queries embedded by emb. It is the one compatibility rule, applied
// by Open to every store it loads:
//
//   - Dims must be equal when both are non-zero, else the error wraps
//     ErrDimensionMismatch.
//   - Model must be equal when both are non-empty, else the error wraps
//     ErrModelMismatch. A store that names no model (a LangChain folder,
//     or an import that named none) has nothing to compare.
//
// Provider is not compared.
func CheckEmbedding(src string, stored, emb docmodel.EmbeddingModel) error {
	if emb.Dims != 0 && stored.Dims != 0 && emb.Dims != stored.Dims {
		return fmt.Errorf("%w: %s has %d-dimensional vectors, the embedder (%s %s) makes %d",
			ErrDimensionMismatch, src, stored.Dims, emb.Provider, emb.Model, emb.Dims)
	}
	if emb.Model != "" && stored.Model != "" && emb.Model != stored.Model {
		return fmt.Errorf("%w: %s was built with %s %q, the embedder is %s %q", ErrModelMismatch,
			src, stored.Provider, stored.Model, emb.Provider, emb.Model)
	}
	return nil
}
