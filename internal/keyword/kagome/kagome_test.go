package kagome

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/keyword"
)

// analyzer loads the dictionary once for all tests of the package.
var analyzer = sync.OnceValues(NewAnalyzer)

func mustAnalyzer(t testing.TB) keyword.Analyzer {
	t.Helper()
	an, err := analyzer()
	if err != nil {
		t.Fatalf("NewAnalyzer: %v", err)
	}
	return an
}

func TestAnalyze_Cases(t *testing.T) {
	t.Parallel()
	an := mustAnalyzer(t)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"dictionary forms, particles dropped", "寒いと走れる距離はどのくらい減りますか", []string{"寒い", "走れる", "距離", "どの", "減る"}},
		{"inflections meet", "設定しました 設定する", []string{"設定", "する", "設定", "する"}},
		{"compound noun split in search mode", "関西国際空港", []string{"関西", "国際", "空港"}},
		{"english keeps the standard rules", "Configuring json.dumps の設定", []string{"configur", "json.dumps", "json", "dump", "設定"}},
		{"half-width katakana folds first", "ｻｰﾊﾞｰを再起動", []string{"サーバー", "再", "起動"}},
		{"hangul stays bigrams", "한국어", []string{"한국", "국어"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := an.Analyze(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Analyze(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if v := an.Version(); !strings.HasPrefix(v, keyword.AnalyzerVersion) || !strings.HasSuffix(v, Version) {
		t.Errorf("Version() = %q", v)
	}
}

func TestSearch_WordsNotBigrams(t *testing.T) {
	t.Parallel()
	// As bigrams "京都" is found inside "東京都" too; as words it is not.
	docs := []string{"東京都の天気です。", "京都の天気です。", "バッテリーは毎晩充電してください。"}
	for _, tc := range []struct {
		name string
		an   keyword.Analyzer
		want int
	}{{"kagome", mustAnalyzer(t), 1}, {"bigram", keyword.Standard, 2}} {
		ix := keyword.NewWith(docs, tc.an)
		if res := ix.Search("京都", 3, nil); len(res) != tc.want || res[0].ID != 1 {
			t.Errorf("%s: Search(京都) = %v, want %d hits, doc 1 first", tc.name, res, tc.want)
		}
		if ix.AnalyzerVersion() != tc.an.Version() {
			t.Errorf("AnalyzerVersion = %q", ix.AnalyzerVersion())
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{"", "寒いと走れる距離", "ｻｰﾊﾞｰ json.dumps", "、。「」", "\xe3\x81", "々〆ーー", "ヴ゙"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		an := mustAnalyzer(t)
		toks := an.Analyze(s)
		// NFKC makes at most 18 runes of one, and every token comes
		// from at least one of them.
		if len(toks) > 18*utf8.RuneCountInString(s) {
			t.Fatalf("Analyze(%q) gave %d tokens", s, len(toks))
		}
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("Analyze(%q) gave token %q", s, tok)
			}
		}
	})
}

func BenchmarkAnalyze(b *testing.B) {
	an := mustAnalyzer(b)
	jp := []string{"検索結果を", "設定ファイルは", "サーバーの起動時に", "読み込まれます。", "パスワードを", "再設定してください", "、", "ログは", "毎日", "ローテートされる"}
	var sb strings.Builder
	for i := 0; sb.Len() < 100_000; i++ {
		sb.WriteString(jp[(i*7+i/3)%len(jp)])
	}
	text := sb.String()
	for _, a := range []struct {
		name string
		an   keyword.Analyzer
	}{{"bigram", keyword.Standard}, {"kagome", an}} {
		b.Run("lang=ja/analyzer="+a.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(text)))
			var n int
			for b.Loop() {
				n += len(a.an.Analyze(text))
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// TestAnalyze_LongRunInPieces: a run longer than maxRunRunes is segmented
// a piece at a time (Kagome's lattice takes about 1 KB a rune), and each
// piece as it would be alone.
func TestAnalyze_LongRunInPieces(t *testing.T) {
	t.Parallel()
	seg, err := New()
	if err != nil {
		t.Fatal(err)
	}
	// 7 runes and no punctuation: 128 = 7*18 + 2 cuts inside ファイル.
	unit := "ファイルを開く"
	run := strings.Repeat(unit, 3*maxRunRunes/7+5)
	var want []string
	for rest := run; rest != ""; {
		i := runeOffset(rest, maxRunRunes)
		want = seg.appendPiece(want, rest[:i])
		rest = rest[i:]
	}
	got := seg.AppendTokens(nil, run)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%d tokens, want %d made piece by piece", len(got), len(want))
	}
	if whole := seg.appendPiece(nil, run); reflect.DeepEqual(got, whole) {
		t.Error("the long run was segmented in one piece")
	}
	if short := seg.AppendTokens(nil, unit); !reflect.DeepEqual(short, seg.appendPiece(nil, unit)) {
		t.Errorf("a short run: %q", short)
	}
	for _, tc := range []struct {
		s    string
		n, i int
	}{{"", 3, 0}, {"abc", 0, 0}, {"abc", 5, 3}, {"あいう", 1, 3}, {"あいう", 2, 6}} {
		if got := runeOffset(tc.s, tc.n); got != tc.i {
			t.Errorf("runeOffset(%q, %d) = %d, want %d", tc.s, tc.n, got, tc.i)
		}
	}
}
