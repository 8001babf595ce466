// Package lcfixture writes LangChain FAISS folders for tests that need
// more rows, or other texts, than the committed fixtures (which
// python3-faiss and LangChain's own classes wrote; see
// scripts/faiss_fixtures.py): an IndexFlat index.faiss and the
// index.pkl that FAISS.save_local pickles, protocol 4, with the classes
// LangChain uses. Only tests import it.
package lcfixture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Write writes into dir (created if needed) a folder of len(vecs)/dims
// rows: Index(dims, ip, vecs) and a docstore whose document i, id "id-i",
// holds texts[i] and the metadata {"row": i}.
func Write(dir string, dims int, ip bool, vecs []float32, texts []string) error {
	return WriteMapped(dir, dims, ip, vecs, texts, nil)
}

// WriteMapped is Write with row i mapped to document docOf[i] (nil: row i
// to document i), as a docstore edited by hand or by a buggy tool can
// map it: rows sharing a document, documents no row names.
func WriteMapped(dir string, dims int, ip bool, vecs []float32, texts []string, docOf []int) error {
	le := binary.LittleEndian
	var p bytes.Buffer
	p.WriteString("\x80\x04")
	Str(&p, "langchain_community.docstore.in_memory")
	Str(&p, "InMemoryDocstore")
	p.WriteString("\x93)\x81}") // STACK_GLOBAL, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT (state)
	Str(&p, "_dict")
	p.WriteString("}(") // EMPTY_DICT, MARK
	for i, text := range texts {
		Str(&p, fmt.Sprintf("id-%d", i))
		Str(&p, "langchain_core.documents.base")
		Str(&p, "Document")
		p.WriteString("\x93)\x81}") // the Document; its state dict
		Str(&p, "__dict__")
		p.WriteString("}(")
		Str(&p, "id")
		p.WriteString("N")
		Str(&p, "metadata")
		p.WriteString("}(")
		Str(&p, "row")
		p.WriteString("J")
		p.Write(le.AppendUint32(nil, uint32(i)))
		p.WriteString("u")
		Str(&p, "page_content")
		Str(&p, text)
		Str(&p, "type")
		Str(&p, "Document")
		p.WriteString("us") // SETITEMS into __dict__, SETITEM into state
		p.WriteString("b")  // BUILD
	}
	p.WriteString("us") // SETITEMS into _dict, SETITEM into docstore state
	p.WriteString("b")  // BUILD the docstore
	p.WriteString("}(") // index_to_docstore_id
	for i := range texts {
		doc := i
		if docOf != nil {
			doc = docOf[i]
		}
		p.WriteString("J")
		p.Write(le.AppendUint32(nil, uint32(i)))
		Str(&p, fmt.Sprintf("id-%d", doc))
	}
	p.WriteString("u\x86.") // SETITEMS, TUPLE2, STOP
	return WriteFiles(dir, Index(dims, ip, vecs), p.Bytes())
}

// Index returns an index.faiss holding an IndexFlatL2, or with ip an
// IndexFlatIP, over vecs (row-major, dims floats a row).
func Index(dims int, ip bool, vecs []float32) []byte {
	le := binary.LittleEndian
	var f bytes.Buffer
	fourcc, metric := "IxF2", uint32(1)
	if ip {
		fourcc, metric = "IxFI", 0
	}
	f.WriteString(fourcc)
	f.Write(le.AppendUint32(nil, uint32(dims)))
	f.Write(le.AppendUint64(nil, uint64(len(vecs)/dims)))
	f.Write(le.AppendUint64(nil, 1<<20))
	f.Write(le.AppendUint64(nil, 1<<20))
	f.WriteByte(1)
	f.Write(le.AppendUint32(nil, metric))
	f.Write(le.AppendUint64(nil, uint64(len(vecs))))
	for _, v := range vecs {
		f.Write(le.AppendUint32(nil, math.Float32bits(v)))
	}
	return f.Bytes()
}

// Str appends s to a pickle as BINUNICODE8.
func Str(b *bytes.Buffer, s string) {
	b.WriteByte(0x8d)
	b.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(s))))
	b.WriteString(s)
}

// WriteFiles writes index.faiss and index.pkl into dir, created if needed.
func WriteFiles(dir string, index, docs []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "index.faiss"), index, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.pkl"), docs, 0o600)
}
