package pdfsandbox

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vendor0919/api/internal/chunk"
)

// waitDelay bounds how long Parse waits for the child's pipes to close
// after it is killed.
const waitDelay = 5 * time.Second

// Parser parses PDFs in a child process under Limits. The zero value runs
// os.Executable() with DefaultLimits. A Parser is safe for concurrent
// use; each Parse runs its own child.
type Parser struct {
	// Path is the program run as the child, with Command and the limits
	// as arguments; it must hand them to Serve. "" means os.Executable().
	Path string
	// Limits gives the limits for a PDF of size bytes; nil means
	// DefaultLimits, and zero fields take DefaultLimits' too.
	Limits func(size int) Limits
}

// Parse is a chunk.PDFParser: it runs the child, gives it b on stdin and
// returns the Document it parsed, or its error. A child ended by a limit
// is an error wrapping ErrCPULimit, ErrMemoryLimit or ErrOutputLimit
// that gives the limit; a child killed because ctx ended is ctx.Err()
// (wrapped); any other crash is an error quoting the first line the child
// wrote on stderr.
func (p Parser) Parse(ctx context.Context, b []byte) (chunk.Document, error) {
	var lim Limits
	if p.Limits != nil {
		lim = p.Limits(len(b))
	}
	lim = lim.withDefaults(len(b))
	path := p.Path
	if path == "" {
		var err error
		if path, err = os.Executable(); err != nil {
			return chunk.Document{}, fmt.Errorf("pdfsandbox: %w", err)
		}
	}
	secs := lim.cpuSeconds()
	cmd := exec.CommandContext(ctx, path, Command, //nolint:gosec // G204: our own executable, or the one the caller names; the arguments are numbers
		"-cpu", strconv.FormatInt(secs, 10), "-memory", strconv.FormatInt(lim.Memory, 10))
	cmd.Stdin = bytes.NewReader(b)
	stderr := &prefixBuffer{max: 64 << 10}
	cmd.Stderr = stderr
	cmd.WaitDelay = waitDelay
	killWithParent(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return chunk.Document{}, fmt.Errorf("pdfsandbox: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return chunk.Document{}, fmt.Errorf("pdfsandbox: start the parser: %w", err)
	}
	out, readErr := io.ReadAll(io.LimitReader(stdout, lim.Output+1))
	overOutput := int64(len(out)) > lim.Output
	if overOutput {
		_ = cmd.Process.Kill()
	}
	waitErr := cmd.Wait()

	switch {
	case ctx.Err() != nil:
		return chunk.Document{}, fmt.Errorf("pdfsandbox: %w", ctx.Err())
	case overOutput:
		return chunk.Document{}, fmt.Errorf("%w (%d bytes)", ErrOutputLimit, lim.Output)
	case waitErr != nil:
		return chunk.Document{}, exitError(cmd.ProcessState, waitErr, stderr.String(), secs, lim.Memory)
	case readErr != nil:
		return chunk.Document{}, fmt.Errorf("pdfsandbox: read the parser's output: %w", readErr)
	}
	var res result
	if err := gob.NewDecoder(bytes.NewReader(out)).Decode(&res); err != nil {
		return chunk.Document{}, fmt.Errorf("pdfsandbox: decode the parser's output: %w", err)
	}
	if res.Err != "" {
		return chunk.Document{}, errors.New(res.Err)
	}
	return res.Doc, nil
}

// exitError explains a child that did not exit cleanly: killed by the
// kernel at its CPU limit (SIGKILL with its CPU time at the limit), out
// of memory (the Go runtime's fatal error, or the race detector's failed
// allocation, when the data segment is full), else a crash quoting its
// first line on stderr.
func exitError(ps *os.ProcessState, waitErr error, stderr string, cpuSecs, mem int64) error {
	if ps != nil {
		ws, ok := ps.Sys().(syscall.WaitStatus)
		used := ps.UserTime() + ps.SystemTime()
		// The kernel checks the limit on its clock ticks; allow one second.
		if ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL && used >= time.Duration(cpuSecs-1)*time.Second {
			return cpuError(cpuSecs)
		}
	}
	if strings.Contains(stderr, "out of memory") ||
		(strings.Contains(stderr, "ThreadSanitizer failed to allocate") && strings.Contains(stderr, "errno: 12")) {
		return memoryError(mem)
	}
	first, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
	if first == "" {
		return fmt.Errorf("pdf: parser failed: %w", waitErr)
	}
	return fmt.Errorf("pdf: parser failed: %w: %s", waitErr, chunk.TruncateRunes(first, 200))
}

// prefixBuffer keeps the first max bytes written to it and discards the
// rest: a Go runtime crash names its cause on the first line.
type prefixBuffer struct {
	max int
	buf bytes.Buffer
}

func (p *prefixBuffer) Write(b []byte) (int, error) {
	if room := p.max - p.buf.Len(); room > 0 {
		p.buf.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}

func (p *prefixBuffer) String() string { return p.buf.String() }
