package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/vendor0919/api/internal/fsatomic"
)

// VerifiedFile is the sidecar in a store folder that records which files
// were verified, and how they looked on disk then, so later opens trust
// unchanged files instead of hashing them again. Like the sync state file
// it is not part of the store: DetectFiles ignores it, and it is never
// published.
const VerifiedFile = ".verified.json"

// verifiedVersion changes whenever what a recorded check covers changes;
// a sidecar of another version is ignored.
const verifiedVersion = 1

// verifiedState is the sidecar's content.
type verifiedState struct {
	Version int `json:"version"`
	// Files maps a store file to its recorded checksum and identity.
	Files map[string]verifiedEntry `json:"files"`
	// Checked says Open parsed and checked every file (not only its
	// checksum) while they had these identities.
	Checked bool `json:"checked"`
	// UnitRows says every row of the vector file recorded in Files was of
	// unit length (ann.IsNormalized) when Open checked it, so a Cosine
	// store's later opens use the mapped rows as they are without reading
	// each one to find out. Any change of the vector file clears Checked,
	// and the Open that checks it again records UnitRows anew.
	UnitRows bool `json:"unit_rows,omitempty"`
	// BootID, when set, is the kernel's boot id at the time of the record:
	// the files it vouches for were not fsynced (an S3 mirror, see
	// RecordVerified), so the record holds only until the machine
	// restarts. A record from another boot is ignored and the files are
	// hashed again: a crash may have left them short or zero-filled.
	BootID string `json:"boot_id,omitempty"`

	changed bool // a file was hashed since the state was read
}

// verifiedEntry is one file's checksum and what identified it on disk when
// the checksum was taken: size, modification time and inode. A file
// rewritten in place gets a new mtime, one replaced gets a new inode;
// either makes Open hash it again. (A writer that restores the mtime of a
// file changed in place defeats this; nothing in this project does.)
type verifiedEntry struct {
	FileInfo
	MtimeNS int64  `json:"mtime_ns"`
	Inode   uint64 `json:"inode"`
}

// recordMinBytes is the smallest store whose verified state is recorded:
// hashing less costs under a millisecond, and not writing beside small
// stores keeps read-only or checked-in folders (fixtures, the demo store)
// clean. Tests of this package lower it.
var recordMinBytes int64 = 1 << 20

// racyWindow is how recent a modification time must not be for a file to
// be recorded: file systems stamp times at a coarse tick (milliseconds on
// Linux, seconds on some), so a file changed again within one tick of its
// verification could keep its recorded mtime. Such a file is hashed again
// next time and recorded then, as git does with "racily clean" entries.
const racyWindow = 2 * time.Second

// racy reports whether id's mtime is too recent to vouch for its content.
func racy(id verifiedEntry) bool {
	return time.Since(time.Unix(0, id.MtimeNS)) < racyWindow
}

// readVerified returns dir's recorded state, or an empty one when there is
// none or it cannot be read: the worst a bad sidecar can cost is a hash.
func readVerifiedState(dir string) verifiedState {
	b, err := os.ReadFile(filepath.Join(dir, VerifiedFile))
	var v verifiedState
	if err != nil || len(b) > 1<<20 || json.Unmarshal(b, &v) != nil || v.Version != verifiedVersion ||
		(v.BootID != "" && v.BootID != bootID()) {
		return verifiedState{Version: verifiedVersion, Files: map[string]verifiedEntry{}}
	}
	if v.Files == nil {
		v.Files = map[string]verifiedEntry{}
	}
	return v
}

// identity returns the size, mtime and inode of dir/name.
func identity(dir, name string) (verifiedEntry, error) {
	st, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		return verifiedEntry{}, err
	}
	return verifiedEntry{FileInfo: FileInfo{Size: st.Size()}, MtimeNS: st.ModTime().UnixNano(), Inode: inode(st)}, nil
}

