package fsatomic

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// writers and replacers: the durable functions and their NoSync twins
// share every visible behaviour; only what survives a crash of the
// machine differs, which no test here can observe.
var (
	writers   = map[string]func(string, []byte, os.FileMode) error{"WriteFile": WriteFile, "WriteFileNoSync": WriteFileNoSync}
	replacers = map[string]func(string, string) error{"ReplaceDir": ReplaceDir, "ReplaceDirNoSync": ReplaceDirNoSync}
)

func TestWriteFile_ReplacesContent(t *testing.T) {
	t.Parallel()
	for name, write := range writers {
		dir := t.TempDir()
		p := filepath.Join(dir, "f.json")
		for _, content := range []string{"one", "two, longer"} {
			if err := write(p, []byte(content), 0o640); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil || string(got) != content {
				t.Fatalf("%s: got %q, %v; want %q", name, got, err, content)
			}
			if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o640 {
				t.Fatalf("%s: mode %v, %v; want 0640", name, st.Mode(), err)
			}
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("%s: temp files left behind: %v", name, entries)
		}
	}
}

func TestReplaceDir_Cases(t *testing.T) {
	t.Parallel()
	for name, replace := range replacers {
		for _, existing := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s existing=%v", name, existing), func(t *testing.T) {
				replaceDirCase(t, replace, existing)
			})
		}
	}
}

func replaceDirCase(t *testing.T, replace func(string, string) error, existing bool) {
	t.Helper()
	parent := t.TempDir()
	dst := filepath.Join(parent, "store")
	if existing {
		os.MkdirAll(dst, 0o755)
		os.WriteFile(filepath.Join(dst, "old.txt"), []byte("old"), 0o644)
	}
	src, _ := os.MkdirTemp(parent, "new-")
	os.WriteFile(filepath.Join(src, "new.txt"), []byte("new"), 0o644)
	if err := replace(src, dst); err != nil {
		t.Fatalf("existing=%v: %v", existing, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "new.txt")); err != nil {
		t.Fatalf("existing=%v: new file missing: %v", existing, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "old.txt")); !os.IsNotExist(err) {
		t.Fatalf("existing=%v: old file still there", existing)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Fatalf("existing=%v: leftovers in parent: %v", existing, entries)
	}
}

func TestReplaceDir_MissingSourceKeepsOld(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dst := filepath.Join(parent, "store")
	os.MkdirAll(dst, 0o755)
	os.WriteFile(filepath.Join(dst, "old.txt"), []byte("old"), 0o644)
	if err := ReplaceDir(filepath.Join(parent, "nope"), dst); err == nil {
		t.Fatal("want error for missing source")
	}
	if b, err := os.ReadFile(filepath.Join(dst, "old.txt")); err != nil || string(b) != "old" {
		t.Fatalf("old folder not kept: %q %v", b, err)
	}
}

// TestOpenLocked: one holder of a file's lock at a time (another open of
// it is ErrLocked), and a name given to a new file after the held one was
// renamed away opens and locks the new file.
func TestOpenLocked(t *testing.T) {
	t.Parallel()
	if !CanLock {
		t.Skip("no advisory locks on this platform")
	}
	path := filepath.Join(t.TempDir(), "f")
	held, err := OpenLocked(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if f, err := OpenLocked(path, os.O_RDWR|os.O_CREATE, 0o644); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	} else if f != nil {
		f.Close()
	}
	if err := os.Rename(path, path+".aside"); err != nil {
		t.Fatal(err)
	}
	f, err := OpenLocked(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatalf("the name's new file: %v", err)
	}
	defer f.Close()
	if a, b := statOf(t, f), statOf(t, held); os.SameFile(a, b) {
		t.Error("locked the renamed file, not the name's new one")
	}
}

func statOf(t *testing.T, f *os.File) os.FileInfo {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
