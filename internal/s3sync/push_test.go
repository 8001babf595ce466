package s3sync

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

func TestPush_RoundTripAndSkipUnchanged(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	src := writeNative(t, "v1", v1Files)
	s := newTestSyncer(t, srv, srv.Endpoint, "vectorstore/prod", 1)

	pr, err := s.Push(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if pr.Version != "v1" || pr.Files != 3 || pr.Uploaded != 3 || pr.Skipped != 0 || pr.URI != "s3://"+srv.Bucket+"/vectorstore/prod/" {
		t.Fatalf("push result = %+v", pr)
	}
	wantKeys := []string{"vectorstore/prod/chunks.jsonl", "vectorstore/prod/graph.hnsw", "vectorstore/prod/manifest.json", "vectorstore/prod/vectors.f32"}
	if got := srv.Keys(t, "vectorstore/"); !slices.Equal(got, wantKeys) {
		t.Fatalf("keys = %v, want %v", got, wantKeys)
	}

	dst := filepath.Join(t.TempDir(), "vs")
	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Version != "v1" || res.Downloaded != 3 {
		t.Fatalf("sync result = %+v", res)
	}
	if got := readTree(t, dst); !maps.Equal(got, readTree(t, src)) {
		t.Fatalf("round trip differs: %v", got)
	}

	// Pushing again uploads only the manifest; changing one file uploads it.
	pr, err = s.Push(context.Background(), src)
	if err != nil || pr.Uploaded != 0 || pr.Skipped != 3 {
		t.Fatalf("second push = %+v, %v", pr, err)
	}
	v2 := maps.Clone(v1Files)
	v2["graph.hnsw"] = strings.Repeat("2", 700)
	pr, err = s.Push(context.Background(), writeNative(t, "v2", v2))
	if err != nil || pr.Uploaded != 1 || pr.Skipped != 2 || pr.Version != "v2" {
		t.Fatalf("third push = %+v, %v", pr, err)
	}
	res, err = s.Sync(context.Background(), dst)
	if err != nil || res.Version != "v2" || res.Downloaded != 1 {
		t.Fatalf("sync after third push = %+v, %v", res, err)
	}
	if got, want := readTree(t, dst), withManifest(t, "v2", v2); !maps.Equal(got, want) {
		t.Fatalf("folder after v2 = %v", got)
	}
}

func TestPush_ManifestLast(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	px := newProxy(t, srv.Endpoint)
	// Before each data upload is forwarded, list the prefix: the manifest
	// must not be visible yet.
	var sawManifestEarly []string
	px.set(func(r *http.Request) int {
		if r.Method == http.MethodPut && !strings.HasSuffix(r.URL.Path, "/"+store.ManifestFile) {
			for _, k := range srv.Keys(t, "p/") {
				if strings.HasSuffix(k, "/"+store.ManifestFile) {
					sawManifestEarly = append(sawManifestEarly, r.URL.Path)
				}
			}
		}
		return 0
	}, nil)
	s := newTestSyncer(t, srv, px.URL, "p", 1)
	if _, err := s.Push(context.Background(), writeNative(t, "v1", v1Files)); err != nil {
		t.Fatal(err)
	}
	var writes []string
	for _, r := range px.requests("") {
		if strings.HasPrefix(r, "PUT ") || strings.HasPrefix(r, "POST ") {
			writes = append(writes, r)
		}
	}
	if len(writes) != 4 || writes[len(writes)-1] != "PUT /"+srv.Bucket+"/p/"+store.ManifestFile {
		t.Fatalf("writes = %v, want 3 data PUTs then the manifest", writes)
	}
	if len(sawManifestEarly) != 0 {
		t.Fatalf("manifest visible during data uploads: %v", sawManifestEarly)
	}
}

func TestPush_FailedUploadKeepsOldManifest(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", v1Files)
	oldManifest := nativeManifest(t, "v1", v1Files)
	v2 := maps.Clone(v1Files)
	v2["vectors.f32"] = strings.Repeat("2", 4096)
	v2["graph.hnsw"] = strings.Repeat("2", 1000)
	px := newProxy(t, srv.Endpoint)
	graphLanded := make(chan struct{}) // closed when S3 has answered the graph.hnsw upload with 200
	var once sync.Once
	px.set(func(r *http.Request) int {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/p/vectors.f32") {
			// Fail only once the concurrent graph.hnsw upload has landed,
			// so the prefix really is half-written.
			select {
			case <-graphLanded:
			case <-r.Context().Done():
			}
			return http.StatusInternalServerError
		}
		return 0
	}, func(r *http.Request, resp *http.Response) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/p/graph.hnsw") && resp.StatusCode == http.StatusOK {
			once.Do(func() { close(graphLanded) })
		}
	})
	s := newTestSyncer(t, srv, px.URL, "p", 2)
	pr, err := s.Push(context.Background(), writeNative(t, "v2", v2))
	if !errors.Is(err, ErrUnreachable) || pr.Attempts != 2 {
		t.Fatalf("push = %+v, %v; want ErrUnreachable after 2 attempts", pr, err)
	}
	got, err := os.ReadFile(srv.ObjectPath("p/" + store.ManifestFile))
	if err != nil || string(got) != string(oldManifest) {
		t.Fatalf("manifest on S3 changed by a failed push: %s, %v", got, err)
	}
	// A reader sees new graph.hnsw with the old manifest: it must refuse it.
	_, err = newTestSyncer(t, srv, srv.Endpoint, "p", 1).Sync(context.Background(), filepath.Join(t.TempDir(), "vs"))
	if !errors.Is(err, ErrVerify) {
		t.Fatalf("sync of a half-pushed prefix: %v, want ErrVerify", err)
	}
}

