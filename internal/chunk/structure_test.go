package chunk

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// sectionKeys renders sections as "heading|path joined by /|anchor" for
// compact comparison.
func sectionKeys(doc Document) []string {
	var out []string
	for _, s := range doc.Sections {
		out = append(out, s.Heading+"|"+strings.Join(s.Path, "/")+"|"+s.Anchor)
	}
	return out
}

type structureCase struct {
	name     string
	content  string
	title    string
	sections []string // sectionKeys
	contains []string // text some section must contain
	absent   []string // text no section may contain
}

func runStructureCases(t *testing.T, source string, tests []structureCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse(source, []byte(tc.content))
			if err != nil {
				t.Fatal(err)
			}
			if doc.Title != tc.title {
				t.Errorf("title = %q, want %q", doc.Title, tc.title)
			}
			if got := sectionKeys(doc); strings.Join(got, "\n") != strings.Join(tc.sections, "\n") {
				t.Errorf("sections =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.sections, "\n  "))
			}
			var all strings.Builder
			for _, s := range doc.Sections {
				all.WriteString(s.Text + "\n")
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

// summaryPage is a Crystal-like API page: a section "Instance Method
// Summary" listing methods (a link to each entry, then the words desc
// gives it, the section's words before it) and an entry for each,
// documented in the words doc gives it. extra is put in each summary item
// after its description.
func summaryPage(names []string, desc, doc func(i int) string, extra string) string {
	var b strings.Builder
	b.WriteString(`<title>Client</title><h1 id="top">class Client</h1><p>An HTTP client.</p>` +
		`<div class="section" id="summary"><h2>Instance Method Summary</h2><p>Methods.</p><ul class="list-summary">`)
	for i, n := range names {
		fmt.Fprintf(&b, `<li><a href="#%s%%28path%%29-instance-method">#%s(path) : Response</a><div class="summary"><p>%s</p></div>%s</li>`, n, n, desc(i), extra)
	}
	b.WriteString(`</ul></div><h2 id="detail">Instance Method Detail</h2>`)
	for i, n := range names {
		fmt.Fprintf(&b, `<div class="entry-detail" id="%s(path)-instance-method"><div class="signature">def %s(path) <a href="#%s%%28path%%29-instance-method">#</a></div><div class="doc"><p>%s</p></div></div>`, n, n, n, doc(i))
	}
	return b.String()
}

// TestParseHTML_EntrySummary: a summary of the page's entries, which says
// again each entry's signature and first sentence, is dropped
// (entrySummary); one that says something of its own, summarises too few
// entries, holds an entry, or whose words are another entry's is kept.
func TestParseHTML_EntrySummary(t *testing.T) {
	t.Parallel()
	five := []string{"get", "post", "put", "patch", "head"}
	sends := func(names []string) func(int) string {
		return func(i int) string { return "Sends a " + strings.ToUpper(names[i]) + " request." }
	}
	documented := func(names []string) func(int) string {
		return func(i int) string {
			return "Sends a " + strings.ToUpper(names[i]) + " request. It returns the response."
		}
	}
	shifted := func(i int) string { return documented(five)((i + 1) % len(five)) }
	// The "Instance Method Detail" heading has no words of its own, so
	// it is no section.
	entries := func(names []string) []string {
		keys := []string{"class Client|class Client|top", "Instance Method Summary|class Client/Instance Method Summary|summary"}
		for _, n := range names {
			keys = append(keys, "def "+n+"(path)|class Client/Instance Method Detail/def "+n+"(path)|"+n+"(path)-instance-method")
		}
		return keys
	}
	kept := []string{"#get(path) : Response", "It returns the response."}
	runStructureCases(t, "p.html", []structureCase{
		{
			name:     "a summary saying again each entry's first sentence is dropped",
			content:  summaryPage(five, sends(five), documented(five), ""),
			title:    "Client",
			sections: entries(five),
			contains: []string{"Methods.", "Sends a GET request. It returns the response."},
			absent:   []string{": Response"},
		},
		{
			name:     "a summary in words of its own is kept",
			content:  summaryPage(five, func(i int) string { return "Issues " + five[i] + "." }, documented(five), ""),
			title:    "Client",
			sections: entries(five),
			contains: append(kept, "Issues get."),
		},
		{
			name:     "a summary of four entries is kept",
			content:  summaryPage(five[:4], sends(five), documented(five), ""),
			title:    "Client",
			sections: entries(five[:4]),
			contains: kept,
		},
		{
			name:     "words said under another entry than the one linked are kept",
			content:  summaryPage(five, sends(five), shifted, ""),
			title:    "Client",
			sections: entries(five),
			contains: append(kept, "Sends a GET request."),
		},
		{
			name:     "a summary adding a fifth of its own is kept",
			content:  summaryPage(five, sends(five), documented(five), "<p>Blocks while waiting.</p>"),
			title:    "Client",
			sections: entries(five),
			contains: append(kept, "Blocks while waiting."),
		},
		{
			name:     "a summary whose descriptions add a sentence of their own is kept",
			content:  summaryPage(five, func(i int) string { return sends(five)(i) + " Retries " + five[i] + "." }, documented(five), ""),
			title:    "Client",
			sections: entries(five),
			contains: append(kept, "Retries get."),
		},
		{
			// Flask documents a method again, in the same words, under
			// each class that has it; each copy's words are the other's,
			// but no link of theirs points at the other.
			name: "an entry documented again in the same words is kept",
			content: `<title>T</title><h1 id="top">T</h1>` +
				strings.ReplaceAll(`<dl><dt id="a">a()<a href="#a">#</a></dt>DOC</dl><dl><dt id="b">b()<a href="#b">#</a></dt>DOC</dl>`, "DOC",
					`<dd><div class="doc"><p>Registers a handler for every error the application raises.</p><ul><li><a href="#v">value_handler</a></li>`+
						`<li><a href="#w">warning_handler</a></li><li><a href="#x">exit_handler</a></li><li><a href="#y">yield_handler</a></li><li><a href="#z">zero_handler</a></li></ul></div></dd>`) +
				`<p id="v">V.</p><p id="w">W.</p><p id="x">X.</p><p id="y">Y.</p><p id="z">Z.</p>`,
			title:    "T",
			sections: []string{"a()|a|a", "b()|b|b", "T||top"},
			contains: []string{"a()\n\nRegisters a handler", "b()\n\nRegisters a handler"},
		},
		{
			// Links to entries and nothing else are a list of options,
			// kept as linkList keeps it.
			name:     "a list of links to entries alone is kept",
			content:  summaryPage(five, func(int) string { return "" }, documented(five), ""),
			title:    "Client",
			sections: entries(five),
			contains: kept,
		},
		{
			name: "a summary holding an entry is kept",
			content: strings.Replace(summaryPage(five, sends(five), documented(five), ""), "<li>", `<li id="first">`, 1) +
				`<p>See <a href="#first">the first</a>.</p>`,
			title:    "Client",
			sections: entries(five),
			contains: kept,
		},
	})
}

func TestParseHTML_Rules(t *testing.T) {
	t.Parallel()
	runStructureCases(t, "p.html", []structureCase{
		{
			// A browser joins lines wrapped between two wide characters
			// without a space (CSS Text 3), inside a text and across an
			// element; other line breaks stay spaces.
			name:     "a line break between Japanese characters is no space",
			content:  "<title>T</title><h2 id=\"s\">節</h2><p>ディレクトリの削除制限\nフラグと<b>呼ば\n</b>\n れる。\n次の文。\nNext line\n次\n<i>wrapped\nEnglish</i> 一</p>",
			title:    "T",
			sections: []string{"節|節|s"},
			contains: []string{"削除制限フラグと呼ばれる。次の文。 Next line 次 wrapped English 一"},
		},
		{
			name:     "spaces between Japanese characters stay",
			content:  "<title>T</title><h2 id=\"s\">節</h2><p>全角 と 半角</p>",
			title:    "T",
			sections: []string{"節|節|s"},
			contains: []string{"全角 と 半角"},
		},
		{
			name:     "site name after the h1 is not the title",
			content:  `<title>Basic Guide — Acme 2.1 documentation</title><h1>Basic Guide</h1><p>Body.</p>`,
			title:    "Basic Guide",
			sections: []string{"Basic Guide||"},
		},
		{
			name:     "site name before the h1 is not the title",
			content:  `<title>Acme | Basic Guide</title><h1>Basic Guide</h1><p>Body.</p>`,
			title:    "Basic Guide",
			sections: []string{"Basic Guide||"},
		},
		{
			name:     "a title that is not the h1 plus a separator is kept",
			content:  `<title>Basic Guides</title><h1>Basic Guide</h1><p>Body.</p><h2>Next</h2><p>More.</p>`,
			title:    "Basic Guides",
			sections: []string{"Basic Guide|Basic Guide|", "Next|Basic Guide/Next|"},
		},
		{
			name:     "a hyphenated word is not a separator",
			content:  `<title>Guide-Book</title><h1>Guide</h1><p>Body.</p>`,
			title:    "Guide-Book",
			sections: []string{"Guide|Guide|"},
		},
		{
			name:     "first h1 without a title element",
			content:  `<h2>Intro</h2><p>a</p><h1>Real Title</h1><p>b</p><h2>Part</h2><p>c</p>`,
			title:    "Real Title",
			sections: []string{"Intro|Intro|", "Real Title||", "Part|Part|"},
		},
		{
			name: "navigation chrome is dropped",
			content: `<title>T</title><header>Site header</header><nav>Nav links</nav>
				<div role="navigation">Role nav</div><div class="related">Related bar</div>
				<div class="sphinxsidebar">Sidebar</div><script>var x</script><style>.y{}</style>
				<h2 id="s">Sec<a class="headerlink" href="#s">¶</a></h2><p>Kept text ¶.</p>
				<footer>Site footer</footer>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Kept text ."},
			absent:   []string{"header", "Nav", "nav", "Related", "Sidebar", "var x", ".y", "footer", "¶"},
		},
		{
			// Text just before a block used to run into its first word
			// ("Optionsall", and rustdoc's "Expand descriptionConvert"
			// on every item), out of reach of a keyword search.
			name: "a block starts a line",
			content: `<title>T</title><h1>T</h1><ul><li>Options<ul><li>all</li></ul></li></ul>
				<dl><dt>term</dt><dd>See<p>below</p></dd></dl><div>lead<blockquote>quoted</blockquote></div>
				<details open><summary>Expand</summary><div>Convert</div></details>
				<fieldset><legend>Legend</legend>Body</fieldset>`,
			title:    "T",
			sections: []string{"T||"},
			contains: []string{"Options\nall", "See\nbelow", "lead\nquoted", "Expand\nConvert", "Legend\nBody"},
			absent:   []string{"Optionsall", "Seebelow", "leadquoted", "ExpandConvert", "LegendBody"},
		},
		{
			name: "site headers, trails and controls are chrome",
			content: `<title>T</title>
				<div id="page-header"><p class="menu"><a href="m.html">Modules</a> | <a href="d.html">Directives</a></p>
				<p class="apache">Server Version 2.4</p></div>
				<div id="path"><a href="http://a/">Apache</a> &gt; <a href="http://b/">HTTP Server</a> &gt; <a href="./">Modules</a></div>
				<div class=nosearch><div class="tagline">Small. Fast.</div><a href="javascript:void(0)" onclick="m()">Menu</a></div>
				<div id="titlearea"><div id="projectname">MagickCore</div></div>
				<h1 id="s">Sec <a href="JavaScript:void(0)">[−]</a></h1>
				<details open><summary class="hideme"><span>Expand description</span></summary><p>Kept body.</p></details>
				<form><select><option>Search Docs</option></select></form>
				<p><a href="a.html">Edit</a> then <a href="b.html">Undo</a> &gt; <a href="c.html">Redo</a></p>
				<p>Inherited from <a href="javascript:void(0)" data-link="class.Object.html">GObject</a>.</p>
				<div id="footer"><p>Copyright 2026</p></div>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Kept body.", "Edit then Undo > Redo", "Inherited from GObject."},
			absent:   []string{"Modules", "Directives", "Server", "Apache", "Small", "Menu", "MagickCore", "[", "Expand", "Search", "Copyright"},
		},
		{
			name: "links that turn the page are a navigation bar",
			content: `<title>T</title><main><h1 id="s">Sec</h1><p>Body.</p>
				<div class="prev-next-area"><a class="left-prev" href="a.html"><p>previous</p><p>7.3.55. schema</p></a>
				<a class="right-next" href="c.html"><p>next</p><p>7.3.57. shutdown</p></a></div>
				<div><a href="d.html" title="Next page"><span>Installing the whole toolchain</span></a></div>
				<p>See <a class="nextstep" href="e.html">the next step</a> for more.</p>
				<p>Call <a class="next" href="#it-next">it.next()</a> to advance.</p>
				<a class="previous_page" href="p.html">&lt;-prev</a><a class="next_page" href="n.html">next-&gt;</a>
				<p class="naviNextPrevious"><a class="prevPage" href="w.html">Qt Widgets</a> ◦ <a class="nextPage" href="y.html">Styles</a></p></main>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "See the next step for more.", "Call it.next() to advance."},
			absent:   []string{"previous", "schema", "shutdown", "toolchain", "<-prev", "next->", "Widgets", "Styles"},
		},
		{
			// Halibut (PuTTY's manual) marks nothing on its bar's links;
			// only the head says which pages are the neighbours.
			name: "a bar of links to the head's neighbour pages is navigation",
			content: `<html><head><title>T</title><link rel="previous" href="Chapter3.html"><link rel="ToC" href="index.html">
				<link rel="index" href="IndexPage.html"><link rel="next" href="Chapter5.html"></head><body>
				<p><a href="Chapter3.html">Previous</a> | <a href="index.html">Contents</a> | <a href="IndexPage.html">Index</a> | <a href="Chapter5.html">Next</a></p>
				<h1 id="s">Sec</h1><p>Body.</p>
				<p>See <a href="Chapter5.html">chapter 5</a>.</p>
				<p><a href="Chapter3.html">Chapter 3</a> and <a href="other.html">Other</a></p>
				<p>Check out the <a href="Chapter5.html">Quickstart</a> or the <a href="index.html">Overview</a>.</p>
				<p><a href="Chapter3.html">GFile</a>, <a href="Chapter5.html">GFileInfo</a></p></body></html>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "See chapter 5.", "Chapter 3 and Other", "Check out the Quickstart or the Overview.", "GFile, GFileInfo"},
			absent:   []string{"Previous", "Contents", "Index", "Next"},
		},
		{
			// Doxygen opens an API page with a div of links to its own
			// groups; a div that also says something is content.
			name: "a div of nothing but links to the page's sections is navigation",
			content: `<title>T</title><div class="summary"><a href="#d">Data</a> | <a href="#m">Macros</a> |
				<a href="#t">Types</a> | <a href="#e">Enums</a> | <a href="#f">Functions</a></div>
				<div>See <a href="#d">Data</a>, <a href="#m">Macros</a>, <a href="#t">Types</a>, <a href="#e">Enums</a> and <a href="#f">Functions</a>.</div>
				<h2 id="d">Data</h2><p>d</p><h2 id="m">Macros</h2><p>m</p><h2 id="t">Types</h2><p>t</p>
				<h2 id="e">Enums</h2><p>e</p><h2 id="f">Functions</h2><p>f</p>`,
			title:    "T",
			sections: []string{"||", "Data|Data|d", "Macros|Macros|m", "Types|Types|t", "Enums|Enums|e", "Functions|Functions|f"},
			contains: []string{"See Data, Macros, Types, Enums and Functions."},
			absent:   []string{"Data | Macros"},
		},
		{
			// Node.js puts the list of every module beside each module's
			// page, the page's own entry among them: it was the text of
			// the page's bare url. A list of pages that does not link the
			// page it is on is content, and so is one in the article or
			// one with code between its links.
			name: "a site's menu that marks the page is chrome",
			content: `<title>T</title><div id="column2"><div id="intro"><a href="index.html">Node.js</a></div>
				<ul><li><a href="assert.html">Assertion testing</a></li><li><a href="buffer.html">Buffer</a></li>
				<li><a href="p.html" class="active">File system</a></li></ul><hr><ul><li><a href="url.html">URL</a></li>
				<li><a href="zlib.html">Zlib</a></li></ul></div>
				<h1 id="s">Sec</h1><p>Body.</p>
				<ul><li><a href="a.html">Alpha</a></li><li><a href="b.html">Beta</a></li><li><a href="c.html">Gamma</a></li>
				<li><a href="d.html">Delta</a></li><li><a href="e.html">Epsilon</a></li></ul>
				<div><a href="f.html">Foldable</a> f :: <a href="p.html">Tree</a> -&gt; <a href="g.html">Int</a> -&gt; <a href="h.html">Monoid</a> -&gt; <a href="i.html">Bool</a></div>
				<article><ul><li><a href="p.html">Kappa</a></li><li><a href="l.html">Lambda</a></li><li><a href="m.html">Mu</a></li>
				<li><a href="n.html">Nu</a></li><li><a href="o.html">Omicron</a></li></ul></article><article><p>Rho.</p></article>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "Alpha", "Epsilon", "Foldable f :: Tree", "Kappa", "Omicron"},
			absent:   []string{"Node.js", "Assertion", "File system", "Zlib"},
		},
		{
			// Boost's copyright ran into the last entry of every page, and
			// Docutils' "Contents" title was a chunk of its own; inside
			// the article a footer class is the content's.
			name: "footer classes and Docutils' contents are chrome",
			content: `<title>T</title><div class="contents topic" id="contents"><p class="topic-title">Contents</p>
				<ul><li><a href="#s">Sec</a></li></ul></div><div class="topic"><p>A topic box.</p></div>
				<h1 id="s">Sec</h1><p>Body.</p>
				<table><tr><td><div class="copyright-footer">Copyright © 2007 Anthony Williams</div></td></tr></table>
				<article><div class="card-footer">Card text.</div></article><article><p>Other.</p></article>`,
			title:    "T",
			sections: []string{"||", "Sec|Sec|s"},
			contains: []string{"A topic box.", "Body.", "Card text."},
			absent:   []string{"Contents", "Copyright"},
		},
		{
			// Boost opens every page with a one-row table of the site's
			// links beside its logo. Tables of links with rows, or with
			// symbols between the links (Racket's contracts), are
			// content.
			name: "a one-row table of links is the site's menu bar",
			content: `<title>T</title><table><tr><td><img alt="Logo" src="l.png"></td><td><a href="i.html">Home</a></td>
				<td><a href="l.html">Libraries</a></td><td><a href="p.html">People</a></td><td><a href="f.html">FAQ</a></td></tr></table>
				<h1 id="s">Sec</h1><p>Body.</p>
				<table><tr><td><a href="a.html">abspath</a></td><td><a href="r.html">resolve</a></td></tr>
				<tr><td><a href="c.html">chmod</a></td><td><a href="m.html">modify</a></td></tr></table>
				<table><tr><td>(<a href="x.html">arrow</a> <a href="y.html">syntax</a> <a href="y.html">syntax</a> <a href="z.html">boolean</a>)</td></tr></table>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "abspath", "modify", "(arrow syntax syntax boolean)"},
			absent:   []string{"Home", "Libraries", "FAQ"},
		},
		{
			// Django and Docutils open every page with their site's menu,
			// links with "|" between them, too long to be buttons. Two
			// links, words between them or code are not such a menu.
			name: "links with only pipes between them are a menu",
			content: `<title>T</title><div id="global-nav"><a href="i.html">Home page</a> | <a href="c.html">Table of contents</a> |
				<a href="g.html">Global index</a> | <a href="m.html">Module index</a></div>
				<h1 id="s">Sec</h1><p>Body.</p>
				<p><a href="de.html">Deutsch</a> | <a href="en.html">English</a></p>
				<p><a href="a.html">Alpha</a> | <a href="b.html">Beta</a> | or <a href="g.html">Gamma</a></p>
				<p><code><a href="e.html">expr</a> | <a href="t.html">term</a> | <a href="f.html">factor</a></code></p>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "Deutsch | English", "Alpha | Beta | or Gamma", "expr | term | factor"},
			absent:   []string{"Home page", "Table of contents", "Module index"},
		},
		{
			// Django's sidebar ends in "Last update:" and a date, HAProxy's
			// holds help on keyboard navigation, LDoc's div#navigation
			// lists every module; Docutils names the section on its
			// sidebar directive "sidebar".
			name: "the page's sidebar by id is chrome",
			content: `<title>T</title><h1 id="s">Sec</h1><p>Body.</p>
				<div class="section" id="sidebar"><h2>Sidebars</h2><p>A sidebar is like a topic.</p></div>
				<div class="yui-b" id="sidebar"><h3>Last update:</h3><p class="topless">Nov 11, 2026</p></div>
				<article><div id="sidebar"><p>Kept aside.</p></div></article><article><p>Other.</p></article>
				<div id="navigation"><h2>Modules</h2><p>awful.client</p></div>`,
			title:    "T",
			sections: []string{"Sec|Sec|s", "Sidebars|Sec/Sidebars|sidebar"},
			contains: []string{"Body.", "A sidebar is like a topic.", "Kept aside."},
			absent:   []string{"Last update", "Nov 11", "Modules", "awful.client"},
		},
		{
			// qdoc's trail above every Qt page mixes links and plain items.
			name: "qdoc's navigationbar is chrome",
			content: `<title>T</title><div class="header"><div class="navigationbar"><ul><li>Qt 5.15</li>
				<li><a href="qtcore-index.html">Qt Core</a></li><li>QObject</li>
				<li id="buildversion"><a href="qtcore-index.html">Qt 5.15.8 Reference Documentation</a></li></ul></div></div>
				<h1 id="s">Sec</h1><p>Body.</p>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body."},
			absent:   []string{"Qt Core", "Reference Documentation"},
		},
		{
			// Django names the documentation in an h1 above every page's
			// own: it was every page's title and the top of every
			// heading path.
			name: "an h1 linking to the documentation's home above the page's h1 is chrome",
			content: `<title>QuerySet API | Django 3.2 documentation</title><div id="hd"><h1><a href="../index.html">Django 3.2 documentation</a></h1></div>
				<h1 id="q">QuerySet API</h1><p>Body.</p><h2 id="f">filter()</h2><p>Filters.</p>`,
			title:    "QuerySet API",
			sections: []string{"QuerySet API||q", "filter()|filter()|f"},
			contains: []string{"Body.", "Filters."},
			absent:   []string{"Django 3.2 documentation"},
		},
		{
			// mdBook puts the book's name in an h1 of its menu bar, outside
			// <main>, on every page; a page that opens with an h2 had the
			// book's name as its title and the top of every heading path.
			// A page header's h1 that opens <title> is still the page's.
			name: "an h1 outside the content that ends the title is the site's name",
			content: `<title>Storing UTF-8 Encoded Text with Strings - The Rust Programming Language</title>
				<div id="menu-bar"><h1 class="menu-title">The Rust Programming Language</h1></div>
				<main><h2 id="storing">Storing UTF-8 Encoded Text with Strings</h2><p>Intro.</p><h3 id="what-is-a-string">What Is a String?</h3><p>Body.</p></main>`,
			title:    "Storing UTF-8 Encoded Text with Strings",
			sections: []string{"Storing UTF-8 Encoded Text with Strings||storing", "What Is a String?|What Is a String?|what-is-a-string"},
			contains: []string{"Body."},
		},
		{
			// "Site | Page" with the page's h1 in a header outside <main>.
			name: "an h1 outside the content that ends the title after the site's name is the page's",
			content: `<title>Acme Docs | Installing Acme</title><header><h1>Installing Acme</h1></header>
				<main><h2 id="req">Requirements</h2><p>Body.</p></main>`,
			title:    "Installing Acme",
			sections: []string{"Requirements|Requirements|req"},
		},
		{
			name: "an h1 outside the content that opens the title is the page's",
			content: `<title>Release notes | Example Docs</title><header><h1>Release notes</h1></header>
				<main><h2 id="v2">Version 2</h2><p>Body.</p></main>`,
			title:    "Release notes",
			sections: []string{"Version 2|Version 2|v2"},
		},
		{
			name: "a page's one h1 is its title even when it links elsewhere",
			content: `<title>T</title><h1><a href="guide.html">The Guide</a></h1><p>Body.</p>
				<h2 id="a">A</h2><p>Alpha.</p>`,
			title:    "T",
			sections: []string{"The Guide|The Guide|", "A|The Guide/A|a"},
			contains: []string{"Body.", "Alpha."},
		},
		{
			// texi2any, texi2html and makeinfo end every page with a
			// credit, which was the last words of the last section. A
			// sentence that only starts so, or names no tool, is content.
			name: "a generator's credit is chrome",
			content: `<title>T</title><h1 id="s">Sec</h1><p>Body.</p>
				<p><font size="-1">This document was generated on <em>February 5, 2023</em> using <a href="https://www.gnu.org/software/texinfo/"><em>texi2any</em></a>.</font></p>
				<p>This document was generated by hand, and no tool made it.</p>
				<p>This document was written before <a href="v2.html">version 2</a>.</p>
				<pre>This document was generated on |date| using <a href="t.html">t</a>.</pre>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "This document was generated by hand, and no tool made it.", "This document was written before version 2.", "|date|"},
			absent:   []string{"texi2any", "February"},
		},
		{
			// Chez Scheme's guides end every page with <hr class=copyright>
			// and a paragraph of copyright and licence; HeVeA ends its
			// pages with a blockquote crediting itself. A paragraph after a
			// plain rule and a sentence that only starts so without a link
			// stay.
			name: "a footer after a copyright rule and HeVeA's credit are chrome",
			content: `<title>T</title><h1 id="s">Sec</h1><p>Body.</p><hr><p>After a plain rule.</p>
				<blockquote>This document was translated from French by volunteers.</blockquote>
				<hr class=copyright align=left><p><a href="index.html">The Guide</a><br>Copyright &copy; 2022 Cisco Systems, Inc.<br>Licensed under the <a href="l.html">Apache License</a></p>
				<hr><blockquote class="quote"><em>This document was translated from L<sup>A</sup>T<sub>E</sub>X by </em><a href="http://hevea.inria.fr/index.html"><em>H</em><em>E</em><em>V</em><em>E</em><em>A</em></a><em>.</em></blockquote>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "After a plain rule.", "translated from French by volunteers"},
			absent:   []string{"Cisco", "Apache License", "HEVEA", "LATEX"},
		},
		{
			// groff's mom pages open and end with a one-row table of links
			// that say where they turn and are marked by no rel or class.
			// A link among others that says what it holds, text beside the
			// links, or one such link alone stays.
			name: "a bar of links that each say where they turn is navigation",
			content: `<title>T</title><table><tr><td><a href="toc.html">Back to Table of Contents</a></td><td><a href="images.html#top">Next: Graphics, floats</a></td></tr></table>
				<h1 id="s">Sec</h1><p>Body.</p>
				<table><tr><td><a href="a.html">Top-level names</a></td><td><a href="b.html">Next: the b page</a></td></tr></table>
				<p><a href="c.html">Next</a> and <a href="d.html">Previous</a> buttons move between slides.</p>
				<p><a href="e.html">Back to the overview</a></p>
				<table><tr><td><a href="toc.html">Back to Table of Contents</a></td><td><a href="#top">Top</a></td><td><a href="images.html#top">Next: Graphics, floats</a></td></tr></table>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "Top-level names", "Next: the b page", "buttons move between slides", "Back to the overview"},
			absent:   []string{"Table of Contents", "Graphics", "Top\n"},
		},
		{
			// grohtml (groff -Thtml) writes its bar straight into the body
			// between two rules, above and below every page, in no element
			// navBar could judge. Loose links with words beside them, or a
			// single turn, stay.
			name: "a bar of page turns loose in the body is navigation",
			content: `<title>T</title><hr>
				[ <a href="pic-13.html">prev</a> | <a href="pic-15.html">next</a> | <a href="pic.html">top</a> ]
				<hr><h2>14. Macros<a name="14. Macros"></a></h2><p>Body.</p>
				See <a href="x.html">next</a> or <a href="y.html">previous</a> page for more.
				<hr><a href="pic.html">top</a><hr>
				[ <a href="pic-13.html">prev</a> | <a href="pic-15.html">next</a> | <a href="pic.html">top</a> ]<hr>`,
			title:    "T",
			sections: []string{"14. Macros|14. Macros|14. Macros"},
			contains: []string{"Body.", "See next or previous page for more.", "\ntop"},
			absent:   []string{"prev |", "[", " | "},
		},
		{
			// libxml2's API pages open with a "Table of Contents" of one pre
			// per declaration, its name linking to the entry below: every
			// name and signature was indexed twice, once at the page's top.
			// Fewer than three in a row, and a pre that is itself a link
			// target (a typedef with no entry of its own), are kept, as are
			// the entries' own signatures and code that links no entry.
			name: "a synopsis of pres linking the page's entries is chrome",
			content: `<title>T</title><h1>Module parser</h1><p>Intro.</p><h2>Table of Contents</h2>
				<pre>#define <a href="#A">A_MACRO</a></pre> <pre>Enum <a href="#E">xmlEnumThing</a></pre>
				<pre>int <a href="#f">xmlFuncOne</a> (int count)</pre>
				<pre>Typedef <a href="#E">xmlEnumThing</a> * <a name="EPtr">xmlEnumThingPtr</a></pre>
				<pre>void <a href="#g">xmlFuncTwo</a> (void * spare)</pre><pre>void <a href="#f">xmlFuncOne</a> (long total)</pre>
				<h2>Description</h2><h3><a name="A"></a>Macro: A_MACRO</h3><pre>#define A_MACRO</pre><p>Alpha macro.</p>
				<h3>Enum <a name="E">xmlEnumThing</a></h3><pre>Enum xmlEnumThing { ONE = 1 }</pre><p>Enum text.</p>
				<h3><a name="f"></a>Function: xmlFuncOne</h3><pre>int xmlFuncOne (<a href="#E">xmlEnumThing</a> kind)</pre><p>One.</p>
				<h3><a name="g"></a>Function: xmlFuncTwo</h3><pre>void xmlFuncTwo (<a href="#E">xmlEnumThing</a> mode)</pre><pre>xmlFuncTwo(<a href="#A">A_MACRO</a>);</pre><p>Two.</p>
				<pre>make step</pre><pre>run step</pre><pre>see <a href="other.html#x">xmlOther</a></pre>`,
			title: "T",
			sections: []string{"Module parser|Module parser|", "Table of Contents|Module parser/Table of Contents|",
				"Macro: A_MACRO|Module parser/Description/Macro: A_MACRO|A", "Enum xmlEnumThing|Module parser/Description/Enum xmlEnumThing|E",
				"Function: xmlFuncOne|Module parser/Description/Function: xmlFuncOne|f", "Function: xmlFuncTwo|Module parser/Description/Function: xmlFuncTwo|g"},
			contains: []string{"xmlEnumThingPtr", "spare", "total", "int xmlFuncOne (xmlEnumThing kind)", "xmlFuncTwo(A_MACRO);", "run step", "xmlOther"},
			absent:   []string{"count)", "#define A_MACRO\n\nEnum"},
		},
		{
			// HTMLDOC's table of contents is an h1, bold links to each
			// chapter and a list of its sections; the lists go as link
			// lists, the bold links stayed, the chapters' names in one
			// chunk. Two links ("See also"), a word beside the links, and
			// links after a description list in a section with text of
			// its own stay.
			name: "a section of nothing but links to the page's sections is a table of contents",
			content: `<title>T</title><h1 id="toc">Table of Contents</h1>
				<br><b><a href="#a">Chapter 1 - Alpha</a></b><ul><li><a href="#a1">Alpha one</a></li><li><a href="#a2">Alpha two</a></li></ul>
				<b><a href="#b">Chapter 2 - Bravo</a></b><br><b><a href="#c">Chapter 3 - Charlie</a></b>
				<h1 id="a">Alpha</h1><p>Alpha text.</p><h2 id="a1">Alpha one</h2><p>One text.</p><h2 id="a2">Alpha two</h2><p>Two text.</p>
				<h3 id="sa">See also</h3><p><a href="#b">Bravo link</a>, <a href="#c">Charlie link</a></p>
				<h1 id="b">Bravo</h1><p>Or <a href="#a">alpha sec</a>, <a href="#a1">one sec</a>, <a href="#a2">two sec</a></p>
				<h1 id="c">Charlie</h1><p>Intro.</p><dl><dt id="x">x()</dt><dd>X desc.</dd></dl><p><a href="#a">A link</a> <a href="#b">B link</a> <a href="#c">C link</a></p>`,
			title: "T",
			sections: []string{"Alpha|Alpha|a", "Alpha one|Alpha/Alpha one|a1", "Alpha two|Alpha/Alpha two|a2", "See also|Alpha/Alpha two/See also|sa",
				"Bravo|Bravo|b", "Charlie|Charlie|c", "x()|Charlie/x|x", "Charlie|Charlie|c"},
			contains: []string{"Bravo link, Charlie link", "Or alpha sec, one sec, two sec", "X desc.", "A link B link C link"},
			absent:   []string{"Chapter"},
		},
		{
			// Crystal titles each method's div by a signature that holds a
			// permalink to it, percent-encoded. A Sphinx code caption
			// (a.headerlink), a table row with its own permalink (odoc's
			// variant constructors) and a block linking another id stay
			// text of their section.
			name: "a signature holding a permalink to its entry titles it",
			content: `<title>T</title><h1 id="s">class Log</h1><h2 id="d">Class Method Detail</h2>
				<div class="entry-detail" id="for(type:Class):Log-class-method"><div class="signature">def self.<strong>for</strong>(type : <a href="Class.html">Class</a>) : Log
				<a class="method-permalink" href="#for%28type%3AClass%29%3ALog-class-method">#</a></div><div class="doc"><p>Creates a Log for the type.</p></div></div>
				<div class="entry-detail" id="info-class-method"><div class="signature">def self.info <a href="#info-class-method">#</a></div><div class="doc"><p>Logs at info.</p></div></div>
				<h2 id="e">Examples</h2><div class="literal-block-wrapper" id="id2"><div class="code-block-caption"><span>/etc/hosts</span><a class="headerlink" href="#id2">¶</a></div><pre>127.0.0.1 x</pre></div>
				<table><tr id="type-day.Sun"><td><a href="#type-day.Sun"></a><code>| Sun</code></td></tr></table>
				<div id="other"><div><a href="#d">back</a> to details</div><p>More.</p></div>`,
			title: "T",
			sections: []string{"def self.for(type : Class) : Log|class Log/Class Method Detail/def self.for(type : Class) : Log|for(type:Class):Log-class-method",
				"def self.info|class Log/Class Method Detail/def self.info|info-class-method", "Examples|class Log/Examples|e"},
			contains: []string{"Creates a Log for the type.", "Logs at info.", "/etc/hosts", "127.0.0.1 x", "| Sun", "back to details", "More."},
		},
		{
			// Slurm's man2html pages: each parameter a term whose id is on
			// the permalink after its name; a parameter's values a list
			// in a <DT><DD> pair after its description, the empty term no
			// item of its own (a term of punctuation is: Bash's "((…))");
			// an <A NAME>&nbsp;</A> in a paragraph of its own before each
			// heading, which the index at the page's end links to.
			name: "man2html: permalinked terms, spacer terms and heading markers",
			content: `<title>slurm.conf</title><H1>slurm.conf</H1><P>
<A NAME="lbAB">&nbsp;</A>
<h2>PARAMETERS<a class="slurm_link" id="SECTION_PARAMETERS" href="#SECTION_PARAMETERS"></a></h2>
<DL COMPACT>
<dt><B>PropagatePrioProcess</B><a class="slurm_link" id="OPT_PropagatePrioProcess" href="#OPT_PropagatePrioProcess"></a></dt><dd>Controls the priority.
<DT><DD>
<DL COMPACT><dt><B>0</B><a class="slurm_link" id="OPT_0" href="#OPT_0"></a></dt><dd>Inherit the daemon's.</DL>
<DT><DD><P>
<dt><B>((…))</B></dt><dd>Arithmetic.</dd>
<dt><B>Other</B><a class="x" id="OPT_Other" href="#OPT_PropagatePrioProcess"></a></dt><dd>Not its own.
</DL>
<P>words <A NAME="lbAC">&nbsp;</A></P><H2>FILES</H2><P>/etc/slurm.conf</P><P><A NAME="lbAD">&nbsp;</A></P><H2>SEE ALSO</H2><P>sbatch(1)</P>
<A NAME="index">&nbsp;</A><H2>Index</H2>
<DL><DT><A HREF="#lbAB">PARAMETERS</A><DD><DT><A HREF="#lbAC">FILES</A><DD><DT><A HREF="#lbAD">SEE ALSO</A><DD></DL>`,
			title: "slurm.conf",
			sections: []string{"PropagatePrioProcess|PARAMETERS/PropagatePrioProcess|OPT_PropagatePrioProcess",
				"0|PARAMETERS/PropagatePrioProcess/0|OPT_0",
				"PARAMETERS|PARAMETERS|SECTION_PARAMETERS", "PARAMETERS|PARAMETERS|SECTION_PARAMETERS", "FILES|FILES|lbAC", "SEE ALSO|SEE ALSO|lbAD"},
			contains: []string{"Not its own.", "((…))\nArithmetic.", "words"},
			absent:   []string{"SEE ALSO\nPARAMETERS"},
		},
		{
			// GAPDoc's bar names its turns in brackets, the book's
			// contents among them; Nim's page opens with links to its
			// source ("Source", "Edit"). A bar with a link that is no turn
			// ("[Examples]") stays.
			name: "bracketed turn bars and Nim's source links are chrome",
			content: `<title>Lists</title><div class="chlinkprevnexttop">&nbsp;<a href="chap0.html">[Top of Book]</a>&nbsp; <a href="chap0.html#contents">[Contents]</a>&nbsp; <a href="chap20.html">[Previous Chapter]</a>&nbsp; <a href="chap22.html">[Next Chapter]</a>&nbsp;</div>
<div>&nbsp;<a href="chap0.html">[Top of Book]</a>&nbsp; <a href="ex.html">[Examples]</a>&nbsp;</div>
&nbsp;&nbsp;<a href="https://github.com/nim-lang/Nim/tree/version-1-6/doc/manual.rst#L1" class="link-seesrc" target="_blank">Source</a>
&nbsp;&nbsp;<a href="https://github.com/nim-lang/Nim/edit/devel/doc/manual.rst#L1" class="link-seesrc" target="_blank">Edit</a>
<h1 id="l">Lists</h1><p>Lists hold objects.</p>`,
			title:    "Lists",
			sections: []string{"||", "Lists||l"},
			contains: []string{"[Examples]"},
			absent:   []string{"Previous Chapter", "Source", "Edit"},
		},
		{
			// Asciidoctor's div#toc holds its title, div#toctitle "Table
			// of Contents", which was a chunk once linkList dropped the
			// list; DocBook's div.toc its bold paragraph; one linking to
			// other pages goes too (a chapter's sections, each on a page of
			// its own). A div named so that says more than its links is
			// kept.
			name: "a table of contents by name is dropped with its title",
			content: `<title>T</title><div id="header"><h1>T</h1><div id="toc" class="toc2"><div id="toctitle">Table of Contents</div>
<ul class="sectlevel1"><li><a href="#a">1. Alpha, the first part of the guide</a></li><li><a href="#b">2. Bravo, the second part of the guide</a></li></ul></div></div>
<div class="toc"><p><b>Other pages</b></p><ul><li><a href="x.html">X page on the first other matter</a></li><li><a href="y.html">Y page on the second</a></li></ul></div>
<div class="toc"><p>This toc explains how the parts fit together at some length.</p><a href="#a">Alpha</a> <a href="#b">Bravo</a></div>
<div class="toc"><p>Read the parts in their order, since each one builds on the part before it and the last puts all of them to work.</p>
<a href="#a">Alpha, where the guide sets out what it covers and for whom</a> <a href="#b">Bravo, where the guide shows every part at work together</a></div>
<h2 id="a">Alpha</h2><p>A text.</p><h2 id="b">Bravo</h2><p>B text.</p>`,
			title:    "T",
			sections: []string{"T||header", "Alpha|Alpha|a", "Bravo|Bravo|b"},
			contains: []string{"explains how the parts fit", "Read the parts in their order"},
			absent:   []string{"Table of Contents", "1. Alpha", "Other pages", "X page"},
		},
		{
			// Publican (the Debian Administrator's Handbook): a banner, a
			// Prev/Next bar with the book's title as text between, and a
			// chapter's contents whose sections are on other pages.
			name: "Publican's banner, page bar and chapter contents are chrome",
			content: `<title>Chapter 6. APT</title><body><div id="banner"><a href="http://example.org/get/"><span class="text">Download the ebook</span></a></div>
<ul class="docnav top"><li class="previous"><a accesskey="p" href="prev.html"><strong>Prev</strong></a></li><li class="home">The Administrator's Handbook</li><li class="next"><a accesskey="n" href="next.html"><strong>Next</strong></a></li></ul>
<div class="chapter"><div class="titlepage"><h1 class="title"><a id="apt"></a>Chapter 6. APT</h1></div>
<div class="toc"><dl class="toc"><dt><span class="section"><a href="apt.html#sources">6.1. Filling in the sources.list File</a></span></dt>
<dt><span class="section"><a href="sect.apt-get.html">6.2. aptitude, apt-get and apt Commands</a></span></dt><dt><span class="section"><a href="sect.apt-cache.html">6.3. The apt-cache Command</a></span></dt></dl></div>
<p>Most of the packages come from repositories.</p><div class="section"><h2 class="title"><a id="sources"></a>6.1. Filling in the sources.list File</h2><p>Each active line of the file describes a source.</p></div></div>
<ul class="docnav"><li class="previous"><a accesskey="p" href="prev.html"><strong>Prev</strong></a></li><li class="home">The Administrator's Handbook</li><li class="next"><a accesskey="n" href="next.html"><strong>Next</strong></a></li></ul></body>`,
			title:    "Chapter 6. APT",
			sections: []string{"Chapter 6. APT||apt", "6.1. Filling in the sources.list File|6.1. Filling in the sources.list File|sources"},
			contains: []string{"Most of the packages come from repositories.", "Each active line of the file describes a source."},
			absent:   []string{"Download the ebook", "Prev", "Handbook", "apt-get", "apt-cache"},
		},
		{
			// javadoc's "See Also" and Racket's contents link to their
			// sections with the fragment percent-encoded, as a browser
			// decodes it before it looks the id up.
			name:     "links to sections percent-encoded are a table of contents",
			content:  `<title>T</title><ul><li><a href="#get%28float%5B%5D%29">get(float[])</a></li><li><a href="p.html#%28part._x%29">Part X</a></li></ul><h2 id="get(float[])">get(float[])</h2><p>Gets.</p><h2 id="(part._x)">Part X</h2><p>X.</p>`,
			title:    "T",
			sections: []string{"get(float[])|get(float[])|get(float[])", "Part X|Part X|(part._x)"},
		},
		{
			// Crystal's sidebar lists every type of the standard library on
			// every page, the page's own entry marked li.current; copied
			// under another name, its link no longer names the page. A
			// list marked nowhere, or marked aria-current="false", stays.
			name: "a menu marking the page it is on is chrome",
			content: `<title>Log - Crystal 1.6.0</title>
				<div class="types-list"><ul><li><a href="Array.html">Array</a></li><li><a href="Atomic.html">Atomic</a></li>
				<li class="parent open current"><a href="Log.html">Log</a></li><li><a href="Math.html">Math</a></li><li><a href="Zlib.html">Zlib</a></li></ul></div>
				<ul><li><a href="a.html">Alpha</a></li><li><a href="b.html">Bravo</a></li><li><a href="c.html">Charlie</a></li><li><a href="d.html">Delta</a></li><li><a href="e.html">Echo</a></li></ul>
				<ul><li><a href="f.html" aria-current="false">Foxtrot</a></li><li><a href="g.html">Golf</a></li><li><a href="h.html">Hotel</a></li><li><a href="i.html">India</a></li><li><a href="j.html">Juliett</a></li></ul>
				<h1 id="s">class Log</h1><p>Body.</p>`,
			title:    "Log - Crystal 1.6.0",
			sections: []string{"||", "class Log|class Log|s"},
			contains: []string{"Body.", "Alpha", "Echo", "Foxtrot", "Juliett"},
			absent:   []string{"Atomic", "Zlib"},
		},
		{
			// odoc puts a module's h1 and its documentation in a header,
			// which outside an article is otherwise the site's.
			name: "odoc's preamble header is content",
			content: `<title>Date (calendar.CalendarLib.Date)</title><header class="site"><p>Acme docs</p></header>
				<header class="odoc-preamble"><h1>Module <code>CalendarLib.Date</code></h1><p>Date implementation.</p></header>
				<div class="odoc-content"><h3 id="datatypes">Datatypes</h3><p>Types.</p></div>`,
			title:    "Date (calendar.CalendarLib.Date)",
			sections: []string{"Module CalendarLib.Date|Module CalendarLib.Date|", "Datatypes|Module CalendarLib.Date/Datatypes|datatypes"},
			contains: []string{"Date implementation.", "Types."},
			absent:   []string{"Acme"},
		},
		{
			// YARD opens every page with a trail that ends in the page's
			// own name, unlinked: "Index » File: Tags Overview". A trail
			// ending in a name the title lacks, or in code, one with a
			// link after its end, and links without arrows stay.
			name: "a breadcrumb trail ending in the page's own name is navigation",
			content: `<title>File: Tags Overview — YARD 0.9.28 Documentation</title>
				<div id="menu"><a href="_index.html">Index</a> &raquo; <span class="title">File: Tags Overview</span></div>
				<div><a href="_index.html">Index (D)</a> &raquo; <a href="YARD.html">YARD</a> &raquo; <span>Tags</span></div>
				<h1 id="s">Tags Overview</h1><p>Body.</p>
				<p><a href="setup.html">Setup</a> &raquo; then Usage</p>
				<p><a href="a.html">Index</a> File: Tags Overview</p>
				<p><a href="a.html">Alpha</a> &raquo; Overview <a href="b.html">Beta</a></p>
				<p><a href="a.html">Gamma</a> &raquo; <code>Overview</code></p>`,
			title:    "File: Tags Overview — YARD 0.9.28 Documentation",
			sections: []string{"Tags Overview|Tags Overview|s"},
			contains: []string{"Body.", "Setup » then Usage", "Index File: Tags Overview", "Alpha » Overview Beta", "Gamma » Overview"},
			absent:   []string{"Index »", "YARD »"},
		},
		{
			// PuTTY's manual ends every page in an address after the last
			// section; inside an article an address is the article's.
			name: "an address outside the article is chrome",
			content: `<title>T</title><h1 id="s">Sec</h1><p>Body.</p><hr><address>[Debian PuTTY release 0.78-2+deb12u2]</address>
				<article><address>Written by Ada.</address></article><article><p>Other.</p></article>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Body.", "Written by Ada."},
			absent:   []string{"PuTTY release"},
		},
		{
			// Doxygen's trail of folders at the foot ran into the last
			// entry's text.
			name: "Doxygen's navpath is chrome",
			content: `<title>T</title><h2 id="q">SDL_VideoQuit()</h2><p>Shut down the video subsystem.</p>
				<div id="nav-path" class="navpath"><ul><li class="navelem"><a class="el" href="dir_1.html">include</a></li><li class="navelem"><a class="el" href="v.html">SDL_video.h</a></li>
				<li class="footer">Generated by doxygen 1.9.4</li></ul></div>`,
			title:    "T",
			sections: []string{"SDL_VideoQuit()|SDL_VideoQuit()|q"},
			contains: []string{"Shut down the video subsystem."},
			absent:   []string{"include", "SDL_video.h", "Generated"},
		},
		{
			// Sphinx's viewcode extension links every signature to its
			// source: "[source]" was a word of every entry and of the
			// heading of an entry without parameters.
			name: "Sphinx's source links are chrome",
			content: `<title>T</title><main><h1 id="m">Module</h1><p>Intro.</p>
				<dl class="py exception"><dt class="sig sig-object py" id="m.Finish"><em class="property">exception </em><span class="sig-name descname">Finish</span><a class="reference internal" href="_modules/m.html#Finish"><span class="viewcode-link"><span class="pre">[source]</span></span></a></dt>
				<dd><p>Ends the request.</p><p>See <a class="reference internal" href="_modules/m.html">the module's source</a>.</p></dd></dl></main>`,
			title:    "T",
			sections: []string{"Module|Module|m", "exception Finish|Module/exception Finish|m.Finish"},
			contains: []string{"Ends the request.", "See the module's source."},
			absent:   []string{"[source]"},
		},
		{
			// rustdoc puts an item's "since" badge before its heading,
			// inside the item's section: kept, it closed the item before.
			name: "rustdoc's badges beside an item are chrome",
			content: `<title>T</title><main><h2 id="impls">Implementors</h2>
				<section id="impl-1"><span class="rightside"><span class="since">1.33.0</span> · <a class="srclink" href="s">source</a></span><h3>impl Debug for Pin</h3></section>
				<section id="impl-2"><span class="rightside"><span class="since">1.4.0</span> · </span><h3>impl Debug for Fn</h3><p>Formats it.</p></section></main>`,
			title:    "T",
			sections: []string{"impl Debug for Fn|Implementors/impl Debug for Fn|impl-2"},
			contains: []string{"Formats it."},
			absent:   []string{"1.4.0", "1.33.0", "·"},
		},
		{
			// rustdoc 1.63's example: a.test-arrow, "Run", links it to
			// the playground.
			name: "rustdoc's Run button over an example is chrome",
			content: `<title>T</title><main><h2 id="examples">Examples</h2>
				<div class="example-wrap"><pre class="rust rust-example-rendered"><code>let map = HashMap::new();</code></pre><a class="test-arrow" target="_blank" href="https://play.rust-lang.org/?code=x">Run</a></div><p>Then insert.</p></main>`,
			title:    "T",
			sections: []string{"Examples|Examples|examples"},
			contains: []string{"let map = HashMap::new();", "Then insert."},
			absent:   []string{"Run"},
		},
		{
			name:     "a header holding the page's heading is content",
			content:  `<title>git-log(1)</title><div id="header"><h1 id="t">git-log(1)</h1><p>Show logs</p></div><div id="page-header"><h2 id="n">Name</h2><p>Body</p></div>`,
			title:    "git-log(1)",
			sections: []string{"git-log(1)||t", "Name|Name|n"},
			contains: []string{"Show logs", "Body"},
		},
		{
			name: "main content only",
			content: `<title>T</title><div>Outside main</div><main><h2 id="a">A</h2><p>Inside.</p></main>
				<aside>Outside aside</aside>`,
			title:    "T",
			sections: []string{"A|A|a"},
			contains: []string{"Inside."},
			absent:   []string{"Outside"},
		},
		{
			name:     "role=main and article header kept",
			content:  `<title>T</title><p>Chrome</p><div role="main"><header><p>Byline</p></header><h2>A</h2><p>In.</p></div>`,
			title:    "T",
			sections: []string{"||", "A|A|"},
			contains: []string{"Byline", "In."},
			absent:   []string{"Chrome"},
		},
		{
			// An empty main is a template's leftover (ImageMagick's empty
			// <div role="main"> before its <main>), not the content.
			name:     "an empty main is passed over",
			content:  `<title>T</title><p>Chrome</p><div role="main">  </div><main><h2 id="a">A</h2><p>Real.</p></main>`,
			title:    "T",
			sections: []string{"A|A|a"},
			contains: []string{"Real."},
			absent:   []string{"Chrome"},
		},
		{
			name:     "article before div.body",
			content:  `<title>T</title><div class="body"><p>Body div</p></div><article><h2>A</h2><p>Art.</p></article>`,
			title:    "T",
			sections: []string{"A|A|"},
			absent:   []string{"Body div"},
		},
		{
			name:     "sphinx div.body",
			content:  `<title>T</title><p>Chrome</p><div class="body"><h2>A</h2><p>In.</p></div>`,
			title:    "T",
			sections: []string{"A|A|"},
			absent:   []string{"Chrome"},
		},
		{
			name: "anchors from every place they are found",
			content: `<title>T</title>
				<h2 id="own">Own</h2><p>1</p>
				<h2>Permalink<a class="headerlink" href="#perma">¶</a></h2><p>2</p>
				<h2><a name="inner"></a>Inner</h2><p>3</p>
				<section id="sec"><h2>Enclosing</h2><p>4</p></section>
				<a id="before"></a><h2>Before</h2><p>5</p>`,
			title: "T",
			sections: []string{
				"Own|Own|own", "Permalink|Permalink|perma", "Inner|Inner|inner", "Enclosing|Enclosing|sec",
				"Before|Before|before",
			},
		},
		{
			name: "API entries are sub-sections; a term without an id and the text after the list return to its section",
			content: `<title>T</title><section id="use"><h2>Use</h2><p>Intro.</p>
				<dl><dt id="m.f">m.f(<em>a</em>, <em>b</em>)<a class="headerlink" href="#m.f">¶</a></dt><dd><p>Does f.</p>
				<dl><dt id="m.f.x">x</dt><dd>Attribute x.</dd></dl><p>More f.</p></dd>
				<dt>no id</dt><dd>Plain term.</dd></dl><p>After.</p></section>
				<h2>Next</h2><dl><dt id="g">g()</dt><dd>G.</dd></dl>`,
			title: "T",
			sections: []string{
				"Use|Use|use", "m.f(a, b)|Use/m.f|m.f", "x|Use/m.f/x|m.f.x", "m.f(a, b)|Use/m.f|m.f",
				"Use|Use|use", "Use|Use|use", "g()|Next/g|g",
			},
			contains: []string{"m.f(a, b)\n\nDoes f.", "no id\nPlain term.", "After."},
		},
		{
			// makeinfo 7's shape: each section div holds a Next/Previous/Up
			// bar, then an empty span with a second id, then the heading;
			// a parent section lists its subsections as links.
			name: "texinfo: navigation bars and menus are skipped, the section div names the anchor",
			content: `<title>Bash Reference Manual</title><h1 class="settitle">Bash Reference Manual</h1>
<div class="section" id="Shell-Expansions"><div class="header"><p>Next: <a href="#Redirections" accesskey="n" rel="next">Redirections</a>, Up: <a href="#Basic" accesskey="u" rel="up">Basic</a> &nbsp; [<a href="#SEC_Contents" rel="contents">Contents</a>]</p></div>
<span id="Shell-Expansions-1"></span><h3 class="section">3.5 Shell Expansions</h3>
<p>Expansion is performed on the command line.</p>
<ul class="section-toc"><li><a href="#Tilde-Expansion" accesskey="1">Tilde Expansion</a></li><li><a href="#Shell-Parameter-Expansion" accesskey="2">Shell Parameter Expansion</a></li></ul>
<hr>
<div class="subsection" id="Tilde-Expansion"><div class="header"><p>Next: <a href="#Shell-Parameter-Expansion" accesskey="n" rel="next">Shell Parameter Expansion</a>, Up: <a href="#Shell-Expansions" accesskey="u" rel="up">Shell Expansions</a></p></div>
<span id="Tilde-Expansion-1"></span><h4 class="subsection">3.5.1 Tilde Expansion</h4>
<p>A word beginning with a tilde.</p></div>
<div class="subsection" id="Shell-Parameter-Expansion"><div class="header"><p>Previous: <a href="#Tilde-Expansion" accesskey="p" rel="prev">Tilde Expansion</a>, Up: <a href="#Shell-Expansions" accesskey="u" rel="up">Shell Expansions</a></p></div>
<span id="Shell-Parameter-Expansion-1"></span><h4 class="subsection">3.5.3 Shell Parameter Expansion</h4>
<p>The basic form is ${parameter}.</p>
<table><tr><td><a href="#a">os.getcwd()</a></td><td><a href="#b">Path.cwd()</a></td></tr></table>
<p>See <a href="#Arrays" rel="next">Arrays</a> for the array forms of every expansion listed here.</p></div></div>`,
			title: "Bash Reference Manual",
			sections: []string{
				"3.5 Shell Expansions|3.5 Shell Expansions|Shell-Expansions",
				"3.5.1 Tilde Expansion|3.5 Shell Expansions/3.5.1 Tilde Expansion|Tilde-Expansion",
				"3.5.3 Shell Parameter Expansion|3.5 Shell Expansions/3.5.3 Shell Parameter Expansion|Shell-Parameter-Expansion",
			},
			contains: []string{"Expansion is performed on the command line.", "The basic form is ${parameter}.",
				"os.getcwd()\nPath.cwd()", "See Arrays for the array forms"},
			absent: []string{"Next:", "Previous:", "Redirections", "Contents", "Tilde Expansion"},
		},
		{
			// bashref.html's "Creating Internationalized Scripts": a node
			// without a sequence bar, only "[Contents][Index]" between its
			// id and its heading, inside the previous section's div.
			name: "texinfo: a Contents/Index bar parts no id from its heading",
			content: `<title>Bash Reference Manual</title><h1 class="settitle">Bash Reference Manual</h1>
<div class="subsubsection" id="Locale-Translation"><span id="Locale_002dSpecific-Translation"></span><h4 class="subsubsection">3.1.2.5 Locale-Specific Translation</h4>
<p>Prefixing a double-quoted string with a dollar sign.</p>
<hr>
<span id="Creating-Internationalized-Scripts"></span><div class="header">
<p> &nbsp; [<a href="#SEC_Contents" title="Table of contents" rel="contents">Contents</a>][<a href="#Indexes" title="Index" rel="index">Index</a>]</p>
</div>
<h4 class="node-heading">Creating Internationalized Scripts</h4>
<p>Once you have marked the strings, create a template file.</p></div>`,
			title: "Bash Reference Manual",
			sections: []string{
				"3.1.2.5 Locale-Specific Translation|3.1.2.5 Locale-Specific Translation|Locale-Translation",
				"Creating Internationalized Scripts|Creating Internationalized Scripts|Creating-Internationalized-Scripts",
			},
			contains: []string{"Prefixing a double-quoted string", "Once you have marked the strings"},
			absent:   []string{"Contents", "Index"},
		},
		{
			// PostgreSQL's DocBook pages: a Prev/Up/Next table with
			// accesskeys, and the page's table of contents as a dl.
			name: "docbook: the navigation header and the contents list are skipped",
			content: `<title>8.5. Date/Time Types</title><div class="navheader"><table width="100%"><tr><th colspan="5" align="center">8.5. Date/Time Types</th></tr>
<tr><td><a accesskey="p" href="datatype-binary.html" title="8.4. Binary Data Types">Prev</a> </td><td><a accesskey="u" href="datatype.html">Up</a></td><th>Chapter 8. Data Types</th><td><a accesskey="h" href="index.html">Home</a></td><td> <a accesskey="n" href="datatype-boolean.html">Next</a></td></tr></table><hr></div>
<div class="sect1" id="DATATYPE-DATETIME"><div class="titlepage"><div><div><h2 class="title">8.5. Date/Time Types</h2></div></div></div>
<div class="toc"><dl class="toc"><dt><span class="sect2"><a href="#DATATYPE-DATETIME-INPUT">8.5.1. Date/Time Input</a></span></dt><dt><span class="sect2"><a href="#DATATYPE-TIMEZONES">8.5.3. Time Zones</a></span></dt></dl></div>
<p>PostgreSQL supports the full set of SQL date and time types.</p>
<dl><dt><code>now</code></dt><dd><p>current transaction's start time, see <a href="#DATATYPE-TIMEZONES">Time Zones</a></p></dd></dl>
<div class="sect2" id="DATATYPE-DATETIME-INPUT"><div class="titlepage"><div><div><h3 class="title">8.5.1. Date/Time Input</h3></div></div></div><p>Input formats.</p></div>
<div class="sect2" id="DATATYPE-TIMEZONES"><div class="titlepage"><div><div><h3 class="title">8.5.3. Time Zones</h3></div></div></div><p>Zones.</p></div></div>
<div class="navfooter"><hr><table width="100%"><tr><td><a accesskey="p" href="datatype-binary.html">Prev</a> </td><td><a accesskey="u" href="datatype.html">Up</a></td><td> <a accesskey="n" href="datatype-boolean.html">Next</a></td></tr>
<tr><td>8.4. Binary Data Types </td><td><a accesskey="h" href="index.html">Home</a></td><td> 8.6. Boolean Type</td></tr></table></div>`,
			title: "8.5. Date/Time Types",
			sections: []string{"8.5. Date/Time Types||DATATYPE-DATETIME", // the heading is the title
				"8.5.1. Date/Time Input|8.5.1. Date/Time Input|DATATYPE-DATETIME-INPUT", "8.5.3. Time Zones|8.5.3. Time Zones|DATATYPE-TIMEZONES"},
			contains: []string{"PostgreSQL supports the full set", "now\ncurrent transaction's start time, see Time Zones"},
			absent:   []string{"Prev", "Chapter 8", "Date/Time Input", "Binary", "Boolean"},
		},
		{
			// PostgreSQL's reference pages put notes inside a clause's
			// refsect2, titled by an h3 like the clause itself.
			name: "docbook: an admonition's heading stays in its section",
			content: `<title>SELECT</title><h1>SELECT</h1><div class="refsect1" id="params"><h2>Parameters</h2>
<div class="refsect2" id="SQL-LIMIT"><h3>LIMIT Clause</h3><p>LIMIT bounds the rows.</p>
<div class="note"><h3 class="title">Note</h3><p>Before 9.6 the order was undefined.</p></div>
<p>Use ORDER BY with it.</p></div>
<div class="refsect2" id="SQL-FOR"><h3>Locking Clause</h3><div class="warning"><h3 class="title">Caution</h3><p>Locks rows.</p></div></div></div>`,
			title: "SELECT",
			sections: []string{
				"LIMIT Clause|Parameters/LIMIT Clause|SQL-LIMIT",
				"Locking Clause|Parameters/Locking Clause|SQL-FOR",
			},
			contains: []string{"LIMIT bounds the rows.\n\nNote\nBefore 9.6 the order was undefined.\n\nUse ORDER BY with it.", "Caution\nLocks rows."},
		},
		{
			// MkDocs' "!!! note" holding "### Proxy settings": the heading
			// has its own id and permalink, and the table of contents
			// links to it, so it is a section.
			name: "mkdocs: a heading with an anchor inside an admonition is a section",
			content: `<title>Setup</title><h1 id="setup">Setup</h1><h2 id="install">Install</h2><p>Run the installer.</p>
<div class="admonition note"><p class="admonition-title">Note</p><h3 id="proxy-settings">Proxy settings<a class="headerlink" href="#proxy-settings">¶</a></h3><p>Set HTTPS_PROXY first.</p></div>
<p>Then run it again.</p>`,
			title:    "Setup",
			sections: []string{"Install|Install|install", "Proxy settings|Install/Proxy settings|proxy-settings", "Install|Install|install"},
			contains: []string{"Set HTTPS_PROXY first.", "Then run it again."},
		},
		{
			// rustdoc: text (a version, a "source" link) stands between
			// the section's id and its heading; the id still names it.
			// The JDK's specifications put the id on an <hr> instead.
			name: "an element whose first heading it holds names the heading",
			content: `<title>Vec</title><h1>Struct Vec</h1><h2 id="implementations">Implementations</h2>
<details><summary><section id="method.push" class="method"><span class="rightside"><span class="since">1.0.0</span> · <a class="srclink" href="../src/vec.rs.html#1">source</a></span><a href="#method.push" class="anchor"></a><h4 class="code-header">pub fn push(&amp;mut self, value: T)</h4></section></summary><div class="docblock"><p>Appends an element.</p></div></details>
<details><summary><section id="method.pop" class="method"><span class="rightside">1.0.0 · <a href="#">source</a></span><h4>pub fn pop(&amp;mut self)</h4></section></summary><div><p>Removes the last element.</p></div></details>
<hr class="thin" id="GetThreadState"><h3>Get Thread State</h3><p>Returns the state.</p>`,
			title: "Vec",
			// "Implementations" has no text of its own: it once held
			// push's "1.0.0 ·" badge, now chrome.
			sections: []string{
				"pub fn push(&mut self, value: T)|Struct Vec/Implementations/pub fn push(&mut self, value: T)|method.push",
				"pub fn pop(&mut self)|Struct Vec/Implementations/pub fn pop(&mut self)|method.pop",
				"Get Thread State|Struct Vec/Implementations/Get Thread State|GetThreadState",
			},
			contains: []string{"Appends an element.", "Removes the last element.", "Returns the state."},
		},
		{
			// Node.js marks each heading with a "#" link to itself,
			// Doxygen with a "◆"; neither is part of the heading's name.
			name: "symbol-only self-links and end symbols leave heading text",
			content: `<title>fs</title><h1>File system<span><a class="mark" href="#fs_file_system" id="fs_file_system">#</a></span></h1>
<h2>Promises API<a class="mark" href="#fs_promises_api" id="fs_promises_api">#</a></h2><p>Promise-based operations.</p>
<a id="ga1" name="ga1"></a><h2 class="memtitle"><span class="permalink"><a href="#ga1">◆&nbsp;</a></span>SDL_CreateWindow()</h2><p>Creates a window.</p>`,
			title: "fs",
			sections: []string{"Promises API|File system/Promises API|fs_promises_api",
				"SDL_CreateWindow()|File system/SDL_CreateWindow()|ga1"},
			contains: []string{"Promise-based operations.", "Creates a window."},
		},
		{
			// What a browser does not show is not text: Doxygen's source
			// tooltips, Bootstrap's dropdown menus, the hidden attribute,
			// an inline display:none, and what is hidden from assistive
			// technology (MkDocs' search dialog, aria-hidden="true", whose
			// title was a section); aria-hidden="false" is shown.
			name: "hidden widgets are skipped",
			content: `<title>SDL</title><h1>SDL</h1><h2 id="create">SDL_CreateWindow</h2><p>Creates a window.</p>
<div class="ttc" id="a1"><div class="ttname">SDL_Window</div><div class="ttdef"><b>Definition:</b> SDL_video.h:123</div></div>
<ul class="dropdown-menu"><li class="dropdown-header">This keyword is available in sections :</li></ul>
<p hidden>Not shown.</p><div style="display: none">Collapsed graph.</div><p style="color: red">Shown.</p>
<div id="mkdocs_search_modal" class="modal hide fade" role="dialog" aria-hidden="true"><h3 id="myModalLabel">Documentation search</h3><p>Enter your search terms.</p></div>
<p aria-hidden="false">Read aloud.</p>`,
			title:    "SDL",
			sections: []string{"SDL_CreateWindow|SDL_CreateWindow|create"},
			contains: []string{"Creates a window.", "Shown.", "Read aloud."},
			absent:   []string{"Definition", "available in sections", "Not shown", "Collapsed", "Documentation search", "search terms"},
		},
		{
			// SQLite's pages: the header's search box is an empty element
			// with an id right before the h1, and each pragma of
			// pragma.html is an <a name> and a hidden <h _id> heading that
			// SQLite's site search splits the page at.
			name: "sqlite: hidden <h _id> headings are sections, a search box's id is no anchor",
			content: `<title>Pragma statements supported by SQLite</title><div class=nosearch><form><input type="text" id="searchbox" name="q"></form></div>
<h1 align="center">PRAGMA Statements</h1><p>Pragmas modify the library.</p>
<a name="toc"></a><h2>List Of PRAGMAs</h2><p>Notes on the list.</p>
<a name="pragma_auto_vacuum"></a>
<h _id=pragma_auto_vacuum style="display:none"> PRAGMA auto_vacuum</h><hr><p>Query or set the auto-vacuum status.</p>
<a name="pragma_busy_timeout"></a>
<h _id=pragma_busy_timeout style="display:none"> PRAGMA busy_timeout</h><hr><p>Query or change the busy timeout.</p>
<h2>Footer</h2><p>Last modified.</p>`,
			title: "Pragma statements supported by SQLite",
			sections: []string{
				"PRAGMA Statements|PRAGMA Statements|",
				"List Of PRAGMAs|PRAGMA Statements/List Of PRAGMAs|toc",
				"PRAGMA auto_vacuum|PRAGMA Statements/List Of PRAGMAs/PRAGMA auto_vacuum|pragma_auto_vacuum",
				"PRAGMA busy_timeout|PRAGMA Statements/List Of PRAGMAs/PRAGMA busy_timeout|pragma_busy_timeout",
				"Footer|PRAGMA Statements/Footer|",
			},
			contains: []string{"Query or set the auto-vacuum status.", "Query or change the busy timeout."},
		},
		{
			// Node.js's table of contents links to the anchors inside the
			// headings (<a class="mark" id>): a list of this page's
			// sections, skipped like Sphinx's.
			name: "a contents list linking to anchors inside headings is skipped, with its title",
			content: `<title>fs</title><h1>File system</h1><details id="toc" open><summary>Table of contents</summary>
<ul><li><a href="#fs_promises_api">Promises API</a></li><li><a href="#fs_callback_api">Callback API</a></li></ul></details>
<h2><span><a class="mark" href="#fs_promises_api" id="fs_promises_api">#</a></span>Promises API</h2><p>Promise-based operations.</p>
<h2><span><a class="mark" href="#fs_callback_api" id="fs_callback_api">#</a></span>Callback API</h2><p>Callbacks.</p>`,
			title:    "fs",
			sections: []string{"Promises API|File system/Promises API|fs_promises_api", "Callback API|File system/Callback API|fs_callback_api"},
			absent:   []string{"Promises API\nCallback API", "Table of contents"},
		},
		{
			// texinfo's tables: an indexed item has an id, the items after
			// it have none and are not part of it; two terms in a row
			// share one description (LT_INIT and AC_PROG_LIBTOOL).
			name: "texinfo: items without ids are the list's, terms in a row share an entry",
			content: `<title>M</title><h1>M</h1><div class="section" id="Tools"><h2>Tools</h2><dl compact="compact">
<dt id="index-expr"><code>expr (|)</code></dt><dd><p>Portable or.</p></dd>
<dt><code>fgrep</code></dt><dd><p>Use grep -F.</p></dd></dl>
<dl><dt id="index-LT_005fINIT"><code>LT_INIT</code></dt><dt><code>AC_PROG_LIBTOOL</code></dt><dd><p>Adds libtool support.</p></dd></dl></div>`,
			title:    "M",
			sections: []string{"expr (|)|Tools/expr|index-expr", "Tools|Tools|Tools", "LT_INIT|Tools/LT_INIT|index-LT_005fINIT"},
			contains: []string{"expr (|)\n\nPortable or.", "fgrep\nUse grep -F.", "AC_PROG_LIBTOOL\nAdds libtool support."},
		},
		{
			// Terms that share one description are one entry under the
			// last term's id, the signatures together: texinfo's @deffnx
			// terms follow each other, pod2html puts an empty <dd> after
			// each. A term whose <dd> has text ends the group.
			name: "terms sharing a description are one entry",
			content: `<title>M</title><h1>M</h1><h2 id="Macros">Macros</h2><dl>
<dt id="index-LT_005fINIT"><code>LT_INIT</code></dt><dt id="index-AC_005fPROG_005fLIBTOOL"><code>AC_PROG_LIBTOOL</code></dt><dd><p>Adds libtool support.</p></dd></dl>
<h2 id="Lookaround">Lookaround</h2><dl>
<dt id="pattern4"><code>(?&lt;=pattern)</code></dt>
<dd>

</dd>
<dt id="K"><code>\K</code></dt>
<dd>
<p>A zero-width positive lookbehind assertion.</p>
</dd>
<dt id="pattern5"><code>(?&lt;!pattern)</code></dt>
<dd><p>A negative lookbehind.</p></dd></dl>`,
			title: "M",
			sections: []string{
				"AC_PROG_LIBTOOL|Macros/AC_PROG_LIBTOOL|index-AC_005fPROG_005fLIBTOOL",
				"\\K|Lookaround/\\K|K",
				"(?<!pattern)|Lookaround/(?<!pattern)|pattern5",
			},
			contains: []string{"LT_INIT\nAC_PROG_LIBTOOL\n\nAdds libtool support.", "(?<=pattern)\n\\K\n\nA zero-width positive lookbehind assertion."},
			absent:   []string{"lookbehind assertion.\n\n(?<!pattern)"},
		},
		{
			// An anchor just before a term without an id names the entry,
			// as one just before a heading names the section: SQLite's
			// <a name="abs"></a><dt> per function, texinfo's <span
			// id="index-pushd"></span> before an item it indexed. Text in
			// between parts them.
			name: "an anchor just before a term names its entry",
			content: `<title>F</title><h1>F</h1><h2 id="scalar">Scalar functions</h2><dl>
<a name="abs"></a>
<dt><p><b>abs(<i>X</i>)</b></dt><dd><p>The absolute value of X.</dd>
<a name="changes"></a>
<dt><p><b>changes()</b></dt><dd><p>Rows changed by the last statement.</dd></dl>
<dl><span id="index-x"></span>Note: <dt>later</dt><dd>Not an entry.</dd></dl>
<dl><dt>M</dt><dd><p>Sets MARK_DIRS.
<span id="index-MARK"></span>
</p></dd><dt>T</dt><dd>Appends a mark.</dd></dl>`,
			title: "F",
			sections: []string{
				"abs(X)|Scalar functions/abs|abs",
				"changes()|Scalar functions/changes|changes",
				"Scalar functions|Scalar functions|scalar",
			},
			// One inside a paragraph marks a place in its text (texi2any's
			// @cindex after an item's text), not the next term.
			contains: []string{"The absolute value of X.", "Rows changed by the last statement.", "later\nNot an entry.",
				"Sets MARK_DIRS.\n\nT\nAppends a mark."},
		},
		{
			// LDoc titles the parts of a function's description with
			// headings that have no id: they are the entry's, as an
			// admonition's title is its box's. One with an id of its own
			// still opens a section, and after the list the section
			// holding it goes on.
			name: "a heading without an id inside an entry's description stays in the entry",
			content: `<title>C</title><h1>C</h1><h2 id="fns">Functions</h2><dl class="function">
<dt><a name="next"></a><strong>next (i)</strong></dt>
<dd>Get a client by its index.<h3>Returns:</h3><ol>A client.</ol><h3>Usage:</h3><pre>next(1)</pre></dd>
<dt><a name="swap"></a><strong>swap (dir)</strong></dt>
<dd>Swap two clients.<h3 id="swap-usage">Usage</h3><pre>swap("up")</pre></dd></dl>
<p>After the list.</p>`,
			title: "C",
			sections: []string{
				"next (i)|Functions/next|next",
				"swap (dir)|Functions/swap|swap",
				"Usage|Functions/Usage|swap-usage",
				"Functions|Functions|fns",
			},
			contains: []string{"Get a client by its index.\nReturns:\nA client.\nUsage:\nnext(1)", "Swap two clients.", "After the list."},
		},
		{
			// A link target that opens a term names its entry, wrapped
			// or not (Graphviz's <DT><A NAME=d:arrowhead HREF=...>,
			// Apache's <dt><a id="LA-U"><strong><code>); one after the
			// term's text names something else (DocBook's indexterm).
			name: "a target that opens a term names its entry",
			content: `<title>A</title><h1>A</h1><h2>Attribute Descriptions</h2><DL>
<DT><A NAME=d:arrowhead HREF=#a:arrowhead><STRONG>arrowhead</STRONG></A>
<DD>Style of arrowhead.
<DT><code> <a id="LA-U"></a>%{LA-U:variable}</code>
<DD>A sub-request.
<DT>work_mem <a id="id-1.6" class="indexterm"></a>
<DD>Memory per sort.</DL>`,
			title: "A",
			sections: []string{
				"arrowhead|Attribute Descriptions/arrowhead|d:arrowhead",
				"%{LA-U:variable}|Attribute Descriptions/%{LA-U:variable}|LA-U",
				"Attribute Descriptions|Attribute Descriptions|",
			},
			contains: []string{"Style of arrowhead.", "%{LA-U:variable}\n\nA sub-request.", "work_mem\nMemory per sort."},
		},
		{
			// An anchor before the list names the list, not its first
			// term (PostgreSQL's indexterm, Valgrind's option lists).
			// Signatures parted by <br> stay apart (SQLite's
			// "sum(X)<br>total(X)").
			name: "an anchor before a list is not its first term's; <br> parts a signature",
			content: `<title>T</title><h1>T</h1><h2 id="terms">Terms</h2><p>Defined below.</p><span id="index-0"></span>
<dl><dt>alpha</dt><dd>First.</dd><dt>beta</dt><dd>Second.</dd></dl>
<h2 id="agg">Aggregates</h2><dl><a name="sumunc"></a><dt><b>sum(<i>X</i>)<br>total(<i>X</i>)</b></dt><dd>Sums.</dd></dl>`,
			title: "T",
			sections: []string{
				"Terms|Terms|terms",
				"sum(X) total(X)|Aggregates/sum|sumunc",
			},
			contains: []string{"Defined below.\n\nalpha\nFirst.\nbeta\nSecond."},
		},
		{
			// A term without an id between two that have one shares
			// their description too.
			name: "a term without an id among a group's terms joins the entry",
			content: `<title>T</title><h1>T</h1><h2 id="m">Macros</h2><dl>
<dt id="index-foo">foo</dt><dt>bar</dt><dt id="index-baz">baz</dt><dd>Shared.</dd></dl>`,
			title:    "T",
			sections: []string{"baz|Macros/baz|index-baz"},
			contains: []string{"foo\n\nbar\nbaz\n\nShared."},
		},
		{
			// Javadoc writes a signature's parts apart with &nbsp;,
			// which is a space, though not an ASCII one.
			name:     "no-break spaces separate words",
			content:  `<title>Arrays</title><h1>Arrays</h1><h2 id="sort(int[])">sort</h2><div class="member-signature"><span class="modifiers">public static</span>&nbsp;<span class="return-type">void</span>&nbsp;<span class="element-name">sort</span><wbr><span class="parameters">(int[]&nbsp;a)</span></div>`,
			title:    "Arrays",
			sections: []string{"sort|sort|sort(int[])"},
			contains: []string{"public static void sort(int[] a)"},
		},
		{
			// Apache httpd's module pages: a note with an anchored h3
			// inside a directive's section. The note is a section of its
			// own, and the directive's text after it is the directive's.
			name: "apache: a section opened inside an admonition ends with it",
			content: `<title>mod_rewrite</title><div id="preamble"><h1>Apache Module mod_rewrite</h1><p>Rewrites URLs.</p></div>
<div class="directive-section"><h2 id="rewriterule"><span id="RewriteRule">RewriteRule</span> Directive <a class="permalink" href="#rewriterule">¶</a></h2>
<p>The workhorse.</p>
<div class="note"><h3><a id="what_is_matched" name="what_is_matched">What is matched?</a></h3><p>The URL-path.</p></div>
<p>The Substitution replaces the URL-path.</p>
<div class="note"><h2 id="deep">A wider heading</h2><p>Boxed.</p></div>
<p>Flags come last.</p></div>`,
			title: "mod_rewrite",
			sections: []string{
				"Apache Module mod_rewrite|Apache Module mod_rewrite|preamble",
				"RewriteRule Directive|Apache Module mod_rewrite/RewriteRule Directive|rewriterule",
				"What is matched?|Apache Module mod_rewrite/RewriteRule Directive/What is matched?|what_is_matched",
				"RewriteRule Directive|Apache Module mod_rewrite/RewriteRule Directive|rewriterule",
				"A wider heading|Apache Module mod_rewrite/A wider heading|deep",
				"RewriteRule Directive|Apache Module mod_rewrite/RewriteRule Directive|rewriterule",
			},
			contains: []string{"The URL-path.", "The Substitution replaces the URL-path.", "Flags come last."},
		},
		{
			// texinfo 7 puts the nav panel inside the node's div: a short
			// node is still a section, not a bar.
			name: "texinfo 7: a short section holding a nav panel is kept",
			content: `<title>Manual</title><h1>Manual</h1>
<div class="appendix-level-extent" id="Indexes"><div class="nav-panel"><p>Previous: <a href="#Copying" accesskey="p" rel="prev">Copying</a>, Up: <a href="#Top" accesskey="u" rel="up">Top</a></p></div>
<h2 class="appendix" id="Indexes-1">D Indexes</h2><p>See <a href="#Builtin-Index">builtins</a>.</p></div>`,
			title:    "Manual",
			sections: []string{"D Indexes|D Indexes|Indexes-1"},
			contains: []string{"See builtins."},
			absent:   []string{"Previous", "Copying"},
		},
		{
			// os.chmod lists the stat module's constants as links to
			// another page: content. A menu of this page's own sections,
			// even written with the page's name, is not.
			name: "a list of links to other pages is kept, a list of this page's anchors is not",
			content: `<title>os</title><h1>os</h1><section id="files"><h2>Files</h2>
<ul><li><a href="p.html#files">Files</a></li><li><a href="p.html#dirs">Directories</a></li></ul>
<p>chmod sets the mode, a combination of:</p>
<ul><li><a href="stat.html#stat.S_ISUID">stat.S_ISUID</a></li><li><a href="stat.html#stat.S_IXUSR">stat.S_IXUSR</a></li></ul>
<p>Sorting is controlled by these options:</p>
<ul><li><a href="#opt-t"><code>-t</code></a></li><li><a href="#opt-S"><code>-S</code></a></li></ul>
<dl><dt id="opt-t">-t</dt><dd>by time</dd><dt id="opt-S">-S</dt><dd>by size</dd></dl></section>
<section id="dirs"><h2>Directories</h2><p>mkdir makes one.</p></section>`,
			title:    "os",
			sections: []string{"Files|Files|files", "-t|Files/-t|opt-t", "-S|Files/-S|opt-S", "Directories|Directories|dirs"},
			// A list of links to entries, not sections, is content.
			contains: []string{"chmod sets the mode", "stat.S_ISUID\nstat.S_IXUSR", "these options:\n\n-t\n-S"},
			absent:   []string{"Directories"},
		},
		{
			// Doxygen's commands.html saved as doxygen-commands.html: its
			// list of every command still links to commands.html#cmdX.
			// The name most of the page's links to its own sections use
			// is the page's own; links to another site, or to a few of
			// another page's sections whose ids this page shares, are
			// not (MkDocs and Sphinx make ids from heading text).
			name: "a menu of this page's sections under the page's old name is not content",
			content: `<title>Special Commands</title><h1 id="cmd_intro">Introduction</h1><p>All commands:</p>
<ul><li><a href="commands.html#cmda">\a</a></li><li><a href="commands.html#cmdb">\b</a></li><li><a href="commands.html#cmdc">\c</a></li><li><a href="commands.html#cmdd">\d</a></li><li><a href="commands.html#cmde">\e</a></li></ul>
<p>Elsewhere:</p><ul><li><a href="//example.org/commands.html#cmda">example a</a></li><li><a href="https://example.org/commands.html#cmdb">example b</a></li></ul>
<h1><a class="anchor" id="cmda"></a>\a</h1><p>Italic.</p><h1><a class="anchor" id="cmdb"></a>\b</h1><p>Bold.</p><h1><a class="anchor" id="cmdc"></a>\c</h1><p>Code.</p>
<h1><a class="anchor" id="cmdd"></a>\d</h1><p>Date.</p><h1><a class="anchor" id="cmde"></a>\e</h1><p>Emphasis.</p>`,
			title: "Special Commands",
			sections: []string{"Introduction|Introduction|cmd_intro", "\\a|\\a|cmda", "\\b|\\b|cmdb", "\\c|\\c|cmdc",
				"\\d|\\d|cmdd", "\\e|\\e|cmde"},
			contains: []string{"All commands:\n\nElsewhere:\n\nexample a\nexample b", "Italic.", "Emphasis."},
		},
		{
			name: "a list of links to other pages' sections with ids like this page's is content",
			content: `<title>Install</title><h1>Install</h1><h2 id="installation">Installation</h2><p>Pick your platform:</p>
<ul><li><a href="linux/#installation">Linux</a></li><li><a href="macos/#installation">macOS</a></li><li><a href="windows/#configuration">Windows</a></li></ul>
<h2 id="configuration">Configuration</h2><p>Edit the file.</p><h2 id="examples">Examples</h2><p>Some.</p><h2 id="notes">Notes</h2><p>More.</p>
<ul><li><a href="tutorial.html">Tutorial</a><ul><li><a href="tutorial.html#examples">Examples</a></li><li><a href="tutorial.html#notes">Notes</a></li></ul></li></ul>`,
			title: "Install",
			sections: []string{"Installation|Installation|installation", "Configuration|Configuration|configuration",
				"Examples|Examples|examples", "Notes|Notes|notes"},
			contains: []string{"Pick your platform:\n\nLinux\nmacOS\nWindows", "Tutorial"},
		},
		{
			// The Rust Reference lists behaviours as headings without a
			// body; their titles are the content. A heading over a list
			// of links (dropped as navigation) labels that, and one
			// without an anchor would be cited as the section before it.
			name: "a heading without a body keeps its title as its text",
			content: `<title>R</title><h1 id="behavior-not-considered-unsafe">Behavior not considered unsafe</h1><p>Not undefined:</p>
<h4 id="deadlocks">Deadlocks</h4><h4 id="leaks">Leaks of memory</h4>
<h4 id="see-also">See also</h4><ul><li><a href="#deadlocks">Deadlocks</a></li><li><a href="#leaks">Leaks</a></li></ul>
<h2>--- Dividers ---</h2><h1 id="next">Next</h1><p>More.</p>`,
			title: "R",
			sections: []string{"Behavior not considered unsafe|Behavior not considered unsafe|behavior-not-considered-unsafe",
				"Deadlocks|Behavior not considered unsafe/Deadlocks|deadlocks", "Leaks of memory|Behavior not considered unsafe/Leaks of memory|leaks",
				"Next|Next|next"},
			contains: []string{"Not undefined:", "Deadlocks", "Leaks of memory", "More."},
		},
		{
			name: "inline spacing follows the source",
			content: `<p>See <a>RFC 7159</a>, <b>bold</b>and<i>joined</i>.</p><pre>line 1
  line 2</pre>`,
			title:    "p",
			sections: []string{"||"},
			contains: []string{"See RFC 7159, boldandjoined.", "line 1\n  line 2"},
		},
		{
			// Exim's specification: terms without ids, an index target
			// after each group of terms, before its description. The
			// site's name above the page is a link to the site, and its
			// menu a list of class nav; the chapter heading links to the
			// page itself and is content.
			name: "a target between a list's terms and their description names the entry",
			content: `<title>11. String expansions</title><h1 id="header"><a href="http://www.exim.org">Exim Internet Mailer</a></h1>
<ul id="nav_flow" class="nav"><li><a href="https://www.exim.org/index.html">Home</a></li></ul>
<h2 id="CHAPexpand"><a href="p.html">Chapter 11 - String expansions</a></h2><p>Intro.</p>
<dl><dt>$header_&lt;name&gt;:</dt><dt>$h_&lt;name&gt;:</dt>
<a id="vi167"></a><dd><p>Substitute the header.</p></dd>
<dt>$host</dt><a id="vi168"></a><dd><p>The host name.</p></dd>
<dt>$plain</dt><dd><p>No target.</p></dd>
<dt>$split</dt><a id="vi169"></a><dt>$other</dt><dd><p>Before a term, as SQLite's.</p></dd></dl>`,
			title: "11. String expansions",
			sections: []string{"Chapter 11 - String expansions|Chapter 11 - String expansions|CHAPexpand",
				"$header_<name>:|Chapter 11 - String expansions/$header_<name>:|vi167",
				"$host|Chapter 11 - String expansions/$host|vi168",
				"Chapter 11 - String expansions|Chapter 11 - String expansions|CHAPexpand",
				"$other|Chapter 11 - String expansions/$other|vi169"},
			contains: []string{"$header_<name>:\n\n$h_<name>:\nSubstitute the header.", "The host name.", "$plain\nNo target.\n\n$split", "Before a term"},
			absent:   []string{"Exim Internet Mailer", "Home"},
		},
		{
			// The JDK's javadoc (java.util.Formatter) and Apache's
			// manual (RewriteCond) title the parts of a section with a
			// paragraph that is only an anchored bold phrase. The titles
			// are siblings one level below the heading; the next heading
			// closes them.
			name: "a paragraph that is only an anchored bold phrase is a heading",
			content: `<title>Formatter</title><h1>Class Formatter</h1><p>Intro.</p>
<h3><a id="dnum">Numeric</a></h3><p>Numeric conversions.</p>
<p><b><a id="L10nAlgorithm"> Number Localization Algorithm</a></b>
<p>Digits are localized.
<p><a id="dnint"><b> Byte, Short, Integer, and Long </b></a>
<p>The integral <a id="intFlags">flags</a> apply.
<p><a id="cond" name="cond"></a><strong>TestString</strong></p><p>Tested.</p>
<h3 id="ddt">Date/Time</h3><p>Dates.</p>`,
			title: "Formatter",
			sections: []string{"Class Formatter|Class Formatter|",
				"Numeric|Class Formatter/Numeric|dnum",
				"Number Localization Algorithm|Class Formatter/Numeric/Number Localization Algorithm|L10nAlgorithm",
				"Byte, Short, Integer, and Long|Class Formatter/Numeric/Byte, Short, Integer, and Long|dnint",
				"TestString|Class Formatter/Numeric/TestString|cond",
				"Date/Time|Class Formatter/Date/Time|ddt"},
			contains: []string{"The integral flags apply."},
		},
		{
			// Bold text with more around it, a link, a second target,
			// or a lead-in's colon is a paragraph's emphasis, not a title;
			// so is a bold phrase without a target.
			name: "other bold paragraphs stay text",
			content: `<title>T</title><h2 id="s">Sec</h2>
<p><a id="a1"><b>Bold</b></a> and more words.</p>
<p><a id="a2"><b>Linked <a href="x.html">name</a></b></a></p>
<p><a id="a3"></a><a id="a4"></a><b>Two targets</b></p>
<p><a id="a5"><b>Note:</b></a></p>
<p><b>No target</b></p>
<p><b><a id="a6">One</a></b> <b>Two</b></p>`,
			title:    "T",
			sections: []string{"Sec|Sec|s"},
			contains: []string{"Bold and more words.", "Linked name", "Two targets", "Note:", "No target", "One Two"},
		},
		{
			// ffmpeg's manuals (texi2any with ffmpeg's own style): an
			// empty <a name> before each heading, which the table of
			// contents links to, and "#" and "TOC" links hidden from
			// readers at the heading's end.
			name: "targets before headings make a table of contents, hidden links leave heading text",
			content: `<title>ffmpeg Documentation</title><h1>ffmpeg Documentation</h1>
<div class="contents"><ul class="no-bullet">
<li><a id="toc-Synopsis" href="#Synopsis">1 Synopsis</a></li>
<li><a id="toc-Description" href="#Description">2 Description</a></li></ul></div>
<a name="Synopsis"></a>
<h2 class="chapter">1 Synopsis<span class="pull-right"><a class="anchor hidden-xs" href="#Synopsis" aria-hidden="true">#</a> <a class="anchor hidden-xs"href="#toc-Synopsis" aria-hidden="true">TOC</a></span></h2>
<p>ffmpeg [global_options]</p>
<a name="Description"></a>
<h2 class="chapter">2 Description<span class="pull-right"><a class="anchor" href="#toc-Description" aria-hidden="true">TOC</a></span></h2>
<p>A fast converter.</p>`,
			title:    "ffmpeg Documentation",
			sections: []string{"1 Synopsis|1 Synopsis|Synopsis", "2 Description|2 Description|Description"},
			absent:   []string{"TOC", "1 Synopsis\n2 Description"},
		},
		{
			// The Lynx Users Guide: the table of contents links to the
			// <a name> inside each heading, not to the heading's id.
			name: "links to a target inside a heading make a table of contents",
			content: `<title>Lynx Users Guide</title><h1>Lynx Users Guide</h1>
<h2 id="TOC"><a name="Contents" id="Contents">Table of Contents</a></h2>
<ul><li><a href="#Help" name="ToC-Help" id="ToC-Help">Lynx online help</a></li>
<li><a href="#Local" name="ToC-Local" id="ToC-Local">Viewing local files</a></li></ul>
<h2 id="id-Help"><a name="Help" id="Help">Lynx online help</a></h2><p>Press ?.</p>
<h2 id="id-Local"><a name="Local" id="Local">Viewing local files</a></h2><p>Give a path.</p>`,
			title:    "Lynx Users Guide",
			sections: []string{"Lynx online help|Lynx online help|id-Help", "Viewing local files|Viewing local files|id-Local"},
			absent:   []string{"Lynx online help\nViewing local files"},
		},
		{
			// texinfo's indices and gtk-doc's table of functions: rows of
			// links to the page's sections and little else. A table whose
			// rows say more than their links (Apache's install steps, with
			// a command beside each link) is content.
			name: "a table of links to the page's sections is an index",
			content: `<title>Manual</title><h1>Manual</h1>
<h2 id="a">Alpha</h2><p>First.</p><h2 id="b">Beta</h2><p>Second.</p>
<h2 id="Index">Index</h2><p>This is an index of the macros.</p>
<table class="index-cp">
<tr><td><a href="#a">ALPHA_ONE</a>:</td><td><a href="#a">Alpha</a></td></tr>
<tr><td><a href="#a">ALPHA_TWO</a>:</td><td><a href="#a">Alpha</a></td></tr>
<tr><td><a href="#b">BETA_ONE</a>:</td><td><a href="#b">Beta</a></td></tr>
<tr><td><a href="#b">BETA_TWO</a>:</td><td><a href="#b">Beta</a></td></tr>
<tr><td><a href="#b">BETA_THREE</a>:</td><td><a href="#b">Beta</a></td></tr></table>
<h2 id="steps">Steps</h2><table>
<tr><td><a href="#a">Download</a></td><td>$ lynx http://httpd.apache.org/download.cgi</td></tr>
<tr><td><a href="#a">Extract</a></td><td>$ gzip -d httpd-NN.tar.gz</td></tr>
<tr><td><a href="#b">Configure</a></td><td>$ ./configure --prefix=PREFIX</td></tr>
<tr><td><a href="#b">Compile</a></td><td>$ make</td></tr>
<tr><td><a href="#b">Install</a></td><td>$ make install</td></tr></table>`,
			title:    "Manual",
			sections: []string{"Alpha|Alpha|a", "Beta|Beta|b", "Index|Index|Index", "Steps|Steps|steps"},
			contains: []string{"This is an index of the macros.", "./configure --prefix=PREFIX"},
			absent:   []string{"ALPHA_ONE", "BETA_THREE"},
		},
		{
			// Erlang's reference pages: every data type and function an
			// <article>, each function titled by an <h4> and holding an
			// <h3 id="types">Types</h3>, the same id every time.
			name: "a page of articles is read whole; an article's headings stay inside it",
			content: `<title>Erlang -- ets</title><div class="topbar-title"><h1 id="ets">ets</h1></div>
<section class="description"><h3 id="description">Description</h3><p>Built-in term storage.</p></section>
<h3 id="data-types">Data Types</h3>
<article class="data-types-body"><h4 id="type-tid">tid()</h4><p>A table identifier.</p></article>
<h3 id="exports">Exports</h3>
<article class="func"><h4 id="delete-1">delete(Table) -&gt; true</h4>
<div class="fun-types"><h3 id="types">Types</h3><p>Table = table()</p></div>
<p>Deletes the entire table.</p></article>
<article class="func"><h4 id="delete-2">delete(Table, Key) -&gt; true</h4>
<div class="fun-types"><h3 id="types">Types</h3><p>Key = term()</p></div>
<p>Deletes all objects with key Key.</p></article>`,
			title: "ets",
			sections: []string{"Description|Description|description", "tid()|Data Types/tid()|type-tid",
				"Types|Exports/delete(Table) -> true/Types|types",
				"Types|Exports/delete(Table, Key) -> true/Types|delete-2"},
			contains: []string{"Deletes the entire table.", "Deletes all objects with key Key."},
		},
		{
			// Haddock wraps each group's heading in its target, inside
			// the div that holds the module's interface.
			name: "an anchor around a heading names it before the container it opens",
			content: `<title>System.IO</title><div id="interface"><a href="#g:1" id="g:1"><h1>The IO monad</h1></a>
<p>A value of type IO a is a computation.</p><a href="#g:2" id="g:2"><h1>Files and handles</h1></a><p>Handles.</p></div>`,
			title:    "System.IO",
			sections: []string{"The IO monad|The IO monad|g:1", "Files and handles|Files and handles|g:2"},
		},
		{
			// gi-docgen leads the class description with an h4 and
			// writes the description's own headings as h3, then leads
			// each later part with an h4 again.
			name: "headings that outrank the heading leading their element sit below it",
			content: `<title>Gtk.Widget</title><h1>Widget</h1><section><div class="toggle-wrapper"><h4 id="description">Description <a class="srclink" href="https://gitlab.gnome.org/gtkwidget.c#L1">[src]</a></h4>
<div class="docblock"><p>The base class.</p><h3 id="geometry">Geometry Management</h3><p>Height for width.</p>
<h3 id="templates">Templates</h3><p>Composite widgets.</p></div></div>
<div class="toggle-wrapper"><h4 id="ancestors">Ancestors</h4><ul><li>GObject</li></ul></div></section>
<div><h2 id="after">After</h2><p>Same rank as before.</p><div><h2 id="inner">Inner</h2><p>Not outranking.</p></div></div>`,
			title: "Gtk.Widget",
			sections: []string{"Description|Widget/Description|description", "Geometry Management|Widget/Description/Geometry Management|geometry",
				"Templates|Widget/Description/Templates|templates", "Ancestors|Widget/Ancestors|ancestors",
				"After|Widget/After|after", "Inner|Widget/Inner|inner"},
		},
		{
			// Qt 5.15's class pages end with <div class="footer">, outside
			// any main or article; Doxygen's with <address class="footer">.
			name: "a footer by class outside the content is left out",
			content: `<title>QObject Class</title><div class="content"><h1>QObject Class</h1>
<h3 class="fn" id="Q_SLOTS">Q_SLOTS</h3><p>Use this macro to replace the slots keyword.</p></div>
<div class="footer"><p>© 2020 The Qt Company Ltd.</p></div><address class="footer">Generated by 1.9.4</address>`,
			title:    "QObject Class",
			sections: []string{"Q_SLOTS|Q_SLOTS|Q_SLOTS"},
			contains: []string{"Use this macro to replace the slots keyword."},
			absent:   []string{"Qt Company", "Generated by"},
		},
		{
			// RDoc's darkfish: each method a div with the method's id, led
			// by a div.method-heading; the source, hidden by the page's
			// stylesheet until clicked, inside the description.
			name: "a block titling the element holding it is that element's heading",
			content: `<title>class Document</title><div id="main"><h1 class="class">class Document</h1><p>The root node.</p>
<section id="public-instance-methods" class="method-section"><h3>Public Instance Methods</h3>
<div id="method-i-author" class="method-detail "><div class="method-heading"><span class="method-name">author</span><span class="method-args">()</span>
<span class="method-click-advice">click to toggle source</span></div>
<div class="method-description"><p>Retrieve the document attribute author.</p>
<div class="method-source-code" id="author-source"><pre>def author
  @attributes['author']
end</pre></div></div></div>
<div id="method-i-doctitle" class="method-detail "><div class="method-heading"><span class="method-name">doctitle</span><span class="method-args">(opts = {})</span></div>
<div class="method-description"><p>Resolve the primary title.</p></div></div></section>
<div class="main-heading" id="heading"><div class="section-heading"><h2 id="more">More</h2></div><p>Closing text.</p></div></div>`,
			title: "class Document",
			sections: []string{"class Document||main",
				"author()|Public Instance Methods/author()|method-i-author", "doctitle(opts = {})|Public Instance Methods/doctitle(opts = {})|method-i-doctitle",
				"More|More|more"},
			contains: []string{"Retrieve the document attribute author.", "Closing text."},
			absent:   []string{"click to toggle", "@attributes"},
		},
		{
			// pgBackRest's reference has no heading element: each command
			// and option is a div.sectionN holding an empty anchor, then
			// div.sectionN-header; the digit is its level. A header block
			// after text (the note) or with no anchor before it (the page
			// header) titles nothing.
			name: "a header block after empty anchors titles their section",
			content: `<title>pgBackRest Command Reference</title><div class="page-header"><div class="page-header-title">pgBackRest Command Reference</div></div>
<div class="section1"><a id="command-backup"></a><div class="section1-header"><div class="section1-number">
3
</div><div class="section1-title">
Backup Command (backup)
</div></div>
<div class="section-intro">Back up a cluster.</div>
<div class="section2"><a id="command-backup/category-command"></a><div class="section2-header"><div class="section2-number">
3.1
</div><div class="section2-title">
Command Options
</div></div><div class="section-intro">Options of the command itself.</div>
<div class="section3"><a id="command-backup/category-command/option-type"></a><div class="section3-header"><div class="section3-number">
3.1.1
</div><div class="section3-title">
Type Option (--type)
</div></div>
<div class="section-body">Full, differential or incremental.</div><a id="x"></a>Note: <div class="note-header">not a title</div></div></div></div>
<div class="section1"><a id="command-check"></a><div class="section1-header">4 Check Command (check)</div><div class="section-intro">Check the configuration.</div></div>`,
			title: "pgBackRest Command Reference",
			sections: []string{"||", "3 Backup Command (backup)|3 Backup Command (backup)|command-backup",
				"3.1 Command Options|3 Backup Command (backup)/3.1 Command Options|command-backup/category-command",
				"3.1.1 Type Option (--type)|3 Backup Command (backup)/3.1 Command Options/3.1.1 Type Option (--type)|command-backup/category-command/option-type",
				"4 Check Command (check)|4 Check Command (check)|command-check"},
			contains: []string{"Full, differential or incremental.", "not a title", "Check the configuration.", "Options of the command itself."},
		},
		{
			// pydoctor names each method with two empty anchors (the full
			// and the short name) before div.functionHeader, whose
			// permalink picks the one links use.
			name: "a signature header after empty anchors takes the anchor it links to",
			content: `<title>amp.Command</title><h1 class="class">twisted.protocols.amp.Command</h1><p>Subclass me.</p>
<div id="childList"><div class="baseclassmethod"><a name="twisted.protocols.amp.Command.makeArguments">
</a><a name="makeArguments"> </a><div class="functionHeader">@classmethod def <span class="py-defname">makeArguments</span>(cls, objects, proto): <a class="headerLink" href="#makeArguments">¶</a></div>
<div class="docstring functionBody"><p>Serialize a mapping of arguments.</p></div></div></div>`,
			title: "amp.Command",
			sections: []string{"twisted.protocols.amp.Command|twisted.protocols.amp.Command|",
				"@classmethod def makeArguments(cls, objects, proto):|twisted.protocols.amp.Command/@classmethod def makeArguments(cls, objects, proto):|makeArguments"},
			contains: []string{"Serialize a mapping of arguments."},
		},
		{
			// Scribble (Racket's documentation) puts the manual's contents
			// tree and "top contents ← prev up next →" bars beside and
			// around the page.
			name: "Scribble's contents tree and navigation bars are left out",
			content: `<title>15.2 Filesystem</title><div class="tocset"><div class="tocview"><table><tr><td><a href="index.html">The Racket Reference</a></td></tr>
<tr><td>15.1</td><td><a href="Manipulating_Paths.html">Paths</a></td></tr></table></div></div>
<div class="maincolumn"><div class="main"><div class="navsettop"><span class="navleft"><a href="index.html">top</a><a href="toc.html">contents</a></span>
<span class="navright"><a href="Manipulating_Paths.html">← prev</a><a href="os.html">up</a><a href="networking.html">next →</a></span></div>
<h3><a name="(part._.Filesystem)"></a>15.2 Filesystem</h3><p>Procedures for the filesystem.</p>
<div class="navsetbottom"><span class="navleft"><a href="index.html">top</a></span></div></div></div>`,
			title:    "15.2 Filesystem",
			sections: []string{"15.2 Filesystem||(part._.Filesystem)"},
			contains: []string{"Procedures for the filesystem."},
			absent:   []string{"Racket Reference", "prev", "contents"},
		},
		{
			// rustdoc 1.63 puts a "Notable traits" tooltip, hidden until
			// hovered, inside a method's heading.
			name: "hidden text and source links are no part of a heading",
			content: `<title>HashMap</title><h1>Struct HashMap</h1><section id="method.keys" class="method">
<span class="rightside"><a class="srclink" href="../src/map.rs.html#1">source</a></span><h4 class="code-header">pub fn keys(&amp;self) -&gt; Keys&lt;'_, K, V&gt;<span class="notable-traits"><span class="notable-traits-tooltip">ⓘ<span class="notable-traits-tooltiptext"><span class="notable">Notable traits for Keys</span></span></span></span></h4>
<p>An iterator visiting all keys.</p></section>`,
			title:    "HashMap",
			sections: []string{"pub fn keys(&self) -> Keys<'_, K, V>|Struct HashMap/pub fn keys(&self) -> Keys<'_, K, V>|method.keys"},
			absent:   []string{"Notable traits", "source"},
		},
		{
			name: "a paragraph of links to the page's sections is a table of contents",
			content: `<title>Options</title><h1>Annotated List of Command-line Options</h1>
<p class="text-center"><a href="p.html#a">-a</a> • <a href="p.html#b">-b</a> • <a href="#c">-c</a> • <a href="#d">-d</a> • <a href="#e">-e</a></p>
<p>Below is the list; see <a href="#a">-a</a> and <a href="#b">-b</a> first.</p>
<p><a href="#a">-adaptive-blur</a> • <a href="#b">-adjoin</a> • <a href="#c">-affine</a> • <a href="#d">-alpha</a></p>
<h3 id="a">-a</h3><p>A.</p><h3 id="b">-b</h3><p>B.</p><h3 id="c">-c</h3><p>C.</p><h3 id="d">-d</h3><p>D.</p><h3 id="e">-e</h3><p>E.</p>`,
			title: "Options",
			sections: []string{"Annotated List of Command-line Options|Annotated List of Command-line Options|",
				"-a|Annotated List of Command-line Options/-a|a", "-b|Annotated List of Command-line Options/-b|b",
				"-c|Annotated List of Command-line Options/-c|c", "-d|Annotated List of Command-line Options/-d|d",
				"-e|Annotated List of Command-line Options/-e|e"},
			contains: []string{"Below is the list; see -a and -b first.", "-adaptive-blur • -adjoin • -affine • -alpha\n"},
			absent:   []string{"-d • -e"},
		},
		{
			// Vim's help pages: the whole manual one <pre>, its topics
			// marked only by link targets, several on a line for
			// aliases, at the end of a title line or on a line of their
			// own; tags before an indented line mark places inside a
			// topic, and tag lines before the topic's first line are
			// aliases. A short pre with a target per line (libxslt's enum
			// members) is code, and rustdoc's line numbers link to
			// themselves but are numbers.
			name: "link targets in a plain-text manual's pre open sections",
			content: `<TITLE>Vim documentation: options</TITLE><H1>Vim documentation: options</H1><PRE>
*<A NAME="options.txt"></A><B>options.txt</B>*	For Vim version 9.0.

1. Setting options			*<A NAME="set-option"></A><B>set-option</B>* *<A NAME="E764"></A><B>E764</B>*

							*<A NAME=":se"></A><B>:se</B>*
:se[t][!]		Show all options that differ from their default value, and
			more text to make this a manual rather than code, as a help
			file has some four hundred letters between two of its topics.

						*<A NAME="'tabstop'"></A><B>'tabstop'</B>* *<A NAME="'ts'"></A><B>'ts'</B>*
'tabstop' 'ts'		number	(default 8)
	Number of spaces that a &lt;Tab&gt; in the file counts for. See also <A HREF="#set-option">set-option</A>
	and a few more words so that this topic has its share of letters too.
	Vim help files are written as plain text, and the HTML version keeps
	them in one preformatted block, where each tag becomes a link target.
	A topic there runs from its tag's line to the next tag's line.
							*<A NAME="E999"></A><B>E999</B>*
	A tag before an indented line marks a place inside the topic.
	Error numbers are such places: the text after them still describes
	the option, and a search for the option should find all of it, as one
	section with the option's own name, not two with an error number.
<A HREF="#12" ID="12">12</A> a line number
</PRE>
<PRE>enum e {
    <A NAME="E_ONE">E_ONE</A> = 1,
    <A NAME="E_TWO">E_TWO</A> = 2
};</PRE>`,
			title: "Vim documentation: options",
			sections: []string{"options.txt|options.txt|options.txt", "1. Setting options|1. Setting options|set-option",
				":se|:se|:se", "'tabstop'|'tabstop'|'tabstop'"},
			contains: []string{"*options.txt*\tFor Vim version 9.0.", "1. Setting options\t\t\t*set-option* *E764*\n", "*:se*\n:se[t][!]",
				"*E999*\n\tA tag before an indented line",
				"*'tabstop'* *'ts'*\n'tabstop' 'ts'", "12 a line number", "enum e {\n    E_ONE = 1,\n    E_TWO = 2\n};"},
		},
		{
			// Rows of short links that mark no rel: texi2any 6's
			// buttons, Apache's language bar, an index's letters. A
			// line of code whose names are links (Doxygen's listings)
			// and a signature in a pre are not bars.
			name: "a row of link buttons is navigation",
			content: `<title>T</title><table class="header"><tr><td>[<a href="a.html"> &lt;&lt; </a>]</td><td>[<a href="b.html"> &lt; </a>]</td>
<td>[<a href="index.html"> Up </a>]</td><td>[<a href="#n"> &gt; </a>]</td><td>[<a href="c.html">Top</a>]</td><td>[<a href="d.html">Contents</a>]</td></tr></table>
<h2 id="n">N</h2><p>Body.</p>
<div class="toplang"><p><span>Available Languages: </span><a href="x.de">&nbsp;de&nbsp;</a> | <a href="x.en">&nbsp;en&nbsp;</a> | <a href="x.fr">&nbsp;fr&nbsp;</a> | <a href="x.ja">&nbsp;ja&nbsp;</a></p></div>
<table><tr><th>Jump to: </th><td><a href="#i-A"><b>A</b></a> <a href="#i-B"><b>B</b></a> <a href="#i-C"><b>C</b></a> <a href="#i-D"><b>D</b></a></td></tr></table>
<div class="line"><span class="lineno">79</span> *u=13.0*(*<a href="l.html">L</a>)*((4.0*<a href="a.html">alpha</a>*<a href="x.html">X</a>)-<a href="d.html">D65X</a>);</div>
<div><pre>pub fn f&lt;<a href="p.html">P</a>: <a href="r.html">AsRef</a>&lt;<a href="q.html">Path</a>&gt;&gt;(<a href="o.html">o</a>: P)</pre></div>`,
			title:    "T",
			sections: []string{"N|N|n"},
			contains: []string{"Body.", "79 *u=13.0*(*L)*((4.0*alpha*X)-D65X);", "pub fn f<P: AsRef<Path>>(o: P)"},
			absent:   []string{"Up", "Contents", "Available Languages", "Jump to", "<<"},
		},
		{
			// Debian re-serialises ImageMagick's pages as XML: a
			// self-closed iframe or script would otherwise swallow the
			// page, and a self-closed anchor would wrap what follows.
			name: "an XHTML page's self-closed elements are empty",
			content: `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">
<html lang="en"><head><title>IM</title><script src="x.js"/></head><body>
<p>Sponsor <iframe src="s" title="Sponsor"/><span class="icon"/></p>
<h2><a id="blur"/>-blur</h2><p>Reduce noise.</p><a id="crop"/><h2>-crop</h2><p>Cut a region.</p><br/>
<svg><title/><rect/></svg><p>After the figure.</p></body></html>`,
			title:    "IM",
			sections: []string{"||", "-blur|-blur|blur", "-crop|-crop|crop"},
			contains: []string{"Sponsor", "Reduce noise.", "Cut a region.", "After the figure."},
		},
		{
			name:     "an XML prolog or the XHTML namespace marks a page as XHTML",
			content:  `<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><title>X</title><h2 id="a">A</h2><p><script/>Kept.</p></html>`,
			title:    "X",
			sections: []string{"A|A|a"},
			contains: []string{"Kept."},
		},
		{
			// Browsers ignore the slash in an HTML page, and so does
			// the parser.
			name:     "an HTML page's self-closed script still runs to its end tag",
			content:  `<!DOCTYPE html><title>H</title><h2 id="a">A</h2><p>Shown.<script src="x"/>Hidden.</script> Shown too.</p>`,
			title:    "H",
			sections: []string{"A|A|a"},
			contains: []string{"Shown.", "Shown too."},
			absent:   []string{"Hidden."},
		},
	})
}

