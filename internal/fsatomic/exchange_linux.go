package fsatomic

import (
	"errors"

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
