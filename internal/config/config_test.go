package config

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/jwtauth"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad_Defaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Port", c.Port, 8080},
		{"Addr", c.Addr(), ":8080"},
		{"CORS", strings.Join(c.CORSAllowOrigins, ","), "http://localhost:3000"},
		{"VectorStoreDir", c.VectorStoreDir, "/app/vectorstore"},
		{"VectorStoreIndexName", c.VectorStoreIndexName, "index"},
		{"Embedder", c.Embedder, "minilm"},
		{"HybridVectorWeight", c.HybridVectorWeight, 0.0},
		{"LLM", c.LLM, "extractive"},
		{"LogLevel", c.LogLevel, slog.LevelInfo},
		{"ShutdownTimeout", c.ShutdownTimeout, 25 * time.Second},
		{"MaxBodyBytes", c.MaxBodyBytes, int64(1 << 20)},
		{"S3ForcePathStyle", c.S3ForcePathStyle, false},
		{"S3PartSizeMB", c.S3PartSizeMB, 8},
		{"S3PartConcurrency", c.S3PartConcurrency, 8},
		{"S3SyncDurable", c.S3SyncDurable, false},
		{"SyncInterval", c.SyncInterval, time.Duration(0)},
		{"SearchMode", c.SearchMode, "hybrid"},
		{"KeywordJapanese", c.KeywordJapanese, "auto"},
		{"HistoryTokens", c.HistoryTokens, 1500},
		{"MaxMessages", c.MaxMessages, 50},
		{"SearchSameSection", c.SearchSameSection, false},
		{"KeywordFeedback", c.KeywordFeedback, true},
		{"KeywordFeedbackMinDocuments", c.KeywordFeedbackMinDocuments, 3},
		{"KeywordHeadingWeight", c.KeywordHeadingWeight, 0.2},
		{"SoftMatchWeight", c.SoftMatchWeight, 0.5},
		{"KeywordSectionWeight", c.KeywordSectionWeight, 0.5},
		{"StoreLoadMaxBytes", c.StoreLoadMaxBytes, int64(0)},
		{"StoreLoadTimeout", c.StoreLoadTimeout, 3 * time.Minute},
		{"MaxQuestionChars", c.MaxQuestionChars, 4000},
		{"MaxConversationChars", c.MaxConversationChars, 32768},
		{"SearchInFlight", c.Overload.SearchInFlight, 8},
		{"GenerationInFlight", c.Overload.GenerationInFlight, 16},
		{"AdminInFlight", c.Overload.AdminInFlight, 1},
		{"SearchQueue", c.Overload.SearchQueue, 32},
		{"GenerationQueue", c.Overload.GenerationQueue, 32},
		{"AdminQueue", c.Overload.AdminQueue, 2},
		{"QueueWait", c.Overload.QueueWait, 2 * time.Second},
		{"PerClientInFlight", c.Overload.PerClientInFlight, 4},
		{"SearchRate", c.Overload.SearchRate, 120},
		{"GenerationRate", c.Overload.GenerationRate, 30},
		{"AdminRate", c.Overload.AdminRate, 10},
		{"AuthFailures", c.Overload.AuthFailures, 20},
		{"RateWindow", c.Overload.RateWindow, time.Minute},
		{"RateByAddress", c.Overload.RateByAddress, false},
		{"TrustedProxies", len(c.Overload.TrustedProxies), 0},
		{"MemoryLimitRatio", c.MemoryLimitRatio, 0.85},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoad_Values(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"PORT":                    "9090",
		"CORS_ALLOW_ORIGINS":      "https://main.d1.amplifyapp.com/, http://localhost:3000, HTTPS://Main.D2.amplifyapp.com:443, http://[::1]:80, https://x.example:8443",
		"CORS_ALLOW_ORIGIN_REGEX": `https://[a-z0-9-]+\.d1\.amplifyapp\.com`,
		"VECTORSTORE_S3_URI":      "s3://vendor-rag-0919/vectorstore/prod",
		"S3_ENDPOINT":             "http://127.0.0.1:7070/",
		"SYNC_INTERVAL":           "5m",
		"EMBEDDER":                "HASH",
		"API_KEYS":                "a, b,,",
		"LOG_LEVEL":               "debug",
		"SHUTDOWN_TIMEOUT":        "5s",
		"KEYWORD_JAPANESE":        "Kagome",
		"VECTORSTORE_INDEX_NAME":  " faiss_index ",
		"HISTORY_TOKENS":          "600",
		"MAX_MESSAGES":            "7",
		"SEARCH_SAME_SECTION":     "true",
		"STORE_LOAD_MAX_BYTES":    "536870912",
		"STORE_LOAD_TIMEOUT":      "90s",
		"SEARCH_TIMEOUT":          "15s",
		"MAX_QUESTION_CHARS":      "500",
		"MAX_CONVERSATION_CHARS":  "5000",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Port != 9090 || c.Embedder != "hash" || c.LogLevel != slog.LevelDebug || c.ShutdownTimeout != 5*time.Second {
		t.Errorf("scalars: %+v", c)
	}
	// As a browser serializes its origin: lower case, no default port.
	if got := strings.Join(c.CORSAllowOrigins, "|"); got != "https://main.d1.amplifyapp.com|http://localhost:3000|https://main.d2.amplifyapp.com|http://[::1]|https://x.example:8443" {
		t.Errorf("origins = %q", got)
	}
	if !c.CORSAllowOriginRegex.MatchString("https://pr-12.d1.amplifyapp.com") || c.CORSAllowOriginRegex.MatchString("https://evil.com/https://pr-12.d1.amplifyapp.com") {
		t.Errorf("origin regex must match whole origins only")
	}
	if c.S3Endpoint != "http://127.0.0.1:7070" || !c.S3ForcePathStyle {
		t.Errorf("s3 endpoint %q path style %v", c.S3Endpoint, c.S3ForcePathStyle)
	}
	if len(c.APIKeys) != 2 || c.SyncInterval != 5*time.Minute {
		t.Errorf("api keys %q interval %v", c.APIKeys, c.SyncInterval)
	}
	if c.KeywordJapanese != "kagome" {
		t.Errorf("keyword japanese = %q", c.KeywordJapanese)
	}
	if c.VectorStoreIndexName != "faiss_index" {
		t.Errorf("index name = %q", c.VectorStoreIndexName)
	}
	if c.HistoryTokens != 600 || c.MaxMessages != 7 || c.MaxQuestionChars != 500 || c.MaxConversationChars != 5000 {
		t.Errorf("history tokens %d, max messages %d, question %d, conversation %d", c.HistoryTokens, c.MaxMessages, c.MaxQuestionChars, c.MaxConversationChars)
	}
	if !c.SearchSameSection {
		t.Error("SEARCH_SAME_SECTION=true not read")
	}
	if c.SearchTimeout != 15*time.Second {
		t.Errorf("search timeout %v", c.SearchTimeout)
	}
	if c.StoreLoadMaxBytes != 512<<20 || c.StoreLoadTimeout != 90*time.Second {
		t.Errorf("store load max bytes %d, timeout %v", c.StoreLoadMaxBytes, c.StoreLoadTimeout)
	}
}

