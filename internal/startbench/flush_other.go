//go:build !unix

package startbench

// flushWrites does nothing here: this system has no sync(2), so a timed
// download may pay for the writes of the one before.
func flushWrites() {}
