package keyword

import (
	"math"
	"reflect"
	"testing"
)

func TestTokenize_Cases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"english", "Hello, World! API v2.", []string{"hello", "world", "api", "v2"}},
		{"japanese bigrams", "検索結果", []string{"検索", "索結", "結果"}},
		{"single cjk char is a unigram", "猫 と 犬", []string{"猫", "と", "犬"}},
		{"mixed scripts", "Wi-Fiの設定", []string{"wi", "fi", "の設", "設定"}},
		{"katakana with prolonged mark", "サーバー", []string{"サー", "ーバ", "バー"}},
		{"full-width ascii folds", "ＡＰＩキー", []string{"api", "キー"}},
		{"japanese punctuation splits runs", "返品。交換", []string{"返品", "交換"}},
		{"digits and accents", "Café 2024", []string{"café", "2024"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Tokenize(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Tokenize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSearch_HandComputedScore(t *testing.T) {
	t.Parallel()
	// "a" would be an English stop word; "x" is not.
	ix := New([]string{"x b", "x x c", "d"})
	got := ix.Search("c", 10, nil)
	if len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("Search(c) = %v, want only doc 1", got)
	}
	// N=3, df=1: idf = ln(1 + 2.5/1.5); avgdl = 2, |d| = 3, tf = 1:
	// norm = 1.2*(0.25 + 0.75*3/2) = 1.65; score = idf * 2.2 / 2.65.
	want := math.Log(1+2.5/1.5) * 2.2 / 2.65
	if math.Abs(got[0].Score-want) > 1e-12 {
		t.Errorf("score = %v, want %v", got[0].Score, want)
	}
}

func TestSearch_Ranking(t *testing.T) {
	t.Parallel()
	docs := []string{
		"Returns are accepted within 30 days of delivery.",
		"返品は商品到着後30日以内に受け付けます。",
		"パスワードを忘れた場合は、ログイン画面から再設定してください。",
		"Reset your password from the login screen.",
		"Shipping to Hokkaido takes three days.",
	}
	ix := New(docs)
	tests := []struct {
		name   string
		query  string
		filter func(uint32) bool
		first  uint32
		n      int
	}{
		{"english word", "password reset", nil, 3, 1},
		{"japanese without spaces", "パスワードの再設定", nil, 2, 1},
		{"japanese returns", "返品の期限", nil, 1, 1},
		{"words shared with other docs rank the topical one first", "returns 30 days", nil, 0, 3},
		{"filter removes the best", "password", func(id uint32) bool { return id != 3 }, 0, 0},
		{"no match", "zebra", nil, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ix.Search(tc.query, 10, tc.filter)
			if len(got) != tc.n {
				t.Fatalf("Search(%q) returned %d results %v, want %d", tc.query, len(got), got, tc.n)
			}
			if tc.n > 0 && got[0].ID != tc.first {
				t.Errorf("Search(%q) first = %d, want %d (%v)", tc.query, got[0].ID, tc.first, got)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Score > got[i-1].Score {
					t.Errorf("results not sorted: %v", got)
				}
			}
		})
	}
}

func TestSearch_KLimitAndEmpty(t *testing.T) {
	t.Parallel()
	ix := New([]string{"x y", "x", "x z"})
	if got := ix.Search("x", 2, nil); len(got) != 2 {
		t.Errorf("k=2 gave %d results", len(got))
	}
	if got := ix.Search("x", 0, nil); got != nil {
		t.Errorf("k=0 gave %v", got)
	}
	if got := New(nil).Search("x", 5, nil); got != nil {
		t.Errorf("empty index gave %v", got)
	}
	if ix.Len() != 3 {
		t.Errorf("Len = %d", ix.Len())
	}
}
