package fsatomic

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile_ReplacesContent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "f.json")
	for _, content := range []string{"one", "two, longer"} {
		if err := WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(p)
		if err != nil || string(got) != content {
			t.Fatalf("got %q, %v; want %q", got, err, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestReplaceDir_Cases(t *testing.T) {
	t.Parallel()
	for _, existing := range []bool{false, true} {
		parent := t.TempDir()
		dst := filepath.Join(parent, "store")
		if existing {
			os.MkdirAll(dst, 0o755)
			os.WriteFile(filepath.Join(dst, "old.txt"), []byte("old"), 0o644)
		}
		src, _ := os.MkdirTemp(parent, "new-")
		os.WriteFile(filepath.Join(src, "new.txt"), []byte("new"), 0o644)
		if err := ReplaceDir(src, dst); err != nil {
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
