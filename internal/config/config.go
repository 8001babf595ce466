package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/jwtauth"
	"github.com/vendor0919/api/internal/store"
)

// Embedder and generator names accepted by EMBEDDER and LLM.
var (
	embedders  = []string{docmodel.ProviderMiniLM, docmodel.ProviderUseLiteGlove, docmodel.ProviderUseLite, docmodel.ProviderHash, docmodel.ProviderOpenAI, docmodel.ProviderBedrock, docmodel.ProviderOllama}
	generators = []string{"extractive", "openai", "bedrock", "ollama"}
	modes      = []string{"hybrid", "vector", "keyword"}
	jaKeyword  = []string{"auto", "bigram", "kagome"}
	backends   = []string{"memory", "weaviate"}
	consistent = []string{"one", "quorum", "all"}
	fusions    = []string{"service", "weaviate"}
)

// Embedders returns the names EMBEDDER accepts, the default first.
func Embedders() []string { return slices.Clone(embedders) }

// Generators returns the names LLM accepts, the default first.
func Generators() []string { return slices.Clone(generators) }

// Config is the service's whole configuration. Zero values are not
// meaningful: build it with Load, which fills every default.
type Config struct {
	// Host and Port are where the server listens (HOST, default all
	// interfaces; PORT, default 8080).
	Host string
	Port int

	// CORSAllowOrigins lists the origins a browser may call from with
	// credentials (CORS_ALLOW_ORIGINS, comma-separated, default
	// http://localhost:3000). "*" admits any origin; it is echoed back, as
	// Starlette does when credentials are allowed.
	CORSAllowOrigins []string
	// CORSAllowOriginRegex, when set, also admits origins that match it in
	// full (CORS_ALLOW_ORIGIN_REGEX), e.g. Amplify branch previews.
	CORSAllowOriginRegex *regexp.Regexp

	// VectorStoreDir is the local vector store folder (VECTORSTORE_DIR,
	// default /app/vectorstore).
	VectorStoreDir string
	// VectorStoreIndexName is the index_name a LangChain folder was saved
	// with (VECTORSTORE_INDEX_NAME, default index): the store is
	// NAME.faiss + NAME.pkl, in VectorStoreDir and under
	// VectorStoreS3URI. A plain file stem (store.CheckIndexName). Native
	// stores ignore it. The tool's --index-name defaults to it
	// (store.FolderFlags).
	VectorStoreIndexName string
	// VectorStoreS3URI is the S3 prefix mirrored into VectorStoreDir before
	// loading (VECTORSTORE_S3_URI, s3://bucket/prefix; empty: no sync).
	VectorStoreS3URI string
	// SyncTimeout bounds the start-up sync (SYNC_TIMEOUT, default 2m).
	SyncTimeout time.Duration
	// SyncInterval re-syncs and hot-swaps the store periodically
	// (SYNC_INTERVAL; 0, the default, disables polling).
	SyncInterval time.Duration
	// StoreLoadMaxBytes is the load budget: what an opened store may cost
	// in memory, vectors plus chunk text times store.TextCost plus
	// metadata (STORE_LOAD_MAX_BYTES, at least 1 MiB; 0, the default,
	// derives it as store.DefaultMaxBytes: a third of the process memory
	// limit, or 2 GiB with none). A store over it is refused at load.
	StoreLoadMaxBytes int64
	// StoreLoadTimeout bounds opening one store, start-up and reloads
	// (STORE_LOAD_TIMEOUT, default 3m); a reload that times out leaves the
	// served store in place.
	StoreLoadTimeout time.Duration
	// VectorBackend is where searches run (VECTOR_BACKEND: memory, the
	// default, the store folder loaded into this process; weaviate, the
	// collection Providers.Weaviate names, and the VECTORSTORE_* settings
	// are unused).
	VectorBackend string

	// Providers holds the model providers and S3 access, which the
	// vectorstore tool reads the same way (LoadProviders).
	Providers

	// APIKeys are the bearer tokens accepted on /search and /query
	// (API_KEYS, comma-separated; empty: those routes are open).
	APIKeys []string
	// AdminToken guards POST /admin/reload (ADMIN_TOKEN; empty: the route
	// answers 403).
	AdminToken string
	// MetricsToken, when set, is the bearer token GET /metrics asks for
	// (METRICS_TOKEN; empty: /metrics is open, as a scraper inside the VPC
	// expects). Behind a public ALB it keeps the runtime and overload
	// figures to the scraper.
	MetricsToken string
	// JWT admits bearer JWTs beside APIKeys; the zero value (no
	// JWT_JWKS_URL) leaves them off. JWT_JWKS_URL (https, or http to a
	// loopback host), JWT_ISSUER (the exact iss) and JWT_AUDIENCE (comma-
	// separated aud or Cognito client_id values) go together;
	// JWT_CLOCK_SKEW (default 30s, at most 5m), JWT_ALGORITHMS (RS256,
	// ES256; default both) and JWT_JWKS_REFRESH (default 1h, at least 1m)
	// tune it. See internal/jwtauth.
	JWT jwtauth.Config

	// LogLevel is the minimum level logged (LOG_LEVEL: debug, info, warn,
	// error; default info).
	LogLevel slog.Level

	// Server timeouts (READ_HEADER_TIMEOUT 10s, READ_TIMEOUT 30s,
	// WRITE_TIMEOUT 60s, IDLE_TIMEOUT 120s). IdleTimeout stays above the
	// ALB's 60 s idle timeout so the ALB, not us, closes idle connections.
	// Streaming answers extend their own write deadline up to QueryTimeout.
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// QueryTimeout bounds one answer (/query, /chat, /v1/chat/completions),
	// streaming included, and one /v1/embeddings (QUERY_TIMEOUT, default
	// 120s).
	QueryTimeout time.Duration
	// SearchTimeout bounds one /search, the query's embedding included
	// (SEARCH_TIMEOUT, default 30s): under the ALB's 60 s idle timeout, so
	// a hung embedder is this server's 504, and the search slot is freed.
	SearchTimeout time.Duration
	// ShutdownTimeout is how long in-flight requests may drain after
	// SIGTERM (SHUTDOWN_TIMEOUT, default 25s; ECS kills at 30 s by default).
	ShutdownTimeout time.Duration
	// MaxBodyBytes caps request bodies (MAX_BODY_BYTES, default 1 MiB).
	MaxBodyBytes int64

	// DefaultTopK is top_k when a request omits it (DEFAULT_TOP_K, 5).
	DefaultTopK int
	// SearchMode is the default retrieval mode (SEARCH_MODE: hybrid
	// (default), vector, keyword).
	SearchMode string
	// SearchEF is the HNSW candidate list size for queries (SEARCH_EF; 0:
	// the store's own default).
	SearchEF int
	// HybridVectorWeight scales the vector ranking's normalised scores in
	// hybrid fusion, the keyword ranking's being 1 (HYBRID_VECTOR_WEIGHT;
	// 0, the default, means the weight measured for the embedder on the
	// evaluation sets, rag.DefaultVectorWeightFor: 2.5 for minilm, 0.15
	// for the rest; raise it for a hosted embedder that beats BM25 on the
	// corpus, measured with vectorstore eval --sweep, see
	// docs/BENCHMARKS.md).
	HybridVectorWeight float64
	// SearchSameSection lets one result hold several chunks of the same
	// section (SEARCH_SAME_SECTION, default false: the best chunk of each
	// section only, rag.Config.SameSection).
	SearchSameSection bool
	// KeywordFeedback turns the keyword search's pseudo-relevance feedback
	// on (KEYWORD_FEEDBACK, default true; rag.Config.KeywordFeedback), and
	// KeywordHeadingWeight scales the heading path's own BM25 score
	// (KEYWORD_HEADING_WEIGHT, 0-10, default 0.2, 0 leaves it out;
	// rag.Config.HeadingWeight). Both measured in docs/BENCHMARKS.md.
	// KeywordSectionWeight scales the BM25 score of a chunk's whole
	// section (KEYWORD_SECTION_WEIGHT, 0-10, default 0.5, 0 leaves it out;
	// rag.Config.SectionWeight), measured in docs/BENCHMARKS.md rounds
	// five, six, twenty-three and thirty-six.
	KeywordFeedback bool
	// KeywordFeedbackMinDocuments is the fewest documents a store must
	// record for feedback to apply (KEYWORD_FEEDBACK_MIN_DOCUMENTS,
	// 0-1000000, default 3: off for stores of one or two documents; 0:
	// every store; rag.Config.FeedbackMinDocuments, docs/BENCHMARKS.md
	// round nine).
	KeywordFeedbackMinDocuments int
	KeywordHeadingWeight        float64
	KeywordSectionWeight        float64
	// SoftMatchWeight is the weight of the soft match that reranks keyword
	// and hybrid candidates by GloVe word vectors (SOFT_MATCH_WEIGHT,
	// 0-10, default 0.5, 0 turns it off; rag.Config.SoftMatch,
	// docs/BENCHMARKS.md round ten).
	SoftMatchWeight float64
	// ContextTokens is the prompt's context budget in estimated tokens
	// (tokens.Estimate; CONTEXT_TOKENS, 3000).
	ContextTokens int
	// HistoryTokens is the budget, in estimated tokens, of a conversation's
	// earlier turns in the prompt; oldest turns are dropped to fit, and the
	// newest user turn, if above it on its own, is cut to half of it
	// (HISTORY_TOKENS, 1500).
	HistoryTokens int
	// MaxMessages is how many of a conversation's newest turns on /query,
	// /chat and /v1/chat/completions are used, the question included;
	// older ones are dropped, not refused (MAX_MESSAGES, 50; at most 1000,
	// the most messages a request may list).
	MaxMessages int
	// MaxQuestionChars bounds a question (/query's question or last
	// message, /search's query), in characters (MAX_QUESTION_CHARS, 4000).
	MaxQuestionChars int
	// MaxConversationChars is how many characters of a conversation's
	// newest turns are used, the question included; older turns are
	// dropped, not refused (MAX_CONVERSATION_CHARS, 32768; at least
	// MAX_QUESTION_CHARS).
	MaxConversationChars int
	// PromptTemplateFile replaces the built-in prompt (PROMPT_TEMPLATE_FILE,
	// a Go text/template file; empty: built in).
	PromptTemplateFile string

	// Overload bound the work each route class may take on at once and how
	// often one client may call it; see Overload.
	Overload Overload
	// MemoryLimitRatio is the share of the container's cgroup memory limit
	// given to the Go runtime as its soft memory limit (MEMORY_LIMIT_RATIO,
	// default 0.85; 0 leaves the runtime's limit alone). An explicit
	// GOMEMLIMIT wins; without a cgroup limit nothing is set.
	MemoryLimitRatio float64
}

