package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/vendor0919/api/internal/docmodel"
)

// Native store identity, written into every manifest.
const (
	FormatName    = "vendor0919-vectorstore"
	FormatVersion = 1
	ManifestFile  = "manifest.json"
	// MaxDims is the largest vector dimension a store may declare.
	MaxDims = 1 << 16
	// MaxManifestBytes bounds manifest.json, which is read whole: a
	// manifest lists a handful of files and their part hashes (12 KB for
	// a 1M x 384 store), so 16 MiB is generous, and a larger one is not a
	// manifest this package wrote.
	MaxManifestBytes = 16 << 20
	// MaxVersionBytes bounds a store's version label, which /ready and
	// /vectorstore serve and every load logs: a timestamp or a release
	// tag fits many times over. It must also be printable (CheckVersion).
	MaxVersionBytes = 256
	// MaxModelNameBytes bounds embedding.provider and embedding.model,
	// which errors and logs name.
	MaxModelNameBytes = 256
	// MaxFileNameBytes bounds the names of a manifest's files: Linux's
	// NAME_MAX, so no longer name could be a file in the folder.
	MaxFileNameBytes = 255
	// maxWordBytes bounds the fields whose values come from a short fixed
	// list (format, metric, index type, quantization), before an error
	// quotes one that is not on it.
	maxWordBytes = 64
)

// ErrCorrupt marks a store whose files disagree with its manifest or
// cannot be parsed. Errors wrapping it name the file (and offset, where one
// applies).
var ErrCorrupt = errors.New("store: corrupt vector store")

// FileInfo is the recorded size and SHA-256 (lower-case hex) of one file.
type FileInfo struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// IndexInfo records how the persisted ANN graph was built.
type IndexInfo struct {
	Type           string `json:"type"` // "hnsw" or "flat"
	M              int    `json:"m,omitempty"`
	EFConstruction int    `json:"ef_construction,omitempty"`
	EFSearch       int    `json:"ef_search,omitempty"`
	// Quantization is "" (searches read the float32 rows) or QuantizeSQ8:
	// the graph is walked on 8-bit codes kept in SQ8File and the best
	// candidates are rescored with the float rows.
	Quantization string `json:"quantization,omitempty"`
}

// Manifest describes a native store folder. It is written last, so a folder
// with a manifest whose files verify is complete.
type Manifest struct {
	Format        string                  `json:"format"`
	FormatVersion int                     `json:"format_version"`
	Version       string                  `json:"version"` // label chosen by the writer, e.g. 20260927T120000Z
	CreatedAt     time.Time               `json:"created_at"`
	Embedding     docmodel.EmbeddingModel `json:"embedding"`
	Metric        string                  `json:"metric"` // ann.Metric name
	Count         int                     `json:"count"`
	// Documents is how many documents the chunks came from (distinct
	// metadata source values); 0 when not recorded (stores written before
	// it, LangChain folders). Search decides by it whether keyword
	// feedback helps (rag.Config.FeedbackMinDocuments).
	Documents int                 `json:"documents,omitempty"`
	Index     *IndexInfo          `json:"index,omitempty"`
	Files     map[string]FileInfo `json:"files"`
	// Parts holds the part hashes of files larger than one part (see
	// PartHashes), by file name; optional.
	Parts map[string]PartHashes `json:"parts,omitempty"`
}