func TestCloseXHTMLEmpty(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"not XHTML", `<!DOCTYPE html><html><span/><iframe/>`, `<!DOCTYPE html><html><span/><iframe/>`},
		{"no markup", `plain text`, `plain text`},
		{"xhtml doctype", `<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html><SPAN class="a"/><br/><iframe src="s" />x`,
			`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html><SPAN class="a"></span><br/><iframe src="s"></iframe>x`},
		{"xml prolog", `<?xml version="1.0"?><p><a id="x"/>t</p>`, `<?xml version="1.0"?><p><a id="x"></a>t</p>`},
		{"namespace", `<html xmlns="http://www.w3.org/1999/xhtml" lang="a&amp;b"><script/>t`,
			`<html xmlns="http://www.w3.org/1999/xhtml" lang="a&amp;b"><script></script>t`},
		{"other namespace", `<html xmlns="urn:x"><script/>t`, `<html xmlns="urn:x"><script/>t`},
		{"foreign content kept", `<?xml version="1.0"?><svg><title/><g/><svg><g/></svg></svg><b/>`, `<?xml version="1.0"?><svg><title/><g/><svg><g/></svg></svg><b></b>`},
		{"svg title is not raw text", `<?xml version="1.0"?><svg><title>t<g/></title></svg><b/>`, `<?xml version="1.0"?><svg><title>t<g/></title></svg><b></b>`},
		{"unfinished tag kept", `<?xml version="1.0"?><p/><a href="x`, `<?xml version="1.0"?><p></p><a href="x`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(closeXHTMLEmpty([]byte(tc.in))); got != tc.want {
				t.Errorf("closeXHTMLEmpty(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzCloseXHTMLEmpty checks that the rewrite never panics, leaves a page
// that is not XHTML as it is, and has nothing left to rewrite in its
// output.
func FuzzCloseXHTMLEmpty(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><html><head><script src="x"/></head><body><iframe/><p>t</p></body></html>`))
	f.Add([]byte(`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN"><svg><math><a/></math></svg><textarea/><x/>`))
	f.Add([]byte(`<html xmlns="http://www.w3.org/1999/xhtml"><title/><plaintext/><a href=x/>`))
	f.Add([]byte(`<!DOCTYPE html><p><a id=x/>`))
	f.Add([]byte(`<head><link rel="next" href="n.html"><link rel="previous" href="p.html"></head><div><a href="n.html"><img alt="next"></a><a href="p.html"></a><b>Next:</b><a href="n.html">N</a> Up: <a href="u.html">U</a></div><h1><a id="c">Table of Contents</a></h1><div class="toc"><a href="#s">S</a><a href="#t">T</a></div><h3><span id="s">S<button id="b"></button></span><a href="" name="n">x</a><a id="f" href="o.html#d">(1)</a></h3><dl><dt><span>[det]</span><a id="g/3">g(+A)</a></dt><dd>d</dd><dt>x<a id="i">y</a> z z z</dt></dl><a id="CHILD_LINKS"><strong>Subsections:</strong></a><ul><li><a href="#s">S</a><li><a href="#f">F</a></ul>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			t.Skip()
		}
		once := closeXHTMLEmpty(b)
		if twice := closeXHTMLEmpty(once); !bytes.Equal(once, twice) {
			t.Fatalf("not idempotent:\n in   %q\n once %q\n twice %q", b, once, twice)
		}
	})
}

func TestParseHTML_Charset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		page []byte
		want string
	}{
		{"utf-8 kept whatever the page declares",
			[]byte("<meta charset=\"iso-8859-1\"><title>T</title><p>caf\u00e9 \u2014 na\u00efve</p>"), "café — naïve"},
		{"latin-1 without a declaration, as browsers guess it",
			[]byte("<title>T</title><p>caf\xe9, \x93quoted\x94</p>"), "café, “quoted”"},
		{"shift_jis declared in a meta",
			append([]byte(`<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>T</title><p>`),
				0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea), "日本語"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse("p.html", tc.page)
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Sections) != 1 || !strings.Contains(doc.Sections[0].Text, tc.want) {
				t.Errorf("sections = %+v, want one holding %q", doc.Sections, tc.want)
			}
		})
	}
}

// TestParseHTML_LongPreLine checks the bound on a plain-text manual's
// lines: a target after more than maxPreLine bytes of one line is text,
// however many there are, while one on a short title line opens a topic.
func TestParseHTML_LongPreLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("word ", maxPreLine/5+1)
	var b strings.Builder
	b.WriteString("<title>T</title><pre>Title\t*<a name=\"short\"></a>short*\n")
	b.WriteString(long)
	// Enough letters per target for the pre to count as a manual.
	filler := strings.Repeat("word ", 25)
	for i := range 1000 {
		fmt.Fprintf(&b, "*<a name=\"t%d\"></a>t%d* %s", i, i, filler)
	}
	b.WriteString("\n</pre>")
	doc, err := Parse("p.html", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := sectionKeys(doc); strings.Join(got, "\n") != "Title|Title|short" {
		t.Errorf("sections %q, want only the short title's", got)
	}
}

func TestParseHTML_AnchorFallbacks(t *testing.T) {
	t.Parallel()
	// Kept apart from the table: the id of a wrapper holding several
	// sections names none of them, even the first, when text separates
	// it from the heading; an element that is one heading's section names
	// it (its other headings are deeper); a heading without an anchor
	// inherits its parent's.
	doc, err := Parse("p.html", []byte(`<title>T</title>
		<div id="wrapper"><p>text between</p><h2>Not the wrapper</h2><p>6</p><h2>Nor this</h2><p>6b</p></div>
		<div id="sec"><p>[ Up ]</p><h2>Named</h2><p>6c</p><h3 id="sub">Sub</h3><p>6d</p></div>
		<h2 id="parent">Parent</h2><p>7</p><h3>Child</h3><p>8</p>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"||", "Not the wrapper|Not the wrapper|", "Nor this|Nor this|", "Named|Named|sec", "Sub|Named/Sub|sub",
		"Parent|Parent|parent", "Child|Parent/Child|parent"}
	if got := sectionKeys(doc); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sections = %q, want %q", got, want)
	}
}

// TestParseHTML_TargetsAndTitles: an id inside a heading on another
// element than an anchor names its section (MediaWiki), a link to another
// page inside a heading names nothing (Scaladoc), a term's anchor after a
// tag makes it an entry (SWI-Prolog), the title of a dropped table of
// contents goes with it (SWI-Prolog, LaTeX2HTML), and labels between the
// links of a bar to the page's neighbours leave it a bar (LaTeX2HTML).
func TestParseHTML_TargetsAndTitles(t *testing.T) {
	t.Parallel()
	toc := `<div class="toc"><div><a href="#s1">1 Intro</a></div><div><a href="#s2">2 Use</a></div></div>`
	body := `<h2 id="s1">1 Intro</h2><p>Hello.</p><h2 id="s2">2 Use</h2><p>World.</p>`
	childLinks := `<ul class="ChildLinks"><li><a href="#s2">A</a></li><li><a href="#s3">B</a></li></ul>` +
		`<h3 id="s2">A</h3><p>a text</p><h3 id="s3">B</h3><p>b text</p>`
	bar := func(label string) string {
		return `<html><head><title>X</title><link rel="next" href="node8.html"><link rel="previous" href="node6.html"></head><body>` +
			`<div class="navigation"><a href="node8.html"><img alt="next" src="n.png"></a> <a href="manual.html"><img alt="up" src="u.png"></a> ` +
			`<a href="node6.html"><img alt="previous" src="p.png"></a><br><b>Next:</b> <a href="node8.html">User Manual</a> <b>` + label +
			`</b> <a href="manual.html">Test Document</a> <b>Previous:</b> <a href="node6.html">Special Features</a></div>` +
			`<h1 id="x">X</h1><p>Body.</p></body></html>`
	}
	// index is a page of k entries and, under title, a list linking
	// each (to another page where away) and the section it is in: 2k
	// links.
	index := func(title string, k int, away bool) string {
		var b strings.Builder
		b.WriteString(`<title>T</title><h1 id="api">API</h1><dl>`)
		for i := range k {
			fmt.Fprintf(&b, `<dt><a id="f%d">f%d()</a></dt><dd>Does thing %d.</dd>`, i, i, i)
		}
		fmt.Fprintf(&b, `</dl><h1 id="ix">%s</h1><dl>`, title)
		for i := range k {
			where := ""
			if away {
				where = "other.html"
			}
			fmt.Fprintf(&b, `<dt><a href="%s#f%d">f%d</a></dt><dd><a href="#api">1.%d</a></dd>`, where, i, i, i)
		}
		b.WriteString(`</dl>`)
		return b.String()
	}
	runStructureCases(t, "p.html", []structureCase{
		{
			name:     "a back-of-book index is dropped",
			content:  index("General Index", 10, false),
			title:    "T",
			sections: []string{"f0()|API/f0|f0", "f1()|API/f1|f1", "f2()|API/f2|f2", "f3()|API/f3|f3", "f4()|API/f4|f4", "f5()|API/f5|f5", "f6()|API/f6|f6", "f7()|API/f7|f7", "f8()|API/f8|f8", "f9()|API/f9|f9"},
			absent:   []string{"1.9"},
		},
		{
			name:     "the same list under another title is kept",
			content:  index("Functions", 10, false),
			title:    "T",
			contains: []string{"1.9"},
			sections: []string{"f0()|API/f0|f0", "f1()|API/f1|f1", "f2()|API/f2|f2", "f3()|API/f3|f3", "f4()|API/f4|f4", "f5()|API/f5|f5", "f6()|API/f6|f6", "f7()|API/f7|f7", "f8()|API/f8|f8", "f9()|API/f9|f9", "Functions|Functions|ix"},
		},
		{
			name:     "an index of fewer links is kept",
			content:  index("Index", 4, false),
			title:    "T",
			contains: []string{"1.3"},
			sections: []string{"f0()|API/f0|f0", "f1()|API/f1|f1", "f2()|API/f2|f2", "f3()|API/f3|f3", "Index|Index|ix"},
		},
		{
			name:     "an index of other pages' entries is kept",
			content:  index("Index", 10, true),
			title:    "T",
			contains: []string{"1.9"},
			sections: []string{"f0()|API/f0|f0", "f1()|API/f1|f1", "f2()|API/f2|f2", "f3()|API/f3|f3", "f4()|API/f4|f4", "f5()|API/f5|f5", "f6()|API/f6|f6", "f7()|API/f7|f7", "f8()|API/f8|f8", "f9()|API/f9|f9", "Index|Index|ix"},
		},
		{
			name: "a footnote's superscript number is no part of a heading or a word",
			content: `<title>T</title><h2 id="s">Document Segmentation<a href="footnode.html#foot3883"><sup>12</sup></a></h2>` +
				`<p>Segments<sup>[<a href="#ftn.x">3</a>]</sup> are read. Powers: 2<sup>10</sup>, see <a href="#n"><sup>note</sup></a>, <a href="#s">12</a>.</p>`,
			title:    "T",
			sections: []string{"Document Segmentation|Document Segmentation|s"},
			contains: []string{"Segments are read. Powers: 210, see note, 12."},
		},
		{
			name:     "an id on a span inside a heading names its section",
			content:  `<title>T</title><h1 id="firstHeading">T</h1><p>Intro.</p><h3><span class="mw-headline" id="Details">Details</span></h3><p>Body.</p>`,
			title:    "T",
			sections: []string{"T||firstHeading", "Details|Details|Details"},
		},
		{
			name:     "an anchor's id inside a heading comes before another element's",
			content:  `<title>T</title><h2><span id="s1">Sec</span><a id="a1"></a></h2><p>Body.</p>`,
			title:    "T",
			sections: []string{"Sec|Sec|a1"},
		},
		{
			name: "a link to another page inside a heading names no place in this one",
			content: `<title>Regex</title><h1 id="top">Regex</h1><p>Class.</p>` +
				`<div><a id="findAllIn(CharSequence):MatchIterator"></a><h4>def findAllIn(source: CharSequence): ` +
				`<a href="Regex$$MatchIterator.html" name="scala.util.matching.Regex.MatchIterator">MatchIterator</a></h4><p>Finds all.</p></div>` +
				`<div><a id="anchored:Regex"></a><h4>def anchored: <a href="" name="scala.util.matching.Regex">Regex</a></h4><p>Anchors it.</p></div>`,
			title: "Regex",
			sections: []string{"Regex||top", "def findAllIn(source: CharSequence): MatchIterator|def findAllIn(source: CharSequence): MatchIterator|findAllIn(CharSequence):MatchIterator",
				"def anchored: Regex|def anchored: Regex|anchored:Regex"},
		},
		{
			name:     "an anchor's id in a heading is a target even when it links elsewhere",
			content:  `<title>T</title><h5><a id="FOOT1" href="manual.html#DOCF1">(1)</a></h5><p>A note.</p>`,
			title:    "T",
			sections: []string{"(1)|(1)|FOOT1"},
		},
		{
			name:     "the name of a link elsewhere names a heading nothing nearer names",
			content:  `<title>T</title><h1>Footnotes</h1><h3><a name="FOOT1" href="m_1.html#DOCF1">(1)</a></h3><p>A note.</p>`,
			title:    "T",
			sections: []string{"(1)|Footnotes/(1)|FOOT1"},
		},
		{
			name:     "the id of a control in a heading names nothing",
			content:  `<title>T</title><div id="main-content"><h1>Constant INFINITY<button id="copy-path"><img alt="Copy" src="c.svg"></button></h1><p>Body.</p></div>`,
			title:    "T",
			sections: []string{"Constant INFINITY|Constant INFINITY|main-content"},
		},
		{
			name: "a term's anchor after a tag makes the term an entry",
			content: `<title>T</title><h2 id="s">Client</h2><p>Calls.</p><dl><dt class="pubdef"><span class="pred-tag">[det]</span>` +
				`<a id="http_get/3"><strong>http_get</strong>(+URL, -Data, +Options)</a></dt><dd>Gets data.</dd></dl>`,
			title:    "T",
			sections: []string{"Client|Client|s", "[det]http_get(+URL, -Data, +Options)|Client/[det]http_get|http_get/3"},
		},
		{
			name: "an anchor holding less than half of a term, or a link, makes no entry",
			content: `<title>T</title><h2 id="s">Client</h2><p>Calls.</p><dl><dt>The option <a id="i1">mode</a> sets how the whole session runs</dt><dd>Sets it.</dd>` +
				`<dt>[det]<a href="#s" id="z">http_put(+URL, +Data)</a></dt><dd>Puts data.</dd></dl>`,
			title:    "T",
			sections: []string{"Client|Client|s"},
			contains: []string{"The option mode sets", "Puts data."},
		},
		{
			name:     "the title of a dropped table of contents goes with it",
			content:  `<title>Doc</title><p>Abstract.</p><h1><a id="document-contents">Table of Contents</a></h1>` + toc + body,
			title:    "Doc",
			sections: []string{"||", "1 Intro|1 Intro|s1", "2 Use|2 Use|s2"},
			absent:   []string{"Table of Contents"},
		},
		{
			name: "the ids before a dropped title of contents name no section after it",
			content: `<title>Doc</title><h1>Doc</h1><p>Intro.</p><div id="SEC_Contents"><h2>Table of Contents</h2>` + toc + `</div>` +
				`<a name="s1"></a><h2>1 Intro</h2><p>Hello.</p><a name="s2"></a><h2>2 Use</h2><p>World.</p>`,
			title:    "Doc",
			sections: []string{"Doc||", "1 Intro|1 Intro|s1", "2 Use|2 Use|s2"},
		},
		{
			name:     "a section over a table of contents is no title of it",
			content:  `<title>Doc</title><p>Abstract.</p><h1 id="o">Overview</h1>` + toc + body,
			title:    "Doc",
			sections: []string{"||", "1 Intro|Overview/1 Intro|s1", "2 Use|Overview/2 Use|s2"},
		},
		{
			name:     "a title with words after it stays",
			content:  `<title>Doc</title><p>Abstract.</p><h1 id="c">Contents</h1>of this guide` + toc + body,
			title:    "Doc",
			sections: []string{"||", "Contents|Contents|c", "1 Intro|Contents/1 Intro|s1", "2 Use|Contents/2 Use|s2"},
		},
		{
			name:     "a title with a link in it stays",
			content:  `<title>Doc</title><p>Abstract.</p><h1 id="d"><a href="#s1">Contents</a></h1>` + toc + body,
			title:    "Doc",
			sections: []string{"||", "1 Intro|Contents/1 Intro|s1", "2 Use|Contents/2 Use|s2"},
		},
		{
			name:     "a bold title over a list of subsections goes with it",
			content:  `<title>Doc</title><h2 id="s1">Links</h2><a id="CHILD_LINKS"><strong>Subsections</strong></a>` + childLinks,
			title:    "Doc",
			sections: []string{"A|Links/A|s2", "B|Links/B|s3"},
			absent:   []string{"Subsections"},
		},
		{
			name:     "a bar of links to the page's neighbours with their labels between is dropped",
			content:  bar("Up:"),
			title:    "X",
			sections: []string{"X||x"},
			absent:   []string{"User Manual", "Next:"},
		},
		{
			name: "a list of links that each say where they turn is a bar",
			content: `<title>Yodl</title><hr><ul><li><a href="yodl.html">Table of Contents</a><li><a href="yodl03.html">Previous Chapter</a>` +
				`<li><a href="yodl05.html">Next Chapter</a></ul><hr><h1 id="c4">Chapter 4</h1><p>Macros.</p>`,
			title:    "Yodl",
			sections: []string{"Chapter 4|Chapter 4|c4"},
			absent:   []string{"Next Chapter", "Table of Contents"},
		},
		{
			name: "a list of links one of which says what it holds is no bar",
			content: `<title>Yodl</title><ul><li><a href="yodl.html">Table of Contents</a><li><a href="yodl03.html">Previous Chapter</a>` +
				`<li><a href="macros.html">Macros</a></ul><h1 id="c4">Chapter 4</h1><p>Macros.</p>`,
			title:    "Yodl",
			sections: []string{"||", "Chapter 4|Chapter 4|c4"},
			contains: []string{"Previous Chapter"},
		},
		{
			name:     "a list of short names linking other pages is no row of buttons",
			content:  `<title>M</title><h1 id="m">Math</h1><p>See also:</p><ul><li><a href="abs.html">abs</a><li><a href="min.html">min</a><li><a href="max.html">max</a><li><a href="pow.html">pow</a></ul>`,
			title:    "M",
			sections: []string{"Math|Math|m"},
			contains: []string{"abs\nmin\nmax\npow"},
		},
		{
			name:     "a word besides the labels keeps the bar",
			content:  bar("See:"),
			title:    "X",
			sections: []string{"||", "X||x"},
			contains: []string{"User Manual"},
		},
	})
}

func TestParseMarkdown_Rules(t *testing.T) {
	t.Parallel()
	runStructureCases(t, "guide.md", []structureCase{
		{
			// A soft break between two wide characters is no space, as
			// in HTML; other breaks, a hard break and a new block stay.
			name:     "a paragraph wrapped between Japanese characters is joined",
			content:  "# T\n## 節\nディレクトリの削除制限\n  フラグと呼ばれる。\nNext line\n次の文。  \n改行は残る。\n- 項目\n",
			title:    "T",
			sections: []string{"節|節|節"},
			contains: []string{"ディレクトリの削除制限フラグと呼ばれる。\nNext line\n次の文。  \n改行は残る。\n- 項目"},
		},
		{
			name:     "slugs, repeats and paths",
			content:  "# Guide\nIntro.\n## Basic Usage\nA.\n### Tips & Tricks!\nB.\n## Basic Usage\nC.\n## Basic Usage\nD.\n",
			title:    "Guide",
			sections: []string{"Guide||guide", "Basic Usage|Basic Usage|basic-usage", "Tips & Tricks!|Basic Usage/Tips & Tricks!|tips--tricks", "Basic Usage|Basic Usage|basic-usage-1", "Basic Usage|Basic Usage|basic-usage-2"},
			absent:   []string{"## "},
		},
		{
			name:     "inline markup leaves heading text and slug",
			content:  "# T\n## The `foo` option and **[API](http://x.example/a)**\nBody.\n## 日本語 の見出し\n本文。\n",
			title:    "T",
			sections: []string{"The foo option and API|The foo option and API|the-foo-option-and-api", "日本語 の見出し|日本語 の見出し|日本語-の見出し"},
		},
		{
			name:     "front matter title keeps the h1 in the path",
			content:  "---\ntitle: Handbook\n---\n# Chapter\nA.\n## Part\nB.\n",
			title:    "Handbook",
			sections: []string{"Chapter|Chapter|chapter", "Part|Chapter/Part|part"},
			absent:   []string{"title:"},
		},
		{
			name:     "setext headings",
			content:  "Title\n=====\nIntro.\n\nSub *one*\n---\nText.\n\nTwo lines\nof paragraph\n---\n- item\n---\n\n---\n1. step\n===\n",
			title:    "Title",
			sections: []string{"Title||title", "Sub one|Sub one|sub-one"},
			contains: []string{"Two lines\nof paragraph\n---\n- item\n---\n\n---\n1. step\n==="},
		},
		{
			// CommonMark 4.3: an underline cannot be a lazy continuation
			// line, so a paragraph line continuing a list item or a
			// quote (aws-sdk-go's CHANGELOG: "* fix\nRelease v1.2\n===")
			// stays their text; after a blank line it is a heading
			// (as markdown-it 14 renders it).
			name:     "setext underline after a lazy continuation line is text",
			content:  "# T\n* fix\nRelease v1.2\n===\n\n> quote\nlazy line\n---\n\n- a\n\n  Foo\n===\n\n- item\n\nRelease v1.3\n===\nNotes.\n",
			title:    "T",
			sections: []string{"T||t", "Release v1.3|Release v1.3|release-v13"},
			contains: []string{"Release v1.2", "lazy line", "Foo"},
		},
		{
			// A lazy line continues only an open paragraph: after a
			// heading, a fence, an empty quote or an empty item there is
			// none (markdown-it 14: each underline makes a heading).
			name:     "setext underline after a closed quote or item is a heading",
			content:  "# T\n> q\n# H\nTitle\n===\nA.\n\n>\nSub2\n===\nB.\n\n- item\n```\ncode\n```\nTitle2\n===\nC.\n\n-\nTitle3\n===\nD.\n",
			title:    "T",
			sections: []string{"T||t", "Title|Title|title", "Sub2|Sub2|sub2", "Title2|Title2|title2", "Title3|Title3|title3"},
		},
		{
			// After a blank line no paragraph is open, yet a line back at
			// the outer item's text is that item's, not the list's end:
			// its next line, four columns in, is text, not code.
			name:     "a nested list's outer item goes on after a blank line",
			content:  "# T\n\n9. step\n   * nested\n\n   outer text\n\n    [link](x) more outer text\n",
			title:    "T",
			sections: []string{"T||t"},
			contains: []string{"link more outer text"},
			absent:   []string{"[link](x)"},
		},
		{
			// As markdown-it 14 renders them.
			name:     "a paragraph opening with a number, and a thematic break, under an underline",
			content:  "# T\n1.5 million users\n===\nA.\n\n2024. A year\n===\n\n***\n===\n\n-x\n---\nB.\n",
			title:    "T",
			sections: []string{"1.5 million users|1.5 million users|15-million-users", "-x|1.5 million users/-x|-x"},
			contains: []string{"2024. A year\n===", "***\n==="},
		},
		{
			name:     "no h1: the file name is the title",
			content:  "## Only Sub\nText.\n",
			title:    "guide",
			sections: []string{"Only Sub|Only Sub|only-sub"},
		},
		{
			name:     "not headings: code, indented, no space, fences of four",
			content:  "# T\n    # indented code\n#hashtag\n~~~~\n```\n# in fence\n```\n~~~~\n####### seven\nEnd.\n## Closed ##\nX.\n",
			title:    "T",
			sections: []string{"T||t", "Closed|Closed|closed"},
			contains: []string{"# indented code", "#hashtag", "# in fence", "####### seven"},
		},
	})
}

func TestChunks_StructureMetadata(t *testing.T) {
	t.Parallel()
	doc := Document{Source: "lib/json.html", Title: "json", Sections: []Section{
		{Heading: "json", Text: "Intro text.", Anchor: "module-json"},
		{Heading: "Basic Usage", Path: []string{"Basic Usage"}, Anchor: "basic-usage", Text: "Usage text."},
		{Text: "Page text.", Page: 3},
	}}
	got := Chunks(doc, Options{Size: 200, Overlap: -1})
	want := []map[string]any{
		{"source": "lib/json.html", "title": "json", "chunk": 0, "heading_path": "json", "section": "json", "anchor": "module-json", "url": "lib/json.html#module-json"},
		{"source": "lib/json.html", "title": "json", "chunk": 1, "heading_path": "json > Basic Usage", "section": "Basic Usage", "anchor": "basic-usage", "url": "lib/json.html#basic-usage"},
		{"source": "lib/json.html", "title": "json", "chunk": 2, "heading_path": "json", "page": 3, "url": "lib/json.html#page=3"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d chunks, want %d", len(got), len(want))
	}
	for i, c := range got {
		if len(c.Metadata) != len(want[i]) {
			t.Errorf("chunk %d metadata %v, want %v", i, c.Metadata, want[i])
		}
		for k, v := range want[i] {
			if c.Metadata[k] != v {
				t.Errorf("chunk %d metadata[%s] = %v, want %v", i, k, c.Metadata[k], v)
			}
		}
	}
	if got[1].Text != "Usage text." {
		t.Errorf("text = %q, want the passage without its heading path", got[1].Text)
	}
	if it := got[1].IndexText(); it != "json > Basic Usage\n\nUsage text." {
		t.Errorf("IndexText = %q", it)
	}
}

func TestChunks_MergeKeepsAnchors(t *testing.T) {
	t.Parallel()
	sec := func(path, anchor, text string) Section {
		p := strings.Split(path, "/")
		return Section{Heading: p[len(p)-1], Path: p, Anchor: anchor, Text: text}
	}
	tests := []struct {
		name     string
		sections []Section
		size     int
		want     []string // chunk texts
	}{
		{
			name: "small subsections sharing the parent's anchor join",
			sections: []Section{
				sec("A/x", "a", "One."), sec("A/y", "a", "Two."), sec("A/y/deeper", "a", "Three."),
			},
			size: 200,
			want: []string{"One.\n\ny\n\nTwo.", "Three."},
		},
		{
			name:     "subsections with anchors of their own stay apart",
			sections: []Section{sec("A/x", "x", "One."), sec("A/y", "y", "Two.")},
			size:     200,
			want:     []string{"One.", "Two."},
		},
		{
			name:     "top-level sections never join",
			sections: []Section{sec("A", "", "One."), sec("B", "", "Two.")},
			size:     200,
			want:     []string{"One.", "Two."},
		},
		{
			name:     "different parents never join",
			sections: []Section{sec("A/x", "", "One."), sec("B/y", "", "Two.")},
			size:     200,
			want:     []string{"One.", "Two."},
		},
		{
			name:     "joining stops at the chunk size",
			sections: []Section{sec("A/x", "", strings.Repeat("a", 20)), sec("A/y", "", strings.Repeat("b", 20))},
			size:     40, // heading path "T > A > x" leaves 29 runes
			want:     []string{strings.Repeat("a", 20), strings.Repeat("b", 20)},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Chunks(Document{Source: "d.md", Title: "T", Sections: tc.sections}, Options{Size: tc.size, Overlap: -1})
			var texts []string
			for _, c := range got {
				texts = append(texts, c.Text)
			}
			if strings.Join(texts, "|") != strings.Join(tc.want, "|") {
				t.Errorf("chunks = %q, want %q", texts, tc.want)
			}
		})
	}
}

func TestChunks_LongSectionKeepsRoomForPath(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("Words in a sentence here. ", 40)
	doc := Document{Source: "d.md", Title: "Title", Sections: []Section{
		{Heading: "Section", Path: []string{"Section"}, Anchor: "section", Text: body},
	}}
	opts := Options{Size: 120, Overlap: 20}
	got := Chunks(doc, opts)
	if len(got) < 2 {
		t.Fatalf("got %d chunks", len(got))
	}
	for i, c := range got {
		if n := utf8.RuneCountInString(c.IndexText()); n > opts.Size {
			t.Errorf("chunk %d indexed text has %d runes > %d", i, n, opts.Size)
		}
		if c.Metadata["anchor"] != "section" || c.Metadata["heading_path"] != "Title > Section" {
			t.Errorf("chunk %d metadata %v", i, c.Metadata)
		}
	}
}

func TestParse_SphinxPage(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/sphinx.html")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Parse("library/json.html", b)
	if err != nil {
		t.Fatal(err)
	}
	chunks := Chunks(doc, Options{})
	type row struct{ path, anchor, starts string }
	want := []row{
		{"json — JSON encoder and decoder", "module-json", "Source code: Lib/json/__init__.py"},
		{"json — JSON encoder and decoder > Basic Usage > json.dumps", "json.dumps", "json.dumps(obj, *, indent=None)\n\nSerialize obj to a JSON formatted str."},
		{"json — JSON encoder and decoder > Basic Usage", "basic-usage", "Text after the entries"},
		{"json — JSON encoder and decoder > Encoders and Decoders > class json.JSONEncoder", "json.JSONEncoder", "class json.JSONEncoder(*, sort_keys=False)\n\nExtensible JSON encoder"},
		{"json — JSON encoder and decoder > Encoders and Decoders > class json.JSONEncoder > default", "json.JSONEncoder.default", "default(o)\n\nImplement this method"},
		{"json — JSON encoder and decoder > Standard Compliance and Interoperability", "standard-compliance-and-interoperability", "The JSON format"},
		{"json — JSON encoder and decoder > Standard Compliance and Interoperability > Character Encodings", "character-encodings", "The RFC requires"},
	}
	if len(chunks) != len(want) {
		for _, c := range chunks {
			t.Logf("%v\n%s", c.Metadata, c.Text)
		}
		t.Fatalf("got %d chunks, want %d", len(chunks), len(want))
	}
	for i, w := range want {
		c := chunks[i]
		if c.Metadata["heading_path"] != w.path || c.Metadata["anchor"] != w.anchor ||
			c.Metadata["url"] != "library/json.html#"+w.anchor || !strings.HasPrefix(c.Text, w.starts) {
			t.Errorf("chunk %d: path %q anchor %q url %q text %q;\nwant path %q anchor %q text starting %q",
				i, c.Metadata["heading_path"], c.Metadata["anchor"], c.Metadata["url"], c.Text, w.path, w.anchor, w.starts)
		}
		if c.Metadata["title"] != "json — JSON encoder and decoder" {
			t.Errorf("chunk %d title %q", i, c.Metadata["title"])
		}
		for _, junk := range []string{"¶", "Menu hidden", "Navigation", "Sidebar entry", "Footer text", "Permalink"} {
			if strings.Contains(c.Text, junk) {
				t.Errorf("chunk %d text contains %q: %q", i, junk, c.Text)
			}
		}
	}
	if !strings.Contains(chunks[0].Text, ">>> import json\n>>> json.dumps(['foo'])") {
		t.Errorf("code example lost its lines: %q", chunks[0].Text)
	}
	if !strings.Contains(chunks[0].Text, "JSON (JavaScript Object Notation), specified by RFC 7159, is") {
		t.Errorf("prose spacing: %q", chunks[0].Text)
	}
}

// checkDocument verifies what any parsed document must satisfy.
func checkDocument(t *testing.T, doc Document) {
	t.Helper()
	for i, s := range doc.Sections {
		if strings.TrimSpace(s.Text) == "" {
			t.Fatalf("section %d has no text", i)
		}
		// An API entry's path names it without its parameters.
		if len(s.Path) > 0 && !strings.HasPrefix(s.Heading, s.Path[len(s.Path)-1]) {
			t.Fatalf("section %d heading %q does not end its path %q", i, s.Heading, s.Path)
		}
	}
	opts := Options{Size: 64, Overlap: 8}
	ids := map[string]bool{}
	for i, c := range Chunks(doc, opts) {
		if c.Text == "" || c.Text != strings.TrimSpace(c.Text) {
			t.Fatalf("chunk %d text %q not trimmed or empty", i, c.Text)
		}
		if n := utf8.RuneCountInString(c.Text); n > opts.Size {
			t.Fatalf("chunk %d has %d runes", i, n)
		}
		if ids[c.ID] {
			t.Fatalf("chunk %d id %s repeats", i, c.ID)
		}
		ids[c.ID] = true
		url, _ := c.Metadata["url"].(string)
		if !strings.HasPrefix(url, doc.Source) {
			t.Fatalf("chunk %d url %q does not start with the source", i, url)
		}
		if !strings.HasSuffix(c.IndexText(), c.Text) {
			t.Fatalf("chunk %d index text does not end with its text", i)
		}
	}
}

// maxFuzzInput bounds fuzz inputs so a run explores shapes, not sizes.
const maxFuzzInput = 16 << 10

func FuzzParseHTML(f *testing.F) {
	if b, err := os.ReadFile("testdata/sphinx.html"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<title>A — B</title><h1>A</h1><section id="s"><h2>S</h2><dl><dt id="x">x()</dt><dd>y</dd></dl></section>`))
	f.Add([]byte(`<main><h2><a name="n"></a>N</h2><pre>a
b</pre><nav>x</nav></main><dl><dl><dt id="d">`))
	f.Add([]byte("<h1>\xff</h1>"))
	f.Add([]byte(`<div class="s1"><a id="a"></a><div class="s9-header">A</div><div><a name="b"> </a><a name="c"></a><div class="fHeader">def c() <a href="#c">¶</a></div><p>x</p></div></div><a id="d"></a>t<div class="x-header">no</div>`))
	f.Add([]byte(`<article><h4 id="f">F</h4><h3 id="t">T</h3><p>x</p></article><article><h2 id="t">G</h2><h1>H<span hidden>I</span></h1></article>`))
	f.Add([]byte(`<h3 id="n">N</h3><p><a id="a"><b> A </b></a><p>x<p><b><a name="b">B</a></b></p><h6>H</h6><p><a id="c"><strong>C</strong></a><dl><dt><p><b id="d">D</b></dl>`))
	f.Add([]byte("<pre>Title\t*<a name=\"t\"></a>t* *<a name=\"u\"></a>u*\nsome text of the topic that is long enough to count as a manual's\n*<a name=\"v\">v</a>*\n<a href=\"#1\" id=\"1\">1</a></pre>"))
	f.Add([]byte(`<?xml version="1.0"?><html><head><title>T</title><script src="x"/></head><body><h2><a id="a"/>A</h2><iframe/><p>t</p></body></html>`))
	f.Add([]byte(`<dl><dt id="a">a</dt><dd> </dd><dt id="b">b</dt><dt id="c">c</dt><dd>d</dd></dl><a name="p"></a><h _id=p style="display:none">P</h><input id="i"><h2>H</h2>`))
	f.Add([]byte(`<div id="m"><div class="method-heading">m()<span class="method-click-advice">x</span></div><p>d</p><div class="method-source-code">s</div></div><div id="n"><div class="x-heading"><h2>H</h2></div></div><div class="tocset">t</div><div class="navsettop">n</div>`))
	f.Add([]byte(`<div id="i"><a id="g:1"><h1>G<a class="srclink" href="s">[src]</a></h1></a><div><h4 id="d">D</h4><div><h3>E</h3><div><h2>F</h2><p>x</p></div></div></div><div><h6>H</h6><section><h1><a name="g:1">I</a></h1></section></div></div>`))
	f.Add([]byte(`<ul><li>a<ul><li>b<details open><summary>c</summary><fieldset><legend>d</legend>e</fieldset></details></li></ul></li></ul>`))
	f.Add([]byte(`<div class="summary"><a href="#a">A</a>|<a href="#b">B</a>|<a href="#c">C</a>|<a href="#d">D</a>|<a href="#e">E</a></div><div><h3>H</h3><a href="#a">A</a><a href="#b">B</a><a href="#c">C</a><a href="#d">D</a><a href="#e">E</a></div><h2 id="a">A</h2><h2 id="b">B</h2>`))
	f.Add([]byte(`<head><link rel="next" href="n.html"><link rel="prev index" href="p.html"><link rel="toc" href="#t"></head><p><a href="p.html">P</a> | <a href="n.html">N</a></p><dl><dt id="f">f<a href="s"><span class="viewcode-link">[source]</span></a></dt><dd>d</dd></dl>`))
	f.Add([]byte(`<div><a href="f.html">F</a><ul><li><a href="a.html">A</a><li><a href="b.html">B</a><li><a href="f.html#">C</a><li><a href="f.html" class="active">D</a></ul></div><td><a href="x">X</a> :: <a href="f.html">Y</a></td><article><ol><li><a href="f.html">E</a></ol></article>`))
	f.Add([]byte(`<div class="contents topic"><p class="topic-title">C</p></div><div class="x-Footer_y">f</div><article><p class="footer">a</p></article>`))
	f.Add([]byte(`<table><tr><td><a href="a">A</a></td><td><a href="b">B</a></td><td><a href="c">C</a></td><td><a href="d">D</a></td></tr></table><table><tr><td>(<a href="a">A</a><a href="b">B</a><a href="c">C</a><a href="d">D</a>)</td></tr><tr></tr></table>`))
	f.Add([]byte(`<p><a href="a">A</a> | <a href="b">B</a> |<b>|</b><a href="c">C</a></p><p><a href="a">A</a>|<a href="b">B</a>|x|<a href="c">C</a></p>`))
	f.Add([]byte(`<div id="sidebar"><h3>L</h3><p>d</p></div><div id="sidebar" class="section"><h2>S</h2></div><main><div id="sidebar">k</div></main>`))
	f.Add([]byte(`<h1><!-- c --><a href="../i.html#x"> S </a></h1><h1><a href="f.html">F</a></h1><main><h1><a href="o.html">O</a></h1></main><h1>T</h1>`))
	f.Add([]byte(`<p>This document was generated  by <a href="x">x</a></p><p>This document was created by <b>y</b></p>`))
	f.Add([]byte(`<table><tr><td><a href="t.html">Back to Top</a></td><td><a href="#x"> <b>Next:</b> X</a></td></tr></table><p><a href="u">up</a><a href="v">Top-level</a></p>`))
	f.Add([]byte(`<h2 id="t">T</h2><pre><a href="#t">a</a></pre><!-- c --><pre><a href="f.html#t">b</a></pre> <pre><a name="n" href="#t">c</a></pre><pre><a href="#t">d</a></pre>x<pre><a href="#t">e</a></pre>`))
	f.Add([]byte(`<hr class="copyright"><p>c<a href="x">x</a></p><hr class="page-footer"><p>d</p><blockquote>This document was translated from X by <a href="y">y</a></blockquote>`))
	f.Add([]byte(`<h1 id="t">T</h1><b><a href="#t">a</a></b><a href="#u">b<a href="#t">c</a></a><pre><a href="#u">d</a></pre><h2 id="u">U</h2><a href="#t"><a href="#u">e</a></a>`))
	f.Add([]byte(`<div id="a(b)"><div>s <a href="#a%28b%29">#</a></div><div>d</div></div><div id="x"><div><a href="#%zz">#</a><a class="headerlink" href="#x">¶</a></div></div><tr id="t"><td><a href="#t"></a></td></tr>`))
	f.Add([]byte(`<ul><li class="current"><a href="x">X</a></li><li><a href="a">A</a><a href="b">B</a><a href="c">C</a><a href="d">D</a></li></ul><div aria-current=""><a href="e">E</a></div><main><ol><li class="active"><a href="f">F</a></li></ol></main>`))
	f.Add([]byte(`<header class="odoc-preamble"><h1>M</h1><p>d</p><header><h2>x</h2></header></header><main><header class="odoc-preamble">y</header></main>`))
	f.Add([]byte(`<title>B  » c</title><div><a href="i">I</a> &raquo;<span> b </span></div><p>&raquo; <a href="a">A</a>&raquo;&raquo;B<a href="c">C</a></p><p><a href="">x</a> › <b>»</b></p>`))
	f.Add([]byte(`<P><A NAME="m">&nbsp;</A></P><H2>H</H2><dl><dt><b>X</b><a id="x" href="#x"></a></dt><dd>d<DT><DD><dl><dt>0</dt><dd>z</dl><DT> </DT><dt>((</dt></dl><div id="toc"><div>T</div><a href="#m">m</a><a href="#x">x</a></div><div class="toc2"><a href="%zz">q</a></div>`))
	f.Add([]byte(`<div><a href="a">[Top</a><a href="b">]]Index[</a><a href="c">[]</a></div><a class="link-seesrc" href="s">Source</a><p>x</p>`))
	f.Add([]byte(`<div aria-hidden="true"><h3 id="m">M</h3></div><p aria-hidden=" true ">x</p><p aria-hidden="false">y</p><p aria-hidden>z</p>`))
	f.Add([]byte(`<ul><li><a href="#a%28x%29">a</a><p>Does A. Twice.</p></li><li><a href="#b">b</a><p>Does B.</p></li><li><a href="#a(x)">c</a>Does A.</li><li><a href="#%zz">d</a></li><li><a href="#b">e</a><p>?! . Does B.</p></li></ul><div id="a(x)"><p>Does A. Twice.</p></div><a name="b"></a><p>Does B.  Really.</p>`))
	f.Add([]byte(`<div id="page-header"><p><a href="x">X</a></p></div><div id="path"><a href="a">A</a> &gt; <a href="b">B</a></div><h1>H<a href="javascript:f()">[-]</a></h1><summary class="hideme">s</summary><select><option>o</select><div class="nosearch">n</div><div id="footer">f</div><div><a class="left-prev" href="a" title="previous page">p</a><a id="-next-" href="b">n</a></div><section id="i"><span class="rightside">1.0 ·</span><h3>I</h3></section>`))
	f.Add([]byte(`<a id="a"></a><a id="b"></a><h2>Concept Index</h2><table><tr><td><a href="#a">a</a><a href="#b">b</a><a href="#a">a</a><a href="#b">b</a><a href="#a">a</a></td></tr><tr><td><a href="#b">b</a><a href="#a">a</a><a href="#b">b</a><a href="#a">a</a><a href="x.html#b">b</a></td></tr></table><h3>index</h3><dl><dt>t<dd><a href="#a">1</a></dl>`))
	f.Add([]byte(`<h2>S<a href="f.html#x"><sup>12</sup></a></h2><p>W<sup>[<a href="#n">3</a>]</sup> 2<sup>10</sup><a href="#s"><sup>n</sup></a><sup><a>4</a></sup><a href=""><sup> [] </sup></a></p>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > maxFuzzInput {
			t.Skip()
		}
		doc, err := Parse("f.html", b)
		if err != nil {
			return
		}
		checkDocument(t, doc)
	})
}

func FuzzParseMarkdown(f *testing.F) {
	f.Add("---\ntitle: T\n---\n# A\ntext\n## B\n### B\n## B\n")
	f.Add("```\n# x\n```\n  ## y ##\n####### z\n~~~~\n")
	f.Add("# [a](b) `c` **d**\n#\n# \n")
	f.Add("T\n===\n\nS\n---\n- x\n---\n  > q\n===\n")
	f.Add("+++\ntitle = \"T\"\n+++\n<!-- c\n# x -->\n## A {#id .c k=v} ##\n```e`x```\ntext <!-- in --> `<!--`\n")
	f.Add("---\ntitle: >-\n  folded\n  title\n...\n# A\n# B {#b}\n")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxFuzzInput {
			t.Skip()
		}
		doc, err := Parse("f.md", []byte(s))
		if errors.Is(err, ErrNotText) {
			if utf8.ValidString(s) && !strings.ContainsRune(s, 0) && !strings.HasPrefix(s, "\xff\xfe") && !strings.HasPrefix(s, "\xfe\xff") {
				t.Fatalf("UTF-8 text without NUL refused: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkDocument(t, doc)
	})
}

func TestSlugger_GitHubRepeats(t *testing.T) {
	t.Parallel()
	var s slugger
	var got []string
	for _, h := range []string{"A b", "A b", "a-b-1", "A B", "!!", "Ünïcode_x"} {
		got = append(got, s.slug(h))
	}
	want := []string{"a-b", "a-b-1", "a-b-1-1", "a-b-2", "", "ünïcode_x"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("slugs = %q, want %q", got, want)
	}
}
