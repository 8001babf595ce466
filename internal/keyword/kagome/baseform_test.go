package kagome

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/ikawaha/kagome-dict/dict"
	"github.com/ikawaha/kagome-dict/ipa"
	"github.com/ikawaha/kagome/v2/tokenizer"
)

var update = flag.Bool("update", false, "rewrite baseforms.gz from the whole IPA dictionary")

// wholeDictForms returns each word's dictionary form as the whole
// dictionary gives it (tokenizer.Token.BaseForm's columns); "" for none.
func wholeDictForms(t *testing.T) (*dict.Dict, []string) {
	t.Helper()
	d := ipa.Dict() // 93 MB of heap, for this test only
	col, ok := d.ContentsMeta[dict.BaseFormIndex]
	if !ok {
		t.Fatal("the dictionary has no base form column")
	}
	forms := make([]string, len(d.Morphs))
	for id := range forms {
		j := int(col) - len(d.POSTable.POSs[id])
		if c := d.Contents[id]; j >= 0 && j < len(c) {
			forms[id] = c[j]
		}
	}
	return d, forms
}

// TestBaseForms_MatchTheWholeDictionary: the embedded table gives every
// word the dictionary form the whole dictionary gives it, and tokens of
// real text get the forms Kagome's own BaseForm reports. Run with -update
// after upgrading kagome-dict.
func TestBaseForms_MatchTheWholeDictionary(t *testing.T) {
	d, forms := wholeDictForms(t)
	if *update {
		b, err := encodeBaseForms(forms)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("baseforms.gz", b, 0o644); err != nil {
			t.Fatal(err)
		}
		baseFormsGz = b
	}
	table, err := decodeBaseForms(baseFormsGz, len(d.Morphs))
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range forms {
		if got, _ := table.of(id); got != want {
			t.Fatalf("word %d: table %q, dictionary %q", id, got, want)
		}
	}
	whole, err := tokenizer.New(d, tokenizer.OmitBosEos())
	if err != nil {
		t.Fatal(err)
	}
	seg, err := New()
	if err != nil {
		t.Fatal(err)
	}
	text := "寒いと走れる距離はどのくらい減りますか。設定しました。関西国際空港へ行ったことがない人もいます。" +
		"パッケージを削除すると設定ファイルが残ることがあります。ｻｰﾊﾞｰを再起動してください。"
	known := 0
	for _, tok := range whole.Analyze(text, tokenizer.Search) {
		want, wok := tok.BaseForm()
		got, gok := seg.baseForm(tok)
		if got != want || gok != wok {
			t.Errorf("%q: %q %v, want Kagome's %q %v", tok.Surface, got, gok, want, wok)
		}
		if tok.Class == tokenizer.KNOWN {
			known++
		}
	}
	if known < 20 {
		t.Errorf("only %d dictionary words in the sample", known)
	}
}

func TestDecodeBaseForms_Refuses(t *testing.T) {
	t.Parallel()
	good, err := encodeBaseForms([]string{"行く", "", "する"})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := decodeBaseForms(good, 3); err != nil {
		t.Fatal(err)
	} else if f, ok := b.of(0); f != "行く" || !ok {
		t.Errorf("of(0) = %q %v", f, ok)
	} else if _, ok := b.of(1); ok {
		t.Error("an empty form reported as present")
	} else if _, ok := b.of(3); ok {
		t.Error("an id past the end reported as present")
	}
	for name, tc := range map[string]struct {
		gz    []byte
		words int
	}{
		"another dictionary": {good, 4},
		"not gzip":           {[]byte("forms"), 3},
		"truncated":          {good[:len(good)-8], 3},
	} {
		if _, err := decodeBaseForms(tc.gz, tc.words); !errors.Is(err, errBaseForms) {
			t.Errorf("%s: %v, want errBaseForms", name, err)
		}
	}
	long, _ := encodeBaseForms([]string{strings.Repeat("あ", maxBaseForm)})
	if _, err := decodeBaseForms(long, 1); !errors.Is(err, errBaseForms) {
		t.Errorf("a form over the bound: %v", err)
	}
}

func FuzzDecodeBaseForms(f *testing.F) {
	good, _ := encodeBaseForms([]string{"行く", "", "する"})
	f.Add(good, 3)
	f.Add(bytes.Repeat([]byte{0x1f, 0x8b}, 8), 1)
	f.Fuzz(func(t *testing.T, gz []byte, words int) {
		if words < 0 || words > 1<<16 {
			return
		}
		b, err := decodeBaseForms(gz, words)
		if err != nil {
			return
		}
		for id := range words {
			b.of(id)
		}
	})
}
