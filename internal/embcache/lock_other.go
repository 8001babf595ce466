//go:build !unix

package embcache

import "os"

// lockFile does nothing where flock is not available: concurrent builds
// sharing one cache are not detected there.
func lockFile(*os.File) error { return nil }
