package s3sync

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/s3test"
)

// TestSync_ListingSkipsSubfolders replays issue 12's row 11 listing
// attack, bounded: 2,000 objects in a subfolder of the prefix (20,000 made
// each reload take 2.8 s). With the "/" delimiter S3 folds them into one
// common prefix: each listing is one request and returns only the store's
// own keys, however many objects the subfolder holds.
func TestSync_ListingSkipsSubfolders(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)
	// Written straight into the server's backend folder: 2,000 PUTs would
	// only slow the test down.
	const hidden = 2000
	sub := srv.ObjectPath("vs/prod/archive/old")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range hidden {
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("obj-%05d", i)), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Keys(t, "vs/prod/archive/")); n != hidden {
		t.Fatalf("the server lists %d objects in the subfolder, want %d", n, hidden)
	}

	px := newProxy(t, srv.Endpoint)
	var (
		mu          sync.Mutex
		lists, keys int
	)
	px.set(nil, func(r *http.Request, resp *http.Response) {
		if r.Method != http.MethodGet || r.URL.Query().Get("list-type") != "2" {
			return
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			t.Errorf("read listing: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		lists++
		keys += strings.Count(string(b), "<Key>")
	})
	s := newTestSyncer(t, srv, px.URL, "vs/prod", 1)
	res, err := s.Sync(t.Context(), filepath.Join(t.TempDir(), "vectorstore"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 3 || res.Version != "v1" {
		t.Errorf("sync result %+v, want the 3-file v1 store", res)
	}
	mu.Lock()
	defer mu.Unlock()
	// A sync lists twice (before fetching and to check nothing moved),
	// each time one page holding the manifest and the 3 store files.
	if lists != 2 || keys != 2*4 {
		t.Errorf("%d listing requests returning %d keys, want 2 returning 8 (without the delimiter: 6 returning %d)", lists, keys, 2*(hidden+4))
	}
}
