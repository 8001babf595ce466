// Command vectorstore is the operator's tool for vector stores: build,
// import, inspect, verify, publish, search, evaluate and benchmark.
//
// Usage:
//
//	vectorstore <command> [flags]
//
// Run "vectorstore help" for the list of commands.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/config"
	"github.com/vendor0919/api/internal/pdfsandbox"
	"github.com/vendor0919/api/internal/store"
)

// usageError is the error type that exits with code 2.
type usageError = cliflag.UsageError

// withProviders runs run with the provider settings config reads from
// getenv, the same the server reads.
func withProviders(getenv func(string) string, run func(context.Context, config.Providers, []string, io.Writer, io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		pr, err := config.LoadProviders(getenv)
		if errors.Is(err, config.ErrInvalid) {
			// A bad variable is the operator's mistake, as a bad flag
			// value is: exit 2 either way (EMBEDDER=nope, --embedder nope).
			return usageError{Msg: err.Error()}
		}
		if err != nil {
			return err
		}
		return run(ctx, pr, args, stdout, stderr)
	}
}

// withFolder runs run with --index-name defaulting to
// VECTORSTORE_INDEX_NAME, for the commands that read a folder and need no
// provider.
func withFolder(getenv func(string) string, run func(context.Context, store.FolderFlags, []string, io.Writer, io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return run(ctx, store.FolderFlags{Env: getenv(store.EnvIndexName)}, args, stdout, stderr)
	}
}

// withProvidersFolder is withProviders for the commands that also read a
// folder: --index-name defaults to VECTORSTORE_INDEX_NAME.
func withProvidersFolder(getenv func(string) string, run func(context.Context, config.Providers, store.FolderFlags, []string, io.Writer, io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return withProviders(getenv, func(ctx context.Context, pr config.Providers, args []string, stdout, stderr io.Writer) error {
		return run(ctx, pr, store.FolderFlags{Env: getenv(store.EnvIndexName)}, args, stdout, stderr)
	})
}

// commands lists every subcommand; each run function lives in its own file.
func commands(getenv func(string) string) []cliflag.Command {
	return []cliflag.Command{
		{Name: "build", Summary: "chunk and embed a folder of documents into a native store", Run: withProviders(getenv, runBuild)},
		{Name: "import-faiss", Summary: "convert a LangChain FAISS folder into a native store with an HNSW graph", Run: withProvidersFolder(getenv, runImportFAISS)},
		{Name: "inspect", Summary: "describe a vector store folder (native or LangChain FAISS)", Run: withFolder(getenv, runInspect)},
		{Name: "verify", Summary: "check a store's checksums, counts and index (exit 1 on mismatch)", Run: withFolder(getenv, runVerify)},
		{Name: "push", Summary: "publish a store to S3 (verified, manifest last) or to a new Weaviate collection behind an alias", Run: withProvidersFolder(getenv, runPush)},
		{Name: "search", Summary: "search a store from the command line", Run: withProvidersFolder(getenv, runSearch)},
		{Name: "eval", Summary: "measure retrieval quality (hit@1, hit@5, MRR) on labelled questions", Run: withProvidersFolder(getenv, runEval)},
		{Name: "gen", Summary: "write a clustered synthetic vector data set (texmex .fvecs/.ivecs)", Run: runGen},
		{Name: "bench", Summary: "benchmark the HNSW index on texmex files: recall, QPS, build, memory, save/load", Run: runBench},
		{Name: "bench-startup", Summary: "measure the server's time to /ready and memory on generated 200k/1M stores", Run: runBenchStartup},
	}
}

func main() {
	if code, ok := runChild(os.Args[1:]); ok {
		os.Exit(code)
	}
	os.Exit(runProcess(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// runProcess is main after the hidden child: runMain under a context
// the first SIGINT or SIGTERM cancels. A command that fails after a
// signal exits 128 plus the signal's number (130 for Ctrl-C, 143 for
// SIGTERM), as a shell reports a process a signal ended, so a script or
// CI job tells an interruption from a failure.
func runProcess(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ctx, stop := notifyContext(context.Background())
	defer stop()
	code := runMain(ctx, args, getenv, stdout, stderr)
	var sig signalCause
	if code != 0 && errors.As(context.Cause(ctx), &sig) {
		return 128 + int(sig.sig)
	}
	return code
}

// signalCause is the cause notifyContext's ctx is cancelled with.
type signalCause struct{ sig syscall.Signal }

func (s signalCause) Error() string { return "received " + s.sig.String() }

// runChild runs the hidden subcommand vectorstore starts itself with, if
// args name it: pdfsandbox.Command, the child that parses one PDF for
// build under CPU and memory limits. It is not in the help.
func runChild(args []string) (code int, ok bool) {
	if len(args) == 0 || args[0] != pdfsandbox.Command {
		return 0, false
	}
	return pdfsandbox.Serve(args[1:], os.Stdin, os.Stdout, os.Stderr, chunk.ParsePDF), true
}

// notifyContext returns a context cancelled by the first SIGINT or
// SIGTERM (its context.Cause a signalCause naming it), after which the
// signals are no longer caught: a second Ctrl-C kills the process, as
// users expect when a command is slow to stop.
// (signal.NotifyContext keeps catching, and dropping, every signal until
// stop is called.) The signals are released before ctx is done. stop
// releases them and cancels ctx.
func notifyContext(parent context.Context) (ctx context.Context, stop context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		var cause error
		select {
		case s := <-sig:
			if s, ok := s.(syscall.Signal); ok {
				cause = signalCause{s} // context.Cause tells which
			}
		case <-ctx.Done():
		}
		signal.Stop(sig)
		cancel(cause)
	}()
	return ctx, func() { signal.Stop(sig); cancel(nil) }
}

// runMain dispatches to a subcommand and returns the process exit code
// (cliflag.Run's rules). getenv is os.Getenv in production.
func runMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return cliflag.Run(ctx, "vectorstore", commands(getenv), args, stdout, stderr)
}
