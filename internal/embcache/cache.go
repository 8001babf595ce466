package embcache

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/fsatomic"
)

// FileName is the cache file inside a model's folder.
const FileName = "vectors.log"

// MaxDims bounds the vector length a cache accepts (config's
// EMBEDDING_DIMS limit), so that a record is never larger than 256 KiB.
const MaxDims = 65536

const (
	magic      = "embcache v1\n"
	headerSize = len(magic) + 4
	recordHead = 8 // length + checksum
	keySize    = sha256.Size
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Key identifies one embedded text under one model.
type Key [keySize]byte

// KeyOf returns the key of text embedded by m: SHA-256 over the provider,
// model, dims and text, each length-prefixed so that no two inputs share
// a key by moving bytes between fields.
func KeyOf(m docmodel.EmbeddingModel, text string) Key {
	h := sha256.New()
	for _, s := range []string{m.Provider, m.Model, strconv.Itoa(m.Dims), text} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// Dir returns the folder under root that holds m's vectors:
// "<provider>-<model>-<dims>", with characters other than letters, digits,
// '.', '_' and '-' replaced by '_' (a Bedrock id's ':', a Hugging Face
// model's '/'). Two models that map to the same name share a file without
// harm: their keys differ.
func Dir(root string, m docmodel.EmbeddingModel) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 128 && (r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return r
			}
			return '_'
		}, s)
	}
	return filepath.Join(root, clean(m.Provider)+"-"+clean(m.Model)+"-"+strconv.Itoa(m.Dims))
}

// Cache is an open cache file for vectors of one length.
type Cache struct {
	mu      sync.Mutex
	f       *os.File // nil for an empty read-only cache
	dims    int
	size    int64         // end of the last whole record
	index   map[Key]int64 // offset of each record's length field
	ro      bool
	dropped int64 // torn tail, bytes
	skipped int   // damaged whole records, not indexed
	bad     error // why the file found was not read (ErrBadHeader), or nil
	aside   string
}

// ErrBadHeader is wrapped by the error for a file whose header is not a
// cache's for the dims asked (overwritten, another file, other dims):
// none of its records can be trusted to be vectors of that length. Open
// sets such a file aside and starts a new one; see SetAside.
var ErrBadHeader = errors.New("embcache: bad header")

// ErrBusy reports a cache another process has open for appending (Open):
// two writers would cut each other's records in progress as torn tails
// and index their own at wrong offsets. OpenReadOnly still reads it.
var ErrBusy = errors.New("embcache: in use by another build")

// Open opens (creating it and its folder if needed) the cache in dir for
// vectors of dims floats, for reading and appending, holding its file's
// lock until Close (ErrBusy when another process holds it). A damaged
// record is skipped and left in place (Skipped counts them); only a torn
// tail, less than a whole record after the last one, is cut off (Dropped
// reports how many bytes). A file whose header is not a cache's for dims
// (ErrBadHeader) is renamed aside and an empty one started (SetAside).
func Open(dir string, dims int) (*Cache, error) {
	if err := checkDims(dims); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("embcache: %w", err)
	}
	c, err := openAppend(dir, dims)
	var bad *badFile
	if !errors.As(err, &bad) {
		return c, err
	}
	// The file was no cache of these vectors, and losing it costs only
	// re-embedding; it is kept beside, under another name, to be looked
	// at, and this build starts afresh.
	if c, err = openAppend(dir, dims); err != nil {
		return nil, err
	}
	c.bad, c.aside = bad.err, bad.aside
	return c, nil
}

// badFile is openAppend's report of a file with a bad header, renamed to
// aside.
type badFile struct {
	err   error
	aside string
}

func (b *badFile) Error() string { return b.err.Error() }
func (b *badFile) Unwrap() error { return b.err }

// openAppend opens and locks dir's file and reads it (load). A file whose
// header is not a cache's for dims is renamed aside, under its lock, and
// reported as a *badFile. The file locked is the one the name holds
// (fsatomic.OpenLocked), never one another writer just set aside.
func openAppend(dir string, dims int) (*Cache, error) {
	path := filepath.Join(dir, FileName)
	f, err := fsatomic.OpenLocked(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	switch {
	case errors.Is(err, fsatomic.ErrLocked):
		return nil, fmt.Errorf("%w: %s", ErrBusy, dir)
	case err != nil:
		return nil, fmt.Errorf("embcache: %w", err)
	}
	c, err := load(f, dims, false)
	if err == nil {
		return c, nil
	}
	err = withPath(err, path)
	if !errors.Is(err, ErrBadHeader) {
		f.Close()
		return nil, err
	}
	// Renamed while locked where there are locks (a writer that locks
	// it after this lets it go: fsatomic.OpenLocked); closed first elsewhere,
	// as Windows renames no open file. The name is this process's
	// own, so two set-asides in one second keep both files.
	aside := fmt.Sprintf("%s.bad-%s-%d", path, time.Now().UTC().Format("20060102T150405Z"), os.Getpid())
	if !fsatomic.CanLock {
		f.Close()
	}
	rerr := os.Rename(path, aside)
	f.Close()
	if rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return nil, fmt.Errorf("%w; setting it aside: %w", err, rerr)
	}
	return nil, &badFile{err: err, aside: aside}
}

