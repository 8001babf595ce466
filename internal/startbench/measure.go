package startbench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vendor0919/api/internal/testproc"
)

// Run is one start of the server on a store.
type Run struct {
	// Ready is the time from just before the process started to the first
	// /ready 200.
	Ready time.Duration
	// HWM and RSS are the process's peak and current resident set (VmHWM,
	// VmRSS) right after /ready first answered 200, in bytes.
	HWM, RSS int64
	// RSSAfterQueries is VmRSS after the warm-up searches, when any ran.
	RSSAfterQueries int64
}

// MeasureConfig says how to start the server.
type MeasureConfig struct {
	Binary string   // the server binary (bin/api)
	Env    []string // extra environment, e.g. VECTORSTORE_DIR=...
	// Timeout bounds the wait for /ready [10 min].
	Timeout time.Duration
	// Queries, when positive, is the number of /search requests (hybrid,
	// varied words) sent after ready, before RSSAfterQueries is read.
	Queries int
	// Log receives the server's stderr and stdout; nil discards them.
	Log io.Writer
}

// errorTail is how much of a crashed server's output its error quotes.
const errorTail = 8 << 10

// Measure starts the server once, waits for /ready, reads its memory and
// stops it.
func Measure(ctx context.Context, cfg MeasureConfig) (Run, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Minute
	}
	port, err := freePort()
	if err != nil {
		return Run{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	cmd := exec.Command(cfg.Binary) //nolint:gosec // G204: the benchmark runs the binary it was told to
	cmd.Env = append(append(os.Environ(), cfg.Env...), "PORT="+strconv.Itoa(port))
	// The end of the server's output explains a server that exits before
	// ready (a crash prints its stack last).
	kept := &testproc.Output{}
	var out io.Writer = kept
	if cfg.Log != nil {
		out = io.MultiWriter(cfg.Log, kept)
	}
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, fmt.Errorf("startbench: start %s: %w", cfg.Binary, err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() { waitErr = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	client := &http.Client{Timeout: 5 * time.Second}
	var run Run
	for {
		if ready(ctx, client, base) {
			run.Ready = time.Since(start)
			break
		}
		select {
		case <-exited:
			s := kept.String()
			return Run{}, fmt.Errorf("startbench: server exited before ready: %w; its output ended with:\n%s", waitErr, s[max(0, len(s)-errorTail):])
		case <-ctx.Done():
			return Run{}, fmt.Errorf("startbench: not ready: %w", ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
	}
	if run.HWM, run.RSS, err = memory(cmd.Process.Pid); err != nil {
		return run, err
	}
	if cfg.Queries > 0 {
		words := Chunks(1, 7)[0].Text
		ws := strings.Fields(words)
		for i := range cfg.Queries {
			q := ws[i%len(ws)] + " " + ws[(i*7+3)%len(ws)]
			body := fmt.Sprintf(`{"query":%q,"top_k":5}`, q)
			resp, err := client.Post(base+"/search", "application/json", strings.NewReader(body))
			if err != nil {
				return run, fmt.Errorf("startbench: search: %w", err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return run, fmt.Errorf("startbench: search: status %d", resp.StatusCode)
			}
		}
		if _, run.RSSAfterQueries, err = memory(cmd.Process.Pid); err != nil {
			return run, err
		}
	}
	return run, nil
}

func ready(ctx context.Context, c *http.Client, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/ready", nil)
	if err != nil {
		return false
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// memory reads VmHWM and VmRSS of pid, in bytes.
func memory(pid int) (hwm, rss int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("startbench: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("startbench: %s: %w", k, err)
		}
		if k == "VmHWM" {
			hwm = kb << 10
		} else {
			rss = kb << 10
		}
	}
	if hwm == 0 || rss == 0 {
		return 0, 0, errors.New("startbench: no VmHWM/VmRSS in /proc status")
	}
	return hwm, rss, sc.Err()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("startbench: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
