package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embcache"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/store"
)

func TestBuildFlags_Validate(t *testing.T) {
	t.Parallel()
	const positive = "--batch, --workers and --chunk-size must be positive"
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--in", "a", "--out", "b"}, ""},
		{[]string{"--in", "a", "--out", "b", "--overlap", "-1"}, ""},
		{nil, "--in and --out are required"},
		{[]string{"--out", "b"}, "--in and --out are required"},
		{[]string{"--in", "a", "--out", "b", "--batch", "0"}, positive},
		{[]string{"--in", "a", "--out", "b", "--workers", "-1"}, positive},
		{[]string{"--in", "a", "--out", "b", "--concurrency", "-1"}, positive},
		{[]string{"--in", "a", "--out", "b", "--concurrency", "64"}, ""},
		{[]string{"--in", "a", "--out", "b", "--concurrency", "100000000"}, "--concurrency 100000000: want 0 to 64"},
		{[]string{"--in", "a", "--dry-run"}, ""},
		{[]string{"--out", "b", "--dry-run"}, "--in and --out are required"},
		{[]string{"--in", "a", "--out", "b", "--chunk-size", "0"}, positive},
		{[]string{"--in", "a", "--out", "b", "--chunk-size", "32768"}, ""},
		{[]string{"--in", "a", "--out", "b", "--chunk-size", "32769"}, "--chunk-size 32769: want 1 to 32768"},
		{[]string{"--in", "a", "--out", "b", "--chunk-size", "10000000"}, "--chunk-size 10000000: want 1 to 32768"},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "1"}, ""},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "-1"}, "--hnsw-workers -1: want 0 to 1024"},
		{[]string{"--in", "a", "--out", "b", "--hnsw-workers", "1025"}, "--hnsw-workers 1025: want 0 to 1024"},
		// Refused before anything is embedded, not when the graph is built.
		{[]string{"--in", "a", "--out", "b", "--m", "16", "--ef-construction", "200"}, ""},
		{[]string{"--in", "a", "--out", "b", "--m", "1"}, "--m, --ef-construction: ann: HNSW M 1 out of range [2, 1024]"},
		{[]string{"--in", "a", "--out", "b", "--ef-construction", "-5"}, "--m, --ef-construction: ann: HNSW EFConstruction -5 out of range [1, 1048576]"},
		{[]string{"--in", "a", "--out", "b", "--version", strings.Repeat("v", store.MaxVersionBytes)}, ""},
		{[]string{"--in", "a", "--out", "b", "--version", strings.Repeat("v", 257)}, "--version: store: version is 257 bytes, more than 256"},
		{[]string{"--in", "a", "--out", "b", "--version", "v1\r\n"}, `--version: store: version "v1\r\n": byte 2 is not a printable character`},
	}
	for _, tt := range tests {
		var f BuildFlags
		err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), tt.args, &f)
		if (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && (!errors.As(err, new(cliflag.UsageError)) || err.Error() != tt.wantErr)) {
			t.Errorf("%v: err %v, want %q", tt.args, err, tt.wantErr)
		}
	}
}

func TestBuildFlags_Config(t *testing.T) {
	t.Parallel()
	var f BuildFlags
	if err := cliflag.ParseOptions(cliflag.NewFlagSet("t", "", io.Discard), []string{"--in", "a", "--out", "b", "--m", "8", "--hnsw-workers", "1", "--exact"}, &f); err != nil {
		t.Fatal(err)
	}
	errParser := errors.New("the caller's parser")
	f.PDF = func(context.Context, []byte) (chunk.Document, error) { return chunk.Document{}, errParser }
	var progress bytes.Buffer
	cfg := f.Config(&progress)
	if cfg.PDF == nil {
		t.Fatal("the PDF parser was not passed on")
	}
	if _, err := cfg.PDF(context.Background(), nil); !errors.Is(err, errParser) {
		t.Fatalf("PDF parser gave %v, want the caller's", err)
	}
	cfg.PDF = nil // DeepEqual finds funcs equal only when nil
	want := Config{Chunk: chunk.Options{Size: chunk.DefaultSize, Overlap: chunk.DefaultOverlap}, Batch: DefaultBatch,
		Workers: 0, HNSW: ann.HNSWConfig{M: 8, Workers: 1}, Exact: true, Progress: &progress}
	if !reflect.DeepEqual(cfg, want) || cfg.Progress != want.Progress {
		t.Fatalf("config %+v, want %+v", cfg, want)
	}
	f.Quiet = true
	if f.Config(&progress).Progress != nil {
		t.Fatal("--quiet kept the progress bar")
	}
}

