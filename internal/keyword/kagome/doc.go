// Package kagome splits Japanese text into words for keyword search, with
// the Kagome morphological analyzer (github.com/ikawaha/kagome/v2) and its
// IPA dictionary, as an alternative to the character bigrams of the
// Standard keyword analyzer.
//
// # Rules
//
// A run of Japanese characters (Han, Hiragana, Katakana), already
// NFKC-normalised and lower-cased by the keyword analyzer, is segmented in
// Kagome's search mode. Each word is indexed in its dictionary form, so
// inflected verbs and adjectives meet ("減ります" and "減る"); particles,
// auxiliary verbs, symbols, fillers and conjunctions are left out, the way
// Lucene's Japanese analyzer drops them by part of speech. Everything else
// (English, identifiers, numbers, Hangul) follows the keyword package's
// Standard rules.
//
// # Cost and when to use it
//
// The dictionary is embedded: it adds about 12 MB to a binary that calls
// New, takes about 90 MB of heap once loaded and about half a second to
// load. Segmenting is slower than making bigrams (BenchmarkAnalyze).
// On Japanese manual pages (internal/evalsets/manja, 77 questions) keyword
// search found the right page first for 0.675 of the questions against
// 0.558 with bigrams, and in the top five for 0.935 against 0.818; it makes
// no difference to documents without Japanese. The server uses it when
// KEYWORD_JAPANESE=kagome.
//
// # Licence
//
// Kagome and its dictionary module are MIT-licensed; the dictionary data
// comes from mecab-ipadic, whose notice (NAIST and ICOT, with a "NO
// WARRANTY" section that must accompany any distribution) is in NOTICE
// beside this file.
//
// # Concurrency
//
// A Segmenter, and the analyzer NewAnalyzer returns, are safe for
// concurrent use; the dictionary is read-only and shared by the process.
package kagome
