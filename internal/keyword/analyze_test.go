package keyword

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

func TestAnalyze_Cases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only stop words", "the and of it", nil},
		{"english stems", "Configuring configurations", []string{"configur", "configur"}},
		{"inflections meet", "running runs connected connection", []string{"run", "run", "connect", "connect"}},
		{"stop words dropped", "How do I reset the password?", []string{"reset", "password"}},
		{"contractions leave stop words", "don't user's", []string{"user"}},
		{"dotted identifier whole and split", "json.dumps()", []string{"json.dumps", "json", "dump"}},
		{"underscored identifier whole and split", "sort_keys=True", []string{"sort_keys", "sort", "key", "true"}},
		{"longer path", "os.path.join", []string{"os.path.join", "os", "path", "join"}},
		{"stop word part dropped, whole kept", "is_dir", []string{"is_dir", "dir"}},
		{"edge connectors are not part of a word", "__init__ end. .hidden", []string{"init", "end", "hidden"}},
		{"numbers kept, versions whole and split", "Python 3.11 in 2024", []string{"python", "3.11", "3", "11", "2024"}},
		{"words with digits are not stemmed", "v2 utf8 ipv6s", []string{"v2", "utf8", "ipv6s"}},
		{"trailing dot ends the word", "API v2.", []string{"api", "v2"}},
		{"full-width ascii folds (NFKC)", "ＡＰＩキー", []string{"api", "キー"}},
		{"full-width digits and identifiers", "ｊｓｏｎ．ｄｕｍｐｓ １２３", []string{"json.dumps", "json", "dump", "123"}},
		{"half-width katakana folds", "ｶﾀｶﾅ", []string{"カタ", "タカ", "カナ"}},
		{"ligature folds", "ﬁle", []string{"file"}},
		{"accented latin is stemmed", "Cafés", []string{"café"}},
		{"non-latin words are not stemmed", "Ελληνικά", []string{"ελληνικά"}},
		{"japanese bigrams", "検索結果", []string{"検索", "索結", "結果"}},
		{"single cjk char is a unigram", "猫 と 犬", []string{"猫", "と", "犬"}},
		{"mixed scripts", "Wi-Fiの設定", []string{"wi", "fi", "の設", "設定"}},
		{"katakana with prolonged mark", "サーバー", []string{"サー", "ーバ", "バー"}},
		{"japanese punctuation splits runs", "返品。交換", []string{"返品", "交換"}},
		{"identifier next to japanese", "json.dumpsの使い方", []string{"json.dumps", "json", "dump", "の使", "使い", "い方"}},
		{"hangul bigrams", "한국어", []string{"한국", "국어"}},
		{"invalid utf-8 separates", "ab\xffcd", []string{"ab", "cd"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Analyze(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Analyze(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestAnalyze_JapaneseMatchesTokenize checks that text in Japanese (no
// Latin words, nothing NFKC changes) gets the very bigrams Tokenize gives.
func TestAnalyze_JapaneseMatchesTokenize(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"返品は商品到着後30日以内に受け付けます。",
		"パスワードを忘れた場合は、ログイン画面から再設定してください。",
		"々〆ー 東京々 ヴァイオリン",
	} {
		if got, want := Analyze(s), Tokenize(s); !reflect.DeepEqual(got, want) {
			t.Errorf("Analyze(%q) = %q, Tokenize gives %q", s, got, want)
		}
	}
}

func TestSearch_StemmingFindsOtherForms(t *testing.T) {
	t.Parallel()
	docs := []string{
		"Configuration of the server is read at start-up.",
		"The server logs every request.",
		"Use json.dumps with sort_keys to get stable output.",
		"Sorting keys of a dict is done with sorted().",
	}
	ix := New(docs)
	tests := []struct {
		query string
		first uint32
	}{
		{"configuring", 0},
		{"how is the server configured", 0},
		{"logged requests", 1},
		// The identifier written whole ranks its own passage above one
		// that only shares its parts.
		{"sort_keys", 2},
		{"json.dumps", 2},
		{"sorted keys", 3},
	}
	for _, tc := range tests {
		got := ix.Search(tc.query, 5, nil)
		if len(got) == 0 || got[0].ID != tc.first {
			t.Errorf("Search(%q) = %v, want doc %d first", tc.query, got, tc.first)
		}
	}
	// Without stemming "configuring" shares no token with any document.
	if ref := Tokenize("configuring"); len(ref) != 1 || strings.Contains(docs[0], ref[0]) {
		t.Fatalf("test premise: Tokenize(configuring) = %q", ref)
	}
}

func TestIndex_AnalyzerVersion(t *testing.T) {
	t.Parallel()
	if got := New([]string{"x"}).AnalyzerVersion(); got != AnalyzerVersion || got == "" {
		t.Errorf("AnalyzerVersion() = %q, want %q", got, AnalyzerVersion)
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"", "json.dumps(sort_keys=True)", "ＡＰＩキー ｶﾀｶﾅ", "検索結果 Wi-Fiの設定",
		"a..b __x__ 1.2.3.", "\xff\xfe", "ﷺ ㍿ ﬃ", "e\u0301\u0301tude", "İstanbul ǅ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Analyze(s)
		// Every token uses at least one rune of the normalised text (a
		// compound whole and its p >= 2 parts span 2p-1 runes or more),
		// and NFKC makes at most 18 runes of one.
		n := utf8.RuneCountInString(norm.NFKC.String(s))
		if len(toks) > n || len(toks) > 18*utf8.RuneCountInString(s) {
			t.Fatalf("Analyze(%q) gave %d tokens from %d normalised runes", s, len(toks), n)
		}
		for _, tok := range toks {
			if tok == "" || !utf8.ValidString(tok) {
				t.Fatalf("Analyze(%q) gave token %q", s, tok)
			}
			if aliases(tok, s) {
				t.Fatalf("Analyze(%q): token %q shares memory with the text", s, tok)
			}
		}
		if again := Analyze(s); !reflect.DeepEqual(again, toks) {
			t.Fatalf("Analyze(%q) not deterministic: %q then %q", s, toks, again)
		}
	})
}

// aliases reports whether tok's bytes lie inside text's.
func aliases(tok, text string) bool {
	if tok == "" || text == "" {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(tok))), uintptr(unsafe.Pointer(unsafe.StringData(text)))
	return p >= lo && p < lo+uintptr(len(text))
}

func TestAnalyze_TokensDoNotAliasText(t *testing.T) {
	t.Parallel()
	// Every kind of token: plain, digits, compound whole and parts, short
	// words the stemmer returns as they are, long uncached words, CJK.
	text := strings.Repeat("x ab v2 2024 json.dumps sort_keys supercalifragilisticexpialidocious_words 検索 ", 3)
	for _, tok := range Analyze(text) {
		if aliases(tok, text) {
			t.Errorf("token %q shares memory with the text", tok)
		}
	}
}

// benchText is about 100 KB of English technical prose and identifiers,
// of Japanese, or (lang "en-rare") of made-up Latin words that are almost
// never repeated, so that nearly every stem misses the cache.
func benchText(lang string) string {
	rng := rand.New(rand.NewPCG(5, 6))
	if lang == "en-rare" {
		var sb strings.Builder
		for sb.Len() < 100_000 {
			for range 4 + rng.IntN(9) {
				sb.WriteByte(byte('a' + rng.IntN(26)))
			}
			sb.WriteString([]string{"ing ", "ation ", "s ", "ed ", " "}[rng.IntN(5)])
		}
		return sb.String()
	}
	ja := lang == "ja"
	en := strings.Fields("the configuration file is read when the server starts and every request is logged " +
		"json.dumps sort_keys os.path.join returns a string 3.11 Running tests with coverage enabled " +
		"connections are pooled per host; timeouts apply to each attempt")
	jp := []string{"検索結果を", "設定ファイルは", "サーバーの起動時に", "読み込まれます。", "パスワードを", "再設定してください", "、", "ログは", "毎日", "ローテートされる"}
	var sb strings.Builder
	for sb.Len() < 100_000 {
		if ja {
			sb.WriteString(jp[rng.IntN(len(jp))])
			continue
		}
		sb.WriteString(en[rng.IntN(len(en))])
		sb.WriteByte(' ')
	}
	return sb.String()
}

func BenchmarkAnalyze(b *testing.B) {
	for _, lang := range []string{"en", "en-rare", "ja"} {
		text := benchText(lang)
		for _, fn := range []struct {
			name string
			f    func(string) []string
		}{{"Tokenize", Tokenize}, {"Analyze", Analyze}} {
			b.Run(fmt.Sprintf("lang=%s/fn=%s", lang, fn.name), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(text)))
				var n int
				for b.Loop() {
					n += len(fn.f(text))
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}

// runeSegmenter splits a run into single characters.
type runeSegmenter struct{}

func (runeSegmenter) AppendTokens(dst []string, run string) []string {
	for _, r := range run {
		dst = append(dst, string(r))
	}
	return dst
}

func TestWithSegmenter_ReplacesJapaneseBigramsOnly(t *testing.T) {
	t.Parallel()
	an := WithSegmenter(runeSegmenter{}, "runes/1")
	got := an.Analyze("Configuring 設定ファイル 한국어 json.dumps")
	want := []string{"configur", "設", "定", "フ", "ァ", "イ", "ル", "한국", "국어", "json.dumps", "json", "dump"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Analyze = %q, want %q", got, want)
	}
	if v := an.Version(); v == AnalyzerVersion || !strings.HasSuffix(v, "runes/1") {
		t.Errorf("Version() = %q, want one naming the segmenter", v)
	}
	ix := NewWith([]string{"設定ファイル", "ファイル"}, an)
	if ix.AnalyzerVersion() != an.Version() {
		t.Errorf("index AnalyzerVersion = %q", ix.AnalyzerVersion())
	}
	if res := ix.Search("設", 5, nil); len(res) != 1 || res[0].ID != 0 {
		t.Errorf("Search(設) = %v, want doc 0 only", res)
	}
}
