package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/lcfixture"
)

// writeSharedText writes a LangChain folder of n rows whose documents all
// hold one textLen-byte page_content, pickled once and referenced through
// the memo: a file of a few KB standing for n*textLen bytes of text.
func writeSharedText(t *testing.T, dir string, n, textLen int) int {
	t.Helper()
	const dims = 4
	le, str := binary.LittleEndian, lcfixture.Str
	var p bytes.Buffer
	p.WriteString("\x80\x04")
	str(&p, "langchain_community.docstore.in_memory")
	str(&p, "InMemoryDocstore")
	p.WriteString("\x93)\x81}")
	str(&p, "_dict")
	p.WriteString("}(")
	for i := range n {
		str(&p, fmt.Sprintf("id-%d", i))
		str(&p, "langchain_core.documents.base")
		str(&p, "Document")
		p.WriteString("\x93)\x81}")
		str(&p, "__dict__")
		p.WriteString("}(")
		str(&p, "page_content")
		if i == 0 {
			str(&p, strings.Repeat("あ", textLen/3))
			p.WriteString("\x94") // MEMOIZE: slot 0
		} else {
			p.WriteString("h\x00") // BINGET 0
		}
		p.WriteString("usb")
	}
	p.WriteString("usb}(")
	for i := range n {
		p.WriteString("J")
		p.Write(le.AppendUint32(nil, uint32(i)))
		str(&p, fmt.Sprintf("id-%d", i))
	}
	p.WriteString("u\x86.")
	if err := lcfixture.WriteFiles(dir, lcfixture.Index(dims, false, make([]float32, n*dims)), p.Bytes()); err != nil {
		t.Fatal(err)
	}
	return p.Len()
}

// TestOpen_LoadBudget: a small index.pkl whose documents share one long
// text (the keyword index and every chunk would hold it once per
// document) is refused at load with ErrTooLarge, naming the budget, and
// not after.
func TestOpen_LoadBudget(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "lc")
	size := writeSharedText(t, dir, 200, 30000) // 6 MB of text, x TextCost
	if size > 80_000 {
		t.Fatalf("pickle of %d bytes; the attack wants a small one", size)
	}
	_, err := Open(context.Background(), dir, OpenOptions{MaxBytes: 16 << 20})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "budget") || !strings.Contains(err.Error(), LangChainDocsFile) {
		t.Fatalf("err %v, want ErrTooLarge naming the budget and the file", err)
	}
	st, err := Open(context.Background(), dir, OpenOptions{MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunkCount() != 200 || len(st.Chunk(199).Text) != 30000 {
		t.Fatalf("%d chunks", st.ChunkCount())
	}
	// The FAISS vectors count too: a budget below them fails before the
	// pickle is read.
	if _, err := Open(context.Background(), dir, OpenOptions{MaxBytes: 1000}); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), LangChainIndexFile) {
		t.Fatalf("err %v, want ErrTooLarge for the vectors", err)
	}
}

// budgetModel is the embedder of writeTextStore's store.
var budgetModel = docmodel.EmbeddingModel{Provider: "hash", Model: "h", Dims: 8}