func TestLoad_Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantSub []string
	}{
		{"port not a number", map[string]string{"PORT": "eighty"}, []string{`PORT="eighty"`, "integer from 1 to 65535"}},
		{"port out of range", map[string]string{"PORT": "70000"}, []string{"PORT"}},
		{"origin with path", map[string]string{"CORS_ALLOW_ORIGINS": "http://x.com/app"}, []string{"CORS_ALLOW_ORIGINS", "no path"}},
		{"origin without scheme", map[string]string{"CORS_ALLOW_ORIGINS": "localhost:3000"}, []string{"CORS_ALLOW_ORIGINS"}},
		// A browser never sends these in Origin: refused, not kept to
		// match nothing.
		{"origin with user info", map[string]string{"CORS_ALLOW_ORIGINS": "https://user@app.example.com"}, []string{"CORS_ALLOW_ORIGINS"}},
		{"origin with fragment", map[string]string{"CORS_ALLOW_ORIGINS": "https://app.example.com#x"}, []string{"CORS_ALLOW_ORIGINS"}},
		{"bad regex", map[string]string{"CORS_ALLOW_ORIGIN_REGEX": "("}, []string{"CORS_ALLOW_ORIGIN_REGEX"}},
		{"s3 uri", map[string]string{"VECTORSTORE_S3_URI": "vendor-rag-0919/prod"}, []string{"VECTORSTORE_S3_URI", "s3://bucket/prefix"}},
		{"embedder", map[string]string{"EMBEDDER": "bert"}, []string{"EMBEDDER", "use-lite"}},
		{"llm", map[string]string{"LLM": "gpt"}, []string{"LLM", "extractive"}},
		{"duration", map[string]string{"SYNC_TIMEOUT": "soon"}, []string{"SYNC_TIMEOUT", "duration"}},
		{"shutdown too long", map[string]string{"SHUTDOWN_TIMEOUT": "5m"}, []string{"SHUTDOWN_TIMEOUT", "110s"}},
		{"log level", map[string]string{"LOG_LEVEL": "loud"}, []string{"LOG_LEVEL"}},
		{"openai needs key", map[string]string{"LLM": "openai"}, []string{"OPENAI_API_KEY"}},
		{"ollama needs model", map[string]string{"LLM": "ollama"}, []string{"LLM_MODEL"}},
		{"body limit", map[string]string{"MAX_BODY_BYTES": "1"}, []string{"MAX_BODY_BYTES"}},
		{"sync interval too short", map[string]string{"SYNC_INTERVAL": "1s"}, []string{"SYNC_INTERVAL", "0 (off)"}},
		{"url", map[string]string{"OPENAI_BASE_URL": "ftp://x"}, []string{"OPENAI_BASE_URL", "http"}},
		{"vector weight", map[string]string{"HYBRID_VECTOR_WEIGHT": "0"}, []string{"HYBRID_VECTOR_WEIGHT", "0.01 to 100"}},
		{"history tokens", map[string]string{"HISTORY_TOKENS": "10"}, []string{"HISTORY_TOKENS"}},
		{"max messages", map[string]string{"MAX_MESSAGES": "0"}, []string{"MAX_MESSAGES"}},
		// The window never exceeds rag.MaxListedMessages, the list a request may carry.
		{"max messages above the listable", map[string]string{"MAX_MESSAGES": "1001"}, []string{"MAX_MESSAGES", "1000"}},
		{"max question", map[string]string{"MAX_QUESTION_CHARS": "0"}, []string{"MAX_QUESTION_CHARS"}},
		{"conversation below question", map[string]string{"MAX_QUESTION_CHARS": "5000", "MAX_CONVERSATION_CHARS": "4000"}, []string{"MAX_CONVERSATION_CHARS", "at least MAX_QUESTION_CHARS"}},
		{"question above the conversation's default", map[string]string{"MAX_QUESTION_CHARS": "40000"}, []string{"config: MAX_CONVERSATION_CHARS: want at least MAX_QUESTION_CHARS (40000): its default is 32768; set it too"}},
		{"keyword japanese", map[string]string{"KEYWORD_JAPANESE": "mecab"}, []string{"KEYWORD_JAPANESE", "bigram", "kagome"}},
		{"index name with a slash", map[string]string{"VECTORSTORE_INDEX_NAME": "a/faiss_index"}, []string{`VECTORSTORE_INDEX_NAME="a/faiss_index"`, "file stem", "slashes"}},
		{"index name with ..", map[string]string{"VECTORSTORE_INDEX_NAME": "..x"}, []string{"VECTORSTORE_INDEX_NAME", `".."`}},
		{"api keys without a key", map[string]string{"API_KEYS": " , ,"}, []string{"API_KEYS", "at least one non-empty key"}},
		{"load budget too small", map[string]string{"STORE_LOAD_MAX_BYTES": "1000"}, []string{"STORE_LOAD_MAX_BYTES", "at least 1048576"}},
		{"load budget negative", map[string]string{"STORE_LOAD_MAX_BYTES": "-1"}, []string{"STORE_LOAD_MAX_BYTES"}},
		{"load timeout", map[string]string{"STORE_LOAD_TIMEOUT": "soon"}, []string{"STORE_LOAD_TIMEOUT", "duration"}},
		{"negative in-flight bound", map[string]string{"MAX_INFLIGHT_SEARCH": "-1"}, []string{"MAX_INFLIGHT_SEARCH", "integer from 0"}},
		{"queue wait", map[string]string{"MAX_QUEUE_WAIT": "0"}, []string{"MAX_QUEUE_WAIT", "at least 1ms"}},
		{"rate window too short", map[string]string{"RATE_LIMIT_WINDOW": "10ms"}, []string{"RATE_LIMIT_WINDOW", "at least 1s"}},
		{"rate limit by", map[string]string{"RATE_LIMIT_BY": "cookie"}, []string{"RATE_LIMIT_BY", "key, address"}},
		{"negative auth failures", map[string]string{"RATE_LIMIT_AUTH_FAILURES": "-1"}, []string{"RATE_LIMIT_AUTH_FAILURES", "integer from 0"}},
		{"auth failures not a number", map[string]string{"RATE_LIMIT_AUTH_FAILURES": "twenty"}, []string{`RATE_LIMIT_AUTH_FAILURES="twenty"`}},
		{"trusted proxy", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, alb"}, []string{`TRUSTED_PROXIES="alb"`, "CIDRs"}},
		{"memory limit ratio", map[string]string{"MEMORY_LIMIT_RATIO": "1.5"}, []string{"MEMORY_LIMIT_RATIO", "0 to 1"}},
		{"vector backend", map[string]string{"VECTOR_BACKEND": "qdrant"}, []string{"VECTOR_BACKEND", "memory", "weaviate"}},
		{"weaviate needs a url", map[string]string{"VECTOR_BACKEND": "weaviate"}, []string{"WEAVIATE_URL"}},
		{"weaviate url", map[string]string{"WEAVIATE_URL": "127.0.0.1:8080"}, []string{"WEAVIATE_URL", "http"}},
		{"weaviate grpc", map[string]string{"WEAVIATE_GRPC_ADDR": "wv"}, []string{"WEAVIATE_GRPC_ADDR", "HOST:PORT"}},
		{"weaviate grpc port name", map[string]string{"WEAVIATE_GRPC_ADDR": "wv:grpc"}, []string{"WEAVIATE_GRPC_ADDR", "1 to 65535"}},
		{"weaviate grpc port zero", map[string]string{"WEAVIATE_GRPC_ADDR": "wv:0"}, []string{"WEAVIATE_GRPC_ADDR", "1 to 65535"}},
		{"weaviate grpc port too large", map[string]string{"WEAVIATE_GRPC_ADDR": "[::1]:70000"}, []string{"WEAVIATE_GRPC_ADDR", "1 to 65535"}},
		{"weaviate grpc port signed", map[string]string{"WEAVIATE_GRPC_ADDR": "wv:+50051"}, []string{"WEAVIATE_GRPC_ADDR", "1 to 65535"}},
		{"weaviate collection", map[string]string{"WEAVIATE_COLLECTION": "docs"}, []string{"WEAVIATE_COLLECTION", "capital"}},
		{"weaviate consistency", map[string]string{"WEAVIATE_CONSISTENCY": "TWO"}, []string{"WEAVIATE_CONSISTENCY", "quorum"}},
		{"weaviate fusion", map[string]string{"WEAVIATE_FUSION": "rrf"}, []string{"WEAVIATE_FUSION", "service"}},
		{"weaviate timeout", map[string]string{"WEAVIATE_TIMEOUT": "1ms"}, []string{"WEAVIATE_TIMEOUT"}},
		{"part size", map[string]string{"S3_PART_SIZE_MB": "0"}, []string{"S3_PART_SIZE_MB", "1 to 512"}},
		{"heading weight", map[string]string{"KEYWORD_HEADING_WEIGHT": "11"}, []string{"KEYWORD_HEADING_WEIGHT"}},
		{"soft match weight", map[string]string{"SOFT_MATCH_WEIGHT": "-0.5"}, []string{"SOFT_MATCH_WEIGHT"}},
		{"section weight", map[string]string{"KEYWORD_SECTION_WEIGHT": "-0.1"}, []string{"KEYWORD_SECTION_WEIGHT"}},
		{"feedback", map[string]string{"KEYWORD_FEEDBACK": "maybe"}, []string{"KEYWORD_FEEDBACK"}},
		{"feedback documents", map[string]string{"KEYWORD_FEEDBACK_MIN_DOCUMENTS": "-1"}, []string{"KEYWORD_FEEDBACK_MIN_DOCUMENTS"}},
		{"part concurrency", map[string]string{"S3_PART_CONCURRENCY": "65"}, []string{"S3_PART_CONCURRENCY", "1 to 64"}},
		{"index name too long", map[string]string{"VECTORSTORE_INDEX_NAME": strings.Repeat("n", 129)}, []string{"VECTORSTORE_INDEX_NAME", "at most 128"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env))
			if err == nil {
				t.Fatal("want error")
			}
			for _, s := range tt.wantSub {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestLoad_ReportsEveryBadVariable(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"PORT": "x", "EMBEDDER": "y", "LOG_LEVEL": "z"}))
	if err == nil {
		t.Fatal("want error")
	}
	for _, name := range []string{"PORT", "EMBEDDER", "LOG_LEVEL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestConfig_LogValueRedactsSecrets(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"OPENAI_API_KEY": "sk-secret", "ADMIN_TOKEN": "tok-secret", "API_KEYS": "k-secret", "METRICS_TOKEN": "m-secret"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsToken != "m-secret" {
		t.Errorf("METRICS_TOKEN read as %q", c.MetricsToken)
	}
	s := c.LogValue().String()
	if !strings.Contains(s, "metrics_token_set=true") {
		t.Errorf("LogValue does not say the metrics token is set: %s", s)
	}
	for _, secret := range []string{"sk-secret", "tok-secret", "k-secret", "m-secret"} {
		if strings.Contains(s, secret) {
			t.Errorf("LogValue leaks %q: %s", secret, s)
		}
	}
}

