package s3sync

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vendor0919/api/internal/s3test"
)

// TestSync_DestinationNoRenameMoves: the container image used to hold an
// empty /app/vectorstore, which overlayfs (Docker's and containerd's
// storage) keeps in a lower layer where no rename can move it, and a
// volume mounted at VECTORSTORE_DIR is a mount point: every sync
// downloaded the store, failed the swap and started over. Both are now
// ErrDestination, with no retry, and nothing left behind; a mount point is
// refused before anything is fetched. Needs root to mount (CI runs so).
func TestSync_DestinationNoRenameMoves(t *testing.T) {
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)
	root := t.TempDir()
	mount := func(fstype, target, data string) {
		if err := unix.Mount(fstype, target, fstype, 0, data); err != nil {
			if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
				t.Skipf("cannot mount %s here: %v", fstype, err)
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = unix.Unmount(target, unix.MNT_DETACH) })
	}
	for _, d := range []string{"lower/app/vectorstore", "upper", "work", "merged", "vol/vectorstore"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mount("overlay", filepath.Join(root, "merged"), "lowerdir="+filepath.Join(root, "lower")+
		",upperdir="+filepath.Join(root, "upper")+",workdir="+filepath.Join(root, "work"))
	mount("tmpfs", filepath.Join(root, "vol/vectorstore"), "size=1m")

	for _, tc := range []struct {
		name, dst string
		fetched   bool
	}{
		{"a folder of the image's layer", filepath.Join(root, "merged/app/vectorstore"), true},
		{"a mount point", filepath.Join(root, "vol/vectorstore"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			px := newProxy(t, srv.Endpoint)
			s := newTestSyncer(t, srv, px.URL, "vs/prod", 3)
			res, err := s.Sync(context.Background(), tc.dst)
			if !errors.Is(err, ErrDestination) || res.Attempts != 1 {
				t.Fatalf("err = %v after %d attempts, want ErrDestination at once", err, res.Attempts)
			}
			if fetched := len(px.requests("")) > 0; fetched != tc.fetched {
				t.Errorf("requests made: %v, want %v", fetched, tc.fetched)
			}
			assertOnly(t, filepath.Dir(tc.dst), "vectorstore")
			if got := readTree(t, tc.dst); len(got) != 0 {
				t.Errorf("destination holds %v, want it empty as before", got)
			}
		})
	}
}