// Overload are the overload bounds per route class: search (/search,
// /v1/embeddings), generation (/query, /chat, /v1/chat/completions) and
// admin (/admin/*). The defaults suit a task of 0.5 vCPU and 1 GiB. Its
// fields match httpapi.Overload one for one, so cmd/api converts it.
type Overload struct {
	// Requests served at once per class (MAX_INFLIGHT_SEARCH 8,
	// MAX_INFLIGHT_GENERATION 16, MAX_INFLIGHT_ADMIN 1; 0: unbounded).
	// Generation waits on the model mostly, so it gets more slots.
	SearchInFlight     int
	GenerationInFlight int
	AdminInFlight      int
	// Requests that may wait for a slot per class (MAX_QUEUE_SEARCH 32,
	// MAX_QUEUE_GENERATION 32, MAX_QUEUE_ADMIN 2); beyond them, 503.
	SearchQueue     int
	GenerationQueue int
	AdminQueue      int
	// QueueWait is the longest a request waits for a slot before its 503
	// (MAX_QUEUE_WAIT, default 2s).
	QueueWait time.Duration
	// PerClientInFlight bounds the search or generation requests one
	// client (keyed as the rate limits are) holds at once per class
	// (MAX_INFLIGHT_PER_CLIENT, default 4; 0: no bound); beyond it, 429.
	// Without it one client's slow streams could hold every slot.
	PerClientInFlight int

	// Requests per RateWindow one client may make per class
	// (RATE_LIMIT_SEARCH 120, RATE_LIMIT_GENERATION 30, RATE_LIMIT_ADMIN
	// 10; 0: no limit); beyond them, 429.
	SearchRate     int
	GenerationRate int
	AdminRate      int
	// AuthFailures is how many refused bearer tokens (a key or JWT not
	// accepted, a wrong ADMIN_TOKEN or METRICS_TOKEN) one client address
	// may send per RateWindow (RATE_LIMIT_AUTH_FAILURES, default 20; 0: no
	// limit); beyond them its requests to every route that checks a token
	// get 429 before the token is checked, valid or not.
	AuthFailures int
	// RateWindow is the rate limits' sliding window (RATE_LIMIT_WINDOW,
	// default 1m).
	RateWindow time.Duration
	// RateByAddress keys the rate limits by client address even when
	// API_KEYS is set (RATE_LIMIT_BY=address; default key: by the bearer
	// token's hash with API_KEYS, by address without). One key shared by
	// every browser would otherwise share one budget.
	RateByAddress bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed
	// (TRUSTED_PROXIES, comma-separated CIDRs or addresses, e.g. the ALB's
	// VPC range; default none: the peer is the client). The client is the
	// right-most address not in these ranges.
	TrustedProxies []netip.Prefix
}

