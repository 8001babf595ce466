package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/faiss"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/lcpickle"
)

// sampleRunes caps the sample chunk's text; a report is for people, not a
// dump.
const sampleRunes = 200

// Report describes a store folder without loading it: what "vectorstore
// inspect" prints (its --json form is this struct as is).
type Report struct {
	Dir           string              `json:"dir"`
	Format        string              `json:"format"`
	FormatVersion int                 `json:"format_version,omitempty"`
	Version       string              `json:"version,omitempty"`
	CreatedAt     *time.Time          `json:"created_at,omitempty"`
	Count         int                 `json:"count"`
	Documents     int                 `json:"documents,omitempty"` // Manifest.Documents; 0: not recorded
	Dims          int                 `json:"dims"`
	Metric        string              `json:"metric"`
	Provider      string              `json:"embedding_provider,omitempty"`
	Model         string              `json:"embedding_model,omitempty"`
	Index         *IndexInfo          `json:"index,omitempty"`
	FAISSType     string              `json:"faiss_type,omitempty"`
	Files         map[string]FileInfo `json:"files"`
	Sample        *docmodel.Chunk     `json:"sample_chunk,omitempty"`
	// IndexName is a LangChain folder's index_name (its files are
	// IndexName.faiss and IndexName.pkl).
	IndexName string `json:"index_name,omitempty"`
	// Rows compares a LangChain folder's two files; nil for a native
	// store, whose Open checks its counts.
	Rows *RowCheck `json:"rows,omitempty"`
	// KeywordAnalyzer is the analyzer version a native store's persisted
	// keyword index records, or that of the keyword index an open saved
	// beside a LangChain folder of more than ExactThreshold rows for its
	// present files: the server loads that index when its
	// KEYWORD_JAPANESE choice for the chunks is this analyzer, else
	// builds its own at start. Empty when there is none.
	KeywordAnalyzer string `json:"keyword_analyzer,omitempty"`
}

// Inspect describes the store in dir from its manifest (native) or its
// FAISS header and pickle (LangChain), with the first chunk as a sample.
// indexName is as for DetectFiles. It reads only what the description
// needs and verifies nothing (see Verify), except that it compares a
// LangChain folder's FAISS rows with its pickle (Report.Rows): a mismatch,
// which Open refuses, is reported, not returned as an error.
func Inspect(dir, indexName string) (*Report, error) {
	lay, err := Detect(dir, indexName)
	if err != nil {
		return nil, err
	}
	if lay.Format == FormatNative {
		return inspectNative(dir)
	}
	return inspectLangChain(dir, lay)
}

func inspectNative(dir string) (*Report, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	created := m.CreatedAt
	rep := &Report{
		Dir: dir, Format: FormatNative, FormatVersion: m.FormatVersion, Version: m.Version,
		CreatedAt: &created, Count: m.Count, Documents: m.Documents, Dims: m.Embedding.Dims, Metric: m.Metric,
		Provider: m.Embedding.Provider, Model: m.Embedding.Model, Index: m.Index, Files: m.Files,
	}
	if _, ok := m.Files[KeywordFile]; ok {
		rep.KeywordAnalyzer = keywordAnalyzerOf(filepath.Join(dir, KeywordFile), nil)
	}
	f, err := os.Open(filepath.Join(dir, ChunksFile))
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer f.Close()
	// A line is read through a limit: a damaged or hostile file may hold
	// no newline for gigabytes.
	line, err := bufio.NewReader(io.LimitReader(f, MaxChunkLineBytes+1)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("inspect: read %s: %w", ChunksFile, err)
	}
	if len(bytes.TrimSuffix(line, []byte("\n"))) > MaxChunkLineBytes {
		return nil, fmt.Errorf("%w: %s: line 1 is longer than the %d bytes a chunk may have", ErrCorrupt, ChunksFile, MaxChunkLineBytes)
	}
	if len(line) > 0 {
		var c docmodel.Chunk
		if err := json.Unmarshal(line, &c); err != nil {
			return nil, fmt.Errorf("%w: %s: line 1: %w", ErrCorrupt, ChunksFile, err)
		}
		rep.Sample = sample(c)
	}
	return rep, nil
}

