package store

// Chunk is one retrievable piece of text. Row i of a store's vectors and
// id i of its index belong to Chunks[i].
type Chunk struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Metadata map[string]any `json:"metadata,omitempty"`
}
