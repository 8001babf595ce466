package providers

import (
	"errors"
	"io"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
)

func TestModelFlags(t *testing.T) {
	t.Parallel()
	env := config.Providers{Embedder: "openai", EmbeddingModel: "text-embedding-3-large", EmbeddingDims: 256}
	tests := []struct {
		args      []string
		wantModel string
		wantDims  int
		usage     bool
	}{
		{nil, "text-embedding-3-large", 256, false},
		{[]string{"--model", "my-custom"}, "my-custom", 256, false},
		{[]string{"--dims", "512"}, "text-embedding-3-large", 512, false},
		{[]string{"--model", "m", "--dims", "8"}, "m", 8, false},
		{[]string{"--dims", "-1"}, "", 0, true},
		{[]string{"--dims", "70000"}, "", 0, true},
	}
	for _, tt := range tests {
		var f ModelFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if tt.usage {
			if !errors.As(err, new(cliflag.UsageError)) {
				t.Errorf("%v: err %v, want a usage error", tt.args, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		got := f.Apply(env)
		if got.EmbeddingModel != tt.wantModel || got.EmbeddingDims != tt.wantDims || got.Embedder != "openai" {
			t.Errorf("%v: %+v, want %s/%d", tt.args, got, tt.wantModel, tt.wantDims)
		}
	}
}

func TestForDryRun(t *testing.T) {
	t.Parallel()
	got := ForDryRun(config.Providers{Embedder: "openai"})
	if got.OpenAIAPIKey == "" || got.AWSRegion == "" || got.Validate() != nil {
		t.Fatalf("placeholders missing: %+v", got)
	}
	set := config.Providers{OpenAIAPIKey: "sk-real", AWSRegion: "ap-northeast-1"}
	if ForDryRun(set) != set {
		t.Fatal("a set value was replaced")
	}
}
