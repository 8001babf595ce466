package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Layout is what the names in a store folder say about it: its format,
// and which files make up the store. It is the one place that tells the
// formats apart; Open, VerifyDir, Inspect and package s3sync (on an S3
// listing) all go through DetectFiles.
type Layout struct {
	// Format is FormatNative or FormatLangChain.
	Format string
	// Manifest names the file that lists and checksums the others and is
	// published last (ManifestFile for a native store); "" for a format
	// that has none, whose store files are then all in Files.
	Manifest string
	// Files names the store files known from the format alone, sorted:
	// both files of a LangChain folder. For a native store it is empty:
	// the manifest lists the files (Manifest.Files).
	Files []string
	// IndexName is a LangChain folder's index name: its files are
	// IndexName.faiss and IndexName.pkl. "" for a native store.
	IndexName string
}

// langChainPaths returns the paths of the LangChain folder lay describes
// in dir: its FAISS index and its pickled docstore.
func (lay Layout) langChainPaths(dir string) (index, docs string) {
	idx, pkl := LangChainFiles(lay.IndexName)
	return filepath.Join(dir, idx), filepath.Join(dir, pkl)
}

// DetectFiles tells a store's format from the names of the files in its
// folder (a directory listing or the object names under an S3 prefix;
// other names, such as a sync state file, are ignored). indexName is the
// LangChain folder's index_name ("" is DefaultIndexName; see
// CheckIndexName). A native store (ManifestFile) wins over a LangChain
// folder (indexName.faiss and indexName.pkl). A folder with only one of
// the LangChain files gives an error wrapping ErrCorrupt; one with none of
// these names, ErrNoStore, which names the LangChain folders found under
// other index names, if any, and how to pick one.
func DetectFiles(names []string, indexName string) (Layout, error) {
	if indexName == "" {
		indexName = DefaultIndexName
	}
	if err := CheckIndexName(indexName); err != nil {
		return Layout{}, fmt.Errorf("store: index name %q: %w", indexName, err)
	}
	if slices.Contains(names, ManifestFile) {
		return Layout{Format: FormatNative, Manifest: ManifestFile}, nil
	}
	idxName, pklName := LangChainFiles(indexName)
	idx, pkl := slices.Contains(names, idxName), slices.Contains(names, pklName)
	switch {
	case idx && pkl:
		return Layout{Format: FormatLangChain, Files: []string{idxName, pklName}, IndexName: indexName}, nil
	case idx || pkl:
		return Layout{}, fmt.Errorf("%w: a LangChain folder needs both %s and %s", ErrCorrupt, idxName, pklName)
	}
	hint := ""
	if found := otherLangChainNames(names, indexName); len(found) > 0 {
		hint = indexNameHint(found)
	}
	return Layout{}, fmt.Errorf("%w: want %s (native) or %s + %s (LangChain FAISS)%s", ErrNoStore, ManifestFile, idxName, pklName, hint)
}

// Detect runs DetectFiles on the entries of dir. A missing dir gives an
// error wrapping ErrNoStore, like an empty one.
func Detect(dir, indexName string) (Layout, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Layout{}, fmt.Errorf("store: open %s: %w", dir, err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	lay, err := DetectFiles(names, indexName)
	if err != nil {
		return Layout{}, fmt.Errorf("%w (in %s)", err, dir)
	}
	return lay, nil
}

// ErrNotReplaceable marks a Write target that holds something other than
// a native store: Write replaces its target whole, so pointing it at the
// wrong folder (the documents, a home folder) would delete that folder.
var ErrNotReplaceable = errors.New("not a store folder: a build or sync replaces its target whole, so it writes only to a missing or empty folder or to an earlier store")

// CheckReplaceable reports whether Write may replace dir: a path that does
// not exist, an empty folder, or a native store's folder (one holding
// ManifestFile). Anything else (a file, a symbolic link, a folder of other
// files, a LangChain folder) gives an error wrapping ErrNotReplaceable
// that says what is there.
func CheckReplaceable(dir string) error {
	return CheckReplaceableBy(dir, nil)
}

// CheckReplaceableBy is CheckReplaceable for a caller that also replaces
// the folders whose entry names ours accepts (an S3 mirror: its own
// copies, and LangChain folders); nil ours accepts none.
func CheckReplaceableBy(dir string, ours func(names []string) bool) error {
	fi, err := os.Lstat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("store: %s: %w", dir, err)
	case fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("store: %s is a symbolic link (give the folder it points to): %w", dir, ErrNotReplaceable)
	case !fi.IsDir():
		return fmt.Errorf("store: %s is a file: %w", dir, ErrNotReplaceable)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("store: %s: %w", dir, err)
	}
	if len(entries) == 0 {
		return nil
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		if e.Name() == ManifestFile && e.Type().IsRegular() {
			return nil
		}
		names[i] = e.Name()
	}
	if ours != nil && ours(names) {
		return nil
	}
	return fmt.Errorf("store: %s holds %d entries and no %s (not a store this tool wrote; remove it or choose another folder): %w",
		dir, len(entries), ManifestFile, ErrNotReplaceable)
}

// Contents is what VerifyDir found in a store folder.
type Contents struct {
	Layout
	// Version is the native manifest's version label; "" for a LangChain
	// folder, which records none.
	Version string
	// Files maps every store file except the manifest to its size and
	// SHA-256.
	Files map[string]FileInfo
}

// VerifyDir checks the files of the store in dir without parsing them and
// returns what it found. For a native store of 1 MiB or more it records
// the checksums it verified in VerifiedFile, so a following Open need not
// hash the files again (it still parses and checks them once). A native store's files are checked against its
// manifest (size and SHA-256; a mismatch wraps ErrCorrupt and names the
// file). A LangChain folder records no checksums: its two files are
// hashed, and a caller that knows what they should be (s3sync's state)
// compares Contents.Files. Open checks everything VerifyDir does and
// parses the files too. indexName is as for DetectFiles.
func VerifyDir(dir, indexName string) (Contents, error) {
	lay, err := Detect(dir, indexName)
	if err != nil {
		return Contents{}, err
	}
	c := Contents{Layout: lay, Files: map[string]FileInfo{}}
	if lay.Manifest != "" {
		m, err := ReadManifest(dir)
		if err != nil {
			return Contents{}, err
		}
		// Record what was hashed, so the Open that follows (s3sync opens
		// the staging folder it verified) checks the files' contents
		// without hashing them again.
		rec := readVerifiedState(dir)
		var total int64
		err = m.verify(dir, func(name string, fi FileInfo) {
			total += fi.Size
			if old, ok := rec.Files[name]; !ok || old.FileInfo != fi {
				rec.Checked = false // content not checked before: Open checks it
			}
			rec.record(dir, name, fi, false)
		})
		if err != nil {
			return Contents{}, err
		}
		if total >= recordMinBytes {
			rec.save(dir)
		}
		c.Version, c.Files = m.Version, m.Files
		return c, nil
	}
	for _, name := range lay.Files {
		fi, err := HashFile(filepath.Join(dir, name))
		if err != nil {
			return Contents{}, fmt.Errorf("%w: %s: %w", ErrCorrupt, name, err)
		}
		c.Files[name] = fi
	}
	return c, nil
}
