package providers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/store"
)

func TestNamedEmbedder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cfg         config.Providers
		flag        string
		wantUnknown bool
		wantErr     bool
		wantDims    int
	}{
		{"configured", config.Providers{Embedder: "hash", EmbeddingDims: 32}, "", false, false, 32},
		{"flag overrides", config.Providers{Embedder: "openai", EmbeddingDims: 16}, "hash", false, false, 16},
		{"unknown flag", config.Providers{Embedder: "hash"}, "nope", true, true, 0},
		{"settings checked as config.Load does", config.Providers{Embedder: "hash", EmbeddingDims: -1}, "", false, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emb, err := namedEmbedder(context.Background(), tt.cfg, tt.flag, retry.Policy{})
			if tt.wantErr {
				if err == nil || errors.Is(err, ErrUnknown) != tt.wantUnknown {
					t.Fatalf("err %v, want an error (unknown: %v)", err, tt.wantUnknown)
				}
				return
			}
			if err != nil || emb.Info().Provider != "hash" || emb.Info().Dims != tt.wantDims {
				t.Fatalf("embedder %+v, %v; want hash with %d dims", emb, err, tt.wantDims)
			}
		})
	}
}

func TestStoreEmbedder(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "store")
	_, err := store.Write(context.Background(), dir, []docmodel.Chunk{{ID: "a", Text: "alpha"}}, []float32{1, 0, 0, 0, 0, 0, 0, 0},
		store.WriteOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "hash-v1", Dims: 8}, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	// The store names hash with 8 dims; the environment's embedder is not
	// consulted, but its explicit dims win.
	for _, tt := range []struct {
		cfg      config.Providers
		wantDims int
	}{
		{config.Providers{Embedder: "use-lite"}, 8},
		{config.Providers{Embedder: "use-lite", EmbeddingDims: 12}, 12},
	} {
		emb, err := storeEmbedder(context.Background(), tt.cfg, dir, "", retry.Policy{})
		if err != nil || emb.Info().Provider != "hash" || emb.Info().Dims != tt.wantDims {
			t.Errorf("%+v: embedder %+v, %v; want hash with %d dims", tt.cfg, emb, err, tt.wantDims)
		}
	}
	// A named embedder skips the manifest, so a LangChain folder works.
	if emb, err := storeEmbedder(context.Background(), config.Providers{EmbeddingDims: 16}, t.TempDir(), "hash", retry.Policy{}); err != nil || emb.Info().Dims != 16 {
		t.Errorf("named: %+v, %v", emb, err)
	}
	if _, err := storeEmbedder(context.Background(), config.Providers{}, t.TempDir(), "", retry.Policy{}); err == nil || !strings.Contains(err.Error(), "pass --embedder") {
		t.Errorf("no manifest: %v, want a hint to pass --embedder", err)
	}
}

func TestEmbedderFlags(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "store")
	_, err := store.Write(context.Background(), dir, []docmodel.Chunk{{ID: "a", Text: "alpha"}}, make([]float32, 24),
		store.WriteOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "hash-v1", Dims: 24}, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	env := config.Providers{Embedder: "hash", EmbeddingDims: 16}
	tests := []struct {
		name      string
		forStore  bool
		args      []string
		wantDims  int
		wantUsage bool
		wantHelp  string
	}{
		{"configured", false, nil, 16, false, "(default: EMBEDDER, else minilm)"},
		{"flag", false, []string{"--embedder", "hash"}, 16, false, "(default: EMBEDDER, else minilm)"},
		{"unknown flag is a usage error", false, []string{"--embedder", "nope"}, 0, true, ""},
		// The store's dims apply only where the environment sets none.
		{"store's embedder", true, nil, 16, false, "(default: the store's)"},
		{"store command, unknown flag", true, []string{"--embedder", "nope"}, 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var help strings.Builder
			fs := cliflag.NewFlagSet("t", "", &help)
			ef := EmbedderFlags{ForStore: tt.forStore}
			if err := cliflag.ParseOptions(fs, tt.args, &ef); err != nil {
				t.Fatal(err)
			}
			fs.PrintDefaults()
			if !strings.Contains(help.String(), tt.wantHelp) {
				t.Errorf("help %q lacks %q", help.String(), tt.wantHelp)
			}
			emb, err := ef.Embedder(context.Background(), env, dir)
			if tt.wantUsage {
				if !errors.As(err, new(cliflag.UsageError)) || !strings.Contains(err.Error(), "unknown provider") {
					t.Fatalf("err %v, want a usage error naming the unknown provider", err)
				}
				return
			}
			if err != nil || emb.Info().Provider != "hash" || emb.Info().Dims != tt.wantDims {
				t.Fatalf("embedder %+v, %v; want hash with %d dims", emb, err, tt.wantDims)
			}
		})
	}
	// Without EMBEDDING_DIMS the store's dims are used.
	emb, err := EmbedderFlags{ForStore: true}.Embedder(context.Background(), config.Providers{Embedder: "use-lite"}, dir)
	if err != nil || emb.Info().Dims != 24 {
		t.Fatalf("store embedder %+v, %v; want hash with 24 dims", emb, err)
	}
}
