package providers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/httpapi"
	"github.com/vendor0919/api/internal/lifecycle"
	"github.com/vendor0919/api/internal/weaviatestore"
)

// WeaviateBackend is the server's Weaviate backend: the rag.Backend that
// searches (UseBackend) and the lifecycle.Remote that /ready follows.
type WeaviateBackend struct {
	*weaviatestore.Store
	source string
}

var _ lifecycle.Remote = (*WeaviateBackend)(nil)

// Weaviate builds the backend from w for the query embedder emb and the
// keyword analyzer an, and checks the collection once within w.Timeout: a
// collection that does not fit (dimensions, model, distance, analyzer, or
// none written by vectorstore push) is an error, so the server does not
// start; an unreachable Weaviate is not, as the loader keeps checking and
// /ready says why meanwhile.
func Weaviate(ctx context.Context, w config.Weaviate, emb docmodel.EmbeddingModel, an KeywordChoice, log *slog.Logger) (*WeaviateBackend, error) {
	st, err := weaviatestore.New(weaviatestore.Config{
		Conn: weaviatestore.Conn{URL: w.URL, GRPCAddr: w.GRPCAddr, APIKey: w.APIKey, CAFile: w.CAFile, Timeout: w.Timeout,
			UnverifiedGRPCTLS: w.UnverifiedGRPCTLS},
		Collection: w.Collection, Embedding: emb, Analyzers: an, Consistency: w.Consistency, Fusion: w.Fusion, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	b := &WeaviateBackend{Store: st, source: "weaviate:" + w.Collection}
	if _, err := st.Check(ctx); errors.Is(err, weaviatestore.ErrIncompatible) {
		return nil, fmt.Errorf("WEAVIATE_COLLECTION %s: %w", w.Collection, err)
	}
	return b, nil
}

// Check implements lifecycle.Remote.
func (b *WeaviateBackend) Check(ctx context.Context) (lifecycle.Status, error) {
	info, err := b.Store.Check(ctx)
	if err != nil {
		return lifecycle.Status{}, err
	}
	m := info.Meta
	return lifecycle.Status{Format: "weaviate", Count: m.Count, Dims: m.Embedding.Dims, Metric: m.Metric,
		Embedding: httpapi.EmbeddingInfo(m.Embedding), Version: m.Version, Source: b.source, Dir: info.Class, Index: m.Index}, nil
}