func TestPush_RefusesBadLocalStore(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	corrupt := writeNative(t, "v1", v1Files)
	if err := os.WriteFile(filepath.Join(corrupt, "graph.hnsw"), []byte(strings.Repeat("X", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := writeNative(t, "v1", v1Files)
	if err := os.Remove(filepath.Join(missing, "chunks.jsonl")); err != nil {
		t.Fatal(err)
	}
	faiss := t.TempDir()
	for _, n := range []string{"index.faiss", "index.pkl"} {
		if err := os.WriteFile(filepath.Join(faiss, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	badManifest := t.TempDir()
	if err := os.WriteFile(filepath.Join(badManifest, store.ManifestFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		wantErr error
	}{
		{"sha256 mismatch", corrupt, ErrVerify},
		{"file missing", missing, ErrVerify},
		{"unparsable manifest", badManifest, ErrVerify},
		{"LangChain FAISS folder", faiss, ErrFormat},
		{"empty folder", t.TempDir(), ErrFormat},
	}
	s := newTestSyncer(t, srv, srv.Endpoint, "p", 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Push(context.Background(), tt.dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if keys := srv.Keys(t, ""); len(keys) != 0 {
				t.Fatalf("refused push uploaded %v", keys)
			}
		})
	}
}

func TestPush_MultipartRoundTrip(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	// Above transfermanager's 16 MiB multipart threshold: uploaded in 8 MiB
	// parts and downloaded part by part (ETag "...-3", If-Match per part).
	big := make([]byte, 17<<20+123)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	files := map[string]string{"vectors.f32": string(big), "chunks.jsonl": "{}\n"}
	px := newProxy(t, srv.Endpoint)
	s := newTestSyncer(t, srv, px.URL, "big", 1)
	src := writeNative(t, "vbig", files)
	if _, err := s.Push(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	var sawMultipart bool
	var writes []string
	for _, r := range px.requests("") {
		if strings.HasPrefix(r, "POST ") && strings.HasSuffix(r, "/big/vectors.f32") {
			sawMultipart = true
		}
		if strings.HasPrefix(r, "PUT ") || strings.HasPrefix(r, "POST ") {
			writes = append(writes, r)
		}
	}
	if !sawMultipart {
		t.Fatalf("no multipart upload seen: %v", writes)
	}
	if last := writes[len(writes)-1]; last != "PUT /"+srv.Bucket+"/big/"+store.ManifestFile {
		t.Fatalf("last write = %q, want the manifest", last)
	}
	dst := filepath.Join(t.TempDir(), "vs")
	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Downloaded != 2 || res.Bytes != int64(len(big))+3 {
		t.Fatalf("sync result = %+v", res)
	}
	gets := 0
	for _, r := range px.requests(http.MethodGet) {
		if strings.HasSuffix(r, "/big/vectors.f32") {
			gets++
		}
	}
	if gets < 2 {
		t.Fatalf("vectors.f32 fetched in %d GETs, want one per part", gets)
	}
	if got := readTree(t, dst); got["vectors.f32"] != files["vectors.f32"] {
		t.Fatal("multipart round trip corrupted vectors.f32")
	}
}

// TestPush_FolderReplacedAfterVerifying: a build that replaces the folder
// after Push verified it (a review staged it with a slow upload) must not
// get the new bytes published under the old manifest's SHA-256 tags,
// which the next push trusts: the attempt fails, nothing is tagged.
func TestPush_FolderReplacedAfterVerifying(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	s := newTestSyncer(t, srv, srv.Endpoint, "vs", 1)
	old := writeNative(t, "v1", v1Files)
	c, err := store.VerifyDir(old, "")
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(old, store.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	v2 := maps.Clone(v1Files)
	v2["graph.hnsw"] = strings.Repeat("2", len(v1Files["graph.hnsw"])) // same size, other bytes
	replaced := writeNative(t, "v2", v2)

	_, _, _, err = s.pushOnce(t.Context(), replaced, c, manifest, "")
	if !errors.Is(err, ErrVerify) || !strings.Contains(err.Error(), "graph.hnsw changed since it was verified") {
		t.Fatalf("push of a replaced folder: %v, want ErrVerify naming graph.hnsw", err)
	}
	for _, key := range srv.Keys(t, "vs/") {
		if key == "vs/graph.hnsw" || key == "vs/"+store.ManifestFile {
			t.Errorf("%s was published", key)
		}
	}
}

// TestPush_ConcurrentPushIsAConflict: S3 has no lock, so a second push to
// the prefix can land its files before the first's manifest or publish
// its whole store before the first's manifest. Either way the first push
// must fail with ErrConflict without writing its manifest (its check of
// the files, or its conditional PUT of the manifest, sees the other), and
// the prefix holds the other push's store, whole.
func TestPush_ConcurrentPushIsAConflict(t *testing.T) {
	t.Parallel()
	v2 := maps.Clone(v1Files)
	v2["graph.hnsw"] = strings.Repeat("2", 700)
	tests := []struct {
		name string
		// other reports whether the other push runs before r is forwarded.
		other func(r *http.Request, dataPUTs int) bool
	}{
		{"files land before the manifest", func(r *http.Request, puts int) bool {
			return r.Method == http.MethodHead && puts == len(v1Files) // the check after the data files
		}},
		{"the other publishes before the manifest", func(r *http.Request, _ int) bool {
			return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/p/"+store.ManifestFile)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := s3test.Start(t)
			px := newProxy(t, srv.Endpoint)
			other := newTestSyncer(t, srv, srv.Endpoint, "p", 1)
			otherDir := writeNative(t, "v2", v2)
			var mu sync.Mutex
			puts, ran := 0, false
			var otherErr error
			px.set(func(r *http.Request) int {
				mu.Lock()
				defer mu.Unlock()
				if r.Method == http.MethodPut && !strings.HasSuffix(r.URL.Path, "/"+store.ManifestFile) {
					puts++
				}
				if !ran && tc.other(r, puts) {
					ran = true
					_, otherErr = other.Push(context.Background(), otherDir)
				}
				return 0
			}, nil)
			_, err := newTestSyncer(t, srv, px.URL, "p", 3).Push(context.Background(), writeNative(t, "v1", v1Files))
			if !ran || otherErr != nil {
				t.Fatalf("the other push ran %v: %v", ran, otherErr)
			}
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("push = %v, want ErrConflict", err)
			}
			res, err := newTestSyncer(t, srv, srv.Endpoint, "p", 1).Sync(context.Background(), filepath.Join(t.TempDir(), "vs"))
			if err != nil || res.Version != "v2" {
				t.Fatalf("sync = %+v, %v; want the other push's v2, whole", res, err)
			}
		})
	}
}
