//go:build linux

package pdfsandbox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/pdfsandbox"
)

// TestMain makes the test binary the child, as cmd/vectorstore's main
// does: Parser runs os.Executable() with pdfsandbox.Command.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == pdfsandbox.Command {
		os.Exit(pdfsandbox.Serve(os.Args[2:], os.Stdin, os.Stdout, os.Stderr, chunk.ParsePDF))
	}
	// Under -race a child would sleep a second on exit (GORACE's default).
	_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
}

// limits returns a Parser.Limits giving l whatever the size.
func limits(l pdfsandbox.Limits) func(int) pdfsandbox.Limits {
	return func(int) pdfsandbox.Limits { return l }
}

// Generous limits for the limit a case does not test, so that which limit
// ends a child does not depend on how fast the machine is: a case for the
// memory limit never comes near 10 minutes of CPU, nor one for the CPU
// limit near 4 GiB.
const (
	lotsOfCPU    = 10 * time.Minute
	lotsOfMemory = 4 << 30
)

// TestParse_HostileFiles: each PDF that hangs or exhausts the library in
// process ends, in the child, in an error naming the limit it ran into.
func TestParse_HostileFiles(t *testing.T) {
	tests := []struct {
		name string
		pdf  func() []byte
		lim  pdfsandbox.Limits
		want error
	}{
		{"object stream of 9e18 objects loops at EOF", hostileObjStm, pdfsandbox.Limits{CPU: 2 * time.Second, Memory: lotsOfMemory}, pdfsandbox.ErrCPULimit},
		{"64 MiB of operands", hostileOperands, pdfsandbox.Limits{CPU: lotsOfCPU, Memory: 512 << 20}, pdfsandbox.ErrMemoryLimit},
		{"1 GiB stream read 50 times", hostileRepeats, pdfsandbox.Limits{CPU: 2 * time.Second, Memory: lotsOfMemory}, pdfsandbox.ErrCPULimit},
		{"xref stream of 2e9 objects", hostileXrefSize, pdfsandbox.Limits{CPU: lotsOfCPU, Memory: 512 << 20}, pdfsandbox.ErrMemoryLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := pdfsandbox.Parser{Limits: limits(tt.lim)}
			doc, err := p.Parse(context.Background(), tt.pdf())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v (document %d sections), want %v", err, len(doc.Sections), tt.want)
			}
			t.Log(err)
		})
	}
}

// TestParse_SameAsInProcess: every PDF fixture of package chunk, text or
// error, comes back from the child as chunk.ParsePDF gives it here.
func TestParse_SameAsInProcess(t *testing.T) {
	files, err := filepath.Glob("../chunk/testdata/pdf/*.pdf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, wantErr := chunk.ParsePDF(context.Background(), b)
			got, err := pdfsandbox.Parser{}.Parse(context.Background(), b)
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("err = %v, want %v", err, wantErr)
			}
			t.Logf("%d sections, err %v", len(got.Sections), err)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("document\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestParse_CancelEndsChild: ending ctx kills a child that would spin
// for minutes, and Parse returns ctx's error once it is gone.
func TestParse_CancelEndsChild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	p := pdfsandbox.Parser{Limits: limits(pdfsandbox.Limits{CPU: lotsOfCPU})}
	go func() {
		_, err := p.Parse(ctx, hostileObjStm())
		done <- err
	}()
	pid := waitForChild(t)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("child %d still there after Parse returned (kill 0: %v)", pid, err)
	}
}

// waitForChild returns the pid of this process's child running
// pdfsandbox.Command, once there is one.
func waitForChild(t *testing.T) int {
	t.Helper()
	for t.Context().Err() == nil {
		tasks, _ := filepath.Glob("/proc/self/task/*/children")
		for _, f := range tasks {
			b, _ := os.ReadFile(f)
			for _, s := range strings.Fields(string(b)) {
				cmdline, _ := os.ReadFile("/proc/" + s + "/cmdline")
				if bytes.Contains(cmdline, []byte(pdfsandbox.Command)) {
					pid, _ := strconv.Atoi(s)
					return pid
				}
			}
		}
		time.Sleep(10 * time.Millisecond) // polling, not a deadline
	}
	t.Fatal("no child started")
	return 0
}

// TestParse_OutputLimit: a child that writes more than Limits.Output is
// killed and its output refused.
func TestParse_OutputLimit(t *testing.T) {
	b, err := os.ReadFile("../chunk/testdata/pdf/guide_en.pdf")
	if err != nil {
		t.Fatal(err)
	}
	_, err = pdfsandbox.Parser{Limits: limits(pdfsandbox.Limits{Output: 64})}.Parse(context.Background(), b)
	if !errors.Is(err, pdfsandbox.ErrOutputLimit) {
		t.Fatalf("err = %v, want %v", err, pdfsandbox.ErrOutputLimit)
	}
}

// TestParse_ChildFailures: a child that is not a pdfsandbox child, or
// that refuses to run without limits, is an error quoting it, not a
// document.
func TestParse_ChildFailures(t *testing.T) {
	var stderr bytes.Buffer
	if code := pdfsandbox.Serve(nil, strings.NewReader("%PDF"), io.Discard, &stderr, chunk.ParsePDF); code != 1 || !strings.Contains(stderr.String(), "-cpu and -memory are required") {
		t.Errorf("Serve without limits: code %d, stderr %q", code, stderr.String())
	}
	_, err := pdfsandbox.Parser{Path: "/bin/false"}.Parse(context.Background(), []byte("%PDF"))
	if err == nil || !strings.Contains(err.Error(), "pdf: parser failed: exit status 1") {
		t.Errorf("err = %v, want the parser's failure", err)
	}
}
