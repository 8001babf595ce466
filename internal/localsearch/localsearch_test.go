package localsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

func TestOpen_SearchAndWrite(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	long := "# Brakes\n\n" + strings.Repeat("Replace brake pads thinner than 1.5 mm.\n", 8)
	for name, body := range map[string]string{"brakes.md": long, "notes.txt": "Unrelated notes about the office plants."} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "store")
	if _, err := ingest.Build(context.Background(), in, dir, emb, ingest.Config{Exact: true}); err != nil {
		t.Fatal(err)
	}
	svc, st, err := Open(context.Background(), dir, emb, rag.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunkCount() != 2 {
		t.Fatalf("%d chunks", st.ChunkCount())
	}
	res, err := svc.Search(context.Background(), rag.SearchRequest{Query: "brake pads", TopK: MaxTopK, Mode: rag.ModeKeyword})
	hits := res.Hits
	if err != nil || len(hits) == 0 {
		t.Fatalf("search with top_k %d: %d hits, %v", MaxTopK, len(hits), err)
	}

	var text bytes.Buffer
	WriteHits(&text, hits)
	first := strings.SplitN(text.String(), "\n", 3)
	if len(first) < 2 || !strings.HasPrefix(first[0], " 1. ") || !strings.Contains(first[0], "brakes.md § Brakes  [") ||
		!strings.HasSuffix(first[1], "…") || strings.Contains(first[1], "\n") {
		t.Fatalf("text:\n%s", text.String())
	}
	var js bytes.Buffer
	if err := WriteHitsJSON(&js, hits); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID       string         `json:"id"`
		Score    float64        `json:"score"`
		Text     string         `json:"text"`
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil || len(got) != len(hits) || got[0].ID != hits[0].ID || got[0].Text != hits[0].Text {
		t.Fatalf("JSON %s: %v", js.String(), err)
	}

	other, err := embed.NewHash(embed.HashConfig{Dims: 64})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Open(context.Background(), dir, other, rag.Config{}); !errors.Is(err, store.ErrDimensionMismatch) {
		t.Fatalf("other dims: err %v, want ErrDimensionMismatch", err)
	}
}
