package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/keyword/kagome"
	"github.com/vendor0919/api/internal/s3sync"
)

func TestProviders_FromConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env          map[string]string
		wantEmbedder string // Info().Provider
		wantModel    string // Generator.Model()
	}{
		{map[string]string{}, "minilm", "extractive"},
		{map[string]string{"EMBEDDER": "use-lite-glove"}, "use-lite-glove", "extractive"},
		{map[string]string{"EMBEDDER": "use-lite"}, "use-lite", "extractive"},
		{map[string]string{"EMBEDDER": "minilm"}, "minilm", "extractive"},
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
		emb, err := Embedder(context.Background(), cfg.Providers)
		if err != nil {
			t.Fatalf("%v: embedder: %v", tt.env, err)
		}
		if got := emb.Info().Provider; got != tt.wantEmbedder {
			t.Errorf("%v: embedder %q, want %q", tt.env, got, tt.wantEmbedder)
		}
		gen, err := Generator(context.Background(), cfg.Providers)
		if err != nil {
			t.Fatalf("%v: generator: %v", tt.env, err)
		}
		if got := gen.Model(); got != tt.wantModel {
			t.Errorf("%v: generator %q, want %q", tt.env, got, tt.wantModel)
		}
	}
}

// TestEmbedder_OpenAIDimensionsOnlyForEmbedding3: EMBEDDING_DIMS asks
// text-embedding-3 models to shorten their vectors, and is never sent to
// models (or compatible servers) that refuse the parameter. A stand-in
// server speaks the /v1/embeddings wire format and records the requests.
func TestEmbedder_OpenAIDimensionsOnlyForEmbedding3(t *testing.T) {
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
			vec[0] = 1 // a vector the index can normalise, as a real model's
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
		emb, err := Embedder(context.Background(), cfg.Providers)
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

func TestProviders_UnknownName(t *testing.T) {
	t.Parallel()
	if _, err := Embedder(context.Background(), config.Providers{Embedder: "bert"}); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), `"bert"`) {
		t.Errorf("embedder: %v", err)
	}
	if _, err := Generator(context.Background(), config.Providers{LLM: "gpt"}); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), `"gpt"`) {
		t.Errorf("generator: %v", err)
	}
}

// TestProviders_EveryConfiguredNameIsBuilt keeps config's lists (which
// EMBEDDER and LLM are checked against, and which the errors above name)
// in step with the switches here: no name config accepts is unknown.
// Building may still fail for want of a key or region; only ErrUnknown
// counts.
func TestProviders_EveryConfiguredNameIsBuilt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := config.Providers{AWSRegion: "us-east-1", EmbeddingDims: 8}
	for _, name := range config.Embedders() {
		cfg := base
		cfg.Embedder = name
		if _, err := Embedder(ctx, cfg); errors.Is(err, ErrUnknown) {
			t.Errorf("embedder %q, accepted by config: %v", name, err)
		}
	}
	for _, name := range config.Generators() {
		cfg := base
		cfg.LLM = name
		if _, err := Generator(ctx, cfg); errors.Is(err, ErrUnknown) {
			t.Errorf("generator %q, accepted by config: %v", name, err)
		}
	}
}

// TestS3Config_FlagsOverrideConfig: values the caller sets (from flags)
// win over the configured region and endpoint; unset ones come from it.
func TestS3Config_FlagsOverrideConfig(t *testing.T) {
	t.Parallel()
	cfg := config.Providers{AWSRegion: "ap-northeast-1", S3Endpoint: "http://127.0.0.1:7070", S3ForcePathStyle: true}
	for _, tc := range []struct {
		cfg  config.Providers
		sc   s3sync.Config
		want s3sync.Config
	}{
		{cfg, s3sync.Config{URI: "s3://b/p"}, s3sync.Config{URI: "s3://b/p", Region: "ap-northeast-1", Endpoint: "http://127.0.0.1:7070", PathStyle: true}},
		{cfg, s3sync.Config{URI: "s3://b/p", Region: "us-east-1", Endpoint: "http://127.0.0.1:9000"},
			s3sync.Config{URI: "s3://b/p", Region: "us-east-1", Endpoint: "http://127.0.0.1:9000", PathStyle: true}},
		{config.Providers{}, s3sync.Config{URI: "s3://b/p", PathStyle: true}, s3sync.Config{URI: "s3://b/p", PathStyle: true}},
		{config.Providers{}, s3sync.Config{URI: "s3://b/p"}, s3sync.Config{URI: "s3://b/p"}},
		{config.Providers{S3SyncDurable: true}, s3sync.Config{URI: "s3://b/p"}, s3sync.Config{URI: "s3://b/p", Durable: true}},
		{config.Providers{}, s3sync.Config{URI: "s3://b/p", Durable: true}, s3sync.Config{URI: "s3://b/p", Durable: true}},
	} {
		got := S3Config(tc.cfg, tc.sc)
		if got.URI != tc.want.URI || got.Region != tc.want.Region || got.Endpoint != tc.want.Endpoint || got.PathStyle != tc.want.PathStyle ||
			got.Durable != tc.want.Durable {
			t.Errorf("S3Config(%+v, %+v) = %+v, want %+v", tc.cfg, tc.sc, got, tc.want)
		}
	}
	if _, err := S3(context.Background(), cfg, s3sync.Config{URI: "bucket/p"}); err == nil || !strings.HasPrefix(err.Error(), "s3 sync: ") {
		t.Errorf("bad URI: %v", err)
	}
}

