package chunk

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// xhtmlNamespace is the namespace an XHTML page's <html> element declares.
const xhtmlNamespace = "http://www.w3.org/1999/xhtml"

// closeXHTMLEmpty rewrites, in a page that says it is XHTML (an <?xml
// prolog, an XHTML doctype or the XHTML namespace on <html>), each
// self-closed element that HTML does not know as empty ("<iframe ... />",
// "<script src=x />", "<a id=x/>", "<span/>") into a start tag and an end
// tag, and returns any other page as it is.
//
// An HTML parser ignores that slash: "<iframe/>" or "<script/>" then
// swallows the rest of the page as its raw text (ImageMagick's pages,
// re-serialised as XML by Debian, yield no text at all), and "<a id=x/>"
// wraps everything after it. The author meant an empty element, as an XML
// parser reads it. Inside svg and math the HTML parser already honours
// the slash, so they are copied as they are. Tags are recognised as the
// parser will: the same tokenizer, told the same about raw text.
func closeXHTMLEmpty(b []byte) []byte {
	z := html.NewTokenizer(bytes.NewReader(b))
	var out bytes.Buffer
	decided, foreign := false, 0
	for {
		tt := z.Next()
		raw := z.Raw()
		switch tt {
		case html.ErrorToken:
			// End of input (a bytes.Reader has no other error): keep
			// what the tokenizer read of an unfinished tag, as the parser
			// would have seen it.
			out.Write(raw)
			if !decided {
				return b
			}
			return out.Bytes()
		case html.DoctypeToken:
			if !decided && strings.Contains(strings.ToLower(string(z.Text())), "xhtml") {
				decided = true
			}
		case html.CommentToken:
			// The tokenizer reads "<?xml ...?>" as a bogus comment.
			if !decided && bytes.HasPrefix(raw, []byte("<?xml")) {
				decided = true
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if !decided {
				// TagAttr unescapes values in place: keep the tag's bytes.
				raw = bytes.Clone(raw)
				if a != atom.Html || !hasAttr || !declaresXHTML(z) {
					return b
				}
				decided = true
			}
			if a == atom.Svg || a == atom.Math {
				if tt == html.StartTagToken {
					foreign++
				}
			}
			if foreign > 0 {
				// As the parser does: no raw text in foreign content (an
				// SVG <title>).
				z.NextIsNotRawText()
				break
			}
			if tt == html.SelfClosingTagToken && !voidElements[a] {
				z.NextIsNotRawText()
				// Every slash goes: "<a//>" is still self-closed.
				out.Write(bytes.TrimRight(raw[:len(raw)-1], "/ \t\n\f\r"))
				out.WriteString("></")
				out.Write(name)
				out.WriteByte('>')
				continue
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); foreign > 0 && (atom.Lookup(name) == atom.Svg || atom.Lookup(name) == atom.Math) {
				foreign--
			}
		}
		if !decided && out.Len() > 4096 {
			// No doctype, prolog or <html> in the first few kilobytes of
			// markup: not an XHTML page worth rewriting.
			return b
		}
		out.Write(raw)
	}
}

// declaresXHTML reports whether the tag z just read has
// xmlns="http://www.w3.org/1999/xhtml".
func declaresXHTML(z *html.Tokenizer) bool {
	for {
		key, val, more := z.TagAttr()
		if string(key) == "xmlns" && strings.TrimSpace(string(val)) == xhtmlNamespace {
			return true
		}
		if !more {
			return false
		}
	}
}

// voidElements are the elements HTML knows as empty: their self-closing
// slash changes nothing.
var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true,
	atom.Embed: true, atom.Hr: true, atom.Img: true, atom.Input: true,
	atom.Keygen: true, atom.Link: true, atom.Meta: true, atom.Param: true,
	atom.Source: true, atom.Track: true, atom.Wbr: true,
}
