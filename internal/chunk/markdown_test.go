package chunk

import (
	"cmp"
	"strings"
	"testing"
	"unicode/utf8"
)

// markdownCase is a Markdown document and what Parse must make of it.
type markdownCase struct {
	name     string
	content  string
	title    string
	sections []string // "heading|path joined by /|anchor", one per section
	contains []string // text some section must contain
	absent   []string // text no section may contain
	source   string   // the file's path; "" is guide.md
}

// runMarkdownCases parses each case as guide.md and checks its title,
// sections and text.
func runMarkdownCases(t *testing.T, tests []markdownCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(cmp.Or(tc.source, "guide.md"), []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.title {
				t.Errorf("title = %q, want %q", doc.Title, tc.title)
			}
			var got []string
			var all strings.Builder
			for _, s := range doc.Sections {
				got = append(got, s.Heading+"|"+strings.Join(s.Path, "/")+"|"+s.Anchor)
				all.WriteString(s.Text + "\n")
			}
			if strings.Join(got, "\n") != strings.Join(tc.sections, "\n") {
				t.Errorf("sections =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.sections, "\n  "))
			}
			for _, c := range tc.contains {
				if !strings.Contains(all.String(), c) {
					t.Errorf("text lacks %q:\n%s", c, all.String())
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(all.String(), a) {
					t.Errorf("text contains %q:\n%s", a, all.String())
				}
			}
		})
	}
}

func TestParseMarkdown_Fences(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			// podman's troubleshooting.md: a code span alone on its line.
			name:     "a code span at the start of a line opens no fence",
			content:  "# T\n## Symptom\n```Error: bpf create : denied error```\n\n## Solution\nDisable it.\n",
			title:    "T",
			sections: []string{"Symptom|Symptom|symptom", "Solution|Solution|solution"},
			contains: []string{"```Error: bpf create : denied error```"},
		},
		{
			name:     "a backtick in the info string makes no fence",
			content:  "# T\n``` a`b\n## Next\nX.\n",
			title:    "T",
			sections: []string{"T||t", "Next|Next|next"},
		},
		{
			name:     "a tilde fence's info string may hold backticks",
			content:  "# T\n~~~ `go`\n## in fence\n~~~\n## After\nX.\n",
			title:    "T",
			sections: []string{"T||t", "After|After|after"},
			contains: []string{"## in fence"},
		},
		{
			name:     "an info string without backticks still opens a fence",
			content:  "# T\n```go {linenos=true}\n## in fence\n```\n## After\nX.\n",
			title:    "T",
			sections: []string{"T||t", "After|After|after"},
			contains: []string{"## in fence"},
		},
	})
}

