//go:build unix && !solaris && !aix

package fsatomic

import (
	"errors"
	"os"
	"syscall"
)

// CanLock reports whether TryLock takes a real lock here.
const CanLock = true

// TryLock takes f's exclusive advisory lock without waiting: ErrLocked
// when another open file holds it (another process, or another open of
// the same file in this one). The kernel drops it when f is closed or the
// process dies, so a killed writer never leaves it held.
func TryLock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
