package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/evaluate"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/store"
)

func runEval(ctx context.Context, pr config.Providers, ff store.FolderFlags, args []string, stdout, stderr io.Writer) error {
	var f evaluate.Flags
	ef := providers.EmbedderFlags{ForStore: true}
	var kf providers.KeywordFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore eval", "", stderr), args, &f, &ef, &kf, &ff); err != nil {
		return err
	}
	rep, err := f.Run(ctx, openStore(pr, ef, kf, ff))
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, rep, f.JSON)
}