func TestParseMarkdown_Comments(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			// docker-doc's extend/*.md: a comment between the front
			// matter and the first heading made a chunk of its own.
			name:     "a comment alone before the first heading makes no section",
			content:  "---\ndescription: d\n---\n\n<!-- This file is maintained\n     elsewhere. -->\n\n# Plugins\nText.\n",
			title:    "Plugins",
			sections: []string{"Plugins||plugins"},
			absent:   []string{"<!--", "maintained", "-->"},
		},
		{
			// nodejs's api/*.md: a YAML history block under each entry.
			name:     "a comment block spanning lines is dropped",
			content:  "# fs\n## fs.access(path)\n<!-- YAML\nadded: v0.11.15\n# not a heading\n```\n-->\n\nTests a user's permissions.\n## fs.close(fd)\n<!-- YAML\nadded: v0.0.2\n-->\nCloses.\n",
			title:    "fs",
			sections: []string{"fs.access(path)|fs.access(path)|fsaccesspath", "fs.close(fd)|fs.close(fd)|fsclosefd"},
			contains: []string{"Tests a user's permissions.", "Closes."},
			absent:   []string{"YAML", "added:", "not a heading", "```"},
		},
		{
			name:     "a comment-only section is no section",
			content:  "# T\nIntro.\n## Empty\n<!-- nothing here yet -->\n## Full\nText.\n",
			title:    "T",
			sections: []string{"T||t", "Full|Full|full"},
		},
		{
			name:     "comments inside a line and in a heading",
			content:  "# T\n## Intro <!-- TODO -->\nOne <!-- a --> two<!--b-->.\n<!-- x --> after\nLast <!--\nline\n",
			title:    "T",
			sections: []string{"Intro|Intro|intro"},
			contains: []string{"One  two.", "after", "Last <!--\nline"},
			absent:   []string{"TODO", "<!-- a", "<!--b", "x -->"},
		},
		{
			name:     "a comment interrupting a paragraph ends it",
			content:  "# T\nFirst\n<!-- c -->\nSecond\n---\nText.\n",
			title:    "T",
			sections: []string{"T||t", "Second|Second|second"},
			contains: []string{"First"},
			absent:   []string{"<!--"},
		},
		{
			name:     "the shortest comments",
			content:  "# T\n<!-->\nA<!---->B <!---> C\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"AB  C"},
			absent:   []string{"<!"},
		},
		{
			name:     "comments in code stay",
			content:  "# T\n```html\n<!-- fenced -->\n```\n\n    <!-- indented -->\n\tx <!-- tab -->\nUse `<!-- span -->` and \\<!-- escaped -->.\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"<!-- fenced -->", "<!-- indented -->", "x <!-- tab -->", "`<!-- span -->`", "\\<!-- escaped -->"},
		},
		{
			name:     "a comment never closed hides the rest, as in a browser",
			content:  "# T\nShown.\n<!--\n## Hidden\nx\n",
			title:    "T",
			sections: []string{"T||t"},
			absent:   []string{"Hidden"},
		},
		{
			name:     "an indented paragraph line is no code",
			content:  "# T\nA paragraph\n    continued <!-- c -->\n",
			title:    "T",
			sections: []string{"T||t"},
			absent:   []string{"<!--"},
		},
	})
}

func TestParseMarkdown_Title(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			name:     "a single h1 is the title",
			content:  "Intro.\n# Guide\nText.\n## Part\nMore.\n",
			title:    "Guide",
			sections: []string{"||", "Guide||guide", "Part|Part|part"},
		},
		{
			// junit4-doc's doc/ReleaseNotes4.13.md.
			name:     "several h1s are sections and the file name is the title",
			content:  "## Summary of changes\nSee below.\n# Assertions\n### PR 1\nA.\n# Test Runners\n### PR 2\nB.\n",
			title:    "guide",
			sections: []string{"Summary of changes|Summary of changes|summary-of-changes", "PR 1|Assertions/PR 1|pr-1", "PR 2|Test Runners/PR 2|pr-2"},
		},
		{
			name:     "setext h1s count",
			content:  "S\n-\nx\n\nA\n=\nText.\n\nB\n===\nMore.\n",
			title:    "guide",
			sections: []string{"S|S|s", "A|A|a", "B|B|b"},
		},
		{
			// podman's remote_client.md: "# Podman remote-client tutorial"
			// opens it, "# Troubleshooting" comes later.
			name:     "several h1s, the first opening the document, keep it as the title",
			content:  "# Tutorial\nText.\n## Setup\nS.\n# Troubleshooting\nMore.\n",
			title:    "Tutorial",
			sections: []string{"Tutorial||tutorial", "Setup|Setup|setup", "Troubleshooting|Troubleshooting|troubleshooting"},
		},
		{
			name:     "several h1s under a front matter title",
			content:  "---\ntitle: Notes\n---\n# A\nx\n# B\ny\n",
			title:    "Notes",
			sections: []string{"A|A|a", "B|B|b"},
		},
		{
			name:     "h1s in code and comments do not count",
			content:  "# Guide\n```sh\n# comment\n```\n<!--\n# Old\n-->\n    # indented\nText.\n",
			title:    "Guide",
			sections: []string{"Guide||guide"},
		},
	})
}

