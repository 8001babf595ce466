package minilm

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTokenizer_Pieces checks the pipeline's steps on cases whose pieces
// follow from BERT's rules; ids are looked up in the vocabulary.
func TestTokenizer_Pieces(t *testing.T) {
	t.Parallel()
	tok := encoder(t).Tokenizer()
	cases := []struct {
		text   string
		pieces []string
	}{
		{"", nil},
		{"Hello, World!", []string{"hello", ",", "world", "!"}},
		{"unaffable", []string{"una", "##ffa", "##ble"}},
		{"Crème brûlée", []string{"cr", "##eme", "br", "##ule", "##e"}},
		{"東京", []string{"東", "京"}},                                    // CJK ideographs split
		{"ひらがな", []string{"ひ", "##ら", "##か", "##な"}},                  // kana are not, and lose their dakuten (Mn after NFD)
		{"a[MASK]b", []string{"a", "[MASK]", "b"}},                    // special tokens split out of the raw text
		{"[mask]", []string{"[", "mask", "]"}},                        // but only as written
		{"tab\tnew\nline", []string{"tab", "new", "line"}},            // whitespace
		{"zero\u200bwidth", []string{"zero", "##wi", "##dt", "##h"}},  // format characters dropped
		{"nul\x00byte\ufffd", []string{"nu", "##lby", "##te"}},        // NUL and U+FFFD dropped
		{strings.Repeat("a", 101), []string{"[UNK]"}},                 // over 100 runes
		{"İstanbul", []string{"istanbul"}},                            // NFD before lower-casing: the dot goes
		{"x" + string(rune(0x2B820)), []string{"[UNK]"}},              // not in the CJK table: one word
		{"\U0002B920", []string{"[UNK]"}},                             // in it, split, not in the vocabulary
		{"tired \U0001FAE9 face", []string{"tired", "[UNK]", "face"}}, // newer than some tables: kept
		{"\uffff", []string{"[UNK]"}},                                 // a noncharacter: kept too
		{"a\x0bb\u0085c", []string{"abc"}},                            // vertical tab and NEL are controls: dropped, joining
	}
	for _, tc := range cases {
		want := []int{tok.cls}
		for _, p := range tc.pieces {
			id, ok := tok.vocab[p]
			if !ok {
				t.Fatalf("%q: piece %q not in the vocabulary", tc.text, p)
			}
			want = append(want, id)
		}
		want = append(want, tok.sep)
		if got := tok.Encode(tc.text, 0); !slices.Equal(got, want) {
			t.Errorf("Encode(%q) = %v, want %v %v", tc.text, got, tc.pieces, want)
		}
	}
}

func TestTokenizer_Limit(t *testing.T) {
	t.Parallel()
	tok := encoder(t).Tokenizer()
	text := strings.Repeat("alpha beta, ", 200)
	all := tok.Encode(text, 0)
	if len(all) != 2+3*200 {
		t.Fatalf("%d ids, want %d", len(all), 2+3*200)
	}
	for _, limit := range []int{1, 2, 3, 10, MaxTokens, len(all), len(all) + 5} {
		got := tok.Encode(text, limit)
		n := min(max(limit, 2), len(all))
		want := append(slices.Clone(all[:n-1]), tok.sep)
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: %d ids, want the first %d then [SEP]", limit, len(got), n-1)
		}
	}
	if got := tok.Encode("a[SEP]b", 3); !slices.Equal(got, []int{tok.cls, tok.vocab["a"], tok.sep}) {
		t.Errorf("limit inside specials: %v", got)
	}
}

func FuzzTokenizer_Encode(f *testing.F) {
	for _, s := range []string{"", " ", "Hello world.", "東京", "\xff\xfe", "a\u0301\u0301", "[CLS][SEP", "İı", strings.Repeat("ab ", 200), "👍🏽", "\u3000\t\n"} {
		f.Add(s, 0)
		f.Add(s, 5)
	}
	tok := encoder(f).Tokenizer()
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 1000
		ids := tok.Encode(s, limit)
		if len(ids) < 2 || ids[0] != tok.cls || ids[len(ids)-1] != tok.sep {
			t.Fatalf("Encode(%q) = %v: not [CLS] ... [SEP]", s, ids)
		}
		if limit > 0 && len(ids) > max(limit, 2) {
			t.Fatalf("Encode(%q, %d) has %d ids", s, limit, len(ids))
		}
		for _, id := range ids {
			if id < 0 || id >= VocabSize {
				t.Fatalf("Encode(%q): id %d out of range", s, id)
			}
		}
		// At most four pieces a rune: NFD splits a Hangul syllable into
		// three jamo, each a piece.
		if limit <= 0 && len(ids) > 2+4*utf8.RuneCountInString(s) {
			t.Fatalf("Encode(%q): %d ids for %d runes", s, len(ids), utf8.RuneCountInString(s))
		}
		if full := tok.Encode(s, 0); limit > 2 && !slices.Equal(ids[:len(ids)-1], full[:len(ids)-1]) {
			t.Fatalf("Encode(%q, %d) is not a prefix of the whole text's ids", s, limit)
		}
	})
}

// BenchmarkTokenizer_EncodeLimited: a 4 MB text cut at MaxTokens costs
// what the first words do, not the whole text.
func BenchmarkTokenizer_EncodeLimited(b *testing.B) {
	tok := encoder(b).Tokenizer()
	text := strings.Repeat("a [MASK] b ", 400_000)
	for b.Loop() {
		if ids := tok.Encode(text, MaxTokens); len(ids) != MaxTokens {
			b.Fatalf("%d ids", len(ids))
		}
	}
}

func BenchmarkTokenizer_Encode(b *testing.B) {
	tok := encoder(b).Tokenizer()
	text := strings.Repeat("The daemon reads its configuration file at start-up and again on SIGHUP. ", 40)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		tok.Encode(text, 0)
	}
}
