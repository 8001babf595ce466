package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// openService opens the store in dir with the named embedder ("" picks the
// one the store's manifest names) and returns a ready rag.Service built
// with cfg (MaxTopK is raised to 100).
func openService(ctx context.Context, dir, embName string, cfg rag.Config) (*rag.Service, *store.Store, error) {
	if embName == "" {
		m, err := store.ReadManifest(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (pass --embedder for a LangChain folder)", err)
		}
		embName = m.Embedding.Provider
	}
	emb, err := newEmbedder(embName)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, dir, store.OpenOptions{Embedding: emb.Info()})
	if err != nil {
		return nil, nil, err
	}
	gen, err := llm.NewExtractive(llm.ExtractiveConfig{})
	if err != nil {
		return nil, nil, err
	}
	cfg.MaxTopK = 100
	svc, err := rag.New(cfg, emb, gen)
	if err != nil {
		return nil, nil, err
	}
	if err := svc.Swap(st); err != nil {
		return nil, nil, err
	}
	return svc, st, nil
}

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", stderr)
	dir := fs.String("dir", "", "store folder (required)")
	query := fs.String("query", "", "text to search for (required)")
	topK := fs.Int("top-k", 5, "number of hits")
	mode := fs.String("mode", string(rag.ModeHybrid), "hybrid, vector or keyword")
	embName := fs.String("embedder", "", "use-lite or hash (default: the store's)")
	asJSON := fs.Bool("json", false, "print hits as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || strings.TrimSpace(*query) == "" {
		return usageError{msg: "--dir and --query are required"}
	}
	svc, _, err := openService(ctx, *dir, *embName, rag.Config{})
	if err != nil {
		return err
	}
	res, err := svc.Search(ctx, rag.SearchRequest{Query: *query, TopK: *topK, Mode: rag.Mode(*mode)})
	if err != nil {
		return err
	}
	hits := res.Hits
	if *asJSON {
		type hitJSON struct {
			ID       string         `json:"id"`
			Score    float64        `json:"score"`
			Text     string         `json:"text"`
			Metadata map[string]any `json:"metadata,omitempty"`
		}
		out := make([]hitJSON, len(hits))
		for i, h := range hits {
			out[i] = hitJSON{ID: h.ID, Score: h.Score, Text: h.Text, Metadata: h.Metadata}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for i, h := range hits {
		src, _ := h.Metadata["source"].(string)
		sec, _ := h.Metadata["section"].(string)
		fmt.Fprintf(stdout, "%2d. %.4f  %s", i+1, h.Score, src)
		if sec != "" {
			fmt.Fprintf(stdout, " § %s", sec)
		}
		fmt.Fprintf(stdout, "  [%s]\n    %s\n", h.ID, snippet(h.Text, 160))
	}
	return nil
}

// snippet returns s on one line, cut to at most n runes.
func snippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
