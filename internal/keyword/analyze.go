package keyword

import (
	"hash/maphash"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Analyzer turns text into the tokens an Index stores and matches.
// Implementations are safe for concurrent use.
type Analyzer interface {
	// Analyze returns the tokens of text in order of appearance; every
	// token is non-empty valid UTF-8 and shares no memory with text, so
	// an index that keeps its tokens does not keep the texts alive. The
	// caller owns the slice.
	Analyze(text string) []string
	// Version names the rules, and changes whenever a rule changes. A
	// keyword index kept anywhere but in memory must record it next to
	// its postings and be rebuilt when it differs: tokens made by other
	// rules would not match the query's, and the index would quietly
	// find less.
	Version() string
}

// AnalyzerVersion is the Version of Standard.
const AnalyzerVersion = "nfkc-lower+ident-split+en-stop-snowball+cjk-bigram/1"

// Standard is the default analyzer: Analyze and AnalyzerVersion.
var Standard Analyzer = standard{}

type standard struct{}

func (standard) Analyze(text string) []string { return Analyze(text) }
func (standard) Version() string              { return AnalyzerVersion }

// Analyze returns the index tokens of text, in order of appearance: the
// tokens BM25 indexes and matches. Documents and queries go through the same
// rules; the package documentation lists them. Unlike Tokenize it drops
// English stop words, stems English words and keeps identifiers whole as
// well as split.
func Analyze(text string) []string {
	a := analyzer{}
	a.run(norm.NFKC.String(text))
	return a.toks
}

// Segmenter splits a run of Japanese text (Han, Hiragana and Katakana,
// NFKC-normalised) into index tokens. It is safe for concurrent use.
type Segmenter interface {
	// AppendTokens appends the tokens of run to dst and returns it; every
	// token must be non-empty valid UTF-8 and share no memory with run.
	AppendTokens(dst []string, run string) []string
}

// WithSegmenter returns an analyzer with the Standard rules except that
// runs of Japanese text go to seg instead of becoming bigrams; runs of
// Hangul stay bigrams. version names seg's rules and goes into the
// analyzer's Version.
func WithSegmenter(seg Segmenter, version string) Analyzer {
	return segmented{seg: seg, version: AnalyzerVersion + "+" + version}
}

type segmented struct {
	seg     Segmenter
	version string
}

func (s segmented) Analyze(text string) []string {
	a := analyzer{seg: s.seg}
	a.run(norm.NFKC.String(text))
	return a.toks
}

func (s segmented) Version() string { return s.version }

// analyzer holds one Analyze call's state.
type analyzer struct {
	seg  Segmenter // nil: bigrams
	toks []string
	cjk  []rune
}

// isConnector reports whether b may join the parts of an identifier
// ("json.dumps", "sort_keys", "3.11").
func isConnector(b byte) bool { return b == '.' || b == '_' }

// isWordRune reports whether r belongs in a word outside CJK runs.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// run appends the tokens of NFKC-normalised s.
func (a *analyzer) run(s string) {
	start := -1 // byte offset of the current word, or -1
	compound := false
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case IsCJK(r):
			a.endWord(s, start, i, compound)
			start, compound = -1, false
			a.cjk = append(a.cjk, unicode.ToLower(r))
		case isWordRune(r):
			a.flushCJK()
			if start < 0 {
				start = i
			}
		case start >= 0 && r < utf8.RuneSelf && isConnector(byte(r)):
			// A run of connectors joins two parts only when a word rune
			// follows it; otherwise it ends the word ("v2." -> "v2").
			j := i
			for j < len(s) && isConnector(s[j]) {
				j++
			}
			if next, _ := utf8.DecodeRuneInString(s[j:]); j < len(s) && isWordRune(next) && !IsCJK(next) {
				compound = true
				i = j
				continue
			}
			a.endWord(s, start, i, compound)
			start, compound = -1, false
		default:
			a.endWord(s, start, i, compound)
			start, compound = -1, false
			a.flushCJK()
		}
		i += size
	}
	a.endWord(s, start, len(s), compound)
	a.flushCJK()
}

