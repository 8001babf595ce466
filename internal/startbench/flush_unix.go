//go:build unix

package startbench

import "syscall"

// flushWrites asks the kernel to write dirty pages out, so one timed
// download does not pay for the writes of the one before.
func flushWrites() { syscall.Sync() }