func TestParseMarkdown_FrontMatter(t *testing.T) {
	t.Parallel()
	const body = "## Part\nText.\n"
	part := []string{"Part|Part|part"}
	runMarkdownCases(t, []markdownCase{
		{name: "YAML closed by ...", content: "---\ntitle: Dots\nlayout: page\n...\n" + body, title: "Dots", sections: part, absent: []string{"layout", "..."}},
		{name: "YAML closed at the end of the file", content: "---\ntitle: Only\n---", title: "Only"},
		{name: "delimiters with trailing spaces", content: "--- \ntitle: Spaced\n---\t\n" + body, title: "Spaced", sections: part},
		{name: "empty front matter", content: "---\n---\n" + body, title: "guide", sections: part},
		{name: "folded block scalar", content: "---\ntitle: >-\n  A long\n  title\nweight: 3\n---\n" + body, title: "A long title", sections: part, absent: []string{"weight"}},
		{name: "literal block scalar", content: "---\ntitle: |\n  One\n\n  Two\n---\n" + body, title: "One Two", sections: part},
		{name: "block scalar with indicators and a comment", content: "---\ntitle: >2+ # c\n   Indented\n---\n" + body, title: "Indented", sections: part},
		{name: "double quoted with escapes and a comment", content: "---\ntitle: \"Say \\\"hi\\\" \\u00e9\\x41 # not\" # comment\n---\n" + body, title: `Say "hi" éA # not`, sections: part},
		{name: "single quoted with a doubled quote", content: "---\ntitle: 'It''s here'\n---\n" + body, title: "It's here", sections: part},
		{name: "quoted over two lines", content: "---\ntitle: \"First\n  second\"\n---\n" + body, title: "First second", sections: part},
		{name: "plain over two lines with a comment", content: "---\ntitle: C# in\n  depth # edition\n---\n" + body, title: "C# in depth", sections: part},
		{name: "plain on the next line", content: "---\ntitle:\n  Below\n---\n" + body, title: "Below", sections: part},
		{name: "nested title is not the title", content: "---\nparams:\n  title: Nested\n---\n" + body, title: "guide", sections: part},
		{name: "a list is no title", content: "---\ntitle:\n  - a\n  - b\n---\n" + body, title: "guide", sections: part},
		{name: "a mapping is no title", content: "---\ntitle:\n  en: English\n---\n" + body, title: "guide", sections: part},
		{name: "a flow list is no title", content: "---\ntitle: [a, b]\n---\n" + body, title: "guide", sections: part},
		{name: "an alias is no title", content: "---\ntitle: *name\n---\n" + body, title: "guide", sections: part},
		{name: "null is no title", content: "---\ntitle: ~\n---\n" + body, title: "guide", sections: part},
		{name: "an unclosed quote is no title", content: "---\ntitle: \"Open\n---\n" + body, title: "guide", sections: part},
		{name: "an unknown escape is no title", content: "---\ntitle: \"a\\qb\"\n---\n" + body, title: "guide", sections: part},
		{name: "text after a quoted title is no title", content: "---\ntitle: \"a\" b\n---\n" + body, title: "guide", sections: part},
		{name: "a key that only starts with title", content: "---\ntitles: X\ntitle:Y\n---\n" + body, title: "guide", sections: part},
		{name: "unclosed front matter is text", content: "---\ntitle: X\n\n" + body, title: "guide", sections: []string{"||", "Part|Part|part"}, contains: []string{"title: X"}},
		{name: "TOML basic string", content: "+++\ndate = 2024-01-02\ntitle = \"Hugo \\\"page\\\" \\u00e9\" # c\ndraft = false\n+++\n" + body, title: `Hugo "page" é`, sections: part, absent: []string{"+++", "draft"}},
		{name: "TOML literal string", content: "+++\ntitle='C:\\path'\n+++\n" + body, title: `C:\path`, sections: part},
		{name: "TOML quoted key", content: "+++\n\"title\" = \"Q\"\n+++\n" + body, title: "Q", sections: part},
		{name: "TOML multi-line basic string", content: "+++\ntitle = \"\"\"\nOne \\\n    two \"quoted\"\"\"\"\n+++\n" + body, title: `One two "quoted"`, sections: part},
		{name: "TOML multi-line literal string", content: "+++\ntitle = '''\nA\nB'''\n+++\n" + body, title: "A B", sections: part},
		{name: "TOML title in a table is not the title", content: "+++\n[params]\ntitle = \"P\"\n+++\n" + body, title: "guide", sections: part},
		{name: "TOML title not a string", content: "+++\ntitle = 3\n+++\n" + body, title: "guide", sections: part},
		{name: "TOML dotted key", content: "+++\ntitle.en = \"E\"\n+++\n" + body, title: "guide", sections: part},
		{name: "TOML unclosed string", content: "+++\ntitle = \"\"\"A\n+++\n" + body, title: "guide", sections: part},
	})
}

