// The store commands (inspect, verify, import-faiss): flags, then one call
// into package store, which knows the formats.

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

// parseDirArg parses flags given before or after one positional folder.
func parseDirArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", usageError{msg: "a store folder is required"}
	}
	dir := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return dir, nil
}

func runInspect(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore inspect [--json] DIR")
		fs.PrintDefaults()
	}
	dir, err := parseDirArg(fs, args)
	if err != nil {
		return err
	}
	rep, err := store.Inspect(dir)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteText(stdout)
	return nil
}

// runVerify checks every file of a store with store.Verify and prints
// each file that passed, then the store it opened.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore verify DIR")
		fs.PrintDefaults()
	}
	dir, err := parseDirArg(fs, args)
	if err != nil {
		return err
	}
	s, err := store.Verify(ctx, dir, func(name string, fi store.FileInfo) {
		fmt.Fprintf(stdout, "ok  %-14s %12d  %s\n", name, fi.Size, fi.SHA256)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok  %s store: %d chunks, %d vectors of %d dims, metric %s, index %T\n",
		s.Format, len(s.Chunks), s.Index.Len(), s.Index.Dim(), s.Index.Metric(), s.Index)
	return nil
}

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
