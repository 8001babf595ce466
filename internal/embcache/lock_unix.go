//go:build unix && !solaris && !aix

package embcache

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes f's exclusive advisory lock without waiting: ErrBusy
// when another process holds it. The kernel drops it when f is closed
// or the process dies, so a killed build never leaves the cache locked.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrBusy
	}
	return err
}
