//go:build !linux

package pdfsandbox

import "os/exec"

// setLimits sets no OS limit outside Linux: the child then runs under the
// Go runtime's soft memory limit and the parent's context only.
func setLimits(cpu, mem int64) error { return nil }

func killWithParent(*exec.Cmd) {}
