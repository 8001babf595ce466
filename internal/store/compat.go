package store

import (
	"fmt"
	"strings"

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
//     ErrModelMismatch; Ollama's default tag is the model without it
//     ("nomic-embed-text:latest" is "nomic-embed-text"). A store that
//     names no model (a LangChain folder, or an import that named none)
//     has nothing to compare.
//
// Provider is not compared: one model is served through several wire
// formats (a store built with ollama's nomic-embed-text is queried rightly
// through Ollama's OpenAI-compatible /v1, as provider openai). The server
// logs the difference (rag.Service.Swap).
func CheckEmbedding(src string, stored, emb docmodel.EmbeddingModel) error {
	if emb.Dims != 0 && stored.Dims != 0 && emb.Dims != stored.Dims {
		return fmt.Errorf("%w: %s has %d-dimensional vectors, the embedder (%s %s) makes %d",
			ErrDimensionMismatch, src, stored.Dims, emb.Provider, emb.Model, emb.Dims)
	}
	if emb.Model != "" && stored.Model != "" && untagged(emb.Model) != untagged(stored.Model) {
		return fmt.Errorf("%w: %s was built with %s %q, the embedder is %s %q", ErrModelMismatch,
			src, stored.Provider, stored.Model, emb.Provider, emb.Model)
	}
	return nil
}

// untagged returns model without Ollama's default tag ":latest", which
// Ollama adds to a name given without a tag.
func untagged(model string) string {
	return strings.TrimSuffix(model, ":latest")
}
