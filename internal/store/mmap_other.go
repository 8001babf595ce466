//go:build !unix

package store

import (
	"io"
	"os"
)

// mmapFile reads size bytes of f into memory where there is no mmap.
func mmapFile(f *os.File, size int) ([]byte, func([]byte), error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, err
	}
	return b, nil, nil
}
