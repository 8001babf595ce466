package startbench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/s3sync"
)

// measureSync uploads the store files of dir (not the records and derived
// files beside them, whose names start with a dot) with the AWS CLI under
// s3://S3Bucket/PREFIX, then mirrors them back Runs times with s3sync (the
// server's own sync, default settings) and with `aws s3 sync`, alternating,
// each into a fresh folder, and returns the best throughput of each in
// MB/s. Before each timed run every dirty page is flushed, and each run's
// copy is removed after it, so no run pays for the writeback or page
// cache of the one before (see the S3 sync section of docs/BENCHMARKS.md).
func (f Flags) measureSync(ctx context.Context, log io.Writer, prefix, dir string) (ours, cli float64, err error) {
	var bytes int64
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("startbench: %w", err)
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			bytes += fi.Size()
		}
	}
	uri := "s3://" + f.S3Bucket + "/" + prefix
	fmt.Fprintf(log, "%s: uploading %d MB with the AWS CLI\n", prefix, bytes/1e6)
	if err := f.aws(ctx, "s3", "cp", "--recursive", "--exclude", ".*", dir, uri); err != nil {
		return 0, 0, err
	}
	s, err := s3sync.New(ctx, s3sync.Config{URI: uri, Endpoint: f.S3Endpoint, PathStyle: true,
		Region: cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION"), "us-east-1")})
	if err != nil {
		return 0, 0, fmt.Errorf("startbench: %w", err)
	}
	dst := filepath.Join(f.Work, ".sync-"+prefix)
	mbps := func(run func() error) (float64, error) {
		flushWrites()
		if err := os.RemoveAll(dst); err != nil {
			return 0, fmt.Errorf("startbench: %w", err)
		}
		start := time.Now()
		if err := run(); err != nil {
			return 0, err
		}
		took := time.Since(start)
		if err := os.RemoveAll(dst); err != nil {
			return 0, fmt.Errorf("startbench: %w", err)
		}
		return float64(bytes) / 1e6 / took.Seconds(), nil
	}
	for i := range f.Runs {
		a, err := mbps(func() error { _, err := s.Sync(ctx, dst); return err })
		if err != nil {
			return 0, 0, fmt.Errorf("startbench: sync %s: %w", uri, err)
		}
		b, err := mbps(func() error { return f.aws(ctx, "s3", "sync", uri, dst) })
		if err != nil {
			return 0, 0, err
		}
		fmt.Fprintf(log, "%s: sync run %d: s3sync %.0f MB/s, aws s3 sync %.0f MB/s\n", prefix, i+1, a, b)
		ours, cli = max(ours, a), max(cli, b)
	}
	return ours, cli, nil
}

// aws runs the AWS CLI against S3Endpoint.
func (f Flags) aws(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, f.AWS, append([]string{"--endpoint-url", f.S3Endpoint, "--only-show-errors"}, args...)...) //nolint:gosec // G204: the configured CLI with our arguments
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("startbench: aws %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return nil
}
