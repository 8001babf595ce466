package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"

	"github.com/vendor0919/api/internal/docmodel"
)

// ChunkIndexFile holds the byte offset of every line of ChunksFile, so a
// store opens without scanning its chunks (chunks.go describes the
// format). Optional: a store without it is scanned for line ends.
const ChunkIndexFile = "chunks.idx"

// The chunk offsets format: magic, u32 version, u32 zero, u64 count,
// count+1 u64 offsets (line i is [off[i], off[i+1]) including its '\n';
// off[0] is 0 and off[count] the size of ChunksFile), u32 CRC-32C of
// everything before. Little-endian.
const (
	chunkIndexMagic   = "VCHKIDX\x00"
	chunkIndexVersion = 1
	chunkIndexHeader  = 24
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeChunkIndex writes offs (count+1 offsets) in the chunk offsets format.
func writeChunkIndex(w io.Writer, offs []int64) error {
	b := make([]byte, chunkIndexHeader, chunkIndexHeader+8*len(offs)+4)
	copy(b, chunkIndexMagic)
	binary.LittleEndian.PutUint32(b[8:], chunkIndexVersion)
	binary.LittleEndian.PutUint64(b[16:], uint64(len(offs)-1))
	for _, o := range offs {
		b = binary.LittleEndian.AppendUint64(b, uint64(o))
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err := w.Write(b)
	return err
}

// errChunkIndex wraps every reason decodeChunkIndex refuses its input.
var errChunkIndex = errors.New("bad chunk offsets")

// decodeChunkIndex reads the chunk offsets format from b for count lines
// in a file of dataLen bytes. Offsets must start at 0, rise strictly and
// end at dataLen, so every line they describe lies inside the file.
func decodeChunkIndex(b []byte, count int, dataLen int64) ([]int64, error) {
	if len(b) < chunkIndexHeader+4 || string(b[:8]) != chunkIndexMagic {
		return nil, fmt.Errorf("%w: no header", errChunkIndex)
	}
	if v := binary.LittleEndian.Uint32(b[8:]); v != chunkIndexVersion {
		return nil, fmt.Errorf("%w: version %d", errChunkIndex, v)
	}
	if n := binary.LittleEndian.Uint64(b[16:]); n != uint64(count) || uint64(len(b)) != chunkIndexHeader+8*(n+1)+4 {
		return nil, fmt.Errorf("%w: %d lines in %d bytes, want %d", errChunkIndex, n, len(b), count)
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.LittleEndian.Uint32(b[len(b)-4:]); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, computed %08x", errChunkIndex, want, got)
	}
	offs := make([]int64, count+1)
	prev := int64(-1)
	for i := range offs {
		o := binary.LittleEndian.Uint64(body[chunkIndexHeader+8*i:])
		if o > uint64(dataLen) || int64(o) <= prev || (i == 0 && o != 0) {
			return nil, fmt.Errorf("%w: line %d at offset %d", errChunkIndex, i, o)
		}
		offs[i], prev = int64(o), int64(o)
	}
	if offs[count] != dataLen {
		return nil, fmt.Errorf("%w: lines end at %d, file has %d bytes", errChunkIndex, offs[count], dataLen)
	}
	return offs, nil
}

// scanLines returns the offsets of count '\n'-terminated lines in b, in
// the chunk offsets form, or an error naming the file. It checks ctx every
// checkLinesEvery lines.
func scanLines(ctx context.Context, b []byte, name string, count int) ([]int64, error) {
	offs := make([]int64, 1, min(count, len(b)/8+1)+1)
	for off := 0; off < len(b); {
		if (len(offs)-1)%checkLinesEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("store: %s: %w", name, err)
			}
		}
		end := bytes.IndexByte(b[off:], '\n')
		if end < 0 {
			return nil, fmt.Errorf("%w: %s: offset %d: line %d has no newline", ErrCorrupt, name, off, len(offs))
		}
		if len(offs) > count {
			return nil, fmt.Errorf("%w: %s: offset %d: more than the manifest's %d chunks", ErrCorrupt, name, off, count)
		}
		off += end + 1
		offs = append(offs, int64(off))
	}
	if len(offs)-1 != count {
		return nil, fmt.Errorf("%w: %s: offset %d: %d chunks, manifest says %d", ErrCorrupt, name, len(b), len(offs)-1, count)
	}
	return offs, nil
}

