package docmodel

import (
	"slices"
	"testing"
)

func TestChunk_IndexText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Chunk
		want string
	}{
		{"heading path before the text", Chunk{Text: "Body.", Metadata: map[string]any{MetaHeadingPath: "T > S"}}, "T > S\n\nBody."},
		{"no metadata", Chunk{Text: "Body."}, "Body."},
		{"empty path", Chunk{Text: "Body.", Metadata: map[string]any{MetaHeadingPath: ""}}, "Body."},
		{"path of another type is ignored", Chunk{Text: "Body.", Metadata: map[string]any{MetaHeadingPath: []any{"T"}}}, "Body."},
	}
	for _, tc := range tests {
		if got := tc.c.IndexText(); got != tc.want {
			t.Errorf("%s: IndexText = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestChunk_KeywordText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Chunk
		want string
	}{
		{"heading path twice before the text", Chunk{Text: "Body.", Metadata: map[string]any{MetaHeadingPath: "T > S"}}, "T > S\n\nT > S\n\nBody."},
		{"no metadata", Chunk{Text: "Body."}, "Body."},
		{"empty path", Chunk{Text: "Body.", Metadata: map[string]any{MetaHeadingPath: ""}}, "Body."},
	}
	for _, tc := range tests {
		if got := tc.c.KeywordText(); got != tc.want {
			t.Errorf("%s: KeywordText = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestSectionOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		urls []string
		of   []uint32
		n    int
	}{
		{nil, []uint32{}, 0},
		{[]string{"a#x", "a#x", "a#y", "", "a#x", "", "a#y"}, []uint32{0, 0, 1, 2, 0, 3, 1}, 4},
		{[]string{"", ""}, []uint32{0, 1}, 2},
	} {
		of, n := SectionOf(len(tc.urls), func(i int) string { return tc.urls[i] })
		if n != tc.n || !slices.Equal(of, tc.of) {
			t.Errorf("%q: sections %v (%d), want %v (%d)", tc.urls, of, n, tc.of, tc.n)
		}
	}
}

func TestSectionKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		md   map[string]any
		want string
	}{
		{"an anchor names the section", map[string]any{MetaURL: "a.html#install", MetaHeadingPath: "A > Install"}, "a.html#install"},
		{"a page names the section", map[string]any{MetaURL: "m.pdf#page=3", MetaHeadingPath: "M"}, "m.pdf#page=3"},
		{"a page without ids: the heading path tells its sections apart", map[string]any{MetaURL: "faq.html", MetaHeadingPath: "FAQ > Shipping"}, "faq.html\x00FAQ > Shipping"},
		{"no heading either", map[string]any{MetaURL: "notes.txt"}, "notes.txt"},
		{"no url (a LangChain folder)", map[string]any{"source": "x.md", MetaHeadingPath: "X"}, ""},
		{"no metadata", nil, ""},
	}
	for _, tt := range tests {
		if got := SectionKey(tt.md); got != tt.want {
			t.Errorf("%s: SectionKey = %q, want %q", tt.name, got, tt.want)
		}
	}
}
