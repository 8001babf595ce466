package providers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/retry"
)

// TestEmbedderFlags_Retry: the policy a command sets (a build's is
// retry.Batch()) reaches the remote embedders, so a run of 429s that the
// request path's policy gives up on after 4 attempts is ridden out. A
// stand-in speaks OpenAI's /v1/embeddings and Ollama's /api/embed.
func TestEmbedderFlags_Retry(t *testing.T) {
	t.Parallel()
	patient := retry.Policy{MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	for _, tc := range []struct {
		embedder string
		policy   retry.Policy
		wantOK   bool
	}{
		{"openai", retry.Policy{}, false},
		{"openai", patient, true},
		{"ollama", retry.Policy{}, false},
		{"ollama", patient, true},
	} {
		t.Run(tc.embedder, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) <= 5 {
					w.Header().Set("Retry-After", "0")
					http.Error(w, `{"error":{"message":"rate limited"}}`, http.StatusTooManyRequests)
					return
				}
				vec := []float64{1, 0, 0, 0, 0, 0, 0, 0}
				if r.URL.Path == "/api/embed" {
					_ = json.NewEncoder(w).Encode(map[string]any{"embeddings": [][]float64{vec}})
					return
				}
				_ = json.NewEncoder(w).Encode(map[string]any{"data": []any{map[string]any{"index": 0, "embedding": vec}}})
			}))
			defer srv.Close()
			cfg := config.Providers{Embedder: tc.embedder, EmbeddingModel: "m", EmbeddingDims: 8,
				OpenAIBaseURL: srv.URL + "/v1", OllamaBaseURL: srv.URL}
			emb, err := (EmbedderFlags{Retry: tc.policy}).Embedder(context.Background(), cfg, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = emb.Embed(context.Background(), []string{"hello"})
			if (err == nil) != tc.wantOK {
				t.Fatalf("policy %+v: err %v after %d calls, want ok %v", tc.policy, err, calls.Load(), tc.wantOK)
			}
		})
	}
}
