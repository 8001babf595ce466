package rag

import (
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/llm"
)

// TestNew_VectorWeightByEmbedder: a Config without a vector weight gets
// the one measured for its embedder; one that names a weight keeps it.
func TestNew_VectorWeightByEmbedder(t *testing.T) {
	t.Parallel()
	gen, err := llm.NewExtractive(llm.ExtractiveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		provider string
		set      float64
		want     float64
	}{
		{docmodel.ProviderMiniLM, 0, DefaultMiniLMVectorWeight},
		{docmodel.ProviderUseLiteGlove, 0, DefaultVectorWeight},
		{docmodel.ProviderOpenAI, 0, DefaultVectorWeight},
		{docmodel.ProviderMiniLM, 0.4, 0.4},
	} {
		emb := newEmbedder()
		emb.info.Provider = tc.provider
		s, err := New(Config{VectorWeight: tc.set}, emb, gen)
		if err != nil {
			t.Fatal(err)
		}
		if s.cfg.VectorWeight != tc.want {
			t.Errorf("%s, weight %g: service uses %g, want %g", tc.provider, tc.set, s.cfg.VectorWeight, tc.want)
		}
	}
}
