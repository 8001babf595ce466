package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/faiss"
	"github.com/vendor0919/api/internal/lcpickle"
	"github.com/vendor0919/api/internal/store"
)

func inspectCommand() command {
	return command{name: "inspect", summary: "describe a vector store folder (native or LangChain FAISS)", run: runInspect}
}

// sampleRunes caps the sample chunk's text; inspect is for people, not a dump.
const sampleRunes = 200

// inspectReport is what inspect prints (--json prints it as is).
type inspectReport struct {
	Dir           string                    `json:"dir"`
	Format        string                    `json:"format"`
	FormatVersion int                       `json:"format_version,omitempty"`
	Version       string                    `json:"version,omitempty"`
	CreatedAt     *time.Time                `json:"created_at,omitempty"`
	Count         int                       `json:"count"`
	Dims          int                       `json:"dims"`
	Metric        string                    `json:"metric"`
	Provider      string                    `json:"embedding_provider,omitempty"`
	Model         string                    `json:"embedding_model,omitempty"`
	Index         *store.IndexInfo          `json:"index,omitempty"`
	FAISSType     string                    `json:"faiss_type,omitempty"`
	Files         map[string]store.FileInfo `json:"files"`
	Sample        *docmodel.Chunk           `json:"sample_chunk,omitempty"`
}

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

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
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
	var rep *inspectReport
	if _, statErr := os.Stat(filepath.Join(dir, store.ManifestFile)); statErr == nil {
		rep, err = inspectNative(dir)
	} else {
		rep, err = inspectLangChain(dir)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printReport(stdout, rep)
	return nil
}

func inspectNative(dir string) (*inspectReport, error) {
	m, err := store.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	created := m.CreatedAt
	rep := &inspectReport{
		Dir: dir, Format: store.FormatNative, FormatVersion: m.FormatVersion, Version: m.Version,
		CreatedAt: &created, Count: m.Count, Dims: m.Embedding.Dims, Metric: m.Metric,
		Provider: m.Embedding.Provider, Model: m.Embedding.Model, Index: m.Index, Files: m.Files,
	}
	f, err := os.Open(filepath.Join(dir, store.ChunksFile))
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("inspect: read %s: %w", store.ChunksFile, err)
	}
	if len(line) > 0 {
		var c docmodel.Chunk
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("%w: %s: line 1: %w", store.ErrCorrupt, store.ChunksFile, err)
		}
		rep.Sample = sample(c)
	}
	return rep, nil
}

func inspectLangChain(dir string) (*inspectReport, error) {
	idxPath := filepath.Join(dir, store.LangChainIndexFile)
	pklPath := filepath.Join(dir, store.LangChainDocsFile)
	idx, err := faiss.ReadFile(idxPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s has neither %s nor %s", store.ErrNoStore, dir, store.ManifestFile, store.LangChainIndexFile)
		}
		return nil, fmt.Errorf("%w: %s: %w", store.ErrCorrupt, idxPath, err)
	}
	ds, err := lcpickle.ReadFile(pklPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", store.ErrCorrupt, pklPath, err)
	}
	rep := &inspectReport{
		Dir: dir, Format: store.FormatLangChain, Count: idx.Count, Dims: idx.Dim,
		Metric:    map[faiss.MetricType]string{faiss.MetricL2: "l2", faiss.MetricInnerProduct: "ip"}[idx.Metric],
		FAISSType: idx.FourCC, Files: map[string]store.FileInfo{},
	}
	if idx.HNSW != nil {
		rep.Index = &store.IndexInfo{Type: "faiss-hnsw (rebuilt at open)", M: idx.HNSW.M,
			EFConstruction: int(idx.HNSW.EFConstruction), EFSearch: int(idx.HNSW.EFSearch)}
	}
	for _, p := range []string{idxPath, pklPath} {
		fi, err := store.HashFile(p)
		if err != nil {
			return nil, fmt.Errorf("inspect: %w", err)
		}
		rep.Files[filepath.Base(p)] = fi
	}
	if id, ok := ds.IndexToDocstoreID[0]; ok {
		if doc, ok := ds.Documents[id]; ok {
			rep.Sample = sample(docmodel.Chunk{ID: id, Text: doc.PageContent, Metadata: doc.Metadata})
		}
	}
	return rep, nil
}

// sample returns c with its text cut to sampleRunes runes.
func sample(c docmodel.Chunk) *docmodel.Chunk {
	if utf8.RuneCountInString(c.Text) > sampleRunes {
		r := []rune(c.Text)
		c.Text = string(r[:sampleRunes]) + "…"
	}
	return &c
}

func printReport(w io.Writer, r *inspectReport) {
	fmt.Fprintf(w, "folder:     %s\n", r.Dir)
	fmt.Fprintf(w, "format:     %s", r.Format)
	if r.FormatVersion != 0 {
		fmt.Fprintf(w, " v%d", r.FormatVersion)
	}
	if r.FAISSType != "" {
		fmt.Fprintf(w, " (FAISS %s)", r.FAISSType)
	}
	fmt.Fprintln(w)
	if r.Version != "" {
		fmt.Fprintf(w, "version:    %s\n", r.Version)
	}
	if r.CreatedAt != nil {
		fmt.Fprintf(w, "created:    %s\n", r.CreatedAt.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "count:      %d\n", r.Count)
	fmt.Fprintf(w, "dims:       %d\n", r.Dims)
	fmt.Fprintf(w, "metric:     %s\n", r.Metric)
	if r.Provider != "" || r.Model != "" {
		fmt.Fprintf(w, "embedding:  %s %s\n", r.Provider, r.Model)
	} else {
		fmt.Fprintln(w, "embedding:  not recorded (LangChain folders name no model; configure it)")
	}
	if r.Index != nil {
		fmt.Fprintf(w, "index:      %s M=%d efConstruction=%d efSearch=%d\n", r.Index.Type, r.Index.M, r.Index.EFConstruction, r.Index.EFSearch)
	}
	names := make([]string, 0, len(r.Files))
	for n := range r.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "files:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %12d  %s\n", n, r.Files[n].Size, r.Files[n].SHA256)
	}
	if r.Sample != nil {
		md, _ := json.Marshal(r.Sample.Metadata)
		fmt.Fprintf(w, "sample chunk:\n  id:       %s\n  text:     %s\n  metadata: %s\n", r.Sample.ID, r.Sample.Text, md)
	}
}
