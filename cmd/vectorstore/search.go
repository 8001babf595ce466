package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/localsearch"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// openService opens the store in dir with the named embedder ("" picks the
// one the store's manifest names, with its model and dims unless the
// environment sets them) and serves it with localsearch.Open.
func openService(ctx context.Context, pr config.Providers, dir, embName string, cfg rag.Config) (*rag.Service, *store.Store, error) {
	if embName == "" {
		m, err := store.ReadManifest(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (pass --embedder for a LangChain folder)", err)
		}
		embName = m.Embedding.Provider
		pr.EmbeddingModel, pr.EmbeddingDims = cmp.Or(pr.EmbeddingModel, m.Embedding.Model), cmp.Or(pr.EmbeddingDims, m.Embedding.Dims)
	}
	emb, err := newEmbedder(ctx, pr, embName)
	if err != nil {
		return nil, nil, err
	}
	return localsearch.Open(ctx, dir, emb, cfg)
}

func runSearch(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", stderr)
	dir := fs.String("dir", "", "store folder (required)")
	query := fs.String("query", "", "text to search for (required)")
	topK := fs.Int("top-k", 5, "number of hits")
	mode := fs.String("mode", string(rag.ModeHybrid), "hybrid, vector or keyword")
	embName := fs.String("embedder", "", "use-lite, hash, openai, bedrock or ollama (default: the store's)")
	asJSON := fs.Bool("json", false, "print hits as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || strings.TrimSpace(*query) == "" {
		return usageError{msg: "--dir and --query are required"}
	}
	svc, _, err := openService(ctx, pr, *dir, *embName, rag.Config{})
	if err != nil {
		return err
	}
	res, err := svc.Search(ctx, rag.SearchRequest{Query: *query, TopK: *topK, Mode: rag.Mode(*mode)})
	if err != nil {
		return err
	}
	if *asJSON {
		return localsearch.WriteHitsJSON(stdout, res.Hits)
	}
	localsearch.WriteHits(stdout, res.Hits)
	return nil
}
