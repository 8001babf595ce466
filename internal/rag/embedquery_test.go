package rag

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embedtest"
)

// TestSearch_UnnormalisableQueryVector: a provider that answers the
// query with a vector the index cannot normalise (all zeros, or values
// whose float32 squared norm overflows) fails the search with the
// embedder's bad-response error naming the provider, in every mode that
// embeds the query, instead of ranking by 0 or infinite scores.
func TestSearch_UnnormalisableQueryVector(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fill float32
		mode Mode
	}{
		{"zeros, vector", 0, ModeVector},
		{"zeros, hybrid", 0, ModeHybrid},
		{"huge, vector", 3e38, ModeVector},
		{"huge, hybrid", 3e38, ModeHybrid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := embedtest.New(embedtest.OpenAI)
			emb, err := embed.NewOpenAI(embed.OpenAIConfig{BaseURL: "http://openai.test/v1", APIKey: "sk-test", Model: "m8", Dims: 8,
				SendDimensions: true, HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(context.Background(), newStore(emb, corpus())); err != nil {
				t.Fatal(err)
			}
			srv.VectorsWith(func(_ string, dims int) []float32 {
				v := make([]float32, dims)
				for i := range v {
					v[i] = tc.fill
				}
				return v
			})
			res, err := s.Search(t.Context(), SearchRequest{Query: "returns", Mode: tc.mode})
			if !errors.Is(err, embed.ErrBadResponse) || !strings.Contains(err.Error(), "rag: embed query: openai: ") {
				t.Fatalf("hits %+v, err %v; want %v from openai", res.Hits, err, embed.ErrBadResponse)
			}
			if errs := srv.Errors(); len(errs) > 0 {
				t.Errorf("bad requests: %q", errs)
			}
		})
	}
}
