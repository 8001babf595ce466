package fsatomic

import "golang.org/x/sys/unix"

// Available returns the bytes an unprivileged writer may still use on the
// filesystem holding dir, and false when that cannot be told.
func Available(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * st.Bsize, true //nolint:gosec // G115: a filesystem's free blocks times their size fit in int64
}
