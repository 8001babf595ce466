package pdfsandbox

import (
	"errors"
	"fmt"
	"time"

	"github.com/vendor0919/api/internal/chunk"
)

// Errors the Parser returns, wrapped with the limit's value, when the
// child parsing a PDF is ended by one of its Limits.
var (
	ErrCPULimit    = errors.New("pdf: parser exceeded its CPU time limit")
	ErrMemoryLimit = errors.New("pdf: parser exceeded its memory limit")
	ErrOutputLimit = errors.New("pdf: parser's output exceeded its limit")
)

// Limits bounds the child process that parses one PDF.
type Limits struct {
	// CPU is the CPU time (user and system, all threads) the child may
	// use, rounded up to whole seconds (RLIMIT_CPU); the kernel kills it
	// at the limit. Zero means DefaultLimits'.
	CPU time.Duration
	// Memory is the most memory, in bytes, the child may allocate: its
	// data segment (RLIMIT_DATA, which counts the memory Go has mapped
	// for use, not the address space it only reserves), with the Go
	// runtime's soft limit at three quarters of it so the collector works
	// hard before an allocation fails. Zero means DefaultLimits'.
	Memory int64
	// Output is the most bytes the Parser reads back from the child (the
	// encoded Document); a child that writes more is killed. Zero means
	// DefaultLimits'.
	Output int64
}

// Defaults, for a PDF of size bytes: CPUBase plus CPUPerMiB for each MiB
// (rounded up); MemoryBase plus MemoryPerByte times the size, at most
// MaxMemory; and for Output, four times chunk.MaxPDFText, the text it
// extracts from a PDF at most (line breaks and spaces are added between
// the pieces it counts), plus the size (a title from the Info
// dictionary) plus 16 MiB (one Section per page). Real manuals parse at
// about 2 MB a second in 25 MiB of heap (bash, zsh and doxygen's, 0.8 to
// 1.9 MB, on two shared cores), so the limits leave a slower machine 20
// times the time and a large file 80 times the memory, and only a hostile
// or broken file comes near them; at chunk.MaxFileBytes (64 MiB) they are
// about 12 minutes of CPU and 6 GiB.
const (
	CPUBase       = 60 * time.Second
	CPUPerMiB     = 10 * time.Second
	MemoryBase    = 2 << 30
	MemoryPerByte = 64
	MaxMemory     = 6 << 30
)

// DefaultLimits returns the limits for a PDF of size bytes (see CPUBase).
func DefaultLimits(size int) Limits {
	mib := (int64(size) + 1<<20 - 1) >> 20
	return Limits{
		CPU:    CPUBase + time.Duration(mib)*CPUPerMiB,
		Memory: min(MemoryBase+MemoryPerByte*int64(size), MaxMemory),
		Output: 4*chunk.MaxPDFText + int64(size) + 16<<20,
	}
}

// withDefaults fills l's zero fields from DefaultLimits(size).
func (l Limits) withDefaults(size int) Limits {
	d := DefaultLimits(size)
	if l.CPU <= 0 {
		l.CPU = d.CPU
	}
	if l.Memory <= 0 {
		l.Memory = d.Memory
	}
	if l.Output <= 0 {
		l.Output = d.Output
	}
	return l
}

// cpuSeconds is l.CPU in whole seconds, rounded up.
func (l Limits) cpuSeconds() int64 {
	return int64((l.CPU + time.Second - 1) / time.Second)
}

func cpuError(secs int64) error { return fmt.Errorf("%w (%d s)", ErrCPULimit, secs) }

func memoryError(n int64) error { return fmt.Errorf("%w (%d MiB)", ErrMemoryLimit, n>>20) }