func TestBuildFlags_Run(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "a.md"), []byte("# Refunds\n\nRefunds take 14 days."), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "store")
	f := BuildFlags{In: in, Out: out, Version: "v1", ChunkSize: 100, Batch: 1, Workers: 1, Exact: true, Quiet: true}
	asked := 0
	newEmb := func() (embed.Embedder, error) { asked++; return hashEmbedder(t), nil }
	var stdout, stderr bytes.Buffer
	if err := f.Run(context.Background(), newEmb, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if asked != 1 || !strings.HasPrefix(stdout.String(), "wrote "+out+": 1 documents, 1 chunks, hash/") ||
		!strings.Contains(stdout.String(), "version v1, in ") || stderr.Len() != 0 {
		t.Fatalf("asked %d times, stdout %q, stderr %q", asked, stdout.String(), stderr.String())
	}

	// Without --quiet, stderr (no terminal here) gets the phases and a
	// plain progress line, not silence until the end.
	f.Quiet = false
	stderr.Reset()
	if err := f.Run(context.Background(), newEmb, io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"loaded 1 documents (0 skipped): 1 chunks; embedding 1 texts", "\nembedding: 1/1 chunks", "\nwriting the store\n"} {
		if !strings.Contains(stderr.String(), want) || strings.Contains(stderr.String(), "\r") {
			t.Errorf("stderr %q: want %q and no redrawn bar", stderr.String(), want)
		}
	}
	f.Quiet = true

	wantErr := errors.New("no such embedder")
	if err := f.Run(context.Background(), func() (embed.Embedder, error) { return nil, wantErr }, io.Discard, io.Discard); !errors.Is(err, wantErr) {
		t.Fatalf("err %v, want the embedder's", err)
	}
	f.Batch, asked = 0, 0
	if err := f.Run(context.Background(), newEmb, io.Discard, io.Discard); !errors.As(err, new(cliflag.UsageError)) || asked != 0 {
		t.Fatalf("err %v, embedder asked %d times; want a usage error before any work", err, asked)
	}
}