// Providers configures the embedders, generators and S3 access, for the
// server and the vectorstore tool alike. Build it with Load or
// LoadProviders, which fill every default.
type Providers struct {
	// AWSRegion is the region for S3 and Bedrock (AWS_REGION; empty: the
	// SDK's default chain, which ECS fills in).
	AWSRegion string
	// S3Endpoint points S3 calls at an S3-compatible server: S3_ENDPOINT,
	// else the AWS tools' AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL.
	// S3ForcePathStyle (S3_FORCE_PATH_STYLE) defaults to true when it is set.
	S3Endpoint       string
	S3ForcePathStyle bool
	// S3PartSizeMB is the byte range, in MiB, one GET fetches when a sync
	// downloads a large object in parallel (S3_PART_SIZE_MB, 1-512,
	// default 8); S3PartConcurrency bounds the GETs in flight over a sync
	// (S3_PART_CONCURRENCY, 1-64, default 8).
	S3PartSizeMB      int
	S3PartConcurrency int
	// S3SyncDurable (S3_SYNC_DURABLE, default false) makes every sync
	// fsync the mirror before swapping it in (s3sync.Config.Durable).
	S3SyncDurable bool

	// Embedder picks the query embedder (EMBEDDER: minilm (default),
	// use-lite-glove, use-lite, hash, openai, bedrock, ollama); EmbeddingModel and EmbeddingDims
	// (EMBEDDING_MODEL, EMBEDDING_DIMS) override the provider's defaults.
	Embedder       string
	EmbeddingModel string
	EmbeddingDims  int

	// LLM picks the answer generator (LLM: extractive (default), openai,
	// bedrock, ollama); LLMModel (LLM_MODEL) overrides its default model.
	LLM      string
	LLMModel string
	// LLMTimeout bounds one model call (LLM_TIMEOUT, default 60s).
	LLMTimeout time.Duration
	// RewriteTimeout bounds the one model call that rewrites a follow-up
	// into a standalone question (REWRITE_TIMEOUT, default 10s); on
	// failure the carried-terms rule stands in (rag.Config.RewriteTimeout).
	RewriteTimeout time.Duration

	// OpenAIAPIKey and OpenAIBaseURL configure OpenAI-compatible servers
	// (OPENAI_API_KEY; OPENAI_BASE_URL, default https://api.openai.com/v1).
	OpenAIAPIKey  string
	OpenAIBaseURL string
	// OllamaBaseURL is the Ollama server (OLLAMA_BASE_URL, default
	// http://localhost:11434).
	OllamaBaseURL string
	// KeywordJapanese is how keyword search splits Japanese text
	// (KEYWORD_JAPANESE): bigram, overlapping character pairs; kagome,
	// words found by the Kagome morphological analyzer with the IPA
	// dictionary, which ranks Japanese documents better but holds about
	// 36 MB more heap and takes about 0.5 s to load (see
	// internal/keyword/kagome); auto (default), kagome for a store with
	// Japanese text (keyword.HasJapanese) and bigram for any other, so
	// an English or Chinese store pays nothing for the dictionary.
	KeywordJapanese string

	// Weaviate is the Weaviate backend (VECTOR_BACKEND=weaviate) and the
	// default connection of vectorstore push to weaviate://.
	Weaviate Weaviate
}

