package s3sync

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

func TestPushFlags_Validate(t *testing.T) {
	t.Parallel()
	const required = "--dir and --to are required"
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"valid", []string{"--dir", "x", "--to", "s3://b/p"}, ""},
		{"valid at the bound", []string{"--dir", "x", "--to", "s3://b/p", "--concurrency", "64"}, ""},
		{"no flags", nil, required},
		{"no --to", []string{"--dir", "x"}, required},
		{"no --dir", []string{"--to", "s3://b/p"}, required},
		{"extra argument first", []string{"extra"}, `unexpected argument "extra"`},
		{"extra argument", []string{"--dir", "x", "--to", "s3://b/p", "extra"}, `unexpected argument "extra"`},
		{"zero concurrency", []string{"--dir", "x", "--to", "s3://b/p", "--concurrency", "0"}, "--concurrency 0: want 1 to 64"},
		{"concurrency 65", []string{"--dir", "x", "--to", "s3://b/p", "--concurrency", "65"}, "--concurrency 65: want 1 to 64"},
		{"huge concurrency", []string{"--dir", "x", "--to", "s3://b/p", "--concurrency", "100000000"}, "--concurrency 100000000: want 1 to 64"},
		{"zero attempts", []string{"--dir", "x", "--to", "s3://b/p", "--attempts", "0"}, "--attempts and --timeout must be positive"},
		{"zero timeout", []string{"--dir", "x", "--to", "s3://b/p", "--timeout", "0s"}, "--attempts and --timeout must be positive"},
		{"bad URI", []string{"--dir", "x", "--to", "b/p"}, "s3sync:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f PushFlags
			err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
			if tt.wantErr == "" {
				want := DefaultConcurrency
				if i := slices.Index(tt.args, "--concurrency"); i >= 0 {
					want, _ = strconv.Atoi(tt.args[i+1])
				}
				if err != nil || f.Concurrency != want || f.Attempts != DefaultMaxAttempts || f.Timeout != 30*time.Minute {
					t.Fatalf("%+v, %v", f, err)
				}
				return
			}
			if !errors.As(err, new(cliflag.UsageError)) || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want usage error %q", err, tt.wantErr)
			}
		})
	}
}

func TestHumanBytes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {5 << 20, "5.0 MiB"}, {3 << 30, "3.0 GiB"},
	} {
		if got := humanBytes(tt.n); got != tt.want {
			t.Errorf("humanBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// realStore writes a small native store that store.Open accepts.
func realStore(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	_, err := store.Write(context.Background(), dir, []docmodel.Chunk{{ID: "a", Text: "alpha"}, {ID: "b", Text: "beta"}},
		[]float32{1, 0, 0, 1}, store.WriteOptions{Version: "v3", Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "t", Dims: 2}, Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPushFlags_Run: the store is verified before the Syncer is built,
// the Syncer gets the flags' settings, and the push is reported.
func TestPushFlags_Run(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	dir := realStore(t)
	f := PushFlags{Dir: dir, To: "s3://" + srv.Bucket + "/p", Endpoint: "http://e", Region: "r", PathStyle: true,
		Concurrency: 2, Attempts: 1, Timeout: time.Minute}
	var got Config
	var stdout bytes.Buffer
	err := f.Run(context.Background(), &stdout, io.Discard, func(_ context.Context, c Config) (*Syncer, error) {
		got = c
		return newTestSyncer(t, srv, srv.Endpoint, "p", 1), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.URI != f.To || got.Endpoint != "http://e" || got.Region != "r" || !got.PathStyle || got.Concurrency != 2 || got.MaxAttempts != 1 || got.Logger == nil {
		t.Errorf("syncer config %+v", got)
	}
	for _, want := range []string{"verified  " + dir + ": version v3, 2 chunks, 2 dims, ", "pushed    " + dir + " -> s3://" + srv.Bucket + "/p/\n",
		"version   v3\n", " uploaded, 0 already there), ", "manifest  manifest.json uploaded last\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}

	called := false
	f.Dir = t.TempDir()
	err = f.Run(context.Background(), io.Discard, io.Discard, func(context.Context, Config) (*Syncer, error) { called = true; return nil, nil })
	if err == nil || !strings.Contains(err.Error(), "is not a native store") || called {
		t.Fatalf("empty folder: err %v, syncer built %v", err, called)
	}
}
