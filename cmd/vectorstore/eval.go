package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/evaluate"
)

func runEval(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	var f evaluate.Flags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore eval", "", stderr), &f, args); err != nil {
		return err
	}
	rep, err := f.Run(ctx, openStore(pr, f.Embedder))
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, rep, f.JSON)
}
