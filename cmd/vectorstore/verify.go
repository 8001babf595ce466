package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/vendor0919/api/internal/store"
)

func verifyCommand() command {
	return command{name: "verify", summary: "check a store's checksums, counts and index (exit 1 on mismatch)", run: runVerify}
}

// runVerify checks every file of a store. For a native store that is each
// size and SHA-256 against the manifest, the vector and chunk counts and
// the persisted graph; for a LangChain folder it is the FAISS record, the
// pickle and the row to document mapping.
func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore verify DIR")
		fs.PrintDefaults()
	}
	dir, err := parseDirArg(fs, args)
	if err != nil {
		return err
	}
	native := false
	if _, err := os.Stat(filepath.Join(dir, store.ManifestFile)); err == nil {
		native = true
		m, err := store.ReadManifest(dir)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(m.Files))
		for n := range m.Files {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			got, err := store.HashFile(filepath.Join(dir, n))
			want := m.Files[n]
			switch {
			case err != nil:
				return fmt.Errorf("%w: %s: %w", store.ErrCorrupt, n, err)
			case got != want:
				return fmt.Errorf("%w: %s: size %d sha256 %s, manifest says size %d sha256 %s",
					store.ErrCorrupt, n, got.Size, got.SHA256, want.Size, want.SHA256)
			}
			fmt.Fprintf(stdout, "ok  %-14s %12d  %s\n", n, got.Size, got.SHA256)
		}
	}
	// Open re-checks the checksums and then every count, the chunk lines
	// and the graph. A LangChain folder is opened exact: no graph to build.
	s, err := store.Open(ctx, dir, store.OpenOptions{Exact: !native})
	if err != nil {
		return err
	}
	if !native {
		for _, n := range []string{store.LangChainIndexFile, store.LangChainDocsFile} {
			fi := s.Manifest.Files[n]
			fmt.Fprintf(stdout, "ok  %-14s %12d  %s\n", n, fi.Size, fi.SHA256)
		}
	}
	fmt.Fprintf(stdout, "ok  %s store: %d chunks, %d vectors of %d dims, metric %s, index %T\n",
		s.Format, len(s.Chunks), s.Index.Len(), s.Index.Dim(), s.Index.Metric(), s.Index)
	return nil
}