// TestLoad_S3EndpointPrecedence: S3_ENDPOINT wins, then the AWS tools'
// service-specific AWS_ENDPOINT_URL_S3, then the global AWS_ENDPOINT_URL;
// any of them turns path-style addressing on by default.
func TestLoad_S3EndpointPrecedence(t *testing.T) {
	t.Parallel()
	const ours, awsS3, awsAll = "http://ours:1", "http://aws-s3:2", "http://aws-all:3"
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"none", nil, ""},
		{"S3_ENDPOINT", map[string]string{"S3_ENDPOINT": ours, "AWS_ENDPOINT_URL_S3": awsS3, "AWS_ENDPOINT_URL": awsAll}, ours},
		{"AWS_ENDPOINT_URL_S3", map[string]string{"AWS_ENDPOINT_URL_S3": awsS3, "AWS_ENDPOINT_URL": awsAll}, awsS3},
		{"AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": awsAll + "/"}, awsAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, load := range []func(func(string) string) (Providers, error){
				func(g func(string) string) (Providers, error) { c, err := Load(g); return c.Providers, err },
				LoadProviders,
			} {
				pr, err := load(env(tt.env))
				if err != nil {
					t.Fatal(err)
				}
				if pr.S3Endpoint != tt.want || pr.S3ForcePathStyle != (tt.want != "") {
					t.Errorf("endpoint %q path style %v, want %q %v", pr.S3Endpoint, pr.S3ForcePathStyle, tt.want, tt.want != "")
				}
			}
		})
	}
	_, err := Load(env(map[string]string{"AWS_ENDPOINT_URL": "localhost:4566"}))
	if err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL") {
		t.Errorf("a bad AWS_ENDPOINT_URL: %v", err)
	}
}