// ReadManifest reads and sanity-checks dir/manifest.json. It does not
// verify the files; see Verify.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store: read manifest: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxManifestBytes+1))
	if err != nil {
		return nil, fmt.Errorf("store: read manifest: %w", err)
	}
	if len(b) > MaxManifestBytes {
		return nil, fmt.Errorf("%w: %s: more than %d bytes", ErrCorrupt, path, MaxManifestBytes)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	// Before any of these strings is quoted in an error below: a manifest
	// within MaxManifestBytes could otherwise carry an 8 MiB version,
	// served on every /ready and logged at every load.
	if err := CheckLabels(m.Version, m.Embedding); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorrupt, path, err)
	}
	words := []struct{ field, v string }{{"format", m.Format}, {"metric", m.Metric}}
	if m.Index != nil {
		words = append(words, struct{ field, v string }{"index.type", m.Index.Type}, struct{ field, v string }{"index.quantization", m.Index.Quantization})
	}
	for _, w := range words {
		if len(w.v) > maxWordBytes {
			return nil, fmt.Errorf("%w: %s: %s is %d bytes, more than %d", ErrCorrupt, path, w.field, len(w.v), maxWordBytes)
		}
	}
	if m.Format != FormatName {
		return nil, fmt.Errorf("%w: %s: format %q, want %q", ErrCorrupt, path, m.Format, FormatName)
	}
	if m.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w: %s: format_version %d not supported (want %d)", ErrCorrupt, path, m.FormatVersion, FormatVersion)
	}
	// Bounds before anything is sized by them: ann ids are uint32, and no
	// embedder makes more than 65536 dimensions. Within them count*dims*4
	// cannot overflow.
	if m.Count < 0 || int64(m.Count) > math.MaxUint32 || m.Embedding.Dims <= 0 || m.Embedding.Dims > MaxDims {
		return nil, fmt.Errorf("%w: %s: count %d, dims %d (want 0..%d rows of 1..%d dims)",
			ErrCorrupt, path, m.Count, m.Embedding.Dims, uint64(math.MaxUint32), MaxDims)
	}
	if m.Documents < 0 || m.Documents > m.Count {
		return nil, fmt.Errorf("%w: %s: %d documents for %d chunks", ErrCorrupt, path, m.Documents, m.Count)
	}
	for name := range m.Files {
		if len(name) > MaxFileNameBytes {
			return nil, fmt.Errorf("%w: %s: a file name of %d bytes, more than %d", ErrCorrupt, path, len(name), MaxFileNameBytes)
		}
		if name == "" || name != filepath.Base(name) || name == ManifestFile || name == "." || name == ".." {
			return nil, fmt.Errorf("%w: %s: bad file name %q", ErrCorrupt, path, name)
		}
	}
	for name, p := range m.Parts {
		fi, ok := m.Files[name]
		if !ok {
			return nil, fmt.Errorf("%w: %s: part hashes for %q, which is not listed", ErrCorrupt, path, truncate(name, MaxFileNameBytes))
		}
		if err := p.check(fi.Size); err != nil {
			return nil, fmt.Errorf("%w: %s: %s: %w", ErrCorrupt, path, name, err)
		}
	}
	return &m, nil
}

// CheckVersion reports whether v may label a store (WriteOptions.Version,
// Manifest.Version): at most MaxVersionBytes bytes of printable
// characters (unicode.IsPrint: no control characters, no line breaks).
// "" passes; Write then labels the store with the time.
func CheckVersion(v string) error {
	if len(v) > MaxVersionBytes {
		return fmt.Errorf("store: version is %d bytes, more than %d", len(v), MaxVersionBytes)
	}
	for i, r := range v {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			return fmt.Errorf("store: version %q: byte %d is not a printable character", v, i)
		}
	}
	return nil
}

// CheckLabels checks the free-form strings a manifest records and errors
// and logs repeat: the version (CheckVersion) and the embedding's provider
// and model (at most MaxModelNameBytes each). Write and ReadManifest both
// apply it, so a store Write makes always opens; a builder calls it before
// the expensive work.
func CheckLabels(version string, emb docmodel.EmbeddingModel) error {
	if err := CheckVersion(version); err != nil {
		return err
	}
	if len(emb.Provider) > MaxModelNameBytes || len(emb.Model) > MaxModelNameBytes {
		return fmt.Errorf("store: embedding provider and model are %d and %d bytes, want at most %d each",
			len(emb.Provider), len(emb.Model), MaxModelNameBytes)
	}
	return nil
}

// truncate shortens s to at most n bytes, marking the cut, for an error
// message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// Verify checks that every file the manifest lists exists in dir with the
// recorded size and SHA-256. The first mismatch is returned, wrapping
// ErrCorrupt and naming the file.
func (m *Manifest) Verify(dir string) error {
	return m.verify(dir, nil)
}

// verify is Verify, calling ok (if not nil) with each file that passes.
func (m *Manifest) verify(dir string, ok func(name string, fi FileInfo)) error {
	names := make([]string, 0, len(m.Files))
	for name := range m.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		want := m.Files[name]
		got, err := HashFile(filepath.Join(dir, name))
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
		}
		if got.Size != want.Size {
			return fmt.Errorf("%w: %s: size %d, manifest says %d", ErrCorrupt, name, got.Size, want.Size)
		}
		if got.SHA256 != want.SHA256 {
			return fmt.Errorf("%w: %s: sha256 %s, manifest says %s", ErrCorrupt, name, got.SHA256, want.SHA256)
		}
		if ok != nil {
			ok(name, got)
		}
	}
	return nil
}

// HashFile returns the size and SHA-256 of the file at path.
func HashFile(path string) (FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return FileInfo{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileInfo{}, err
	}
	return FileInfo{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
