// Package rag implements the retrieval-augmented answer pipeline: embed the
// question, retrieve chunks by vector and by keyword (BM25), fuse the two
// rankings, build a prompt of numbered passages within a token budget,
// generate an answer and cite the passages it was given.
//
// # Modes and scores
//
// Search runs in one of three modes. "vector" ranks by the store's ANN
// index and reports store.Relevance of each hit, the score LangChain
// reports (for cosine stores, the cosine similarity). "keyword" ranks by BM25 and reports the BM25
// score; in the embedded store the query is first expanded by
// pseudo-relevance feedback (Config.KeywordFeedback, keyword.Index.Expand),
// so the score is the query's own BM25 score plus that of the feedback
// terms. "hybrid" (the default) takes Candidates hits from each, gives a
// hit found by one ranking its score in the other as well (its cosine, or
// its BM25 score, 0 when it shares no term with the query), divides each
// ranking's scores by that ranking's largest (negative ones count 0) and
// reports Config.VectorWeight x vector + Config.KeywordWeight x keyword
// (DefaultVectorWeightFor the embedder and 1 by default). Dividing by the maximum keeps
// a ranking's own contrast, so a vector ranking with nearly equal cosines (an embedder
// that does not know the corpus language) barely moves the keyword order;
// reciprocal rank fusion, used before, gave it as much say as BM25 and
// made hybrid worse than keyword alone on every evaluation set
// (docs/BENCHMARKS.md).
// With Config.SoftMatch (the server always sets one: GloVe word vectors),
// keyword and hybrid candidates are then reranked by how well each covers
// the query's words by meaning, the soft match's scores divided by their
// best and added at Config.SoftMatchWeight to the hit's score divided by
// the best hit's (softRerank); the score reported is that sum. It finds a
// passage worded unlike the question among the candidates and raised
// keyword and hybrid search on most evaluation sets (docs/BENCHMARKS.md,
// round ten).
// Search and Query report the mode they ran in (SearchResult.Mode,
// QueryResult.Mode): a hybrid search without query text, a bare vector,
// ranks by vector alone and says so.
//
// Every mode keeps only the best chunk of each section (chunks sharing
// docmodel.SectionKey: "url" metadata, source#anchor, with the heading
// path on a page whose headings have no ids) and fills top_k from deeper in its
// ranking, unless Config.SameSection is set: a citation list naming one
// section five times tells the reader less than five sections do. The
// service merges sections over what any backend returns, asking it for
// Config.Candidates hits so that top_k sections remain.
//
// # Filters
//
// A filter is a JSON object over chunk metadata: {"field": value} is
// equality, {"field": {"$eq": v}}, {"$ne": v}, {"$in": [..]} and
// {"$nin": [..]} are supported; several fields must all match. Numbers
// compare by value whatever their Go type. Anything else is a
// *RequestError, which the HTTP layer answers with 422.
//
// A filter is parsed once per request (ParseFilter, the one place filters
// are checked, whatever the backend): its values become a set keyed
// by a comparable form (numbers by float64 bits, or exactly when float64
// cannot hold them), so a candidate costs one map lookup per condition.
// Its size is bounded (MaxFilterFields keys, MaxFilterListItems per list,
// MaxFilterKeyChars, MaxFilterStringChars, MaxFilterNumberChars), and a
// filtered scan stops soon after the request's context is done.
//
// # Backends
//
// What a search asks of a store is the Backend interface: ranked chunks
// by vector, by keyword and by both, with a parsed Filter. The embedded
// store swapped in by Swap is one (searched in memory); UseBackend puts an
// external engine in its place (internal/weaviatestore), which translates
// Filter to its own filter language and reports the same score kinds.
// FuseHybrid runs this package's fusion over any backend that can also
// score given chunks (ScoringBackend). A backend that cannot answer
// returns an error wrapping ErrUnavailable.
//
// # Prompt and budget
//
// The prompt is a text/template that defines two templates, "system" and
// "user", executed with PromptData. Passages are numbered [1]..[n] in rank
// order; the default template asks the model to answer in the question's
// language and to cite by number. Passages are added in rank order while
// their estimated tokens (tokens.Estimate, by character class as
// cl100k_base spends them, erring high) fit Config.ContextTokens; the first passage that
// does not fit and all lower-ranked ones are dropped, except that a single
// oversize top passage is cut at a rune boundary to fit.
//
// # Conversations
//
// The service keeps no state: a client sends the earlier turns
// (QueryRequest.History, roles "user" and "assistant", oldest first) with
// the latest question. History is checked before anything runs: at most
// MaxListedMessages messages with the question, known roles and a
// question of at most Config.MaxQuestionChars (the earlier turns' length
// is the window's business, below); a problem is a *RequestError whose Field names
// the item as the client's messages list numbers it ("messages.3.role").
//
// A long conversation is not a problem: chat clients (the AI SDK's
// useChat) resend the whole conversation every turn, so refusing one would
// refuse every later turn too. Config.MaxMessages and
// Config.MaxConversationChars are a window: the newest turns that, with
// the question, number at most the one and hold at most the other are
// used, older ones dropped whole, before the rewrite or the prompt sees
// them; a turn over half the characters (a long answer sent back) counts
// and is used cut to half, so the question it answered still fits.
//
// Of those turns, the newest exchanges (a user turn and the assistant
// turns after it) that fit Config.HistoryTokens (estimated as for
// passages) are kept, oldest dropped first: an older user turn whole or
// not at all, the newest cut to half the budget if it is over the budget
// on its own, the assistant turns after each cut to what is left and to
// half the budget (a model wrote them, and the question before matters
// more). Leading assistant turns are dropped so the conversation opens
// with the user. They go into the
// prompt as chat turns between the system message and the user message
// with the passages and the question.
//
// Retrieval needs a question that stands alone ("What about the battery?"
// means nothing to a search index), so with history the query is
// rewritten. A model generator is asked with RewritePrompt for one
// standalone question (its first line, at most 500 characters, is used).
// The extractive generator, or a model call that fails (logged at warn,
// once per request) or answers nothing, uses the offline rule instead: the
// question, then the words of earlier user turns, newest turn first, that
// bring a keyword token (Config.KeywordAnalyzer: not a stop word, not
// already in the question or carried) - at most 8 words. QueryResult.Query
// is the query used. Every answer gets a random id (NewAnswerID), on the
// result and on the stream's sources and done events, for feedback.
//
// # Concurrency and ownership
//
// A Service is safe for concurrent use. The current store and its keyword
// index form an immutable snapshot held in an atomic.Pointer; Swap builds
// the new snapshot first and replaces it in one store, so requests already
// running finish on the snapshot they started with. Hits carry a copy of the
// chunk's metadata map; the values inside it are shared with the store and
// must not be modified. The service logs counts, lengths, ids and timings,
// never question or chunk texts.
package rag
