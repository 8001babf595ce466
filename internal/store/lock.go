package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vendor0919/api/internal/fsatomic"
)

// ErrLocked is LockOut's answer when another process is writing the same
// store folder.
var ErrLocked = errors.New("store: another process is writing this store")

// OutLock is a writer's hold on a store folder it is about to replace: an
// exclusive advisory lock on the hidden file .BASE.lock beside it, held
// until Close (or the process ends). A build takes it before it embeds
// anything, so a second build into the same folder stops at once instead
// of paying for the same embeddings and racing the first to the swap.
type OutLock struct {
	f    *os.File
	dir  string
	path string
}

// LockOut takes dir's OutLock, creating dir's parent if need be: ErrLocked
// when another process holds it. Every writer of dir holds the lock while
// its temporary folders (.BASE.tmp-*) exist, so once it is taken any such
// folder is what a killed writer left, and is removed; where the platform
// has no lock (fsatomic.CanLock), only those a day old are. Close removes
// the lock file; a writer that locked it as it was removed opens the name
// again (fsatomic.OpenLocked).
func LockOut(dir string) (*OutLock, error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("store: lock: %w", err)
	}
	path := filepath.Join(parent, "."+base+".lock")
	f, err := fsatomic.OpenLocked(path, os.O_RDWR|os.O_CREATE, 0o644)
	switch {
	case errors.Is(err, fsatomic.ErrLocked):
		return nil, fmt.Errorf("%w: %s (%s is held)", ErrLocked, dir, path)
	case err != nil:
		return nil, fmt.Errorf("store: lock %s: %w", path, err)
	}
	cutoff := time.Now()
	if !fsatomic.CanLock {
		cutoff = cutoff.Add(-staleTempAge)
	}
	removeStaleTemps(parent, base, cutoff)
	return &OutLock{f: f, dir: dir, path: path}, nil
}

// Close removes the lock file and releases the lock, in that order, so
// no writer can lock the file once it has no name.
func (l *OutLock) Close() error {
	err := os.Remove(l.path)
	if !fsatomic.CanLock {
		err = nil // Windows removes no open file; the next holder reuses it
	}
	return errors.Join(err, l.f.Close())
}
