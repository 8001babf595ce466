package faiss

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// patched returns a copy of the FAISS-written fixture case/index.faiss
// with edit applied: lying headers FAISS itself would never write.
func patched(t *testing.T, name string, edit func(b []byte)) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name, "index.faiss"))
	if err != nil {
		t.Fatal(err)
	}
	edit(b)
	return b
}

func put64(b []byte, off int, v uint64) { binary.LittleEndian.PutUint64(b[off:], v) }
func get64(b []byte, off int) uint64    { return binary.LittleEndian.Uint64(b[off:]) }

// ilar returns the offset of the inverted lists record of an IwFl file:
// "ilar", nlist, code_size, layout, then the list sizes vector.
func ilar(t *testing.T, b []byte) int {
	t.Helper()
	i := bytes.Index(b, []byte("ilar"))
	if i < 0 {
		t.Fatal("no ilar record")
	}
	return i
}

func TestRead_LyingLabelHeaders(t *testing.T) {
	t.Parallel()
	const n = 24                                            // rows in the idmap and ivfflat fixtures
	idMap := func(b []byte) int { return len(b) - n*8 - 8 } // id_map size
	tests := []struct {
		name   string
		data   func(t *testing.T) []byte
		want   error
		substr string
	}{
		{"id_map size lies", func(t *testing.T) []byte {
			return patched(t, "idmap2_flat_l2", func(b []byte) { put64(b, idMap(b), 1<<40) })
		}, ErrFormat, "id_map has 1099511627776 ids"},
		{"id_map duplicate label", func(t *testing.T) []byte {
			return patched(t, "idmap2_flat_l2", func(b []byte) { put64(b, idMap(b)+16, get64(b, idMap(b)+8)) })
		}, ErrFormat, "appears twice"},
		{"id_map negative label", func(t *testing.T) []byte {
			return patched(t, "idmap_flat_l2", func(b []byte) { put64(b, idMap(b)+8, 1<<63) })
		}, ErrFormat, "label -9223372036854775808"},
		{"id_map outer ntotal disagrees", func(t *testing.T) []byte {
			return patched(t, "idmap2_flat_ip", func(b []byte) { put64(b, 8, n+1) })
		}, ErrFormat, "disagrees with IxM2 header"},
		{"id map nested in id map", func(t *testing.T) []byte {
			return patched(t, "idmap2_flat_l2", func(b []byte) { copy(b[37:], "IxM2") })
		}, ErrFormat, "IxM2 record nested in IxM2"},
		{"ivf nlist huge", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { put64(b, 37, 1<<40) })
		}, ErrFormat, "nlist 1099511627776 out of range"},
		{"ivf quantizer disagrees", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { put64(b, 37, 5) })
		}, ErrFormat, "quantizer (d 8, ntotal 4) disagrees"},
		{"ivf list longer than ntotal", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { put64(b, ilar(t, b)+32, 1<<50) })
		}, ErrFormat, "more than ntotal = 24"},
		{"ivf lists short of ntotal", func(t *testing.T) []byte {
			return patched(t, "ivfflat_ip", func(b []byte) { i := ilar(t, b) + 32; put64(b, i, get64(b, i)-1) })
		}, ErrFormat, "hold 23 vectors, ntotal is 24"},
		{"ivf ntotal and sizes beyond the file", func(t *testing.T) []byte {
			// Consistent counts that the remaining bytes cannot hold: refused
			// before the vectors are allocated.
			return patched(t, "ivfflat_l2", func(b []byte) {
				put64(b, 8, 1<<30)
				i := ilar(t, b) + 32
				put64(b, i, get64(b, i)+1<<30-n)
			})
		}, ErrFormat, "truncated file"},
		{"ivf code_size", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { put64(b, ilar(t, b)+12, 16) })
		}, ErrFormat, "code_size 16, want d*4 = 32"},
		{"ivf sizes vector length", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { put64(b, ilar(t, b)+24, 1<<61) })
		}, ErrFormat, "full list sizes has"},
		{"ivf sparse list order", func(t *testing.T) []byte {
			return patched(t, "ivfflat_sparse_l2", func(b []byte) { i := ilar(t, b) + 32; put64(b, i+16, get64(b, i)) })
		}, ErrFormat, "sparse list index"},
		{"ivf other inverted lists", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { copy(b[ilar(t, b):], "ilod") })
		}, ErrUnsupported, `"ilod"`},
		{"ivf direct map type", func(t *testing.T) []byte {
			return patched(t, "ivfflat_l2", func(b []byte) { b[ilar(t, b)-9] = 7 })
		}, ErrFormat, "direct_map type 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.data(t)
			_, err := Read(bytes.NewReader(b), int64(len(b)))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("err %v, want %v containing %q", err, tt.want, tt.substr)
			}
		})
	}
}

func TestIndex_Label(t *testing.T) {
	t.Parallel()
	flat := &Index{Count: 3}
	mapped := &Index{Count: 2, Labels: []int64{7, 1000}}
	if flat.Label(2) != 2 || mapped.Label(0) != 7 || mapped.Label(1) != 1000 {
		t.Fatalf("labels %d %d %d", flat.Label(2), mapped.Label(0), mapped.Label(1))
	}
}
