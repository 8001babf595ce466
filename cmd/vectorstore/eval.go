package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/evaluate"
	"github.com/vendor0919/api/internal/rag"
)

func runEval(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	dir := fs.String("dir", "", "store folder (required)")
	qpath := fs.String("questions", "", "questions JSON file: [{id, question, lang, documents, chunks}] (required)")
	embName := fs.String("embedder", "", "use-lite, hash, openai, bedrock or ollama (default: the store's)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	vw := fs.Float64("vector-weight", 1, "hybrid RRF weight of the vector ranking")
	kw := fs.Float64("keyword-weight", 1, "hybrid RRF weight of the keyword ranking")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" || *qpath == "" {
		return usageError{msg: "--dir and --questions are required"}
	}
	qs, err := evaluate.ReadQuestions(*qpath)
	if err != nil {
		return err
	}
	if *vw <= 0 || *kw <= 0 {
		return usageError{msg: "--vector-weight and --keyword-weight must be positive"}
	}
	svc, st, err := openService(ctx, pr, *dir, *embName, rag.Config{VectorWeight: *vw, KeywordWeight: *kw})
	if err != nil {
		return err
	}
	rep, err := evaluate.Run(ctx, svc, qs)
	if err != nil {
		return err
	}
	info := st.Manifest.Embedding
	rep.Store, rep.Embedder, rep.Chunks = *dir, info.Provider+"/"+info.Model, len(st.Chunks)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteText(stdout)
	return nil
}
