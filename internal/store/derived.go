package store

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
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
// 2 keyword index, 3 chunks), the 32-byte key, then the payload: ann's
// graph format (WriteGraph, CRC-checked), keyword's (WriteTo,
// CRC-checked), or the chunks as a native store keeps them: u64 count, u64
// bytes, the JSON lines, padding to 8, the chunk offsets (chunks.idx's
// format), and a CRC-32C of the payload. With the chunks saved, a later
// open of unchanged files reads no pickle at all: the chunks are mapped
// and decoded on demand like a native store's.
const (
	derivedMagic   = "V0919DRV"
	derivedVersion = 1
	derivedHeader  = 8 + 4 + 4 + sha256.Size
	derivedGraph   = 1
	derivedKeyword = 2
	derivedChunks  = 3
)

// derivedFiles locates and stamps the derived files of one LangChain
// folder's content.
type derivedFiles struct {
	dir, indexName string
	key            [sha256.Size]byte
}

// newDerivedFiles keys the derived files of the LangChain folder in dir
// whose files have the given checksums. The metric is not part of the key:
// a graph records its own, and ReadHNSW refuses one made for another.
func newDerivedFiles(dir, indexName, indexSHA, docsSHA string) *derivedFiles {
	return &derivedFiles{dir: dir, indexName: indexName,
		key: sha256.Sum256([]byte(indexSHA + ":" + docsSHA))}
}

// path is where the derived file of kind lives.
func (d *derivedFiles) path(kind uint32) string {
	ext := map[uint32]string{derivedGraph: "hnsw", derivedKeyword: "bm25", derivedChunks: "chunks"}[kind]
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
	// What a process killed mid-save left (fsatomic's ".NAME.tmp-*"): at
	// a million chunks a gigabyte each, and nothing else removes them. A
	// save running in another process loses its file, which is only a
	// cache.
	ext := filepath.Ext(d.path(kind))
	temps, _ := filepath.Glob(filepath.Join(d.dir, ".."+d.indexName+".*"+ext+".tmp-*"))
	for _, p := range temps {
		_ = os.Remove(p)
	}
	var buf bytes.Buffer
	buf.Write(d.header(kind))
	if fill(&buf) != nil {
		return
	}
	if fsatomic.WriteFile(d.path(kind), buf.Bytes(), 0o644) != nil {
		return
	}
	// Files of this kind made for earlier contents of the folder are
	// stale: remove them so they do not pile up.
	stale, _ := filepath.Glob(filepath.Join(d.dir, "."+d.indexName+".*"+ext))
	for _, p := range stale {
		if p != d.path(kind) {
			_ = os.Remove(p)
		}
	}
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
	if s.derived == nil || s.ChunkCount() <= ExactThreshold {
		return // small folders index fast; nothing is written beside them
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

// keywordAnalyzer is the analyzer the saved keyword index records, ""
// when there is none for these files, or what is wrong with it. It reads
// only the headers (inspect describes; loadDerivedKeyword decides).
func (d *derivedFiles) keywordAnalyzer() string {
	path := d.path(derivedKeyword)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return ""
	}
	return keywordAnalyzerOf(path, func(r io.Reader) error {
		head := make([]byte, derivedHeader)
		if _, err := io.ReadFull(r, head); err != nil {
			return err
		}
		return d.checkHeader(head, derivedKeyword)
	})
}

// saveChunks keeps the chunks read from the pickle, in row order, unless
// one of them could not be read back the same (an empty id, a value JSON
// cannot hold such as NaN): then the pickle is read every time.
func (d *derivedFiles) saveChunks(chunks []docmodel.Chunk) {
	var data bytes.Buffer
	offs, err := writeChunks(&data, chunks)
	if err != nil || slices.ContainsFunc(chunks, func(c docmodel.Chunk) bool { return c.ID == "" }) {
		return
	}
	d.save(derivedChunks, func(w io.Writer) error {
		crc := crc32.New(castagnoli)
		mw := io.MultiWriter(w, crc)
		var n [16]byte
		binary.LittleEndian.PutUint64(n[0:], uint64(len(chunks)))
		binary.LittleEndian.PutUint64(n[8:], uint64(data.Len()))
		if _, err := mw.Write(n[:]); err != nil {
			return err
		}
		if _, err := mw.Write(data.Bytes()); err != nil {
			return err
		}
		if _, err := mw.Write(make([]byte, pad8(data.Len()))); err != nil {
			return err
		}
		if err := writeChunkIndex(mw, offs); err != nil {
			return err
		}
		_, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32()))
		return err
	})
}

func pad8(n int) int { return (8 - n%8) % 8 }

// loadChunks maps the saved chunks of a folder with count rows, or returns
// nil when there are none that check out (header, sizes, CRC, offsets).
func (d *derivedFiles) loadChunks(ctx context.Context, count int, budget int64) *chunkTable {
	m, id, err := mapFileID(d.path(derivedChunks))
	if err != nil {
		return nil
	}
	// What these chunks cost served, as a native store's (textBytes), with
	// the saved keyword index if there is one. Over the budget the saved
	// file is not used: the pickle is read instead, and refused by its own
	// budget check if the folder is indeed too large.
	var kwSize int64
	if st, err := os.Stat(d.path(derivedKeyword)); err == nil {
		kwSize = st.Size()
	}
	if textBytes(id.Size, kwSize) > budget {
		return nil
	}
	t, err := decodeDerivedChunks(ctx, m, d.header(derivedChunks), count)
	if err != nil {
		return nil
	}
	return t
}

// decodeDerivedChunks checks the derived chunks file in m against header
// and count and returns its table.
func decodeDerivedChunks(ctx context.Context, m *mapping, header []byte, count int) (*chunkTable, error) {
	b := m.data
	if len(b) < len(header)+16+4 || !bytes.Equal(b[:len(header)], header) {
		return nil, errDerived
	}
	p := b[len(header):]
	body, sum := p[:len(p)-4], binary.LittleEndian.Uint32(p[len(p)-4:])
	if crc, err := checksumContext(ctx, body); err != nil {
		return nil, err
	} else if crc != sum {
		return nil, errDerived
	}
	n, size := binary.LittleEndian.Uint64(body[0:]), binary.LittleEndian.Uint64(body[8:])
	if n != uint64(count) || size > uint64(len(body)-16) {
		return nil, errDerived
	}
	data := body[16 : 16+size]
	rest := uint64(len(body)-16) - size
	pad := uint64(pad8(int(size)))
	if pad > rest {
		return nil, errDerived
	}
	rest -= pad
	offs, err := decodeChunkIndex(body[uint64(len(body))-rest:], count, int64(size))
	if err != nil {
		return nil, err
	}
	return &chunkTable{src: m, data: data, offs: offs}, nil
}

// checksumContext returns the CRC-32C of b, checking ctx every MiB: a saved
// chunks file of a large folder is hundreds of MB.
func checksumContext(ctx context.Context, b []byte) (uint32, error) {
	var crc uint32
	const step = 1 << 20
	for off := 0; off < len(b); off += step {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		crc = crc32.Update(crc, castagnoli, b[off:min(off+step, len(b))])
	}
	return crc, nil
}
