package chunk

import (
	"slices"
	"testing"
)

func TestListItems(t *testing.T) {
	t.Parallel()
	type want struct{ inItem, code, lazy bool }
	tests := []struct {
		name  string
		lines []string
		want  []want
		// noPara: lines read with no paragraph open before them (after
		// a fence or a heading); else one is open after a non-blank line.
		noPara []int
	}{
		{"no list: indentation is code", []string{"text\n", "\n", "    code\n"},
			[]want{{false, false, false}, {false, false, false}, {false, false, false}}, nil},
		{"a nested item by tab", []string{"* a\n", "\t* Fixes [#1](https://x/1)\n"},
			[]want{{true, false, false}, {true, false, false}}, nil},
		{"a continuation paragraph", []string{"- item\n", "\n", "    more of it\n"},
			[]want{{true, false, false}, {true, false, false}, {true, false, false}}, nil},
		{"code inside an item", []string{"- item\n", "\n", "      code\n"},
			[]want{{true, false, false}, {true, false, false}, {true, true, false}}, nil},
		{"code needs a blank line before it", []string{"1. item\n", "         still text\n"},
			[]want{{true, false, false}, {true, false, false}}, nil},
		{"a lazy line", []string{"- item\n", "lazy\n"},
			[]want{{true, false, false}, {true, false, true}}, nil},
		{"the list ends after a blank line", []string{"- item\n", "\n", "text\n", "\n", "    code\n"},
			[]want{{true, false, false}, {true, false, false}, {false, false, false}, {false, false, false}, {false, false, false}}, nil},
		{"back to the outer item after a nested list", []string{"9. step\n", "   * nested\n", "\n", "   outer text\n", "\n", "    more outer text\n", "\n", "x\n"},
			[]want{{true, false, false}, {true, false, false}, {true, false, false}, {true, false, false}, {true, false, false}, {true, false, false}, {true, false, false}, {false, false, false}}, nil},
		{"a sibling item closes the nested one", []string{"- a\n", "  - b\n", "- c\n", "\n", "  text of c\n"},
			[]want{{true, false, false}, {true, false, false}, {true, false, false}, {true, false, false}, {true, false, false}}, nil},
		{"an indented marker is code outside a list", []string{"    - item\n"},
			[]want{{false, false, false}}, nil},
		{"a shallower line with no paragraph open ends the list", []string{"- item\n", "Title\n", "    code\n"},
			[]want{{true, false, false}, {false, false, false}, {false, false, false}}, []int{1}},
		{"not markers", []string{"*emphasis*\n", "-1 degrees\n", "2024 was\n", "---\n"},
			[]want{{false, false, false}, {false, false, false}, {false, false, false}, {false, false, false}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// Outside an item, read says nothing of code (the caller's
			// indentedCode does).
			var l listItems
			for i, line := range tc.lines {
				open := i > 0 && tc.lines[i-1] != "\n" && !slices.Contains(tc.noPara, i)
				in, code, lazy := l.read(line, open)
				if got := (want{in, code, lazy}); got != tc.want[i] {
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

// TestParseMarkdown_BlockStarts holds the loader to markdown-it on where
// a list item, a paragraph and a fence end: found by comparing random
// snippets of list markers, breaks, underlines, tabs, fences and quotes.
func TestParseMarkdown_BlockStarts(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			name:     "a thematic break ends a list item",
			content:  "# T\n\n* item\n___\n\n\tTab\nSub\n---\n",
			title:    "T",
			sections: []string{"T||t", "Sub|Sub|sub"},
		},
		{
			// The sub-item is four columns past the margin but left of
			// "Build": markdown-it reads it as the item's text.
			name:     "a list marker too deep to open an item goes on the paragraph",
			content:  "# T\n\n  1. Build\n    - with [make](https://m.k)\n  2. Run\n\n   1. Install the tool\n    - on Linux\n\n      Run [make](https://x.y) now.\n\n  1. a\n    - b\nc\n---\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"- with make", "Run make now."},
			absent:   []string{"https://m.k", "https://x.y"},
		},
		{
			name:     "a fence is no lazy line, however deep",
			content:  "# T\n\n 10. alpha\n\t````\nbravo\n--\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
		},
		{
			name:     "a thematic break ends a paragraph",
			content:  "# T\n\nalpha\n***\nbravo\n===\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
		},
		{
			name:     "a quote ends a paragraph",
			content:  "# T\n\nalpha\n>\ncharlie\n===\n",
			title:    "T",
			sections: []string{"T||t", "charlie|charlie|charlie"},
		},
		{
			name:     "an underline under an item's paragraph of two lines is text",
			content:  "# T\n\n- a\n  b\n  ===\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"b"},
		},
		{
			name:     "an underline outside the paragraph's item is a thematic break",
			content:  "# T\n\n- alpha\n  bravo\n---\n\n-\n   charlie\n-\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"bravo", "charlie"},
		},
		{
			name:     "a heading in a list item ends its paragraph",
			content:  "# T\n\n1.\n\t## alpha\nbravo\n ---\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
		},
		{
			name:     "a fence ends with its list item",
			content:  "# T\n\n2) alpha\n   ~~~\n\n## bravo\ncharlie\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
		},
		{
			name:     "a fence indented into its list item by a tab",
			content:  "# T\n\n1.\n\t```\n   # alpha\n\t```\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"# alpha"},
		},
		{
			// urllib3's release template, s5cmd's README: fences in
			// items, on the item's line or four spaces in.
			name:     "a fence on its item's line, and one four columns in",
			content:  "# T\n\n* Tag:\n  * ```\n    git pull\n\n    git tag '<VERSION>'\n    ```\n- Env\n\n    ```sh\n    # the key\n\n    export ID='<your-id>'\n    ```\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"git tag '<VERSION>'", "export ID='<your-id>'"},
		},
		{
			name:     "an empty item ends at a blank line",
			content:  "# T\n\n-\n\n  ```\n# x\n```\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"# x"},
		},
		{
			name:     "a list item, even empty, ends a quote",
			content:  "# T\n\n> a\n-\n  b\n---\n\n> c\n- d\n---\n\n> e\n-\nf\n===\n",
			title:    "T",
			sections: []string{"T||t", "f|f|f"},
			contains: []string{"b", "d"},
		},
		{
			name:     "a thematic break opens no item",
			content:  "# T\n\n* * *\n  ~~~\n\n## alpha\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"## alpha"},
		},
		{
			name:     "an empty item does not interrupt a paragraph",
			content:  "# T\n\nalpha\n-\n",
			title:    "T",
			sections: []string{"alpha|alpha|alpha"},
		},
		{
			name:     "an empty item's first line four columns past its text is code",
			content:  "# T\n\n -\n\t\t+ alpha\nbravo\n =\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
			contains: []string{"+ alpha"},
		},
		{
			name:     "an item four columns past the margin is no sibling",
			content:  "# T\n\n   1.\n  \t10. bravo\ncharlie\n===\n\n  > - alpha\n   1.\n  \t10. delta\necho\n  ===\n",
			title:    "T",
			sections: []string{"T||t", "charlie|charlie|charlie", "echo|echo|echo"},
			contains: []string{"10. bravo", "10. delta"},
		},
		{
			name:     "a list item's paragraph opens within three columns of its text",
			content:  "# T\n\n-\n  \talpha\n  bravo\n  -\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"alpha", "bravo"},
		},
		{
			name:     "an underline ends a list item's paragraph four columns in",
			content:  "# T\n\n  -\n     alpha\n      ===\nbravo\n===\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
			contains: []string{"alpha"},
		},
		{
			name:     "an ATX heading in a list item opens no paragraph",
			content:  "# T\n\n2) alpha\n     # bravo\n      --\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"# bravo", "--"},
		},
	})
}
