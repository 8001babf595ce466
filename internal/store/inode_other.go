//go:build !unix

package store

import "os"

// inode is 0 where the platform has none to report; size and mtime still
// identify a file.
func inode(os.FileInfo) uint64 { return 0 }
