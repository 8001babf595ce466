//go:build unix

package store

import (
	"os"
	"syscall"
)

// mmapFile maps size bytes of f read-only and shared: the page cache's
// copy is used in place, counted once however many processes map it, and
// pages are read only when touched.
func mmapFile(f *os.File, size int) ([]byte, func([]byte), error) {
	data, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return data, func(b []byte) { _ = syscall.Munmap(b) }, nil
}