// Weaviate says how to reach Weaviate.
type Weaviate struct {
	// URL is the REST endpoint (WEAVIATE_URL, http://HOST:PORT, or
	// https://HOST:PORT for TLS; required with VECTOR_BACKEND=weaviate).
	URL string
	// GRPCAddr is the gRPC endpoint (WEAVIATE_GRPC_ADDR, HOST:PORT;
	// default: URL's host, port 50051).
	GRPCAddr string
	// APIKey is sent as a bearer token (WEAVIATE_API_KEY; empty: none).
	APIKey string
	// Collection is the alias searched and pushed to
	// (WEAVIATE_COLLECTION, default Vendor0919; a capital letter, then
	// letters, digits, _).
	Collection string
	// CAFile is a PEM bundle trusted for REST over TLS (WEAVIATE_CA_FILE;
	// empty: the system's).
	CAFile string
	// Timeout bounds one call to Weaviate, each retry included
	// (WEAVIATE_TIMEOUT, default 5s; 2 attempts).
	Timeout time.Duration
	// Consistency is the read consistency level (WEAVIATE_CONSISTENCY:
	// ONE, QUORUM (default), ALL).
	Consistency string
	// Fusion is how hybrid search fuses (WEAVIATE_FUSION: weaviate, the
	// default, Weaviate's relativeScoreFusion in one search; service, the
	// embedded store's fusion over two to four searches). They measured
	// alike on the evaluation sets, Weaviate's a little better and faster
	// (docs/SCALING.md).
	Fusion string
	// HealthInterval is how often /ready re-checks Weaviate
	// (WEAVIATE_HEALTH_INTERVAL, default 5s).
	HealthInterval time.Duration
	// UnverifiedGRPCTLS accepts an https:// URL although the official
	// client's gRPC transport, which carries searches and batches, does
	// not verify the server's certificate (WEAVIATE_GRPC_UNVERIFIED_TLS,
	// default false: weaviatestore refuses such a URL, so nobody believes
	// the traffic authenticated when it is only encrypted).
	UnverifiedGRPCTLS bool
}

// HealthURL is the URL the container's health check probes: /health on
// the loopback at PORT (default 8080). It reads PORT alone and does not
// validate it, so a probe still runs (and fails) when the rest of the
// configuration is broken.
func HealthURL(getenv func(string) string) string {
	p := parser{getenv: getenv}
	return "http://127.0.0.1:" + p.str("PORT", "8080") + "/health"
}

// Addr returns the listen address, host:port.
func (c Config) Addr() string { return c.Host + ":" + strconv.Itoa(c.Port) }

// LogValue logs the configuration with secrets redacted: keys and tokens
// as whether they are set, URLs without the password their user info may
// hold (redactURL).
func (c Config) LogValue() slog.Value {
	origins := make([]string, len(c.CORSAllowOrigins))
	for i, o := range c.CORSAllowOrigins {
		origins[i] = redactURL(o)
	}
	return slog.GroupValue(
		slog.String("addr", c.Addr()),
		slog.Any("cors_allow_origins", origins),
		slog.String("vectorstore_dir", c.VectorStoreDir),
		slog.String("vectorstore_index_name", c.VectorStoreIndexName),
		slog.String("vectorstore_s3_uri", redactURL(c.VectorStoreS3URI)),
		slog.String("s3_endpoint", redactURL(c.S3Endpoint)),
		slog.String("embedder", c.Embedder),
		slog.String("embedding_model", c.EmbeddingModel),
		slog.String("llm", c.LLM),
		slog.String("llm_model", c.LLMModel),
		slog.Bool("openai_api_key_set", c.OpenAIAPIKey != ""),
		slog.Int("api_keys", len(c.APIKeys)),
		slog.Bool("admin_token_set", c.AdminToken != ""),
		slog.Bool("metrics_token_set", c.MetricsToken != ""),
		slog.String("jwt_issuer", c.JWT.Issuer),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.String("search_mode", c.SearchMode),
		slog.String("keyword_japanese", c.KeywordJapanese),
		slog.Any("limits", c.Overload),
		slog.Float64("memory_limit_ratio", c.MemoryLimitRatio),
		slog.String("vector_backend", c.VectorBackend),
		slog.String("weaviate_url", redactURL(c.Weaviate.URL)),
		slog.String("weaviate_collection", c.Weaviate.Collection),
		slog.Bool("weaviate_api_key_set", c.Weaviate.APIKey != ""),
	)
}

