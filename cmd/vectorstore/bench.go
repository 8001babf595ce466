// The vector benchmark commands (gen, bench): package annbench owns their
// flags and runs them.

package main

import (
	"context"
	"io"

	"github.com/vendor0919/api/internal/ann/annbench"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/startbench"
)

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f annbench.Flags
	fs := cliflag.NewFlagSet("vectorstore bench", "usage: vectorstore bench --base B.fvecs --queries Q.fvecs [--truth T.ivecs] [--k 10 --metric cosine --m 16 --ef-construction 200 --ef 10,20,50,100,200 --threads 1] [--json]", stderr)
	if err := cliflag.ParseOptions(fs, args, &f); err != nil {
		return err
	}
	rep, err := f.Run(ctx, stderr)
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, rep, f.JSON)
}

func runGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f annbench.GenFlags
	fs := cliflag.NewFlagSet("vectorstore gen", "usage: vectorstore gen --out DIR [--n 100000 --dim 384 --queries 1000 --clusters 100 --seed 1 --truth]\n\nWrites DIR/base.fvecs and DIR/queries.fvecs (and DIR/truth.ivecs with --truth).", stderr)
	if err := cliflag.ParseOptions(fs, args, &f); err != nil {
		return err
	}
	return f.Run(ctx, stdout)
}

func runBenchStartup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f startbench.Flags
	fs := cliflag.NewFlagSet("vectorstore bench-startup", "usage: vectorstore bench-startup [--work DIR --sizes 200000,1000000 --binary bin/api --python /usr/bin/python3 --runs 3 --cold] [--json]", stderr)
	if err := cliflag.ParseOptions(fs, args, &f); err != nil {
		return err
	}
	rep, err := f.Run(ctx, stderr)
	if err != nil {
		return err
	}
	return cliflag.Write(stdout, rep, f.JSON)
}