// TestLoadProviders_SameAsLoad: the vectorstore tool reads the provider
// variables exactly as the server does, and ignores the server's own.
func TestLoadProviders_SameAsLoad(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"EMBEDDER": "ollama", "EMBEDDING_MODEL": "nomic-embed-text", "EMBEDDING_DIMS": "768",
		"LLM": "bedrock", "LLM_MODEL": "m", "AWS_REGION": "ap-northeast-1", "OLLAMA_BASE_URL": "http://ollama:11434/"}
	c, err := Load(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	vars["PORT"] = "not a port"
	pr, err := LoadProviders(env(vars))
	if err != nil {
		t.Fatal(err)
	}
	if pr != c.Providers {
		t.Errorf("LoadProviders %+v, Load %+v", pr, c.Providers)
	}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"EMBEDDER": "bert"}, "EMBEDDER"},
		{map[string]string{"EMBEDDER": "ollama"}, "EMBEDDING_MODEL"},
		{map[string]string{"LLM": "openai"}, "OPENAI_API_KEY"},
	} {
		if _, err := LoadProviders(env(tt.env)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one naming %s", tt.env, err, tt.want)
		}
	}
	pr = Providers{Embedder: "openai", OpenAIBaseURL: "https://api.openai.com/v1"}
	if err := pr.Validate(); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Errorf("Validate: %v", err)
	}
}

func TestHealthURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ port, want string }{
		{"", "http://127.0.0.1:8080/health"},
		{"9090", "http://127.0.0.1:9090/health"},
		{" 9091 ", "http://127.0.0.1:9091/health"},
	} {
		if got := HealthURL(env(map[string]string{"PORT": tc.port})); got != tc.want {
			t.Errorf("PORT=%q: %q, want %q", tc.port, got, tc.want)
		}
	}
}

// TestLoad_APIKeysWithoutAKey: API_KEYS=" , " used to leave the routes open
// silently; it is now an error naming the variable (and not echoing the
// value). Unset or empty still means open.
func TestLoad_APIKeysWithoutAKey(t *testing.T) {
	t.Parallel()
	for _, v := range []string{" , ", ",", " ,\t, "} {
		_, err := Load(env(map[string]string{"API_KEYS": v}))
		if err == nil || !strings.Contains(err.Error(), "config: API_KEYS: want") {
			t.Errorf("API_KEYS=%q: %v, want an error naming API_KEYS", v, err)
		}
	}
	for _, v := range []string{"", "  "} {
		c, err := Load(env(map[string]string{"API_KEYS": v}))
		if err != nil || len(c.APIKeys) != 0 {
			t.Errorf("API_KEYS=%q: keys %q, %v; want open without error", v, c.APIKeys, err)
		}
	}
	c, err := Load(env(map[string]string{"API_KEYS": " , k1 ,"}))
	if err != nil || len(c.APIKeys) != 1 || c.APIKeys[0] != "k1" {
		t.Errorf("API_KEYS with one key among empties: %q, %v", c.APIKeys, err)
	}
}

