package providers

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

// TestStoreEmbedder_EveryProvider: a store command without --embedder
// builds the provider the manifest names, with its model and dims, and
// the rest of the settings (endpoints, keys, region) from the
// environment the server reads. Building contacts no server.
func TestStoreEmbedder_EveryProvider(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
		"OLLAMA_BASE_URL": "http://127.0.0.1:9", "AWS_REGION": "ap-northeast-1",
	}
	cfg, err := config.LoadProviders(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []docmodel.EmbeddingModel{
		{Provider: "openai", Model: "text-embedding-3-small", Dims: 512},
		{Provider: "ollama", Model: "nomic-embed-text", Dims: 768},
		{Provider: "bedrock", Model: "amazon.titan-embed-text-v2:0", Dims: 256},
		{Provider: "hash", Model: "hash-v1", Dims: 16},
	} {
		t.Run(m.Provider, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "store")
			if _, err := store.Write(context.Background(), dir, []docmodel.Chunk{{ID: "a", Text: "alpha"}}, make([]float32, m.Dims),
				store.WriteOptions{Embedding: m, Exact: true}); err != nil {
				t.Fatal(err)
			}
			emb, err := (EmbedderFlags{ForStore: true}).Embedder(context.Background(), cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := emb.Info(); got != m {
				t.Errorf("embedder %+v, want the manifest's %+v", got, m)
			}
		})
	}
	if _, err := (EmbedderFlags{ForStore: true, Name: "nope"}).Embedder(context.Background(), cfg, t.TempDir()); err == nil {
		t.Error("unknown --embedder accepted")
	}
}
