package s3sync

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

// namedFixture is a LangChain folder saved with index_name="faiss_index"
// (package store's fixture, written by FAISS).
const namedFixture = "../store/testdata/langchain/index_name_flat_l2_pydantic_v2"

// TestSync_IndexName: with IndexName set, the listing's faiss_index.faiss
// + faiss_index.pkl make the store, other objects (a default-named pair
// included) are left on S3, and the synced folder opens with the same
// name. Without it the sync fails and says which name to set.
func TestSync_IndexName(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	files := map[string]string{}
	for _, name := range []string{"faiss_index.faiss", "faiss_index.pkl"} {
		b, err := os.ReadFile(filepath.Join(namedFixture, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
		srv.Put(t, "lc/"+name, b)
	}
	srv.Put(t, "lc/notes.txt", []byte("ignored"))

	// The default name finds no store, and the error names the pair.
	plain := newTestSyncer(t, srv, srv.Endpoint, "lc", 1)
	dst := filepath.Join(t.TempDir(), "vs")
	_, err := plain.Sync(context.Background(), dst)
	if !errors.Is(err, ErrFormat) || !errors.Is(err, store.ErrNoStore) ||
		!strings.Contains(err.Error(), "set VECTORSTORE_INDEX_NAME=faiss_index") {
		t.Fatalf("default name: %v, want ErrFormat naming VECTORSTORE_INDEX_NAME=faiss_index", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("failed sync left %s: %v", dst, err)
	}

	s, err := New(context.Background(), Config{
		URI: "s3://" + srv.Bucket + "/lc", Client: s3test.NewClient(srv.Endpoint, srv.AccessKey, srv.SecretKey),
		MaxAttempts: 1, RetryBase: 10 * time.Millisecond, IndexName: "faiss_index",
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatFAISS || res.Files != 2 || res.Downloaded != 2 || !strings.HasPrefix(res.Version, "etag-") {
		t.Fatalf("result = %+v", res)
	}
	if got := readTree(t, dst); !maps.Equal(got, files) {
		t.Fatalf("folder holds %v", slicesKeys(got))
	}
	st, err := store.Open(context.Background(), dst, store.OpenOptions{IndexName: "faiss_index"})
	if err != nil || len(st.Chunks) != 24 {
		t.Fatalf("open synced folder: %v", err)
	}
	res2, err := s.Sync(context.Background(), dst)
	if err != nil || res2.Changed || res2.Skipped != 2 {
		t.Fatalf("second sync = %+v, %v", res2, err)
	}
	// Offline, the local copy verifies under the same name.
	srv.Stop()
	res3, err := s.Sync(context.Background(), dst)
	if !errors.Is(err, ErrUnreachable) || !res3.UsedLocal || res3.Format != FormatFAISS || res3.Version != res.Version {
		t.Fatalf("offline = %+v, %v", res3, err)
	}
}

func TestNew_RejectsBadIndexName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"a/b", "..", ".hidden"} {
		if _, err := New(context.Background(), Config{URI: "s3://b/p", IndexName: name}); err == nil || !strings.Contains(err.Error(), "index name") {
			t.Errorf("IndexName %q: %v, want an error naming the index name", name, err)
		}
	}
}

func slicesKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