// withPath names the file in a header error, which Scan (reading any
// io.Reader) cannot.
func withPath(err error, path string) error {
	if errors.Is(err, ErrBadHeader) {
		return fmt.Errorf("%s: %w", path, err)
	}
	return err
}

// SetAside reports a file Open or OpenReadOnly found with a bad header
// (why wraps ErrBadHeader): Open renamed it to aside (the file name with
// ".bad-" and the UTC time added, kept for inspection) and started an
// empty cache; OpenReadOnly left it in place (aside is "") and reads as
// an empty cache. why is nil when the file was a cache's.
func (c *Cache) SetAside() (aside string, why error) { return c.aside, c.bad }

// OpenReadOnly opens the cache in dir for lookups only, changing nothing
// on disk and taking no lock (a build may be appending: its record in
// progress reads as a torn tail, not cut): a missing folder or file is an
// empty cache. Skipped and Dropped report what Open would skip and cut.
func OpenReadOnly(dir string, dims int) (*Cache, error) {
	if err := checkDims(dims); err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(dir, FileName))
	if errors.Is(err, os.ErrNotExist) {
		return &Cache{dims: dims, index: map[Key]int64{}, ro: true}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("embcache: %w", err)
	}
	c, err := load(f, dims, true)
	if errors.Is(err, ErrBadHeader) {
		// Nothing in it can be used; a build will set it aside.
		f.Close()
		return &Cache{dims: dims, index: map[Key]int64{}, ro: true, bad: withPath(err, f.Name())}, nil
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return c, nil
}

func checkDims(dims int) error {
	if dims <= 0 || dims > MaxDims {
		return fmt.Errorf("embcache: dims %d out of range 1..%d", dims, MaxDims)
	}
	return nil
}

// load reads f's header and records and, unless ro, writes a header into
// an empty file and cuts a torn tail.
func load(f *os.File, dims int, ro bool) (*Cache, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("embcache: %w", err)
	}
	c := &Cache{f: f, dims: dims, index: map[Key]int64{}, ro: ro}
	if st.Size() < int64(headerSize) {
		// A new file, or one torn inside its header: start it afresh.
		c.dropped = st.Size()
		if ro {
			return c, nil
		}
		if err := f.Truncate(0); err != nil {
			return nil, fmt.Errorf("embcache: %w", err)
		}
		var h [headerSize]byte
		copy(h[:], magic)
		binary.LittleEndian.PutUint32(h[len(magic):], uint32(dims))
		if _, err := f.Write(h[:]); err != nil {
			return nil, fmt.Errorf("embcache: write header: %w", err)
		}
		c.size = int64(headerSize)
		return c, nil
	}
	end, bad, err := Scan(io.NewSectionReader(f, 0, st.Size()), st.Size(), dims, func(k Key, off int64) { c.index[k] = off })
	if err != nil {
		return nil, err
	}
	c.size, c.skipped, c.dropped = end, bad, st.Size()-end
	if !ro && end < st.Size() {
		if err := f.Truncate(end); err != nil {
			return nil, fmt.Errorf("embcache: cut torn tail: %w", err)
		}
	}
	return c, nil
}

// Scan reads a cache file of size bytes from r: it checks the header
// against dims, then calls fn with the key and offset of each good record
// in order. Every record is recordHead+32+4*dims bytes, so Scan steps
// from one record boundary to the next whatever a record holds: a whole
// record that declares another length or fails its checksum is bad,
// counted and skipped (fn never sees it; its key may be damaged too), and
// the records after it are read as usual. Scan returns end, the offset
// just past the last whole record, and bad, how many it skipped; the
// size-end bytes after end are a torn tail, too short to be a record. An
// error means the header is not a cache's or names other dims, or r
// failed; a file too short for a header has no records (0, 0, nil).
func Scan(r io.Reader, size int64, dims int, fn func(k Key, off int64)) (end int64, bad int, err error) {
	if err := checkDims(dims); err != nil {
		return 0, 0, err
	}
	if size < int64(headerSize) {
		return 0, 0, nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var h [headerSize]byte
	if _, err := io.ReadFull(br, h[:]); err != nil {
		return 0, 0, readErr(err)
	}
	if string(h[:len(magic)]) != magic {
		return 0, 0, fmt.Errorf("%w: not a cache file", ErrBadHeader)
	}
	if got := binary.LittleEndian.Uint32(h[len(magic):]); got != uint32(dims) {
		return 0, 0, fmt.Errorf("%w: file holds %d-dim vectors, want %d", ErrBadHeader, got, dims)
	}
	want := payloadSize(dims)
	rec := int64(recordHead + want)
	off := int64(headerSize)
	var buf []byte // allocated once a whole record is known to be in the file
	for size-off >= rec {
		if buf == nil {
			buf = make([]byte, rec)
		}
		if _, err := io.ReadFull(br, buf); err != nil {
			// A short read: the file shrank under us, and what is left
			// counts as a torn tail.
			return off, bad, readErr(err)
		}
		payload := buf[recordHead:]
		// The length field is checked, not trusted: a damaged one must not
		// move the next boundary, or one bad bit would lose every record
		// after it.
		if binary.LittleEndian.Uint32(buf[:4]) != uint32(want) ||
			crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(buf[4:recordHead]) {
			bad++
		} else {
			fn(Key(payload[:keySize]), off)
		}
		off += rec
	}
	return off, bad, nil
}

// readErr turns a short read (the file ended early: a torn tail) into
// nil and keeps any other read error.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return fmt.Errorf("embcache: read: %w", err)
}

