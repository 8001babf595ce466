package soak

import (
	"testing"
	"time"
)

// TestSoak_Short is the soak in 20 seconds: four reloads, a sample a second,
// the same checks and the drain. -short skips it (it builds the binary and
// starts versitygw).
func TestSoak_Short(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: -short skips the real-server soak")
	}
	runSoak(t, Options{
		Duration:    20 * time.Second,
		ReloadEvery: 5 * time.Second,
		SampleEvery: time.Second,
		Warmup:      5 * time.Second,
	})
}