func TestParseMarkdown_HeadingAttributes(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			name:     "an id block gives the anchor and leaves the heading",
			content:  "# T\n## Intro {#custom}\nA.\n",
			title:    "T",
			sections: []string{"Intro|Intro|custom"},
			absent:   []string{"{#"},
		},
		{
			name:     "classes and keys beside the id",
			content:  "# T\n## Set `x` up {.unnumbered #set-up lang=en title=\"A b\"}\nA.\n### Deep { #deep }\nB.\n",
			title:    "T",
			sections: []string{"Set x up|Set x up|set-up", "Deep|Set x up/Deep|deep"},
		},
		{
			name:     "after or before the closing sequence",
			content:  "# T\n## One ##  {#one-id}\nA.\n## Two {#two-id} ##\nB.\n",
			title:    "T",
			sections: []string{"One|One|one-id", "Two|Two|two-id"},
		},
		{
			name:     "setext heading",
			content:  "# T\nOther heading {#other}\n---\nA.\n",
			title:    "T",
			sections: []string{"Other heading|Other heading|other"},
		},
		{
			name:     "the title h1 keeps its id",
			content:  "# Guide {#top}\nA.\n",
			title:    "Guide",
			sections: []string{"Guide||top"},
		},
		{
			name:     "a later slug does not repeat an id",
			content:  "# T\n## A {#intro}\nA.\n## Intro\nB.\n",
			title:    "T",
			sections: []string{"A|A|intro", "Intro|Intro|intro-1"},
		},
		{
			name:     "braces that are no id block stay",
			content:  "# T\n## Sets {a, b}\nA.\n## Only {.class}\nB.\n## Glued{#x}\nC.\n## Mid {#m} text\nD.\n## Map {#}\nE.\n",
			title:    "T",
			sections: []string{"Sets {a, b}|Sets {a, b}|sets-a-b", "Only {.class}|Only {.class}|only-class", "Glued{#x}|Glued{#x}|gluedx", "Mid {#m} text|Mid {#m} text|mid-m-text", "Map {#}|Map {#}|map-"},
		},
	})
}

