package weaviatestore

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

// IsTarget reports whether a push command line's --to names Weaviate
// (weaviate:// or weaviates://), so the command runs PushFlags instead of
// the S3 push.
func IsTarget(args []string) bool {
	for i, a := range args {
		v, ok := "", false
		switch {
		case a == "--to" || a == "-to":
			if i+1 < len(args) {
				v, ok = args[i+1], true
			}
		case strings.HasPrefix(a, "--to="), strings.HasPrefix(a, "-to="):
			v, ok = a[strings.Index(a, "=")+1:], true
		}
		if ok {
			return strings.HasPrefix(v, "weaviate://") || strings.HasPrefix(v, "weaviates://")
		}
	}
	return false
}

// PushFlags is the command line of "vectorstore push --to weaviate://".
type PushFlags struct {
	Dir, To, GRPC, Index, Consistency string
	BatchSize, Keep, Replication      int
	Attempts                          int
	CallTimeout, Timeout              time.Duration
	Folder                            store.FolderFlags
	Args                              []string
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *PushFlags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "dir", "", "store folder to publish: native or LangChain FAISS (required)")
	fs.StringVar(&f.To, "to", "", "weaviate://HOST:PORT/COLLECTION (weaviates:// for TLS); COLLECTION is the alias readers search (required)")
	fs.StringVar(&f.GRPC, "grpc", "", "Weaviate gRPC HOST:PORT (default: WEAVIATE_GRPC_ADDR, else the target's host on port 50051)")
	fs.StringVar(&f.Index, "index", IndexHNSW, "vector index: hnsw, or flat (exact search, for small collections)")
	fs.StringVar(&f.Consistency, "consistency", "QUORUM", "write consistency: ONE, QUORUM or ALL")
	fs.IntVar(&f.BatchSize, "batch", DefaultBatchSize, fmt.Sprintf("objects per batch request (1..%d)", MaxBatchSize))
	fs.IntVar(&f.Keep, "keep", DefaultKeep, "previous collections of the alias kept for rollback (-1: all)")
	fs.IntVar(&f.Replication, "replication", 1, fmt.Sprintf("replication factor of the new collection (1..%d)", MaxReplication))
	fs.IntVar(&f.Attempts, "attempts", 5, "tries per call that failed on the way (network, 5xx)")
	fs.DurationVar(&f.CallTimeout, "call-timeout", time.Minute, "bound on one call to Weaviate")
	fs.DurationVar(&f.Timeout, "timeout", 2*time.Hour, "give up after this long (the alias stays where it was)")
	f.Folder.RegisterFlags(fs)
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
	case f.Index != IndexHNSW && f.Index != IndexFlat:
		return cliflag.Usagef("--index %q: want hnsw or flat", f.Index)
	case f.Consistency != "ONE" && f.Consistency != "QUORUM" && f.Consistency != "ALL":
		return cliflag.Usagef("--consistency %q: want ONE, QUORUM or ALL", f.Consistency)
	case f.BatchSize < 1 || f.BatchSize > MaxBatchSize:
		return cliflag.Usagef("--batch %d: want 1..%d", f.BatchSize, MaxBatchSize)
	case f.Replication < 1 || f.Replication > MaxReplication:
		return cliflag.Usagef("--replication %d: want 1..%d", f.Replication, MaxReplication)
	case f.Keep < -1 || f.Attempts < 1 || f.CallTimeout <= 0 || f.Timeout <= 0:
		return cliflag.Usagef("--keep must be -1 or more; --attempts, --call-timeout and --timeout positive")
	}
	if _, _, err := ParseTarget(f.To); err != nil {
		return cliflag.UsageError{Msg: err.Error()}
	}
	return f.Folder.Validate()
}

// Run pushes f.Dir to f.To; conn gives what the environment set
// (API key, CA, gRPC address), an the keyword analyzer choice of the
// servers that will search it. Progress goes to stderr, the result to stdout.
func (f PushFlags) Run(ctx context.Context, stdout, stderr io.Writer, conn Conn, an keyword.Chooser) error {
	if err := f.Validate(); err != nil {
		return err
	}
	restURL, alias, _ := ParseTarget(f.To)
	conn.URL = restURL
	if f.GRPC != "" {
		conn.GRPCAddr = f.GRPC
	}
	conn.Timeout, conn.Attempts = f.CallTimeout, f.Attempts
	ctx, cancel := context.WithTimeout(ctx, f.Timeout)
	defer cancel()
	res, err := Push(ctx, f.Dir, store.OpenOptions{IndexName: f.Folder.Name()}, PushOptions{
		Conn: conn, Alias: alias, Index: f.Index, Replication: f.Replication, Consistency: f.Consistency,
		BatchSize: f.BatchSize, Keep: f.Keep, Analyzers: an, Progress: stderr,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "pushed    %s -> %s\n", f.Dir, f.To)
	res.WriteText(stdout)
	return nil
}
