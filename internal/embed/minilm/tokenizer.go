package minilm

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxWordRunes is WordPiece's max_input_chars_per_word: a longer word is
// one unknown id.
const maxWordRunes = 100

// Tokenizer splits text into WordPiece ids as the Hugging Face tokenizers
// library (0.21, the reference engine's) does with the model's
// tokenizer.json: the special tokens written literally in the text
// ("[CLS]", "[MASK]", ...) are split out first and kept as their ids; the
// rest goes through the BertNormalizer (drop NUL, U+FFFD and other
// control/format/unassigned code points, whitespace to spaces, spaces
// around CJK ideographs, NFD with non-spacing marks removed, then
// lower-casing, in that order), the BertPreTokenizer (split on
// whitespace, every punctuation character a word of its own) and greedy
// longest-match-first WordPiece with the "##" continuation prefix.
//
// One known difference: Go's Unicode tables are newer than the
// reference's, so a combining mark or punctuation character assigned in a
// recent Unicode version (U+0898, U+1AC1) is stripped or split here and
// read as part of a word there; such characters are rare in documents.
//
// A Tokenizer is immutable after construction and safe for concurrent use.
type Tokenizer struct {
	vocab         map[string]int
	special       []specialToken // matched in the raw text, longest first
	specialStarts string         // their first bytes, for one scan of a text
	maxPieceBytes int            // longest vocabulary entry, without "##"
	cls, sep, unk int
}

type specialToken struct {
	text string
	id   int
}

// tokenizerJSON is the part of tokenizer.json the Tokenizer reads; the
// rest is checked to be what this code implements.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		Special    bool   `json:"special"`
		SingleWord bool   `json:"single_word"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
		Normalized bool   `json:"normalized"`
	} `json:"added_tokens"`
	Normalizer struct {
		Type               string `json:"type"`
		CleanText          bool   `json:"clean_text"`
		HandleChineseChars bool   `json:"handle_chinese_chars"`
		StripAccents       *bool  `json:"strip_accents"`
		Lowercase          bool   `json:"lowercase"`
	} `json:"normalizer"`
	PreTokenizer struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	Model struct {
		Type                    string         `json:"type"`
		UnkToken                string         `json:"unk_token"`
		ContinuingSubwordPrefix string         `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    int            `json:"max_input_chars_per_word"`
		Vocab                   map[string]int `json:"vocab"`
	} `json:"model"`
}

// parseTokenizer builds a Tokenizer from tokenizer.json, refusing any
// setting this implementation does not follow. The error wraps ErrBadModel.
func parseTokenizer(b []byte) (*Tokenizer, error) {
	var f tokenizerJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("minilm: tokenizer.json: %w: %w", err, ErrBadModel)
	}
	n := f.Normalizer
	switch {
	case n.Type != "BertNormalizer" || !n.CleanText || !n.HandleChineseChars || !n.Lowercase ||
		(n.StripAccents != nil && !*n.StripAccents):
		return nil, fmt.Errorf("minilm: tokenizer.json: normalizer %+v is not the uncased BertNormalizer: %w", n, ErrBadModel)
	case f.PreTokenizer.Type != "BertPreTokenizer":
		return nil, fmt.Errorf("minilm: tokenizer.json: pre-tokenizer %q is not BertPreTokenizer: %w", f.PreTokenizer.Type, ErrBadModel)
	case f.Model.Type != "WordPiece" || f.Model.ContinuingSubwordPrefix != "##" || f.Model.MaxInputCharsPerWord != maxWordRunes:
		return nil, fmt.Errorf("minilm: tokenizer.json: model %s (prefix %q, %d chars a word) is not BERT's WordPiece: %w",
			f.Model.Type, f.Model.ContinuingSubwordPrefix, f.Model.MaxInputCharsPerWord, ErrBadModel)
	case len(f.Model.Vocab) != VocabSize:
		return nil, fmt.Errorf("minilm: tokenizer.json: %d vocabulary entries, want %d: %w", len(f.Model.Vocab), VocabSize, ErrBadModel)
	}
	t := &Tokenizer{vocab: f.Model.Vocab}
	for piece, id := range t.vocab {
		if id < 0 || id >= VocabSize {
			return nil, fmt.Errorf("minilm: tokenizer.json: id %d of %q out of range: %w", id, piece, ErrBadModel)
		}
		t.maxPieceBytes = max(t.maxPieceBytes, len(strings.TrimPrefix(piece, "##")))
	}
	for _, a := range f.AddedTokens {
		if !a.Special || a.SingleWord || a.LStrip || a.RStrip || a.Normalized || a.Content == "" || t.vocab[a.Content] != a.ID {
			return nil, fmt.Errorf("minilm: tokenizer.json: added token %q is not a plain special token: %w", a.Content, ErrBadModel)
		}
		t.special = append(t.special, specialToken{a.Content, a.ID})
		if !strings.Contains(t.specialStarts, a.Content[:1]) {
			t.specialStarts += a.Content[:1]
		}
	}
	slices.SortStableFunc(t.special, func(a, b specialToken) int { return len(b.text) - len(a.text) })
	var ok [3]bool
	t.cls, ok[0] = t.vocab["[CLS]"]
	t.sep, ok[1] = t.vocab["[SEP]"]
	t.unk, ok[2] = t.vocab[f.Model.UnkToken]
	if ok != [3]bool{true, true, true} {
		return nil, fmt.Errorf("minilm: tokenizer.json: [CLS], [SEP] or %q missing: %w", f.Model.UnkToken, ErrBadModel)
	}
	return t, nil
}

