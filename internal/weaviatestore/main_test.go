package weaviatestore

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/vendor0919/api/internal/weaviatetest"
)

// One Weaviate node serves the package's tests (each uses its own
// aliases): starting one takes about 20 s.
var shared struct {
	once sync.Once
	srv  *weaviatetest.Server
	dir  string
	err  error
}

// server returns the shared node, starting it on first use; it skips the
// test as weaviatetest.RequireBinary does.
func server(t *testing.T) *weaviatetest.Server {
	t.Helper()
	bin := weaviatetest.RequireBinary(t)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "weaviatestore-test-")
		if shared.err != nil {
			return
		}
		var nodes []*weaviatetest.Server
		if nodes, shared.err = weaviatetest.Launch(context.Background(), bin, 1, weaviatetest.Options{Env: testServerEnv}, shared.dir); shared.err != nil {
			return
		}
		shared.srv = nodes[0]
	})
	if shared.err != nil {
		t.Fatalf("weaviate: %v", shared.err)
	}
	return shared.srv
}

// testServerEnv turns Weaviate's BlockMax WAND off: with it on (the default), BM25
// top-k missed the best-scoring chunk in these tests (see doc.go).
var testServerEnv = []string{"USE_INVERTED_SEARCHABLE=false"}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		shared.srv.Stop()
		if code != 0 {
			fmt.Fprintf(os.Stderr, "weaviate log (tail):\n%s\n", tailOf(shared.srv.Log(), 3000))
		}
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func tailOf(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
