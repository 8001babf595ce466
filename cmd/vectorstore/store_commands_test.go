package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

// lcFixture is a LangChain IndexHNSWFlat folder written by FAISS
// (scripts/faiss_fixtures.py).
const lcFixture = "../../internal/store/testdata/langchain/hnsw_flat_pydantic_v2"

func TestImportFAISS_ThenVerifyInspect(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "native")
	out, errOut, code := runCmd(t, "import-faiss", "--in", lcFixture, "--out", dir,
		"--provider", "openai", "--model", "text-embedding-3-small", "--version", "imp1", "--m", "4", "--ef-construction", "40")
	if code != 0 {
		t.Fatalf("import-faiss exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "imported 24 chunks of 8 dims (metric l2)") || !strings.Contains(out, "hnsw M=4") {
		t.Fatalf("import output: %s", out)
	}

	out, errOut, code = runCmd(t, "verify", dir)
	if code != 0 || !strings.Contains(out, "ok  index.hnsw") || !strings.Contains(out, "24 chunks, 24 vectors of 8 dims, metric l2, index *ann.HNSW") {
		t.Fatalf("verify exit %d\n%s%s", code, out, errOut)
	}

	out, errOut, code = runCmd(t, "inspect", dir, "--json")
	if code != 0 {
		t.Fatalf("inspect exit %d: %s", code, errOut)
	}
	var rep struct {
		Format  string                    `json:"format"`
		Version string                    `json:"version"`
		Count   int                       `json:"count"`
		Dims    int                       `json:"dims"`
		Metric  string                    `json:"metric"`
		Model   string                    `json:"embedding_model"`
		Index   store.IndexInfo           `json:"index"`
		Files   map[string]store.FileInfo `json:"files"`
		Sample  docmodel.Chunk            `json:"sample_chunk"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("inspect --json: %v\n%s", err, out)
	}
	if rep.Format != store.FormatNative || rep.Version != "imp1" || rep.Count != 24 || rep.Dims != 8 || rep.Metric != "l2" ||
		rep.Model != "text-embedding-3-small" || rep.Index.Type != "hnsw" || len(rep.Files) != 5 ||
		!strings.HasPrefix(rep.Sample.Text, "経費精算") || rep.Sample.ID != "00000003-0000-4000-8000-000000000000" {
		t.Fatalf("inspect report %+v", rep)
	}

	// The imported store answers FAISS's recorded queries with FAISS's rows.
	var exp struct {
		Queries [][]float32 `json:"queries"`
		Labels  [][]int     `json:"labels"`
	}
	b, _ := os.ReadFile(filepath.Join(lcFixture, "expected.json"))
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), dir, store.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for qi, q := range exp.Queries {
		hits, err := s.Index.Search(q, len(exp.Labels[qi]), ann.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for r, h := range hits {
			if int(h.ID) != exp.Labels[qi][r] {
				t.Fatalf("query %d rank %d: row %d, FAISS says %d", qi, r, h.ID, exp.Labels[qi][r])
			}
		}
	}

	// A changed byte fails verify with the reason.
	p := filepath.Join(dir, store.ChunksFile)
	b, _ = os.ReadFile(p)
	b[20] ^= 1
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCmd(t, "verify", dir)
	if code != 1 || !strings.Contains(errOut, "chunks.jsonl") || !strings.Contains(errOut, "manifest says") {
		t.Fatalf("verify of a damaged store: exit %d: %s", code, errOut)
	}
}

func TestInspect_LangChainHuman(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCmd(t, "inspect", lcFixture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"format:     langchain-faiss (FAISS IHNf)", "count:      24", "dims:       8", "metric:     l2",
		"not recorded", "index.faiss", "index.pkl", "M=4", "経費精算"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestVerify_LangChain(t *testing.T) {
	t.Parallel()
	out, errOut, code := runCmd(t, "verify", lcFixture)
	if code != 0 || !strings.Contains(out, "ok  index.pkl") || !strings.Contains(out, "24 chunks") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestStoreCommands_UsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"inspect"}, 2},
		{[]string{"verify", "a", "b"}, 2},
		{[]string{"import-faiss", "--in", lcFixture}, 2},
		{[]string{"import-faiss", "--in", lcFixture, "--out", "x", "--metric", "hamming"}, 2},
		{[]string{"inspect", t.TempDir()}, 1},
		{[]string{"verify", t.TempDir()}, 1},
	}
	for _, tt := range tests {
		if _, errOut, code := runCmd(t, tt.args...); code != tt.code {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.code, errOut)
		}
	}
}
