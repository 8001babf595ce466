// Package chunk implements document loading and chunking for the vector
// store builder: Markdown, plain text, HTML and PDF files become Documents
// made of Sections, and each Section is split into overlapping chunks that
// prefer paragraph breaks and sentence ends (". ! ?" and "。！？").
//
// # Sizes
//
// Chunk sizes and overlaps are counted in runes, never bytes, so a chunk
// boundary never falls inside a UTF-8 sequence.
//
// # Structure
//
// HTML and Markdown split at headings first and by size second: a chunk
// never spans two sections, except that adjacent small sections under the
// same parent heading (below the top level) that share one anchor are
// joined while they fit, so no chunk hides a section a link could lead to.
// HTML sections start at h1-h6, at SQLite's hidden <h _id> search
// headings, and at API entries: dt elements with an id (Sphinx's <dt
// id="json.dumps">) or with an anchor just before them in their list
// (SQLite's <a name="abs"></a><dt>; one before the list names the list).
// The signature is the section's heading and the first line of its text,
// and heading paths name the entry without its parameters ("json.dumps"),
// so that a path stays short enough to leave room for the text in
// embedders that read only their first tokens. Terms that share one
// description (texinfo's @deffnx, pod2html's items with empty dd elements
// between them) are one entry under the last term's id. The text after a
// list of entries belongs to the section holding the list. A heading's
// anchor is its own id or that of an anchor or empty element just before
// it, never a form control's or a media element's. Small sections with
// anchors of their own are not joined even though small chunks embed
// poorly: on the pydoc evaluation set, joining API entries under 150 or
// 300 runes lowered section hit@5 for every mode.
// Text comes from the page's main, [role=main], article or Sphinx div.body
// when there is one, without scripts, styles, nav and role=navigation,
// header and footer outside main/article, Sphinx's sidebar and "related"
// bars, "¶" permalinks, page-to-page bars (links with rel next/prev/up or
// an accesskey and almost no other text: texinfo's and DocBook's), lists
// made of links alone (tables of contents, menus of subsections), DocBook's
// navheader and navfooter, and what a browser would not show (the hidden
// attribute, an inline display:none, Doxygen's tooltips and Bootstrap's
// dropdown menus). An admonition's heading (DocBook's <div class="note">
// <h3>Note</h3>) is text of its section, not a section, unless it has an
// anchor of its own; a section such a heading opens ends with its box. A
// page that is not UTF-8 is decoded from its declared charset, else as
// windows-1252. Markdown sections start at ATX headings and
// setext headings (a one-line paragraph over "===" or "---") outside
// fenced code (a backtick fence's info string holds no backtick) and HTML
// comments; comments outside code are dropped, as no renderer shows them
// (those that open a line, and those that open and close within one; one
// that opens mid-line and closes on a later line is kept as text).
// A heading's text is what GitHub shows of it (code spans as written,
// links' text, no images, escapes and entities read); a heading with
// nothing under it is the first line of its next sibling's section (API
// signatures one above another), or a section of its own.
//
// A section's anchor is, in HTML, its heading's id, the target of a
// permalink in it (a.headerlink), an a[id|name] inside it, an id on an
// enclosing section/div or on an inline or empty element just before it
// with no text in between, or else the id of the nearest element whose
// first heading it is when every other heading in that element is deeper
// (rustdoc's <section id="method.push"> with a version before its h4); in
// Markdown, the id of a trailing attribute block ("## Intro {#custom}"),
// else the GitHub slug of the heading ("Basic Usage" -> "basic-usage",
// repeats "-1", "-2"; as github-slugger makes it). A section without one takes its nearest enclosing
// heading's. An id longer than 1,000 bytes is dropped (it cannot be cut
// and still lead somewhere): the section links to its page.
//
// The title is, in Markdown, the front matter's title (YAML between "---"
// and "---" or "...", TOML between "+++" lines, whose first line opens a
// key), else the h1 when there is one or the first heading is one, else
// the first HTML <h1> element's text; in HTML, <title> (a <title> made of
// the first h1 and the site's name joined by a separator, as Sphinx's
// "json — ... — Python 3.11 documentation", gives the h1; one that ends
// with the only h1, which stands outside the content, as mdBook's menu
// bar, gives what comes before it), else the first h1; in
// PDF, the Info dictionary's Title, else the first line; else the file
// name.
//
// # Metadata and the indexed text
//
// A chunk's metadata carries "source" (the slash-separated path relative
// to the corpus root, also the document id), "title", "chunk" (the index
// within the document), "heading_path" ("Title > Section > Subsection",
// see HeadingPath; a top heading that repeats the title is not repeated),
// "url" (source#anchor, source#page=N for PDF pages, else source) and,
// when known, "section" (the innermost heading the chunk starts under),
// "anchor" and "page". The chunk's Text is the passage alone; the indexes
// take docmodel.Chunk.IndexText (the keyword index KeywordText, with the
// path twice), which puts the heading path before it, so
// headings count for retrieval without being repeated in answers. Chunk
// sizes leave room for the heading path, so the indexed text stays within
// the chunk size unless the path is longer than half of it.
//
// Titles and headings are cut to their first 1,000 runes (a Markdown
// heading before its anchor is made), and a heading path longer than the
// chunk size is cut to the chunk size, the text keeping half of it; so
// the indexed text never exceeds one and a half times the chunk size, and
// a heading of any length costs each chunk a bounded prefix, not a copy
// of itself. Real headings stay below both: signatures in API references
// run to 200-400 runes, and in the evaluation corpora the longest heading
// has 833 runes and the longest path 376 (at the default size, 800).
//
// In every format, the Latin ligatures U+FB00 to U+FB06 ("ﬁ", "ﬂ", which
// TeX4ht's HTML and PDF text carry) are spelled out as their letters in
// titles, headings and text; nothing else of the text is normalised.
//
// # Identity
//
// A chunk's id is derived from its document's source path and its index in
// the document (the first 16 hex digits of a SHA-256), so rebuilding an
// unchanged corpus yields the same ids.
//
// # PDF
//
// PDFs are read with github.com/ledongthuc/pdf (pure Go, BSD). Each page
// with text becomes one Section with Page set, so a chunk never spans two
// pages and its metadata carries "page" (1-based). The title is the Info
// dictionary's Title, else the first line. Text comes in content-stream
// order; each glyph advances by its width and the text state's character
// spacing, word spacing and horizontal scaling (Tc, Tw, Tz), so words are
// told apart where Ghostscript and gropdf space them by those; a gap of
// 0.15 em is a word space; a glyph printed again over the one just shown
// (gropdf's bold) is read once. Wrapped lines of a paragraph are joined
// with a space (none next to a CJK character, none after a hyphen
// continued in lowercase) and paragraphs, found by vertical gaps, are
// separated by a blank line. Fonts decode through their ToUnicode CMap or
// simple encoding, and the predefined Unicode CMaps (UniJIS-UCS2-H and the
// like) as UTF-16. Text inside form XObjects, legacy CJK CMaps (Shift-JIS,
// EUC) and fonts with neither ToUnicode nor a known encoding are not read;
// nor is the encoding built into an embedded Type 1 font, so pdfTeX's
// math-font symbols without a ToUnicode map (texinfo's bullets, dot
// leaders) come out as U+FFFD or another letter. Scanned pages yield
// nothing (no OCR). A file that is corrupt, truncated or needs a password
// is an error naming it; panics in the library are recovered, and reads,
// operators, page-tree nodes and text are capped. Those caps bound
// neither time nor memory (the library loops without reading, keeps
// every operand, inflates a stream again for each reference), so a
// caller that reads PDFs it does not trust gives Loader a PDFParser that
// runs ParsePDF in a child process under OS limits (package pdfsandbox;
// vectorstore build does).
//
// # Concurrency and ownership
//
// The package holds no state; all functions are safe for concurrent use and
// return values the caller owns.
package chunk