// Load reads the configuration through getenv (os.Getenv in production, a
// map in tests). The error, when not nil, joins one error per bad variable.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	c := Config{
		Host:                        p.str("HOST", ""),
		Port:                        p.intRange("PORT", 8080, 1, 65535),
		CORSAllowOrigins:            p.origins("CORS_ALLOW_ORIGINS", "http://localhost:3000"),
		CORSAllowOriginRegex:        p.regexp("CORS_ALLOW_ORIGIN_REGEX"),
		VectorStoreDir:              p.str("VECTORSTORE_DIR", "/app/vectorstore"),
		VectorStoreIndexName:        p.indexName("VECTORSTORE_INDEX_NAME"),
		VectorStoreS3URI:            p.s3URI("VECTORSTORE_S3_URI"),
		SyncTimeout:                 p.duration("SYNC_TIMEOUT", 2*time.Minute, time.Second),
		SyncInterval:                p.durationOrZero("SYNC_INTERVAL", time.Minute),
		StoreLoadMaxBytes:           p.byteSize("STORE_LOAD_MAX_BYTES", 1<<20),
		StoreLoadTimeout:            p.duration("STORE_LOAD_TIMEOUT", 3*time.Minute, time.Second),
		VectorBackend:               p.oneOf("VECTOR_BACKEND", "memory", backends),
		Providers:                   p.providers(),
		APIKeys:                     p.keys("API_KEYS"),
		AdminToken:                  p.str("ADMIN_TOKEN", ""),
		MetricsToken:                p.str("METRICS_TOKEN", ""),
		JWT:                         p.jwt(),
		LogLevel:                    p.level("LOG_LEVEL"),
		ReadHeaderTimeout:           p.duration("READ_HEADER_TIMEOUT", 10*time.Second, time.Millisecond),
		ReadTimeout:                 p.duration("READ_TIMEOUT", 30*time.Second, time.Millisecond),
		WriteTimeout:                p.duration("WRITE_TIMEOUT", 60*time.Second, time.Millisecond),
		IdleTimeout:                 p.duration("IDLE_TIMEOUT", 120*time.Second, time.Millisecond),
		QueryTimeout:                p.duration("QUERY_TIMEOUT", 120*time.Second, time.Second),
		SearchTimeout:               p.duration("SEARCH_TIMEOUT", 30*time.Second, time.Second),
		ShutdownTimeout:             p.duration("SHUTDOWN_TIMEOUT", 25*time.Second, 0),
		MaxBodyBytes:                int64(p.intRange("MAX_BODY_BYTES", 1<<20, 1024, 64<<20)),
		DefaultTopK:                 p.intRange("DEFAULT_TOP_K", 5, 1, 50),
		SearchMode:                  p.oneOf("SEARCH_MODE", "hybrid", modes),
		SearchEF:                    p.intRange("SEARCH_EF", 0, 0, 10000),
		HybridVectorWeight:          p.floatRange("HYBRID_VECTOR_WEIGHT", 0, 0.01, 100),
		SearchSameSection:           p.boolean("SEARCH_SAME_SECTION", false),
		KeywordFeedback:             p.boolean("KEYWORD_FEEDBACK", true),
		KeywordFeedbackMinDocuments: p.intRange("KEYWORD_FEEDBACK_MIN_DOCUMENTS", 3, 0, 1_000_000),
		KeywordHeadingWeight:        p.floatRange("KEYWORD_HEADING_WEIGHT", 0.2, 0, 10),
		KeywordSectionWeight:        p.floatRange("KEYWORD_SECTION_WEIGHT", 0.5, 0, 10),
		SoftMatchWeight:             p.floatRange("SOFT_MATCH_WEIGHT", 0.5, 0, 10),
		ContextTokens:               p.intRange("CONTEXT_TOKENS", 3000, 100, 1_000_000),
		HistoryTokens:               p.intRange("HISTORY_TOKENS", 1500, 100, 100_000),
		MaxMessages:                 p.intRange("MAX_MESSAGES", 50, 1, 1000),
		MaxQuestionChars:            p.intRange("MAX_QUESTION_CHARS", 4000, 10, 100_000),
		MaxConversationChars:        p.intRange("MAX_CONVERSATION_CHARS", 32<<10, 10, 1_000_000),
		PromptTemplateFile:          p.str("PROMPT_TEMPLATE_FILE", ""),
		Overload:                    p.overload(),
		MemoryLimitRatio:            p.floatRange("MEMORY_LIMIT_RATIO", 0.85, 0, 1),
	}
	// Cross-field rules.
	if c.ShutdownTimeout > 110*time.Second {
		p.fail("SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String(), "at most 110s (Fargate's stopTimeout tops out at 120s)")
	}
	if c.MaxConversationChars < c.MaxQuestionChars && !p.failed("MAX_CONVERSATION_CHARS") && !p.failed("MAX_QUESTION_CHARS") {
		want := "at least MAX_QUESTION_CHARS (" + strconv.Itoa(c.MaxQuestionChars) + ")"
		value := strconv.Itoa(c.MaxConversationChars)
		if _, set := p.lookup("MAX_CONVERSATION_CHARS"); !set {
			// Only MAX_QUESTION_CHARS was set: the other is its default.
			want += ": its default is " + value + "; set it too"
			value = ""
		}
		p.fail("MAX_CONVERSATION_CHARS", value, want)
	}
	if c.VectorStoreDir == "" {
		p.fail("VECTORSTORE_DIR", "", "a folder path")
	}
	if c.VectorBackend == "weaviate" && c.Weaviate.URL == "" {
		p.fail("WEAVIATE_URL", "", "an http:// or https:// URL when VECTOR_BACKEND is weaviate")
	}
	p.errs = append(p.errs, c.check()...)
	return c, errors.Join(p.errs...)
}

// overload reads the overload bounds (see Overload).
func (p *parser) overload() Overload {
	return Overload{
		SearchInFlight:     p.intRange("MAX_INFLIGHT_SEARCH", 8, 0, 100_000),
		GenerationInFlight: p.intRange("MAX_INFLIGHT_GENERATION", 16, 0, 100_000),
		AdminInFlight:      p.intRange("MAX_INFLIGHT_ADMIN", 1, 0, 100_000),
		SearchQueue:        p.intRange("MAX_QUEUE_SEARCH", 32, 0, 100_000),
		GenerationQueue:    p.intRange("MAX_QUEUE_GENERATION", 32, 0, 100_000),
		AdminQueue:         p.intRange("MAX_QUEUE_ADMIN", 2, 0, 100_000),
		QueueWait:          p.duration("MAX_QUEUE_WAIT", 2*time.Second, time.Millisecond),
		PerClientInFlight:  p.intRange("MAX_INFLIGHT_PER_CLIENT", 4, 0, 100_000),
		SearchRate:         p.intRange("RATE_LIMIT_SEARCH", 120, 0, 1_000_000),
		GenerationRate:     p.intRange("RATE_LIMIT_GENERATION", 30, 0, 1_000_000),
		AdminRate:          p.intRange("RATE_LIMIT_ADMIN", 10, 0, 1_000_000),
		AuthFailures:       p.intRange("RATE_LIMIT_AUTH_FAILURES", 20, 0, 1_000_000),
		RateWindow:         p.duration("RATE_LIMIT_WINDOW", time.Minute, time.Second),
		RateByAddress:      p.oneOf("RATE_LIMIT_BY", "key", []string{"key", "address"}) == "address",
		TrustedProxies:     p.prefixes("TRUSTED_PROXIES"),
	}
}

// prefixes reads comma-separated CIDRs; a bare address is its own /32 or
// /128.
func (p *parser) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range p.list(name) {
		pr, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				p.fail(name, s, "CIDRs such as 10.0.0.0/16 or addresses, comma-separated")
				continue
			}
			pr = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, pr.Masked())
	}
	return out
}

