// Package weaviatestore serves and publishes vector stores on Weaviate
// (v1.35) through its official Go client: Store is the service's
// rag.Backend over a Weaviate collection alias, and Push writes a store
// folder (native or LangChain) into a new versioned collection and then
// moves the alias to it.
//
// # Collections
//
// Push names the collection ALIAS_v<checksum> (the first 16 hex digits of
// a SHA-256 over the chunks, their vectors and the layout), so pushing the
// same store twice resumes into the same collection (the store's version
// and embedder are hashed too, so a new version gets a new one), and
// object ids are UUID v5s of the chunk ids (store.UniqueIDs' "ID#ROW" for
// LangChain rows sharing a document), so re-runs overwrite instead of
// duplicating.
// Each object has chunk_id (field tokenization), text, metadata_json (the
// chunk's metadata, returned as is) and kw: the service's keyword analyzer
// tokens, whitespace-tokenized, so BM25 ranks the tokens the embedded
// index ranks (stop words none, k1 1.2, b 0.75, as keyword.Index). Each
// metadata key whose values are all strings, all numbers or all booleans
// gets a filterable property (md_KEY, or mx_HEX for keys that are no
// property name; text with field tokenization, each value between two
// '|' (Field.Wrap), as is every filter value, since field tokenization
// trims white space and would make " a" equal "a"). A key stays in
// metadata_json only, and a filter on it is a 422 saying why (Field.Why;
// push lists them), where Weaviate would compare otherwise than the
// embedded store or refuse the schema: lists, objects or mixed types; a
// number no float64 holds exactly (Weaviate's numbers are float64); two
// keys equal but for case (its property names ignore case); a key over
// 100 bytes, or beyond the 200 most frequent. The collection's distance follows the store's
// metric (cosine, dot, l2-squared); its description records the embedding
// model, metric, analyzer and fields (Meta), which Check compares with
// the service's embedder at start-up: a mismatch is ErrIncompatible.
// The alias moves only after every object is stored and counted, so
// readers never see a half-filled collection; older collections beyond
// Keep are deleted, except those another alias points to, and the
// rollback command is printed.
//
// # Scores
//
// Vector scores are store.Relevance of Weaviate's distance, the same
// numbers the embedded store reports (cosine similarity for cosine
// stores). Keyword scores are Weaviate's BM25 times k1+1 (Weaviate leaves
// that constant out), the embedded index's formula; they differ by a few
// percent because Weaviate keeps object counts and mean lengths per shard,
// updated in the background. Hybrid is Weaviate's relativeScoreFusion
// (FusionWeaviate, the default: scores in 0..1, one search) or the
// service's fusion over both rankings (rag.FuseHybrid, FusionService: the
// embedded store's scores, two to four searches); they measured alike on
// the evaluation sets.
//
// Weaviate 1.35 uses BlockMax WAND for BM25 by default; in our tests its
// top-10 missed the best-scoring chunk of 600. Start Weaviate with
// USE_INVERTED_SEARCHABLE=false before pushing (the setting applies to
// collections created after it); Check logs a warning otherwise.
//
// # Failures
//
// Every call is bounded by Conn.Timeout per attempt and retried
// (Conn.Attempts, internal/retry) when Weaviate did not answer; what
// still fails wraps rag.ErrUnavailable, which the API answers with 503.
// Check is what /ready follows (internal/lifecycle's remote mode): it
// resolves the alias each time, so a push's alias move is picked up
// without a restart, and so is Weaviate's recovery.
//
// The official client's gRPC transport, used for searches and batches,
// does not verify the server's certificate when TLS is on (it sets
// InsecureSkipVerify) and takes no CA; Conn.CAFile applies to REST only.
// So an https:// URL is refused (ErrUnverifiedTLS) unless
// Conn.UnverifiedGRPCTLS says that is accepted. Reach Weaviate over a
// private network.
//
// # Concurrency
//
// A Store is safe for concurrent use; Check swaps the collection it
// searches atomically. Push is one operator's command: two pushes to one
// alias at once are not coordinated.
package weaviatestore