// TestBuildFlags_DamagedCache: a damaged record in the cache costs that
// record only, a torn tail only its bytes, and a build whose embedder
// fails leaves the rest of the file in place; both are named on stderr
// (one flipped bit in record 2 of 200 once made a dry run find 1 chunk
// and a failing build cut the file to that one record, unannounced).
func TestBuildFlags_DamagedCache(t *testing.T) {
	t.Parallel()
	const header = 16 // embcache's header: magic and dims
	flipMiddle := func(b []byte, rec int) []byte { b[header+rec+rec/2] ^= 1; return b }
	tests := []struct {
		name     string
		damage   func(b []byte, rec int) []byte
		found    int      // of 3 chunks
		torn     int      // bytes a build cuts
		warnings []string // on stderr, dry run and build
	}{
		{"whole", func(b []byte, _ int) []byte { return b }, 3, 0, nil},
		{"bad record in the middle", flipMiddle, 2, 0, []string{"skipped 1 damaged records (left in the file, never used)"}},
		{"wrong length in the middle", func(b []byte, rec int) []byte { b[header+rec] ^= 4; return b }, 2, 0, []string{"skipped 1 damaged records"}},
		{"torn tail", func(b []byte, _ int) []byte { return append(b, "torn!"...) }, 3, 5, []string{"torn tail of 5 bytes"}},
		{"both", func(b []byte, rec int) []byte { return append(flipMiddle(b, rec), "torn!"...) }, 2, 5, []string{"skipped 1 damaged records", "torn tail of 5 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, cache := t.TempDir(), t.TempDir()
			for _, name := range []string{"a", "b", "c"} {
				if err := os.WriteFile(filepath.Join(in, name+".md"), []byte("# "+name+"\n\nText about "+name+"."), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f := BuildFlags{In: in, Out: filepath.Join(t.TempDir(), "store"), ChunkSize: 100, Batch: 1, Workers: 1, Exact: true, Quiet: true, Cache: cache}
			emb := hashEmbedder(t)
			run := func(f BuildFlags, emb embed.Embedder) (string, string, error) {
				var stdout, stderr bytes.Buffer
				err := f.Run(context.Background(), func() (embed.Embedder, error) { return emb, nil }, &stdout, &stderr)
				return stdout.String(), stderr.String(), err
			}
			if _, _, err := run(f, emb); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(embcache.Dir(cache, emb.Info()), embcache.FileName)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			whole := len(b)
			if err := os.WriteFile(path, tt.damage(b, (whole-header)/3), 0o644); err != nil {
				t.Fatal(err)
			}
			size := func() int {
				st, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				return int(st.Size())
			}
			checkWarned := func(what, stderr string) {
				t.Helper()
				if (len(tt.warnings) == 0) != !strings.Contains(stderr, "warning: cache "+embcache.Dir(cache, emb.Info())+": ") {
					t.Fatalf("%s: stderr %q, want warnings %q", what, stderr, tt.warnings)
				}
				for _, w := range tt.warnings {
					if !strings.Contains(stderr, w) {
						t.Fatalf("%s: stderr %q, want %q", what, stderr, w)
					}
				}
			}

			dry := f
			dry.DryRun = true
			stdout, stderr, err := run(dry, emb)
			if err != nil || !strings.Contains(stdout, fmt.Sprintf("cache: %d of 3 chunks found", tt.found)) || size() != whole+tt.torn {
				t.Fatalf("dry run: %v, file %d bytes, want %d\n%s", err, size(), whole+tt.torn, stdout)
			}
			checkWarned("dry run", stderr)
			if tt.torn > 0 && !strings.Contains(stderr, "(a build cuts it)") {
				t.Fatalf("dry run: stderr %q", stderr)
			}

			down := failing{Embedder: emb, calls: make(chan struct{})}
			_, stderr, err = run(f, down)
			if (err != nil) != (tt.found < 3) || size() != whole {
				t.Fatalf("build with the embedder down: %v, file %d bytes, want %d", err, size(), whole)
			}
			checkWarned("build with the embedder down", stderr)
			if tt.torn > 0 && !strings.Contains(stderr, "cut a torn tail") {
				t.Fatalf("build: stderr %q", stderr)
			}

			stdout, _, err = run(f, emb)
			if want := fmt.Sprintf("embedded %d texts in %d batches; cache: %d of 3 chunks found", 3-tt.found, 3-tt.found, tt.found); err != nil || !strings.Contains(stdout, want) {
				t.Fatalf("rebuild: %v, stdout %q, want %q", err, stdout, want)
			}
			// The damaged record stays in the file; the torn tail is gone.
			stdout, stderr, err = run(dry, emb)
			if err != nil || !strings.Contains(stdout, "cache: 3 of 3 chunks found") || strings.Contains(stderr, "torn") ||
				strings.Contains(stderr, "damaged") != (tt.found < 3) {
				t.Fatalf("dry run after the rebuild: %v\nstdout %q\nstderr %q", err, stdout, stderr)
			}
		})
	}
}

// TestBuildFlags_OneHNSWWorkerIsReproducible checks what --hnsw-workers 1
// promises: two builds of the same documents write the same graph file
// (with one goroutine per CPU the graph depends on which insert wins).
func TestBuildFlags_OneHNSWWorkerIsReproducible(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	for i := range 40 {
		text := fmt.Sprintf("# Topic %d\n\nParagraph %d about refunds, shipping and warranty number %d.", i, i, i*7)
		if err := os.WriteFile(filepath.Join(in, fmt.Sprintf("d%02d.md", i)), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	graph := func() []byte {
		out := filepath.Join(t.TempDir(), "store")
		f := BuildFlags{In: in, Out: out, Version: "v1", ChunkSize: 200, Batch: 4, Workers: 4, HNSWWorkers: 1, Quiet: true}
		if err := f.Run(context.Background(), func() (embed.Embedder, error) { return hashEmbedder(t), nil }, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, store.GraphFile))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if a, b := graph(), graph(); !bytes.Equal(a, b) {
		t.Fatalf("two builds with --hnsw-workers 1 wrote different graphs (%d and %d bytes)", len(a), len(b))
	}
}

// cancellingEmbedder cancels the build's context on its first call, as
// Ctrl-C during an embedding call does, and fails as a cancelled HTTP
// call would.
type cancellingEmbedder struct {
	embed.Embedder
	cancel context.CancelFunc
}

func (e cancellingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.cancel()
	<-ctx.Done()
	return nil, fmt.Errorf("openai: embeddings: %w", ctx.Err())
}

// TestBuildFlags_Interrupted: a build Ctrl-C stops says what was kept and
// how to resume, not which batch the cancellation cut short.
func TestBuildFlags_Interrupted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cache string
		early bool // stopped before the documents are loaded
		want  string
	}{
		{"with a cache", "", false, "interrupted; the finished batches are cached, run the same command again to resume"},
		{"without", CacheOff, false, "interrupted; --out is unchanged, and with no cache this build could add to, a rerun embeds everything again"},
		{"while loading", "", true, "interrupted before anything was embedded; --out is unchanged"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := t.TempDir()
			if err := os.WriteFile(filepath.Join(in, "a.md"), []byte("# A\n\nText."), 0o600); err != nil {
				t.Fatal(err)
			}
			cache := tc.cache
			if cache == "" {
				cache = t.TempDir()
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.early {
				cancel()
			}
			f := BuildFlags{In: in, Out: filepath.Join(t.TempDir(), "s"), ChunkSize: 100, Batch: 1, Exact: true, Quiet: true, Cache: cache}
			err := f.Run(ctx, func() (embed.Embedder, error) { return cancellingEmbedder{hashEmbedder(t), cancel}, nil }, io.Discard, io.Discard)
			if !errors.Is(err, ErrInterrupted) || err.Error() != tc.want {
				t.Fatalf("err %q, want %q", err, tc.want)
			}
		})
	}
}

// snapshotEmbedder records what Warnings held when it was first called.
type snapshotEmbedder struct {
	embed.Embedder
	warnings *bytes.Buffer
	once     sync.Once
	seen     string
}

func (e *snapshotEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.once.Do(func() { e.seen = e.warnings.String() })
	return e.Embedder.Embed(ctx, texts)
}

// TestBuild_CacheWarningBeforeEmbedding: what opening the cache found (a
// torn tail here) is said before the first embedding call, not after the
// build, so an operator can stop a long build and look.
func TestBuild_CacheWarningBeforeEmbedding(t *testing.T) {
	t.Parallel()
	in, cache := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "a.md"), "# A\n\nAlpha text.\n")
	out := filepath.Join(t.TempDir(), "store")
	emb := hashEmbedder(t)
	if _, err := Build(context.Background(), in, out, emb, Config{Exact: true, Cache: cache}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(embcache.Dir(cache, emb.Info()), embcache.FileName)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("torn!"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "b.md"), "# B\n\nBeta text, new.\n")
	var warnings bytes.Buffer
	snap := &snapshotEmbedder{Embedder: emb, warnings: &warnings}
	if _, err := Build(context.Background(), in, out, snap, Config{Exact: true, Cache: cache, Warnings: &warnings}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(snap.seen, "cut a torn tail of 5 bytes") {
		t.Errorf("warnings at the first embedding call %q, want the torn tail named", snap.seen)
	}
	if n := strings.Count(warnings.String(), "torn tail"); n != 1 {
		t.Errorf("the torn tail named %d times, want once:\n%s", n, warnings.String())
	}
}

// TestTruncNote: the summary says how much of a long chunk the model read,
// from the build's limits (Result.ModelReads).
func TestTruncNote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		res  Result
		want string
	}{
		{Result{Embedding: docmodel.EmbeddingModel{Provider: docmodel.ProviderMiniLM}, ModelReads: 256}, "the model reads their first 256 tokens"},
		{Result{Embedding: docmodel.EmbeddingModel{Provider: docmodel.ProviderUseLiteGlove}, ModelReads: 128}, "use-lite reads their first 128 tokens, GloVe up to 4096 words"},
		{Result{Embedding: docmodel.EmbeddingModel{Provider: docmodel.ProviderOpenAI}}, "embedded from their start; stored and keyword-indexed whole"},
	} {
		if got := truncNote(tc.res); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.res.Embedding.Provider, got, tc.want)
		}
	}
}
