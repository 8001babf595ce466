package pdfsandbox

import (
	"os/exec"
	"syscall"
)

// setLimits puts the calling process under cpu seconds of CPU time and
// mem bytes of data segment. The soft and hard CPU limits are equal, so
// the kernel sends SIGKILL, not SIGXCPU (which the Go runtime ignores).
func setLimits(cpu, mem int64) error {
	if err := syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: uint64(cpu), Max: uint64(cpu)}); err != nil {
		return err
	}
	return syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: uint64(mem), Max: uint64(mem)})
}

// killWithParent has the kernel kill the child if the parser's process
// dies first (a second Ctrl-C, kill -9), so no orphan parses on.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
