package s3sync

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

var v1Files = map[string]string{
	"vectors.f32":  strings.Repeat("v", 4096),
	"chunks.jsonl": `{"id":1,"text":"こんにちは"}` + "\n",
	"graph.hnsw":   strings.Repeat("g", 1000),
}

func TestSync_FirstThenUnchangedThenChanged(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)
	px := newProxy(t, srv.Endpoint)
	s := newTestSyncer(t, srv, px.URL, "vs/prod", 1)
	parent := t.TempDir()
	dst := filepath.Join(parent, "vectorstore")

	// First sync downloads everything.
	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatNative || res.Version != "v1" || !res.Changed || res.Files != 3 || res.Downloaded != 3 || res.Skipped != 0 {
		t.Fatalf("first sync result = %+v", res)
	}
	if want := int64(len(v1Files["vectors.f32"]) + len(v1Files["chunks.jsonl"]) + len(v1Files["graph.hnsw"])); res.Bytes != want {
		t.Fatalf("Bytes = %d, want %d", res.Bytes, want)
	}
	if got, want := readTree(t, dst), withManifest(t, "v1", v1Files); !maps.Equal(got, want) {
		t.Fatalf("synced folder = %v, want %v", got, want)
	}
	assertOnly(t, parent, "vectorstore")
	px.requests("")

	// Second sync: nothing downloaded but the manifest, folder untouched.
	before, _ := os.Stat(dst)
	res, err = s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || res.Downloaded != 0 || res.Skipped != 3 || res.Version != "v1" {
		t.Fatalf("second sync result = %+v", res)
	}
	gets := px.requests(http.MethodGet)
	var dataGets int
	for _, g := range gets {
		if strings.Contains(g, "/vs/prod/") && !strings.HasSuffix(g, "/"+store.ManifestFile) {
			dataGets++
		}
	}
	if dataGets != 0 {
		t.Fatalf("second sync fetched data files: %v", gets)
	}
	after, _ := os.Stat(dst)
	if !os.SameFile(before, after) {
		t.Fatal("unchanged sync replaced the folder")
	}
	assertOnly(t, parent, "vectorstore")

	// One file changes: only it is downloaded.
	v2 := maps.Clone(v1Files)
	v2["chunks.jsonl"] = `{"id":1,"text":"changed"}` + "\n"
	seedNative(t, srv, "vs/prod", "v2", v2)
	res, err = s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || res.Version != "v2" || res.Downloaded != 1 || res.Skipped != 2 {
		t.Fatalf("third sync result = %+v", res)
	}
	if got, want := readTree(t, dst), withManifest(t, "v2", v2); !maps.Equal(got, want) {
		t.Fatalf("synced folder = %v, want %v", got, want)
	}
	assertOnly(t, parent, "vectorstore")
}

func TestSync_FAISSFolder(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	files := map[string]string{"index.faiss": "IxF2" + strings.Repeat("\x00", 300), "index.pkl": "\x80\x04pickle"}
	srv.Put(t, "faiss/index.faiss", []byte(files["index.faiss"]))
	srv.Put(t, "faiss/index.pkl", []byte(files["index.pkl"]))
	srv.Put(t, "faiss/notes.txt", []byte("ignored"))
	srv.Put(t, "faiss/sub/deeper.bin", []byte("ignored"))
	s := newTestSyncer(t, srv, srv.Endpoint, "faiss", 1)
	dst := filepath.Join(t.TempDir(), "vs")

	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatFAISS || res.Downloaded != 2 || !strings.HasPrefix(res.Version, "etag-") {
		t.Fatalf("result = %+v", res)
	}
	if got := readTree(t, dst); !maps.Equal(got, files) {
		t.Fatalf("folder = %v, want %v", got, files)
	}
	res2, err := s.Sync(context.Background(), dst)
	if err != nil || res2.Changed || res2.Skipped != 2 || res2.Version != res.Version {
		t.Fatalf("second sync = %+v, %v", res2, err)
	}

	// The FAISS folder is verified offline from the state file.
	srv.Stop()
	res3, err := s.Sync(context.Background(), dst)
	if !errors.Is(err, ErrUnreachable) || !res3.UsedLocal || res3.Version != res.Version || res3.Format != FormatFAISS {
		t.Fatalf("sync with server down = %+v, %v", res3, err)
	}
	// Damage the local copy: it no longer counts as a verified copy.
	if err := os.WriteFile(filepath.Join(dst, "index.pkl"), []byte("\x80\x04pickle!"), 0o644); err != nil {
		t.Fatal(err)
	}
	res4, err := s.Sync(context.Background(), dst)
	if !errors.Is(err, ErrUnreachable) || res4.UsedLocal {
		t.Fatalf("sync with damaged local copy = %+v, %v", res4, err)
	}
}

