package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

// TestBuild_NoSpaceBeforeEmbedding: on a filesystem too small for the
// store (a 1 MiB tmpfs; the big build needs 1.2 MiB of vectors alone),
// the build stops before its first embedding call with ErrNoSpace, and
// the store already there is still served; a store that fits is built.
func TestBuild_NoSpaceBeforeEmbedding(t *testing.T) {
	t.Parallel()
	disk := t.TempDir()
	if err := unix.Mount("tmpfs", disk, "tmpfs", 0, "size=1m"); err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			t.Skipf("cannot mount tmpfs here (CI runs as root): %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(disk, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	hash, err := embed.NewHash(embed.HashConfig{Dims: 1024})
	if err != nil {
		t.Fatal(err)
	}
	small, big := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(small, "a.md"), "# A\n\nAlpha text about brakes.\n")
	for i := range 300 {
		writeFile(t, filepath.Join(big, fmt.Sprintf("d%03d.md", i)), fmt.Sprintf("# Doc %d\n\nText number %d.\n", i, i))
	}
	out := filepath.Join(disk, "store")
	if _, err := Build(context.Background(), small, out, hash, Config{Exact: true}); err != nil {
		t.Fatalf("small build on the tmpfs: %v", err)
	}

	emb := &countingEmbedder{Embedder: hash}
	_, err = Build(context.Background(), big, out, emb, Config{Exact: true})
	if !errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "nothing was embedded") {
		t.Fatalf("err %v, want ErrNoSpace", err)
	}
	if n := emb.calls.Load(); n != 0 {
		t.Errorf("%d embedding calls before the refusal, want none", n)
	}
	st, err := store.Open(context.Background(), out, store.OpenOptions{Embedding: hash.Info()})
	if err != nil {
		t.Fatalf("the small store after the refusal: %v", err)
	}
	if n := st.ChunkCount(); n != 1 {
		t.Errorf("the store holds %d chunks, want the small build's 1", n)
	}
}
