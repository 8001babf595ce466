package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vendor0919/api/internal/chunk"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embcache"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/fsatomic"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

func hashEmbedder(t *testing.T) embed.Embedder {
	t.Helper()
	emb, err := embed.NewHash(embed.HashConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return emb
}

func TestEmbedAll_OrderAcrossWorkers(t *testing.T) {
	t.Parallel()
	emb := hashEmbedder(t)
	chunks := make([]docmodel.Chunk, 23)
	texts := make([]string, len(chunks))
	for i := range chunks {
		texts[i] = fmt.Sprintf("chunk number %d about topic %d", i, i%5)
		chunks[i] = docmodel.Chunk{ID: fmt.Sprint(i), Text: texts[i]}
	}
	want, err := emb.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var done atomic.Int64
	got, err := EmbedAll(context.Background(), emb, chunks, 4, 3, func(n int) { done.Add(int64(n)) })
	if err != nil {
		t.Fatal(err)
	}
	dims := emb.Info().Dims
	for i := range chunks {
		if !slices.Equal(got[i*dims:(i+1)*dims], want[i]) {
			t.Fatalf("row %d differs from embedding chunk %d alone", i, i)
		}
	}
	if done.Load() != int64(len(chunks)) {
		t.Fatalf("done reported %d chunks, want %d", done.Load(), len(chunks))
	}
}

// failing fails every call after the first.
type failing struct {
	embed.Embedder
	calls chan struct{}
}

func (f failing) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	select {
	case f.calls <- struct{}{}:
		return f.Embedder.Embed(ctx, texts)
	default:
		return nil, errors.New("boom")
	}
}

func TestEmbedAll_FirstErrorWins(t *testing.T) {
	t.Parallel()
	emb := failing{Embedder: hashEmbedder(t), calls: make(chan struct{}, 1)}
	chunks := make([]docmodel.Chunk, 10)
	for i := range chunks {
		chunks[i] = docmodel.Chunk{ID: fmt.Sprint(i), Text: "text"}
	}
	_, err := EmbedAll(context.Background(), emb, chunks, 2, 2, nil)
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.HasPrefix(err.Error(), "embed chunks ") {
		t.Fatalf("err = %v, want the embedder's error naming the chunks", err)
	}
}

func TestBuild_WritesStore(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	for name, body := range map[string]string{"a.md": "# A\nAlpha text.\n", "b.txt": "Beta text."} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "store")
	var progress bytes.Buffer
	res, err := Build(context.Background(), in, out, hashEmbedder(t), Config{Version: "v1", Exact: true, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 2 || res.Manifest.Count != 2 || res.Manifest.Version != "v1" || res.Manifest.Metric != "cosine" {
		t.Fatalf("result %+v, manifest %+v", res, res.Manifest)
	}
	if !strings.Contains(progress.String(), "embedding [") || !strings.Contains(progress.String(), "2/2") {
		t.Errorf("progress %q", progress.String())
	}
	if _, err := store.Open(context.Background(), out, store.OpenOptions{Embedding: res.Manifest.Embedding}); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), t.TempDir(), out, hashEmbedder(t), Config{}); err == nil || !strings.Contains(err.Error(), "no text found") {
		t.Fatalf("empty folder: err = %v", err)
	}
}

