package cliflag

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestRun_ExitCodes(t *testing.T) {
	t.Parallel()
	cmds := []Command{
		{Name: "ok", Summary: "succeeds", Run: func(_ context.Context, args []string, stdout, _ io.Writer) error {
			_, err := io.WriteString(stdout, strings.Join(args, ","))
			return err
		}},
		{Name: "askhelp", Summary: "asks for help", Run: func(context.Context, []string, io.Writer, io.Writer) error { return flag.ErrHelp }},
		{Name: "misuse", Summary: "usage error", Run: func(context.Context, []string, io.Writer, io.Writer) error {
			return Usagef("--x must be %d", 1)
		}},
		{Name: "fail", Summary: "fails", Run: func(context.Context, []string, io.Writer, io.Writer) error { return errors.New("broken") }},
	}
	tests := []struct {
		name             string
		args             []string
		code             int
		stdout, stderr   string // substrings; "" checks nothing
		emptyOut, noErrs bool
	}{
		{"no command", nil, 2, "usage: tool <command> [flags]", "", false, true},
		{"help", []string{"help"}, 0, "  misuse        usage error", "", false, true},
		{"-h", []string{"-h"}, 0, "Run \"tool <command> -h\"", "", false, true},
		{"--help", []string{"--help"}, 0, "commands:", "", false, true},
		{"unknown", []string{"nope"}, 2, "", "tool: unknown command \"nope\"\nusage: tool", true, false},
		{"success gets the rest", []string{"ok", "a", "b"}, 0, "a,b", "", false, true},
		{"flag.ErrHelp is success", []string{"askhelp"}, 0, "", "", true, true},
		{"usage error", []string{"misuse"}, 2, "", "tool misuse: --x must be 1\n", true, false},
		{"failure", []string{"fail"}, 1, "", "tool fail: broken\n", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			if code := Run(context.Background(), "tool", cmds, tt.args, &out, &errb); code != tt.code {
				t.Fatalf("exit %d, want %d", code, tt.code)
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Fatalf("stdout %q, stderr %q; want %q and %q", out.String(), errb.String(), tt.stdout, tt.stderr)
			}
			if (tt.emptyOut && out.Len() > 0) || (tt.noErrs && errb.Len() > 0) {
				t.Fatalf("stdout %q, stderr %q: unexpected output", out.String(), errb.String())
			}
		})
	}
}

// TestRun_HelpListsFirst: "help" lists the commands even when a command
// is called help, as the listing is checked first.
func TestRun_HelpListsFirst(t *testing.T) {
	t.Parallel()
	called := false
	cmds := []Command{{Name: "help", Run: func(context.Context, []string, io.Writer, io.Writer) error { called = true; return nil }}}
	var out bytes.Buffer
	if code := Run(context.Background(), "tool", cmds, []string{"help"}, &out, io.Discard); code != 0 || called || !strings.Contains(out.String(), "commands:") {
		t.Fatalf("exit %d, called %v, out %q", code, called, out.String())
	}
}

func TestParseDirArg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		dir     string
		json    bool
		wantErr string // "" for none
	}{
		{[]string{"d"}, "d", false, ""},
		{[]string{"--json", "d"}, "d", true, ""},
		{[]string{"d", "--json"}, "d", true, ""},
		{nil, "", false, "a store folder is required"},
		{[]string{"--json"}, "", false, "a store folder is required"},
		{[]string{"a", "b"}, "", false, `unexpected argument "b"`},
		{[]string{"a", "--nope"}, "", false, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		fs := NewFlagSet("t", "", io.Discard)
		asJSON := fs.Bool("json", false, "")
		dir, err := ParseDirArg(fs, tt.args)
		if tt.wantErr != "" {
			if !errors.As(err, new(UsageError)) || err.Error() != tt.wantErr {
				t.Errorf("%v: err %v, want usage error %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || dir != tt.dir || *asJSON != tt.json {
			t.Errorf("%v: dir %q json %v err %v; want %q %v", tt.args, dir, *asJSON, err, tt.dir, tt.json)
		}
	}
}

func TestParseInts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{"10", []int{10}, ""},
		{"10,20, 50", []int{10, 20, 50}, ""},
		{"x", nil, `"x" is not a positive integer`},
		{"10,0", nil, `"0" is not a positive integer`},
		{"10,", nil, `"" is not a positive integer`},
		{"-1", nil, `"-1" is not a positive integer`},
	}
	for _, tt := range tests {
		got, err := ParseInts(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// opts is an Options with a positional check.
type opts struct {
	n    int
	args []string
}

func (o *opts) RegisterFlags(fs *flag.FlagSet) { fs.IntVar(&o.n, "n", 1, "a positive number") }
func (o *opts) SetArgs(args []string)          { o.args = args }
func (o *opts) Validate() error {
	if o.n < 1 || len(o.args) > 0 {
		return Usagef("--n must be positive, and nothing else")
	}
	return nil
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		n        int
		wantHelp bool
		wantErr  string
	}{
		{"defaults", nil, 1, false, ""},
		{"set", []string{"--n", "3"}, 3, false, ""},
		{"invalid", []string{"--n", "0"}, 0, false, "--n must be positive, and nothing else"},
		{"positional reaches Validate", []string{"x"}, 0, false, "--n must be positive, and nothing else"},
		{"bad value", []string{"--n", "x"}, 0, false, `invalid value "x" for flag -n: parse error`},
		{"help", []string{"-h"}, 0, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var errb bytes.Buffer
			var o opts
			err := ParseOptions(NewFlagSet("t", "usage: t [--n N]", &errb), tt.args, &o)
			switch {
			case tt.wantHelp:
				if !errors.Is(err, flag.ErrHelp) || !strings.HasPrefix(errb.String(), "usage: t [--n N]\n  -n int\n") {
					t.Fatalf("err %v, help %q", err, errb.String())
				}
			case tt.wantErr != "":
				if !errors.As(err, new(UsageError)) || err.Error() != tt.wantErr {
					t.Fatalf("err %v, want usage error %q", err, tt.wantErr)
				}
			case err != nil || o.n != tt.n:
				t.Fatalf("n %d, err %v; want %d", o.n, err, tt.n)
			}
		})
	}
}

// result records which form Write chose.
type result struct{ v string }

func (r result) WriteText(w io.Writer)       { _, _ = io.WriteString(w, "text "+r.v) }
func (r result) WriteJSON(w io.Writer) error { return WriteJSON(w, map[string]string{"v": r.v}) }

func TestWrite(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		asJSON bool
		want   string
	}{
		{false, "text <a&b>"},
		{true, "{\n  \"v\": \"\\u003ca\\u0026b\\u003e\"\n}\n"},
	} {
		var b bytes.Buffer
		if err := Write(&b, result{"<a&b>"}, tt.asJSON); err != nil || b.String() != tt.want {
			t.Errorf("json %v: %q, %v; want %q", tt.asJSON, b.String(), err, tt.want)
		}
	}
}

func TestInRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    int
		want string
	}{{-1, "--n -1: want 0 to 3"}, {0, ""}, {3, ""}, {4, "--n 4: want 0 to 3"}} {
		err := InRange("--n", tc.v, 0, 3)
		var ue UsageError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%d: %v, want nil", tc.v, err)
		case tc.want != "" && (!errors.As(err, &ue) || err.Error() != tc.want):
			t.Errorf("%d: %v, want usage error %q", tc.v, err, tc.want)
		}
	}
}
