package fsatomic

import "golang.org/x/sys/unix"

// Available returns the bytes this process may still write on the
// filesystem holding dir, and false when that cannot be told. Root may
// write into the blocks a filesystem reserves for it (ext4 keeps 5% by
// default), so for root that is every free block, for others f_bavail.
func Available(dir string) (int64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, false
	}
	blocks := st.Bavail
	if unix.Geteuid() == 0 {
		blocks = st.Bfree
	}
	return int64(blocks) * int64(st.Bsize), true //nolint:gosec,unconvert // G115: free blocks times their size fit in int64; Bsize is int32 on 32-bit Linux
}
