package chunk

import (
	"strings"
	"testing"
)

// markdownCase is a Markdown document and what Parse must make of it.
type markdownCase struct {
	name     string
	content  string
	title    string
	sections []string // "heading|path joined by /|anchor", one per section
	contains []string // text some section must contain
	absent   []string // text no section may contain
}

// runMarkdownCases parses each case as guide.md and checks its title,
// sections and text.
func runMarkdownCases(t *testing.T, tests []markdownCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := Parse("guide.md", []byte(tc.content))
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
