package memlimit

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
)

// The cgroup files Limit reads, relative to the cgroup mount.
const (
	v2File = "memory.max"
	v1File = "memory/memory.limit_in_bytes"
)

// unlimitedV1 is where cgroup v1 reports "no limit" (a page-rounded
// MaxInt64); anything at or above it is treated as none.
const unlimitedV1 = 1 << 62

// Limit returns the process's memory limit in bytes and whether there is
// one: the smaller of the cgroup limit and the Go runtime's soft limit.
func Limit() (int64, bool) {
	return limit("/sys/fs/cgroup", debug.SetMemoryLimit(-1))
}

// limit is Limit with the cgroup mount and the runtime limit given.
func limit(root string, goLimit int64) (int64, bool) {
	best, ok := cgroupLimit(root)
	if goLimit > 0 && goLimit < math.MaxInt64 && (!ok || goLimit < best) {
		best, ok = goLimit, true
	}
	return best, ok
}

// cgroupLimit reads cgroup v2's memory.max, else v1's limit_in_bytes.
func cgroupLimit(root string) (int64, bool) {
	for _, name := range []string{v2File, v1File} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		if s == "max" {
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n >= unlimitedV1 {
			return 0, false
		}
		return n, true
	}
	return 0, false
}
