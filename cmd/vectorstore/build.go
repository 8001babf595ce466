package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/ingest"
	"github.com/vendor0919/api/internal/pdfsandbox"
	"github.com/vendor0919/api/internal/providers"
	"github.com/vendor0919/api/internal/retry"
)

const buildUsage = `usage: vectorstore build --in DOCS --out DIR [flags]

Each PDF is parsed in a child process with CPU and memory limits; a PDF
that runs into one is skipped and named on stderr, as an unreadable file
is. Ctrl-C (or SIGTERM) stops the build and leaves --out as it was
(exit 130, or 143); the cache keeps the finished batches, so the same
command resumes. A second Ctrl-C kills it at once. A store that cannot
fit on the filesystem of --out (less free space than its vectors and
text take) is refused before anything is embedded.
`

func runBuild(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
	var f ingest.BuildFlags
	var ef providers.EmbedderFlags
	var mf providers.ModelFlags
	var kf providers.KeywordFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("vectorstore build", buildUsage, stderr), args, &f, &ef, &mf, &kf); err != nil {
		return err
	}
	if _, ok := stderr.(*os.File); !ok {
		// Writes to a file are already whole; a buffer (tests) needs the
		// lock, and a file must stay one for the terminal check.
		stderr = &lockedWriter{w: stderr}
	}
	// The embedder's calls share this build's patience: provider limits
	// reset each minute, and one worker's Retry-After holds back all.
	ef.Retry = retry.Batch()
	msgs := ingest.ForMessages(stderr)
	ef.Retry.OnRetry = func(n int, wait time.Duration, err error) {
		// Short waits pass unremarked; a long one must not look like a
		// hang, in a terminal or in a CI log.
		if wait >= 5*time.Second {
			fmt.Fprintf(msgs, "waiting %s before retrying (attempt %d failed): %v\n", wait.Round(time.Second), n, err)
		}
	}
	cfg := mf.Apply(pr)
	if f.DryRun {
		cfg = providers.ForDryRun(cfg)
	}
	an, err := kf.Analyzers(cfg) // the server's, so it loads the persisted index
	if err != nil {
		return err
	}
	f.KeywordAnalyzers = an
	// Each PDF in a child of this process, so that one the library hangs
	// on or fills memory with is skipped, not the build's end.
	f.PDF = pdfsandbox.Parser{}.Parse
	return f.Run(ctx, func() (embed.Embedder, error) { return ef.Embedder(ctx, cfg, "") }, stdout, stderr)
}

// lockedWriter serialises writes to w: the embedder's retries, the
// build's warnings and its progress come from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
