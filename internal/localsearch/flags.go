package localsearch

import (
	"context"
	"flag"
	"io"
	"strings"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/rag"
)

// SearchFlags is the command line of "vectorstore search"; the embedder's
// flags belong to its package (providers.EmbedderFlags).
type SearchFlags struct {
	Dir, Query, Mode string
	TopK             int
	JSON             bool
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *SearchFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "dir", "", "store folder (required)")
	fs.StringVar(&f.Query, "query", "", "text to search for (required)")
	fs.IntVar(&f.TopK, "top-k", 5, "number of hits")
	fs.StringVar(&f.Mode, "mode", string(rag.ModeHybrid), "hybrid, vector or keyword")
	fs.BoolVar(&f.JSON, "json", false, "print hits as JSON")
}

// Validate checks f; its errors are cliflag.UsageErrors. Top-k and mode
// are checked by the search itself.
func (f SearchFlags) Validate() error {
	if f.Dir == "" || strings.TrimSpace(f.Query) == "" {
		return cliflag.Usagef("--dir and --query are required")
	}
	return nil
}

// Run searches svc as f asks and returns the hits.
func (f SearchFlags) Run(ctx context.Context, svc *rag.Service) (Hits, error) {
	res, err := svc.Search(ctx, rag.SearchRequest{Query: f.Query, TopK: f.TopK, Mode: rag.Mode(f.Mode)})
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

// Hits are search hits that print themselves with WriteHits and
// WriteHitsJSON.
type Hits []rag.Hit

// WriteText writes h with WriteHits.
func (h Hits) WriteText(w io.Writer) { WriteHits(w, h) }

// WriteJSON writes h with WriteHitsJSON.
func (h Hits) WriteJSON(w io.Writer) error { return WriteHitsJSON(w, h) }