func TestSync_Unreachable(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	// hang answers nothing until the client gives up, like a blackholed
	// network path (no VPC endpoint or NAT).
	hang := newProxy(t, srv.Endpoint)
	hang.set(func(r *http.Request) int {
		<-r.Context().Done()
		return http.StatusBadGateway
	}, nil)
	tests := []struct {
		name      string
		localCopy bool
		hang      bool
	}{
		{"refused, with verified local copy", true, false},
		{"refused, without local copy", false, false},
		{"hanging until the start-up deadline, with local copy", true, true},
		{"hanging until the start-up deadline, without local copy", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parent := t.TempDir()
			dst := filepath.Join(parent, "vs")
			if tt.localCopy {
				if _, err := newTestSyncer(t, srv, srv.Endpoint, "p", 1).Sync(context.Background(), dst); err != nil {
					t.Fatal(err)
				}
			}
			endpoint := "http://" + s3test.FreePort(t)
			ctx := context.Background()
			if tt.hang {
				endpoint = hang.URL
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
				defer cancel()
			}
			s := newTestSyncer(t, srv, endpoint, "p", 3)
			res, err := s.Sync(ctx, dst)
			if !errors.Is(err, ErrUnreachable) {
				t.Fatalf("err = %v, want ErrUnreachable", err)
			}
			if tt.hang {
				if !errors.Is(err, context.DeadlineExceeded) || res.Attempts != 1 {
					t.Fatalf("err = %v after %d attempts, want the deadline on the first", err, res.Attempts)
				}
			} else if res.Attempts != 3 {
				t.Fatalf("Attempts = %d, want 3 (retried)", res.Attempts)
			}
			if res.UsedLocal != tt.localCopy {
				t.Fatalf("UsedLocal = %v, want %v", res.UsedLocal, tt.localCopy)
			}
			if tt.localCopy {
				if res.Version != "v1" || res.Format != FormatNative {
					t.Fatalf("local copy reported as %+v", res)
				}
				if got, want := readTree(t, dst), withManifest(t, "v1", v1Files); !maps.Equal(got, want) {
					t.Fatal("local copy changed")
				}
				assertOnly(t, parent, "vs")
			} else {
				assertOnly(t, parent)
			}
		})
	}
}