// TestBuild_RefusesAnOutItWouldDestroy: the store replaces --out whole,
// so an --out that is the input folder, holds it, is a file or holds
// other files is refused before anything is embedded, and nothing there
// changes; a store folder from an earlier build is replaced.
func TestBuild_RefusesAnOutItWouldDestroy(t *testing.T) {
	t.Parallel()
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		layout  func(root string) (in, out string)
		refused bool
	}{
		{"out is the input", func(r string) (string, string) { return r + "/docs", r + "/docs" }, true},
		{"out holds the input", func(r string) (string, string) {
			write(r+"/site/"+store.ManifestFile, "{}") // even one that looks like a store
			return r + "/site/docs", r + "/site"
		}, true},
		{"out is a file", func(r string) (string, string) {
			write(r+"/notes.txt", "precious")
			return r + "/docs", r + "/notes.txt"
		}, true},
		{"out holds other files", func(r string) (string, string) {
			write(r+"/home/report.docx", "precious")
			return r + "/docs", r + "/home"
		}, true},
		{"out is missing", func(r string) (string, string) { return r + "/docs", r + "/new/store" }, false},
		{"out is an earlier store", func(r string) (string, string) {
			write(r+"/store/"+store.ManifestFile, "{}")
			write(r+"/store/vectors.f32", "old")
			return r + "/docs", r + "/store"
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			in, out := tc.layout(root)
			write(in+"/a.md", "# A\nAlpha text.\n")
			before := treeOf(t, root)
			emb := &countingEmbedder{Embedder: hashEmbedder(t)}
			_, err := Build(context.Background(), in, out, emb, Config{Exact: true})
			if !tc.refused {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("built")
			}
			if emb.calls.Load() != 0 {
				t.Errorf("embedded %d times before refusing", emb.calls.Load())
			}
			if after := treeOf(t, root); !maps.Equal(before, after) {
				t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// countingEmbedder counts Embed calls.
type countingEmbedder struct {
	embed.Embedder
	calls atomic.Int32
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	return c.Embedder.Embed(ctx, texts)
}

// treeOf maps every file under root to its content.
func treeOf(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		m[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBuild_SkipsDocumentWithoutText: a page that parses but leaves no
// text (here an HTML page, not declared XHTML, whose self-closed
// <iframe/> swallows the rest, as a browser would too) is skipped by
// path, not counted as a document.
func TestBuild_SkipsDocumentWithoutText(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	for name, body := range map[string]string{
		"a.md":     "# A\nAlpha text.\n",
		"nav.html": `<html><head><title>N</title></head><body><nav><a href="x.html">X</a></nav><iframe src="s.html"/><main><p>Hidden by the frame.</p></main></body></html>`,
	} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Build(context.Background(), in, filepath.Join(t.TempDir(), "store"), hashEmbedder(t), Config{Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Documents != 1 || res.Chunks != 1 || len(res.Skipped) != 1 || res.Skipped[0].Path != "nav.html" || !errors.Is(res.Skipped[0].Err, ErrNoText) {
		t.Fatalf("documents %d, chunks %d, skipped %+v", res.Documents, res.Chunks, res.Skipped)
	}
}

// TestBuild_PDFParser: PDFs go to Config.PDF with the build's context;
// a file it fails is skipped by path with its error and the rest is
// built.
func TestBuild_PDFParser(t *testing.T) {
	t.Parallel()
	errLimit := errors.New("pdf: parser exceeded its memory limit (2.0 GiB)")
	tests := []struct {
		name     string
		parse    chunk.PDFParser
		wantDocs int
		wantSkip string
	}{
		{"parsed", func(ctx context.Context, b []byte) (chunk.Document, error) {
			if ctx.Value(buildKey{}) == nil {
				return chunk.Document{}, errors.New("not the build's context")
			}
			return chunk.Document{Sections: []chunk.Section{{Text: "Page text of " + string(b), Page: 1}}}, nil
		}, 2, ""},
		{"failed", func(context.Context, []byte) (chunk.Document, error) { return chunk.Document{}, errLimit }, 1, "b.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := t.TempDir()
			for name, body := range map[string]string{"a.md": "# A\nAlpha text.\n", "b.pdf": "%PDF-1.4"} {
				if err := os.WriteFile(filepath.Join(in, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx := context.WithValue(context.Background(), buildKey{}, true)
			res, err := Build(ctx, in, filepath.Join(t.TempDir(), "store"), hashEmbedder(t), Config{Exact: true, PDF: tt.parse})
			if err != nil {
				t.Fatal(err)
			}
			var skipped []string
			for _, s := range res.Skipped {
				skipped = append(skipped, s.Path)
				if !errors.Is(s.Err, errLimit) {
					t.Errorf("%s skipped for %v, want the parser's error", s.Path, s.Err)
				}
			}
			if res.Documents != tt.wantDocs || strings.Join(skipped, " ") != tt.wantSkip {
				t.Fatalf("documents %d, skipped %q; want %d, %q", res.Documents, skipped, tt.wantDocs, tt.wantSkip)
			}
		})
	}
}

type buildKey struct{}

// recording keeps every text it is asked to embed.
type recording struct {
	embed.Embedder
	mu    sync.Mutex
	texts []string
}

func (r *recording) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	r.mu.Lock()
	r.texts = append(r.texts, texts...)
	r.mu.Unlock()
	return r.Embedder.Embed(ctx, texts)
}

func TestBuild_EmbedsHeadingPath(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "g.md"), []byte("# Guide\n## Install\nRun the installer.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	emb := &recording{Embedder: hashEmbedder(t)}
	out := filepath.Join(t.TempDir(), "store")
	if _, err := Build(context.Background(), in, out, emb, Config{Exact: true}); err != nil {
		t.Fatal(err)
	}
	if want := "Guide > Install\n\nRun the installer."; len(emb.texts) != 1 || emb.texts[0] != want {
		t.Fatalf("embedded %q, want [%q]", emb.texts, want)
	}
	st, err := store.Open(context.Background(), out, store.OpenOptions{Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	if c := st.Chunk(0); c.Text != "Run the installer." || c.Metadata["url"] != "g.md#install" || c.IndexText() != emb.texts[0] {
		t.Errorf("stored chunk %+v, index text %q", c, c.IndexText())
	}
}

// renamed is the Standard analyzer under another version, as a server
// configured with another analyzer would have.
type renamed struct{ keyword.Analyzer }

func (renamed) Version() string { return "renamed/1" }

// chooser is a keyword.Chooser that picks an and records what it was
// shown.
type chooser struct {
	an    keyword.Analyzer
	texts []string
}

func (c *chooser) Choose(n int, text func(int) string) (keyword.Analyzer, error) {
	for i := range n {
		c.texts = append(c.texts, text(i))
	}
	return c.an, nil
}

func TestBuild_PersistsTheChosenKeywordAnalyzer(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "g.md"), []byte("# Guide\n## Install\nRun the installer.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "store")
	ch := &chooser{an: renamed{keyword.Standard}}
	res, err := Build(context.Background(), in, out, hashEmbedder(t), Config{Exact: true, KeywordAnalyzers: ch})
	if err != nil {
		t.Fatal(err)
	}
	if res.KeywordAnalyzer != "renamed/1" {
		t.Errorf("Result.KeywordAnalyzer = %q, want renamed/1", res.KeywordAnalyzer)
	}
	st, err := store.Open(context.Background(), out, store.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, loaded := st.KeywordIndex(ch.an); !loaded {
		t.Error("the index of the chosen analyzer was not persisted")
	}
	if _, loaded := st.KeywordIndex(keyword.Standard); loaded {
		t.Error("an index of another analyzer version was loaded")
	}
	// The chooser saw what the server's will see: every chunk's keyword
	// text, in store order.
	var want []string
	for i := range st.ChunkCount() {
		want = append(want, st.Chunk(i).KeywordText())
	}
	if !slices.Equal(ch.texts, want) {
		t.Errorf("chooser saw %q, want the stored chunks' keyword texts %q", ch.texts, want)
	}
}

func TestConcurrency_Defaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		n        int
		provider string
		want     int
	}{
		{"in-process model: one call, which spreads over the CPUs itself", 0, docmodel.ProviderMiniLM, 1},
		{"hash", 0, docmodel.ProviderHash, 1},
		{"use-lite-glove", 0, docmodel.ProviderUseLiteGlove, 1},
		{"remote model", 0, docmodel.ProviderOpenAI, DefaultConcurrency},
		{"set by the flag", 3, docmodel.ProviderMiniLM, 3},
		{"set by the flag, remote", 7, docmodel.ProviderBedrock, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := concurrency(tc.n, docmodel.EmbeddingModel{Provider: tc.provider, Dims: 4}); got != tc.want {
				t.Errorf("concurrency(%d, %s) = %d, want %d", tc.n, tc.provider, got, tc.want)
			}
		})
	}
}

// renamedEmbedder reports model as its model name.
type renamedEmbedder struct {
	*countingEmbedder
	model string
}

func (r renamedEmbedder) Info() docmodel.EmbeddingModel {
	info := r.countingEmbedder.Info()
	info.Model = r.model
	return info
}

// TestBuild_RefusesUnreadableLabels: a model name or version the store's
// reader would refuse stops the build before anything is embedded, not
// after, and never becomes a store that does not open.
func TestBuild_RefusesUnreadableLabels(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	if err := os.WriteFile(filepath.Join(in, "a.md"), []byte("# Refunds\n\nRefunds take 14 days."), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, model, version string
	}{
		{"model of 257 bytes", strings.Repeat("m", store.MaxModelNameBytes+1), "v1"},
		{"version of 257 bytes", "m", strings.Repeat("v", store.MaxVersionBytes+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emb := renamedEmbedder{&countingEmbedder{Embedder: hashEmbedder(t)}, tt.model}
			out := filepath.Join(t.TempDir(), "store")
			_, err := Build(context.Background(), in, out, emb, Config{Version: tt.version, Exact: true})
			if err == nil || emb.calls.Load() != 0 {
				t.Fatalf("Build: %v after %d embedding calls; want an error before any", err, emb.calls.Load())
			}
			if _, serr := os.Stat(out); !os.IsNotExist(serr) {
				t.Errorf("Build left %s: %v", out, serr)
			}
		})
	}
}

// TestBuild_CacheHeldByAnotherBuild: a build whose cache another build
// holds reads it (its vectors are reused) and adds nothing to it, and
// says so, instead of cutting the other build's record in progress.
func TestBuild_CacheHeldByAnotherBuild(t *testing.T) {
	t.Parallel()
	in, cacheRoot := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "a.md"), "# A\nAlpha text.\n")
	emb := hashEmbedder(t)
	if _, err := Build(context.Background(), in, filepath.Join(t.TempDir(), "s1"), emb, Config{Exact: true, Cache: cacheRoot}); err != nil {
		t.Fatal(err)
	}
	dir := embcache.Dir(cacheRoot, emb.Info())
	held, err := embcache.Open(dir, emb.Info().Dims)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	before := held.Len()
	writeFile(t, filepath.Join(in, "b.md"), "# B\nBeta text.\n")
	res, err := Build(context.Background(), in, filepath.Join(t.TempDir(), "s2"), emb, Config{Exact: true, Cache: cacheRoot})
	if err != nil {
		t.Fatal(err)
	}
	if !res.CacheBusy || res.Cached != before || res.Chunks != before+1 {
		t.Errorf("busy %v, cached %d of %d; want busy, %d cached", res.CacheBusy, res.Cached, res.Chunks, before)
	}
	if w := cacheWarning(res, false); !strings.Contains(w, "in use by another build") {
		t.Errorf("warning %q", w)
	}
	ro, err := embcache.OpenReadOnly(dir, emb.Info().Dims)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.Len() != before {
		t.Errorf("the cache holds %d records after the build, want the %d it had", ro.Len(), before)
	}
}

// TestBuild_RefusesAnOutItCannotWrite: an --out where no folder can be
// made (a virtual file system; a read-only one) fails before anything is
// embedded, not once every chunk has been (a review: --out /proc/foo).
func TestBuild_RefusesAnOutItCannotWrite(t *testing.T) {
	t.Parallel()
	in := t.TempDir()
	writeFile(t, filepath.Join(in, "a.md"), "# A\nAlpha text.\n")
	emb := &countingEmbedder{Embedder: hashEmbedder(t)}
	_, err := Build(context.Background(), in, "/proc/vendor0919-out", emb, Config{Exact: true})
	if err == nil || !strings.Contains(err.Error(), "cannot be written there") {
		t.Fatalf("err %v, want one saying the store cannot be written there", err)
	}
	if n := emb.calls.Load(); n != 0 {
		t.Errorf("%d embedding calls before the refusal, want none", n)
	}
}

// TestBuild_CacheBadHeaderSetAside: a cache file whose header was
// overwritten does not fail the build: it is set aside (kept), the
// warning names it, and the build embeds everything into a fresh cache.
func TestBuild_CacheBadHeaderSetAside(t *testing.T) {
	t.Parallel()
	in, cacheRoot := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(in, "a.md"), "# A\nAlpha text.\n")
	emb := hashEmbedder(t)
	if _, err := Build(context.Background(), in, filepath.Join(t.TempDir(), "s1"), emb, Config{Exact: true, Cache: cacheRoot}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(embcache.Dir(cacheRoot, emb.Info()), embcache.FileName)
	f, err := os.OpenFile(file, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("XXXX"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, dry := range []bool{true, false} {
		res, err := Build(context.Background(), in, filepath.Join(t.TempDir(), "s2"), emb, Config{Exact: true, Cache: cacheRoot, DryRun: dry})
		if err != nil {
			t.Fatalf("dry %v: %v", dry, err)
		}
		w := cacheWarning(res, dry)
		if !errors.Is(res.CacheBadHeader, embcache.ErrBadHeader) || !strings.Contains(w, file) || res.Cached != 0 {
			t.Errorf("dry %v: warning %q, cached %d; want the file named and nothing cached", dry, w, res.Cached)
		}
		if dry != (res.CacheSetAside == "") {
			t.Errorf("dry %v: set aside as %q", dry, res.CacheSetAside)
		}
		if !dry {
			if _, err := os.Stat(res.CacheSetAside); err != nil || !strings.Contains(w, filepath.Base(res.CacheSetAside)) || filepath.Dir(res.CacheSetAside) != res.CacheDir {
				t.Errorf("the damaged file is not kept where the warning %q says: %v", w, err)
			}
		}
	}
	// The fresh cache serves the next build.
	res, err := Build(context.Background(), in, filepath.Join(t.TempDir(), "s3"), emb, Config{Exact: true, Cache: cacheRoot})
	if err != nil || res.Cached != res.Chunks || res.CacheBadHeader != nil {
		t.Fatalf("next build: %v, %d of %d cached, header %v", err, res.Cached, res.Chunks, res.CacheBadHeader)
	}
}

// TestBuild_OutHeldByAnotherBuild: a build into a store folder another
// build is writing stops before it embeds anything, and builds once that
// one is done.
func TestBuild_OutHeldByAnotherBuild(t *testing.T) {
	t.Parallel()
	if !fsatomic.CanLock {
		t.Skip("no advisory locks on this platform")
	}
	in := t.TempDir()
	writeFile(t, filepath.Join(in, "a.md"), "# A\nAlpha text.\n")
	out := filepath.Join(t.TempDir(), "store")
	held, err := store.LockOut(out)
	if err != nil {
		t.Fatal(err)
	}
	emb := &countingEmbedder{Embedder: hashEmbedder(t)}
	_, err = Build(context.Background(), in, out, emb, Config{Exact: true})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("err %v, want store.ErrLocked", err)
	}
	// The command prefixes "vectorstore build: "; the error adds no
	// second "build: " of its own.
	if !strings.HasPrefix(err.Error(), "store: another process is writing") {
		t.Errorf("err %q, want it to open with the store's own words", err)
	}
	if n := emb.calls.Load(); n != 0 {
		t.Errorf("%d embedding calls while the store was held, want none", n)
	}
	if err := held.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(context.Background(), in, out, emb, Config{Exact: true}); err != nil {
		t.Fatalf("after the other build: %v", err)
	}
}
