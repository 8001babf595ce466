package providers

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
)

// An unreachable Weaviate does not stop the server from starting: the
// loader keeps checking and /ready says why.
func TestWeaviate_UnreachableIsNotAStartupError(t *testing.T) {
	t.Parallel()
	w := config.Weaviate{URL: "http://127.0.0.1:1", GRPCAddr: "127.0.0.1:1", Collection: "Docs", Timeout: 300 * time.Millisecond, Consistency: "QUORUM", Fusion: "service"}
	b, err := Weaviate(context.Background(), w, docmodel.EmbeddingModel{Dims: 8}, KeywordChoice{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Check(context.Background()); !errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("check: %v, want ErrUnavailable", err)
	}
	if _, err := Weaviate(context.Background(), config.Weaviate{URL: "ftp://x", Collection: "Docs"}, docmodel.EmbeddingModel{}, KeywordChoice{}, nil); err == nil {
		t.Error("a bad URL was accepted")
	}
}
