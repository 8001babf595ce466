package keyword

import (
	"unicode"
)

// The rule of HasJapanese. Kana (Hiragana and Katakana) are what set
// Japanese apart: Chinese text has Han characters and next to no kana,
// and a Japanese word analyzer would cut it by a Japanese dictionary,
// worse than bigrams do. Japanese prose is about half kana.
const (
	// JapaneseSampleTexts is how many of a corpus's texts HasJapanese
	// reads, evenly spaced: enough to see a few percent of Japanese
	// documents in a large store, few enough to decide in milliseconds
	// when every text has to be decoded first.
	JapaneseSampleTexts = 2048
	// JapaneseMinKana is how many kana the sample must hold: a few
	// Japanese words quoted in English documents (a paragraph is about
	// 100 kana) do not make a Japanese corpus.
	JapaneseMinKana = 200
	// JapaneseMinKanaShare is the smallest share of kana among the
	// sample's kana and Han characters: Chinese text quoting a little
	// Japanese stays below it.
	JapaneseMinKanaShare = 0.1
	// JapaneseMinLetterShare is the smallest share of kana among all the
	// sample's letters: English documentation quoting Japanese sentences
	// here and there, or a kaomoji, stays below it, while a store of one
	// Japanese document in ten (about half kana) is well above it.
	JapaneseMinLetterShare = 0.01
)

// Chooser picks the analyzer for a corpus of n texts, text(i) the i-th:
// what every place that indexes a store asks, so that the builder, the
// importer, the Weaviate push and the server choose alike for the same
// chunks (providers.KeywordChoice implements KEYWORD_JAPANESE).
type Chooser interface {
	Choose(n int, text func(i int) string) (Analyzer, error)
}

// Choose is c's analyzer for the corpus, or Standard when c is nil.
func Choose(c Chooser, n int, text func(i int) string) (Analyzer, error) {
	if c == nil {
		return Standard, nil
	}
	return c.Choose(n, text)
}

// HasJapanese reports whether a corpus of n texts (text(i) returns the
// i-th) holds enough Japanese that a Japanese word analyzer should index
// it: at least JapaneseMinKana kana, making up at least
// JapaneseMinKanaShare of its kana and Han characters and
// JapaneseMinLetterShare of all its letters, in an evenly spaced sample
// of at most JapaneseSampleTexts texts. The sample depends only on n, so
// a store's builder and its server decide alike on the same chunks.
func HasJapanese(n int, text func(i int) string) bool {
	var kana, han, letters int
	for _, i := range sampleIndices(n, JapaneseSampleTexts) {
		for _, r := range text(i) {
			switch {
			case isKana(r):
				kana++
			case unicode.Is(unicode.Han, r):
				han++
			case !unicode.IsLetter(r):
				continue
			}
			letters++
		}
	}
	return kana >= JapaneseMinKana &&
		float64(kana) >= JapaneseMinKanaShare*float64(kana+han) &&
		float64(kana) >= JapaneseMinLetterShare*float64(letters)
}

// isKana reports whether r is Hiragana or Katakana, half-width forms
// included (NFKC has not run yet on a chunk's text).
func isKana(r rune) bool {
	return unicode.In(r, unicode.Hiragana, unicode.Katakana)
}

// sampleIndices returns at most k indices of [0, n), evenly spaced and
// ascending: all of them when n <= k.
func sampleIndices(n, k int) []int {
	if n <= 0 {
		return nil
	}
	m := min(n, k)
	out := make([]int, m)
	for j := range out {
		// j*n/m without overflow for any int n (m <= k is small).
		out[j] = j*(n/m) + j*(n%m)/m
	}
	return out
}
