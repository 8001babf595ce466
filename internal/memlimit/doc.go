// Package memlimit reports the memory limit the process runs under: the
// container's cgroup limit (v2 memory.max, or v1 memory.limit_in_bytes)
// and the Go runtime's soft limit (GOMEMLIMIT or debug.SetMemoryLimit),
// whichever is smaller.
//
// It only reads: setting GOMEMLIMIT from the cgroup is for whoever starts
// the process. Limit is safe for concurrent use and reads the files on
// every call (a few hundred bytes), so a limit changed at run time is seen.
package memlimit