// writeTextStore writes a native store of 50 chunks of 1,000 bytes of
// text each (50 KB, x TextCost in the budget) and returns its folder.
func writeTextStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "native")
	chunks, vecs := testData(50, 8, 1)
	for i := range chunks {
		chunks[i].Text = strings.Repeat("text ", 200)
	}
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: budgetModel, Exact: true}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOpen_NativeLoadBudget(t *testing.T) {
	t.Parallel()
	dir := writeTextStore(t)
	if _, err := Open(context.Background(), dir, OpenOptions{MaxBytes: 100_000}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err %v, want ErrTooLarge (50 KB of text x %d)", err, TextCost)
	}
	if _, err := Open(context.Background(), dir, OpenOptions{MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
}

// TestCheckManifest_RefusesWhatOpenRefuses: from the manifest alone,
// CheckManifest refuses a store over the load budget or made by another
// embedder, as Open does, and accepts what Open opens.
func TestCheckManifest_RefusesWhatOpenRefuses(t *testing.T) {
	t.Parallel()
	dir, emb := writeTextStore(t), budgetModel
	m, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	other := emb
	other.Dims = 16
	tests := []struct {
		name string
		opts OpenOptions
		want error
	}{
		{"within the budget", OpenOptions{Embedding: emb, MaxBytes: 1 << 20}, nil},
		{"over the budget", OpenOptions{Embedding: emb, MaxBytes: 100_000}, ErrTooLarge},
		{"another embedder", OpenOptions{Embedding: other, MaxBytes: 1 << 20}, ErrDimensionMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckManifest(dir, m, tt.opts)
			_, openErr := Open(context.Background(), dir, tt.opts)
			if tt.want == nil {
				if err != nil || openErr != nil {
					t.Fatalf("CheckManifest %v, Open %v; want both nil", err, openErr)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(openErr, tt.want) {
				t.Fatalf("CheckManifest %v, Open %v; want both %v", err, openErr, tt.want)
			}
		})
	}
}

func TestOpen_Cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := filepath.Join(t.TempDir(), "lc")
	writeSharedText(t, dir, 3, 30)
	if _, err := Open(ctx, dir, OpenOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestReadChunks_Cancelled: the loops over chunk lines at open (the scan
// for line ends and the full check of every line) stop on a cancelled
// context.
func TestReadChunks_Cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := []byte(strings.Repeat(`{"id":"a","text":"t"}`+"\n", 10))
	if _, err := scanLines(ctx, b, ChunksFile, 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("scan: err %v, want context.Canceled", err)
	}
	offs, err := scanLines(context.Background(), b, ChunksFile, 10)
	if err != nil {
		t.Fatal(err)
	}
	table := &chunkTable{data: b, offs: offs}
	if err := table.check(ctx, ChunksFile); !errors.Is(err, context.Canceled) {
		t.Fatalf("check: err %v, want context.Canceled", err)
	}
	if err := table.check(context.Background(), ChunksFile); err != nil {
		t.Fatal(err)
	}
}

// TestOpenLoops_Cancelled: every loop a first open of a native store runs
// over its mapped data (hashing, the finiteness check of the vectors, the
// copy a big-endian machine decodes) stops on a cancelled context, so a
// STORE_LOAD_TIMEOUT ends the first open of a large store.
func TestOpenLoops_Cancelled(t *testing.T) {
	t.Parallel()
	data := make([]byte, 4*checkEvery*3)
	tests := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"hash", func(ctx context.Context) error { _, err := hashMapped(ctx, data); return err }},
		{"finite", func(ctx context.Context) error { return checkFinite(ctx, data, VectorsFile) }},
		{"decode", func(ctx context.Context) error {
			_, err := readVectors(ctx, bufio.NewReader(bytes.NewReader(data)), VectorsFile, len(data)/4)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := tt.run(ctx); !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v, want context.Canceled", err)
			}
			if err := tt.run(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestOpen_NativeCancelled: a cancelled first open of a native store
// fails with the context's error and records nothing as verified.
func TestOpen_NativeCancelled(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "native")
	chunks, vecs := testData(50, 8, 1)
	if _, err := Write(context.Background(), dir, chunks, vecs, WriteOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "h", Dims: 8}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Open(ctx, dir, OpenOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(dir, VerifiedFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s after a cancelled open: %v", VerifiedFile, err)
	}
}

// TestTextBytes: chunk text costs TextCost times its size unless a
// persisted keyword index larger than the in-memory build's share is
// present, which then counts whole.
func TestTextBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		chunks, keyword, want int64
	}{
		{1000, 0, 1000 * TextCost},
		{1000, 200, 1000 * TextCost},
		{1000, 10_000, 1000 + 10_000},
		{0, 0, 0},
	}
	for _, tt := range tests {
		if got := textBytes(tt.chunks, tt.keyword); got != tt.want {
			t.Errorf("textBytes(%d, %d) = %d, want %d", tt.chunks, tt.keyword, got, tt.want)
		}
	}
}
