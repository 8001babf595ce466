package localsearch

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

func TestSearchFlags_Vector(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "v.json")
	if err := os.WriteFile(file, []byte(" [0.5, -1, 2e-3]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		want    []float32
		wantErr string
	}{
		{[]string{"--dir", "d", "--vector", "[0.5,-1,2e-3]"}, []float32{0.5, -1, 2e-3}, ""},
		{[]string{"--dir", "d", "--vector", "@" + file}, []float32{0.5, -1, 2e-3}, ""},
		{[]string{"--dir", "d", "--vector-file", file, "--mode", "vector"}, []float32{0.5, -1, 2e-3}, ""},
		{[]string{"--dir", "d", "--query", "q"}, nil, ""},
		{[]string{"--vector", "[1]"}, nil, "--dir and --query are required"},
		{[]string{"--dir", "d", "--query", "q", "--vector", "[1]"}, nil, "mutually exclusive"},
		{[]string{"--dir", "d", "--vector", "[1]", "--vector-file", file}, nil, "--vector and --vector-file are mutually exclusive"},
		{[]string{"--dir", "d", "--vector", "[1]", "--mode", "keyword"}, nil, "--mode keyword needs --query"},
		{[]string{"--dir", "d", "--vector", "1,2"}, nil, "--vector: want a JSON array of numbers"},
		{[]string{"--dir", "d", "--vector", "[]"}, nil, "--vector: want a non-empty JSON array"},
		{[]string{"--dir", "d", "--vector", "[null]"}, nil, "--vector: element 0"},
		{[]string{"--dir", "d", "--vector", "[0, -3.5e38]"}, nil, "element 1 (-3.5e38) is not a finite float32"},
		{[]string{"--dir", "d", "--vector", "[0, 1e400]"}, nil, "element 1 (1e400) is not a finite float32"},
		{[]string{"--dir", "d", "--vector-file", file + ".missing"}, nil, "--vector-file: open"},
	}
	for _, tt := range tests {
		var f SearchFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if tt.wantErr != "" {
			if !errors.As(err, new(cliflag.UsageError)) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err %v, want usage error containing %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got, err := f.QueryVector()
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%v: vector %v, %v; want %v", tt.args, got, err, tt.want)
		}
	}
}

// TestOpenStore_RawVectorsOnly: a nil embedder opens a store whatever its
// provider; searches by vector work, searches by text fail with
// ErrNoEmbedder, and a vector of other dims is a usage error.
func TestOpenStore_RawVectorsOnly(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "store")
	chunks := []docmodel.Chunk{{ID: "a", Text: "alpha"}, {ID: "b", Text: "beta"}, {ID: "c", Text: "gamma"}}
	vectors := []float32{1, 0, 0, 0, 1, 0, 0, 0, 1}
	emb := docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: 3}
	if _, err := store.Write(context.Background(), dir, chunks, vectors, store.WriteOptions{Embedding: emb, Exact: true}); err != nil {
		t.Fatal(err)
	}
	svc, st, err := OpenStore(context.Background(), dir, store.OpenOptions{}, nil, rag.Config{})
	if err != nil || st.ChunkCount() != 3 {
		t.Fatalf("open: %v", err)
	}
	hits, err := SearchFlags{Dir: dir, Vector: "[0, 0.9, 0.1]", TopK: 2, Mode: "hybrid"}.Run(context.Background(), svc)
	if err != nil || len(hits) != 2 || hits[0].ID != "b" {
		t.Fatalf("vector search: %+v, %v", hits, err)
	}
	if _, err := (SearchFlags{Dir: dir, Vector: "[1, 0]", TopK: 1, Mode: "vector"}).Run(context.Background(), svc); !errors.As(err, new(cliflag.UsageError)) ||
		!strings.Contains(err.Error(), "2 dims, the store's vectors 3") {
		t.Fatalf("wrong dims: %v", err)
	}
	if _, err := (SearchFlags{Dir: dir, Query: "beta", TopK: 1, Mode: "vector"}).Run(context.Background(), svc); !errors.Is(err, ErrNoEmbedder) {
		t.Fatalf("text search without an embedder: %v, want ErrNoEmbedder", err)
	}
	// Keyword search needs no embedder and still works.
	hits, err = SearchFlags{Dir: dir, Query: "gamma", TopK: 1, Mode: "keyword"}.Run(context.Background(), svc)
	if err != nil || len(hits) != 1 || hits[0].ID != "c" {
		t.Fatalf("keyword search: %+v, %v", hits, err)
	}
}