// LoadProviders reads only the Providers variables, as Load does, for a
// command that serves nothing. The error joins one error per bad variable.
func LoadProviders(getenv func(string) string) (Providers, error) {
	p := parser{getenv: getenv}
	pr := p.providers()
	p.errs = append(p.errs, pr.check()...)
	return pr, errors.Join(p.errs...)
}

// Validate reports the rules between provider settings, for a caller that
// changed them after loading (e.g. from a flag).
func (pr Providers) Validate() error { return errors.Join(pr.check()...) }

func (p *parser) providers() Providers {
	pr := Providers{
		AWSRegion:      p.str("AWS_REGION", ""),
		S3Endpoint:     p.s3Endpoint(),
		Embedder:       p.oneOf("EMBEDDER", docmodel.ProviderMiniLM, embedders),
		EmbeddingModel: p.str("EMBEDDING_MODEL", ""),
		EmbeddingDims:  p.intRange("EMBEDDING_DIMS", 0, 0, 65536),
		LLM:            p.oneOf("LLM", "extractive", generators),
		LLMModel:       p.str("LLM_MODEL", ""),
		LLMTimeout:     p.duration("LLM_TIMEOUT", 60*time.Second, time.Second),
		RewriteTimeout: p.duration("REWRITE_TIMEOUT", 10*time.Second, time.Second),
		OpenAIAPIKey:   p.str("OPENAI_API_KEY", ""),
		OpenAIBaseURL:  p.url("OPENAI_BASE_URL", "https://api.openai.com/v1"),
		OllamaBaseURL:  p.url("OLLAMA_BASE_URL", "http://localhost:11434"),
		// Both binaries index keywords the same way, so eval and search
		// measure what the server serves.
		KeywordJapanese: p.oneOf("KEYWORD_JAPANESE", "auto", jaKeyword),
		Weaviate: Weaviate{
			URL:            p.url("WEAVIATE_URL", ""),
			GRPCAddr:       p.hostPort("WEAVIATE_GRPC_ADDR"),
			APIKey:         p.str("WEAVIATE_API_KEY", ""),
			Collection:     p.collection("WEAVIATE_COLLECTION", "Vendor0919"),
			CAFile:         p.str("WEAVIATE_CA_FILE", ""),
			Timeout:        p.duration("WEAVIATE_TIMEOUT", 5*time.Second, 100*time.Millisecond),
			Consistency:    strings.ToUpper(p.oneOf("WEAVIATE_CONSISTENCY", "quorum", consistent)),
			Fusion:         p.oneOf("WEAVIATE_FUSION", "weaviate", fusions),
			HealthInterval: p.duration("WEAVIATE_HEALTH_INTERVAL", 5*time.Second, 100*time.Millisecond),
		},
	}
	pr.Weaviate.UnverifiedGRPCTLS = p.boolean("WEAVIATE_GRPC_UNVERIFIED_TLS", false)
	pr.S3ForcePathStyle = p.boolean("S3_FORCE_PATH_STYLE", pr.S3Endpoint != "")
	pr.S3PartSizeMB = p.intRange("S3_PART_SIZE_MB", 8, 1, 512)
	pr.S3PartConcurrency = p.intRange("S3_PART_CONCURRENCY", 8, 1, 64)
	pr.S3SyncDurable = p.boolean("S3_SYNC_DURABLE", false)
	return pr
}

// s3Endpoint takes the first of S3_ENDPOINT, AWS_ENDPOINT_URL_S3 and
// AWS_ENDPOINT_URL that is set: ours first, then the AWS tools' own, the
// service-specific one before the global one, as the AWS CLI ranks them.
func (p *parser) s3Endpoint() string {
	for _, name := range []string{"S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		if _, ok := p.lookup(name); ok {
			return p.url(name, "")
		}
	}
	return ""
}

