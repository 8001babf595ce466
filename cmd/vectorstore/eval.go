package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/vendor0919/api/internal/rag"
)

func evalCommand() command {
	return command{name: "eval", summary: "measure retrieval quality (hit@1, hit@5, MRR) on labelled questions", run: runEval}
}

// evalReport is what eval prints with --json.
type evalReport struct {
	Store    string            `json:"store"`
	Embedder string            `json:"embedder"`
	Chunks   int               `json:"chunks"`
	Results  []rag.EvalMetrics `json:"results"`           // one per mode
	ByLang   []langMetrics     `json:"by_lang,omitempty"` // per mode and language
}

type langMetrics struct {
	Lang string `json:"lang"`
	rag.EvalMetrics
}

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	dir := fs.String("dir", "", "store folder (required)")
	qpath := fs.String("questions", "", "questions JSON file: [{id, question, lang, documents, chunks}] (required)")
	embName := fs.String("embedder", "", "use-lite or hash (default: the store's)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	vw := fs.Float64("vector-weight", 1, "hybrid RRF weight of the vector ranking")
	kw := fs.Float64("keyword-weight", 1, "hybrid RRF weight of the keyword ranking")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *qpath == "" {
		return usageError{msg: "--dir and --questions are required"}
	}
	b, err := os.ReadFile(*qpath)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	var qs []rag.EvalQuestion
	if err := json.Unmarshal(b, &qs); err != nil {
		return fmt.Errorf("eval: parse %s: %w", *qpath, err)
	}
	if len(qs) == 0 {
		return fmt.Errorf("eval: %s has no questions", *qpath)
	}
	if *vw <= 0 || *kw <= 0 {
		return usageError{msg: "--vector-weight and --keyword-weight must be positive"}
	}
	svc, st, err := openService(ctx, *dir, *embName, rag.Config{VectorWeight: *vw, KeywordWeight: *kw})
	if err != nil {
		return err
	}
	info := st.Manifest.Embedding
	rep := evalReport{Store: *dir, Embedder: info.Provider + "/" + info.Model, Chunks: len(st.Chunks)}
	langs := map[string][]int{}
	for i, q := range qs {
		langs[q.Lang] = append(langs[q.Lang], i)
	}
	langNames := make([]string, 0, len(langs))
	for l := range langs {
		langNames = append(langNames, l)
	}
	sort.Strings(langNames)
	for _, mode := range []rag.Mode{rag.ModeVector, rag.ModeKeyword, rag.ModeHybrid} {
		m, ranks, err := rag.Evaluate(ctx, svc, qs, mode)
		if err != nil {
			return err
		}
		rep.Results = append(rep.Results, m)
		if len(langNames) > 1 {
			for _, l := range langNames {
				sub := make([]int, 0, len(langs[l]))
				for _, i := range langs[l] {
					sub = append(sub, ranks[i])
				}
				rep.ByLang = append(rep.ByLang, langMetrics{Lang: l, EvalMetrics: rag.Summarize(mode, sub)})
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "store %s (%d chunks), embedder %s, %d questions\n\n", rep.Store, rep.Chunks, rep.Embedder, len(qs))
	fmt.Fprintf(stdout, "%-8s %-5s %5s %7s %7s %7s\n", "mode", "lang", "n", "hit@1", "hit@5", "MRR@10")
	row := func(mode, lang string, m rag.EvalMetrics) {
		fmt.Fprintf(stdout, "%-8s %-5s %5d %7.3f %7.3f %7.3f\n", mode, lang, m.Questions, m.HitAt1, m.HitAt5, m.MRR)
	}
	for _, m := range rep.Results {
		row(string(m.Mode), "all", m)
		for _, lm := range rep.ByLang {
			if lm.Mode == m.Mode {
				row("", lm.Lang, lm.EvalMetrics)
			}
		}
	}
	return nil
}
