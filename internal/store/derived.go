package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/keyword"
)

// Files derived from a LangChain folder are kept in the folder, beside the
// files they were derived from, named and stamped with a key made of those
// files' SHA-256 and the metric: a restart (or any process that syncs the
// same files into the folder) loads them instead of spending a minute on
// the HNSW graph and seconds on the keyword index. They are a cache: one
// that does not match its key or does not decode is ignored and rebuilt,
// never trusted, and they are written atomically (fsatomic.WriteFile).
// DetectFiles ignores them, so they are never published or synced.
//
// A derived file is: magic "V0919DRV", u32 version 1, u32 kind (1 graph,
// 2 keyword index), the 32-byte key, then the payload: ann's graph format
// (WriteGraph, CRC-checked) or keyword's (WriteTo, CRC-checked).
const (
	derivedMagic   = "V0919DRV"
	derivedVersion = 1
	derivedHeader  = 8 + 4 + 4 + sha256.Size
	derivedGraph   = 1
	derivedKeyword = 2
)

// derivedFiles locates and stamps the derived files of one LangChain
// folder's content.
type derivedFiles struct {
	dir, indexName string
	key            [sha256.Size]byte
}

// newDerivedFiles keys the derived files of the LangChain folder in dir
// whose files have the given checksums, served with metric.
func newDerivedFiles(dir, indexName, indexSHA, docsSHA string, metric ann.Metric) *derivedFiles {
	return &derivedFiles{dir: dir, indexName: indexName,
		key: sha256.Sum256([]byte(indexSHA + ":" + docsSHA + ":" + metric.String()))}
}

// path is where the derived file of kind lives.
func (d *derivedFiles) path(kind uint32) string {
	ext := map[uint32]string{derivedGraph: "hnsw", derivedKeyword: "bm25"}[kind]
	return filepath.Join(d.dir, fmt.Sprintf(".%s.%s.%s", d.indexName, hex.EncodeToString(d.key[:8]), ext))
}

func (d *derivedFiles) header(kind uint32) []byte {
	h := make([]byte, 0, derivedHeader)
	h = append(h, derivedMagic...)
	h = binary.LittleEndian.AppendUint32(h, derivedVersion)
	h = binary.LittleEndian.AppendUint32(h, kind)
	return append(h, d.key[:]...)
}

// errDerived reports a derived file that does not belong to the folder.
var errDerived = errors.New("store: derived file does not match")

// checkHeader reports whether b starts with the header of kind for d.
func (d *derivedFiles) checkHeader(b []byte, kind uint32) error {
	if len(b) < derivedHeader || !bytes.Equal(b[:derivedHeader], d.header(kind)) {
		return errDerived
	}
	return nil
}

// save writes payload under the header of kind, atomically; best effort
// (a read-only folder means the next start builds again).
func (d *derivedFiles) save(kind uint32, fill func(w io.Writer) error) {
	var buf bytes.Buffer
	buf.Write(d.header(kind))
	if fill(&buf) != nil {
		return
	}
	_ = fsatomic.WriteFile(d.path(kind), buf.Bytes(), 0o644)
}

// loadGraph reads the derived graph over vectors (ownership passes to the
// graph only on success), or returns nil when there is none that fits.
func (d *derivedFiles) loadGraph(dims int, metric ann.Metric, vectors []float32) *ann.HNSW {
	f, err := os.Open(d.path(derivedGraph))
	if err != nil {
		return nil
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	hdr := make([]byte, derivedHeader)
	if _, err := io.ReadFull(r, hdr); err != nil || d.checkHeader(hdr, derivedGraph) != nil {
		return nil
	}
	h, err := ann.ReadHNSW(r, dims, metric, vectors)
	if err != nil {
		return nil
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		return nil
	}
	return h
}

// saveDerivedGraph keeps h for the next open of the same files.
func (s *Store) saveDerivedGraph(h *ann.HNSW) {
	if s.derived == nil || h == nil {
		return
	}
	s.derived.save(derivedGraph, func(w io.Writer) error { _, err := h.WriteGraph(w); return err })
}

// saveDerivedKeyword keeps a LangChain folder's keyword index.
func (s *Store) saveDerivedKeyword(ix *keyword.Index) {
	if s.derived == nil {
		return
	}
	s.derived.save(derivedKeyword, func(w io.Writer) error { _, err := ix.WriteTo(w); return err })
}

// loadDerivedKeyword returns the LangChain folder's saved keyword index
// for an, or nil. The file is read onto the heap, not mapped: the index
// points into the bytes, which keeps them alive as long as it lives.
func (s *Store) loadDerivedKeyword(an keyword.Analyzer) *keyword.Index {
	if s.derived == nil {
		return nil
	}
	b, err := os.ReadFile(s.derived.path(derivedKeyword))
	if err != nil || s.derived.checkHeader(b, derivedKeyword) != nil {
		return nil
	}
	// Not covered by any manifest: the file's own checksum is checked.
	ix, err := keyword.Decode(b[derivedHeader:], an, keyword.DecodeOptions{})
	if err != nil || ix.Len() != s.ChunkCount() {
		return nil
	}
	return ix
}
