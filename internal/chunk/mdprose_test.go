package chunk

import (
	"html"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRenderProse(t *testing.T) {
	t.Parallel()
	defs := map[string]bool{"c": true, "docs page": true, "r": true, "b": true}
	tests := []struct {
		name, in, want string
	}{
		{"inline link", "See [docker build](commandline/build.md) now.", "See docker build now."},
		{"link with a title", `Read [the guide](https://x.org/g "The Guide") first.`, "Read the guide first."},
		{"parentheses in the destination", "[Go](https://en.wikipedia.org/wiki/Go_(language)) rocks", "Go rocks"},
		{"destination in angle brackets", "[a](<my file.md>) b", "a b"},
		{"a link across lines", "refer to the [`Dockerfile` Best\nPractices](https://docs.docker.com/x/) for tips", "refer to the `Dockerfile` Best\nPractices for tips"},
		{"image is its alt text", "![the logo](logo.png) text", "the logo text"},
		{"badge inside a link", "[![build](https://ci/b.svg)](https://ci) ok", "build ok"},
		{"badges side by side stay apart", "[![Build Status](https://ci/b.svg)](https://ci)[![Codegen](https://c/g.svg)](https://c)![Go](g.svg)", "Build Status Codegen Go"},
		{"links side by side run together, as shown", "[foo](x)[bar](y)", "foobar"},
		{"full and collapsed references", "[a][r] and [b][]", "a and b"},
		{"shortcut reference, defined", "the [c] option and the [Docs  Page]", "the c option and the Docs  Page"},
		{"shortcut, undefined, is text", "array[0] and [d]", "array[0] and [d]"},
		{"full and collapsed references, undefined, are text", "a map[string][]string, m[i][j] and [BETA][FEATURE]", "a map[string][]string, m[i][j] and [BETA][FEATURE]"},
		{"an undefined reference after a defined shortcut", "[c][nope]", "c[nope]"},
		{"a break or a cell leaves a space", "one<br>two</td><td>three<BR/>\nfour <p>five", "one two three\nfour five"},
		{"entities are decoded outside code", "AT&amp;T&nbsp;&rarr; &#x2139; &#65; &nosuch; AT&T `&amp;` \\&amp;", "AT&T\u00a0\u2192 \u2139 A &nosuch; AT&T `&amp;` \\&amp;"},
		{"a placeholder is no tag", "a <PATH TO FILE (optional)> b <x y=\"1\" z> c", "a <PATH TO FILE (optional)> b  c"},
		{"a quoted attribute may hold a >", "<img alt=\"a > b\"> tail", " tail"},
		{"list items are read each alone", "- `a=`(`b`)\n- `name=<node name>`\n- item [a\n- b](c)", "- `a=`(`b`)\n- `name=<node name>`\n- item [a\n- b](c)"},
		{"table rows are read each alone", "| `x | y\n| z` | [w\n| v](u) |", "| `x | y\n| z` | [w\n| v](u) |"},
		{"definitions are dropped", "text\n\n[r]: https://x.org/r \"T\"\n  [docs page]: <https://y>\n", "text\n\n"},
		{"a definition under a paragraph's line is its text", "text\n[e]: https://x.org/e\n", "text\n[e]: https://x.org/e\n"},
		{"a line of a no-break space is paragraph text, not a blank line", "text\n\u00a0\n[e]: https://x.org/e\n", "text\n\u00a0\n[e]: https://x.org/e\n"},
		{"a footnote is text", "[^1]: the note\n", "[^1]: the note\n"},
		{"autolinks keep their address", "mail <me@example.com> or <https://x.org/a?b=c>", "mail me@example.com or https://x.org/a?b=c"},
		{"inline HTML tags are dropped", "a <b>bold</b> move<br/> <span class=\"x\">here</span>", "a bold move here"},
		{"code spans stay as written", "use `[a](b)` or ``<T>`` here", "use `[a](b)` or ``<T>`` here"},
		{"escaped bracket", `\[a](b) stays`, `\[a](b) stays`},
		{"a space before the parenthesis", "[a] (b)", "[a] (b)"},
		{"an unclosed destination", "[a](b c d", "[a](b c d"},
		{"a comparison is no tag", "if a < b and c > d", "if a < b and c > d"},
		{"nothing to do", "plain text\nwith lines\n", "plain text\nwith lines\n"},
		{"only a definition", "[x]: https://x\n", ""},
		{"a link does not cross a blank line", "[a\n\nb](c) d", "[a\n\nb](c) d"},
		{"a tag does not cross a blank line", "the <name of\n  \nthe file> here", "the <name of\n  \nthe file> here"},
		{"paragraphs are each rendered", "\n[a](b)\n\n\n<i>c</i>\n \n", "\na\n\n\nc\n \n"},
		{"a definition in a quote is dropped", "> [r]: https://x.org/r\n> text\n", "> text\n"},
		{"a definition under a quote's line is its text", "> text\n> [z]: https://x.org/z\n", "> text\n> [z]: https://x.org/z\n"},
		{"a quote's fenced code is no definition", "> ```\n> [z]: https://x.org/z\n", "> ```\n> [z]: https://x.org/z\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := renderProse(tc.in, defs); got != tc.want {
				t.Errorf("renderProse(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestRefLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      []string
	}{
		{
			// A fence closed by a line indented four spaces is still
			// open, as parseMarkdown reads it: "[deep]" is inside it.
			name: "outside fences",
			src:  "[A  Label]: https://a\n```\n[code]: https://c\n```\n    [x]: y\n[^n]: note\n```\n    ```\n[deep]: https://d\n```\n",
			want: []string{"a label"},
		},
		{
			// CommonMark 4.7: a definition cannot interrupt a paragraph.
			name: "not under a paragraph's line",
			src: "text\n[a]: https://a\n[a2]: https://a\n\n[b]: https://b\n[b2]: https://b\n# H\n[c]: https://c\n---\n[d]: https://d\n    code\n[e]: https://e\n```\n```\n[f]: https://f\n" +
				"text\n<!-- generated\nlist -->\n[g]: https://g\n<!-- x -->\n[h]: https://h\n",
			want: []string{"b", "b2", "c", "d", "e", "f", "g", "h"},
		},
		{
			// A fence on its item's line, or one in an item, holds
			// code; the item's end ends its fence.
			name: "fences in list items",
			src:  "- ```\n  [on]: https://a\n  ```\n\n1. x\n\n   ```\n   [in]: https://b\n   ```\n\n[out]: https://c\n- ~~~\n[after]: https://d\n",
			want: []string{"after", "out"},
		},
		{
			// markdown-it: a quote's definition, unless under its
			// paragraph's line (lazy or not) or in its fenced or
			// indented code; a fence ends with the quote it is in.
			name: "in quotes",
			src: "> [q]: https://q\n> text\n> [q2]: https://q\n\n> a\n[lazy]: https://l\n\ntext\n> [open]: https://o\n> > a\n> [inner]: https://i\n\n" +
				"> ```\n> [code]: https://c\n> ```\n[after]: https://a\n>  > [deep]: https://d\n> ```\n[unq]: https://u\n\n" +
				"> > ```\n> [shallow]: https://s\n\n> ```\n> > ```\n> [infence]: https://f\n\n>     [indented]: https://i\n\n" +
				"> a\nlazy\n[lazy2]: https://l\n",
			want: []string{"after", "deep", "open", "q", "shallow", "unq"},
		},
		{
			// A quote more than three columns in is in a list item, or a
			// paragraph's text, or indented code: none is read for a
			// definition.
			name: "in a quote far in",
			src:  "alpha\n + bravo\n\t> > charlie\n   > [item]: http://x/delta\n\n    > [code]: https://c\n\n[out]: https://o\n",
			want: []string{"out"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := slices.Sorted(maps.Keys(refLabels(tt.src)))
			if !slices.Equal(got, tt.want) {
				t.Errorf("refLabels = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseMarkdown_ProseRendered(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			name: "links read as their text, code as written",
			content: "# Guide\n\n## Usage\n\nThe [docker build](commandline/build.md) command, see [Best\nPractices][bp] and [bp].\n\n" +
				"```console\n$ echo [a](b) <b>\n```\n\n    [indented](code) <i>\n\n[bp]: https://docs.docker.com/bp/\n",
			title:    "Guide",
			sections: []string{"Usage|Usage|usage"},
			contains: []string{"The docker build command, see Best\nPractices and bp.", "$ echo [a](b) <b>", "[indented](code) <i>"},
			absent:   []string{"commandline/build.md", "https://docs.docker.com"},
		},
		{
			name:     "a definition under a paragraph's line is its text",
			content:  "# T\n\nSee [a] here\n[a]: https://x.org/a\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"See [a] here\n[a]: https://x.org/a"},
		},
		{
			// An HTML block of type 2 ends at the line of its "-->",
			// text after it on that line too (CommonMark 4.6), so a
			// definition may follow.
			name:     "a definition after a comment's line with text",
			content:  "# T\n\n<!-- c --> text\n[a]: https://x.org/a\n\nsee [a]\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"text", "see a"},
			absent:   []string{"https://x.org"},
		},
		{
			// markdown-it shows an empty quote.
			name:     "a definition in a quote",
			content:  "# T\n\n> [a]: https://x.org/a\n\nsee [a]\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"see a"},
			absent:   []string{"https://x.org", "[a]"},
		},
		{
			name:     "a section of definitions only is its heading alone",
			content:  "# T\n\n## A\n\nText of A.\n\n## Links\n\n[a]: https://a\n[b]: https://b\n",
			title:    "T",
			sections: []string{"A|A|a", "Links|Links|links"},
			contains: []string{"Text of A."},
			absent:   []string{"https://a"},
		},
	})
}

// TestRenderProse_Bounded holds renderProse to linear work on blocks made
// to make a naive reader quadratic: unclosed destinations, titles and
// code spans, deep brackets.
func TestRenderProse_Bounded(t *testing.T) {
	t.Parallel()
	for name, s := range map[string]string{
		"open destinations":   strings.Repeat("[a](b ", 40000),
		"open titles":         strings.Repeat(`[a](b "t `, 30000),
		"lone backticks":      strings.Repeat("` x ``", 40000),
		"deep brackets":       strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "(x)",
		"bracket pairs":       strings.Repeat("[a]", 80000),
		"tags without an end": strings.Repeat("<a x ", 50000),
	} {
		start := time.Now()
		out := renderProse(s, map[string]bool{"a": true})
		if len(out) > len(s) {
			t.Errorf("%s: output longer than input", name)
		}
		// A generous bound, far above the milliseconds these take, far
		// below the minutes a quadratic reader would.
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("%s: %v", name, d)
		}
	}
}

func FuzzRenderProse(f *testing.F) {
	f.Add("See [a](b) and ![c](d \"t\") <e> <https://f> `[g](h)` [i][j] [k]\n[k]: l\n")
	f.Add("[a\nb](<c d>) [x](y(z)) \\[n](m)")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			t.Skip()
		}
		defs := refLabels(s)
		out := renderProse(s, defs)
		// Paragraphs are rendered each alone.
		if i := strings.Index(s, "\n\n"); i >= 0 {
			a, b := s[:i+1], s[i+1:]
			if split := renderProse(a, defs) + renderProse(b, defs); split != out {
				t.Fatalf("renderProse(%q) = %q, but its paragraphs render as %q", s, out, split)
			}
		}
		// Rendering only leaves things out (but a space where a tag
		// breaks words): the output is a subsequence of the input, spaces
		// aside.
		// An entity may be decoded: the input offers both forms.
		in := entity.ReplaceAllStringFunc(s, func(m string) string { return m + html.UnescapeString(m) })
		in, o := strings.ReplaceAll(in, " ", ""), strings.ReplaceAll(out, " ", "")
		j := 0
		for i := 0; i < len(in) && j < len(o); i++ {
			if in[i] == o[j] {
				j++
			}
		}
		if j != len(o) {
			t.Fatalf("renderProse(%q) = %q, not a subsequence", s, out)
		}
		if !strings.ContainsAny(s, "[<&") && out != s {
			t.Fatalf("renderProse(%q) = %q, changed text without links, tags or entities", s, out)
		}
	})
}
