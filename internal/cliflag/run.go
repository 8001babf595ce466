package cliflag

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Command is one subcommand. Run gets the arguments after the command
// name.
type Command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// Run dispatches args to the command args[0] names and returns the exit
// code: 0 success (and -h), 1 failure, 2 usage error. Errors are written
// to stderr as "prog name: error". No command prints the listing and
// returns 2; help, -h and --help print it to stdout and return 0; an
// unknown command prints it to stderr and returns 2.
func Run(ctx context.Context, prog string, cmds []Command, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		Usage(stdout, prog, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range cmds {
		if c.Name != args[0] {
			continue
		}
		err := c.Run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(UsageError)):
			fmt.Fprintf(stderr, "%s %s: %v\n", prog, c.Name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "%s %s: %v\n", prog, c.Name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n", prog, args[0])
	Usage(stderr, prog, cmds)
	return 2
}

// Usage writes the command listing of prog.
func Usage(w io.Writer, prog string, cmds []Command) {
	fmt.Fprintf(w, "usage: %s <command> [flags]\n", prog)
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-13s %s\n", c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\nRun \"%s <command> -h\" for a command's flags.\n", prog)
}
