package chunk

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// looseBars returns the nodes of the page-turn bars that stand loose in a
// block, in no element of their own: grohtml writes "[ <a>prev</a> |
// <a>next</a> | <a>top</a> ]" straight into the body between two rules,
// above and below every page, so navBar, which judges elements, never
// sees it. A run of inline nodes between two block boundaries is such a
// bar when it is what navBar's "turns" rule asks of an element: two or
// more links that each say where they turn (turnWords, tocTitles) and no
// letter or digit outside them (brackets, bars and spaces only).
func looseBars(root *html.Node) map[*html.Node]bool {
	out := map[*html.Node]bool{}
	var run []*html.Node
	flush := func() {
		if looseBar(run) {
			for _, k := range run {
				out[k] = true
			}
		}
		run = run[:0]
	}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == html.ElementNode && (isBlock(c.DataAtom) || isHeading(c.DataAtom)):
				flush()
			case c.Type == html.TextNode || c.Type == html.ElementNode:
				run = append(run, c)
			}
		}
		flush()
	}
	return out
}

// looseBar reports whether run, inline siblings, is a bar of page turns
// (looseBars).
func looseBar(run []*html.Node) bool {
	links := 0
	for _, k := range run {
		switch {
		case k.Type == html.TextNode:
			if strings.ContainsFunc(k.Data, isLetterOrDigit) {
				return false
			}
		case k.DataAtom == atom.A && attr(k, "href") != "":
			if !saysWhereItTurns(k) {
				return false
			}
			links++
		case strings.ContainsFunc(textUnder(k), isLetterOrDigit):
			// Another inline element with words: text beside the links.
			return false
		}
	}
	return links >= 2
}
