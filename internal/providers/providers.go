package providers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/embed/glove"
	"github.com/vendor0919/api/internal/embed/minilm"
	"github.com/vendor0919/api/internal/embed/offline"
	"github.com/vendor0919/api/internal/embed/uselite"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/keyword/kagome"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/retry"
	"github.com/vendor0919/api/internal/s3sync"
)

// ErrUnknown is wrapped by the error for a provider name the registry
// does not know (config.Load rejects those; flags may not).
var ErrUnknown = errors.New("unknown provider")

// UseLiteGlove names the offline default embedder before minilm (package
// offline): USE-lite and GloVe word vectors joined, 612 dims.
const UseLiteGlove = offline.Provider

// Embedder builds the embedder cfg.Embedder names, with cfg's model, dims
// and endpoints, and a remote one retrying under the request path's
// policy (retry.Policy's zero value: a few attempts, short waits).
func Embedder(ctx context.Context, cfg config.Providers) (embed.Embedder, error) {
	emb, err := EmbedderWith(ctx, cfg, retry.Policy{})
	if err != nil {
		return nil, err
	}
	// EMBEDDER=minilm with EMBEDDING_DIMS=100 left over from another
	// setting started at 384 dims without a word.
	if err := fits(emb.Info(), cfg, "EMBEDDING_MODEL", "EMBEDDING_DIMS"); err != nil {
		return nil, fmt.Errorf("providers: %w", err)
	}
	return emb, nil
}

// EmbedderWith is Embedder with a remote embedder (openai, bedrock,
// ollama) retrying under p, e.g. retry.Batch() for a build; the
// in-process ones make no call to retry.
func EmbedderWith(ctx context.Context, cfg config.Providers, p retry.Policy) (embed.Embedder, error) {
	switch cfg.Embedder {
	case UseLiteGlove:
		return offline.New()
	case docmodel.ProviderUseLite:
		return uselite.New()
	case docmodel.ProviderMiniLM:
		return minilm.New()
	case docmodel.ProviderHash:
		return embed.NewHash(embed.HashConfig{Dims: cfg.EmbeddingDims})
	case docmodel.ProviderOpenAI:
		// text-embedding-3 models shorten their vectors only when asked to;
		// older models and many compatible servers refuse the parameter.
		model := cmp.Or(cfg.EmbeddingModel, "text-embedding-3-small")
		return embed.NewOpenAI(embed.OpenAIConfig{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, Model: cfg.EmbeddingModel,
			Dims: cfg.EmbeddingDims, SendDimensions: cfg.EmbeddingDims != 0 && strings.HasPrefix(model, "text-embedding-3"), Retry: p})
	case docmodel.ProviderOllama:
		return embed.NewOllama(embed.OllamaConfig{BaseURL: cfg.OllamaBaseURL, Model: cfg.EmbeddingModel, Dims: cfg.EmbeddingDims, Retry: p})
	case docmodel.ProviderBedrock:
		return embed.NewBedrock(ctx, embed.BedrockConfig{Region: cfg.AWSRegion, ModelID: cfg.EmbeddingModel, Dims: cfg.EmbeddingDims, Retry: p})
	}
	return nil, fmt.Errorf("providers: embedder %q: %w (want one of %s)", cfg.Embedder, ErrUnknown, strings.Join(config.Embedders(), ", "))
}

// Generator builds the answer generator cfg.LLM names.
func Generator(ctx context.Context, cfg config.Providers) (llm.Generator, error) {
	switch cfg.LLM {
	case "extractive":
		return llm.NewExtractive(llm.ExtractiveConfig{})
	case "openai":
		return llm.NewOpenAI(llm.OpenAIConfig{BaseURL: cfg.OpenAIBaseURL, APIKey: cfg.OpenAIAPIKey, Model: cfg.LLMModel, Timeout: cfg.LLMTimeout})
	case "ollama":
		return llm.NewOllama(llm.OllamaConfig{BaseURL: cfg.OllamaBaseURL, Model: cfg.LLMModel, Timeout: cfg.LLMTimeout})
	case "bedrock":
		return llm.NewBedrock(ctx, llm.BedrockConfig{Region: cfg.AWSRegion, ModelID: cfg.LLMModel, Timeout: cfg.LLMTimeout})
	}
	return nil, fmt.Errorf("providers: generator %q: %w (want one of %s)", cfg.LLM, ErrUnknown, strings.Join(config.Generators(), ", "))
}

// S3 builds the S3 mirror of sc.URI with S3Config(cfg, sc).
func S3(ctx context.Context, cfg config.Providers, sc s3sync.Config) (*s3sync.Syncer, error) {
	s, err := s3sync.New(ctx, S3Config(cfg, sc))
	if err != nil {
		return nil, fmt.Errorf("s3 sync: %w", err)
	}
	return s, nil
}

