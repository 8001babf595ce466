package main

import (
	"context"
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
