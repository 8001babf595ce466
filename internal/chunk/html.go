package chunk

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// parseHTML extracts the title and the visible text of an HTML page,
// splitting sections at h1-h6 headings. Script, style, template, noscript
// and head content are skipped; block elements end a line.
func parseHTML(b []byte) (Document, error) {
	root, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		return Document{}, err
	}
	var (
		doc    Document
		cur    Section
		buf    strings.Builder
		firstH string
	)
	flush := func() {
		cur.Text = buf.String()
		if strings.TrimSpace(cur.Text) != "" {
			doc.Sections = append(doc.Sections, cur)
		}
		buf.Reset()
	}
	newline := func() {
		s := buf.String()
		if s != "" && !strings.HasSuffix(s, "\n") {
			buf.WriteByte('\n')
		}
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Template, atom.Noscript:
				return
			case atom.Title:
				if doc.Title == "" {
					doc.Title = strings.TrimSpace(textOf(n))
				}
				return
			case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				flush()
				h := strings.Join(strings.Fields(textOf(n)), " ")
				cur = Section{Heading: h}
				if firstH == "" {
					firstH = h
				}
				buf.WriteString(h)
				buf.WriteString("\n\n")
				return
			}
		}
		if n.Type == html.TextNode {
			t := strings.Join(strings.Fields(n.Data), " ")
			if t != "" {
				s := buf.String()
				if s != "" && !strings.HasSuffix(s, "\n") && !strings.HasSuffix(s, " ") {
					buf.WriteByte(' ')
				}
				buf.WriteString(t)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && isBlock(n.DataAtom) {
			newline()
			if n.DataAtom == atom.P || n.DataAtom == atom.Div || n.DataAtom == atom.Section {
				buf.WriteByte('\n')
			}
		}
	}
	walk(root)
	flush()
	if doc.Title == "" {
		doc.Title = firstH
	}
	return doc, nil
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Li, atom.Ul, atom.Ol, atom.Br,
		atom.Tr, atom.Table, atom.Pre, atom.Blockquote, atom.Dd, atom.Dt, atom.Hr, atom.Header,
		atom.Footer, atom.Main, atom.Nav, atom.Td, atom.Th:
		return true
	}
	return false
}