// endWord emits the word s[start:end] if start >= 0: a compound whole and
// then each of its parts, a plain word as itself.
func (a *analyzer) endWord(s string, start, end int, compound bool) {
	if start < 0 {
		return
	}
	w := strings.ToLower(s[start:end])
	if !compound {
		a.word(w)
		return
	}
	// The whole identifier is kept as written (lower-cased), so a query
	// naming it exactly ranks its own entry above text that merely uses
	// its parts. Its parts are cut from this copy, not from s.
	w = own(w, s[start:end])
	a.toks = append(a.toks, w)
	for part := range strings.FieldsFuncSeq(w, func(r rune) bool { return r == '.' || r == '_' }) {
		a.word(part)
	}
}

// word emits one lower-cased word unless it is an English stop word,
// stemmed when it is written in Latin letters only. w may share memory
// with the analysed text; the token does not.
func (a *analyzer) word(w string) {
	if english.IsStopWord(w) {
		return
	}
	if latinLetters(w) {
		a.toks = append(a.toks, stem(w))
		return
	}
	a.toks = append(a.toks, strings.Clone(w))
}

// own returns lower, the lower-cased form of raw, as a string that shares
// no memory with raw: strings.ToLower returns its argument when nothing
// changes.
func own(lower, raw string) string {
	if lower == raw {
		return strings.Clone(lower)
	}
	return lower
}

// stemCache remembers recent stems: stemming is most of the cost of
// analysing English text, and a corpus repeats a small vocabulary. It is a
// direct-mapped table, so its size is fixed and a collision only costs a
// stem.
var (
	stemCache [1 << 12]atomic.Pointer[stemEntry]
	stemSeed  = maphash.MakeSeed()
)

type stemEntry struct{ word, stem string }

// stem returns the Porter2 (Snowball English) stem of lower-case w, or w
// when the stemmer would leave nothing, as a string that shares no memory
// with w (the stemmer returns short words as they are).
func stem(w string) string {
	if len(w) > 32 { // long words are rare: not worth a slot
		return strings.Clone(stemUncached(w))
	}
	slot := &stemCache[maphash.String(stemSeed, w)%uint64(len(stemCache))]
	if e := slot.Load(); e != nil && e.word == w {
		return e.stem
	}
	e := &stemEntry{word: strings.Clone(w), stem: strings.Clone(stemUncached(w))}
	slot.Store(e)
	return e.stem
}

func stemUncached(w string) string {
	if st := english.Stem(w, true); st != "" {
		return st
	}
	return w
}

// latinLetters reports whether w is made of Latin-script letters (and
// combining marks) only: words with digits ("v2", "utf8") or in other
// scripts are left as they are.
func latinLetters(w string) bool {
	for _, r := range w {
		switch {
		case r >= 'a' && r <= 'z':
		case r < utf8.RuneSelf:
			return false
		case unicode.Is(unicode.Latin, r) || unicode.Is(unicode.Mn, r):
		default:
			return false
		}
	}
	return true
}

// flushCJK emits the pending CJK run as overlapping bigrams, or as a
// unigram when it is one character long.
func (a *analyzer) flushCJK() {
	if a.seg != nil && len(a.cjk) > 0 && !slices.ContainsFunc(a.cjk, isHangul) {
		a.toks = a.seg.AppendTokens(a.toks, string(a.cjk))
		a.cjk = a.cjk[:0]
		return
	}
	switch len(a.cjk) {
	case 0:
		return
	case 1:
		a.toks = append(a.toks, string(a.cjk))
	default:
		for i := 0; i+1 < len(a.cjk); i++ {
			a.toks = append(a.toks, string(a.cjk[i:i+2]))
		}
	}
	a.cjk = a.cjk[:0]
}

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }
