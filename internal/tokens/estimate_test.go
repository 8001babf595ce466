package tokens

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktokenloader "github.com/pkoukk/tiktoken-go-loader"
)

// cl100k is OpenAI's cl100k_base from the ranks compiled into the
// loader (no download), the tokenizer the estimate is measured against.
func cl100k() (*tiktoken.Tiktoken, error) {
	tiktoken.SetBpeLoader(tiktokenloader.NewOfflineLoader())
	return tiktoken.GetEncoding(tiktoken.MODEL_CL100K_BASE)
}

func TestEstimate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"abc", 1},
		{"abcd", 1},       // a token per four lower-case letters
		{"abcde", 2},      //
		{"a, b.", 4},      // "a", ",", " b", "."
		{"日本語", 5},        // one and a half per Han character
		{"héllo", 3},      // "h", "é", "llo"
		{"{\"k\":1}", 5},  // `{"`, "k", `":`, "1", "}"
		{"3fa9", 4},       // "3", "f", "a" (after a digit), "9"
		{"The Dog", 2},    // a capital that opens a word is free
		{"aBcD", 4},       // each change of case is a token
		{"1234567", 3},    // a token per three digits
		{"a  \n\n\nb", 4}, // "a", "  ", "\n\n\n" (one token), "b"
	}
	for _, tt := range tests {
		if got := Estimate(tt.text); got != tt.want {
			t.Errorf("Estimate(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}

// estimateSamples are texts cl100k_base spends many tokens on, with the
// most the estimate may exceed its count by. The script samples are
// Debian's translations (GTK, Linux-PAM, apt); base64, hex and emoji are
// made here.
func estimateSamples() []struct {
	name string
	text string
	most float64
} {
	raw := make([]byte, 0, 3000)
	for h := sha256.Sum256([]byte("seed")); len(raw) < cap(raw); h = sha256.Sum256(h[:]) {
		raw = append(raw, h[:]...)
	}
	var emoji strings.Builder
	for i := range 600 {
		emoji.WriteRune(rune(0x1F300 + i*7%0x2FF))
		if i%5 == 4 {
			emoji.WriteString(" \u2764\ufe0f\u200d\U0001F525 ")
		}
	}
	var numbers, table, padded strings.Builder
	for i := range 400 {
		fmt.Fprintf(&numbers, "%d ", i%10)
		fmt.Fprintf(&table, "| %d | %d | %d |\n", i%10, i*7%100, i*13%1000)
		fmt.Fprintf(&padded, "%8d %8d %8.2f\n", i, i*i, float64(i)/7)
	}
	return []struct {
		name string
		text string
		most float64
	}{
		// A space before a digit is a token of its own in cl100k_base
		// (" 1" does not merge, " a" does): number lists and tables.
		{"numbers between spaces", numbers.String(), 1.5},
		{"a table of numbers", table.String(), 1.5},
		{"space-padded columns", padded.String(), 1.5},
		{"base64", base64.StdEncoding.EncodeToString(raw), 1.5},
		{"hex", hex.EncodeToString(raw), 1.5},
		{"emoji", emoji.String(), 1.5},
		{"armenian", "Մատչելիացված աղյուսակի վերնագիր Չհաջողվեց հատկացնել QTIF կոնտեքստային կառուցվածք։ PNM ֆայլն ունի սխալ սկզբնաբայթ  Չի հաջողվել ստեղծել %s կոնֆիգուրացիոն պանակ օգտագործողի աշխատածրագրի համար. %s <%s> տարրըը չի թույլատրվում <%s> -ի ներսում", 1.5},
		{"georgian", "საჭიროა დასაყენებელი ფაილის სახელი მომხმარებლის ინფორმაციის მესამე პირზე გადაცემის გარეშე მეხსიერების გამოყოფის შეცდომა: %s ელემენტი <%s> <%s>-ის შიგნით დაუშვებელია გაფართოებული ატრიბუტის არასწორი სახელი დარჩენილი შეცდომის მიღება შეუძლებელი", 1.5},
		{"myanmar", "BMP ရုပ်ပုံမှာ ခေါင်းစီး အချက်အလက်ကြမ်း အတု ရှိတယ် ရုပ်ပုံမှာ ထောက်ပံ့မထားတဲ့ bpp ရှိတယ် လက်ခံမထားတဲ့ သက်၀င်လှုပ်ရှားမှု အမျိုးအစား စာသား နောက်ခံကို ရေးဆွဲတဲ့အခါ မျက်နှာဖုံးတခု အဖြစ် သုံးစွဲတဲ့ Bitmap စာရင်းမှတ်ရဲ့ ဘယ်ဖက်နဲ့ ညာဖက် အစွန်းမျာ", 1.5},
		{"amharic", "መጠቀሚያ ፕሮግራም ፋይል '%s'ን ለማንበብ ስህተት አለ፦ %s %A፣ %B %e ቀን %Y %r %Z የእንግዳ ተቀባይ ስም ተቀብሏል URI '%s'ን ተቀብሏል የመደቡ ቀለም በGdkColor ይቅለም የመደቡ ቀለም ስም የአሁኑን ቀለም የመጠቆሚያዋ አበራርና አጠፋፍ ጠቋሚው ባለበት ቦታ የጠቋሚው ቀለም", 1.5},
		{"tamil", "%s செயலிழக்கப்பட்டது: சிக்னல் %d%s பிடிக்கப்பட்டது கோப்பு பட்டியல்களை பதிவிறக்குகிறது அணுகக்கூடிய நிரல் அட்டவணை தலைப்பு உருவ கோப்புக்கு எழுதும்போது பிழை குறைவான நினைவகத்தினால் பிட்படத்தை ஏற்ற முடியாது <child name='%s'> ஏற்கனவே குறிப்பிடப்பட", 1.5},
		{"bengali", "অ্যাপ্লিকেশন দ্বারা পুনরায় libpam আরম্ভ করা আবশ্যক IOBuffer struct'র জন্য মেমরি বরাদ্দ করা যাচ্ছে না PNM ফাইলে রঙের সর্বোচ্চ মান অত্যাধিক বড় ডিরেক্টরির উপর ডিরেক্টরি স্থানান্তর করা যাবে না বিদ্যমান ফাইল '%s' অপসারিত করা যায়নি: g_unlink()", 1.5},
		{"japanese", "認証トークンはもはや有効ではありません。新しい認証トークンが必要です 既存のデスクトップエントリファイルのテンプレートを読み込めません: %s パッケージ '%s' はインストールされていないため削除もされません これらを直すためには 'apt --fix-broken install' を実行する必要があるかもしれません。", 1.6},
		{"english", "Avahi is a free, LGPL mDNS/DNS-SD implementation. Your /etc/apt/sources.list file is probably a much better way. This makes sure that uids and gids in the 0-99 range are allocated by the Debian project, and asks for confirmation that the allocation has been granted.", 1.8},
	}
}

// TestEstimate_NotBelowCl100k: the estimate is at least what
// cl100k_base counts, for every script and for base64, hex and emoji,
// and not far above it.
func TestEstimate_NotBelowCl100k(t *testing.T) {
	t.Parallel()
	enc, err := cl100k()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range estimateSamples() {
		t.Run(tt.name, func(t *testing.T) {
			real, est := len(enc.EncodeOrdinary(tt.text)), Estimate(tt.text)
			if est < real || float64(est) > tt.most*float64(real) {
				t.Errorf("estimate %d, cl100k_base %d (ratio %.2f), want between 1 and %.1f times", est, real, float64(est)/float64(real), tt.most)
			}
		})
	}
	// English prose: the estimate must not be below the real count.
	prose := strings.Repeat("The quick brown fox jumps over the lazy dog. ", 100)
	if got, real := Estimate(prose), len(enc.EncodeOrdinary(prose)); got < real {
		t.Errorf("prose estimate %d is below the real count %d", got, real)
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		text   string
		budget int
		want   string
	}{
		{"fits", "abcd efgh", 5, "abcd efgh"},
		{"empty", "", 0, ""},
		{"no budget", "abc", 0, ""},
		{"negative budget", "abc", -3, ""},
		{"a token of four letters", "abcdefgh", 1, "abcd"},
		{"Han at one and a half", "日本語です", 3, "日本"},
		{"never mid-rune", "é日本", 1, "é"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Truncate(tt.text, tt.budget); got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q (%d tokens), want %q", tt.text, tt.budget, got, Estimate(got), tt.want)
			}
		})
	}
}

// TestTruncateFunc: the cut follows the counter given, here one token a
// word, not the estimate.
func TestTruncateFunc(t *testing.T) {
	t.Parallel()
	words := func(s string) int { return len(strings.Fields(s)) }
	tests := []struct {
		text   string
		budget int
		want   string
	}{
		{"one two three", 3, "one two three"},
		{"one two three", 2, "one two "},
		{"abcdefghijklmnop qr", 1, "abcdefghijklmnop "},
		{"日本語 です", 1, "日本語 "},
		{"one", 0, ""},
	}
	for _, tt := range tests {
		if got := TruncateFunc(tt.text, tt.budget, words); got != tt.want {
			t.Errorf("TruncateFunc(%q, %d, words) = %q, want %q", tt.text, tt.budget, got, tt.want)
		}
	}
}

// FuzzTruncate: the cut is a prefix within the budget, and the next rune
// would not fit.
func FuzzTruncate(f *testing.F) {
	for _, s := range []string{"", "abc", "日本語 abc", "aBcD 1234 \n\n", "\xff\xfe x", "  7 8"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, s string, budget int) {
		got := Truncate(s, budget)
		if !strings.HasPrefix(s, got) {
			t.Fatalf("Truncate(%q, %d) = %q, not a prefix", s, budget, got)
		}
		if got == s {
			if s != "" && Estimate(s) > budget {
				t.Fatalf("Truncate(%q, %d) kept all %d tokens", s, budget, Estimate(s))
			}
			return
		}
		if budget >= 1 && Estimate(got) > budget {
			t.Fatalf("Truncate(%q, %d) = %q, %d tokens", s, budget, got, Estimate(got))
		}
		_, n := utf8.DecodeRuneInString(s[len(got):])
		if budget >= 1 && Estimate(s[:len(got)+n]) <= budget {
			t.Fatalf("Truncate(%q, %d) = %q, but one rune more still fits", s, budget, got)
		}
	})
}

// TestTruncate_InvalidBytes: a long run of bytes that start no rune is
// cut as fast as text (it took seconds, walking back over the run at
// every step), each byte a rune of its own.
func TestTruncate_InvalidBytes(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("\x80", 1<<20)
	got := Truncate(s, 40_000)
	if Estimate(got) > 40_000 || len(got) == 0 || Estimate(s[:len(got)+1]) <= 40_000 {
		t.Errorf("cut at %d bytes, %d tokens", len(got), Estimate(got))
	}
}