// check returns one error per broken rule between provider settings.
func (pr Providers) check() []error {
	var p parser
	if pr.Embedder == docmodel.ProviderOpenAI || pr.LLM == "openai" {
		if pr.OpenAIAPIKey == "" && pr.OpenAIBaseURL == "https://api.openai.com/v1" {
			p.fail("OPENAI_API_KEY", "", "set when EMBEDDER or LLM is openai and OPENAI_BASE_URL is api.openai.com")
		}
	}
	if pr.Embedder == docmodel.ProviderOllama && pr.EmbeddingModel == "" {
		p.fail("EMBEDDING_MODEL", "", "a model name when EMBEDDER is ollama")
	}
	if (pr.LLM == "ollama" || pr.LLM == "bedrock") && pr.LLMModel == "" {
		what := "a Bedrock model or inference profile id"
		if pr.LLM == "ollama" {
			what = "an Ollama model name"
		}
		p.fail("LLM_MODEL", "", what+" when LLM is "+pr.LLM)
	}
	return p.errs
}

// parser reads variables and records one error per bad one.
type parser struct {
	getenv func(string) string
	errs   []error
	bad    map[string]bool // the names fail refused
}

func (p *parser) fail(name, value, want string) {
	if p.bad == nil {
		p.bad = map[string]bool{}
	}
	p.bad[name] = true
	if value == "" {
		p.errs = append(p.errs, invalidError(fmt.Sprintf("config: %s: want %s", name, want)))
		return
	}
	p.errs = append(p.errs, invalidError(fmt.Sprintf("config: %s=%q: want %s", name, value, want)))
}

// ErrInvalid matches (errors.Is) every error Load, LoadProviders and
// Validate return for a bad setting: the operator's to fix, so a command
// line tool exits as for a bad flag.
var ErrInvalid = errors.New("config: invalid setting")

// invalidError is one bad setting's message; it is ErrInvalid.
type invalidError string

func (e invalidError) Error() string        { return string(e) }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

// failed reports whether name has already been refused: a rule across
// fields then does not judge its default as if it were the value given.
func (p *parser) failed(name string) bool {
	return p.bad[name]
}

func (p *parser) lookup(name string) (string, bool) {
	v := strings.TrimSpace(p.getenv(name))
	return v, v != ""
}

func (p *parser) str(name, def string) string {
	if v, ok := p.lookup(name); ok {
		return v
	}
	return def
}

func (p *parser) intRange(name string, def, lo, hi int) int {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(name, v, fmt.Sprintf("an integer from %d to %d", lo, hi))
		return def
	}
	return n
}

// byteSize reads a byte count: 0 (the default: derived elsewhere) or at
// least lo.
func (p *parser) byteSize(name string, lo int64) int64 {
	v, ok := p.lookup(name)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || (n > 0 && n < lo) {
		p.fail(name, v, fmt.Sprintf("0 (derived from the memory limit) or a byte count of at least %d", lo))
		return 0
	}
	return n
}

func (p *parser) floatRange(name string, def, lo, hi float64) float64 {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi {
		p.fail(name, v, fmt.Sprintf("a number from %g to %g", lo, hi))
		return def
	}
	return f
}

func (p *parser) boolean(name string, def bool) bool {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(name, v, "true or false")
		return def
	}
	return b
}

func (p *parser) duration(name string, def, min time.Duration) time.Duration {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min {
		p.fail(name, v, fmt.Sprintf("a duration such as 30s or 2m, at least %s", min))
		return def
	}
	return d
}

// durationOrZero is duration where "0" disables the feature and any other
// value must be at least min.
func (p *parser) durationOrZero(name string, min time.Duration) time.Duration {
	v, ok := p.lookup(name)
	if !ok || v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min {
		p.fail(name, v, fmt.Sprintf("0 (off) or a duration of at least %s", min))
		return 0
	}
	return d
}

func (p *parser) oneOf(name, def string, allowed []string) string {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	v = strings.ToLower(v)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, v, "one of "+strings.Join(allowed, ", "))
	return def
}

// indexName reads a LangChain index_name; store owns the rule for what
// may name the folder's files.
func (p *parser) indexName(name string) string {
	v, ok := p.lookup(name)
	if !ok {
		return store.DefaultIndexName
	}
	if err := store.CheckIndexName(v); err != nil {
		p.fail(name, v, "a LangChain index_name, a plain file stem such as faiss_index (it "+err.Error()+")")
		return store.DefaultIndexName
	}
	return v
}

