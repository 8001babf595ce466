package testproc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestFindBinary(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "tool")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	cached := filepath.Join(cache, "vendor0919", "bin", "cachedtool")
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cached, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("PATH", dir)
	tests := []struct {
		name, envVal, tool, want string
	}{
		{"env names an executable", exe, "none", exe},
		{"env names a plain file", plain, "tool", ""},
		{"on PATH", "", "tool", exe},
		{"in the cache", "", "cachedtool", cached},
		{"nowhere", "", "missing", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TESTPROC_BIN", tt.envVal)
			if got := FindBinary("TESTPROC_BIN", tt.tool); got != tt.want {
				t.Errorf("FindBinary = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestOutput_BoundedAndSafe: concurrent writers never race, and a long
// output keeps its end within the bound.
func TestOutput_BoundedAndSafe(t *testing.T) {
	t.Parallel()
	var out Output
	line := strings.Repeat("x", 1023) + "\n"
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1024 {
				_, _ = out.Write([]byte(line))
			}
		})
	}
	wg.Wait()
	_, _ = out.Write([]byte("last line\n"))
	s := out.String()
	if len(s) > outputMax+len(line) || !strings.HasSuffix(s, "last line\n") {
		t.Errorf("kept %d bytes ending %q, want at most %d ending with the last line", len(s), s[max(0, len(s)-20):], outputMax+len(line))
	}
}

// missingTB records how Missing ended a test.
type missingTB struct{ fatal, skip string }

func (*missingTB) Helper()                             {}
func (m *missingTB) Fatalf(format string, args ...any) { m.fatal = fmt.Sprintf(format, args...) }
func (m *missingTB) Skipf(format string, args ...any)  { m.skip = fmt.Sprintf(format, args...) }

// TestMissing_FailsOnlyWhenRequired: a missing tool skips the test, and
// fails it under VENDOR0919_REQUIRE_TOOLS=1 (CI), naming the tool.
func TestMissing_FailsOnlyWhenRequired(t *testing.T) {
	for _, required := range []string{"", "1"} {
		t.Setenv("VENDOR0919_REQUIRE_TOOLS", required)
		var m missingTB
		Missing(&m, "%s not found", "frob")
		got := m.skip
		if required == "1" {
			got = m.fatal
		}
		if !strings.HasPrefix(got, "frob not found") || (m.fatal != "") != (required == "1") {
			t.Errorf("required=%q: fatal %q, skip %q", required, m.fatal, m.skip)
		}
	}
}
