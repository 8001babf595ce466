package docmodel

// Chunk is one retrievable piece of text. Row i of a store's vectors and
// id i of its index belong to Chunks[i].
type Chunk struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// EmbeddingModel names the model an embedder runs. A store records the
// EmbeddingModel it was built with, and the service refuses to load a
// store whose model disagrees with the configured embedder's (see
// store.CheckEmbedding).
type EmbeddingModel struct {
	Provider string `json:"provider"` // "use-lite", "openai", "bedrock", "ollama", "hash"
	Model    string `json:"model"`
	Dims     int    `json:"dims"`
}
