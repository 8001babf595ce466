package s3sync

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

// tlog adapts t.Log to an io.Writer for slog.
type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// newTestSyncer returns a Syncer for s3://srv.Bucket/prefix reached through
// endpoint (srv.Endpoint, a proxy, or a dead port) with fast retries.
func newTestSyncer(t *testing.T, srv *s3test.Server, endpoint, prefix string, attempts int) *Syncer {
	t.Helper()
	s, err := New(context.Background(), Config{
		URI:         "s3://" + srv.Bucket + "/" + prefix,
		Client:      s3test.NewClient(endpoint, srv.AccessKey, srv.SecretKey),
		MaxAttempts: attempts,
		RetryBase:   10 * time.Millisecond,
		RetryMax:    50 * time.Millisecond,
		Concurrency: 3,
		Logger:      slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// nativeManifest builds a valid manifest for files (name -> content).
func nativeManifest(t *testing.T, version string, files map[string]string) []byte {
	t.Helper()
	dir := t.TempDir()
	m := store.Manifest{
		Format:        store.FormatName,
		FormatVersion: store.FormatVersion,
		Version:       version,
		CreatedAt:     time.Date(2026, 9, 27, 12, 0, 0, 0, time.UTC),
		Embedding:     docmodel.EmbeddingModel{Provider: "hash", Model: "test", Dims: 4},
		Metric:        "cosine",
		Count:         len(files),
		Files:         map[string]store.FileInfo{},
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		fi, err := store.HashFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m.Files[name] = fi
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeNative writes a native store folder and returns its path.
func writeNative(t *testing.T, version string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, store.ManifestFile), nativeManifest(t, version, files), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// seedNative uploads a native store under prefix with plain PUTs (data
// first, manifest last), independent of Push.
func seedNative(t *testing.T, srv *s3test.Server, prefix, version string, files map[string]string) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(files)) {
		srv.Put(t, prefix+"/"+name, []byte(files[name]))
	}
	srv.Put(t, prefix+"/"+store.ManifestFile, nativeManifest(t, version, files))
}

// readTree returns the regular files in dir (state file excluded).
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.Name() == StateFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// withManifest returns files plus the manifest's content, for comparing a
// synced folder.
func withManifest(t *testing.T, version string, files map[string]string) map[string]string {
	out := maps.Clone(files)
	out[store.ManifestFile] = string(nativeManifest(t, version, files))
	return out
}

// assertOnly fails unless parent holds exactly the named entries: no
// staging folders or moved-aside copies left behind.
func assertOnly(t *testing.T, parent string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Fatalf("%s holds %v, want exactly %v", parent, got, names)
	}
}

// proxy is a reverse proxy in front of versitygw that records requests and
// lets a test act before a request is forwarded (before) or change the
// response (after). The Host header is kept, so SigV4 signatures stay valid.
type proxy struct {
	URL    string
	mu     sync.Mutex
	log    []string                           // "METHOD /bucket/key"
	before func(r *http.Request) (status int) // non-zero: answer with this status instead
	after  func(r *http.Request, resp *http.Response)
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{}
	rp := &httputil.ReverseProxy{
		ErrorLog: log.New(io.Discard, "", 0), // cancelled requests are expected in fault tests
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			p.mu.Lock()
			after := p.after
			p.mu.Unlock()
			if after != nil {
				after(resp.Request, resp)
			}
			return nil
		},
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.log = append(p.log, r.Method+" "+r.URL.Path)
		before := p.before
		p.mu.Unlock()
		if before != nil {
			if status := before(r); status != 0 {
				http.Error(w, "injected failure", status)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	p.URL = hs.URL
	return p
}

// requests returns the recorded requests so far, filtered by method ("" =
// all), and clears the record.
func (p *proxy) requests(method string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, r := range p.log {
		if method == "" || strings.HasPrefix(r, method+" ") {
			out = append(out, r)
		}
	}
	p.log = nil
	return out
}

func (p *proxy) set(before func(*http.Request) int, after func(*http.Request, *http.Response)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.before, p.after = before, after
}

// writeFiles writes files (slash-separated names, folders made as needed)
// under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// treeOf maps every file, folder and symbolic link under dir (by path
// relative to it) to its content, "dir", or "-> target".
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			out[rel] = "-> " + target
			return err
		case d.IsDir():
			out[rel] = "dir"
		default:
			b, err := os.ReadFile(p)
			out[rel] = string(b)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
