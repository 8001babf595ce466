//go:build !unix || solaris || aix

package fsatomic

import "os"

// CanLock reports whether TryLock takes a real lock here: not where
// syscall has no flock (Windows, Solaris, illumos, AIX).
const CanLock = false

// TryLock does nothing here: concurrent writers are not detected.
func TryLock(*os.File) error { return nil }