// known returns the identity of the open file st (named name) and
// whether v vouches for it: a recorded checksum for a file unchanged since.
// A nil v vouches for nothing.
func (v *verifiedState) known(name string, st os.FileInfo) (verifiedEntry, bool) {
	id := verifiedEntry{FileInfo: FileInfo{Size: st.Size()}, MtimeNS: st.ModTime().UnixNano(), Inode: inode(st)}
	if v == nil {
		return id, false
	}
	rec, ok := v.Files[name]
	if !ok || !rec.sameIdentity(id) || rec.SHA256 == "" {
		return id, false
	}
	return rec, true
}

// note records that the file name with identity id hashed to fi (unless id
// is racy) and marks v changed. A nil v records nothing.
func (v *verifiedState) note(name string, id verifiedEntry, fi FileInfo) {
	if v == nil {
		return
	}
	v.changed = true
	if racy(id) || id.Size != fi.Size {
		delete(v.Files, name)
		return
	}
	id.FileInfo = fi
	v.Files[name] = id
}

// sameIdentity reports whether e and id name the same file contents on
// disk: size, modification time and inode.
func (e verifiedEntry) sameIdentity(id verifiedEntry) bool {
	return e.Size == id.Size && e.MtimeNS == id.MtimeNS && e.Inode == id.Inode
}

// record notes that dir/name was verified as fi, taking its identity now.
// A file too recent to vouch for (racy) is left out, unless its writer
// records it (written: nothing else writes it, see RecordVerified).
func (v *verifiedState) record(dir, name string, fi FileInfo, written bool) {
	id, err := identity(dir, name)
	if err != nil || id.Size != fi.Size || (racy(id) && !written) {
		delete(v.Files, name)
		return
	}
	id.FileInfo = fi
	v.Files[name] = id
}

// save writes the sidecar atomically. It is best effort: a read-only
// folder only means the next open hashes again.
func (v verifiedState) save(dir string) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return
	}
	write := fsatomic.WriteFile
	if v.BootID != "" {
		// The files it vouches for may not be on disk yet; fsyncing the
		// record would wait for them (ext4 commits their data first), and a
		// crash voids it anyway.
		write = fsatomic.WriteFileNoSync
	}
	_ = write(filepath.Join(dir, VerifiedFile), append(b, '\n'), 0o644)
}

// bootID returns the kernel's boot id, "" where there is none to read.
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})

// Durability says whether the files a record vouches for are on disk.
type Durability int

const (
	// Durable: the files were fsynced, so the record holds across
	// restarts of the machine.
	Durable Durability = iota
	// UntilReboot: the files may still be only in the page cache, so the
	// record holds until the machine restarts (see CanRecordUntilReboot).
	UntilReboot
)

// CanRecordUntilReboot reports whether UntilReboot records are possible
// here: they need the kernel's boot id (Linux). Where they are not, a
// writer that wants its record must fsync its files and record them as
// Durable.
func CanRecordUntilReboot() bool { return bootID() != "" }

// RecordVerified records in dir's VerifiedFile that its files have the
// sizes and SHA-256 checksums in files, as VerifyDir does after hashing
// them, for a caller that hashed them itself while writing them (s3sync
// hashes each download as it lands): the next Open checks their contents
// without hashing them again. The caller wrote the files and nothing else
// writes them, so unlike a record taken by reading, files modified just
// now are recorded too (a coarse clock can only hide a second writer). A
// file whose recorded checksum changes clears the record's full check, so
// that Open parses everything once. With UntilReboot the record holds
// until the machine restarts (where CanRecordUntilReboot is false nothing
// is recorded). Best effort, like every write of the record; nothing is
// written beside stores under recordMinBytes.
func RecordVerified(dir string, files map[string]FileInfo, d Durability) {
	rec := readVerifiedState(dir)
	switch {
	case d == UntilReboot && !CanRecordUntilReboot():
		return
	case d == UntilReboot:
		rec.BootID = bootID()
	default:
		rec.BootID = ""
	}
	var total int64
	for name, fi := range files {
		total += fi.Size
		if old, ok := rec.Files[name]; !ok || old.FileInfo != fi {
			rec.Checked = false
		}
		rec.record(dir, name, fi, true)
	}
	for name := range rec.Files {
		if _, ok := files[name]; !ok {
			delete(rec.Files, name)
		}
	}
	if total >= recordMinBytes {
		rec.save(dir)
	}
}