func TestStripComments_CodeSpans(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a <!-- b --> c", "a  c"},
		{"`<!-- x -->` <!-- y -->z", "`<!-- x -->` z"},
		{"``a ` <!-- x --> ``<!-- y -->", "``a ` <!-- x --> ``"},
		{"`a <!-- x -->", "`a "},                                       // no closing run: a literal backtick
		{"\\`<!-- x -->`", "\\``"},                                     // an escaped backtick opens nothing
		{"\\``<!-- x -->`<!-- y -->", "\\``<!-- x -->`"},               // what is left of the run opens
		{"`a\\`<!-- x -->", "`a\\`"},                                   // a backslash in code escapes nothing
		{"``<!-- x -->```<!-- y -->``", "``<!-- x -->```<!-- y -->``"}, // only a run as long closes
		{"<!-- a --><!-- b", "<!-- b"},
	}
	for _, tc := range tests {
		if got := stripComments(tc.in); got != tc.want {
			t.Errorf("stripComments(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestParseMarkdown_RealREADMEs: what a review of 443 Markdown files of
// npm packages against markdown-it and github-slugger found.
func TestParseMarkdown_RealREADMEs(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			// axios's "##### axios.get(url[, config])" and fifteen more,
			// one above the other, lost every word and anchor.
			name:    "headings with nothing under them before a sibling are the next section's first lines",
			content: "# API\n\nIntro.\n\n### get(url)\n### post(url, data)\n\nBoth send a request.\n\n## Errors\n### Timeout\n## Last\n",
			title:   "API",
			sections: []string{"API||api", "post(url, data)|post(url, data)|posturl-data",
				"Timeout|Errors/Timeout|timeout", "Last|Last|last"},
			contains: []string{"get(url)\n\nBoth send a request.", "Timeout", "Last"},
		},
		{
			// dotenv's title and anchor were "dotenv ![NPM
			// version](https://www.npmjs.com/package/dotenv)".
			name:     "a badge in a heading is no text",
			content:  "# dotenv [![NPM version](https://img.shields.io/npm/v/dotenv.svg)](https://www.npmjs.com/package/dotenv)\n\nLoads .env.\n\n## Use [RawServer][RawServerGeneric] and [b][]\n\nText.\n\n## The [Docs] and [x]\n\nMore.\n\n## A map[string][]string\n\nM.\n\n[docs]: https://d\n[rawservergeneric]: https://r\n[b]: https://b\n",
			title:    "dotenv",
			sections: []string{"dotenv||dotenv", "Use RawServer and b|Use RawServer and b|use-rawserver-and-b", "The Docs and [x]|The Docs and [x]|the-docs-and-x", "A map[string][]string|A map[string][]string|a-mapstringstring"},
		},
		{
			// A destination's ")" ended the link at the first one, and
			// "language))" was left in the heading.
			name:     "a link whose destination holds parentheses",
			content:  "# T\n\n## About [Go](https://en.wikipedia.org/wiki/Go_(language)) here\n\nA.\n",
			title:    "T",
			sections: []string{"About Go here|About Go here|about-go-here"},
		},
		{
			// yup's "`getDecorator<T>`" was "getDecorator"; semver's `*`
			// was dropped; shelljs's \<num\> was "\".
			name:    "code spans and escapes are text as written",
			content: "# T\n\n## `getDecorator<T>`\n\nA.\n\n## `1.2.*` or `*`\n\nB.\n\n## head([{'-n': \\<num\\>},] file)\n\nC.\n\n## _void_ a &amp; b ~~old~~\n\nD.\n",
			title:   "T",
			sections: []string{"getDecorator<T>|getDecorator<T>|getdecoratort", "1.2.* or *|1.2.* or *|12-or-",
				"head([{'-n': <num>},] file)|head([{'-n': <num>},] file)|head-n-num-file", "void a & b old|void a & b old|void-a--b-old"},
		},
		{
			// GitHub turns each space of the text as shown into "-";
			// they were collapsed first ("readme-tcl").
			name:     "slugs keep each space of the heading",
			content:  "# T\n\n## README:  Tcl\n\nA.\n\n## Foo ![logo](l.png) Bar\n\nB.\n",
			title:    "T",
			sections: []string{"README: Tcl|README: Tcl|readme--tcl", "Foo Bar|Foo Bar|foo--bar"},
		},
		{
			// GitHub keeps decimal digits only and lowercases a final
			// sigma as JavaScript does.
			name:     "slugs as github-slugger makes them",
			content:  "# T\n\n## x² and ½\n\nA.\n\n## ΟΔΟΣ\n\nB.\n\n## Ⅱ. 概要 Ⓐ\n\nC.\n",
			title:    "T",
			sections: []string{"x² and ½|x² and ½|x-and-", "ΟΔΟΣ|ΟΔΟΣ|οδος", "Ⅱ. 概要 Ⓐ|Ⅱ. 概要 Ⓐ|ⅱ-概要-ⓐ"},
		},
		{
			// Only paired "_" are emphasis (CommonMark): one with no
			// partner, or inside a word or a URL, is text.
			name:    "an underscore without its partner is text",
			content: "# T\n\n## _private method\n\nA.\n\n## https://hub.docker.com/_/node\n\nB.\n\n## foo_ and __init__\n\nC.\n",
			title:   "T",
			sections: []string{"_private method|_private method|_private-method",
				"https://hub.docker.com/_/node|https://hub.docker.com/_/node|httpshubdockercom_node", "foo_ and init|foo_ and init|foo_-and-init"},
		},
		{
			// A README that opens with a rule lost all up to the next.
			name:     "a rule that opens a file is no front matter unless a key follows",
			content:  "---\n\nThis readme starts with a rule.\n\n## Usage\n\nRun it.\n\n---\n\nFooter text.\n",
			title:    "guide",
			sections: []string{"||", "Usage|Usage|usage"},
			contains: []string{"This readme starts with a rule.", "Run it.", "Footer text."},
		},
		{
			name:     "a closing fence indented by a tab is code",
			content:  "# T\n\n```\ncode\n\t```\n# not a heading\n```\n\nAfter.\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"# not a heading", "After."},
		},
		{
			name:     "a closing fence indented four spaces is code",
			content:  "# T\n\n```\ncode\n    ```\n# not a heading\n```\n\nAfter.\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"# not a heading", "After."},
		},
	})
}

