package chunk

import (
	"strconv"
	"strings"
	"testing"
)

// line is a pdfLine for the tests: its baseline, size and text.
func line(y, size float64, text string) *pdfLine {
	return &pdfLine{y: y, size: size, text: text}
}

// body returns n lines of 10 pt body text, a paragraph, from y down.
func body(y float64, n int) []*pdfLine {
	var out []*pdfLine
	for i := range n {
		out = append(out, line(y-float64(i)*12, 10, "body text that runs the whole width of the column"))
	}
	return out
}

// page joins runs of lines into one page's lines.
func page(runs ...[]*pdfLine) []*pdfLine {
	var out []*pdfLine
	for _, r := range runs {
		out = append(out, r...)
	}
	return out
}

// TestSizeOutline checks which lines sizeOutline takes for headings and
// the paths it gives them.
func TestSizeOutline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		pages [][]*pdfLine
		want  []string // "page: path", one per bookmark
	}{
		{
			name: "two sizes are two levels",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 14, "1 Installing")}, body(680, 4), []*pdfLine{line(620, 12, "1.1 On a wall")}, body(600, 4)),
				page([]*pdfLine{line(700, 12, "1.2 Cables")}, body(680, 4), []*pdfLine{line(620, 14, "2 Use")}, body(600, 4)),
			},
			want: []string{"1: 1 Installing", "1: 1 Installing > 1.1 On a wall", "2: 1 Installing > 1.2 Cables", "2: 2 Use"},
		},
		{
			name: "a heading on two lines is one heading",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 14, "Information for Maintainers"), line(684, 14, "of GNU Software")}, body(660, 4)),
			},
			want: []string{"1: Information for Maintainers of GNU Software"},
		},
		{
			name: "four lines of large print are not a heading",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 14, "a"), line(684, 14, "b"), line(668, 14, "c"), line(652, 14, "d")}, body(620, 8)),
			},
		},
		{
			name: "table of contents entries are not headings",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 12, "1 Obtaining R 1")}, body(680, 2), []*pdfLine{line(640, 12, "2 Installing R under Unix-alikes 3")},
					body(620, 2), []*pdfLine{line(580, 12, "3 Installing R under Windows 17")}, body(560, 2)),
				page([]*pdfLine{line(700, 12, "Chapter 4")}, body(680, 6)),
			},
			want: []string{"2: Chapter 4"},
		},
		{
			name: "a heading alone that ends in a number is a heading",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 12, "Upgrading to Python 3")}, body(680, 4), []*pdfLine{line(620, 12, "Using the CLI")}, body(600, 4)),
			},
			want: []string{"1: Upgrading to Python 3", "1: Using the CLI"},
		},
		{
			// The empty line joined two headings a paragraph gap apart
			// into one title holding a paragraph break, found nowhere.
			name: "an empty line between two headings is neither",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 14, "Installing"), line(680, 14, " "), line(660, 14, "Charging")}, body(640, 4)),
			},
			want: []string{"1: Installing", "1: Charging"},
		},
		{
			name: "text the size of the body is no heading, nor a line ending in a comma",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(700, 10.1, "Almost body")}, body(680, 4), []*pdfLine{line(620, 14, "Dear reader,")}, body(600, 4)),
			},
		},
		{
			name: "a page number set large is no heading",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(760, 14, "17")}, body(700, 6)),
			},
		},
		{
			name: "a line that continues a paragraph is no heading",
			pages: [][]*pdfLine{
				page(body(700, 3), []*pdfLine{line(664, 10, "short"), line(652, 14, "Big word")}, body(640, 3)),
			},
			want: []string{"1: Big word"},
		},
		{
			name: "a heading repeated down the pages is kept",
			pages: func() [][]*pdfLine {
				var ps [][]*pdfLine
				for i := range 12 {
					y := 700 - float64(i*10)
					ps = append(ps, page([]*pdfLine{line(y, 12, "Description")}, body(y-20, 10)))
				}
				return ps
			}(),
			want: []string{"1: Description", "2: Description", "3: Description", "4: Description", "5: Description", "6: Description",
				"7: Description", "8: Description", "9: Description", "10: Description", "11: Description", "12: Description"},
		},
		{
			name: "a running head on every page is not a heading",
			pages: func() [][]*pdfLine {
				var ps [][]*pdfLine
				for range 12 {
					ps = append(ps, page([]*pdfLine{line(760, 12, "Service Manual")}, body(700, 10)))
				}
				return ps
			}(),
		},
		{
			// The letter's baseline is the third line's; its paragraph
			// starts higher up, beside it.
			name: "a drop cap is no heading, an index's letter is",
			pages: [][]*pdfLine{
				page([]*pdfLine{line(676, 36, "O")}, []*pdfLine{line(700, 10, "nce upon a time there was a charger")}, body(688, 4),
					[]*pdfLine{line(600, 14, "C")}, []*pdfLine{line(580, 10, "cat (builtin), 12")}, body(568, 3)),
			},
			want: []string{"1: C"},
		},
		{
			name:  "no text",
			pages: [][]*pdfLine{nil, nil},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, e := range sizeOutline(tc.pages) {
				got = append(got, strconv.Itoa(e.page)+": "+strings.Join(e.path, " > "))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestSizeOutline_SecondBodySize checks that a size holding much of a
// long document's text is read as body text, not headings: doxygen's
// manual sets a third of its text at 10 pt over a 9 pt majority.
func TestSizeOutline_SecondBodySize(t *testing.T) {
	t.Parallel()
	var pages [][]*pdfLine
	for range 40 {
		var p []*pdfLine
		y := 760.0
		for range 3 {
			p = append(p, line(y, 10, "a short paragraph of the larger of two body sizes"))
			y -= 30
			for range 5 {
				p = append(p, line(y, 9, "the smaller body size, which holds most of the letters of the document"))
				y -= 11
			}
			y -= 20
		}
		pages = append(pages, p)
	}
	if got := sizeOutline(pages); len(got) != 0 {
		t.Errorf("%d headings, first %q; want none", len(got), got[0].path)
	}
}

// TestParsePDF_SizeHeadings reads a document groff's PDF driver wrote
// without an outline (testdata/pdf/sizes.ms: ms headings two points
// larger a level up): its pages are cut at the headings their sizes show,
// under the paths the sizes nest.
func TestParsePDF_SizeHeadings(t *testing.T) {
	t.Parallel()
	doc, err := Parse("manual.pdf", readPDFFixture(t, "sizes.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	checkPDFSections(t, doc, []pdfSection{
		{1, "", "Scooter Service Manual"},
		{1, "1. Installing the charger", "1. Installing the charger\n\nThe charger needs a grounded outlet of 230 volts."},
		{1, "1. Installing the charger > 1.1. Mounting on a wall", "1.1. Mounting on a wall\n\nUse the four screws in the box and a level."},
		{1, "1. Installing the charger > 1.2. Cable lengths", "1.2. Cable lengths\n\nThe cable is two metres long; an extension voids the warranty."},
		{1, "2. Everyday use", "2. Everyday use\n\nUnplug the charger when the light turns green."},
	})
}
