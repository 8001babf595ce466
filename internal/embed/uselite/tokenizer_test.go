package uselite

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenizer_Encode(t *testing.T) {
	t.Parallel()
	tok := encoder(t).Tokenizer()
	tests := []struct {
		name string
		text string
		want []int
	}{
		// Ids below are those of the JavaScript tokenizer (see
		// testdata/reference.json); 30 is "▁", 0 the unknown piece.
		{"Empty", "", nil},
		{"Space", " ", []int{30, 30}},
		{"Word", "a", []int{11}},
		{"TwoWords", "a b", []int{11, 464}},
		{"DoubleSpace", "a  b", []int{11, 30, 464}},
		{"Sentence", "Hello world.", []int{341, 4125, 311, 6}}, // ▁H ello ▁world .
		{"Question", "How do I reset my password?", []int{728, 64, 16, 137, 1383, 69, 5969, 54}},
		{"JapaneseIsOneUnknown", "東京は日本の首都です。", []int{30, 0}},
		{"JapaneseKatakana", "ベクトル検索の設定方法を教えてください", []int{30, 0}},
		{"UnknownRunsCollapse", "x\uFFFDy", []int{649, 0, 48}},
		{"IdeographicSpaceIsNFKCSpace", "\u3000", []int{30, 30}},
		{"TabIsNotASeparator", "\t", []int{30, 0}},
		{"NullScorePiece", ":", []int{30, 57}},
		{"NFKCLigature", "ℌ", []int{341}},
		{"DuplicatePieceLastWins", "”5", []int{30, 4464}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tok.Encode(tt.text)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Encode(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestTokenizer_LongTextNotTruncated(t *testing.T) {
	t.Parallel()
	tok := encoder(t).Tokenizer()
	text := strings.Repeat("alpha beta gamma ", 100)
	ids := tok.Encode(text)
	if len(ids) <= MaxTokens {
		t.Fatalf("%d ids for a 300-word text, want > %d", len(ids), MaxTokens)
	}
	// The model reads only the first MaxTokens ids: a suffix beyond them
	// must not change the vector (see TestEmbed_Cases/TruncatedAt128Tokens).
	head := tok.Encode(strings.Repeat("alpha beta gamma ", 50))
	if !slices.Equal(ids[:MaxTokens], head[:MaxTokens]) {
		t.Fatalf("first %d ids depend on the tail", MaxTokens)
	}
}

func TestTokenizer_InvalidUTF8(t *testing.T) {
	t.Parallel()
	tok := encoder(t).Tokenizer()
	got := tok.Encode("a\xffb")
	want := tok.Encode("a\uFFFDb")
	if !slices.Equal(got, want) {
		t.Fatalf("Encode(invalid) = %v, want %v (as U+FFFD)", got, want)
	}
}

func FuzzTokenizer_Encode(f *testing.F) {
	for _, s := range []string{"", " ", "Hello world.", "東京", "\xff\xfe", "a\u0301\u0301", ":)", strings.Repeat("ab ", 200), "👍🏽", "\u3000\t\n"} {
		f.Add(s)
	}
	tok := encoder(f).Tokenizer()
	vocab := len(tok.pieceLen16)
	f.Fuzz(func(t *testing.T, s string) {
		ids := tok.Encode(s)
		if s == "" && len(ids) != 0 {
			t.Fatalf("Encode(\"\") = %v", ids)
		}
		if s != "" && utf8.RuneCountInString(s) > 0 && len(ids) == 0 {
			t.Fatalf("Encode(%q) has no ids", s)
		}
		for i, id := range ids {
			if id < 0 || id >= vocab || (id > 0 && id < reservedPieces) {
				t.Fatalf("Encode(%q)[%d] = %d out of range", s, i, id)
			}
			if i > 0 && id == unkID && ids[i-1] == unkID {
				t.Fatalf("Encode(%q) has consecutive unknown ids: %v", s, ids)
			}
		}
	})
}

func BenchmarkTokenizer_Encode(b *testing.B) {
	tok := encoder(b).Tokenizer()
	text := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 23) // ~1 KB
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		tok.Encode(text)
	}
}
