package fsatomic

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// exchange atomically swaps the folders src and dst with renameat2's
// RENAME_EXCHANGE. It reports false, with no error, when dst does not
// exist or the file system cannot exchange, so the caller falls back.
func exchange(src, dst string) (bool, error) {
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
		return false, nil
	}
	return false, err
}

// notRenameable reports the errors a folder that cannot be renamed gives:
// EXDEV for one that overlayfs keeps in a lower layer (a container
// image's), EBUSY for a mount point.
func notRenameable(err error) bool {
	return errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EBUSY)
}

// CheckRenameable returns an error wrapping ErrNotRenameable when dir is
// a mount point (it lies on another device than its parent), which no
// rename can move; nil when it is not, or does not exist. A folder in a
// lower overlayfs layer looks like any other until a rename fails, so
// ReplaceDir reports that one.
func CheckRenameable(dir string) error {
	dir = filepath.Clean(dir)
	var d, p unix.Stat_t
	if err := unix.Lstat(dir, &d); err != nil {
		if errors.Is(err, syscall.ENOENT) {
			return nil
		}
		return fmt.Errorf("fsatomic: %s: %w", dir, err)
	}
	if err := unix.Stat(filepath.Dir(dir), &p); err != nil {
		return fmt.Errorf("fsatomic: %s: %w", filepath.Dir(dir), err)
	}
	if d.Dev != p.Dev {
		return fmt.Errorf("%w: %s is a mount point", ErrNotRenameable, dir)
	}
	return nil
}
