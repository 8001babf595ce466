package s3sync

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"

	"github.com/vendor0919/api/internal/fsatomic"
)

// StateFile is the name of the sync state file Sync keeps inside the
// destination folder. Store readers ignore it.
const StateFile = ".s3sync.json"

// state records what a folder was synced from, so that unchanged objects
// are not downloaded again and a FAISS folder can be re-verified offline.
type state struct {
	URI      string                 `json:"uri"`
	Format   string                 `json:"format"`
	Version  string                 `json:"version"`
	Manifest *stateObject           `json:"manifest,omitempty"`
	Objects  map[string]stateObject `json:"objects"`
}

type stateObject struct {
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
	SHA256 string `json:"sha256,omitempty"`
}

// readState returns dir's state if it was synced from uri, else an empty
// state. A missing or unreadable state file only costs re-downloads.
func readState(dir, uri string) state {
	st, err := readStateErr(dir)
	if err != nil || st.URI != uri {
		return state{}
	}
	return st
}

func readStateErr(dir string) (state, error) {
	var st state
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if err != nil {
		return st, fmt.Errorf("s3sync: read state: %w", err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("s3sync: parse state %s: %w", filepath.Join(dir, StateFile), err)
	}
	return st, nil
}

func writeState(dir string, st state, durable bool) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("s3sync: encode state: %w", err)
	}
	write := fsatomic.WriteFile
	if !durable {
		write = fsatomic.WriteFileNoSync
	}
	return write(filepath.Join(dir, StateFile), append(b, '\n'), 0o644)
}

// sameObjects reports whether a and b record the same objects and manifest.
func (a state) sameObjects(b state) bool {
	if a.URI != b.URI || a.Format != b.Format || len(a.Objects) == 0 {
		return false
	}
	if (a.Manifest == nil) != (b.Manifest == nil) || (a.Manifest != nil && *a.Manifest != *b.Manifest) {
		return false
	}
	return maps.Equal(a.Objects, b.Objects)
}
