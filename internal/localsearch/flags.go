package localsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/rag"
)

// maxVectorBytes caps a --vector file: 4,096 dims of full-precision JSON
// numbers take about 100 KB.
const maxVectorBytes = 16 << 20

// SearchFlags is the command line of "vectorstore search"; the embedder's
// flags belong to its package (providers.EmbedderFlags), the folder's
// index name to package store (store.FolderFlags).
type SearchFlags struct {
	Dir, Query, Mode string
	// Vector is --vector: a JSON array of numbers, or @PATH to read one
	// from a file; VectorFile is --vector-file PATH. Either replaces
	// --query: the search is by that vector alone (vector mode).
	Vector, VectorFile string
	TopK               int
	JSON               bool
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *SearchFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "dir", "", "store folder (required)")
	fs.StringVar(&f.Query, "query", "", "text to search for (required unless --vector or --vector-file is given)")
	fs.StringVar(&f.Vector, "vector", "", "search by this raw query vector instead of --query: a JSON array such as [0.1,-0.2,...], or @FILE holding one; its length must be the store's dims")
	fs.StringVar(&f.VectorFile, "vector-file", "", "search by the raw query vector in this JSON file (as --vector @FILE)")
	fs.IntVar(&f.TopK, "top-k", 5, "number of hits")
	fs.StringVar(&f.Mode, "mode", string(rag.ModeHybrid), "hybrid, vector or keyword (a raw vector searches in vector mode)")
	fs.BoolVar(&f.JSON, "json", false, "print hits as JSON")
}

// Validate checks f, reading and checking the raw vector if one is given;
// its errors are cliflag.UsageErrors. Top-k and mode are checked by the
// search itself, the vector's length against the store by Run.
func (f SearchFlags) Validate() error {
	raw := f.Vector != "" || f.VectorFile != ""
	switch {
	case f.Dir == "" || (!raw && strings.TrimSpace(f.Query) == ""):
		return cliflag.Usagef("--dir and --query are required")
	case f.Vector != "" && f.VectorFile != "":
		return cliflag.Usagef("--vector and --vector-file are mutually exclusive")
	case raw && f.Query != "":
		return cliflag.Usagef("--query and --vector (or --vector-file) are mutually exclusive: a raw vector is searched by itself")
	case raw && rag.Mode(f.Mode) == rag.ModeKeyword:
		return cliflag.Usagef("--vector searches in vector mode; --mode keyword needs --query")
	}
	if raw {
		_, err := f.QueryVector()
		return err
	}
	return nil
}

// QueryVector returns the raw query vector --vector or --vector-file
// gives, or nil when neither is set. A vector that is not a non-empty
// JSON array of numbers that fit a float32 is a cliflag.UsageError naming
// the flag.
func (f SearchFlags) QueryVector() ([]float32, error) {
	name, src := "--vector", f.Vector
	var data []byte
	switch {
	case f.VectorFile != "":
		name = "--vector-file"
		b, err := readVectorFile(f.VectorFile)
		if err != nil {
			return nil, cliflag.Usagef("%s: %v", name, err)
		}
		data = b
	case strings.HasPrefix(src, "@"):
		b, err := readVectorFile(src[1:])
		if err != nil {
			return nil, cliflag.Usagef("%s: %v", name, err)
		}
		data = b
	case src != "":
		data = []byte(src)
	default:
		return nil, nil
	}
	vec, err := parseVector(data)
	if err != nil {
		return nil, cliflag.Usagef("%s: %v", name, err)
	}
	return vec, nil
}

// readVectorFile reads a vector file of at most maxVectorBytes.
func readVectorFile(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, maxVectorBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxVectorBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxVectorBytes)
	}
	return b, nil
}

// parseVector decodes a JSON array of numbers into float32s. NaN and
// infinities cannot be written in JSON; numbers beyond float32's range
// are refused rather than turned into infinities.
func parseVector(data []byte) ([]float32, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var nums []json.Number
	if err := dec.Decode(&nums); err != nil {
		return nil, fmt.Errorf("want a JSON array of numbers such as [0.1,-0.2]: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("want one JSON array of numbers, found more after it")
	}
	if len(nums) == 0 {
		return nil, fmt.Errorf("want a non-empty JSON array of numbers, got %s", bytes.TrimSpace(data))
	}
	vec := make([]float32, len(nums))
	for i, n := range nums {
		v, err := n.Float64()
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || math.Abs(v) > math.MaxFloat32 {
			return nil, fmt.Errorf("element %d (%s) is not a finite float32", i, n)
		}
		vec[i] = float32(v)
	}
	return vec, nil
}

// Run searches svc as f asks and returns the hits. A raw vector whose
// length is not the store's dims is a cliflag.UsageError.
func (f SearchFlags) Run(ctx context.Context, svc *rag.Service) (Hits, error) {
	vec, err := f.QueryVector()
	if err != nil {
		return nil, err
	}
	req := rag.SearchRequest{Query: f.Query, TopK: f.TopK, Mode: rag.Mode(f.Mode)}
	if vec != nil {
		if st := svc.Snapshot(); st != nil && len(vec) != st.Index.Dim() {
			return nil, cliflag.Usagef("the query vector has %d dims, the store's vectors %d", len(vec), st.Index.Dim())
		}
		req.Query, req.Vector, req.Mode = "", vec, rag.ModeVector
	}
	res, err := svc.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}

// Hits are search hits that print themselves with WriteHits and
// WriteHitsJSON.
type Hits []rag.Hit

// WriteText writes h with WriteHits.
func (h Hits) WriteText(w io.Writer) { WriteHits(w, h) }

// WriteJSON writes h with WriteHitsJSON.
func (h Hits) WriteJSON(w io.Writer) error { return WriteHitsJSON(w, h) }
