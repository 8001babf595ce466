package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/docmodel"
)

func TestImportFlags_Validate(t *testing.T) {
	t.Parallel()
	const required = "--in and --out are required, and nothing else"
	tests := []struct {
		args    []string
		wantErr string
		want    ImportOptions
	}{
		{[]string{"--in", "a", "--out", "b"}, "", ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "--metric", "ip", "--provider", "openai", "--model", "m", "--version", "v",
			"--m", "4", "--ef-construction", "40", "--ef-search", "20", "--hnsw-workers", "1", "--exact"}, "",
			ImportOptions{Embedding: docmodel.EmbeddingModel{Provider: "openai", Model: "m"}, Metric: ann.InnerProduct, Version: "v",
				HNSW: ann.HNSWConfig{M: 4, EFConstruction: 40, EFSearch: 20, Workers: 1}, Exact: true}},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "-1"}, "--hnsw-workers -1: want 0 to 1024", ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "1025"}, "--hnsw-workers 1025: want 0 to 1024", ImportOptions{}},
		{nil, required, ImportOptions{}},
		{[]string{"--in", "a"}, required, ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "extra"}, required, ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "--metric", "hamming"}, `ann: unknown metric "hamming" (want cosine, ip or l2)`, ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "--version", strings.Repeat("v", 257)}, "--version: store: version is 257 bytes, more than 256", ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "--version", "v1\nforged"}, `--version: store: version "v1\nforged": byte 2 is not a printable character`, ImportOptions{}},
		{[]string{"--in", "a", "--out", "b", "--model", strings.Repeat("m", 257)}, "--provider, --model: store: embedding provider and model are 0 and 257 bytes, want at most 256 each", ImportOptions{}},
	}
	for _, tt := range tests {
		var f ImportFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if tt.wantErr != "" {
			if !errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr {
				t.Errorf("%v: err %v, want usage error %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		got, err := f.options()
		if err != nil || got != tt.want {
			t.Errorf("%v: options %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

func TestImportFlags_RunWarnsAndSummarises(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "native")
	f := ImportFlags{In: "testdata/langchain/hnsw_flat_pydantic_v2", Out: out, Version: "v1", Exact: true}
	var stdout, stderr bytes.Buffer
	if err := f.Run(context.Background(), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "warning: no --model given") {
		t.Errorf("stderr %q lacks the model warning", stderr.String())
	}
	if want := "imported 24 chunks of 8 dims (metric l2) from testdata/langchain/hnsw_flat_pydantic_v2 into " + out + "\nversion v1, index flat; read "; !strings.HasPrefix(stdout.String(), want) {
		t.Errorf("summary %q, want prefix %q", stdout.String(), want)
	}
}

func TestVerifyText(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTestStore(t, dir, 20, WriteOptions{Version: "v1", Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "t", Dims: 4}, HNSW: smallHNSW()})
	var b bytes.Buffer
	if err := VerifyText(context.Background(), dir, "", &b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "ok  chunks.idx ") || !strings.HasPrefix(lines[1], "ok  chunks.jsonl ") ||
		!strings.HasPrefix(lines[2], "ok  index.hnsw ") || !strings.HasPrefix(lines[3], "ok  keyword.bm25 ") || lines[5] != "ok  native store: 20 chunks, 20 vectors of 4 dims, metric cosine, index *ann.HNSW" {
		t.Fatalf("verify lines:\n%s", b.String())
	}
	if err := VerifyText(context.Background(), t.TempDir(), "", io.Discard); err == nil {
		t.Fatal("an empty folder verified")
	}
}

func TestReport_WriteJSONKeepsHTML(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := (&Report{Dir: "a<b>&c"}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"dir": "a<b>&c"`) {
		t.Fatalf("JSON %s escapes HTML", b.String())
	}
}
