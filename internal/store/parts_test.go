package store

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestHashFileParts: each part hash is the SHA-256 of its bytes, the whole
// hash is the file's, and a file of one part records no part hashes.
func TestHashFileParts(t *testing.T) {
	t.Parallel()
	const part = MinPartSize
	tests := []struct {
		name      string
		size      int
		wantParts int // 0: none recorded
	}{
		{"empty", 0, 0},
		{"one byte", 1, 0},
		{"exactly one part", part, 0},
		{"one byte over", part + 1, 2},
		{"two and a half", 2*part + part/2, 3},
		{"exact multiple", 3 * part, 3},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(7, uint64(i)))
			data := make([]byte, tt.size)
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			p := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			fi, ph, err := HashFileParts(p, part)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size != int64(tt.size) || fi.SHA256 != sha(data) {
				t.Fatalf("FileInfo %+v, want %d bytes sha256 %s", fi, tt.size, sha(data))
			}
			if tt.wantParts == 0 {
				if ph != nil {
					t.Fatalf("part hashes for a one-part file: %+v", ph)
				}
				return
			}
			if ph == nil || ph.Size != part || len(ph.SHA256) != tt.wantParts {
				t.Fatalf("part hashes %+v, want %d of %d bytes", ph, tt.wantParts, part)
			}
			for i, got := range ph.SHA256 {
				off, n := ph.Part(i, fi.Size)
				if want := sha(data[off : off+n]); got != want {
					t.Fatalf("part %d (bytes %d+%d): %s, want %s", i, off, n, got, want)
				}
			}
			if err := ph.check(fi.Size); err != nil {
				t.Fatalf("recorded part hashes do not check: %v", err)
			}
		})
	}
}

// TestFileHasher_WriteSizesDoNotMatter: the hashes depend on the bytes
// only, not on how the writes cut them relative to the part boundaries.
func TestFileHasher_WriteSizesDoNotMatter(t *testing.T) {
	t.Parallel()
	const part = MinPartSize
	data := make([]byte, 3*part+12345)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	one := newFileHasher(part)
	_, _ = one.Write(data)
	wantFI, wantPH := one.sums()
	for _, step := range []int{1 << 10, 4093, part - 1, part, part + 7, 2*part + 1} {
		h := newFileHasher(part)
		for b := data; len(b) > 0; {
			k := min(step, len(b))
			_, _ = h.Write(b[:k])
			b = b[k:]
		}
		fi, ph := h.sums()
		if fi != wantFI || strings.Join(ph.SHA256, ",") != strings.Join(wantPH.SHA256, ",") {
			t.Fatalf("writes of %d bytes: %+v %v, want %+v %v", step, fi, ph, wantFI, wantPH)
		}
	}
}

// TestReadManifest_PartHashes: part hashes that do not describe their file
// make the manifest corrupt, before any file is read.
func TestReadManifest_PartHashes(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("ab", 32)
	const size = 2*MinPartSize + 1
	tests := []struct {
		name  string
		parts map[string]PartHashes
		ok    bool
	}{
		{"none", nil, true},
		{"good", map[string]PartHashes{VectorsFile: {Size: MinPartSize, SHA256: []string{h, h, h}}}, true},
		{"unlisted file", map[string]PartHashes{"other.bin": {Size: MinPartSize, SHA256: []string{h, h, h}}}, false},
		{"too few", map[string]PartHashes{VectorsFile: {Size: MinPartSize, SHA256: []string{h, h}}}, false},
		{"too many", map[string]PartHashes{VectorsFile: {Size: MinPartSize, SHA256: []string{h, h, h, h}}}, false},
		{"part too small", map[string]PartHashes{VectorsFile: {Size: 1 << 10, SHA256: []string{h}}}, false},
		{"part too large", map[string]PartHashes{VectorsFile: {Size: 2 * MaxPartSize, SHA256: []string{h}}}, false},
		{"zero part size", map[string]PartHashes{VectorsFile: {SHA256: []string{h}}}, false},
		{"upper-case hex", map[string]PartHashes{VectorsFile: {Size: MinPartSize, SHA256: []string{h, strings.ToUpper(h), h}}}, false},
		{"short hash", map[string]PartHashes{VectorsFile: {Size: MinPartSize, SHA256: []string{h, h[:10], h}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			m := Manifest{
				Format: FormatName, FormatVersion: FormatVersion, Version: "v",
				Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 4}, Metric: "cosine", Count: 1,
				Files: map[string]FileInfo{VectorsFile: {Size: size, SHA256: h}},
				Parts: tt.parts,
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadManifest(dir)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrCorrupt)) {
				t.Fatalf("ReadManifest: %v, want ok=%v (or ErrCorrupt)", err, tt.ok)
			}
		})
	}
}

// TestWrite_RecordsPartHashes: the writer records part hashes for a file
// of more than one part (here the vectors), and they match its bytes.
func TestWrite_RecordsPartHashes(t *testing.T) {
	t.Parallel()
	const dims = 4096 // 600 rows of 16 KiB: a vector file of more than one 8 MiB part
	dir := filepath.Join(t.TempDir(), "s")
	writeTestStore(t, dir, 600, WriteOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: dims}, Exact: true})
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	ph, ok := m.Parts[VectorsFile]
	if !ok || len(m.Parts) != 1 {
		t.Fatalf("parts %v, want the vector file's only", m.Parts)
	}
	fi, got, err := HashFileParts(filepath.Join(dir, VectorsFile), ph.Size)
	if err != nil {
		t.Fatal(err)
	}
	if fi != m.Files[VectorsFile] || strings.Join(got.SHA256, ",") != strings.Join(ph.SHA256, ",") {
		t.Fatalf("recorded %+v %v, file hashes to %+v %v", m.Files[VectorsFile], ph, fi, got)
	}
}

// TestReadManifest_TooLarge: a manifest is read whole, so one over
// MaxManifestBytes is refused without being read past the bound.
func TestReadManifest_TooLarge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := make([]byte, MaxManifestBytes+1)
	for i := range b {
		b[i] = ' ' // whitespace: valid JSON around a value, were it read whole
	}
	copy(b, `{"format":"`+FormatName+`"}`)
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("ReadManifest of %d bytes: %v, want ErrCorrupt naming the bound", len(b), err)
	}
}
