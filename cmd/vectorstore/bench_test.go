package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/ann/annbench"
	"github.com/vendor0919/api/internal/texmex"
)

func TestGenThenBench(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, errOut, code := runCmd(t, "gen", "--n", "800", "--dim", "16", "--queries", "25", "--clusters", "8", "--rank", "6", "--truth", "--truth-k", "20", "--out", dir)
	if code != 0 {
		t.Fatalf("gen exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "wrote 800 base and 25 query vectors of dimension 16") || !strings.Contains(out, "truth.ivecs") {
		t.Fatalf("gen output: %s", out)
	}
	base, dim, err := texmex.ReadFvecsFile(filepath.Join(dir, "base.fvecs"))
	if err != nil || dim != 16 || len(base) != 800*16 {
		t.Fatalf("base: %d floats, dim %d, %v", len(base), dim, err)
	}
	truth, tk, err := texmex.ReadIvecsFile(filepath.Join(dir, "truth.ivecs"))
	if err != nil || tk != 20 || len(truth) != 25*20 {
		t.Fatalf("truth: %d ids, k %d, %v", len(truth), tk, err)
	}

	for _, withTruth := range []bool{true, false} {
		args := []string{"bench", "--base", filepath.Join(dir, "base.fvecs"), "--queries", filepath.Join(dir, "queries.fvecs"),
			"--k", "10", "--m", "8", "--ef-construction", "64", "--ef", "10,40", "--threads", "2", "--build-threads", "1", "--repeat", "1", "--json"}
		// One build worker: the graph, and so the recall checked below,
		// is the same on every run (two workers insert in an order the
		// scheduler picks: a clean-clone CI run got 0.848 at ef 40).
		if withTruth {
			args = append(args, "--truth", filepath.Join(dir, "truth.ivecs"))
		}
		out, errOut, code = runCmd(t, args...)
		if code != 0 {
			t.Fatalf("bench exit %d: %s", code, errOut)
		}
		var rep annbench.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("bench JSON: %v\n%s", err, out)
		}
		if rep.N != 800 || rep.Dim != 16 || rep.Queries != 25 || len(rep.Rows) != 2 || rep.IndexBytes <= rep.VectorBytes || rep.LoadS <= 0 {
			t.Fatalf("report: %+v", rep)
		}
		if r := rep.Rows[1]; r.EF != 40 || r.Recall < 0.95 || r.QPS1 <= 0 || r.QPSN <= 0 {
			t.Fatalf("ef 40 row: %+v", r)
		}
	}

	// The table form.
	out, errOut, code = runCmd(t, "bench", "--base", filepath.Join(dir, "base.fvecs"), "--queries", filepath.Join(dir, "queries.fvecs"), "--ef", "16", "--m", "4", "--ef-construction", "20", "--repeat", "1")
	if code != 0 || !strings.Contains(out, "recall@10") || !strings.Contains(out, "build: M 4") {
		t.Fatalf("bench table exit %d: %s%s", code, out, errOut)
	}
}

func TestBenchGenUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.fvecs")
	os.WriteFile(bad, []byte{1, 0, 0}, 0o600)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gen"}, 2, "--out is required"},
		{[]string{"gen", "--out", dir, "--n", "0"}, 2, "must be positive"},
		{[]string{"gen", "--out", dir, "--metric", "hamming"}, 2, "unknown metric"},
		{[]string{"bench"}, 2, "--base and --queries are required"},
		{[]string{"bench", "--base", bad, "--queries", bad, "--ef", "x"}, 2, "--ef"},
		{[]string{"bench", "--base", bad, "--queries", bad}, 1, "truncated"},
		{[]string{"bench", "--base", filepath.Join(dir, "missing"), "--queries", bad}, 1, "no such file"},
	} {
		_, errOut, code := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
	}
}