// S3Config returns sc with the Region, Endpoint, PartSize and
// PartConcurrency it leaves empty taken from cfg (AWS_REGION, the S3
// endpoint variables, S3_PART_SIZE_MB, S3_PART_CONCURRENCY), and
// path-style addressing and durable syncs when either asks for them
// (S3_FORCE_PATH_STYLE, S3_SYNC_DURABLE): sc's own values, e.g. from
// flags, win.
func S3Config(cfg config.Providers, sc s3sync.Config) s3sync.Config {
	sc.Region = cmp.Or(sc.Region, cfg.AWSRegion)
	sc.Endpoint = cmp.Or(sc.Endpoint, cfg.S3Endpoint)
	sc.PathStyle = sc.PathStyle || cfg.S3ForcePathStyle
	sc.PartSize = cmp.Or(sc.PartSize, int64(cfg.S3PartSizeMB)<<20)
	sc.PartConcurrency = cmp.Or(sc.PartConcurrency, cfg.S3PartConcurrency)
	sc.Durable = sc.Durable || cfg.S3SyncDurable
	return sc
}

// KeywordChoice is a KEYWORD_JAPANESE setting: which keyword analyzer
// indexes a corpus (Choose) and which analyzer made an index kept
// elsewhere (ByVersion). "bigram" is always the standard analyzer
// (character pairs for Japanese), "kagome" always the one that splits
// Japanese into words with a morphological analyzer, and "auto" (the
// default) Kagome's for a corpus with Japanese text (keyword.HasJapanese)
// and the standard one for the rest, so an English or Chinese store pays
// nothing for the dictionary. The zero value is "bigram". It is safe for
// concurrent use.
type KeywordChoice struct {
	setting string // auto, bigram or kagome
}

// KeywordAnalyzers returns the choice KEYWORD_JAPANESE names ("" is
// "auto"). For "kagome" the dictionary loads here, so a failure shows at
// start-up; "auto" loads it when a corpus first needs it, once per
// process.
func KeywordAnalyzers(japanese string) (KeywordChoice, error) {
	switch japanese {
	case "", "auto":
		return KeywordChoice{setting: "auto"}, nil
	case "bigram":
		return KeywordChoice{setting: japanese}, nil
	case "kagome":
		_, err := sharedKagome()
		return KeywordChoice{setting: japanese}, err
	}
	return KeywordChoice{}, fmt.Errorf("providers: keyword analyzer %q: %w (want auto, bigram or kagome)", japanese, ErrUnknown)
}

// sharedKagome is the one Kagome analyzer of the process (about 36 MB of
// dictionary). Loading it leaves some 60 MB of the unpacked dictionary as
// garbage, which the runtime would otherwise hand back to the system only
// slowly: the server's resident memory after start was 225 MiB instead
// of 161 MiB on the demo store. It happens once per process.
var sharedKagome = sync.OnceValues(func() (keyword.Analyzer, error) {
	an, err := kagome.NewAnalyzer()
	debug.FreeOSMemory()
	return an, err
})

// Choose returns the analyzer for a corpus of n texts, text(i) the i-th
// (for a store, its chunks' keyword texts).
func (c KeywordChoice) Choose(n int, text func(i int) string) (keyword.Analyzer, error) {
	if c.setting == "kagome" || (c.setting == "auto" && keyword.HasJapanese(n, text)) {
		return sharedKagome()
	}
	return keyword.Standard, nil
}

// ByVersion returns the analyzer of this setting whose Version is v, for
// an index kept outside the process (a Weaviate collection's keyword
// tokens): with "auto" either analyzer.
func (c KeywordChoice) ByVersion(v string) (keyword.Analyzer, error) {
	if c.setting != "kagome" && v == keyword.Standard.Version() {
		return keyword.Standard, nil
	}
	if c.setting == "auto" || c.setting == "kagome" {
		an, err := sharedKagome()
		if err != nil {
			return nil, err
		}
		if an.Version() == v {
			return an, nil
		}
	}
	hint := "push it again with this setting"
	if c.setting != "auto" {
		hint = "set KEYWORD_JAPANESE=auto, which reads both bigram and kagome indexes, or push it again"
	}
	return nil, fmt.Errorf("providers: keyword analyzer %q is not the one KEYWORD_JAPANESE=%s uses: %s", v, c.setting, hint)
}

// String is the setting's name.
func (c KeywordChoice) String() string { return c.setting }

// SoftMatcher returns the soft match that reranks keyword and hybrid
// candidates (rag.Config.SoftMatch): GloVe word vectors, whatever the
// embedder, parsed once per process and shared with the offline embedder
// (glove.Shared: about 0.1 s and 5 MB of heap when that embedder is not
// in use).
func SoftMatcher() (rag.SoftMatcher, error) {
	g, err := glove.Shared()
	if err != nil {
		return nil, fmt.Errorf("providers: soft match: %w", err)
	}
	return g, nil
}
