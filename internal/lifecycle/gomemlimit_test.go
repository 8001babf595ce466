package lifecycle

import (
	"errors"
	"log/slog"
	"math"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// TestSetGoMemLimit_FromCgroup runs serially: the runtime's memory limit
// is one per process. Each case starts from no limit (or the one it
// names) and the process's own limit is restored after.
func TestSetGoMemLimit_FromCgroup(t *testing.T) {
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })
	const gib = 1 << 30
	limit := func(n uint64, err error) func() (uint64, error) { return func() (uint64, error) { return n, err } }
	tests := []struct {
		name     string
		ratio    float64
		before   int64 // the limit in force at the call
		cgroup   func() (uint64, error)
		want     int64 // returned
		wantHeld int64 // in force after
	}{
		{"1 GiB task", 0.85, math.MaxInt64, limit(gib, nil), 912680550, 912680550},
		{"explicit GOMEMLIMIT wins", 0.85, 600 << 20, limit(gib, nil), 0, 600 << 20},
		{"ratio 0: off", 0, math.MaxInt64, limit(gib, nil), 0, math.MaxInt64},
		{"no cgroup limit", 0.85, math.MaxInt64, limit(0, memlimit.ErrNoLimit), 0, math.MaxInt64},
		{"cgroup unreadable", 0.85, math.MaxInt64, limit(0, errors.New("open /sys/fs/cgroup: permission denied")), 0, math.MaxInt64},
		{"absurd cgroup value", 0.85, math.MaxInt64, limit(math.MaxUint64, nil), 0, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.before)
			got := setGoMemLimit(tt.ratio, tt.cgroup, slog.New(slog.DiscardHandler))
			if got != tt.want {
				t.Errorf("returned %d, want %d", got, tt.want)
			}
			if held := debug.SetMemoryLimit(-1); held != tt.wantHeld {
				t.Errorf("limit in force %d, want %d", held, tt.wantHeld)
			}
		})
	}
}
