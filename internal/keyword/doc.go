// Package keyword implements a BM25 keyword index over chunk texts, with a
// tokeniser that works for Japanese and other text written without spaces.
//
// # Tokens
//
// Tokenize splits text into lower-cased words of Unicode letters and digits.
// Runs of CJK characters (Han, Hiragana, Katakana, Hangul and the prolonged
// sound mark) have no word boundaries, so they become overlapping character
// bigrams ("検索結果" -> 検索, 索結, 結果); a run of one CJK character is kept
// as a unigram. Full-width ASCII letters and digits are folded to ASCII
// first, so "ＡＰＩ" and "api" match.
//
// # Scoring
//
// Index ranks documents with Okapi BM25 (k1 = 1.2, b = 0.75) and the
// non-negative idf log(1 + (N - df + 0.5) / (df + 0.5)). Each distinct query
// token counts once.
//
// # Concurrency and ownership
//
// An Index is immutable once built by New; Search is safe for concurrent
// use. New does not retain the texts it is given.
package keyword
