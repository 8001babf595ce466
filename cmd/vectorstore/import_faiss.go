package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

func runImportFAISS(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import-faiss", stderr)
	in := fs.String("in", "", "LangChain FAISS folder with index.faiss and index.pkl (required)")
	out := fs.String("out", "", "native store folder to write; replaced atomically (required)")
	metricName := fs.String("metric", "", "cosine, ip or l2 (default: what index.faiss records, l2 or ip)")
	provider := fs.String("provider", "", "embedding provider that made the vectors, e.g. openai")
	model := fs.String("model", "", "embedding model that made the vectors, e.g. text-embedding-3-small")
	version := fs.String("version", "", "store version label (default: the current UTC time)")
	m := fs.Int("m", 0, "HNSW M (0: ann's default)")
	efc := fs.Int("ef-construction", 0, "HNSW efConstruction (0: ann's default)")
	efs := fs.Int("ef-search", 0, "HNSW default efSearch (0: ann's default)")
	exact := fs.Bool("exact", false, "write no graph; serve with exact search")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() > 0 {
		return usageError{msg: "--in and --out are required, and nothing else"}
	}
	var metric ann.Metric
	if *metricName != "" {
		var err error
		if metric, err = ann.ParseMetric(*metricName); err != nil {
			return usageError{msg: err.Error()}
		}
	}
	if *model == "" {
		fmt.Fprintln(stderr, "vectorstore import-faiss: warning: no --model given; the store will not record which embedder it needs")
	}
	res, err := store.ImportLangChain(ctx, *in, *out, store.ImportOptions{
		Embedding: docmodel.EmbeddingModel{Provider: *provider, Model: *model}, Metric: metric,
		Version: *version, HNSW: ann.HNSWConfig{M: *m, EFConstruction: *efc, EFSearch: *efs}, Exact: *exact,
	})
	if err != nil {
		return err
	}
	man := res.Manifest
	idx := "flat"
	if man.Index != nil && man.Index.Type == "hnsw" {
		idx = fmt.Sprintf("hnsw M=%d efConstruction=%d efSearch=%d", man.Index.M, man.Index.EFConstruction, man.Index.EFSearch)
	}
	fmt.Fprintf(stdout, "imported %d chunks of %d dims (metric %s) from %s into %s\nversion %s, index %s; read %s, built and wrote %s\n",
		man.Count, man.Embedding.Dims, man.Metric, *in, *out, man.Version, idx,
		res.Read.Round(time.Millisecond), res.Write.Round(time.Millisecond))
	return nil
}