func TestParseMarkdown_HTMLH1Title(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			name:     "a README's centred HTML h1 titles it",
			source:   "README.md",
			content:  "<h1 align=\"center\">\n\t<br>\n\t<img width=\"320\" src=\"media/logo.svg\" alt=\"Chalk\">\n\t<br>\n\tChalk &amp; Co\n</h1>\n\n> Terminal string styling\n\n## Install\n\nnpm i chalk\n",
			title:    "Chalk & Co",
			sections: []string{"||", "Install|Install|install"},
		},
		{
			name:     "an h1 of images alone gives none, the next does",
			source:   "docs/index.md",
			content:  "<h1><img src=\"logo.png\" alt=\"x\"></h1>\n\n<H1 class=\"t\">Real name</H1>\n\nText.\n",
			title:    "Real name",
			sections: []string{"||"},
		},
		{
			// Fastify's reference pages each open with <h1>Fastify</h1>:
			// their names (Server, Routes) say more.
			name:     "a page whose name says what it is keeps its name",
			source:   "docs/Server.md",
			content:  "<h1 align=\"center\">Fastify</h1>\n\n## Factory\n\nText.\n",
			title:    "Server",
			sections: []string{"||", "Factory|Factory|factory"},
		},
		{
			name:     "an h1 in a code span or a table opens nothing",
			source:   "README.md",
			content:  "## Headings\n\nUse the `<h1>` element and close it with `</h1>`.\n\n| tag | use |\n|---|---|\n| <h1>x</h1> | top |\n",
			title:    "README",
			sections: []string{"Headings|Headings|headings"},
		},
		{
			name:     "a Markdown h1 wins, and code is not read",
			source:   "README.md",
			content:  "```html\n<h1>In code</h1>\n```\n\n# Markdown title\n\n<h1>Later</h1>\n\nText.\n",
			title:    "Markdown title",
			sections: []string{"||", "Markdown title||markdown-title"},
		},
		{
			name:     "code is not read",
			source:   "README.md",
			content:  "```html\n<h1>In code</h1>\n```\n\nText.\n",
			title:    "README",
			sections: []string{"||"},
		},
	})
}

// TestInlineText_LongSource: a heading's source past maxHeadingSource is
// read only that far (brackets are matched in one pass, so a line of
// them costs what a heading does), and the title is cut as any is.
func TestInlineText_LongSource(t *testing.T) {
	t.Parallel()
	for _, line := range []string{strings.Repeat("[", 1<<20), strings.Repeat("[a](", 1<<18), strings.Repeat("`a``b", 1<<18), strings.Repeat("é", 1<<19)} {
		doc := parseMarkdown("# x"+line+"\n\nText.\n", "guide.md")
		if n := utf8.RuneCountInString(doc.Title); n == 0 || n > 1000 {
			t.Errorf("title of %d runes from a heading of %d bytes", n, len(line))
		}
	}
}