func (p *parser) list(name string) []string {
	v, _ := p.lookup(name)
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// keys reads a comma-separated list of secrets. A value that is set but
// holds no key (" , ") would leave the routes it guards open without a
// word, so it is an error; the value is never echoed.
func (p *parser) keys(name string) []string {
	out := p.list(name)
	if v, _ := p.lookup(name); len(out) == 0 && strings.TrimSpace(v) != "" {
		p.fail(name, "", "at least one non-empty key between the commas, or unset (routes open)")
	}
	return out
}

// jwtVars go together: one set without the others is a configuration
// error, as a JWT check without an issuer or audience would admit tokens
// minted for any other application.
var jwtVars = []string{"JWT_JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"}

// jwt reads the JWT_* variables; with none of jwtVars set JWT auth is off
// and the tuning variables are ignored.
func (p *parser) jwt() jwtauth.Config {
	set := 0
	for _, name := range jwtVars {
		if _, ok := p.lookup(name); ok {
			set++
		}
	}
	if set == 0 {
		return jwtauth.Config{}
	}
	if set < len(jwtVars) {
		for _, name := range jwtVars {
			if _, ok := p.lookup(name); !ok {
				p.fail(name, "", "a value: JWT_JWKS_URL, JWT_ISSUER and JWT_AUDIENCE turn JWT auth on together")
			}
		}
	}
	c := jwtauth.Config{
		JWKSURL:         p.jwksURL("JWT_JWKS_URL"),
		Issuer:          p.str("JWT_ISSUER", ""),
		Audiences:       p.list("JWT_AUDIENCE"),
		ClockSkew:       p.duration("JWT_CLOCK_SKEW", 30*time.Second, 0),
		Algorithms:      p.algorithms("JWT_ALGORITHMS"),
		RefreshInterval: p.duration("JWT_JWKS_REFRESH", time.Hour, time.Minute),
	}
	if v, ok := p.lookup("JWT_AUDIENCE"); ok && len(c.Audiences) == 0 {
		p.fail("JWT_AUDIENCE", v, "at least one audience (app client id) between the commas")
	}
	if c.ClockSkew > 5*time.Minute {
		p.fail("JWT_CLOCK_SKEW", c.ClockSkew.String(), "at most 5m")
	}
	return c
}

// jwksURL reads the JWK Set's URL: https, since whoever can change the
// keys in transit can mint tokens; plain http only to a loopback host.
func (p *parser) jwksURL(name string) string {
	v, ok := p.lookup(name)
	if !ok {
		return ""
	}
	u, err := url.Parse(v)
	if err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http" && isLoopback(u.Hostname())) {
		return v
	}
	p.fail(name, redactURL(v), "an https:// URL (http:// only to localhost or a loopback address)")
	return ""
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// algorithms reads a comma-separated subset of RS256 and ES256 (nil:
// both, the verifier's default).
func (p *parser) algorithms(name string) []string {
	var out []string
	for _, a := range p.list(name) {
		a = strings.ToUpper(a)
		if a != jwtauth.RS256 && a != jwtauth.ES256 {
			p.fail(name, a, "RS256, ES256 or both, comma-separated")
			continue
		}
		out = append(out, a)
	}
	return out
}

func (p *parser) origins(name, def string) []string {
	if _, ok := p.lookup(name); !ok {
		return []string{def}
	}
	out := p.list(name)
	for i, o := range out {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
			p.fail(name, redactURL(o), "origins like https://main.example.amplifyapp.com or http://localhost:3000 (scheme://host[:port], no path), comma-separated")
			continue
		}
		// A browser sends its origin serialized: scheme and host in lower
		// case, no default port. Stored so, "HTTPS://Main.example.com:443"
		// matches; stored as written it never would, and every request
		// would be refused without a word.
		host := strings.ToLower(u.Host)
		host = strings.TrimSuffix(host, map[string]string{"http": ":80", "https": ":443"}[u.Scheme])
		out[i] = u.Scheme + "://" + host
	}
	return out
}

func (p *parser) regexp(name string) *regexp.Regexp {
	v, ok := p.lookup(name)
	if !ok {
		return nil
	}
	re, err := regexp.Compile("^(?:" + v + ")$")
	if err != nil {
		p.fail(name, v, "a valid regular expression ("+err.Error()+")")
		return nil
	}
	return re
}

func (p *parser) url(name, def string) string {
	v, ok := p.lookup(name)
	if !ok {
		return def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, redactURL(v), "an http:// or https:// URL")
		return def
	}
	return strings.TrimSuffix(v, "/")
}

// redactURL returns the URL s fit for a log line or an error: user info,
// which may hold a password (S3_ENDPOINT=http://user:pass@proxy), keeps
// the user name and loses the password (url.URL.Redacted), or is replaced
// whole when it is a lone name, often a token. A value that is not a URL
// with a host (it failed validation, or has no scheme) is cut by hand:
// everything between the scheme and the last "@" goes.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err == nil && u.Host != "" && u.Opaque == "" {
		if u.User == nil {
			return s
		}
		if _, ok := u.User.Password(); !ok {
			u.User = url.User("xxxxx")
		}
		return u.Redacted()
	}
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	start := 0
	if i := strings.Index(s, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return s[:start] + "xxxxx" + s[at:]
}

var collectionName = regexp.MustCompile(`^[A-Z][_0-9A-Za-z]{0,99}$`)

func (p *parser) collection(name, def string) string {
	v := p.str(name, def)
	if !collectionName.MatchString(v) {
		p.fail(name, v, "a capital letter, then up to 99 letters, digits or _")
		return def
	}
	return v
}

func (p *parser) hostPort(name string) string {
	v := p.str(name, "")
	if v == "" {
		return ""
	}
	// A port the dialer cannot use ("grpc", 0, 70000) would only fail at
	// the first connection, after start-up said the settings were fine.
	if _, port, err := net.SplitHostPort(v); err != nil || !validPort(port) {
		p.fail(name, redactURL(v), "HOST:PORT with a port from 1 to 65535")
		return ""
	}
	return v
}

// validPort reports whether s is a decimal port number from 1 to 65535.
func validPort(s string) bool {
	n, err := strconv.ParseUint(s, 10, 16)
	return err == nil && n > 0
}

func (p *parser) s3URI(name string) string {
	v, ok := p.lookup(name)
	if !ok {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		p.fail(name, redactURL(v), "s3://bucket/prefix")
		return ""
	}
	return v
}

func (p *parser) level(name string) slog.Level {
	v, ok := p.lookup(name)
	if !ok {
		return slog.LevelInfo
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		p.fail(name, v, "debug, info, warn or error")
		return slog.LevelInfo
	}
	return l
}