// chunkTable is a native store's chunks kept as the bytes of ChunksFile
// (mapped, not copied) and the offset of each line: a chunk is decoded
// when asked for, so a store costs its file's bytes plus 8 bytes a chunk
// instead of a Go string and a metadata map per chunk.
type chunkTable struct {
	src  *mapping // keeps data mapped
	data []byte
	offs []int64 // len count+1
}

func (t *chunkTable) len() int { return len(t.offs) - 1 }

// line returns chunk i's JSON line without its '\n'.
func (t *chunkTable) line(i int) []byte {
	return t.data[t.offs[i] : t.offs[i+1]-1]
}

// chunk decodes chunk i. Open checked every line of the file (now or when
// it recorded the file as verified), so an error means the file changed
// under the mapping; the chunk then comes back empty.
func (t *chunkTable) chunk(i int) docmodel.Chunk {
	defer runtime.KeepAlive(t) // t.src maps the line being decoded
	c, err := parseChunkLine(t.line(i))
	if err != nil {
		return docmodel.Chunk{}
	}
	return c
}

// metadata decodes only what a filter needs of chunk i: its metadata.
func (t *chunkTable) metadata(i int) map[string]any {
	defer runtime.KeepAlive(t) // as in chunk
	var c struct {
		Metadata map[string]any `json:"metadata"`
	}
	d := json.NewDecoder(bytes.NewReader(t.line(i)))
	d.UseNumber()
	if d.Decode(&c) != nil {
		return nil
	}
	m, _ := NormalizeNumbers(c.Metadata).(map[string]any)
	return m
}

// check decodes every line as Open's full check does, naming the first bad
// one. It checks ctx every checkLinesEvery lines.
func (t *chunkTable) check(ctx context.Context, name string) error {
	defer runtime.KeepAlive(t) // as in chunk
	for i := range t.len() {
		if i%checkLinesEvery == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("store: %s: %w", name, err)
			}
		}
		if t.data[t.offs[i+1]-1] != '\n' {
			return fmt.Errorf("%w: %s: offset %d: line %d has no newline", ErrCorrupt, name, t.offs[i], i+1)
		}
		if _, err := parseChunkLine(t.line(i)); err != nil {
			return fmt.Errorf("%w: %s: offset %d: line %d: %w", ErrCorrupt, name, t.offs[i], i+1, err)
		}
	}
	return nil
}

// MaxChunkLineBytes bounds one chunk's line in ChunksFile (its JSON,
// text and metadata): far above any chunk a build or an import writes,
// and low enough that a store cannot make each search that returns the
// chunk copy megabytes (a reviewer's 100 MB chunk took four concurrent
// searches to 1.6 GB). Write refuses a longer chunk and Open a longer line.
const MaxChunkLineBytes = 4 << 20

// parseChunkLine decodes one line of ChunksFile: one JSON object of at
// most MaxChunkLineBytes with a non-empty id, numbers as NormalizeNumbers
// gives them.
func parseChunkLine(line []byte) (docmodel.Chunk, error) {
	if len(line) > MaxChunkLineBytes {
		return docmodel.Chunk{}, fmt.Errorf("%d bytes, over the %d a chunk may have", len(line), MaxChunkLineBytes)
	}
	var c docmodel.Chunk
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	if err := d.Decode(&c); err != nil {
		return c, err
	}
	if d.More() {
		return c, errors.New("data after the object")
	}
	if c.ID == "" {
		return c, errors.New("empty id")
	}
	c.Metadata, _ = NormalizeNumbers(c.Metadata).(map[string]any)
	return c, nil
}
