// The store commands (inspect, verify, import-faiss): package store owns
// their options and reports, as it knows the formats.

package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/store"
)

func runInspect(_ context.Context, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	fs := cliflag.NewFlagSet("vectorstore inspect", "usage: vectorstore inspect [--json] [--index-name NAME] DIR", stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	ff.RegisterFlags(fs)
	dir, err := cliflag.ParseDirArg(fs, args)
	if err != nil {
		return err
	}
	if err := ff.Validate(); err != nil {
		return err
	}
	rep, err := store.Inspect(dir, ff.Name())
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, rep, *asJSON)
}

func runVerify(ctx context.Context, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	fs := cliflag.NewFlagSet("vectorstore verify", "usage: vectorstore verify [--index-name NAME] DIR", stderr)
	ff.RegisterFlags(fs)
	dir, err := cliflag.ParseDirArg(fs, args)
	if err != nil {
		return err
	}
	if err := ff.Validate(); err != nil {
		return err
	}
	return store.VerifyText(ctx, dir, ff.Name(), stdout)
}

func runImportFAISS(ctx context.Context, pr config.Providers, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	f := store.ImportFlags{Folder: ff}
	var kf providers.KeywordFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore import-faiss", "", stderr), args, &f, &kf); err != nil {
		return err
	}
	// The server's choice, so that it loads the persisted keyword index.
	an, err := kf.Analyzers(pr)
	if err != nil {
		return err
	}
	f.KeywordAnalyzers = an
	return f.Run(ctx, stdout, stderr)
}
