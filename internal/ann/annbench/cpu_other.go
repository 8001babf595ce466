//go:build !unix && !windows

package annbench

// cpuSeconds reports 0: this system has no process CPU time Go can read.
func cpuSeconds() float64 { return 0 }
