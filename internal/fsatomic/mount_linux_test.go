package fsatomic

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// mount mounts fstype at target with data, and unmounts it when the test
// ends; it skips the test where mounting is not allowed (not root, or no
// CAP_SYS_ADMIN: CI runs the suite as root, so it runs there).
func mount(t *testing.T, fstype, target, data string) {
	t.Helper()
	if err := unix.Mount(fstype, target, fstype, 0, data); err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
			t.Skipf("cannot mount %s here: %v", fstype, err)
		}
		t.Fatalf("mount %s at %s: %v", fstype, target, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(target, unix.MNT_DETACH); err != nil {
			t.Errorf("unmount %s: %v", target, err)
		}
	})
}

func writeMarker(t *testing.T, dir, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "marker"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readMarker(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "marker"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReplaceDir_NotRenameable: a folder of a lower overlayfs layer (what
// a container image's /app/vectorstore was, on Docker's default storage)
// and a mount point cannot be renamed. ReplaceDir says so with
// ErrNotRenameable and changes nothing; CheckRenameable tells a mount
// point beforehand.
func TestReplaceDir_NotRenameable(t *testing.T) {
	root := t.TempDir()

	// An image-like overlay: /app/store in the lower layer.
	lower, upper, work, merged := filepath.Join(root, "lower"), filepath.Join(root, "upper"), filepath.Join(root, "work"), filepath.Join(root, "merged")
	writeMarker(t, filepath.Join(lower, "app", "store"), "old")
	for _, d := range []string{upper, work, merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mount(t, "overlay", merged, "lowerdir="+lower+",upperdir="+upper+",workdir="+work)
	inImage := filepath.Join(merged, "app", "store")

	// A mount point.
	vol := filepath.Join(root, "vol")
	if err := os.Mkdir(vol, 0o755); err != nil {
		t.Fatal(err)
	}
	mount(t, "tmpfs", vol, "size=1m")
	writeMarker(t, vol, "old")

	for _, tc := range []struct {
		name, dst  string
		mountPoint bool
	}{
		{"a folder of the image's layer", inImage, false},
		{"a mount point", vol, true},
	} {
		for name, replace := range replacers {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				src := filepath.Join(filepath.Dir(tc.dst), ".new")
				writeMarker(t, src, "new")
				defer os.RemoveAll(src)
				if err := replace(src, tc.dst); !errors.Is(err, ErrNotRenameable) {
					t.Fatalf("err %v, want ErrNotRenameable", err)
				}
				if got := readMarker(t, tc.dst); got != "old" {
					t.Errorf("dst holds %q, want the old folder", got)
				}
				if got := readMarker(t, src); got != "new" {
					t.Errorf("src holds %q, want the new folder", got)
				}
			})
		}
		if err := CheckRenameable(tc.dst); errors.Is(err, ErrNotRenameable) != tc.mountPoint {
			t.Errorf("CheckRenameable(%s): %v, want ErrNotRenameable: %v", tc.name, err, tc.mountPoint)
		}
	}

	// A folder the container created (in the upper layer) is replaced
	// as anywhere else.
	created := filepath.Join(merged, "app", "created")
	writeMarker(t, created, "old")
	src := filepath.Join(merged, "app", ".new")
	writeMarker(t, src, "new")
	if err := ReplaceDir(src, created); err != nil {
		t.Fatal(err)
	}
	if got := readMarker(t, created); got != "new" {
		t.Errorf("created folder holds %q after the swap, want new", got)
	}
	for _, dir := range []string{created, filepath.Join(root, "missing")} {
		if err := CheckRenameable(dir); err != nil {
			t.Errorf("CheckRenameable(%s): %v", dir, err)
		}
	}
}
