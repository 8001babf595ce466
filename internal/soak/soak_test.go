//go:build soak

package soak

import (
	"os"
	"testing"
	"time"
)

// TestSoak is make soak: SOAK_DURATION (default 10m) of mixed traffic with
// a reload every 30 s, then SIGTERM under load. Flags and defaults are in
// the package documentation.
func TestSoak(t *testing.T) {
	d := DefaultDuration
	if v := os.Getenv("SOAK_DURATION"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 10*time.Second {
			t.Fatalf("SOAK_DURATION %q: want a duration of at least 10s", v)
		}
	}
	runSoak(t, Options{Duration: d})
}