func inspectLangChain(dir string, lay Layout) (*Report, error) {
	idxPath, pklPath := lay.langChainPaths(dir)
	idx, err := faiss.ReadFile(idxPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, idxPath, err)
	}
	ds, err := lcpickle.ReadFile(pklPath)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, pklPath, err)
	}
	rep := &Report{
		Dir: dir, Format: FormatLangChain, Count: idx.Count, Dims: idx.Dim,
		Metric:    map[faiss.MetricType]string{faiss.MetricL2: "l2", faiss.MetricInnerProduct: "ip"}[idx.Metric],
		FAISSType: idx.FourCC, Files: map[string]FileInfo{}, IndexName: lay.IndexName,
		Rows: checkRows(idx, ds),
	}
	if idx.HNSW != nil {
		rep.Index = &IndexInfo{Type: "faiss-hnsw (rebuilt at open)", M: idx.HNSW.M,
			EFConstruction: int(idx.HNSW.EFConstruction), EFSearch: int(idx.HNSW.EFSearch)}
	}
	for _, p := range []string{idxPath, pklPath} {
		fi, err := HashFile(p)
		if err != nil {
			return nil, fmt.Errorf("inspect: %w", err)
		}
		rep.Files[filepath.Base(p)] = fi
	}
	derived := newDerivedFiles(dir, lay.IndexName, rep.Files[filepath.Base(idxPath)].SHA256, rep.Files[filepath.Base(pklPath)].SHA256)
	rep.KeywordAnalyzer = derived.keywordAnalyzer()
	// The sample is the first row that has a document.
	for row := range idx.Count {
		if id, ok := ds.IndexToDocstoreID[int(idx.Label(row))]; ok {
			if doc, ok := ds.Documents[id]; ok {
				rep.Sample = sample(docmodel.Chunk{ID: id, Text: doc.PageContent, Metadata: doc.Metadata})
				break
			}
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

// WriteText writes r for people: one "name: value" line per field, the
// files with their sizes and hashes, and the sample chunk.
// keywordAnalyzerOf is the analyzer the keyword index in the file at
// path records, read after what header checks (nil: the index starts
// the file), or what is wrong with the file (inspect describes, Verify
// and the loaders check).
func keywordAnalyzerOf(path string, header func(io.Reader) error) string {
	f, err := os.Open(path)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	defer f.Close()
	if header != nil {
		if err := header(f); err != nil {
			return "unreadable: " + err.Error()
		}
	}
	v, err := keyword.AnalyzerOf(f)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	return v
}

func (r *Report) WriteText(w io.Writer) {
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
	if r.Documents > 0 {
		fmt.Fprintf(w, "documents:  %d\n", r.Documents)
	}
	fmt.Fprintf(w, "dims:       %d\n", r.Dims)
	fmt.Fprintf(w, "metric:     %s\n", r.Metric)
	if r.Provider != "" || r.Model != "" {
		fmt.Fprintf(w, "embedding:  %s %s\n", r.Provider, r.Model)
	} else {
		fmt.Fprintln(w, "embedding:  not recorded (LangChain folders name no model; configure it)")
	}
	if r.Index != nil {
		fmt.Fprintf(w, "index:      %s M=%d efConstruction=%d efSearch=%d", r.Index.Type, r.Index.M, r.Index.EFConstruction, r.Index.EFSearch)
		if r.Index.Quantization != "" {
			fmt.Fprintf(w, " quantization=%s", r.Index.Quantization)
		}
		fmt.Fprintln(w)
	}
	if r.KeywordAnalyzer != "" {
		fmt.Fprintf(w, "keywords:   %s\n", r.KeywordAnalyzer)
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
	if r.IndexName != "" {
		fmt.Fprintf(w, "index name: %s\n", r.IndexName)
	}
	if r.Rows != nil {
		r.Rows.writeText(w)
	}
	if r.Sample != nil {
		md, _ := json.Marshal(r.Sample.Metadata)
		fmt.Fprintf(w, "sample chunk:\n  id:       %s\n  text:     %s\n  metadata: %s\n", r.Sample.ID, r.Sample.Text, md)
	}
}

// Verify checks the store in dir (indexName as for DetectFiles) as
// thoroughly as this package can and
// returns it opened: what "vectorstore verify" runs. A native store's
// files are checked against the manifest one by one, then the store is
// opened (counts, chunk lines, graph); a LangChain folder is opened with
// an exact index (there is no graph to build) and its files are hashed
// on the way. ok, if not nil, is called with each file as it passes, in
// name order for a native store. The first failure is returned, wrapping
// ErrCorrupt where a file is at fault.
func Verify(ctx context.Context, dir, indexName string, ok func(name string, fi FileInfo)) (*Store, error) {
	if ok == nil {
		ok = func(string, FileInfo) {}
	}
	lay, err := Detect(dir, indexName)
	if err != nil {
		return nil, err
	}
	native := lay.Manifest != ""
	if native {
		m, err := ReadManifest(dir)
		if err != nil {
			return nil, err
		}
		if err := m.verify(dir, ok); err != nil {
			return nil, err
		}
	}
	// Open re-checks the checksums and then every count, the chunk lines
	// and the graph.
	s, err := Open(ctx, dir, OpenOptions{Exact: !native, IndexName: indexName})
	if err != nil {
		return nil, err
	}
	for _, n := range lay.Files {
		ok(n, s.Manifest.Files[n])
	}
	return s, nil
}
