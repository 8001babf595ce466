package kagome

import (
	"fmt"
	"strings"

	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"

	"github.com/vendor0919/api/internal/keyword"
)

// Version names the rules of Segmenter; it goes into the analyzer's
// Version. Change it with any rule, the dictionary or Kagome's version.
const Version = "kagome2.10-ipa1.2.6-search-base-posstop-run128/2"

// stopPOS lists the parts of speech (first level of the IPA tag) whose
// words are not indexed: particles, auxiliary verbs, symbols, fillers and
// conjunctions carry grammar, not topic, as the English stop words do.
var stopPOS = map[string]bool{"助詞": true, "助動詞": true, "記号": true, "フィラー": true, "接続詞": true}

// Segmenter splits Japanese runs into words with Kagome. It implements
// keyword.Segmenter and is safe for concurrent use.
type Segmenter struct {
	t    *tokenizer.Tokenizer
	base *baseForms
}

// New loads the IPA dictionary, which is embedded in the binary (about
// 12 MB), without its feature columns (ipa.DictShrink: 30 MB of heap
// where the whole dictionary takes 93 MB), and the table of its words'
// dictionary forms (about 6 MB), in about half a second; the dictionary
// is loaded once per process and shared.
func New() (*Segmenter, error) {
	d := ipa.DictShrink()
	t, err := tokenizer.New(d, tokenizer.OmitBosEos())
	if err != nil {
		return nil, fmt.Errorf("kagome: load dictionary: %w", err)
	}
	base, err := decodeBaseForms(baseFormsGz, len(d.Morphs))
	if err != nil {
		return nil, err
	}
	return &Segmenter{t: t, base: base}, nil
}

// NewAnalyzer returns the Standard keyword analyzer with Japanese runs
// split by a new Segmenter instead of into character bigrams.
func NewAnalyzer() (keyword.Analyzer, error) {
	s, err := New()
	if err != nil {
		return nil, err
	}
	return keyword.WithSegmenter(s, Version), nil
}

// AppendTokens appends the words of run to dst: Kagome's search-mode
// segmentation (long compound nouns are split too), each word in its
// dictionary form (走れ -> 走れる, 減り -> 減る) when it has one, words
// of the stop parts of speech left out.
func (s *Segmenter) AppendTokens(dst []string, run string) []string {
	for run != "" {
		piece := run
		if i := runeOffset(run, maxRunRunes); i < len(run) {
			piece = run[:i]
		}
		dst = s.appendPiece(dst, piece)
		run = run[len(piece):]
	}
	return dst
}

// maxRunRunes bounds the text one Kagome lattice covers. Within it the
// time per rune grows with the run (a run of one katakana repeated: 2 µs
// a rune at 16 runes, 14 at 128, 70 at 1,024; a 4,000-character query of
// them took 0.34 s) and the memory is about 1 KB a rune. A run ends at
// any punctuation, space or Latin letter: of 17,500 runs in the Japanese
// evaluation corpora the longest has 73 runes, so only text made to be
// hostile is cut, between two words or inside one.
const maxRunRunes = 128

// runeOffset is the byte offset of s's n-th rune (len(s) when s is
// shorter).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// appendPiece appends the words of one piece of a run.
func (s *Segmenter) appendPiece(dst []string, run string) []string {
	for _, tok := range s.t.Analyze(run, tokenizer.Search) {
		if pos := tok.POS(); len(pos) > 0 && stopPOS[pos[0]] {
			continue
		}
		// A base form lives in the table or the dictionary; a surface is
		// cut from run, so it is copied.
		if base, ok := s.baseForm(tok); ok && base != "*" {
			dst = append(dst, base)
		} else if tok.Surface != "" {
			dst = append(dst, strings.Clone(tok.Surface))
		}
	}
	return dst
}

// baseForm is tok's dictionary form: a dictionary word's from the table
// (the shrunk dictionary lacks them), an unknown word's from the
// dictionary's rules for unknown words.
func (s *Segmenter) baseForm(tok tokenizer.Token) (string, bool) {
	if tok.Class == tokenizer.KNOWN {
		return s.base.of(tok.ID)
	}
	return tok.BaseForm()
}