// TestLoad_JWT: the JWT variables turn JWT auth on together; one alone,
// a plain-http JWKS URL off loopback, an unknown algorithm or a skew
// over 5m is an error naming the variable.
func TestLoad_JWT(t *testing.T) {
	t.Parallel()
	on := map[string]string{
		"JWT_JWKS_URL": "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_X/.well-known/jwks.json",
		"JWT_ISSUER":   "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_X",
		"JWT_AUDIENCE": "client-a, client-b",
	}
	plus := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range on {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(m, kv[i])
			} else {
				m[kv[i]] = kv[i+1]
			}
		}
		return m
	}

	c, err := Load(env(on))
	if err != nil {
		t.Fatal(err)
	}
	want := jwtauth.Config{JWKSURL: on["JWT_JWKS_URL"], Issuer: on["JWT_ISSUER"], Audiences: []string{"client-a", "client-b"},
		ClockSkew: 30 * time.Second, RefreshInterval: time.Hour}
	if !reflect.DeepEqual(c.JWT, want) {
		t.Errorf("JWT = %+v, want %+v", c.JWT, want)
	}
	if err := c.JWT.Check(); err != nil {
		t.Errorf("loaded config fails jwtauth's check: %v", err)
	}

	c, err = Load(env(plus("JWT_CLOCK_SKEW", "0s", "JWT_ALGORITHMS", "es256", "JWT_JWKS_REFRESH", "15m", "JWT_JWKS_URL", "http://127.0.0.1:9000/jwks")))
	if err != nil {
		t.Fatal(err)
	}
	if c.JWT.ClockSkew != 0 || !reflect.DeepEqual(c.JWT.Algorithms, []string{"ES256"}) || c.JWT.RefreshInterval != 15*time.Minute || c.JWT.JWKSURL != "http://127.0.0.1:9000/jwks" {
		t.Errorf("tuned: %+v", c.JWT)
	}

	c, err = Load(env(map[string]string{"JWT_CLOCK_SKEW": "10s"}))
	if err != nil || c.JWT.Enabled() {
		t.Errorf("tuning alone: enabled %v, err %v", c.JWT.Enabled(), err)
	}

	bad := []struct {
		name    string
		env     map[string]string
		wantSub []string
	}{
		{"no issuer", plus("JWT_ISSUER", ""), []string{"JWT_ISSUER", "together"}},
		{"no audience", plus("JWT_AUDIENCE", ""), []string{"JWT_AUDIENCE", "together"}},
		{"audience of commas", plus("JWT_AUDIENCE", " , "), []string{"JWT_AUDIENCE", "at least one audience"}},
		{"issuer alone", map[string]string{"JWT_ISSUER": "https://issuer"}, []string{"JWT_JWKS_URL", "JWT_AUDIENCE"}},
		{"plain http", plus("JWT_JWKS_URL", "http://issuer.example/jwks"), []string{"JWT_JWKS_URL", "https://"}},
		{"not a URL", plus("JWT_JWKS_URL", "jwks.json"), []string{"JWT_JWKS_URL"}},
		{"HS256", plus("JWT_ALGORITHMS", "RS256,HS256"), []string{"JWT_ALGORITHMS", "HS256"}},
		{"none", plus("JWT_ALGORITHMS", "none"), []string{"JWT_ALGORITHMS"}},
		{"skew too large", plus("JWT_CLOCK_SKEW", "10m"), []string{"JWT_CLOCK_SKEW", "at most 5m"}},
		{"refresh too often", plus("JWT_JWKS_REFRESH", "5s"), []string{"JWT_JWKS_REFRESH"}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(env(tt.env))
			if err == nil {
				t.Fatal("want error")
			}
			for _, s := range tt.wantSub {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestLoad_Limits(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{
		"MAX_INFLIGHT_SEARCH":      "0",
		"MAX_INFLIGHT_GENERATION":  "3",
		"MAX_QUEUE_ADMIN":          "0",
		"MAX_QUEUE_WAIT":           "250ms",
		"MAX_INFLIGHT_PER_CLIENT":  "1",
		"RATE_LIMIT_GENERATION":    "0",
		"RATE_LIMIT_AUTH_FAILURES": "0",
		"RATE_LIMIT_WINDOW":        "10s",
		"RATE_LIMIT_BY":            "Address",
		"TRUSTED_PROXIES":          "10.0.0.0/16, 192.168.1.7, ::ffff:172.16.0.1, fd00::/8",
		"MEMORY_LIMIT_RATIO":       "0",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	l := c.Overload
	if l.SearchInFlight != 0 || l.GenerationInFlight != 3 || l.AdminQueue != 0 || l.QueueWait != 250*time.Millisecond || l.PerClientInFlight != 1 {
		t.Errorf("bounds: %+v", l)
	}
	if l.GenerationRate != 0 || l.AuthFailures != 0 || l.RateWindow != 10*time.Second || !l.RateByAddress {
		t.Errorf("rates: %+v", l)
	}
	var got []string
	for _, p := range l.TrustedProxies {
		got = append(got, p.String())
	}
	if want := "10.0.0.0/16 192.168.1.7/32 172.16.0.1/32 fd00::/8"; strings.Join(got, " ") != want {
		t.Errorf("trusted proxies = %v, want %s", got, want)
	}
	if c.MemoryLimitRatio != 0 {
		t.Errorf("memory limit ratio = %v", c.MemoryLimitRatio)
	}
}

func TestLoad_Weaviate(t *testing.T) {
	t.Parallel()
	env := map[string]string{"VECTOR_BACKEND": "weaviate", "WEAVIATE_URL": "https://wv.internal:8443/", "WEAVIATE_GRPC_ADDR": "wv.internal:50051",
		"WEAVIATE_API_KEY": "secret-key", "WEAVIATE_COLLECTION": "Docs", "WEAVIATE_CONSISTENCY": "ONE", "WEAVIATE_FUSION": "service",
		"WEAVIATE_GRPC_UNVERIFIED_TLS": "true"}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	w := c.Weaviate
	if c.VectorBackend != "weaviate" || w.URL != "https://wv.internal:8443" || w.GRPCAddr != "wv.internal:50051" || w.APIKey != "secret-key" ||
		w.Collection != "Docs" || w.Consistency != "ONE" || w.Fusion != "service" || w.Timeout != 5*time.Second || w.HealthInterval != 5*time.Second || !w.UnverifiedGRPCTLS {
		t.Errorf("got %+v backend %s", w, c.VectorBackend)
	}
	d, err := Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if d.VectorBackend != "memory" || d.Weaviate.Collection != "Vendor0919" || d.Weaviate.Consistency != "QUORUM" || d.Weaviate.Fusion != "weaviate" || d.Weaviate.UnverifiedGRPCTLS {
		t.Errorf("defaults %+v backend %s", d.Weaviate, d.VectorBackend)
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", slog.Any("config", c))
	if strings.Contains(b.String(), "secret-key") {
		t.Errorf("API key logged: %s", b.String())
	}
}

// TestConfig_LogValueRedactsURLPasswords: a password in a URL setting's
// user info (S3_ENDPOINT=http://user:Pr0xyPassw0rd@host) never reaches
// the start-up log line, while the rest of the URL does.
func TestConfig_LogValueRedactsURLPasswords(t *testing.T) {
	t.Parallel()
	const pw = "Pr0xyPassw0rd"
	tests := []struct {
		name, key, value string
		want             string // in the log line
	}{
		{"s3 endpoint", "S3_ENDPOINT", "http://user:" + pw + "@proxy.internal:9000", "s3_endpoint=http://user:xxxxx@proxy.internal:9000"},
		{"aws endpoint", "AWS_ENDPOINT_URL_S3", "https://user:" + pw + "@s3.internal", "s3_endpoint=https://user:xxxxx@s3.internal"},
		{"lone user name", "S3_ENDPOINT", "http://" + pw + "@proxy.internal", "s3_endpoint=http://xxxxx@proxy.internal"},
		{"weaviate url", "WEAVIATE_URL", "https://admin:" + pw + "@wv.internal:8443", "weaviate_url=https://admin:xxxxx@wv.internal:8443"},
		{"s3 uri", "VECTORSTORE_S3_URI", "s3://user:" + pw + "@bucket/prefix", "vectorstore_s3_uri=s3://user:xxxxx@bucket/prefix"},
		{"no user info", "S3_ENDPOINT", "http://127.0.0.1:9000", "s3_endpoint=http://127.0.0.1:9000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(map[string]string{tt.key: tt.value}))
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			slog.New(slog.NewTextHandler(&b, nil)).Info("starting", slog.Any("config", c))
			if strings.Contains(b.String(), pw) {
				t.Errorf("the log line shows the password: %s", b.String())
			}
			if !strings.Contains(b.String(), tt.want) {
				t.Errorf("the log line lacks %q: %s", tt.want, b.String())
			}
		})
	}
}

// TestLoad_InvalidURLHidesPassword: a URL setting that fails validation
// is named in the error with its user info cut, whether or not it parses.
func TestLoad_InvalidURLHidesPassword(t *testing.T) {
	t.Parallel()
	const pw = "Pr0xyPassw0rd"
	tests := []struct {
		key, value string
		want       string // in the error
	}{
		{"S3_ENDPOINT", "ftp://user:" + pw + "@proxy.internal", `S3_ENDPOINT="ftp://user:xxxxx@proxy.internal"`},
		{"S3_ENDPOINT", "user:" + pw + "@proxy.internal:9000", `S3_ENDPOINT="xxxxx@proxy.internal:9000"`},
		{"S3_ENDPOINT", "http://user:" + pw + " x@proxy.internal", `S3_ENDPOINT="http://xxxxx@proxy.internal"`}, // does not parse
		{"AWS_ENDPOINT_URL", "http://user:" + pw + "@", `AWS_ENDPOINT_URL="http://xxxxx@"`},
		{"OPENAI_BASE_URL", "ftp://k:" + pw + "@api.internal", `OPENAI_BASE_URL="ftp://k:xxxxx@api.internal"`},
		{"OLLAMA_BASE_URL", "ollama:" + pw + "@gpu:11434", `OLLAMA_BASE_URL="xxxxx@gpu:11434"`},
		{"WEAVIATE_URL", "wv:" + pw + "@wv.internal:8080", `WEAVIATE_URL="xxxxx@wv.internal:8080"`},
		{"WEAVIATE_GRPC_ADDR", "wv:" + pw + "@wv.internal:50051", `WEAVIATE_GRPC_ADDR="xxxxx@wv.internal:50051"`},
		{"VECTORSTORE_S3_URI", "https://user:" + pw + "@bucket/p", `VECTORSTORE_S3_URI="https://user:xxxxx@bucket/p"`},
		{"CORS_ALLOW_ORIGINS", "https://user:" + pw + "@app.example.com/path", `CORS_ALLOW_ORIGINS="https://user:xxxxx@app.example.com/path"`},
		{"JWT_JWKS_URL", "http://user:" + pw + "@idp.example.com/jwks", `JWT_JWKS_URL="http://user:xxxxx@idp.example.com/jwks"`},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			vars := map[string]string{tt.key: tt.value}
			if tt.key == "JWT_JWKS_URL" {
				vars["JWT_ISSUER"], vars["JWT_AUDIENCE"] = "https://idp.example.com", "app"
			}
			_, err := Load(env(vars))
			if err == nil {
				t.Fatal("want error")
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("the error shows the password: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %s", err, tt.want)
			}
		})
	}
}

// TestLoad_CrossFieldRuleSkipsRefusedValues: a MAX_CONVERSATION_CHARS that
// does not parse is reported once, not judged again as its default
// against MAX_QUESTION_CHARS.
func TestLoad_CrossFieldRuleSkipsRefusedValues(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"MAX_CONVERSATION_CHARS": "x", "MAX_QUESTION_CHARS": "40000"}))
	if err == nil {
		t.Fatal("no error")
	}
	if msg := err.Error(); strings.Count(msg, "MAX_CONVERSATION_CHARS") != 1 || strings.Contains(msg, "32768") {
		t.Errorf("error %q: want MAX_CONVERSATION_CHARS named once, as given", msg)
	}
}

// TestLoadProviders_ErrInvalid: every bad setting matches ErrInvalid, so
// the vectorstore tool exits 2 for EMBEDDER=nope as for --embedder nope.
func TestLoadProviders_ErrInvalid(t *testing.T) {
	t.Parallel()
	for _, env := range []map[string]string{
		{"EMBEDDER": "nope"},
		{"EMBEDDING_DIMS": "x"},
		{"EMBEDDER": "ollama"}, // a rule between settings
	} {
		_, err := LoadProviders(func(k string) string { return env[k] })
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: err %v, want ErrInvalid", env, err)
		}
	}
	if err := (Providers{Embedder: "ollama"}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Validate: %v, want ErrInvalid", err)
	}
}
