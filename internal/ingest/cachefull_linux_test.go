package ingest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/vendor0919/api/internal/embcache"
	"github.com/vendor0919/api/internal/embed"
)

// fullDiskEmbedder embeds with Embedder and, before its first call,
// points the descriptor the build's cache appends to at /dev/full: every
// later write fails with ENOSPC, as on a disk that filled mid-build.
type fullDiskEmbedder struct {
	embed.Embedder
	t    *testing.T
	file string // the cache file
	once sync.Once
}

func (e *fullDiskEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.once.Do(func() {
		// On the embedder's worker goroutine: Errorf, never Skip or
		// Fatal (the test checks /dev/full and /proc before the build).
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			e.t.Errorf("/dev/full: %v", err)
			return
		}
		defer full.Close()
		fds, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			e.t.Errorf("/proc/self/fd: %v", err)
			return
		}
		for _, fd := range fds {
			if target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); target == e.file {
				if n, err := strconv.Atoi(fd.Name()); err == nil {
					if err := syscall.Dup3(int(full.Fd()), n, 0); err != nil {
						e.t.Errorf("dup3: %v", err)
					}
				}
			}
		}
	})
	return e.Embedder.Embed(ctx, texts)
}

// TestBuild_CacheFullDiskWarnsAndGoesOn: a cache whose disk fills
// mid-build is an optimisation lost, not a build: one warning names the
// cache and the error, the store is written, and the summary says so.
func TestBuild_CacheFullDiskWarnsAndGoesOn(t *testing.T) {
	t.Parallel()
	for _, need := range []string{"/dev/full", "/proc/self/fd"} {
		if _, err := os.Stat(need); err != nil {
			t.Skipf("no %s: %v", need, err)
		}
	}
	in, cacheRoot := t.TempDir(), t.TempDir()
	for _, name := range []string{"a", "b", "c", "d"} {
		writeFile(t, filepath.Join(in, name+".md"), "# "+name+"\n\nText of document "+name+".\n")
	}
	hash := hashEmbedder(t)
	emb := &fullDiskEmbedder{Embedder: hash, t: t, file: filepath.Join(embcache.Dir(cacheRoot, hash.Info()), embcache.FileName)}
	var warnings bytes.Buffer
	out := filepath.Join(t.TempDir(), "store")
	res, err := Build(context.Background(), in, out, emb, Config{Exact: true, Cache: cacheRoot, Batch: 1, Warnings: &warnings})
	if err != nil {
		t.Fatalf("build stopped on a full cache disk: %v", err)
	}
	if res.Manifest == nil || res.Manifest.Count != 4 {
		t.Fatalf("manifest %+v", res.Manifest)
	}
	w := warnings.String()
	if strings.Count(w, "warning:") != 1 || !strings.Contains(w, res.CacheDir) || !strings.Contains(w, "no space left on device") {
		t.Errorf("warnings %q: want one naming %s and the error", w, res.CacheDir)
	}
	if res.CachePutErr == nil || !strings.Contains(cacheLine(res), "not all added") {
		t.Errorf("result: put error %v, cache line %q", res.CachePutErr, cacheLine(res))
	}
}
