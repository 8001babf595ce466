//go:build !unix || solaris || aix

package embcache

import "os"

// lockFile does nothing where syscall has no flock (Windows, Solaris,
// illumos, AIX): concurrent builds sharing one cache are not detected
// there.
func lockFile(*os.File) error { return nil }
