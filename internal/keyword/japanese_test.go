package keyword

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestHasJapanese(t *testing.T) {
	t.Parallel()
	ja := "ファイルの所有者を変更するには chown を使います。グループだけを変えるときは chgrp も使えます。"
	zh := "要更改文件的所有者，请使用命令。只更改组时也可以使用另一个命令。"
	en := "To change the owner of a file, use chown. To change only the group, chgrp works too."
	repeat := func(s string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	mix := slices.Concat[[]string]
	for _, tc := range []struct {
		name  string
		texts []string
		want  bool
	}{
		{"none", nil, false},
		{"english", repeat(en, 100), false},
		{"japanese", repeat(ja, 20), true},
		// A Japanese sentence quoted in English documentation.
		{"one japanese sentence", mix(repeat(en, 100), repeat(ja, 1)), false},
		// Quoted here and there in a large English store: 200 kana, but
		// a few in ten thousand of its letters.
		{"japanese sentences quoted in a large english store", mix(repeat(en, 1993), repeat(ja, 7)), false},
		{"a kaomoji in english documentation", mix(repeat(en, 1750), repeat(en+" ¯\\_(ツ)_/¯", 250)), false},
		{"chinese", repeat(zh, 100), false},
		// Chinese text quoting a little Japanese: kana under a tenth.
		{"chinese quoting japanese", mix(repeat(zh, 300), repeat(ja, 10)), false},
		// A few percent of Japanese documents in a large English store
		// are still seen through the sample.
		{"large english store with japanese", mix(repeat(en, 9700), repeat(ja, 300)), true},
		// One Japanese document in ten.
		{"one document in ten japanese", mix(repeat(en, 900), repeat(ja, 100)), true},
		{"half-width katakana", repeat(strings.Repeat("ｶﾀｶﾅ", 60), 1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := HasJapanese(len(tc.texts), func(i int) string { return tc.texts[i] })
			if got != tc.want {
				t.Errorf("HasJapanese = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSampleIndices(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, k, want int }{{0, 4, 0}, {3, 4, 3}, {4, 4, 4}, {10, 4, 4}, {math.MaxInt, 2048, 2048}} {
		got := sampleIndices(tc.n, tc.k)
		if len(got) != tc.want {
			t.Fatalf("sampleIndices(%d, %d): %d indices, want %d", tc.n, tc.k, len(got), tc.want)
		}
		for j, i := range got {
			if i < 0 || i >= tc.n || (j > 0 && i <= got[j-1]) {
				t.Fatalf("sampleIndices(%d, %d) = %v: not ascending in range", tc.n, tc.k, got)
			}
		}
	}
	// Evenly spaced: the last index lies in the last k-th of the range.
	if got := sampleIndices(10000, 100); got[99] < 9900 {
		t.Errorf("sampleIndices(10000, 100) ends at %d, want the last hundredth", got[99])
	}
}