// syncedV1 starts a server with v1 under prefix "p", syncs it into a fresh
// folder, and returns the pieces a fault test needs.
func syncedV1(t *testing.T) (srv *s3test.Server, px *proxy, parent, dst string) {
	t.Helper()
	srv = s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	px = newProxy(t, srv.Endpoint)
	parent = t.TempDir()
	dst = filepath.Join(parent, "vs")
	if _, err := newTestSyncer(t, srv, srv.Endpoint, "p", 1).Sync(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	return srv, px, parent, dst
}

// assertV1Kept fails unless dst still holds v1 and nothing else is left in
// parent.
func assertV1Kept(t *testing.T, parent, dst string) {
	t.Helper()
	if got, want := readTree(t, dst), withManifest(t, "v1", v1Files); !maps.Equal(got, want) {
		t.Fatalf("old copy not kept: %v", got)
	}
	assertOnly(t, parent, filepath.Base(dst))
}

func TestSync_FaultsKeepOldCopy(t *testing.T) {
	t.Parallel()
	v2 := maps.Clone(v1Files)
	v2["vectors.f32"] = strings.Repeat("w", 5000)
	v2["graph.hnsw"] = strings.Repeat("h", 1200)
	tests := []struct {
		name    string
		setup   func(t *testing.T, srv *s3test.Server, px *proxy)
		wantErr error
		stable  bool // a published store that does not match its manifest: not retried
	}{
		{
			name: "object deleted mid-sync",
			setup: func(t *testing.T, srv *s3test.Server, px *proxy) {
				seedNative(t, srv, "p", "v2", v2)
				var once atomic.Bool
				px.set(func(r *http.Request) int {
					if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/graph.hnsw") && once.CompareAndSwap(false, true) {
						srv.Delete(t, "p/graph.hnsw")
					}
					return 0
				}, nil)
			},
			wantErr: ErrVerify, // first attempt: ErrChanged (404); retry: manifest lists a missing file
		},
		{
			name: "corrupted object on S3 (sha256 mismatch)",
			setup: func(t *testing.T, srv *s3test.Server, px *proxy) {
				seedNative(t, srv, "p", "v2", v2)
				srv.Put(t, "p/graph.hnsw", []byte(strings.Repeat("X", 1200))) // same size, wrong bytes
			},
			wantErr: ErrVerify,
			stable:  true,
		},
		{
			name: "object damaged on the server's disk (stale ETag)",
			setup: func(t *testing.T, srv *s3test.Server, px *proxy) {
				seedNative(t, srv, "p", "v2", v2)
				if err := os.WriteFile(srv.ObjectPath("p/vectors.f32"), []byte(strings.Repeat("y", 5000)), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: ErrVerify,
			stable:  true,
		},
		{
			name: "truncated download",
			setup: func(t *testing.T, srv *s3test.Server, px *proxy) {
				seedNative(t, srv, "p", "v2", v2)
				px.set(nil, func(r *http.Request, resp *http.Response) {
					if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/vectors.f32") && resp.StatusCode/100 == 2 {
						resp.Body = struct {
							io.Reader
							io.Closer
						}{io.LimitReader(resp.Body, 100), resp.Body}
					}
				})
			},
			wantErr: ErrVerify,
		},
		{
			name: "server errors on every data GET",
			setup: func(t *testing.T, srv *s3test.Server, px *proxy) {
				seedNative(t, srv, "p", "v2", v2)
				px.set(func(r *http.Request) int {
					if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/vectors.f32") {
						return http.StatusServiceUnavailable
					}
					return 0
				}, nil)
			},
			wantErr: ErrUnreachable,
		},
		{
			name: "manifest refers to a missing file",
			setup: func(t *testing.T, srv *s3test.Server, px *proxy) {
				seedNative(t, srv, "p", "v2", v2)
				srv.Delete(t, "p/chunks.jsonl")
			},
			wantErr: ErrVerify,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, px, parent, dst := syncedV1(t)
			tt.setup(t, srv, px)
			s := newTestSyncer(t, srv, px.URL, "p", 2)
			res, err := s.Sync(context.Background(), dst)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			t.Logf("sync error (as expected): %v", err)
			if tt.stable && res.Attempts != 1 {
				t.Errorf("%d attempts, want 1: the objects did not change, fetching them again gets the same bytes", res.Attempts)
			}
			if !res.UsedLocal || res.Version != "v1" || res.Changed {
				t.Fatalf("result = %+v, want UsedLocal with v1", res)
			}
			assertV1Kept(t, parent, dst)
		})
	}
}

