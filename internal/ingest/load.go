package ingest

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vendor0919/api/internal/chunk"
)

// Skipped is a document the build left out because it could not be read
// or parsed.
type Skipped struct {
	Path string // relative to the input folder
	Err  error
}

// loadDocs parses every supported file under root, as chunk.LoadDir
// does (hidden files and folders skipped, documents sorted by source),
// except that a file that fails to read or parse is recorded in skipped
// and the rest still load: one broken PDF does not stop a build.
func loadDocs(ctx context.Context, root string) (docs []chunk.Document, skipped []Skipped, err error) {
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !chunk.Supported(path) {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil {
			var doc chunk.Document
			if doc, err = chunk.Parse(rel, b); err == nil {
				docs = append(docs, doc)
				return nil
			}
		}
		skipped = append(skipped, Skipped{Path: rel, Err: err})
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("build: load %s: %w", root, err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Source < docs[j].Source })
	return docs, skipped, nil
}
