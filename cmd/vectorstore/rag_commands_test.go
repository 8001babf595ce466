package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/evaluate"
	"github.com/vendor0919/api/internal/keyword"
)

// writeCorpus writes a tiny labelled corpus and question file.
func writeCorpus(t *testing.T) (corpus, questions string) {
	t.Helper()
	dir := t.TempDir()
	corpus = filepath.Join(dir, "docs")
	files := map[string]string{
		"en/charging.md": "# Charging\nA full charge takes 4.5 hours with the 4 A charger.\n",
		"en/brakes.md":   "# Brakes\nReplace brake pads thinner than 1.5 mm. Bleed the brakes yearly.\n",
		"ja/store.md":    "# 店舗\n大阪本店の定休日は水曜日です。営業時間は10時から19時までです。\n",
		"notes.txt":      "Unrelated notes about the office plants.",
	}
	for name, body := range files {
		p := filepath.Join(corpus, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	questions = filepath.Join(dir, "questions.json")
	qs := `[
	 {"id":"1","lang":"en","question":"how long does charging take","documents":["en/charging.md"]},
	 {"id":"2","lang":"en","question":"brake pads replace","documents":["en/brakes.md"]},
	 {"id":"3","lang":"ja","question":"大阪本店の定休日","documents":["ja/store.md"]}
	]`
	if err := os.WriteFile(questions, []byte(qs), 0o644); err != nil {
		t.Fatal(err)
	}
	return corpus, questions
}

// run is runCmd for tests that only look at stdout: stderr is logged on
// failure.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, errOut, code := runCmd(t, args...)
	if code != 0 {
		t.Logf("vectorstore %v: exit %d, stderr: %s", args, code, errOut)
	}
	return out, code
}

func TestBuildSearchEval_HashEmbedder(t *testing.T) {
	t.Parallel()
	corpus, questions := writeCorpus(t)
	storeDir := filepath.Join(t.TempDir(), "store")
	out, code := run(t, "build", "--in", corpus, "--out", storeDir, "--embedder", "hash", "--quiet", "--batch", "1", "--workers", "3")
	if code != 0 || !strings.Contains(out, "4 documents, 4 chunks") {
		t.Fatalf("build: exit %d, out %q", code, out)
	}
	if _, err := os.Stat(filepath.Join(storeDir, "manifest.json")); err != nil {
		t.Fatal(err)
	}

	out, code = run(t, "search", "--dir", storeDir, "--query", "brake pads", "--top-k", "2", "--json")
	if code != 0 {
		t.Fatalf("search exit %d", code)
	}
	var hits []struct {
		ID       string         `json:"id"`
		Score    float64        `json:"score"`
		Metadata map[string]any `json:"metadata"`
	}
	if err := json.Unmarshal([]byte(out), &hits); err != nil {
		t.Fatalf("search --json output %q: %v", out, err)
	}
	if len(hits) != 2 || hits[0].Metadata["source"] != "en/brakes.md" {
		t.Errorf("search hits %+v, want 2 with en/brakes.md first", hits)
	}

	out, code = run(t, "search", "--dir", storeDir, "--query", "定休日", "--mode", "keyword")
	if code != 0 || !strings.Contains(out, "ja/store.md") {
		t.Errorf("keyword search: exit %d, out %q", code, out)
	}
	out, code = run(t, "search", "--dir", storeDir, "--query", "定休日はいつですか", "--mode", "keyword", "--keyword-japanese", "kagome")
	if code != 0 || !strings.Contains(out, "ja/store.md") {
		t.Errorf("keyword search with kagome: exit %d, out %q", code, out)
	}

	out, code = run(t, "eval", "--dir", storeDir, "--questions", questions, "--json", "--baseline")
	if code != 0 {
		t.Fatalf("eval exit %d", code)
	}
	var rep evaluate.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json output %q: %v", out, err)
	}
	if len(rep.Results) != 3 || rep.Chunks != 4 || !strings.HasPrefix(rep.Embedder, "hash/") {
		t.Fatalf("report %+v", rep)
	}
	for _, m := range rep.Results {
		if m.Questions != 3 {
			t.Errorf("%s: %d questions", m.Mode, m.Questions)
		}
		if m.Mode == "keyword" && (m.HitAt1 != 1 || m.MRR != 1) {
			t.Errorf("keyword metrics %+v: every question names its document's words, want hit@1 = MRR = 1", m)
		}
	}
	if len(rep.ByLang) != 6 {
		t.Errorf("by_lang has %d rows, want 3 modes x 2 languages", len(rep.ByLang))
	}
	if rep.Baseline == nil || rep.Baseline.Mode != evaluate.BaselineMode || rep.Baseline.Questions != 3 {
		t.Errorf("baseline %+v, want the plain-BM25 row over 3 questions", rep.Baseline)
	}
	if len(rep.PerQuestion) != 3 || len(rep.PerQuestion[0].Ranks) != 4 {
		t.Errorf("per question %+v, want 3 questions ranked in 3 modes and the baseline", rep.PerQuestion)
	}
}

// TestBuild_KeywordJapaneseFlag: build takes --keyword-japanese, as
// import-faiss and push do, and indexes keywords with the analyzer it
// names (the one the server set the same way will load).
func TestBuild_KeywordJapaneseFlag(t *testing.T) {
	t.Parallel()
	corpus, _ := writeCorpus(t)
	for _, tc := range []struct {
		flag, want string
		prefix     bool // kagome's version follows its dictionary's
	}{
		{"bigram", keyword.AnalyzerVersion, false},
		{"kagome", keyword.AnalyzerVersion + "+kagome", true},
	} {
		dir := filepath.Join(t.TempDir(), tc.flag)
		if out, code := run(t, "build", "--in", corpus, "--out", dir, "--embedder", "hash", "--quiet", "--keyword-japanese", tc.flag); code != 0 {
			t.Fatalf("build --keyword-japanese %s: exit %d, out %q", tc.flag, code, out)
		}
		out, code := run(t, "inspect", "--json", dir)
		var rep struct {
			KeywordAnalyzer string `json:"keyword_analyzer"`
		}
		err := json.Unmarshal([]byte(out), &rep)
		matches := rep.KeywordAnalyzer == tc.want || tc.prefix && strings.HasPrefix(rep.KeywordAnalyzer, tc.want)
		if code != 0 || err != nil || !matches {
			t.Errorf("build --keyword-japanese %s: inspect says %q (exit %d, %v), want %q", tc.flag, rep.KeywordAnalyzer, code, err, tc.want)
		}
	}
}

func TestBuildSearchEval_UsageErrors(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"build", "--in", "x"},
		{"build", "--in", "x", "--out", "y", "--embedder", "nope"},
		{"search", "--dir", "x"},
		{"eval", "--questions", "q.json"},
		{"search", "--dir", "x", "--query", "q", "--keyword-japanese", "mecab"},
		{"eval", "--dir", "x", "--questions", "q.json", "--keyword-japanese", "mecab"},
	}
	for _, args := range tests {
		if _, code := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
