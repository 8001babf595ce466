package store

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"unsafe"
)

// mapping is a file's bytes in memory: a read-only shared mapping where
// the platform has one (mmap_unix.go), else a heap copy. The mapping is
// released by a cleanup once the mapping value is unreachable, so every
// value that uses the bytes (a Store, its chunk table) holds the
// *mapping, not just the slice, and code that reads the bytes keeps their
// owner reachable until it is done (runtime.KeepAlive): the GC does not
// see a slice into a mapping as a reference to anything, and may run the
// cleanup while the slice is still being read, which faults. A Store's
// indexes over mapped bytes (ann over the rows, keyword postings keyed by
// mapped strings) hold their mapping too (ann's Retain, keyword's
// DecodeOptions.Owner), so an index stays safe to search after its Store
// is dropped; a slice handed out of one (ann's Vectors) does not, and its
// reader keeps the Store reachable until done.
type mapping struct {
	data []byte
}

// mapOpen maps size bytes of the open file f (path names it in errors).
func mapOpen(f *os.File, size int64, path string) (*mapping, error) {
	if size == 0 {
		return &mapping{data: []byte{}}, nil
	}
	if size != int64(int(size)) {
		return nil, fmt.Errorf("%s: %d bytes do not fit in memory", path, size)
	}
	data, unmap, err := mmapFile(f, int(size))
	if err != nil {
		return nil, err
	}
	m := &mapping{data: data}
	if unmap != nil {
		runtime.AddCleanup(m, func(b []byte) { unmap(b) }, data)
	}
	return m, nil
}

// float32s returns the mapping's bytes as little-endian float32 values
// without copying, or nil where that is not possible: a big-endian machine
// or bytes not 4-aligned (the caller then decodes a copy).
func (m *mapping) float32s() []float32 {
	if len(m.data) == 0 || len(m.data)%4 != 0 || !littleEndian() ||
		uintptr(unsafe.Pointer(&m.data[0]))%4 != 0 { //nolint:gosec // G103: alignment check of mapped bytes
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&m.data[0])), len(m.data)/4) //nolint:gosec // G103: the vector file is little-endian float32, as this machine
}

// littleEndian reports whether this machine stores integers
// little-endian, the byte order of every store file.
func littleEndian() bool {
	return binary.NativeEndian.Uint16([]byte{1, 0}) == 1
}

// mapFileID maps the file at path and returns its identity as the open
// file reports it, so the identity is that of the bytes mapped.
func mapFileID(path string) (*mapping, verifiedEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, verifiedEntry{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, verifiedEntry{}, err
	}
	id := verifiedEntry{FileInfo: FileInfo{Size: st.Size()}, MtimeNS: st.ModTime().UnixNano(), Inode: inode(st)}
	m, err := mapOpen(f, st.Size(), path)
	return m, id, err
}
