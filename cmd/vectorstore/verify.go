package main

import (
	"context"
	"fmt"
	"io"

	"github.com/vendor0919/api/internal/store"
)

// runVerify checks every file of a store with store.Verify and prints
// each file that passed, then the store it opened.
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
	s, err := store.Verify(ctx, dir, func(name string, fi store.FileInfo) {
		fmt.Fprintf(stdout, "ok  %-14s %12d  %s\n", name, fi.Size, fi.SHA256)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok  %s store: %d chunks, %d vectors of %d dims, metric %s, index %T\n",
		s.Format, len(s.Chunks), s.Index.Len(), s.Index.Dim(), s.Index.Metric(), s.Index)
	return nil
}
