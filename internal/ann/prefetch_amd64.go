package ann

import "unsafe"

// prefetch asks the CPU to start loading the n bytes at p (n > 0) into
// cache, so that reading them soon after finds them there. It never
// faults.
//
//go:noescape
func prefetch(p unsafe.Pointer, n int)
