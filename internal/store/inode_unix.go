//go:build unix

package store

import (
	"os"
	"syscall"
)

// inode returns the file's inode number.
func inode(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Ino) //nolint:unconvert // Ino is not uint64 everywhere
	}
	return 0
}
