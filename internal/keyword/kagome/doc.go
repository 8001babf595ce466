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
// Lucene's Japanese analyzer drops them by part of speech.
//
// The dictionary is loaded without its feature columns (63 MB of heap),
// and the one column used, the dictionary form, comes from a table of its
// own (baseforms.gz, about 6 MB once loaded), made from the whole
// dictionary and checked against it by TestBaseForms_MatchTheWholeDictionary
// (go test -run TestBaseForms -update rewrites it after a dictionary
// upgrade). Everything else
// (English, identifiers, numbers, Hangul) follows the keyword package's
// Standard rules.
//
// # Cost and when to use it
//
// The dictionary is embedded: it adds about 12 MB to a binary that calls
// New, takes about 36 MB of heap once loaded and about half a second to
// load. Segmenting is slower than making bigrams (BenchmarkAnalyze).
// By section, hybrid hit@5 / MRR@5 rose from 0.844 / 0.644 with bigrams
// to 0.883 / 0.701 on Japanese manual pages (internal/evalsets/manja, 77
// questions), and from 0.800 / 0.645 to 0.840 / 0.698 on Debian's
// Japanese manuals (jadeb, 50 questions; docs/BENCHMARKS.md, round
// thirty-eight). It makes no difference to
// documents without Japanese. The server uses it for a store with Japanese
// text (KEYWORD_JAPANESE=auto, the default; keyword.HasJapanese) or for
// every store (KEYWORD_JAPANESE=kagome).
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
