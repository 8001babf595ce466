package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// SectionsFile holds the section of every chunk (the chunks sharing a
// docmodel.SectionKey; docmodel.SectionOf), so that the keyword section field
// (Store.Sections) groups a store's chunks without decoding every chunk's
// metadata at each swap: a second or more at a million chunks. Optional:
// written when some chunk has a url; a store without it is searched
// without the section field.
const SectionsFile = "sections.idx"

// The sections format: magic, u32 version, u32 zero, u64 count, u64
// sections, count u32 section numbers (each below sections), u32
// CRC-32C of everything before. Little-endian.
const (
	sectionsMagic   = "VSECIDX\x00"
	sectionsVersion = 1
	sectionsHeader  = 32
)

// chunkSections returns the section of each chunk and the number of
// sections, or ok false when no chunk has a url (nothing to group).
func chunkSections(n int, url func(i int) string) (of []uint32, sections int, ok bool) {
	of, sections = docmodel.SectionOf(n, func(i int) string {
		u := url(i)
		ok = ok || u != ""
		return u
	})
	return of, sections, ok
}

// writeSections writes of (each chunk's section, below sections) in the
// sections format.
func writeSections(w io.Writer, of []uint32, sections int) error {
	b := make([]byte, sectionsHeader, sectionsHeader+4*len(of)+4)
	copy(b, sectionsMagic)
	binary.LittleEndian.PutUint32(b[8:], sectionsVersion)
	binary.LittleEndian.PutUint64(b[16:], uint64(len(of)))
	binary.LittleEndian.PutUint64(b[24:], uint64(sections))
	for _, s := range of {
		b = binary.LittleEndian.AppendUint32(b, s)
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err := w.Write(b)
	return err
}

// errSections wraps every reason decodeSections refuses its input.
var errSections = errors.New("bad chunk sections")

// decodeSections reads the sections format from b for count chunks. Every
// section number is checked against the count of sections, and that
// count against the chunks', so the grouping built from it is in bounds.
func decodeSections(b []byte, count int) (of []uint32, sections int, err error) {
	if len(b) < sectionsHeader+4 || string(b[:8]) != sectionsMagic {
		return nil, 0, fmt.Errorf("%w: no header", errSections)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != sectionsVersion {
		return nil, 0, fmt.Errorf("%w: version %d", errSections, v)
	}
	n, secs := binary.LittleEndian.Uint64(b[16:]), binary.LittleEndian.Uint64(b[24:])
	if n != uint64(count) || uint64(len(b)) != sectionsHeader+4*n+4 || secs > n || (n > 0 && secs == 0) {
		return nil, 0, fmt.Errorf("%w: %d chunks in %d sections, %d bytes, want %d chunks", errSections, n, secs, len(b), count)
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[len(b)-4:]); got != want {
		return nil, 0, fmt.Errorf("%w: checksum %08x, computed %08x", errSections, want, got)
	}
	of = make([]uint32, count)
	for i := range of {
		s := binary.LittleEndian.Uint32(body[sectionsHeader+4*i:])
		if uint64(s) >= secs {
			return nil, 0, fmt.Errorf("%w: chunk %d in section %d of %d", errSections, i, s, secs)
		}
		of[i] = s
	}
	return of, int(secs), nil
}

// Sections groups the documents of kw, the store's keyword index
// (KeywordIndex), into the store's sections, the chunks sharing metadata
// url (a chunk without a url stands alone), for the keyword section field
// (keyword.Field with Sections). nil when no chunk has a url, as in a
// LangChain folder, or when kw indexes another number of chunks. A
// store read from files is grouped by its SectionsFile only: without one
// that decodes (a store written before the file existed) it has no
// sections, because grouping by the urls there decodes every chunk's
// metadata at each swap (24 s and 3.1 GB allocated at a million chunks,
// docs/BENCHMARKS.md round twenty-two), too much for a field on by
// default; it is searched without the field until it is built again. A
// store whose chunks are in memory is grouped by their SectionKeys. A file
// written before SectionKey (687a104) grouped by url alone: on a page
// whose headings have no ids it holds the page as one section until the
// store is built again. The scores
// come from kw's postings at each search.
func (s *Store) Sections(kw *keyword.Index) *keyword.Sections {
	if kw == nil || kw.Len() != s.ChunkCount() {
		return nil
	}
	switch {
	case s.sections != nil:
		of, n, err := decodeSections(s.sections.data, s.ChunkCount())
		if err != nil {
			return nil
		}
		return kw.Sections(keyword.NewGroups(of, n))
	case s.table != nil:
		return nil // chunks read from files, without SectionsFile
	}
	of, n, ok := chunkSections(s.ChunkCount(), func(i int) string {
		return docmodel.SectionKey(s.Chunks[i].Metadata)
	})
	if !ok {
		return nil
	}
	return kw.Sections(keyword.NewGroups(of, n))
}