// Encode returns text's ids between [CLS] and [SEP], at most max(limit,
// 2) ids in all (the pieces past limit-2 are dropped, as the reference
// truncates a single sequence); limit <= 0 means no limit. Text is
// normalised a whitespace-delimited word at a time, and tokenizing stops
// at the first word past the limit, so a long text costs about what is
// kept (one long word is read whole).
func (t *Tokenizer) Encode(text string, limit int) []int {
	pieces := -1 // no limit
	if limit > 0 {
		pieces = max(limit-2, 0)
	}
	ids := []int{t.cls}
	full := func() bool { return pieces >= 0 && len(ids)-1 >= pieces }
	for text != "" && !full() {
		seg, sp, rest := t.nextSpecial(text)
		for seg != "" && !full() {
			var word string
			word, seg = nextWord(seg)
			for _, w := range preTokenize(normalize(word)) {
				if full() {
					break
				}
				ids = t.wordPiece(w, ids)
			}
		}
		if sp >= 0 && !full() {
			ids = append(ids, sp)
		}
		text = rest
	}
	if pieces >= 0 && len(ids)-1 > pieces {
		ids = ids[:1+pieces]
	}
	return append(ids, t.sep)
}

// nextSpecial splits text at its first special token (the longest of
// those starting there): the text before it, its id (-1 when there is
// none) and the text after it. Each byte is looked at once or a few times.
func (t *Tokenizer) nextSpecial(text string) (string, int, string) {
	for off := 0; off < len(text); {
		i := strings.IndexAny(text[off:], t.specialStarts)
		if i < 0 {
			break
		}
		at := off + i
		for _, s := range t.special {
			if strings.HasPrefix(text[at:], s.text) {
				return text[:at], s.id, text[at+len(s.text):]
			}
		}
		off = at + 1
	}
	return text, -1, ""
}

// nextWord returns s's first run of runes that the normaliser does not
// turn into spaces, and the rest of s after it. Words so cut normalise
// as they would within the whole text: NFD's reordering and the CJK
// spacing never reach across a space.
func nextWord(s string) (string, string) {
	start := len(s)
	for i, r := range s {
		if !becomesSpace(r) {
			start = i
			break
		}
	}
	s = s[start:]
	for i, r := range s {
		if becomesSpace(r) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// dropped reports the runes the normaliser removes: NUL, U+FFFD (and so
// invalid UTF-8) and the control, format and private-use characters.
func dropped(r rune) bool { return r == 0 || r == utf8.RuneError || isOther(r) }

// becomesSpace reports the runes the normaliser turns into a space.
func becomesSpace(r rune) bool { return !dropped(r) && bertSpace(r) }

// bertSpace is BERT's whitespace, to be asked only of runes not dropped.
func bertSpace(r rune) bool { return r == '\t' || r == '\n' || r == '\r' || unicode.IsSpace(r) }

// normalize is the BertNormalizer of the uncased models.
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case dropped(r):
		case bertSpace(r):
			b.WriteByte(' ')
		case isCJK(r):
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	d := norm.NFD.String(b.String())
	b.Reset()
	for _, r := range d {
		// Marks go before lower-casing, as in the reference: NFD has
		// already split İ, the one rune whose lower case is two.
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isOther reports what the reference's is_control calls "other": the
// categories Cc, Cf and Co (its table has no Cn: an unassigned code point,
// or one newer than its tables, such as a new emoji, is kept and becomes
// [UNK]), but for the tab, newline and carriage return, which are
// whitespace to BERT.
func isOther(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co)
}

// isCJK reports the CJK ideograph blocks BERT splits into single
// characters (the reference's table, Hangul and kana not included).
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) || (r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) || (r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) || (r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) || (r >= 0x2F800 && r <= 0x2FA1F)
}

// isPunct is BERT's punctuation: ASCII symbols and Unicode category P.
func isPunct(r rune) bool {
	return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) ||
		unicode.IsPunct(r)
}

// preTokenize splits normalised text on whitespace and around each
// punctuation character.
func preTokenize(s string) []string {
	var words []string
	for _, w := range strings.Fields(s) {
		start := -1
		for i, r := range w {
			if !isPunct(r) {
				if start < 0 {
					start = i
				}
				continue
			}
			if start >= 0 {
				words = append(words, w[start:i])
				start = -1
			}
			words = append(words, w[i:i+utf8.RuneLen(r)])
		}
		if start >= 0 {
			words = append(words, w[start:])
		}
	}
	return words
}

// wordPiece appends w's pieces to ids: at each position the longest
// vocabulary entry ("##"-prefixed after the first), or one unknown id for
// the whole word when some position matches none or w is over
// maxWordRunes long.
func (t *Tokenizer) wordPiece(w string, ids []int) []int {
	if utf8.RuneCountInString(w) > maxWordRunes {
		return append(ids, t.unk)
	}
	n0 := len(ids)
	var buf []byte
	for start := 0; start < len(w); {
		// No entry is longer than maxPieceBytes: try only prefixes that
		// short, longest first, each ending on a rune boundary.
		end, found := min(len(w), start+t.maxPieceBytes), -1
		for ; end > start; end-- {
			if end < len(w) && !utf8.RuneStart(w[end]) {
				continue
			}
			buf = buf[:0]
			if start > 0 {
				buf = append(buf, "##"...)
			}
			buf = append(buf, w[start:end]...)
			if id, ok := t.vocab[string(buf)]; ok {
				found = id
				break
			}
		}
		if found < 0 {
			return append(ids[:n0], t.unk)
		}
		ids = append(ids, found)
		start = end
	}
	return ids
}