func TestSync_ManifestChangedMidSyncRetries(t *testing.T) {
	t.Parallel()
	srv, px, parent, dst := syncedV1(t)
	v2 := maps.Clone(v1Files)
	v2["vectors.f32"] = strings.Repeat("2", 4096)
	v3 := maps.Clone(v1Files)
	v3["vectors.f32"] = strings.Repeat("3", 4096)
	seedNative(t, srv, "p", "v2", v2)
	// While the first attempt downloads v2's vectors, v3 is published.
	var once atomic.Bool
	px.set(func(r *http.Request) int {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/vectors.f32") && once.CompareAndSwap(false, true) {
			seedNative(t, srv, "p", "v3", v3)
		}
		return 0
	}, nil)
	s := newTestSyncer(t, srv, px.URL, "p", 3)
	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "v3" || res.Attempts != 2 || !res.Changed {
		t.Fatalf("result = %+v, want v3 after 2 attempts", res)
	}
	if got, want := readTree(t, dst), withManifest(t, "v3", v3); !maps.Equal(got, want) {
		t.Fatalf("folder = %v, want v3", got)
	}
	assertOnly(t, parent, "vs")
}

func TestSync_ManifestChangedEveryAttemptFails(t *testing.T) {
	t.Parallel()
	srv, px, parent, dst := syncedV1(t)
	n := 0
	px.set(func(r *http.Request) int {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/graph.hnsw") {
			n++
			v := maps.Clone(v1Files)
			v["graph.hnsw"] = strings.Repeat(string(rune('a'+n)), 1000)
			seedNative(t, srv, "p", "vn", v)
		}
		return 0
	}, nil)
	// Make sure graph.hnsw is fetched: change it before the first attempt.
	v := maps.Clone(v1Files)
	v["graph.hnsw"] = strings.Repeat("z", 1000)
	seedNative(t, srv, "p", "vz", v)
	s := newTestSyncer(t, srv, px.URL, "p", 2)
	res, err := s.Sync(context.Background(), dst)
	if !errors.Is(err, ErrChanged) || res.Attempts != 2 || !res.UsedLocal {
		t.Fatalf("result = %+v, %v; want ErrChanged after 2 attempts", res, err)
	}
	assertV1Kept(t, parent, dst)
}

func TestSync_ClientErrors(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	srv.Put(t, "junk/readme.txt", []byte("not a store"))
	tests := []struct {
		name     string
		uri      string
		secret   string
		wantErr  error
		wantText string
		key      string // access key; "" means the server's
	}{
		{"wrong credentials", "s3://" + srv.Bucket + "/p", "wrong-secret", ErrAccessDenied, "check the credentials", ""},
		{"unknown access key", "s3://" + srv.Bucket + "/p", srv.SecretKey, ErrAccessDenied, "check the credentials", "AKNOSUCHKEY"},
		{"missing bucket", "s3://no-such-bucket-x/p", srv.SecretKey, ErrNotFound, "no such bucket", ""},
		{"empty prefix", "s3://" + srv.Bucket + "/nothing-here", srv.SecretKey, ErrNotFound, "no objects", ""},
		{"unknown format", "s3://" + srv.Bucket + "/junk", srv.SecretKey, ErrFormat, "readme.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := srv.AccessKey
			if tt.key != "" {
				key = tt.key
			}
			s, err := New(context.Background(), Config{
				URI:         tt.uri,
				Client:      s3test.NewClient(srv.Endpoint, key, tt.secret),
				MaxAttempts: 3,
				RetryBase:   10 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			parent := t.TempDir()
			res, err := s.Sync(context.Background(), filepath.Join(parent, "vs"))
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tt.wantErr, tt.wantText)
			}
			if res.Attempts != 1 {
				t.Fatalf("Attempts = %d, want 1 (not retryable)", res.Attempts)
			}
			assertOnly(t, parent)
		})
	}
}

func TestSync_ContextDeadlineStopsRetries(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	s, err := New(context.Background(), Config{
		URI:         "s3://" + srv.Bucket + "/p",
		Client:      s3test.NewClient("http://"+s3test.FreePort(t), srv.AccessKey, srv.SecretKey),
		MaxAttempts: 1000,
		RetryBase:   20 * time.Millisecond,
		RetryMax:    40 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res, err := s.Sync(ctx, filepath.Join(t.TempDir(), "vs"))
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrUnreachable and DeadlineExceeded", err)
	}
	if res.Attempts < 2 || res.Attempts >= 1000 {
		t.Fatalf("Attempts = %d", res.Attempts)
	}
}

func TestSync_RepairsDamagedLocalCopy(t *testing.T) {
	t.Parallel()
	faissFiles := map[string]string{"index.faiss": "IxF2" + strings.Repeat("\x01", 200), "index.pkl": "\x80\x04pkl"}
	tests := []struct {
		name       string
		seed       func(t *testing.T, srv *s3test.Server)
		damage     string
		downloaded int // store files fetched again (the manifest is fetched every time)
		want       func(t *testing.T) map[string]string
	}{
		{
			name:       "native",
			seed:       func(t *testing.T, srv *s3test.Server) { seedNative(t, srv, "p", "v1", v1Files) },
			damage:     "graph.hnsw",
			downloaded: 1,
			want:       func(t *testing.T) map[string]string { return withManifest(t, "v1", v1Files) },
		},
		{
			// A crash without S3_SYNC_DURABLE can leave it so; the shortcut
			// for an unchanged S3 copy left it so for good, and the store
			// never loaded again.
			name:   "native manifest",
			seed:   func(t *testing.T, srv *s3test.Server) { seedNative(t, srv, "p", "v1", v1Files) },
			damage: store.ManifestFile,
			want:   func(t *testing.T) map[string]string { return withManifest(t, "v1", v1Files) },
		},
		{
			name: "LangChain FAISS",
			seed: func(t *testing.T, srv *s3test.Server) {
				for n, c := range faissFiles {
					srv.Put(t, "p/"+n, []byte(c))
				}
			},
			damage:     "index.faiss",
			downloaded: 1,
			want:       func(t *testing.T) map[string]string { return faissFiles },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := s3test.Start(t)
			tt.seed(t, srv)
			s := newTestSyncer(t, srv, srv.Endpoint, "p", 1)
			parent := t.TempDir()
			dst := filepath.Join(parent, "vs")
			if _, err := s.Sync(context.Background(), dst); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dst, tt.damage)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)-1] ^= 0x55 // same size, different bytes
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := s.Sync(context.Background(), dst)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Changed || res.Downloaded != tt.downloaded || res.Skipped != res.Files-tt.downloaded {
				t.Fatalf("result = %+v, want the damaged file replaced", res)
			}
			if got := readTree(t, dst); !maps.Equal(got, tt.want(t)) {
				t.Fatalf("folder not repaired: %v", got)
			}
			assertOnly(t, parent, "vs")
		})
	}
}

func TestSync_ReusesNativeFilesWithoutState(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	// A folder baked into the image: the right files, no sync state.
	dst := writeNative(t, "v1", v1Files)
	px := newProxy(t, srv.Endpoint)
	res, err := newTestSyncer(t, srv, px.URL, "p", 1).Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Downloaded != 0 || res.Skipped != 3 || !res.Changed {
		t.Fatalf("result = %+v, want all files reused and the state written", res)
	}
	for _, r := range px.requests(http.MethodGet) {
		if strings.Contains(r, "/p/") && !strings.HasSuffix(r, "/"+store.ManifestFile) {
			t.Fatalf("fetched %s although the local copy matched the manifest", r)
		}
	}
	if _, err := os.Stat(filepath.Join(dst, StateFile)); err != nil {
		t.Fatalf("state file not written: %v", err)
	}
}

