package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envSignalChild makes the test binary signalChild.
const envSignalChild = "VECTORSTORE_TEST_SIGNAL_CHILD"

// envProcessChild makes the test binary run as main does (runProcess),
// with the arguments it holds, one a line.
const envProcessChild = "VECTORSTORE_TEST_PROCESS"

// TestMain makes the test binary serve the hidden subcommand, as main
// does: build starts os.Executable() to parse each PDF.
func TestMain(m *testing.M) {
	if code, ok := runChild(os.Args[1:]); ok {
		os.Exit(code)
	}
	if os.Getenv(envSignalChild) != "" {
		signalChild()
	}
	if args := os.Getenv(envProcessChild); args != "" {
		os.Exit(runProcess(strings.Split(args, "\n"), os.Getenv, os.Stdout, os.Stderr))
	}
	// Under -race a child would sleep a second on exit (GORACE's default).
	_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
}

// signalChild is main with a command that ignores its context: it says
// "ready", says "cancelled" once notifyContext's ctx is done, and then
// waits for stdin to close, as a command slow to stop would.
func signalChild() {
	ctx, stop := notifyContext(context.Background())
	defer stop()
	os.Stdout.WriteString("ready\n")
	<-ctx.Done()
	os.Stdout.WriteString("cancelled\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	os.Exit(0)
}

// TestNotifyContext_SecondSignalKills: the first SIGINT cancels the
// context and the second kills the process, even while it has not
// stopped (signal.NotifyContext swallowed every one after the first).
func TestNotifyContext_SecondSignalKills(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envSignalChild+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if d, ok := t.Deadline(); ok { // a failure, reported before the test binary's timeout
		defer time.AfterFunc(time.Until(d)-5*time.Second, func() { stdin.Close() }).Stop()
	}
	lines := bufio.NewScanner(out)
	for _, want := range []string{"ready", "cancelled"} {
		if !lines.Scan() || lines.Text() != want {
			t.Fatalf("child said %q (%v), want %q", lines.Text(), lines.Err(), want)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || !ee.Sys().(syscall.WaitStatus).Signaled() || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGINT {
		t.Fatalf("child ended with %v, want killed by the second SIGINT", err)
	}
}

// TestBuild_HostilePDFSkipped: a PDF that runs the PDF library out of
// memory (an xref stream declaring 2000000000 objects; it ended whole
// builds in "fatal error: runtime: out of memory") is parsed in a child,
// reported by path with the limit it hit, and the rest is built.
func TestBuild_HostilePDFSkipped(t *testing.T) {
	in := t.TempDir()
	for name, from := range map[string]string{
		"good.pdf":    "../../internal/chunk/testdata/pdf/guide_en.pdf",
		"hostile.pdf": "testdata/xref_size_2e9.pdf",
	} {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(in, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "store")
	stdout, stderr, code := runCmd(t, "build", "--in", in, "--out", out, "--embedder", "hash", "--cache", "off", "--exact", "--quiet")
	if code != 0 || !strings.Contains(stdout, ": 1 documents") ||
		!strings.Contains(stderr, "hostile.pdf") || !strings.Contains(stderr, "pdf: parser exceeded its memory limit") {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

// runCmd runs the vectorstore command line in-process, as main would, and
// returns what it wrote and its exit code. Every end-to-end test of a
// command goes through it, with an empty environment.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runMain(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), code
}

// TestBuild_SignalExitCode: a build stopped by Ctrl-C or SIGTERM while an
// embedding call is in flight says what was kept and how to resume, and
// exits 128 plus the signal (130, 143), not 1 with "context canceled"
// filed under a batch of chunks.
func TestBuild_SignalExitCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			arrived := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case arrived <- struct{}{}:
				default:
				}
				// Read whole, so the server notices the client leave.
				_, _ = io.Copy(io.Discard, r.Body)
				<-r.Context().Done() // an embedding call that takes its time
			}))
			t.Cleanup(srv.Close)
			in := t.TempDir()
			if err := os.WriteFile(filepath.Join(in, "a.md"), []byte("# A\n\nSome text to embed."), 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"build", "--in", in, "--out", filepath.Join(t.TempDir(), "s"), "--cache", t.TempDir(), "--dims", "8", "--quiet"}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), envProcessChild+"="+strings.Join(args, "\n"),
				"EMBEDDER=openai", "OPENAI_BASE_URL="+srv.URL+"/v1", "OPENAI_API_KEY=sk-test")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			select {
			case <-arrived:
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("no embedding call; stderr %s", stderr.String())
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Fatalf("child ended with %v, want exit %d; stderr %s", err, tc.code, stderr.String())
			}
			if want := "vectorstore build: interrupted; the finished batches are cached, run the same command again to resume\n"; stderr.String() != want {
				t.Errorf("stderr %q, want %q", stderr.String(), want)
			}
		})
	}
}
