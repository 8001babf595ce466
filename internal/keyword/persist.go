package keyword

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"slices"
	"unsafe"
)

// The persisted index format (see WriteTo). Every integer is little-endian.
const (
	fileMagic   = "VKWBM25\x00"
	fileVersion = 1
	// MaxAnalyzerVersion bounds the analyzer version a file may record.
	maxAnalyzerVersion = 1024
	// maxTermBytes bounds one term; analyzers make words, not documents.
	maxTermBytes = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrFormat reports bytes that are not a persisted index Decode can read:
// bad magic or version, a count or offset out of bounds, a checksum
// mismatch. Errors wrapping it say which field and at what offset.
var ErrFormat = errors.New("keyword: bad index file")

// ErrAnalyzer reports a persisted index built with other analysis rules
// than the analyzer it is loaded with: rebuild it from the texts.
var ErrAnalyzer = errors.New("keyword: index made by another analyzer")

// WriteTo writes the index in its persisted form, which Decode reads
// back. The layout, every section 8-byte aligned:
//
//	magic "VKWBM25\0", u32 version 1, u32 L, L bytes of analyzer version
//	u32 docs, u32 terms, u64 total tokens, u64 postings
//	u32 document lengths [docs]
//	u32 term end offsets into the term bytes [terms], u64 posting end
//	   offsets [terms] (terms sorted bytewise)
//	term bytes
//	postings [postings] {u32 doc, u32 tf}, each term's by ascending doc
//	u32 CRC-32C of everything before
//
// Postings are laid out as Index keeps them in memory, so Decode can use
// the bytes in place.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	defer runtime.KeepAlive(ix) // ix.owner: the mapped terms and postings
	terms := make([]string, 0, len(ix.postings))
	var termBytes, nPost uint64
	for t, ps := range ix.postings {
		terms = append(terms, t)
		termBytes += uint64(len(t))
		nPost += uint64(len(ps))
	}
	slices.Sort(terms)
	var total uint64
	for _, l := range ix.docLen {
		total += uint64(l)
	}
	pw := &persistWriter{w: w, crc: crc32.New(castagnoli)}
	ver := ix.an.Version()
	pw.bytes([]byte(fileMagic))
	pw.u32(fileVersion)
	pw.u32(uint32(len(ver)))
	pw.bytes([]byte(ver))
	pw.pad()
	pw.u32(uint32(len(ix.docLen)))
	pw.u32(uint32(len(terms)))
	pw.u64(total)
	pw.u64(nPost)
	for _, l := range ix.docLen {
		pw.u32(l)
	}
	pw.pad()
	var end uint64
	for _, t := range terms {
		end += uint64(len(t))
		pw.u32(uint32(end))
	}
	pw.pad()
	end = 0
	for _, t := range terms {
		end += uint64(len(ix.postings[t]))
		pw.u64(end)
	}
	for _, t := range terms {
		pw.bytes([]byte(t))
	}
	pw.pad()
	var buf [8]byte
	for _, t := range terms {
		for _, p := range ix.postings[t] {
			binary.LittleEndian.PutUint32(buf[0:], p.doc)
			binary.LittleEndian.PutUint32(buf[4:], p.tf)
			pw.bytes(buf[:])
		}
	}
	binary.LittleEndian.PutUint32(buf[:4], pw.crc.Sum32())
	if pw.err == nil {
		_, pw.err = w.Write(buf[:4])
		pw.n += 4
	}
	return pw.n, pw.err
}

type persistWriter struct {
	w   io.Writer
	crc hashWriter
	n   int64
	err error
}

type hashWriter interface {
	io.Writer
	Sum32() uint32
}

func (p *persistWriter) bytes(b []byte) {
	if p.err != nil {
		return
	}
	_, p.err = p.w.Write(b)
	_, _ = p.crc.Write(b) // a hash never fails
	p.n += int64(len(b))
}

func (p *persistWriter) u32(v uint32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	p.bytes(b[:])
}

func (p *persistWriter) u64(v uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	p.bytes(b[:])
}

func (p *persistWriter) pad() {
	var zero [8]byte
	if r := p.n % 8; r != 0 {
		p.bytes(zero[:8-r])
	}
}

