package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
)

// Part hashes: a manifest may record, besides each large file's SHA-256,
// the SHA-256 of every PartSize bytes of it. One SHA-256 over a file is
// sequential, so it bounds a verified download at one core's hashing speed
// (about 1.3 GB/s here) whatever the network; part hashes let a download
// check each byte range as it arrives, on as many cores as ranges are in
// flight. Readers that do not know them ignore the field (the format
// version is unchanged), and the whole-file SHA-256 stays authoritative
// for everything else.
const (
	// PartSize is the part length the writer records: the S3 sync's
	// default range, so one GET is one part.
	PartSize = 8 << 20
	// MinPartSize and MaxPartSize bound a manifest's part length, so a
	// hostile manifest cannot ask for a billion tiny ranges or one range
	// the size of the file.
	MinPartSize = 1 << 20
	MaxPartSize = 1 << 30
)

// PartHashes is the SHA-256 (lower-case hex) of each Size-byte part of a
// file, in file order; the last part may be shorter.
type PartHashes struct {
	Size   int64    `json:"size"`
	SHA256 []string `json:"sha256"`
}

// Part returns the offset and length of part i of a file of size bytes.
func (p PartHashes) Part(i int, size int64) (off, n int64) {
	off = int64(i) * p.Size
	return off, min(p.Size, size-off)
}

// check reports whether p describes a file of size bytes.
func (p PartHashes) check(size int64) error {
	if p.Size < MinPartSize || p.Size > MaxPartSize {
		return fmt.Errorf("part size %d, want %d..%d", p.Size, MinPartSize, MaxPartSize)
	}
	if want := (size + p.Size - 1) / p.Size; int64(len(p.SHA256)) != want {
		return fmt.Errorf("%d part hashes for %d bytes in parts of %d, want %d", len(p.SHA256), size, p.Size, want)
	}
	for i, s := range p.SHA256 {
		if !isSHA256Hex(s) {
			return fmt.Errorf("part %d: %q is not a lower-case hex SHA-256", i, s)
		}
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// fileHasher takes a file's SHA-256 and, for files of more than one part,
// its part hashes, in one pass as the file is written or read.
type fileHasher struct {
	partSize int64
	whole    hash.Hash
	part     hash.Hash
	inPart   int64 // bytes fed to part
	n        int64
	parts    []string
}

func newFileHasher(partSize int64) *fileHasher {
	return &fileHasher{partSize: partSize, whole: sha256.New(), part: sha256.New()}
}

func (h *fileHasher) Write(p []byte) (int, error) {
	total := len(p)
	h.whole.Write(p) //nolint:errcheck // hash writes never fail
	h.n += int64(total)
	for len(p) > 0 {
		k := min(int64(len(p)), h.partSize-h.inPart)
		h.part.Write(p[:k]) //nolint:errcheck // as above
		h.inPart += k
		p = p[k:]
		if h.inPart == h.partSize {
			h.endPart()
		}
	}
	return total, nil
}

func (h *fileHasher) endPart() {
	h.parts = append(h.parts, hex.EncodeToString(h.part.Sum(nil)))
	h.part.Reset()
	h.inPart = 0
}

// sums returns the file's FileInfo and, when it spans more than one part,
// its part hashes (nil otherwise: one part is the whole-file hash).
func (h *fileHasher) sums() (FileInfo, *PartHashes) {
	fi := FileInfo{Size: h.n, SHA256: hex.EncodeToString(h.whole.Sum(nil))}
	if h.inPart > 0 {
		h.endPart()
	}
	if len(h.parts) <= 1 {
		return fi, nil
	}
	return fi, &PartHashes{Size: h.partSize, SHA256: h.parts}
}

// HashFileParts returns the size and SHA-256 of the file at path and, for
// a file larger than partSize, the SHA-256 of each partSize bytes: what a
// manifest records for it (Manifest.Parts). Writers of manifests outside
// this package use it.
func HashFileParts(path string, partSize int64) (FileInfo, *PartHashes, error) {
	if partSize < MinPartSize || partSize > MaxPartSize {
		return FileInfo{}, nil, fmt.Errorf("store: part size %d, want %d..%d", partSize, MinPartSize, MaxPartSize)
	}
	f, err := os.Open(path)
	if err != nil {
		return FileInfo{}, nil, err
	}
	defer f.Close()
	h := newFileHasher(partSize)
	if _, err := io.CopyBuffer(h, f, make([]byte, 1<<20)); err != nil {
		return FileInfo{}, nil, err
	}
	fi, ph := h.sums()
	return fi, ph, nil
}
