package fsatomic

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAvailable_RootWritesReservedBlocks: on an ext4 that keeps half its
// blocks for root, filled until nothing is left for others, root is
// told of the reserved blocks it can still write (a build run as root,
// Docker's default, was refused there with "0.0 MiB free").
func TestAvailable_RootWritesReservedBlocks(t *testing.T) {
	t.Parallel()
	if unix.Geteuid() != 0 {
		t.Skip("needs root to mount a loop device (CI runs as root)")
	}
	mkfs, err := exec.LookPath("mkfs.ext4")
	if err != nil {
		t.Skipf("mkfs.ext4: %v", err)
	}
	dir := t.TempDir()
	img, mnt := filepath.Join(dir, "e.img"), filepath.Join(dir, "m")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 40<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, "-q", "-F", "-m", "50", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v\n%s", err, out)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a loop device here: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount: %v\n%s", err, out)
		}
	})
	var st unix.Statfs_t
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	// Fill what others may write, and a little of the reserve.
	fill := make([]byte, int64(st.Bavail)*int64(st.Bsize)+(1<<20)) //nolint:unconvert // Bsize is int32 on 32-bit Linux
	if err := os.WriteFile(filepath.Join(mnt, "fill"), fill, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := unix.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	got, ok := Available(mnt)
	if !ok || got < 10<<20 || st.Bavail != 0 {
		t.Errorf("Available = %d, %v with f_bavail %d; want root told of the reserve (over 10 MiB)", got, ok, st.Bavail)
	}
}
