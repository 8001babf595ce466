package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain makes the test binary serve the hidden subcommand, as main
// does: build starts os.Executable() to parse each PDF.
func TestMain(m *testing.M) {
	if code, ok := runChild(os.Args[1:]); ok {
		os.Exit(code)
	}
	// Under -race a child would sleep a second on exit (GORACE's default).
	_ = os.Setenv("GORACE", "atexit_sleep_ms=0")
	os.Exit(m.Run())
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
