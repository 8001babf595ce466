package chunk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type ctxKey struct{}

// TestLoader_PDFParser checks that LoadDir hands each PDF's bytes, and
// its context, to Loader.PDF; that what the parser returns is finished
// as any parse is (source, title, ligatures); that its error is the
// file's failure, not the build's; and that a parse cut short by ctx
// ends the load, even on the last file.
func TestLoader_PDFParser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// parse is the Loader's PDF parser; cancel ends the load's ctx.
		parse        func(ctx context.Context, cancel func(), b []byte) (Document, error)
		wantDocs     string // sources, "|"-separated
		wantText     string // z.pdf's text, when loaded
		wantFailures string // failing paths and errors
		wantErr      error
	}{
		{
			name: "parsed",
			parse: func(_ context.Context, _ func(), b []byte) (Document, error) {
				return Document{Sections: []Section{{Text: string(b) + " \uFB01le", Page: 1}}}, nil
			},
			wantDocs: "b.md|z.pdf", wantText: "%PDF-1.4 bytes file",
		},
		{
			name: "failed",
			parse: func(context.Context, func(), []byte) (Document, error) {
				return Document{}, errors.New("pdf: parser exceeded its CPU time limit (60 s)")
			},
			wantDocs: "b.md", wantFailures: "z.pdf: chunk: parse z.pdf: pdf: parser exceeded its CPU time limit (60 s)",
		},
		{
			name: "cancelled",
			parse: func(ctx context.Context, cancel func(), _ []byte) (Document, error) {
				cancel()
				return Document{}, ctx.Err()
			},
			wantErr: context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range map[string]string{"b.md": "# B\nb", "z.pdf": "%PDF-1.4 bytes"} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "load"))
			defer cancel()
			l := Loader{PDF: func(pctx context.Context, b []byte) (Document, error) {
				if pctx.Value(ctxKey{}) != "load" {
					t.Error("the parser did not get the load's context")
				}
				return tt.parse(pctx, cancel, b)
			}}
			docs, failures, err := l.LoadDir(ctx, dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			var got, failed []string
			for _, d := range docs {
				got = append(got, d.Source)
				if d.Source == "z.pdf" {
					if d.Title != "z" || len(d.Sections) != 1 || d.Sections[0].Text != tt.wantText {
						t.Errorf("z.pdf = %+v, want title z and text %q", d, tt.wantText)
					}
				}
			}
			for _, f := range failures {
				failed = append(failed, f.Path+": "+f.Err.Error())
			}
			if s := strings.Join(got, "|"); s != tt.wantDocs {
				t.Errorf("docs %q, want %q", s, tt.wantDocs)
			}
			if s := strings.Join(failed, "|"); s != tt.wantFailures {
				t.Errorf("failures %q, want %q", s, tt.wantFailures)
			}
		})
	}
}