func TestParseMarkdown_Tables(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			// swaggo/swag's README: a reader sees no cell past the
			// header's (GFM 4.10, markdown-it).
			name:     "a row's cells past the header's are cut",
			content:  "# T\n\n| a | b |\n|---|:-:|\n| c | d | extra |\nf | g | more | most\n| h |\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"| a | b |\n|---|:-:|\n| c | d |\nf | g |\n| h |"},
			absent:   []string{"extra", "more", "most"},
		},
		{
			name:     "an escaped pipe separates no cells, one in a code span does",
			content:  "# T\n\n| a | b |\n|--|--|\n| c \\| d | e |\n| `x|y` | z |\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"| c \\| d | e |", "| `x|y` |"},
			absent:   []string{"z"},
		},
		{
			name:     "a blank line or a block ends the table",
			content:  "# T\n\n| a |\n|---|\n| b |\n> q | r\n\nx | y | z\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"> q | r", "x | y | z"},
		},
		{
			// markdown-it ends a table at any list item, as a paragraph
			// is not ended, and at an HTML block of types 1 to 5.
			name:     "any list item or a raw HTML block ends the table",
			content:  "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n3) three | four | five\n\n| c | d |\n|---|---|\n<pre>p | q | r</pre>\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"three | four | five", "p | q | r"},
		},
		{
			name:     "the end of its list item ends the table",
			content:  "# T\n\n- item\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\nNext | para | x\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"Next | para | x"},
		},
		{
			name:     "no table where the delimiter row's cells differ from the header's",
			content:  "# T\n\n| a | b |\n|---|\n| c | d | e |\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"| c | d | e |"},
		},
	})
}

