package store

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

// TestReadManifest_Labels: the free-form strings of a manifest are
// bounded, and one over its bound is refused as ErrCorrupt in an error
// that does not repeat it (an 8 MiB version was served by /ready and
// logged at every load).
func TestReadManifest_Labels(t *testing.T) {
	t.Parallel()
	h := strings.Repeat("ab", 32)
	long := strings.Repeat("x", 8<<20) // what the report used, within MaxManifestBytes
	tests := []struct {
		name string
		edit func(m *Manifest)
		ok   bool
	}{
		{"as written", func(*Manifest) {}, true},
		{"version of 256 bytes", func(m *Manifest) { m.Version = strings.Repeat("v", MaxVersionBytes) }, true},
		{"version with spaces and non-ASCII", func(m *Manifest) { m.Version = "release 2026-09 版" }, true},
		{"empty version", func(m *Manifest) { m.Version = "" }, true},
		{"version of 257 bytes", func(m *Manifest) { m.Version = strings.Repeat("v", MaxVersionBytes+1) }, false},
		{"version of 8 MiB", func(m *Manifest) { m.Version = long }, false},
		{"version with a line break", func(m *Manifest) { m.Version = "v1\nlevel=ERROR msg=forged" }, false},
		{"version with a NUL", func(m *Manifest) { m.Version = "v1\x00" }, false},
		{"version with an escape", func(m *Manifest) { m.Version = "v1\x1b[2J" }, false},
		{"provider of 256 bytes", func(m *Manifest) { m.Embedding.Provider = strings.Repeat("p", MaxModelNameBytes) }, true},
		{"provider of 257 bytes", func(m *Manifest) { m.Embedding.Provider = strings.Repeat("p", MaxModelNameBytes+1) }, false},
		{"model of 8 MiB", func(m *Manifest) { m.Embedding.Model = long }, false},
		{"metric of 8 MiB", func(m *Manifest) { m.Metric = long }, false},
		{"format of 8 MiB", func(m *Manifest) { m.Format = long }, false},
		{"index type of 8 MiB", func(m *Manifest) { m.Index = &IndexInfo{Type: long} }, false},
		{"quantization of 8 MiB", func(m *Manifest) { m.Index = &IndexInfo{Type: "hnsw", Quantization: long} }, false},
		{"file name of 255 bytes", func(m *Manifest) { m.Files[strings.Repeat("f", MaxFileNameBytes)] = FileInfo{Size: 1, SHA256: h} }, true},
		{"file name of 256 bytes", func(m *Manifest) { m.Files[strings.Repeat("f", MaxFileNameBytes+1)] = FileInfo{Size: 1, SHA256: h} }, false},
		{"file name of 8 MiB", func(m *Manifest) { m.Files[long] = FileInfo{Size: 1, SHA256: h} }, false},
		{"part hashes of an unlisted 8 MiB name", func(m *Manifest) {
			m.Parts = map[string]PartHashes{long: {Size: MinPartSize, SHA256: []string{h}}}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			m := Manifest{
				Format: FormatName, FormatVersion: FormatVersion, Version: "v1",
				Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 4}, Metric: "cosine", Count: 1,
				Files: map[string]FileInfo{VectorsFile: {Size: 16, SHA256: h}},
			}
			tt.edit(&m)
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadManifest(dir)
			switch {
			case tt.ok && err != nil:
				t.Fatalf("ReadManifest: %v", err)
			case !tt.ok && !errors.Is(err, ErrCorrupt):
				t.Fatalf("ReadManifest: %v, want ErrCorrupt", err)
			case err != nil && len(err.Error()) > 1024:
				t.Fatalf("ReadManifest's error is %d bytes: %.200s...", len(err.Error()), err)
			}
		})
	}
}

// TestWrite_RefusesUnreadableLabels: Write refuses, before doing any
// work, the labels ReadManifest would refuse, so a store it writes always
// opens; labels at the bounds are written and read back.
func TestWrite_RefusesUnreadableLabels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		emb     docmodel.EmbeddingModel
		ok      bool
	}{
		{"at the bounds", strings.Repeat("v", MaxVersionBytes),
			docmodel.EmbeddingModel{Provider: strings.Repeat("p", MaxModelNameBytes), Model: strings.Repeat("m", MaxModelNameBytes)}, true},
		{"long version", strings.Repeat("v", MaxVersionBytes+1), docmodel.EmbeddingModel{Provider: "hash", Model: "m"}, false},
		{"version with a tab", "v\t1", docmodel.EmbeddingModel{Provider: "hash", Model: "m"}, false},
		{"version not UTF-8", "v\xff", docmodel.EmbeddingModel{Provider: "hash", Model: "m"}, false},
		{"long provider", "v1", docmodel.EmbeddingModel{Provider: strings.Repeat("p", MaxModelNameBytes+1), Model: "m"}, false},
		{"long model", "v1", docmodel.EmbeddingModel{Provider: "hash", Model: strings.Repeat("m", MaxModelNameBytes+1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "s")
			emb := tt.emb
			emb.Dims = 4
			chunks, vecs := testData(3, 4, 1)
			_, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Version: tt.version, Embedding: emb, Exact: true})
			if !tt.ok {
				if err == nil {
					t.Fatal("Write succeeded")
				}
				if _, serr := os.Stat(dir); !os.IsNotExist(serr) {
					t.Errorf("Write left %s behind: %v", dir, serr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(context.Background(), dir, OpenOptions{})
			if err != nil {
				t.Fatalf("the store Write made does not open: %v", err)
			}
			if s.Manifest.Version != tt.version || s.Manifest.Embedding.Model != emb.Model {
				t.Errorf("read back version %q model %q", s.Manifest.Version, s.Manifest.Embedding.Model)
			}
		})
	}
}
