package deploy

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/testproc"
)

// requireTool returns the path of an external tool, skipping the test when it
// is missing unless VENDOR0919_REQUIRE_TOOLS=1 (CI), when it fails instead.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	testproc.Missing(t, "%s not found on PATH", name)
	return ""
}

// repoRoot is the module root, one level above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(wd)
}

// fakeCLI is a folder of stand-in commands (testdata/fakecli.sh under the
// names aws, docker, ...) with their recorded calls and canned responses.
type fakeCLI struct {
	t   *testing.T
	dir string // FAKECLI_DIR: calls/, responses/
	bin string // put first on PATH
}

// call is one recorded invocation.
type call struct {
	Name  string   // program name: aws, docker, date
	Key   string   // aws_ecs_update-service, docker_push, ...
	Args  []string // arguments as passed
	Stdin string
}

func newFakeCLI(t *testing.T, names ...string) *fakeCLI {
	t.Helper()
	root := t.TempDir()
	f := &fakeCLI{t: t, dir: filepath.Join(root, "state"), bin: filepath.Join(root, "bin")}
	for _, d := range []string{f.bin, filepath.Join(f.dir, "responses"), filepath.Join(f.dir, "calls")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script, err := os.ReadFile(filepath.Join("testdata", "fakecli.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(f.bin, n), script, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// respond sets the body answered to calls with key; seq 0 answers every call,
// seq n the n-th call (the highest n repeats after that).
func (f *fakeCLI) respond(key string, seq int, body string) {
	f.t.Helper()
	name := key
	if seq > 0 {
		name += "." + strconv.Itoa(seq)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "responses", name), []byte(body), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// respondFile answers key with a recorded AWS JSON file from testdata/aws.
func (f *fakeCLI) respondFile(key string, seq int, file string) {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "aws", file))
	if err != nil {
		f.t.Fatal(err)
	}
	f.respond(key, seq, string(b))
}

// fail makes every call with key exit with rc after printing stderr.
func (f *fakeCLI) fail(key string, rc int, stderr string) {
	f.t.Helper()
	r := filepath.Join(f.dir, "responses", key)
	if err := os.WriteFile(r+".rc", []byte(strconv.Itoa(rc)), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(r+".err", []byte(stderr), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// failCall makes only the seq-th call with key exit with rc after printing stderr.
func (f *fakeCLI) failCall(key string, seq, rc int, stderr string) {
	f.t.Helper()
	r := filepath.Join(f.dir, "responses", key+"."+strconv.Itoa(seq))
	if err := os.WriteFile(r+".rc", []byte(strconv.Itoa(rc)), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(r+".err", []byte(stderr), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// calls returns the recorded calls in order.
func (f *fakeCLI) calls() []call {
	f.t.Helper()
	ents, err := os.ReadDir(filepath.Join(f.dir, "calls"))
	if err != nil {
		f.t.Fatal(err)
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	out := make([]call, 0, len(names))
	for _, n := range names {
		d := filepath.Join(f.dir, "calls", n)
		read := func(p string) string {
			b, err := os.ReadFile(filepath.Join(d, p))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				f.t.Fatal(err)
			}
			return string(b)
		}
		c := call{Name: read("name"), Key: read("key"), Stdin: read("stdin")}
		if a := read("args"); a != "" {
			c.Args = strings.Split(strings.TrimSuffix(a, "\x00"), "\x00")
		}
		out = append(out, c)
	}
	return out
}

// keys returns the keys of the recorded calls in order.
func (f *fakeCLI) keys() []string {
	var ks []string
	for _, c := range f.calls() {
		ks = append(ks, c.Key)
	}
	return ks
}

// find returns the recorded calls with key.
func (f *fakeCLI) find(key string) []call {
	var out []call
	for _, c := range f.calls() {
		if c.Key == key {
			out = append(out, c)
		}
	}
	return out
}

// env is a minimal environment with the fake commands first on PATH.
func (f *fakeCLI) env(extra ...string) []string {
	return append([]string{
		"PATH=" + f.bin + ":/usr/local/bin:/usr/bin:/bin",
		"HOME=" + filepath.Dir(f.dir),
		"FAKECLI_DIR=" + f.dir,
		"LC_ALL=C",
	}, extra...)
}

// flag returns the value following name in args, and whether it was there.
func flag(args []string, name string) (string, bool) {
	for i, a := range args {
		if a == name && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// run runs a command and returns stdout, stderr and the exit status.
func run(t *testing.T, dir string, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return so.String(), se.String(), 0
	case errors.As(err, &ee):
		return so.String(), se.String(), ee.ExitCode()
	default:
		t.Fatalf("run %s: %v", name, err)
		return "", "", -1
	}
}
