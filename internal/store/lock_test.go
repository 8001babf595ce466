package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/fsatomic"
)

// TestLockOut covers the writer's lock on a store folder: one holder at a
// time, Write refusing while another holds it and writing under the
// caller's lock, and the temporary folders a killed writer left removed
// once the lock is taken (those of other folders kept).
func TestLockOut(t *testing.T) {
	t.Parallel()
	if !fsatomic.CanLock {
		t.Skip("no advisory locks on this platform")
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "s")
	left := filepath.Join(parent, ".s.tmp-123")
	other := filepath.Join(parent, ".t.tmp-456")
	for _, d := range []string{left, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := LockOut(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a killed writer's folder %s, made just now, is still there: %v", left, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another store's temporary folder went: %v", err)
	}
	if _, err := LockOut(dir + "/"); !errors.Is(err, ErrLocked) {
		t.Errorf("second LockOut: %v, want ErrLocked", err)
	}
	chunks, vecs := testData(3, testEmbedding.Dims, 1)
	opts := WriteOptions{Embedding: testEmbedding, Exact: true}
	if _, err := Write(context.Background(), dir, chunks, vecs, opts); !errors.Is(err, ErrLocked) {
		t.Errorf("Write while another holds the lock: %v, want ErrLocked", err)
	}
	opts.Lock = l
	if _, err := Write(context.Background(), filepath.Join(parent, "t"), chunks, vecs, opts); err == nil {
		t.Error("Write under another folder's lock succeeded")
	}
	if _, err := Write(context.Background(), dir, chunks, vecs, opts); err != nil {
		t.Fatalf("Write under the caller's lock: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(parent, ".s.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file outlived its lock: %v", err)
	}
	opts.Lock = nil
	start := time.Now()
	if _, err := Write(context.Background(), dir, chunks, vecs, opts); err != nil {
		t.Fatalf("Write once the lock is released: %v", err)
	}
	if m, err := ReadManifest(dir); err != nil || m.Count != 3 || m.CreatedAt.Before(start.Add(-time.Minute)) {
		t.Errorf("manifest %+v, %v", m, err)
	}
}
