package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/httpapi"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

var validateModel = docmodel.EmbeddingModel{Provider: "hash", Model: "test", Dims: 4}

// writeValidateStore writes a small native store of the given version.
func writeValidateStore(t *testing.T, version string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "store")
	chunks := []docmodel.Chunk{{ID: "a", Text: "alpha"}, {ID: "b", Text: "bravo"}, {ID: "c", Text: "charlie"}}
	vecs := []float32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}
	if _, err := store.Write(t.Context(), dir, chunks, vecs, store.WriteOptions{Version: version, Embedding: validateModel, Exact: true}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// breakChunks replaces dir's chunks file with bytes that are not chunks
// and rewrites the manifest to match them: the store verifies against its
// checksums but does not open.
func breakChunks(t *testing.T, dir, version string) {
	t.Helper()
	p := filepath.Join(dir, store.ChunksFile)
	if err := os.WriteFile(p, []byte("{this is not a chunk\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := store.ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := store.HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	m.Files[store.ChunksFile], m.Version = fi, version
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, store.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// publish uploads dir's files under prefix, the manifest last.
func publish(t *testing.T, srv *s3test.Server, prefix, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, e := range entries {
		if e.Name() != store.ManifestFile {
			names = append(names, e.Name())
		}
	}
	for _, name := range append(slices.Sorted(slices.Values(names)), store.ManifestFile) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		srv.Put(t, prefix+"/"+name, b)
	}
}

// TestSync_StoreThatVerifiesButDoesNotOpen replays issue 12's row 9 with
// the real S3 server, syncer and opener: a published store whose
// checksums verify but whose chunks do not parse must not replace the
// verified local copy, so a restart with S3 down still serves the old one.
func TestSync_StoreThatVerifiesButDoesNotOpen(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	opener := StoreOpener{Embedding: validateModel}
	local := filepath.Join(t.TempDir(), "vectorstore")
	newLoader := func(endpoint string) (*Loader, *[]string) {
		syncer, err := s3sync.New(t.Context(), s3sync.Config{
			URI: "s3://" + srv.Bucket + "/vs", Client: s3test.NewClient(endpoint, srv.AccessKey, srv.SecretKey),
			MaxAttempts: 1, Validator: opener,
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		served := &[]string{}
		l, err := New(Config{Dir: local, Syncer: syncer, SyncTimeout: 10 * time.Second, Opener: opener,
			Swapper: swapFunc(func(st *store.Store) error {
				mu.Lock()
				defer mu.Unlock()
				*served = append(*served, st.Manifest.Version)
				return nil
			})})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Close)
		return l, served
	}

	publish(t, srv, "vs", writeValidateStore(t, "v1"))
	l, served := newLoader(srv.Endpoint)
	if _, _, err := l.Load(t.Context()); err != nil {
		t.Fatalf("first load: %v", err)
	}

	broken := writeValidateStore(t, "v2")
	breakChunks(t, broken, "v2")
	if _, err := store.VerifyDir(broken, ""); err != nil {
		t.Fatalf("the broken store must verify against its checksums: %v", err)
	}
	if _, err := opener.Open(t.Context(), broken); err == nil {
		t.Fatal("the broken store must not open")
	}
	publish(t, srv, "vs", broken)
	_, err := l.Reload(t.Context()) // as /admin/reload does
	if !errors.Is(err, s3sync.ErrInvalid) {
		t.Fatalf("reload of a store that does not open: %v, want ErrInvalid", err)
	}
	var pd httpapi.PublicDetailer
	if !errors.As(err, &pd) {
		t.Fatalf("reload error %v has no public detail", err)
	}
	if r := pd.PublicDetail(); strings.Contains(r, local) || strings.Contains(r, srv.Bucket) || !strings.Contains(r, "does not open") {
		t.Errorf("public detail %q: want the kind of failure, no path or bucket", r)
	}
	if m, err := store.ReadManifest(local); err != nil || m.Version != "v1" {
		t.Fatalf("local copy after the failed reload: %+v %v, want v1 untouched", m, err)
	}
	if got := l.Status(); got == nil || got.Version != "v1" {
		t.Errorf("served after the failed reload: %+v, want v1", got)
	}

	// Restart with S3 down: the verified local copy is served.
	srv.Stop()
	l2, served2 := newLoader(srv.Endpoint)
	if _, note, err := l2.Load(t.Context()); err != nil || !strings.Contains(note, "Serving the local copy") {
		t.Fatalf("restart with S3 down: note %q, %v; want the local copy served", note, err)
	}
	if !slices.Equal(*served, []string{"v1"}) || !slices.Equal(*served2, []string{"v1"}) {
		t.Errorf("served %v then, after the restart, %v; want v1 both times", *served, *served2)
	}
}

// TestStoreOpener_ValidateTimeout: Validate's open is bounded by Timeout
// (STORE_LOAD_TIMEOUT), and running out of it reads as a timeout, not as
// a store that does not open, also once s3sync has wrapped it.
func TestStoreOpener_ValidateTimeout(t *testing.T) {
	t.Parallel()
	dir := writeValidateStore(t, "v1")
	if err := (StoreOpener{Embedding: validateModel, Timeout: time.Minute}).Validate(t.Context(), dir); err != nil {
		t.Fatalf("within the timeout: %v", err)
	}
	err := StoreOpener{Embedding: validateModel, Timeout: time.Nanosecond}.Validate(t.Context(), dir)
	if !errors.Is(err, ErrLoadTimeout) || !strings.Contains(err.Error(), "STORE_LOAD_TIMEOUT") {
		t.Fatalf("err %v, want ErrLoadTimeout naming the setting", err)
	}
	wrapped := fmt.Errorf("%w: s3://b/p version v1: %w", s3sync.ErrInvalid, err)
	if r := PublicReason(wrapped); !strings.Contains(r, "timed out") {
		t.Errorf("public reason %q, want a timeout", r)
	}
}
