package annbench

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/synth"
	"github.com/vendor0919/api/internal/texmex"
)

func TestRun_ExactAndFileTruth(t *testing.T) {
	t.Parallel()
	const n, nq, dim, k = 600, 20, 12, 10
	base, queries, err := synth.Generate(synth.Config{N: n, Queries: nq, Dim: dim, Clusters: 6, Rank: 5, Spread: 0.6, Noise: 0.15, Seed: 3, Normalize: true})
	if err != nil {
		t.Fatal(err)
	}
	flat, err := ann.NewFlat(dim, ann.Cosine, append([]float32(nil), base...))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := ExactNeighbors(context.Background(), flat, queries, k, 3)
	if err != nil || len(ids) != nq*k {
		t.Fatalf("ExactNeighbors: %d ids, %v", len(ids), err)
	}
	for q := range nq {
		want, _ := flat.Search(queries[q*dim:(q+1)*dim], k, ann.SearchOptions{})
		for j, nb := range want {
			if ids[q*k+j] != int32(nb.ID) {
				t.Fatalf("query %d rank %d: id %d, exact search says %d", q, j, ids[q*k+j], nb.ID)
			}
		}
	}
	truth := filepath.Join(t.TempDir(), "truth.ivecs")
	if err := texmex.WriteIvecsFile(truth, ids, k); err != nil {
		t.Fatal(err)
	}

	for _, truthPath := range []string{"", truth} {
		var log bytes.Buffer
		rep, err := Run(context.Background(), Config{
			Base: append([]float32(nil), base...), Queries: queries, Dim: dim, TruthPath: truthPath, K: k, Metric: ann.Cosine,
			M: 8, EFConstruction: 64, EFs: []int{10, 60}, Threads: 2, BuildThreads: 2, Seed: 1, Repeat: 1, Log: &log,
		})
		if err != nil {
			t.Fatal(err)
		}
		if rep.N != n || rep.Dim != dim || rep.Queries != nq || len(rep.Rows) != 2 || rep.IndexBytes <= rep.VectorBytes || rep.LoadS <= 0 || rep.SavedBytes <= 0 {
			t.Fatalf("report %+v", rep)
		}
		if r := rep.Rows[1]; r.EF != 60 || r.Recall < 0.95 || r.QPS1 <= 0 || r.QPSN <= 0 {
			t.Fatalf("ef 60 row: %+v", r)
		}
		if wantSrc := map[string]string{"": "exact scan", truth: truth}[truthPath]; rep.TruthSource != wantSrc {
			t.Errorf("truth source %q, want %q", rep.TruthSource, wantSrc)
		}
		if !strings.Contains(log.String(), "built 600 x 12") {
			t.Errorf("log %q", log.String())
		}
		var table bytes.Buffer
		rep.WriteTable(&table)
		if !strings.Contains(table.String(), "recall@10") || !strings.Contains(table.String(), "QPS 2 threads") || !strings.Contains(table.String(), "build: M 8") {
			t.Errorf("table:\n%s", table.String())
		}
	}
}

func TestRun_TruthTooShallow(t *testing.T) {
	t.Parallel()
	truth := filepath.Join(t.TempDir(), "truth.ivecs")
	if err := texmex.WriteIvecsFile(truth, []int32{0, 1}, 1); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Config{Base: []float32{1, 0, 0, 1}, Queries: []float32{1, 0, 0, 1}, Dim: 2, TruthPath: truth, K: 2,
		Metric: ann.L2, M: 4, EFConstruction: 8, EFs: []int{4}, Threads: 1, BuildThreads: 1, Repeat: 1})
	if err == nil || !strings.Contains(err.Error(), "want 2 rows of at least 2") {
		t.Fatalf("err = %v", err)
	}
}

func TestWriteDataSet_FilesAndTruth(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	err := WriteDataSet(context.Background(), dir, GenConfig{
		Config: synth.Config{N: 300, Queries: 7, Dim: 8, Clusters: 4, Rank: 3, Seed: 2, Normalize: true},
		Truth:  true, TruthK: 5, Metric: ann.Cosine, Threads: 2,
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "wrote 300 base and 7 query vectors of dimension 8") || !strings.Contains(out.String(), "top-5 of every query to truth.ivecs") {
		t.Fatalf("output %q", out.String())
	}
	base, dim, err := texmex.ReadFvecsFile(filepath.Join(dir, "base.fvecs"))
	if err != nil || dim != 8 || len(base) != 300*8 {
		t.Fatalf("base: %d floats, dim %d, %v", len(base), dim, err)
	}
	queries, _, err := texmex.ReadFvecsFile(filepath.Join(dir, "queries.fvecs"))
	if err != nil || len(queries) != 7*8 {
		t.Fatalf("queries: %d floats, %v", len(queries), err)
	}
	truth, tk, err := texmex.ReadIvecsFile(filepath.Join(dir, "truth.ivecs"))
	if err != nil || tk != 5 || len(truth) != 7*5 {
		t.Fatalf("truth: %d ids, k %d, %v", len(truth), tk, err)
	}
	flat, err := ann.NewFlat(8, ann.Cosine, base)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := flat.Search(queries[:8], 1, ann.SearchOptions{})
	if truth[0] != int32(first[0].ID) {
		t.Fatalf("truth of query 0 starts with %d, exact search says %d", truth[0], first[0].ID)
	}
}
