package embed

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/vendor0919/api/internal/embedtest"
)

// badVectors are answers the index cannot normalise, as a faulty
// provider might send them in valid JSON.
var badVectors = []struct {
	name string
	fill float32 // every element
	head float32 // the first element, when not zero; the rest are fill
}{
	{name: "all zeros"},
	{name: "squared norm overflows float32", fill: 3e38},
	{name: "squares underflow to zero", fill: 1e-45},
	{name: "subnormal squared norm", head: 1e-22},
}

// TestRemote_RefusesVectorsThatCannotBeNormalised: every remote embedder
// refuses, as ErrBadResponse naming the provider and without a retry, an
// answer holding a vector with a zero, infinite or subnormal float32
// squared norm, and still accepts a good one from the same stand-in.
func TestRemote_RefusesVectorsThatCannotBeNormalised(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRETTEST", "")
	newEmbedder := func(t *testing.T, kind, url string) Embedder {
		var emb Embedder
		var err error
		switch kind {
		case embedtest.OpenAI:
			emb, err = NewOpenAI(OpenAIConfig{BaseURL: url + "/v1", APIKey: "sk-test", Model: "m8", Dims: 8, Retry: fastRetry})
		case embedtest.Ollama:
			emb, err = NewOllama(OllamaConfig{BaseURL: url, Model: "m8", Dims: 8, Retry: fastRetry})
		case embedtest.Bedrock:
			emb, err = NewBedrock(context.Background(), BedrockConfig{Region: "us-east-1", Dims: 256, BaseEndpoint: url, Credentials: creds, Retry: fastRetry})
		}
		if err != nil {
			t.Fatal(err)
		}
		return emb
	}
	for _, kind := range []string{embedtest.OpenAI, embedtest.Ollama, embedtest.Bedrock} {
		for _, bv := range badVectors {
			t.Run(kind+"/"+bv.name, func(t *testing.T) {
				t.Parallel()
				srv := embedtest.New(kind)
				hs := httptest.NewServer(srv)
				defer hs.Close()
				emb := newEmbedder(t, kind, hs.URL)
				if _, err := emb.Embed(t.Context(), []string{"good"}); err != nil {
					t.Fatalf("a good answer: %v", err)
				}
				srv.Reset()
				srv.VectorsWith(func(text string, dims int) []float32 {
					if text == "good" {
						return embedtest.Vector(text, dims)
					}
					v := make([]float32, dims)
					for i := range v {
						v[i] = bv.fill
					}
					if bv.head != 0 {
						v[0] = bv.head
					}
					return v
				})
				vecs, err := emb.Embed(t.Context(), []string{"good", "bad"})
				if !errors.Is(err, ErrBadResponse) || !strings.HasPrefix(err.Error(), kind+": ") || !strings.Contains(err.Error(), "unit length") {
					t.Fatalf("vectors %v, err %v; want %v from %s", vecs, err, ErrBadResponse, kind)
				}
				maxRequests := 1 // a bad answer is not retried
				if kind == embedtest.Bedrock {
					maxRequests = 2 // one per text; the good one may be cancelled unsent
				}
				if n := srv.Requests(); n < 1 || n > maxRequests {
					t.Errorf("%d requests, want 1 to %d", n, maxRequests)
				}
				if errs := srv.Errors(); len(errs) > 0 {
					t.Errorf("bad requests: %q", errs)
				}
			})
		}
	}
}
