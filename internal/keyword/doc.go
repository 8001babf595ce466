// Package keyword implements a BM25 keyword index over chunk texts, with an
// analyzer for English technical text that keeps Japanese and other text
// written without spaces searchable.
//
// # Analysis
//
// Analyze (the Standard analyzer) makes the tokens an Index stores and
// matches; documents and queries go through the same rules:
//
//   - The text is NFKC-normalised, so full-width letters and digits
//     ("ＡＰＩ", "１２３"), half-width katakana and ligatures match their
//     ordinary forms, and then lower-cased.
//   - Words are runs of Unicode letters, digits and combining marks. A "."
//     or "_" between two of them joins an identifier, which is kept whole
//     and also split: "json.dumps" gives json.dumps, json, dump and
//     "sort_keys" gives sort_keys, sort, key, so a query naming the
//     identifier finds its own entry first and one naming its parts finds
//     it too. Versions work the same way ("3.11" -> 3.11, 3, 11).
//   - English stop words (the Snowball list of
//     github.com/kljensen/snowball/english) are dropped, except inside a
//     whole identifier.
//   - Words written in Latin letters only are reduced to their Porter2
//     (Snowball English) stem, so "configuring" and "configuration" meet
//     at "configur". Words with digits ("v2", "utf8") and words in other
//     scripts are kept as they are. Recent stems are cached in a fixed
//     table: a corpus repeats its vocabulary, and the stemmer is most of
//     the cost of analysing English.
//   - Runs of CJK characters (Han, Hiragana, Katakana, Hangul and the
//     prolonged sound mark) have no word boundaries, so they become
//     overlapping character bigrams ("検索結果" -> 検索, 索結, 結果); a run
//     of one CJK character is kept as a unigram. For Japanese text this is
//     exactly what Tokenize gives.
//
// AnalyzerVersion names these rules. An index kept anywhere but in memory
// must record it (Index.AnalyzerVersion) and be rebuilt when it changes.
//
// WithSegmenter replaces the bigrams of Japanese runs with words
// (keyword/kagome). HasJapanese decides, from an evenly spaced sample of a
// corpus's texts, whether it holds enough Japanese for that: enough kana,
// the script only Japanese writes (Chinese keeps its bigrams).
//
// Tokenize is the plain tokeniser the package started with: words and CJK
// bigrams, no stemming, no stop words. The hash embedder and the extractive
// answerer depend on its exact tokens, so it does not change with the
// analyzer.
//
// # Scoring
//
// Index ranks documents with Okapi BM25 (k1 = 1.2, b = 0.75) and the
// non-negative idf log(1 + (N - df + 0.5) / (df + 0.5)). Each distinct query
// token counts once.
//
// # Pseudo-relevance feedback
//
// Index.Expand adds to a query the terms of the documents it matches best
// (RM3: the relevance model of the top documents, each weighted by its
// BM25 score, mixed with the query). A question in the asker's words often
// shares only a word or two with its answer; the passages those words find
// use the answer's vocabulary, so the expanded query reaches passages the
// question never names. Terms found in more than a set fraction of the
// documents are not added, and the query's own terms keep weight 1, so
// their scores stay BM25 scores and the feedback terms only add to them.
// A Query is an analysed query with a weight per term (Parse: all 1);
// SearchQuery ranks by it, and Search(s) is SearchQuery(Parse(s)).
// DefaultFeedback and its measurement: docs/BENCHMARKS.md.
//
// # Fields
//
// SearchQuery can add other fields of the same documents (Field: an Index
// over, say, each document's headings, under the same ids, and a weight):
// a document's BM25 score in each field, with that field's own document
// frequencies and lengths, times the weight, is added to its score. A term
// in a five-word heading then counts for more than the same term in a
// heading repeated before a long body, where the body's length dilutes it
// (multi-field BM25 in its simplest form: a weighted sum of per-field
// scores).
//
// # Search
//
// Search adds each distinct query token's term scores into a dense
// []float64 with one slot per document, noting the ids it touches, then
// keeps the best k of the touched ids in a small heap (worst on top) and
// sorts only those: best score first, ties to the lower id. The score
// array, touched list and heap come from a sync.Pool on the Index and are
// zeroed through the touched list, so a search allocates its tokens and its
// result, not a map or an array per query. Scores are summed in the same
// order as the original map-based search and are bit-identical to it
// (TestSearch_MatchesReference, FuzzSearch). On 20,000 documents a
// 30-character Japanese query takes about 0.18 ms against 3.8 ms before
// (BenchmarkSearch_N20k_CJK; docs/BENCHMARKS.md).
//
// # Persistence
//
// WriteTo writes an index in a checksummed, versioned binary form that
// records its analyzer's Version; Decode reads it back, refusing another
// analyzer's (ErrAnalyzer) and anything malformed (ErrFormat). The
// postings are stored as Index holds them in memory, so on little-endian
// machines Decode uses the bytes in place: loading costs one map insert
// per term instead of analysing every text again (for 200,000 chunks of
// 430 bytes, about 5 s at every start). Package store persists the index
// of a store this way.
//
// # Concurrency and ownership
//
// An Index is immutable once built by New or Decode; Search is safe for concurrent
// use; each search holds its own pooled scratch. New does not retain the
// texts it is given: an Analyzer's tokens share no memory with its text.
// Analyze and the Standard analyzer are safe for concurrent use; the stem
// cache is a table of atomic pointers.
package keyword
