package s3sync

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing n bytes of f at off to
// disk now, without waiting (sync_file_range SYNC_FILE_RANGE_WRITE). The
// swap fsyncs every staged file (fsatomic.ReplaceDir); starting the
// writeback as each part lands overlaps the disk writes with the transfer,
// so that fsync finds little left to do. It is only a hint: errors are
// ignored, and the fsync still decides durability.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE) //nolint:gosec // G115: a file descriptor fits an int
}