func TestKeywordAnalyzers_FromConfig(t *testing.T) {
	t.Parallel()
	standard, words := keyword.AnalyzerVersion, keyword.AnalyzerVersion+"+"+kagome.Version
	english := []string{"To change the owner of a file, use chown."}
	japanese := []string{strings.Repeat("ファイルの所有者を変更するには chown を使います。", 20)}
	for _, tt := range []struct {
		value                     string
		wantEnglish, wantJapanese string
	}{
		{"", standard, words}, // auto is the default
		{"auto", standard, words},
		{"bigram", standard, standard},
		{"kagome", words, words},
	} {
		cfg, err := config.Load(func(k string) string {
			if k == "KEYWORD_JAPANESE" {
				return tt.value
			}
			return ""
		})
		if err != nil {
			t.Fatalf("%q: %v", tt.value, err)
		}
		ch, err := KeywordAnalyzers(cfg.KeywordJapanese)
		if err != nil {
			t.Fatalf("%q: %v", tt.value, err)
		}
		for _, c := range []struct {
			texts []string
			want  string
		}{{english, tt.wantEnglish}, {japanese, tt.wantJapanese}} {
			an, err := ch.Choose(len(c.texts), func(i int) string { return c.texts[i] })
			if err != nil {
				t.Fatal(err)
			}
			if got := an.Version(); got != c.want {
				t.Errorf("KEYWORD_JAPANESE=%q on %.20q: analyzer %q, want %q", tt.value, c.texts[0], got, c.want)
			}
			// An index made by the chosen analyzer is one the setting
			// reads back (a Weaviate collection pushed with it).
			if back, err := ch.ByVersion(c.want); err != nil || back.Version() != c.want {
				t.Errorf("KEYWORD_JAPANESE=%q: ByVersion(%q) = %v, %v", tt.value, c.want, back, err)
			}
		}
	}
	if _, err := KeywordAnalyzers("mecab"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), `"mecab"`) {
		t.Errorf("unknown name: %v", err)
	}
}

func TestKeywordChoice_ByVersionRefusesAnotherSetting(t *testing.T) {
	t.Parallel()
	words := keyword.AnalyzerVersion + "+" + kagome.Version
	for _, tt := range []struct{ setting, version string }{
		{"bigram", words},
		{"kagome", keyword.AnalyzerVersion},
		{"auto", "renamed/1"},
	} {
		ch, err := KeywordAnalyzers(tt.setting)
		if err != nil {
			t.Fatal(err)
		}
		an, err := ch.ByVersion(tt.version)
		if err == nil {
			t.Errorf("KEYWORD_JAPANESE=%s accepted an index of %q (%v)", tt.setting, tt.version, an.Version())
			continue
		}
		if hint := "KEYWORD_JAPANESE=auto"; tt.setting != "auto" && !strings.Contains(err.Error(), hint) {
			t.Errorf("KEYWORD_JAPANESE=%s: %v, want it to suggest %s", tt.setting, err, hint)
		}
	}
}

func TestKeywordFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flag, env string
		want      string
	}{
		{"", "bigram", "bigram"},
		{"", "kagome", "kagome"},
		{"", "", "auto"},
		{"bigram", "kagome", "bigram"},
		{"kagome", "bigram", "kagome"},
		{"auto", "bigram", "auto"},
		{"mecab", "bigram", ""},
	}
	for _, tt := range tests {
		t.Run(tt.flag+"/"+tt.env, func(t *testing.T) {
			t.Parallel()
			f := KeywordFlags{Japanese: tt.flag}
			err := f.Validate()
			if (err != nil) != (tt.want == "") {
				t.Fatalf("Validate() = %v, want error %v", err, tt.want == "")
			}
			if err != nil {
				if !errors.As(err, new(cliflag.UsageError)) {
					t.Errorf("Validate() = %T, want a usage error", err)
				}
				return
			}
			ch, err := f.Analyzers(config.Providers{KeywordJapanese: tt.env})
			if err != nil {
				t.Fatal(err)
			}
			if got := ch.String(); got != tt.want {
				t.Errorf("setting %q, want %q", got, tt.want)
			}
		})
	}
}

// TestEmbedder_RefusesWhatAFixedModelIgnores: the server's embedder is
// refused, as a config.ErrInvalid naming the variable, when
// EMBEDDING_MODEL or EMBEDDING_DIMS asks for what the chosen model cannot
// be (minilm is 384 dims; hash takes any dims but has its own model).
func TestEmbedder_RefusesWhatAFixedModelIgnores(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cfg  config.Providers
		want string // "" for no error
	}{
		{config.Providers{Embedder: "minilm"}, ""},
		{config.Providers{Embedder: "minilm", EmbeddingDims: 384}, ""},
		{config.Providers{Embedder: "minilm", EmbeddingDims: 100}, "EMBEDDING_DIMS 100 does not apply to minilm"},
		{config.Providers{Embedder: "minilm", EmbeddingModel: "text-embedding-3-small"}, `EMBEDDING_MODEL "text-embedding-3-small" does not apply to minilm`},
		{config.Providers{Embedder: "hash", EmbeddingDims: 64}, ""},
		{config.Providers{Embedder: "hash", EmbeddingModel: "foo"}, `EMBEDDING_MODEL "foo" does not apply to hash`},
	} {
		_, err := Embedder(context.Background(), tc.cfg)
		if tc.want == "" && err != nil || tc.want != "" && (!errors.Is(err, config.ErrInvalid) || !strings.Contains(fmt.Sprint(err), tc.want)) {
			t.Errorf("%+v: err %v, want %q", tc.cfg, err, tc.want)
		}
	}
}