func TestSync_RemovesDebrisOfInterruptedSync(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	parent := t.TempDir()
	for _, d := range []string{".vs.sync-123", ".vs.old-456/dir", ".other.sync-1"} {
		if err := os.MkdirAll(filepath.Join(parent, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newTestSyncer(t, srv, srv.Endpoint, "p", 1).Sync(context.Background(), filepath.Join(parent, "vs")); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, parent, ".other.sync-1", "vs") // only vs's debris is ours to remove
}

func TestSync_ManifestMayNotNameStateFile(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	files := maps.Clone(v1Files)
	files[StateFile] = "{}"
	seedNative(t, srv, "p", "v1", files)
	parent := t.TempDir()
	_, err := newTestSyncer(t, srv, srv.Endpoint, "p", 2).Sync(context.Background(), filepath.Join(parent, "vs"))
	if !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrFormat", err)
	}
	assertOnly(t, parent)
}

func TestSync_RestoresStoreAnInterruptedSwapMovedAside(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	parent := t.TempDir()
	dst := filepath.Join(parent, "vs")
	if _, err := newTestSyncer(t, srv, srv.Endpoint, "p", 1).Sync(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	// A crash between the two renames of the fallback swap: dst is gone,
	// the good copy sits in .vs.old-*/dir.
	if err := os.MkdirAll(filepath.Join(parent, ".vs.old-9"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dst, filepath.Join(parent, ".vs.old-9", "dir")); err != nil {
		t.Fatal(err)
	}
	down := newTestSyncer(t, srv, "http://"+s3test.FreePort(t), "p", 1)
	res, err := down.Sync(context.Background(), dst)
	if !errors.Is(err, ErrUnreachable) || !res.UsedLocal {
		t.Fatalf("err = %v, UsedLocal = %v; want ErrUnreachable serving the restored copy", err, res.UsedLocal)
	}
	assertOnly(t, parent, "vs")
}

// TestSync_RefusesAForeignDestination: the swap replaces the destination
// whole, so a VECTORSTORE_DIR pointed at the wrong folder or file would
// be deleted. Anything but a missing or empty folder, a store or an
// earlier sync's copy is refused before any request, and left as it was.
func TestSync_RefusesAForeignDestination(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)
	tests := []struct {
		name    string
		make    func(t *testing.T, dst string)
		refused bool
	}{
		{"a folder of other files", func(t *testing.T, dst string) {
			writeFiles(t, dst, map[string]string{"notes.txt": "important", "sub/db.sqlite": "data"})
		}, true},
		{"a file", func(t *testing.T, dst string) {
			writeFiles(t, filepath.Dir(dst), map[string]string{filepath.Base(dst): "config"})
		}, true},
		{"a symbolic link", func(t *testing.T, dst string) {
			target := filepath.Join(filepath.Dir(dst), "target")
			writeFiles(t, target, map[string]string{"notes.txt": "important"})
			if err := os.Symlink(target, dst); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"missing", func(*testing.T, string) {}, false},
		{"an empty folder", func(t *testing.T, dst string) {
			if err := os.Mkdir(dst, 0o755); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"a native store", func(t *testing.T, dst string) { writeFiles(t, dst, withManifest(t, "v0", v1Files)) }, false},
		{"a LangChain folder", func(t *testing.T, dst string) {
			writeFiles(t, dst, map[string]string{"index.faiss": "f", "index.pkl": "p"})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			px := newProxy(t, srv.Endpoint)
			s := newTestSyncer(t, srv, px.URL, "vs/prod", 3)
			parent := t.TempDir()
			dst := filepath.Join(parent, "vectorstore")
			tt.make(t, dst)
			before := treeOf(t, parent)
			res, err := s.Sync(context.Background(), dst)
			if !tt.refused {
				if err != nil {
					t.Fatal(err)
				}
				if got, want := readTree(t, dst), withManifest(t, "v1", v1Files); !maps.Equal(got, want) {
					t.Fatalf("synced folder = %v, want %v", got, want)
				}
				return
			}
			if !errors.Is(err, ErrDestination) || res.Attempts != 1 {
				t.Fatalf("err = %v after %d attempts, want ErrDestination at once", err, res.Attempts)
			}
			if got := treeOf(t, parent); !maps.Equal(got, before) {
				t.Fatalf("parent holds %v after the refusal, want %v", got, before)
			}
			if reqs := px.requests(""); len(reqs) != 0 {
				t.Fatalf("requests before the refusal: %v", reqs)
			}
		})
	}
}
