// Package fsatomic writes files and replaces folders so that a reader sees
// either the old content or the new, never a mix or a partial file.
//
// WriteFile and ReplaceDir fsync what they write and the parent folder, so
// the result survives a crash. WriteFileNoSync and ReplaceDirNoSync keep
// the atomic visibility but not the durability: after a crash of the
// machine a file may be short or zero-filled, so they are for caches whose
// readers check what they read (an S3 mirror verified by checksums). All
// are safe for concurrent use on distinct paths; callers serialise writers
// of the same path.
package fsatomic

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrLocked is TryLock's answer when another holds the lock.
var ErrLocked = errors.New("fsatomic: locked by another process")

// ErrNotRenameable marks a folder ReplaceDir cannot replace because no
// rename can move it: a mount point, or a folder that overlayfs keeps in
// a lower layer, such as one a container image holds. Replace a folder
// inside it instead, or one the running container created.
var ErrNotRenameable = errors.New("fsatomic: the folder cannot be renamed (a mount point, or part of a container image's layer)")

// WriteFile writes data to path through a temporary file in the same
// folder, fsyncs it, and renames it into place.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return writeFile(path, data, perm, true)
}

// WriteFileNoSync is WriteFile without the fsyncs: readers see the old
// content or the new, but the new may not survive a crash of the machine.
func WriteFileNoSync(path string, data []byte, perm os.FileMode) error {
	return writeFile(path, data, perm, false)
}

func writeFile(path string, data []byte, perm os.FileMode, durable bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("fsatomic: create temp for %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("fsatomic: write %s: %w", tmp, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("fsatomic: chmod %s: %w", tmp, err)
	}
	if durable {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("fsatomic: sync %s: %w", tmp, err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("fsatomic: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("fsatomic: rename into %s: %w", path, err)
	}
	ok = true
	if !durable {
		return nil
	}
	return SyncDir(dir)
}

// ReplaceDir makes the complete folder src take the place of dst. src and
// dst must be on one file system (make src a sibling of dst). On Linux an
// existing dst is swapped with src in one atomic rename (RENAME_EXCHANGE),
// so a crash leaves either the old folder or the new one at dst, never
// none. Where the exchange is not supported, dst is moved aside first and
// removed only after src is in place; if the second rename fails, the old
// dst is put back (a crash between the two renames leaves dst missing and
// the old copy in a ".NAME.old-*" sibling). A dst no rename can move
// gives an error wrapping ErrNotRenameable, and nothing changes.
func ReplaceDir(src, dst string) error {
	return replaceDir(src, dst, true)
}

// ReplaceDirNoSync is ReplaceDir without the fsyncs: the swap is as atomic
// for readers, but after a crash of the machine the new folder's files may
// be short or zero-filled. For a cache whose every file is checked against
// a checksum before it is trusted again after a reboot.
func ReplaceDirNoSync(src, dst string) error {
	return replaceDir(src, dst, false)
}

func replaceDir(src, dst string, durable bool) error {
	syncDir := SyncDir
	if durable {
		if err := SyncTree(src); err != nil {
			return err
		}
	} else {
		syncDir = func(string) error { return nil }
	}
	parent := filepath.Dir(dst)
	if swapped, err := exchange(src, dst); err != nil {
		if notRenameable(err) {
			return fmt.Errorf("%w: exchange %s with %s: %w", ErrNotRenameable, src, dst, err)
		}
		return fmt.Errorf("fsatomic: exchange %s with %s: %w", src, dst, err)
	} else if swapped {
		// src now holds the old folder.
		if err := syncDir(parent); err != nil {
			return err
		}
		if err := os.RemoveAll(src); err != nil {
			return &LeftoverError{Path: src, Err: err}
		}
		return nil
	}
	old := ""
	if _, err := os.Lstat(dst); err == nil {
		d, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".old-*")
		if err != nil {
			return fmt.Errorf("fsatomic: replace %s: %w", dst, err)
		}
		old = filepath.Join(d, "dir")
		if err := os.Rename(dst, old); err != nil {
			os.Remove(d)
			if notRenameable(err) {
				return fmt.Errorf("%w: move aside %s: %w", ErrNotRenameable, dst, err)
			}
			return fmt.Errorf("fsatomic: move aside %s: %w", dst, err)
		}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("fsatomic: replace %s: %w", dst, err)
	}
	if err := os.Rename(src, dst); err != nil {
		if old != "" {
			if rerr := os.Rename(old, dst); rerr != nil {
				return fmt.Errorf("fsatomic: move %s into place: %w (and restoring the old folder failed: %w)", src, err, rerr)
			}
			os.Remove(filepath.Dir(old))
		}
		return fmt.Errorf("fsatomic: move %s into place: %w", src, err)
	}
	if err := syncDir(parent); err != nil {
		return err
	}
	if old != "" {
		if err := os.RemoveAll(filepath.Dir(old)); err != nil {
			return &LeftoverError{Path: filepath.Dir(old), Err: err}
		}
	}
	return nil
}

// LeftoverError is ReplaceDir's error when the new folder is in place but
// the old one, moved aside to Path, could not be removed (a read-only file
// in it, say): the replacement itself succeeded, so a caller reports the
// leftover instead of failing.
type LeftoverError struct {
	Path string
	Err  error
}

func (e *LeftoverError) Error() string {
	return fmt.Sprintf("fsatomic: replaced, but the old folder moved aside to %s could not be removed: %v", e.Path, e.Err)
}

func (e *LeftoverError) Unwrap() error { return e.Err }

// SyncDir fsyncs a folder so that renames and creations in it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsatomic: open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsatomic: sync %s: %w", dir, err)
	}
	return nil
}

// SyncTree fsyncs every regular file and folder under root.
func SyncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("fsatomic: walk %s: %w", path, err)
		}
		if !d.IsDir() && !d.Type().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("fsatomic: open %s: %w", path, err)
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			return fmt.Errorf("fsatomic: sync %s: %w", path, err)
		}
		return nil
	})
}

// OpenLocked opens path (os.OpenFile's flag and perm; include os.O_CREATE
// to make it) and takes its lock (TryLock): ErrLocked when another holds
// it. Where there are locks, the file returned is the one path names once
// locked: a file locked just as its holder renamed or removed it (a writer
// that sets a bad file aside, or releases a lock file by removing it) is
// let go and the name opened again, a few times, before ErrLocked.
func OpenLocked(path string, flag int, perm os.FileMode) (*os.File, error) {
	for attempt := 0; ; attempt++ {
		f, err := os.OpenFile(path, flag, perm)
		if err != nil {
			return nil, err
		}
		if err := TryLock(f); err != nil {
			f.Close()
			return nil, err
		}
		if !CanLock || namedBy(f, path) {
			return f, nil
		}
		f.Close()
		if attempt == 3 {
			return nil, ErrLocked
		}
	}
}

// namedBy reports whether path still names the open file f.
func namedBy(f *os.File, path string) bool {
	held, err1 := f.Stat()
	named, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(held, named)
}
