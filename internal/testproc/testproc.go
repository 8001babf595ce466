package testproc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// FindBinary returns the path of a tool, or "" if none is found: the file
// named by the environment variable env when it is set (and "" if that is
// not an executable), else name on PATH, else the copy that
// scripts/install-tools.sh caches in ${XDG_CACHE_HOME:-~/.cache}/vendor0919/bin.
func FindBinary(env, name string) string {
	if p := os.Getenv(env); p != "" {
		if isExec(p) {
			return p
		}
		return ""
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(home, ".cache")
	}
	if p := filepath.Join(cache, "vendor0919", "bin", name); isExec(p) {
		return p
	}
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p) //nolint:gosec // G703: test-only lookup of a binary the developer named
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// outputKeep is what Output keeps of a long-running process's output: the
// last half MiB once it passes 1 MiB, enough to explain a failure.
const (
	outputMax  = 1 << 20
	outputKeep = 512 << 10
)

// Output collects a process's stdout and stderr from their copier
// goroutines while a test reads it; it keeps the last 512 KiB to 1 MiB.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Output) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > outputMax {
		keep := b.buf.Bytes()[b.buf.Len()-outputKeep:]
		b.buf = *bytes.NewBuffer(append([]byte(nil), keep...))
	}
	return b.buf.Write(p)
}

// String returns the output kept so far.
func (b *Output) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Required reports whether a test that needs a missing tool must fail
// rather than skip: VENDOR0919_REQUIRE_TOOLS=1, which CI sets, so that a
// tool that failed to install cannot turn into silently skipped tests.
func Required() bool { return os.Getenv("VENDOR0919_REQUIRE_TOOLS") == "1" }

// TB is what Missing needs of a testing.TB (this package does not import
// testing, so that a benchmark command can use Output).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Missing ends a test that needs a tool this machine lacks, as format
// describes it: it fails under Required and skips otherwise, saying how
// to install the tools.
func Missing(t TB, format string, args ...any) {
	t.Helper()
	if Required() {
		t.Fatalf(format+" (VENDOR0919_REQUIRE_TOOLS=1 forbids skipping)", args...)
	}
	t.Skipf(format+` (install: eval "$(bash scripts/install-tools.sh)")`, args...)
}
