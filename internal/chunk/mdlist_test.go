package chunk

import (
	"slices"
	"testing"
)

func TestListItems(t *testing.T) {
	t.Parallel()
	type want struct{ inItem, code bool }
	tests := []struct {
		name  string
		lines []string
		want  []want
		// noPara: lines read with no paragraph open before them (after
		// a fence or a heading); else one is open after a non-blank line.
		noPara []int
	}{
		{"no list: indentation is code", []string{"text\n", "\n", "    code\n"},
			[]want{{false, false}, {false, false}, {false, false}}, nil},
		{"a nested item by tab", []string{"* a\n", "\t* Fixes [#1](https://x/1)\n"},
			[]want{{true, false}, {true, false}}, nil},
		{"a continuation paragraph", []string{"- item\n", "\n", "    more of it\n"},
			[]want{{true, false}, {true, false}, {true, false}}, nil},
		{"code inside an item", []string{"- item\n", "\n", "      code\n"},
			[]want{{true, false}, {true, false}, {true, true}}, nil},
		{"code needs a blank line before it", []string{"1. item\n", "         still text\n"},
			[]want{{true, false}, {true, false}}, nil},
		{"a lazy line", []string{"- item\n", "lazy\n"},
			[]want{{true, false}, {true, false}}, nil},
		{"the list ends after a blank line", []string{"- item\n", "\n", "text\n", "\n", "    code\n"},
			[]want{{true, false}, {true, false}, {false, false}, {false, false}, {false, false}}, nil},
		{"back to the outer item after a nested list", []string{"9. step\n", "   * nested\n", "\n", "   outer text\n", "\n", "    more outer text\n", "\n", "x\n"},
			[]want{{true, false}, {true, false}, {true, false}, {true, false}, {true, false}, {true, false}, {true, false}, {false, false}}, nil},
		{"a sibling item closes the nested one", []string{"- a\n", "  - b\n", "- c\n", "\n", "  text of c\n"},
			[]want{{true, false}, {true, false}, {true, false}, {true, false}, {true, false}}, nil},
		{"an indented marker is code outside a list", []string{"    - item\n"},
			[]want{{false, false}}, nil},
		{"a shallower line with no paragraph open ends the list", []string{"- item\n", "Title\n", "    code\n"},
			[]want{{true, false}, {false, false}, {false, false}}, []int{1}},
		{"not markers", []string{"*emphasis*\n", "-1 degrees\n", "2024 was\n", "---\n"},
			[]want{{false, false}, {false, false}, {false, false}, {false, false}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Outside an item, read says nothing of code (the caller's
			// indentedCode does).
			var l listItems
			for i, line := range tc.lines {
				open := i > 0 && tc.lines[i-1] != "\n" && !slices.Contains(tc.noPara, i)
				in, code := l.read(line, open)
				if got := (want{in, code}); got != tc.want[i] {
					t.Errorf("line %d %q: read = %+v, want %+v", i, line, got, tc.want[i])
				}
			}
		})
	}
}

func TestOpensHTMLBlock(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]bool{
		"<table>\n":             true,
		"   </div>\n":           true,
		"<p align=\"right\">\n": true,
		"<TD>":                  true,
		"<br/>":                 true,
		"<table":                true,
		"    <table>\n":         false, // indented code
		"<span>x</span>\n":      false, // inline: a paragraph
		"<tablex>\n":            false,
		"<>\n":                  false,
		"<\n":                   false,
		"text <table>\n":        false,
	} {
		if got := opensHTMLBlock(line); got != want {
			t.Errorf("opensHTMLBlock(%q) = %v, want %v", line, got, want)
		}
	}
}

func TestParseMarkdown_ListItemsAreNoCode(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			name: "nested items and continuations read as prose",
			content: "# Changes\n\n## 1.2\n\n* Bug fixes\n\t* Fixes [#12](https://x.org/i/12) in the <b>parser</b>\n" +
				"-   **filters**\n\n    [Read more](https://docs.x.org/f)\n\n- item\n\n      code [a](b) <T>\n\nAfter.\n\n    real code [c](d)\n",
			title:    "Changes",
			sections: []string{"1.2|1.2|12"},
			contains: []string{"\t* Fixes #12 in the parser", "    Read more", "code [a](b) <T>", "real code [c](d)"},
			absent:   []string{"https://x.org", "https://docs.x.org"},
		},
		{
			name:     "an HTML block's indented lines are markup",
			content:  "# T\n\n## Options\n\nIntro.\n\n<table>\n  <tr>\n    <th>Option</th><td><b>type</b></td>\n  </tr>\n</table>\n\n    real code <T>\n",
			title:    "T",
			sections: []string{"Options|Options|options"},
			contains: []string{"Option type", "real code <T>"},
			absent:   []string{"<th>", "<b>"},
		},
	})
}
