package localsearch

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/rag"
)

func TestSearchFlags_Validate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		wantErr string
		want    SearchFlags
	}{
		{[]string{"--dir", "d", "--query", "q"}, "", SearchFlags{Dir: "d", Query: "q", Mode: "hybrid", TopK: 5}},
		{[]string{"--dir", "d", "--query", "q", "--top-k", "9", "--mode", "keyword", "--json"}, "",
			SearchFlags{Dir: "d", Query: "q", Mode: "keyword", TopK: 9, JSON: true}},
		{[]string{"--dir", "d"}, "--dir and --query are required", SearchFlags{}},
		{[]string{"--dir", "d", "--query", "  "}, "--dir and --query are required", SearchFlags{}},
		{[]string{"--query", "q"}, "--dir and --query are required", SearchFlags{}},
	}
	for _, tt := range tests {
		var f SearchFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if tt.wantErr != "" {
			if !errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr {
				t.Errorf("%v: err %v, want usage error %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || f != tt.want {
			t.Errorf("%v: %+v, %v; want %+v", tt.args, f, err, tt.want)
		}
	}
}

func TestSearchFlags_RunAndHits(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	for name, body := range map[string]string{"brakes.md": "# Brakes\n\nReplace brake pads.", "notes.txt": "Office plants."} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "store")
	if _, err := ingest.Build(context.Background(), in, dir, emb, ingest.Config{Exact: true}); err != nil {
		t.Fatal(err)
	}
	svc, _, err := Open(context.Background(), dir, emb, rag.Config{})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := SearchFlags{Dir: dir, Query: "brake pads", TopK: 1, Mode: "keyword"}.Run(context.Background(), svc)
	if err != nil || len(hits) != 1 {
		t.Fatalf("%d hits, %v", len(hits), err)
	}
	var viaHits, direct bytes.Buffer
	hits.WriteText(&viaHits)
	WriteHits(&direct, hits)
	if viaHits.String() != direct.String() || !strings.Contains(viaHits.String(), "brakes.md") {
		t.Fatalf("text %q, want %q", viaHits.String(), direct.String())
	}
	viaHits.Reset()
	direct.Reset()
	if err := hits.WriteJSON(&viaHits); err != nil {
		t.Fatal(err)
	}
	if err := WriteHitsJSON(&direct, hits); err != nil || viaHits.String() != direct.String() {
		t.Fatalf("JSON %q, want %q (%v)", viaHits.String(), direct.String(), err)
	}
	if _, err := (SearchFlags{Query: "x", TopK: MaxTopK + 1, Mode: "keyword"}).Run(context.Background(), svc); err == nil {
		t.Fatal("top_k above MaxTopK searched")
	}
}
