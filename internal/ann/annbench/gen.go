package annbench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/ann/synth"
	"github.com/vendor0919/api/internal/texmex"
)

// GenConfig describes a synthetic data set for WriteDataSet. Unlike in
// synth.Config, Dim must be set (it is the width of the files written).
type GenConfig struct {
	synth.Config
	// Truth also writes truth.ivecs: the exact TruthK nearest base
	// vectors of each query under Metric, found with Threads goroutines.
	Truth   bool
	TruthK  int
	Metric  ann.Metric
	Threads int
}

// WriteDataSet generates cfg's data set and writes base.fvecs,
// queries.fvecs (when there are queries) and, with cfg.Truth,
// truth.ivecs into dir, which is created if needed. It reports each file
// written to w, one line each.
func WriteDataSet(ctx context.Context, dir string, cfg GenConfig, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	start := time.Now()
	base, queries, err := synth.Generate(cfg.Config)
	if err != nil {
		return err
	}
	if err := texmex.WriteFvecsFile(filepath.Join(dir, "base.fvecs"), base, cfg.Dim); err != nil {
		return err
	}
	if cfg.Queries > 0 {
		if err := texmex.WriteFvecsFile(filepath.Join(dir, "queries.fvecs"), queries, cfg.Dim); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "wrote %d base and %d query vectors of dimension %d to %s (%.1fs)\n", cfg.N, cfg.Queries, cfg.Dim, dir, time.Since(start).Seconds())
	if !cfg.Truth || cfg.Queries == 0 {
		return nil
	}
	start = time.Now()
	flat, err := ann.NewFlat(cfg.Dim, cfg.Metric, base)
	if err != nil {
		return err
	}
	k := min(cfg.TruthK, cfg.N)
	ids, err := ExactNeighbors(ctx, flat, queries, k, cfg.Threads)
	if err != nil {
		return err
	}
	if err := texmex.WriteIvecsFile(filepath.Join(dir, "truth.ivecs"), ids, k); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote exact %s top-%d of every query to truth.ivecs (%.1fs)\n", cfg.Metric, k, time.Since(start).Seconds())
	return nil
}
