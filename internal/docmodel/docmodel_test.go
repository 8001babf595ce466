package docmodel

import "testing"

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
