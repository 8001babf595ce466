// Package ingest turns a folder of documents into a native vector store:
// load and chunk (package chunk), embed the chunks in batches on a few
// goroutines (an embed.Embedder), and write the store (store.Write). The
// text embedded is each chunk's IndexText (its heading path, then its
// text), the same text the service's keyword index reads. It is
// what "vectorstore build" runs, kept here so that it can be tested and
// reused without the command line. BuildFlags is the command's option
// set (cliflag.Options: flags, defaults, validation) and its Run prints
// the summary line.
//
// # Limits, cache and dry run
//
// Before the first embedding, Build refuses a store that cannot fit on the
// filesystem of out (ErrNoSpace: less free space than store.MinBytes).
// LimitsFor gives each model's limits: batches are cut to the provider's
// most texts and tokens a request, and a text over the model's input limit
// is cut to fit (OpenAI's models counted exactly with cl100k_base, others
// by tokens.Estimate) and counted, never failing the build. Before
// embedding, each text is looked up in the embcache under Config.Cache;
// only misses are embedded, and every finished batch is appended at once,
// so a failed build resumes where it stopped. A damaged record in the
// cache is a miss, counted in Result.CacheSkipped, and a torn tail in
// Result.CacheTorn; Run warns of both on stderr. A cache that cannot be
// written is warned of once and the build goes on without it. A dry run
// stops after that lookup and prices the misses (EstimateCost). Retries
// on 429, 5xx and connection failures are the embedders' own, under the
// policy the caller gives them (retry.Batch for a build); ingest adds none.
//
// # Concurrency
//
// Build and EmbedAll may run concurrently. EmbedAll calls the embedder
// from Config.Workers goroutines at once, so the embedder must be safe for
// concurrent use (every embed.Embedder is). Progress is drawn from those
// goroutines through one mutex.
package ingest