// DecodeOptions tunes Decode.
type DecodeOptions struct {
	// SkipChecksum skips the CRC-32C over the whole file, for bytes whose
	// integrity the caller has already established (a store file whose
	// SHA-256 was verified): checking it reads every page of the file.
	SkipChecksum bool
	// Owner is the value whose cleanup releases b's memory (a read-only
	// file mapping): the index holds it, so b stays valid as long as the
	// index is reachable and while any of its methods runs. Without it
	// the caller keeps b valid for as long as it uses the index.
	Owner any
}

// AnalyzerOf returns the analyzer version a persisted index records,
// reading only its header from r: what inspect shows, without the index.
func AnalyzerOf(r io.Reader) (string, error) {
	var head [16]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return "", fmt.Errorf("%w: header: %w", ErrFormat, err)
	}
	d := &decoder{b: head[:]}
	if string(d.take(8, "magic")) != fileMagic {
		return "", d.fail(0, "bad magic")
	}
	if v := d.u32("version"); v != fileVersion {
		return "", d.fail(8, fmt.Sprintf("version %d, want %d", v, fileVersion))
	}
	vl := d.u32("analyzer version length")
	if vl > maxAnalyzerVersion {
		return "", d.fail(12, fmt.Sprintf("analyzer version of %d bytes", vl))
	}
	ver := make([]byte, vl)
	if _, err := io.ReadFull(r, ver); err != nil {
		return "", fmt.Errorf("%w: analyzer version: %w", ErrFormat, err)
	}
	return string(ver), nil
}

// Decode returns the index persisted in b by WriteTo, for queries analysed
// by an. Every count and offset is checked against len(b) before it is
// used, so any input yields an index or an error wrapping ErrFormat, never
// a panic or an allocation beyond a small multiple of len(b). An index
// recorded with another analyzer version gives ErrAnalyzer.
//
// On little-endian machines the index keeps b: its terms and postings are
// read in place (b may be a read-only memory mapping, which must outlive
// the index: see DecodeOptions.Owner), and b must not be modified. The document ids of postings are
// not checked one by one here; Search ignores any beyond Len.
func Decode(b []byte, an Analyzer, opts DecodeOptions) (*Index, error) {
	d := &decoder{b: b}
	if string(d.take(8, "magic")) != fileMagic {
		return nil, d.fail(0, "bad magic")
	}
	if v := d.u32("version"); d.err == nil && v != fileVersion {
		return nil, d.fail(8, fmt.Sprintf("version %d, want %d", v, fileVersion))
	}
	vl := d.u32("analyzer version length")
	if d.err == nil && vl > maxAnalyzerVersion {
		return nil, d.fail(12, fmt.Sprintf("analyzer version of %d bytes", vl))
	}
	ver := string(d.take(int(vl), "analyzer version"))
	d.align()
	nDocs, nTerms := d.u32("document count"), d.u32("term count")
	total, nPost := d.u64("token count"), d.u64("posting count")
	if d.err != nil {
		return nil, d.err
	}
	if !opts.SkipChecksum {
		if len(b) < 4 {
			return nil, d.fail(0, "no checksum")
		}
		if got, want := crc32.Checksum(b[:len(b)-4], castagnoli), binary.LittleEndian.Uint32(b[len(b)-4:]); got != want {
			return nil, d.fail(int64(len(b)-4), fmt.Sprintf("checksum %08x, computed %08x", want, got))
		}
	}
	if ver != an.Version() {
		return nil, fmt.Errorf("%w: file %q, analyzer %q", ErrAnalyzer, ver, an.Version())
	}
	// Each count must fit in what is left, so nothing below allocates more
	// than the input's size.
	rest := uint64(len(b) - d.off)
	if uint64(nDocs)*4 > rest || uint64(nTerms)*12 > rest || nPost > rest/8 {
		return nil, d.fail(int64(d.off), fmt.Sprintf("%d documents, %d terms, %d postings do not fit in %d bytes", nDocs, nTerms, nPost, rest))
	}
	ix := &Index{an: an, postings: make(map[string][]posting, nTerms), docLen: make([]uint32, nDocs), owner: opts.Owner}
	var sum uint64
	for i := range ix.docLen {
		ix.docLen[i] = d.u32("document length")
		sum += uint64(ix.docLen[i])
	}
	d.align()
	if d.err == nil && sum != total {
		return nil, d.fail(int64(d.off), fmt.Sprintf("document lengths sum to %d, header says %d", sum, total))
	}
	termEnds := d.take(int(nTerms)*4, "term offsets")
	d.align()
	postEnds := d.take(int(nTerms)*8, "posting offsets")
	if d.err != nil {
		return nil, d.err
	}
	termBytes := 0
	if nTerms > 0 {
		termBytes = int(binary.LittleEndian.Uint32(termEnds[len(termEnds)-4:]))
	}
	termOff := d.off
	terms := d.take(termBytes, "terms")
	d.align()
	postOff := d.off
	posts := d.take(int(nPost)*8, "postings")
	if d.err != nil {
		return nil, d.err
	}
	all := postingsOf(posts)
	var prevT uint32
	var prevP uint64
	for i := range int(nTerms) {
		te := binary.LittleEndian.Uint32(termEnds[4*i:])
		pe := binary.LittleEndian.Uint64(postEnds[8*i:])
		switch {
		case te <= prevT || te-prevT > maxTermBytes || int(te) > len(terms):
			return nil, d.fail(int64(termOff), fmt.Sprintf("term %d ends at %d after %d", i, te, prevT))
		case pe <= prevP || pe > nPost:
			return nil, d.fail(int64(postOff), fmt.Sprintf("term %d postings end at %d after %d", i, pe, prevP))
		}
		ps := all[prevP:pe:pe]
		if all == nil { // big-endian, or misaligned: decode a copy
			ps = make([]posting, pe-prevP)
			for j := range ps {
				o := 8 * (prevP + uint64(j))
				ps[j] = posting{doc: binary.LittleEndian.Uint32(posts[o:]), tf: binary.LittleEndian.Uint32(posts[o+4:])}
			}
		}
		ix.postings[unsafe.String(&terms[prevT], int(te-prevT))] = ps //nolint:gosec // G103: terms alias b, which the index keeps and nobody writes
		prevT, prevP = te, pe
	}
	if prevP != nPost || int(prevT) != len(terms) {
		return nil, d.fail(int64(postOff), fmt.Sprintf("terms cover %d postings and %d bytes, header says %d and %d", prevP, prevT, nPost, len(terms)))
	}
	if d.off+4 != len(b) {
		return nil, d.fail(int64(d.off), fmt.Sprintf("%d bytes after the postings, want 4", len(b)-d.off))
	}
	if nDocs > 0 {
		ix.avgLen = float64(total) / float64(nDocs)
	}
	return ix, nil
}

