package chunk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/docmodel"
)

// ErrUnsupported marks a file type no loader handles.
var ErrUnsupported = errors.New("chunk: unsupported file type")

// Document is one loaded source file.
type Document struct {
	// Source is the slash-separated path relative to the corpus root; it
	// doubles as the document id.
	Source   string
	Title    string
	Sections []Section
}

// Section is a run of text under one heading. Text includes the heading
// line itself, so the heading is searchable.
type Section struct {
	Heading string
	Text    string
	// Page is the 1-based PDF page the text comes from; 0 for other
	// formats. A PDF gives one Section per page.
	Page int
}

// Supported reports whether Load handles files with the name's extension.
func Supported(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf":
		return true
	}
	return false
}

// Parse turns a file's content into a Document by the extension of source:
// Markdown (.md, .markdown), plain text (.txt, .text), HTML (.html, .htm)
// or PDF (.pdf). Other extensions give an error wrapping ErrUnsupported.
func Parse(source string, content []byte) (Document, error) {
	var doc Document
	var err error
	switch strings.ToLower(filepath.Ext(source)) {
	case ".md", ".markdown":
		doc = parseMarkdown(string(content))
	case ".txt", ".text":
		doc = Document{Sections: []Section{{Text: string(content)}}}
	case ".html", ".htm":
		doc, err = parseHTML(content)
	case ".pdf":
		doc, err = parsePDF(content)
	default:
		return Document{}, fmt.Errorf("%w: %s", ErrUnsupported, source)
	}
	if err != nil {
		return Document{}, fmt.Errorf("chunk: parse %s: %w", source, err)
	}
	doc.Source = filepath.ToSlash(source)
	if doc.Title == "" {
		base := filepath.Base(source)
		doc.Title = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return doc, nil
}

// LoadDir reads every supported file under root (skipping hidden files and
// folders) and returns the documents sorted by Source.
func LoadDir(ctx context.Context, root string) ([]Document, error) {
	var docs []Document
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
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
		if d.IsDir() || !Supported(path) {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := Parse(rel, b)
		if err != nil {
			return err
		}
		docs = append(docs, doc)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("chunk: load %s: %w", root, err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].Source < docs[j].Source })
	return docs, nil
}

// ID returns the stable chunk id for chunk index i of the document at
// source.
func ID(source string, i int) string {
	h := sha256.Sum256([]byte(source + "#" + strconv.Itoa(i)))
	return hex.EncodeToString(h[:8])
}

// Chunks splits every section of doc and returns its chunks in order, with
// whitespace trimmed and empty pieces dropped.
func Chunks(doc Document, opts Options) []docmodel.Chunk {
	var out []docmodel.Chunk
	for _, sec := range doc.Sections {
		for _, sp := range Split(sec.Text, opts) {
			text := strings.TrimSpace(sp.Text)
			if text == "" {
				continue
			}
			i := len(out)
			md := map[string]any{"source": doc.Source, "title": doc.Title, "chunk": i}
			if sec.Heading != "" {
				md["section"] = sec.Heading
			}
			if sec.Page > 0 {
				md["page"] = sec.Page
			}
			out = append(out, docmodel.Chunk{ID: ID(doc.Source, i), Text: text, Metadata: md})
		}
	}
	return out
}
