package lifecycle

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// SetGoMemLimit gives the Go runtime a soft memory limit of ratio times
// the container's cgroup memory limit, so the garbage collector works
// harder as the heap nears the task's memory instead of the kernel
// killing the task. The rest of the limit is headroom for what the
// cgroup counts but the runtime does not manage (memory-mapped files,
// page cache).
//
// It returns the limit it set, or 0 when it left the runtime alone: ratio
// 0, a limit already in force (an explicit GOMEMLIMIT, which the runtime
// applied at start), no cgroup limit (outside a container), or a cgroup
// that cannot be read (logged).
func SetGoMemLimit(ratio float64, log *slog.Logger) int64 {
	return setGoMemLimit(ratio, memlimit.FromCgroup, log)
}

func setGoMemLimit(ratio float64, cgroupLimit func() (uint64, error), log *slog.Logger) int64 {
	if ratio <= 0 {
		return 0
	}
	ctx := context.Background()
	if cur := debug.SetMemoryLimit(-1); cur != math.MaxInt64 {
		log.LogAttrs(ctx, slog.LevelInfo, "memory limit kept", slog.Int64("gomemlimit_bytes", cur))
		return 0
	}
	limit, err := cgroupLimit()
	switch {
	case errors.Is(err, memlimit.ErrNoLimit):
		return 0
	case err != nil:
		log.LogAttrs(ctx, slog.LevelWarn, "memory limit not set: cgroup unreadable", slog.Any("error", err))
		return 0
	}
	n := float64(limit) * ratio
	if n < 1 || n >= math.MaxInt64 {
		return 0
	}
	debug.SetMemoryLimit(int64(n))
	log.LogAttrs(ctx, slog.LevelInfo, "memory limit set", slog.Int64("gomemlimit_bytes", int64(n)),
		slog.Uint64("cgroup_limit_bytes", limit), slog.Float64("ratio", ratio))
	return int64(n)
}
