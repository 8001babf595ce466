package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vendor0919/api/internal/config"
)

func TestWire_ProvidersFromConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env          map[string]string
		wantEmbedder string // Info().Provider
		wantModel    string // Generator.Model()
	}{
		{map[string]string{}, "use-lite", "extractive"},
		{map[string]string{"EMBEDDER": "hash", "EMBEDDING_DIMS": "64"}, "hash", "extractive"},
		{map[string]string{"EMBEDDER": "openai", "LLM": "openai", "OPENAI_API_KEY": "k", "LLM_MODEL": "gpt-4o-mini"}, "openai", "gpt-4o-mini"},
		{map[string]string{"EMBEDDER": "ollama", "EMBEDDING_MODEL": "nomic-embed-text", "EMBEDDING_DIMS": "768", "LLM": "ollama", "LLM_MODEL": "llama3"}, "ollama", "llama3"},
		{map[string]string{"EMBEDDER": "bedrock", "LLM": "bedrock", "AWS_REGION": "ap-northeast-1", "LLM_MODEL": "anthropic.claude-3-haiku-20240307-v1:0"}, "bedrock", "anthropic.claude-3-haiku-20240307-v1:0"},
	}
	for _, tt := range tests {
		cfg, err := config.Load(func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatalf("%v: %v", tt.env, err)
		}
		emb, err := newEmbedder(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%v: embedder: %v", tt.env, err)
		}
		if got := emb.Info().Provider; got != tt.wantEmbedder {
			t.Errorf("%v: embedder %q, want %q", tt.env, got, tt.wantEmbedder)
		}
		gen, err := newGenerator(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%v: generator: %v", tt.env, err)
		}
		if got := gen.Model(); got != tt.wantModel {
			t.Errorf("%v: generator %q, want %q", tt.env, got, tt.wantModel)
		}
	}
}

// TestWire_OpenAIDimensionsOnlyForEmbedding3: EMBEDDING_DIMS asks
// text-embedding-3 models to shorten their vectors, and is never sent to
// models (or compatible servers) that refuse the parameter. A stand-in
// server speaks the /v1/embeddings wire format and records the requests.
func TestWire_OpenAIDimensionsOnlyForEmbedding3(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		model    string
		wantDims bool
	}{
		{"", true}, // the default, text-embedding-3-small
		{"text-embedding-3-large", true},
		{"text-embedding-ada-002", false},
		{"nomic-embed-text", false},
	} {
		var got map[string]any
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = json.NewDecoder(r.Body).Decode(&got)
			vec := make([]float64, 8)
			_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": got["model"],
				"data": []any{map[string]any{"object": "embedding", "index": 0, "embedding": vec}}})
		}))
		cfg, err := config.Load(func(k string) string {
			return map[string]string{"EMBEDDER": "openai", "OPENAI_API_KEY": "k", "OPENAI_BASE_URL": srv.URL,
				"EMBEDDING_MODEL": tc.model, "EMBEDDING_DIMS": "8"}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		emb, err := newEmbedder(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := emb.Embed(context.Background(), []string{"hello"}); err != nil {
			t.Fatalf("model %q: %v", tc.model, err)
		}
		srv.Close()
		if _, sent := got["dimensions"]; sent != tc.wantDims {
			t.Errorf("model %q: dimensions sent = %v, want %v (request %v)", tc.model, sent, tc.wantDims, got)
		}
	}
}
