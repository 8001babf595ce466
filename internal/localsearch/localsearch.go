package localsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// MaxTopK is the largest top_k a Service from Open accepts: more than the
// server's default, since an operator may look deeper.
const MaxTopK = 100

// ErrNoEmbedder is returned for a search by text on a Service that
// OpenStore opened without an embedder: such a Service takes raw vectors
// only.
var ErrNoEmbedder = errors.New("localsearch: no embedder: search with a raw vector")

// Open opens the store in dir for emb (store.Open checks that they fit)
// and returns a rag.Service built with cfg (its MaxTopK set to MaxTopK)
// serving it, with the offline extractive generator.
func Open(ctx context.Context, dir string, emb embed.Embedder, cfg rag.Config) (*rag.Service, *store.Store, error) {
	return OpenStore(ctx, dir, store.OpenOptions{}, emb, cfg)
}

// OpenStore is Open with the store options opts (e.g. a LangChain
// folder's IndexName); opts.Embedding is set from emb. A nil emb opens
// the store for searches by raw vector only: the Service's embedder then
// has the store's identity and dims, and embedding text fails with
// ErrNoEmbedder, so no provider needs configuring.
func OpenStore(ctx context.Context, dir string, opts store.OpenOptions, emb embed.Embedder, cfg rag.Config) (*rag.Service, *store.Store, error) {
	if emb != nil {
		opts.Embedding = emb.Info()
	}
	st, err := store.Open(ctx, dir, opts)
	if err != nil {
		return nil, nil, err
	}
	if emb == nil {
		info := st.Manifest.Embedding
		info.Dims = st.Index.Dim()
		emb = vectorOnly{info: info}
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
	if err := svc.Swap(ctx, st); err != nil {
		return nil, nil, err
	}
	return svc, st, nil
}

// vectorOnly stands in for the embedder of a store searched by raw
// vectors: it has the store's identity and embeds nothing.
type vectorOnly struct{ info docmodel.EmbeddingModel }

func (v vectorOnly) Embed(context.Context, []string) ([][]float32, error) { return nil, ErrNoEmbedder }
func (v vectorOnly) Info() docmodel.EmbeddingModel                        { return v.info }

// snippetRunes caps the text WriteHits shows of each hit.
const snippetRunes = 160

// WriteHits writes hits for people: rank, score, source and section, the
// chunk id, and the start of the text on one line.
func WriteHits(w io.Writer, hits []rag.Hit) {
	for i, h := range hits {
		src, _ := h.Metadata[docmodel.MetaSource].(string)
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
