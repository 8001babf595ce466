package cliflag

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// UsageError marks a bad invocation: Run reports it and exits with 2.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError with the formatted message.
func Usagef(format string, a ...any) error { return UsageError{Msg: fmt.Sprintf(format, a...)} }

// InRange returns nil when lo <= v <= hi, else a UsageError naming the
// flag: "--hnsw-workers 2000: want 0 to 1024".
func InRange(flag string, v, lo, hi int) error {
	if v < lo || v > hi {
		return Usagef("%s %d: want %d to %d", flag, v, lo, hi)
	}
	return nil
}

// NewFlagSet returns a flag set named name that writes to stderr and
// returns its errors instead of exiting. A non-empty usage replaces the
// default header of -h: it is printed, then the flag defaults.
func NewFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if usage != "" {
		fs.Usage = func() {
			fmt.Fprintln(stderr, usage)
			fs.PrintDefaults()
		}
	}
	return fs
}

// Parse parses args into fs. A flag error becomes a UsageError; -h
// returns flag.ErrHelp, which Run treats as success.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return UsageError{Msg: err.Error()}
	}
	return nil
}

// Options is a command's option set, owned by the package that runs the
// command. RegisterFlags binds the fields to fs with their defaults;
// Validate checks them after parsing and returns a UsageError.
type Options interface {
	RegisterFlags(fs *flag.FlagSet)
	Validate() error
}

// Positional is implemented by Options that look at the arguments left
// after the flags; ParseOptions hands them over before Validate.
type Positional interface {
	SetArgs(args []string)
}

// ParseOptions registers the flags of every option set in opts on fs,
// parses args, hands the arguments left to those that are Positional and
// validates each in turn, returning the first error.
func ParseOptions(fs *flag.FlagSet, args []string, opts ...Options) error {
	for _, o := range opts {
		o.RegisterFlags(fs)
	}
	if err := Parse(fs, args); err != nil {
		return err
	}
	for _, o := range opts {
		if p, ok := o.(Positional); ok {
			p.SetArgs(fs.Args())
		}
		if err := o.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// ParseDirArg parses flags given before or after one positional folder
// and returns the folder.
func ParseDirArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := Parse(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", UsageError{Msg: "a store folder is required"}
	}
	dir := fs.Arg(0)
	if err := Parse(fs, fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", Usagef("unexpected argument %q", fs.Arg(0))
	}
	return dir, nil
}

// ParseInts parses a comma-separated list of positive integers.
func ParseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	return out, nil
}

// Result is a command's outcome that prints itself for people and for
// scripts.
type Result interface {
	WriteText(w io.Writer)
	WriteJSON(w io.Writer) error
}

// Write writes r to w as JSON when asJSON is set, else as text.
func Write(w io.Writer, r Result, asJSON bool) error {
	if asJSON {
		return r.WriteJSON(w)
	}
	r.WriteText(w)
	return nil
}

// WriteJSON writes v as indented JSON, with HTML characters escaped as
// encoding/json does by default.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
