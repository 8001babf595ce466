package llm

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplitSentences_Cases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One.", "Two!", "Three?", "Four"}},
		{"東京です。大阪です！本当？はい", []string{"東京です。", "大阪です！", "本当？", "はい"}},
		{"v1.2 is out.\nNext line", []string{"v1.2 is out.", "Next line"}},
		// Hard-wrapped prose (Node.js's fs.md): a sentence is not cut at its
		// line breaks.
		{
			"On Windows, access-control policies (ACLs) on a directory may limit access to\na file or directory. The `fs.access()` function, however, does not check the\nACL and therefore may report that a path is accessible even if the ACL restricts\nthe user from reading or writing to it.",
			[]string{"On Windows, access-control policies (ACLs) on a directory may limit access to a file or directory.", "The `fs.access()` function, however, does not check the ACL and therefore may report that a path is accessible even if the ACL restricts the user from reading or writing to it."},
		},
		// Lines that are not wrapped prose stay apart: short lines (titles,
		// list items), a line introducing a list, list and indented lines,
		// a blank line.
		{"Options\nThe first one is the default.", []string{"Options", "The first one is the default."}},
		{"The following options are accepted by the command when it starts:\nverbose output and quiet output", []string{"The following options are accepted by the command when it starts:", "verbose output and quiet output"}},
		{"- the first item of a list that runs on for quite a few words here\n- the second item", []string{"- the first item of a list that runs on for quite a few words here", "- the second item"}},
		{"a line of prose long enough to be wrapped at seventy columns or so\n1. first step", []string{"a line of prose long enough to be wrapped at seventy columns or so", "1.", "first step"}}, // as before: "1." ends a sentence
		{"a line of prose long enough to be wrapped at seventy columns or so\n    indented code", []string{"a line of prose long enough to be wrapped at seventy columns or so", "indented code"}},
		{"a line of prose long enough to be wrapped at seventy columns or so\n\nNext paragraph", []string{"a line of prose long enough to be wrapped at seventy columns or so", "Next paragraph"}},
		// Code, grammar rules and tables stay line by line (the diff
		// review's cases: Markdown fences, Python's grammar, SQL, GFM
		// tables).
		{"```sh\ndocker run --rm --name web --publish 8080:80 docker.io/library/image:latest\ndocker ps --all --format table and then some more words\n```", []string{"```sh", "docker run --rm --name web --publish 8080:80 docker.io/library/image:latest", "docker ps --all --format table and then some more words", "```"}},
		{"```\nresult set of all the rows that come back from the query for country_code\nIN the list of values given here at the end of the statement\n```", []string{"```", "result set of all the rows that come back from the query for country_code", "IN the list of values given here at the end of the statement", "```"}},
		{"maybe_star_pattern ::= star_pattern | pattern and other words here\nstar_pattern ::= \"*\" (capture_pattern | wildcard_pattern)", []string{"maybe_star_pattern ::= star_pattern | pattern and other words here", "star_pattern ::= \"*\" (capture_pattern | wildcard_pattern)"}},
		{"Name of the option   Default value   Meaning of it for the server\nListen               8080            The port the service listens on", []string{"Name of the option   Default value   Meaning of it for the server", "Listen               8080            The port the service listens on"}},
		// GNU manuals put two spaces after a full stop: prose still.
		{"This is the first sentence of a GNU style paragraph.  The shell reads\ninput from a file or from the terminal and then executes the command.", []string{"This is the first sentence of a GNU style paragraph.", "The shell reads input from a file or from the terminal and then executes the command."}},
		// Japanese wrapped inside a sentence joins without a space.
		{"パスワードを再設定するには、設定画面を開いてセキュリティの項目を選び、表示された案内に従って新しいパスワードを入\n力します。", []string{"パスワードを再設定するには、設定画面を開いてセキュリティの項目を選び、表示された案内に従って新しいパスワードを入力します。"}},
		{"  ", nil},
	}
	for _, tc := range tests {
		if got := splitSentences(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExtractive_Generate(t *testing.T) {
	t.Parallel()
	en := []Passage{
		{N: 1, Text: "Our office is open on weekdays. The cafeteria serves lunch at noon."},
		{N: 2, Text: "To reset your password, open Settings and choose Security. Passwords expire every 90 days."},
		{N: 3, Text: "The parking garage closes at 10 pm."},
	}
	ja := []Passage{
		{N: 1, Text: "会社は平日に営業しています。食堂は正午に昼食を提供します。"},
		{N: 2, Text: "パスワードを再設定するには、設定画面でセキュリティを選びます。パスワードは90日ごとに失効します。"},
	}
	tests := []struct {
		name     string
		question string
		passages []Passage
		label    string
		want     []string // substrings that must appear
		wantNot  []string // substrings that must not appear
	}{
		{
			name: "english picks relevant sentence", question: "How do I reset my password?", passages: en,
			label:   extractiveLabelEN,
			want:    []string{"To reset your password, open Settings and choose Security. [2]"},
			wantNot: []string{"cafeteria", "parking"},
		},
		{
			// A passage's list items: the answer's own "- " is the only
			// marker (the demo store's Japanese answers read "- - ...").
			name: "list markers of the passage are not doubled", question: "バッテリーの保証期間は?",
			passages: []Passage{{N: 1, Text: "- バッテリーの保証期間は2年です。\n- フレームは5年です。"}, {N: 2, Text: "1) バッテリー保証は2年。\n* 保証書が必要です。"}},
			label:    extractiveLabelJA,
			want:     []string{"\n- バッテリーの保証期間は2年です。"},
			wantNot:  []string{"- - ", "1) ", "- * "},
		},
		{
			name: "japanese label and bigram match", question: "パスワードの再設定方法を教えて", passages: ja,
			label:   extractiveLabelJA,
			want:    []string{"パスワードを再設定するには、設定画面でセキュリティを選びます。", "[2]"},
			wantNot: []string{"食堂"},
		},
		{
			name: "keeps passage order", question: "lunch noon parking garage", passages: en,
			label: extractiveLabelEN,
			want:  []string{"- The cafeteria serves lunch at noon. [1]\n- The parking garage closes at 10 pm. [3]"},
		},
		{
			name: "no overlap falls back to openings", question: "zebra", passages: en,
			label: extractiveLabelEN,
			want:  []string{"Our office is open on weekdays. [1]", "[2]", "[3]"},
		},
		{
			name: "no passages english", question: "anything?", label: extractiveNoneEN,
		},
		{
			name: "no passages japanese", question: "何ですか", passages: []Passage{{N: 1, Text: " "}}, label: extractiveNoneJA,
		},
		{
			name: "unnumbered passages cited by position", question: "parking", passages: []Passage{{Text: "x."}, {Text: "Parking is free."}},
			label: extractiveLabelEN, want: []string{"Parking is free. [2]"},
		},
	}
	g, err := NewExtractive(ExtractiveConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var streamed strings.Builder
			pieces := 0
			ans, err := g.Generate(context.Background(), Request{Question: tc.question, Passages: tc.passages}, func(d string) error {
				pieces++
				streamed.WriteString(d)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Model != "extractive" || g.Model() != "extractive" {
				t.Errorf("model = %q", ans.Model)
			}
			if streamed.String() != ans.Text {
				t.Errorf("streamed %q != answer %q", streamed.String(), ans.Text)
			}
			if !strings.HasPrefix(ans.Text, tc.label) {
				t.Errorf("answer %q does not start with label %q", ans.Text, tc.label)
			}
			if len(tc.want) > 0 && pieces < 2 {
				t.Errorf("streamed in %d pieces, want several", pieces)
			}
			for _, w := range tc.want {
				if !strings.Contains(ans.Text, w) {
					t.Errorf("answer %q lacks %q", ans.Text, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(ans.Text, w) {
					t.Errorf("answer %q contains %q", ans.Text, w)
				}
			}
		})
	}
}

func TestExtractive_Limits(t *testing.T) {
	t.Parallel()
	g, _ := NewExtractive(ExtractiveConfig{MaxSentences: 2})
	p := []Passage{{N: 1, Text: "alpha one. alpha two. alpha three. alpha four."}}
	ans, err := g.Generate(context.Background(), Request{Question: "alpha", Passages: p}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(ans.Text, "alpha"); got != 2 {
		t.Errorf("quoted %d sentences, want 2: %q", got, ans.Text)
	}
	if _, err := NewExtractive(ExtractiveConfig{MaxChars: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative MaxChars: err = %v", err)
	}
}

func TestExtractive_EmitErrorAndCancel(t *testing.T) {
	t.Parallel()
	g, _ := NewExtractive(ExtractiveConfig{})
	req := Request{Question: "alpha", Passages: []Passage{{N: 1, Text: "alpha."}}}
	boom := errors.New("boom")
	if _, err := g.Generate(context.Background(), req, func(string) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("emit error: got %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Generate(ctx, req, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: got %v", err)
	}
}
