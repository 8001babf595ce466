package s3sync

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/store"
)

// MaxConcurrency bounds Config.Concurrency and Config.PartConcurrency
// (New clamps them; --concurrency and S3_PART_CONCURRENCY refuse more):
// the SDK's transfer manager sizes its work by the first, and 100000000
// took 24 GB in seconds; the second sizes a channel. A store is a few
// dozen files, so more would not go faster anyway.
const MaxConcurrency = 64

// PushFlags is the command line of "vectorstore push". Region, Endpoint
// and PathStyle left empty are for the caller's Syncer constructor to
// fill from the environment (providers.S3 does).
type PushFlags struct {
	Dir, To, Endpoint, Region string
	PathStyle                 bool
	Concurrency, Attempts     int
	Timeout                   time.Duration
	// Args are the arguments after the flags; there must be none.
	Args []string
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *PushFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "dir", "", "native store folder to publish (required)")
	fs.StringVar(&f.To, "to", "", "destination, s3://bucket/prefix (required)")
	fs.StringVar(&f.Endpoint, "endpoint", "", "S3-compatible endpoint URL (default: S3_ENDPOINT, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS S3)")
	fs.BoolVar(&f.PathStyle, "path-style", false, "use path-style addressing (most S3-compatible servers need it; default: S3_FORCE_PATH_STYLE)")
	fs.StringVar(&f.Region, "region", "", "bucket region (default: AWS_REGION or the AWS profile)")
	fs.IntVar(&f.Concurrency, "concurrency", DefaultConcurrency, fmt.Sprintf("files uploaded at once (1..%d)", MaxConcurrency))
	fs.IntVar(&f.Attempts, "attempts", DefaultMaxAttempts, "whole-push attempts before giving up")
	fs.DurationVar(&f.Timeout, "timeout", 30*time.Minute, "give up after this long")
}

// SetArgs implements cliflag.Positional.
func (f *PushFlags) SetArgs(args []string) { f.Args = args }

// Validate checks f; its errors are cliflag.UsageErrors.
func (f PushFlags) Validate() error {
	switch {
	case len(f.Args) > 0:
		return cliflag.Usagef("unexpected argument %q", f.Args[0])
	case f.Dir == "" || f.To == "":
		return cliflag.Usagef("--dir and --to are required")
	case f.Attempts < 1 || f.Timeout <= 0:
		// Not bounded above: attempts cost no memory, and --timeout ends them.
		return cliflag.Usagef("--attempts and --timeout must be positive")
	}
	if err := cliflag.InRange("--concurrency", f.Concurrency, 1, MaxConcurrency); err != nil {
		return err
	}
	if _, _, err := ParseURI(f.To); err != nil {
		return cliflag.UsageError{Msg: err.Error()}
	}
	return nil
}

// Run validates f, then verifies the native store in f.Dir with a full
// store.Open (checksums, counts, chunks, graph) before any connection is
// made, and pushes it with the Syncer newSyncer builds (warnings logged
// to stderr). It reports the store and the push on stdout.
func (f PushFlags) Run(ctx context.Context, stdout, stderr io.Writer, newSyncer func(context.Context, Config) (*Syncer, error)) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if lay, err := store.Detect(f.Dir, ""); err != nil || lay.Format != store.FormatNative {
		return fmt.Errorf("%s is not a native store (no %s); convert a LangChain folder with \"vectorstore import-faiss\" first", f.Dir, store.ManifestFile)
	}
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	st, err := store.Open(ctx, f.Dir, store.OpenOptions{})
	if err != nil {
		return fmt.Errorf("verify %s: %w", f.Dir, err)
	}
	fmt.Fprintf(stdout, "verified  %s: version %s, %d chunks, %d dims, %d files\n",
		f.Dir, st.Manifest.Version, st.Manifest.Count, st.Manifest.Embedding.Dims, len(st.Manifest.Files))
	s, err := newSyncer(ctx, Config{
		URI: f.To, Region: f.Region, Endpoint: f.Endpoint, PathStyle: f.PathStyle,
		Concurrency: f.Concurrency, MaxAttempts: f.Attempts,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	res, err := s.Push(ctx, f.Dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pushed    %s -> %s\n", f.Dir, res.URI)
	res.WriteText(stdout)
	return nil
}

// WriteText writes r for people, after the "pushed" line: the version,
// the file counts and bytes sent, and that the manifest went last.
func (r PushResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "version   %s\n", r.Version)
	fmt.Fprintf(w, "files     %d (%d uploaded, %d already there), %s sent in %s\n",
		r.Files, r.Uploaded, r.Skipped, humanBytes(r.Bytes), r.Took.Round(time.Millisecond))
	fmt.Fprintf(w, "manifest  %s uploaded last\n", store.ManifestFile)
}

// humanBytes formats n with a binary unit, e.g. 1.5 MiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
