package annbench

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/texmex"
)

// parse runs args through o's flags and Validate as the command does.
func parse(o cliflag.Options, args ...string) error {
	return cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), args, o)
}

func TestFlags_Validate(t *testing.T) {
	t.Parallel()
	files := []string{"--base", "b.fvecs", "--queries", "q.fvecs"}
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for valid
	}{
		{"defaults", files, ""},
		{"no files", nil, "--base and --queries are required"},
		{"no queries", []string{"--base", "b"}, "--base and --queries are required"},
		{"metric", append([]string{"--metric", "hamming"}, files...), `ann: unknown metric "hamming" (want cosine, ip or l2)`},
		{"ef list", append([]string{"--ef", "10,x"}, files...), `--ef: "x" is not a positive integer`},
		{"k", append([]string{"--k", "0"}, files...), "--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2"},
		{"m", append([]string{"--m", "1"}, files...), "--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2"},
		{"build threads", append([]string{"--build-threads", "-1"}, files...), "--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2"},
		{"threads", append([]string{"--threads", "0"}, files...), "--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2"},
		{"repeat", append([]string{"--repeat", "0"}, files...), "--k, --threads, --build-threads, --repeat, --ef-construction must be positive and --m at least 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f Flags
			err := parse(&f, tt.args...)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr {
				t.Fatalf("err %v, want usage error %q", err, tt.wantErr)
			}
		})
	}
}

func TestFlags_Config(t *testing.T) {
	t.Parallel()
	var f Flags
	if err := parse(&f, "--base", "b", "--queries", "q", "--threads", "3", "--ef", "5, 7", "--metric", "l2", "--dir", "d"); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	// Zero --build-threads follows --threads; the rest are the defaults.
	if cfg.BuildThreads != 3 || cfg.Threads != 3 || len(cfg.EFs) != 2 || cfg.EFs[1] != 7 || cfg.Metric != ann.L2 ||
		cfg.K != 10 || cfg.M != ann.DefaultM || cfg.EFConstruction != ann.DefaultEFConstruction || cfg.Repeat != 3 || cfg.Seed != 1 || cfg.Dir != "d" {
		t.Fatalf("config %+v", cfg)
	}
}

func TestFlags_RunKExceedsBase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, queries := filepath.Join(dir, "b.fvecs"), filepath.Join(dir, "q.fvecs")
	if err := texmex.WriteFvecsFile(base, []float32{1, 0, 0, 1, 1, 1}, 2); err != nil {
		t.Fatal(err)
	}
	if err := texmex.WriteFvecsFile(queries, []float32{1, 0}, 2); err != nil {
		t.Fatal(err)
	}
	var f Flags
	if err := parse(&f, "--base", base, "--queries", queries, "--k", "4"); err != nil {
		t.Fatal(err)
	}
	_, err := f.Run(context.Background(), nil)
	if !errors.As(err, new(cliflag.UsageError)) || err.Error() != "--k 4 exceeds the 3 base vectors" {
		t.Fatalf("err %v, want the --k usage error", err)
	}
}

func TestGenFlags_Validate(t *testing.T) {
	t.Parallel()
	const positive = "--n, --dim, --clusters, --rank, --truth-k and --threads must be positive; --queries must not be negative"
	const huge = "--dim must be at most 65536 and (--n + --queries) x --dim at most 4294967296 floats (16 GiB)"
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--out", "d"}, ""},
		{[]string{"--out", "d", "--queries", "0"}, ""},
		{nil, "--out is required"},
		{[]string{"--out", "d", "--n", "0"}, positive},
		{[]string{"--out", "d", "--queries", "-1"}, positive},
		{[]string{"--out", "d", "--threads", "0"}, positive},
		{[]string{"--out", "d", "--n", "1000000000000", "--dim", "100000"}, huge},
		{[]string{"--out", "d", "--n", "100000000", "--dim", "384"}, huge},
		{[]string{"--out", "d", "--n", "9223372036854775807", "--dim", "2"}, huge},
		{[]string{"--out", "d", "--n", "10000000", "--dim", "384"}, ""},
		{[]string{"--out", "d", "--metric", "x"}, `ann: unknown metric "x" (want cosine, ip or l2)`},
	}
	for _, tt := range tests {
		var f GenFlags
		err := parse(&f, tt.args...)
		if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && (!errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr)) {
			t.Errorf("%v: err %v, want %q", tt.args, err, tt.wantErr)
		}
	}
	var f GenFlags
	if err := parse(&f, "--out", "d"); err != nil {
		t.Fatal(err)
	}
	cfg, _ := f.config()
	if cfg.N != 100000 || cfg.Dim != 384 || cfg.Queries != 1000 || !cfg.Normalize || cfg.TruthK != 100 ||
		cfg.Threads != runtime.GOMAXPROCS(0) || cfg.Metric != ann.Cosine {
		t.Fatalf("defaults %+v", cfg)
	}
}