// postingsOf returns b as postings without copying, or nil where the
// memory layout differs (a big-endian machine, or b misaligned).
func postingsOf(b []byte) []posting {
	if len(b) == 0 {
		return []posting{}
	}
	littleEndian := binary.NativeEndian.Uint16([]byte{1, 0}) == 1
	if !littleEndian || uintptr(unsafe.Pointer(&b[0]))%unsafe.Alignof(posting{}) != 0 { //nolint:gosec // G103: alignment check
		return nil
	}
	return unsafe.Slice((*posting)(unsafe.Pointer(&b[0])), len(b)/8) //nolint:gosec // G103: posting is two little-endian uint32, as written
}

// decoder reads fields from b, remembering the first error.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(off int64, reason string) error {
	if d.err == nil {
		d.err = fmt.Errorf("%w: offset %d: %s", ErrFormat, off, reason)
	}
	return d.err
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b)-d.off {
		_ = d.fail(int64(d.off), fmt.Sprintf("%s: %d bytes, %d left", what, n, len(d.b)-d.off))
		return nil
	}
	s := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return s
}

func (d *decoder) u32(what string) uint32 {
	if s := d.take(4, what); s != nil {
		return binary.LittleEndian.Uint32(s)
	}
	return 0
}

func (d *decoder) u64(what string) uint64 {
	if s := d.take(8, what); s != nil {
		return binary.LittleEndian.Uint64(s)
	}
	return 0
}

func (d *decoder) align() {
	if r := d.off % 8; r != 0 {
		d.take(8-r, "padding")
	}
}