// TestParseMarkdown_Quotes holds the loader to markdown-it on a quote's
// paragraph and the lines that go on it: found by comparing random
// snippets of quotes, list markers, fences, underlines and tabs.
func TestParseMarkdown_Quotes(t *testing.T) {
	t.Parallel()
	runMarkdownCases(t, []markdownCase{
		{
			// markdown-it: a fence in the quote (a tab after ">", or
			// spaces between two ">"), then a paragraph "b" and its
			// underline outside it.
			name:     "a fence after a quote's tab or inner marker",
			content:  "# T\n\n>\t```\nb\n===\n\n>  > ```\nc\n===\n",
			title:    "T",
			sections: []string{"T||t", "b|b|b", "c|c|c"},
		},
		{
			name:     "a lazy line indented four columns is text",
			content:  "# T\n\n>alpha\n\t\tbravo\ncharlie\n=\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"bravo", "charlie"},
		},
		{
			name:     "a lazy line of a quote in a list item is text",
			content:  "# T\n   1.\n   > bravo\n      charlie\ndelta\n===\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"charlie", "delta"},
		},
		{
			name:     "a lazy line after a quote's empty lines is text",
			content:  "# T\n\n >\n>alpha\n    bravo\ncharlie\n---\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"bravo", "charlie"},
		},
		{
			name:     "a fence four columns in is a lazy line",
			content:  "# T\n\n>alpha\n\t````\n bravo\n===\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"````", "bravo"},
		},
		{
			name:     "a list item four columns in is a lazy line",
			content:  "# T\n\n   > - alpha\n  \t10. bravo\ncharlie\n-\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"10. bravo", "charlie"},
		},
		{
			name:     "a quote in a quote ends at a fence four columns in",
			content:  "# T\n\n> > alpha\n\t\t````\n  charlie\n===\n",
			title:    "T",
			sections: []string{"T||t", "charlie|charlie|charlie"},
		},
		{
			name:     "a quote goes on at a \">\" four columns in",
			content:  "# T\n\n > alpha\n    >bravo\ncharlie delta\n   -\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"charlie delta"},
		},
		{
			name:     "a quote with a list goes on at a \">\" behind a tab",
			content:  "# T\n\n>\n  \t> - alpha\n      bravo\ncharlie delta\n   ---\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"charlie delta"},
		},
		{
			name:     "a quote opens at most three columns in and goes on deeper",
			content:  "# T\n\n    > alpha\n  > > bravo\n    >charlie\ndelta\n===\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"> alpha", "delta"},
		},
		{
			name:     "a thematic break four columns in is a lazy line",
			content:  "# T\n\n>alpha\n\t\t---\n\t\tbravo charlie\n    ***\n\t1. delta\n   echo\n-\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"bravo charlie", "echo"},
		},
		{
			name:     "a heading four columns in is a lazy line",
			content:  "# T\n\n   > alpha\n    # bravo\ncharlie\n -\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"# bravo", "charlie"},
		},
		{
			name:     "an empty item four columns in is a lazy line",
			content:  "# T\n\n> alpha\n     *\n   bravo\n  =\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"bravo"},
		},
		{
			name:     "a blank line ends a quote",
			content:  "# T\n\n> - alpha\n\nbravo\n ---\n",
			title:    "T",
			sections: []string{"T||t", "bravo|bravo|bravo"},
		},
		{
			name:     "a quote in a quote goes on at a line four columns in",
			content:  "# T\n\n> > bravo\n    charlie\ndelta\n     10. echo\n foxtrot\n =\n",
			title:    "T",
			sections: []string{"T||t", "foxtrot|foxtrot|foxtrot"},
			contains: []string{"charlie", "10. echo"},
		},
		{
			name:     "a quote in a quote ends at a thematic break four columns in",
			content:  "# T\n\n> > alpha\nbravo\n\t---\ncharlie\n--\n",
			title:    "T",
			sections: []string{"T||t", "charlie|charlie|charlie"},
			contains: []string{"bravo", "---"},
		},
		{
			name:     "an underline four columns in goes on a quote in a quote",
			content:  "# T\n\n > > alpha\n      > > bravo\n\t\t===\ncharlie\n-\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"charlie"},
		},
		{
			name:     "a quote's fence is no paragraph a lazy line goes on",
			content:  "# T\n\n> ```\n> code\n> ```\nnext\n===\n",
			title:    "T",
			sections: []string{"T||t", "next|next|next"},
			contains: []string{"code"},
		},
		{
			name:     "a quote's open fence is no paragraph a lazy line goes on",
			content:  "# T\n\n> ```\nb\n===\n",
			title:    "T",
			sections: []string{"T||t", "b|b|b"},
		},
		{
			name:     "a fence in a list item in a quote",
			content:  "# T\n\n> - a\n>   ```\n>   code\n>   ```\nb\n===\n\n> - ```\n>   x\nz\n---\n",
			title:    "T",
			sections: []string{"T||t", "b|b|b", "z|b/z|z"},
			contains: []string{"code", "x"},
		},
		{
			name:     "a fence in a quote in a list item",
			content:  "# T\n\n- a\n  > ```\n  > code\n  > ```\nb\n---\n",
			title:    "T",
			sections: []string{"T||t", "b|b|b"},
			contains: []string{"code"},
		},
		{
			name:     "a quote's paragraph after its fence takes lazy lines",
			content:  "# T\n\n> ```\n> code\n> ```\n> text\nnext\n===\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"next"},
		},
		{
			// markdown-it: the fence is in the inner quote, which "> text"
			// ends; "lazy" goes on the outer quote's paragraph.
			name:     "a fence in a quote in a quote ends with the inner quote",
			content:  "# T\n\n> > ```\n> text\nlazy\n---\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"text", "lazy"},
		},
		{
			// markdown-it: "> > ```" is the outer quote's fence's code,
			// not its closing fence, and "c" ends the quote.
			name:     "a fence in a quote goes on over a deeper marker",
			content:  "# T\n\n> ```\n> > ```\n> b\nc\n===\n",
			title:    "T",
			sections: []string{"T||t", "c|c|c"},
			contains: []string{"> b"},
		},
		{
			// markdown-it: a line of a no-break space is no blank line
			// (only spaces and tabs make one), so a paragraph goes on
			// over it, or opens with it, and no underline makes it a
			// heading of one line.
			name:     "a line of a no-break space is text",
			content:  "# T\n\n> alpha\n\u00a0\nbravo\n===\n\ncharlie\n\u00a0\ndelta\n---\n\n\u00a0\necho\n===\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"bravo", "delta", "echo"},
		},
		{
			// markdown-it: a quote's indented code (four columns past
			// its marker's space, no paragraph open) is no paragraph a
			// lazy line goes on; under a paragraph's line it is text.
			name:     "a quote's indented code is no paragraph a lazy line goes on",
			content:  "# T\n\n>     code\nlazy\n===\n\n>\t\tcode\nnext\n---\n\n> a\n>     b\nc\n===\n\n> \tcode\nd\n===\n",
			title:    "T",
			sections: []string{"T||t", "lazy|lazy|lazy", "next|lazy/next|next"},
			contains: []string{"c\n===", "d\n==="},
		},
		{
			name:     "a quote opens within three columns of its list item's text",
			content:  "# T\n\n- a\n\n    > b\n  c\n  ---\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"c"},
		},
	})
}
