package localsearch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// MaxTopK is the largest top_k a Service from Open accepts: more than the
// server's default, since an operator may look deeper.
const MaxTopK = 100

// Open opens the store in dir for emb (store.Open checks that they fit)
// and returns a rag.Service built with cfg (its MaxTopK set to MaxTopK)
// serving it, with the offline extractive generator.
func Open(ctx context.Context, dir string, emb embed.Embedder, cfg rag.Config) (*rag.Service, *store.Store, error) {
	st, err := store.Open(ctx, dir, store.OpenOptions{Embedding: emb.Info()})
	if err != nil {
		return nil, nil, err
	}
	gen, err := llm.NewExtractive(llm.ExtractiveConfig{})
	if err != nil {
		return nil, nil, err
	}
	cfg.MaxTopK = MaxTopK
	svc, err := rag.New(cfg, emb, gen)
	if err != nil {
		return nil, nil, err
	}
	if err := svc.Swap(st); err != nil {
		return nil, nil, err
	}
	return svc, st, nil
}

// snippetRunes caps the text WriteHits shows of each hit.
const snippetRunes = 160

// WriteHits writes hits for people: rank, score, source and section, the
// chunk id, and the start of the text on one line.
func WriteHits(w io.Writer, hits []rag.Hit) {
	for i, h := range hits {
		src, _ := h.Metadata["source"].(string)
		sec, _ := h.Metadata["section"].(string)
		fmt.Fprintf(w, "%2d. %.4f  %s", i+1, h.Score, src)
		if sec != "" {
			fmt.Fprintf(w, " § %s", sec)
		}
		fmt.Fprintf(w, "  [%s]\n    %s\n", h.ID, snippet(h.Text, snippetRunes))
	}
}

// hitJSON is one hit as WriteHitsJSON writes it.
type hitJSON struct {
	ID       string         `json:"id"`
	Score    float64        `json:"score"`
	Text     string         `json:"text"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

// WriteHitsJSON writes hits as an indented JSON array of {id, score,
// text, metadata}.
func WriteHitsJSON(w io.Writer, hits []rag.Hit) error {
	out := make([]hitJSON, len(hits))
	for i, h := range hits {
		out[i] = hitJSON{ID: h.ID, Score: h.Score, Text: h.Text, Metadata: h.Metadata}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
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
