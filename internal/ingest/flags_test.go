package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

func TestBuildFlags_Validate(t *testing.T) {
	t.Parallel()
	const positive = "--batch, --workers and --chunk-size must be positive"
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--in", "a", "--out", "b"}, ""},
		{[]string{"--in", "a", "--out", "b", "--overlap", "-1"}, ""},
		{nil, "--in and --out are required"},
		{[]string{"--out", "b"}, "--in and --out are required"},
		{[]string{"--in", "a", "--out", "b", "--batch", "0"}, positive},
		{[]string{"--in", "a", "--out", "b", "--workers", "-1"}, positive},
		{[]string{"--in", "a", "--out", "b", "--concurrency", "-1"}, positive},
		{[]string{"--in", "a", "--dry-run"}, ""},
		{[]string{"--out", "b", "--dry-run"}, "--in and --out are required"},
		{[]string{"--in", "a", "--out", "b", "--chunk-size", "0"}, positive},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "1"}, ""},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "-1"}, "--hnsw-workers -1: want 0 to 1024"},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "1025"}, "--hnsw-workers 1025: want 0 to 1024"},
	}
	for _, tt := range tests {
		var f BuildFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && (!errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr)) {
			t.Errorf("%v: err %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}

func TestBuildFlags_Config(t *testing.T) {
	t.Parallel()
	var f BuildFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), []string{"--in", "a", "--out", "b", "--m", "8", "--hnsw-workers", "1", "--exact"}, &f); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	cfg := f.Config(&progress)
	want := Config{Chunk: chunk.Options{Size: chunk.DefaultSize, Overlap: chunk.DefaultOverlap}, Batch: DefaultBatch,
		Workers: 0, HNSW: ann.HNSWConfig{M: 8, Workers: 1}, Exact: true, Progress: &progress}
	if cfg != want {
		t.Fatalf("config %+v, want %+v", cfg, want)
	}
	f.Quiet = true
	if f.Config(&progress).Progress != nil {
		t.Fatal("--quiet kept the progress bar")
	}
}

func TestBuildFlags_Run(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "a.md"), []byte("# Refunds\n\nRefunds take 14 days."), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "store")
	f := BuildFlags{In: in, Out: out, Version: "v1", ChunkSize: 100, Batch: 1, Workers: 1, Exact: true, Quiet: true}
	asked := 0
	newEmb := func() (embed.Embedder, error) { asked++; return hashEmbedder(t), nil }
	var stdout, stderr bytes.Buffer
	if err := f.Run(context.Background(), newEmb, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if asked != 1 || !strings.HasPrefix(stdout.String(), "wrote "+out+": 1 documents, 1 chunks, hash/") ||
		!strings.Contains(stdout.String(), "version v1, in ") || stderr.Len() != 0 {
		t.Fatalf("asked %d times, stdout %q, stderr %q", asked, stdout.String(), stderr.String())
	}

	wantErr := errors.New("no such embedder")
	if err := f.Run(context.Background(), func() (embed.Embedder, error) { return nil, wantErr }, io.Discard, io.Discard); !errors.Is(err, wantErr) {
		t.Fatalf("err %v, want the embedder's", err)
	}
	f.Batch, asked = 0, 0
	if err := f.Run(context.Background(), newEmb, io.Discard, io.Discard); !errors.As(err, new(cliflag.UsageError)) || asked != 0 {
		t.Fatalf("err %v, embedder asked %d times; want a usage error before any work", err, asked)
	}
}

// TestBuildFlags_OneHNSWWorkerIsReproducible checks what --hnsw-workers 1
// promises: two builds of the same documents write the same graph file
// (with one goroutine per CPU the graph depends on which insert wins).
func TestBuildFlags_OneHNSWWorkerIsReproducible(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	for i := range 40 {
		text := fmt.Sprintf("# Topic %d\n\nParagraph %d about refunds, shipping and warranty number %d.", i, i, i*7)
		if err := os.WriteFile(filepath.Join(in, fmt.Sprintf("d%02d.md", i)), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	graph := func() []byte {
		out := filepath.Join(t.TempDir(), "store")
		f := BuildFlags{In: in, Out: out, Version: "v1", ChunkSize: 200, Batch: 4, Workers: 4, HNSWWorkers: 1, Quiet: true}
		if err := f.Run(context.Background(), func() (embed.Embedder, error) { return hashEmbedder(t), nil }, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, store.GraphFile))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if a, b := graph(), graph(); !bytes.Equal(a, b) {
		t.Fatalf("two builds with --hnsw-workers 1 wrote different graphs (%d and %d bytes)", len(a), len(b))
	}
}
