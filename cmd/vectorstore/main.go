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
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/vendor0919/api/internal/config"
)

// command is one subcommand. run gets the arguments after the command name.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// withProviders runs run with the provider settings config reads from
// getenv, the same the server reads.
func withProviders(getenv func(string) string, run func(context.Context, config.Providers, []string, io.Writer, io.Writer) error) func(context.Context, []string, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		pr, err := config.LoadProviders(getenv)
		if err != nil {
			return err
		}
		return run(ctx, pr, args, stdout, stderr)
	}
}

// commands lists every subcommand; each run function lives in its own file.
func commands(getenv func(string) string) []command {
	return []command{
		{name: "build", summary: "chunk and embed a folder of documents into a native store", run: withProviders(getenv, runBuild)},
		{name: "import-faiss", summary: "convert a LangChain FAISS folder into a native store with an HNSW graph", run: runImportFAISS},
		{name: "inspect", summary: "describe a vector store folder (native or LangChain FAISS)", run: runInspect},
		{name: "verify", summary: "check a store's checksums, counts and index (exit 1 on mismatch)", run: runVerify},
		{name: "push", summary: "verify a native store and publish it to S3 (manifest last)", run: withProviders(getenv, runPush)},
		{name: "search", summary: "search a store from the command line", run: withProviders(getenv, runSearch)},
		{name: "eval", summary: "measure retrieval quality (hit@1, hit@5, MRR) on labelled questions", run: withProviders(getenv, runEval)},
		{name: "gen", summary: "write a clustered synthetic vector data set (texmex .fvecs/.ivecs)", run: runGen},
		{name: "bench", summary: "benchmark the HNSW index on texmex files: recall, QPS, build, memory, save/load", run: runBench},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := runMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// runMain dispatches to a subcommand and returns the process exit code:
// 0 success, 1 failure, 2 usage error. getenv is os.Getenv in production.
func runMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands(getenv) {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(usageError)):
			fmt.Fprintf(stderr, "vectorstore %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "vectorstore %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "vectorstore: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: vectorstore <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands(nil) {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"vectorstore <command> -h\" for a command's flags.")
}

// usageError marks a bad invocation (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// newFlagSet returns a flag set that reports errors instead of exiting, so
// subcommands return them to runMain.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("vectorstore "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args into fs, mapping flag errors to usageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{msg: err.Error()}
	}
	return nil
}
