// Package providers is the one registry of concrete embedders, answer
// generators and the S3 mirror: it builds them from config.Providers for
// the server and the vectorstore tool alike, so every provider the server
// has is available to every command and both read the same settings. It
// also maps KEYWORD_JAPANESE to a keyword analyzer choice (KeywordAnalyzers), so
// that the server and "vectorstore search/eval --keyword-japanese" agree.
//
// EmbedderFlags is the commands' embedder choice (cliflag.Options), the
// one place their embedder flags are defined: --embedder overrides the
// configured embedder (namedEmbedder), and no name on a command that opens
// a store means the embedder the store's manifest names (storeEmbedder).
//
// It is the only package that names concrete provider types; everything
// else holds an embed.Embedder, an llm.Generator or an *s3sync.Syncer.
// The functions keep no state and are safe for concurrent use.
package providers
