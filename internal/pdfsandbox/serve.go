package pdfsandbox

import (
	"context"
	"encoding/gob"
	"flag"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/vendor0919/api/internal/chunk"
)

// Command is the hidden subcommand that runs the child: a program that
// uses a Parser dispatches os.Args[1] == Command to Serve before anything
// else (see cmd/vectorstore).
const Command = "__parse-pdf"

// result is what the child writes on stdout.
type result struct {
	Doc chunk.Document
	Err string // the parser's error; "" for none
}

// Serve is the child: it puts itself under the limits args give (the
// flags the Parser passes), reads a PDF from stdin, parses it with parse
// and writes the Document or the parser's error, gob-encoded, to stdout.
// It returns the exit code: 0 once the result is written, 1 if it could
// not set its limits, read or write. A limit the parse runs into ends the
// process (the kernel's SIGKILL at the CPU limit, the Go runtime's "out
// of memory" at the memory limit), which the Parser reports.
func Serve(args []string, stdin io.Reader, stdout, stderr io.Writer, parse chunk.PDFParser) int {
	fs := flag.NewFlagSet(Command, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cpu := fs.Int64("cpu", 0, "CPU seconds")
	mem := fs.Int64("memory", 0, "bytes of memory")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if *cpu <= 0 || *mem <= 0 {
		fmt.Fprintln(stderr, "pdfsandbox: -cpu and -memory are required")
		return 1
	}
	// Before the PDF is read: nothing runs unbounded.
	if err := setLimits(*cpu, *mem); err != nil {
		fmt.Fprintf(stderr, "pdfsandbox: set limits: %v\n", err)
		return 1
	}
	debug.SetMemoryLimit(*mem - *mem/4)
	b, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "pdfsandbox: read: %v\n", err)
		return 1
	}
	var res result
	res.Doc, err = parse(context.Background(), b)
	if err != nil {
		res.Err = err.Error()
	}
	if err := gob.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintf(stderr, "pdfsandbox: write: %v\n", err)
		return 1
	}
	return 0
}
