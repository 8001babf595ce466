package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/vendor0919/api/internal/store"
)

// parseDirArg parses flags given before or after one positional folder.
func parseDirArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := parseFlags(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", usageError{msg: "a store folder is required"}
	}
	dir := fs.Arg(0)
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return dir, nil
}

func runInspect(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("inspect", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vectorstore inspect [--json] DIR")
		fs.PrintDefaults()
	}
	dir, err := parseDirArg(fs, args)
	if err != nil {
		return err
	}
	rep, err := store.Inspect(dir)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.WriteText(stdout)
	return nil
}
