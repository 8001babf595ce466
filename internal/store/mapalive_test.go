package store

import (
	"context"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
)

// TestOpen_MappingsOutliveTheirUse: every mapping stays mapped while
// anything reads it. A mapping is unmapped by a cleanup once its owner is
// unreachable, and the GC may find an owner unreachable while a slice of
// its bytes is still being read: Open decoded the chunk offsets of a
// mapping nothing referenced any more, and a GC in the middle unmapped
// them (SIGSEGV in decodeChunkIndex, seen starting the server on a 1M
// store). Opens and chunk reads run here with collections forced
// throughout; a read of an unmapped page kills the test binary.
func TestOpen_MappingsOutliveTheirUse(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	// Enough chunks that decoding the offsets takes a while (a 400 KB
	// offsets file), few dimensions so writing is quick.
	writeTestStore(t, dir, 50_000, WriteOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 2}, Exact: true})
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !stop.Load() {
			runtime.GC()
		}
	}()
	defer func() { stop.Store(true); <-done }()
	for range 20 {
		st, err := Open(context.Background(), dir, OpenOptions{Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "m", Dims: 2}})
		if err != nil {
			t.Fatal(err)
		}
		if c := st.Chunk(st.ChunkCount() - 1); c.ID == "" {
			t.Fatal("last chunk decoded empty")
		}
	}
}
