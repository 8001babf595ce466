package store

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// The command-line side of this package: the options of "vectorstore
// import-faiss" and the reports of inspect and verify, kept here so that
// the words and numbers printed about a store come from the package that
// knows the formats.

// ImportFlags is the command line of "vectorstore import-faiss".
type ImportFlags struct {
	In, Out, Metric, Provider, Model, Version string
	M, EFConstruction, EFSearch               int
	// HNSWWorkers is --hnsw-workers: goroutines inserting into the graph;
	// 0 means one per CPU, 1 the same graph on every import.
	HNSWWorkers int
	Exact       bool
	Quantize    string
	// Folder is --index-name, the LangChain folder's index_name.
	Folder FolderFlags
	// KeywordAnalyzers is not a flag: the caller sets the server's
	// analyzer choice (ImportOptions.KeywordAnalyzers).
	KeywordAnalyzers keyword.Chooser
	// Args are the arguments after the flags; there must be none.
	Args []string
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *ImportFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.In, "in", "", "LangChain FAISS folder with index.faiss and index.pkl, or the files --index-name names (required)")
	f.Folder.RegisterFlags(fs)
	fs.StringVar(&f.Out, "out", "", "native store folder to write; replaced atomically (required)")
	fs.StringVar(&f.Metric, "metric", "", "cosine, ip or l2 (default: what index.faiss records, l2 or ip)")
	fs.StringVar(&f.Provider, "provider", "", "embedding provider that made the vectors, e.g. openai")
	fs.StringVar(&f.Model, "model", "", "embedding model that made the vectors, e.g. text-embedding-3-small")
	fs.StringVar(&f.Version, "version", "", "store version label (default: the current UTC time)")
	fs.IntVar(&f.M, "m", 0, "HNSW M (0: ann's default)")
	fs.IntVar(&f.EFConstruction, "ef-construction", 0, "HNSW efConstruction (0: ann's default)")
	fs.IntVar(&f.EFSearch, "ef-search", 0, "HNSW default efSearch (0: ann's default)")
	fs.IntVar(&f.HNSWWorkers, "hnsw-workers", 0, "goroutines inserting into the HNSW graph (0: one per CPU; 1: the same graph from the same folder on every import, slower)")
	fs.BoolVar(&f.Exact, "exact", false, "write no graph; serve with exact search")
	fs.StringVar(&f.Quantize, "quantize", "", "\"sq8\": also store 8-bit codes (a quarter of the vector bytes) that searches walk the graph on, rescoring with the float rows; empty: float32 only")
}

// SetArgs implements cliflag.Positional.
func (f *ImportFlags) SetArgs(args []string) { f.Args = args }

// Validate checks f; its errors are cliflag.UsageErrors.
func (f ImportFlags) Validate() error {
	_, err := f.options()
	return err
}

func (f ImportFlags) options() (ImportOptions, error) {
	if f.In == "" || f.Out == "" || len(f.Args) > 0 {
		return ImportOptions{}, cliflag.Usagef("--in and --out are required, and nothing else")
	}
	if err := f.Folder.Validate(); err != nil {
		return ImportOptions{}, err
	}
	if err := CheckQuantization(f.Quantize); err != nil {
		return ImportOptions{}, cliflag.UsageError{Msg: "--quantize: " + err.Error()}
	}
	if err := CheckVersion(f.Version); err != nil {
		return ImportOptions{}, cliflag.UsageError{Msg: "--version: " + err.Error()}
	}
	if err := CheckLabels("", docmodel.EmbeddingModel{Provider: f.Provider, Model: f.Model}); err != nil {
		return ImportOptions{}, cliflag.UsageError{Msg: "--provider, --model: " + err.Error()}
	}
	if err := cliflag.InRange("--hnsw-workers", f.HNSWWorkers, 0, ann.MaxWorkers); err != nil {
		return ImportOptions{}, err
	}
	var metric ann.Metric
	if f.Metric != "" {
		var err error
		if metric, err = ann.ParseMetric(f.Metric); err != nil {
			return ImportOptions{}, cliflag.UsageError{Msg: err.Error()}
		}
	}
	return ImportOptions{
		Embedding: docmodel.EmbeddingModel{Provider: f.Provider, Model: f.Model}, Metric: metric, Version: f.Version,
		HNSW: ann.HNSWConfig{M: f.M, EFConstruction: f.EFConstruction, EFSearch: f.EFSearch, Workers: f.HNSWWorkers}, Exact: f.Exact,
		IndexName: f.Folder.Name(), Quantization: f.Quantize, KeywordAnalyzers: f.KeywordAnalyzers,
	}, nil
}

// Run validates f, warns on stderr when no model is named, imports with
// ImportLangChain and writes a two-line summary to stdout.
func (f ImportFlags) Run(ctx context.Context, stdout, stderr io.Writer) error {
	opts, err := f.options()
	if err != nil {
		return err
	}
	if f.Model == "" {
		fmt.Fprintln(stderr, "vectorstore import-faiss: warning: no --model given; the store will not record which embedder it needs")
	}
	res, err := ImportLangChain(ctx, f.In, f.Out, opts)
	if err != nil {
		return err
	}
	man := res.Manifest
	idx := "flat"
	if man.Index != nil && man.Index.Type == "hnsw" {
		idx = fmt.Sprintf("hnsw M=%d efConstruction=%d efSearch=%d", man.Index.M, man.Index.EFConstruction, man.Index.EFSearch)
		if man.Index.Quantization != "" {
			idx += " quantization=" + man.Index.Quantization
		}
	}
	fmt.Fprintf(stdout, "imported %d chunks of %d dims (metric %s) from %s into %s\nversion %s, index %s; read %s, built and wrote %s; keyword analyzer %s\n",
		man.Count, man.Embedding.Dims, man.Metric, f.In, f.Out, man.Version, idx,
		res.Read.Round(time.Millisecond), res.Write.Round(time.Millisecond), res.KeywordAnalyzer)
	return nil
}

// WriteJSON writes r as indented JSON, leaving HTML characters in chunk
// text as they are.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// VerifyText runs Verify on dir (indexName as for DetectFiles) and writes a line to w for each file
// that passed, then one for the store it opened: what "vectorstore
// verify" prints.
func VerifyText(ctx context.Context, dir, indexName string, w io.Writer) error {
	s, err := Verify(ctx, dir, indexName, func(name string, fi FileInfo) {
		fmt.Fprintf(w, "ok  %-14s %12d  %s\n", name, fi.Size, fi.SHA256)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ok  %s store: %d chunks, %d vectors of %d dims, metric %s, index %T\n",
		s.Format, s.ChunkCount(), s.Index.Len(), s.Index.Dim(), s.Index.Metric(), s.Index)
	return nil
}