func payloadSize(dims int) int { return keySize + 4*dims }

// ReadOnly reports whether c was opened by OpenReadOnly: Put fails.
func (c *Cache) ReadOnly() bool { return c.ro }

// Dims returns the vector length the cache holds.
func (c *Cache) Dims() int { return c.dims }

// Len returns how many vectors the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.index)
}

// Dropped returns how many bytes of a torn tail (less than a whole
// record after the last one, or a header cut short) Open cut off;
// OpenReadOnly leaves them in place.
func (c *Cache) Dropped() int64 { return c.dropped }

// Skipped returns how many whole records failed their length or checksum
// check when the file was opened. They stay in the file, are never
// returned, and their keys are misses, so a Put of the same key appends a
// good copy.
func (c *Cache) Skipped() int { return c.skipped }

// Has reports whether the cache holds a vector for k.
func (c *Cache) Has(k Key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.index[k]
	return ok
}

// Get returns the vector stored for k, or false when there is none or its
// record no longer reads back intact. The caller owns the slice.
func (c *Cache) Get(k Key) ([]float32, bool) {
	c.mu.Lock()
	off, ok := c.index[k]
	c.mu.Unlock()
	if !ok {
		return nil, false
	}
	buf := make([]byte, recordHead+payloadSize(c.dims))
	if _, err := c.f.ReadAt(buf, off); err != nil {
		return nil, false
	}
	payload := buf[recordHead:]
	if int(binary.LittleEndian.Uint32(buf[:4])) != len(payload) ||
		crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(buf[4:8]) || Key(payload[:keySize]) != k {
		return nil, false
	}
	v := make([]float32, c.dims)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(payload[keySize+4*i:]))
	}
	return v, true
}

// Put appends the vectors of keys (vecs[i] for keys[i]) with one write.
// Keys already held are skipped. Every vector must have Dims floats.
func (c *Cache) Put(keys []Key, vecs [][]float32) error {
	if len(keys) != len(vecs) {
		return fmt.Errorf("embcache: put %d keys with %d vectors", len(keys), len(vecs))
	}
	if c.ro {
		return errors.New("embcache: put: opened read-only")
	}
	rec := recordHead + payloadSize(c.dims)
	c.mu.Lock()
	defer c.mu.Unlock()
	buf := make([]byte, 0, len(keys)*rec)
	var offs []Key
	seen := make(map[Key]bool, len(keys))
	for i, k := range keys {
		if _, ok := c.index[k]; ok || seen[k] {
			continue
		}
		seen[k] = true
		if len(vecs[i]) != c.dims {
			return fmt.Errorf("embcache: put: vector of %d floats, want %d", len(vecs[i]), c.dims)
		}
		start := len(buf)
		buf = buf[:start+rec]
		payload := buf[start+recordHead:]
		copy(payload, k[:])
		for j, x := range vecs[i] {
			binary.LittleEndian.PutUint32(payload[keySize+4*j:], math.Float32bits(x))
		}
		binary.LittleEndian.PutUint32(buf[start:], uint32(len(payload)))
		binary.LittleEndian.PutUint32(buf[start+4:], crc32.Checksum(payload, castagnoli))
		offs = append(offs, k)
	}
	if len(buf) == 0 {
		return nil
	}
	if _, err := c.f.Write(buf); err != nil {
		return fmt.Errorf("embcache: append: %w", err)
	}
	for i, k := range offs {
		c.index[k] = c.size + int64(i*rec)
	}
	c.size += int64(len(buf))
	return nil
}

// Close flushes the file to disk and closes it.
func (c *Cache) Close() error {
	if c.f == nil {
		return nil
	}
	var err error
	if !c.ro {
		err = c.f.Sync()
	}
	return errors.Join(err, c.f.Close())
}
