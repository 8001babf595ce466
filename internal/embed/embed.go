package embed

import "context"

// Info names the model an Embedder runs. A store records the Info it was
// built with, and the service refuses to start when they disagree.
type Info struct {
	Provider string `json:"provider"` // "use-lite", "openai", "bedrock", "ollama", "hash"
	Model    string `json:"model"`
	Dims     int    `json:"dims"`
}

// Embedder turns texts into vectors.
//
// Embed returns one vector of length Info().Dims per text, in input order.
// The caller owns the returned slices. Implementations are safe for
// concurrent use and honour ctx cancellation.
type Embedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Info() Info
}
