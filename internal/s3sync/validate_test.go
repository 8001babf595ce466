package s3sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/s3test"
	"github.com/vendor0919/api/internal/store"
)

// validatorFunc adapts a function to Validator.
type validatorFunc func(ctx context.Context, dir string) error

func (f validatorFunc) Validate(ctx context.Context, dir string) error { return f(ctx, dir) }

// TestSync_ValidatorGuardsTheSwap: the Validator sees the staged folder
// (complete, beside the destination), and a store it rejects fails the
// sync with ErrInvalid, is not retried, and leaves the destination and
// its verified copy as they were.
func TestSync_ValidatorGuardsTheSwap(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)
	s := newTestSyncer(t, srv, srv.Endpoint, "vs/prod", 3)
	var (
		mu     sync.Mutex
		seen   []string
		reject error
	)
	s.validator = validatorFunc(func(_ context.Context, dir string) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, dir)
		if _, err := store.VerifyDir(dir, ""); err != nil {
			t.Errorf("validator called with a folder that does not verify: %v", err)
		}
		return reject
	})
	parent := t.TempDir()
	dst := filepath.Join(parent, "vectorstore")
	if _, err := s.Sync(t.Context(), dst); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || filepath.Dir(seen[0]) != parent || seen[0] == dst {
		t.Fatalf("validated %v, want one staging folder beside %s", seen, dst)
	}

	v2 := maps.Clone(v1Files)
	v2["chunks.jsonl"] = "not chunks\n"
	seedNative(t, srv, "vs/prod", "v2", v2)
	reject = errors.New("store: corrupt vector store: chunks.jsonl")
	res, err := s.Sync(t.Context(), dst)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "chunks.jsonl") {
		t.Fatalf("sync of a store the validator rejects: %v, want ErrInvalid with the cause", err)
	}
	if res.Attempts != 1 || len(seen) != 2 {
		t.Errorf("attempts %d, validations %d: want 1 and 2 (ErrInvalid is not retried)", res.Attempts, len(seen))
	}
	if !res.UsedLocal || res.Version != "v1" {
		t.Errorf("result %+v, want the verified v1 copy offered", res)
	}
	if got, want := readTree(t, dst), withManifest(t, "v1", v1Files); !maps.Equal(got, want) {
		t.Errorf("destination after the rejected sync = %v, want v1", got)
	}
	assertOnly(t, parent, "vectorstore")
	if _, err := os.Stat(seen[1]); !os.IsNotExist(err) {
		t.Errorf("rejected staging folder %s left behind: %v", seen[1], err)
	}
}

// TestSync_RecordsDownloadHashes: Sync checks a native store against its
// manifest with the hashes taken while downloading and records them in
// store.VerifiedFile before the staging open, as VerifyDir did, so that
// open need not hash every file again.
func TestSync_RecordsDownloadHashes(t *testing.T) {
	t.Parallel()
	files := maps.Clone(v1Files)
	files["vectors.f32"] = noise(7, 3<<19) // 1.5 MiB: stores under 1 MiB get no record
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", files)
	s := newRangedSyncer(t, srv, srv.Endpoint, "vs/prod", 1, 1<<19, 4)
	var rec struct {
		Files map[string]struct {
			Size   int64  `json:"size"`
			SHA256 string `json:"sha256"`
		} `json:"files"`
		Checked bool `json:"checked"`
	}
	var man *store.Manifest
	s.validator = validatorFunc(func(_ context.Context, dir string) error {
		b, err := os.ReadFile(filepath.Join(dir, store.VerifiedFile))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			return err
		}
		man, err = store.ReadManifest(dir)
		return err
	})
	if _, err := s.Sync(t.Context(), filepath.Join(t.TempDir(), "vs")); err != nil {
		t.Fatal(err)
	}
	if rec.Checked {
		t.Error("record claims the contents were checked: only their hashes were")
	}
	// Files written within the racy window may be left out (the open
	// hashes them); every one recorded carries the manifest's checksum.
	for name, got := range rec.Files {
		if want, ok := man.Files[name]; !ok || got.Size != want.Size || got.SHA256 != want.SHA256 {
			t.Errorf("%s recorded as %+v, manifest %+v", name, got, want)
		}
	}
}

// manifestChecker is a Validator that also checks manifests.
type manifestChecker struct {
	validatorFunc
	check func(dir string, m *store.Manifest) error
}

func (c manifestChecker) CheckManifest(dir string, m *store.Manifest) error { return c.check(dir, m) }

// TestSync_ManifestCheckerRefusesBeforeDownloading: a store the
// manifest alone shows will be refused (over the load budget, another
// embedder) fails with ErrInvalid after one GET, the manifest's, is not
// retried, and leaves the destination as it was; one it accepts syncs.
func TestSync_ManifestCheckerRefusesBeforeDownloading(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)
	px := newProxy(t, srv.Endpoint)
	s := newTestSyncer(t, srv, px.URL, "vs/prod", 3)
	var refuse error
	var checked []string
	s.validator = manifestChecker{
		validatorFunc: func(context.Context, string) error { return nil },
		check: func(dir string, m *store.Manifest) error {
			checked = append(checked, m.Version)
			if _, err := os.Stat(filepath.Join(dir, store.ManifestFile)); err != nil {
				t.Errorf("checked without the manifest staged: %v", err)
			}
			return refuse
		},
	}
	dst := filepath.Join(t.TempDir(), "vs")
	if _, err := s.Sync(t.Context(), dst); err != nil {
		t.Fatal(err)
	}
	seedNative(t, srv, "vs/prod", "v2", map[string]string{"vectors.f32": "v2 vectors", "chunks.jsonl": "{}\n"})
	px.requests("")
	refuse = errors.New("store: vector store too large: over the load budget")
	res, err := s.Sync(t.Context(), dst)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "load budget") {
		t.Fatalf("sync of a refused manifest: %v, want ErrInvalid with the cause", err)
	}
	if res.Attempts != 1 {
		t.Errorf("attempts %d, want 1 (ErrInvalid is not retried)", res.Attempts)
	}
	if gets := px.requests(http.MethodGet); len(gets) != 2 || !strings.HasSuffix(gets[1], "/"+store.ManifestFile) {
		t.Errorf("GETs %v, want the listing and the manifest only", gets)
	}
	if got, want := readTree(t, dst), withManifest(t, "v1", v1Files); !maps.Equal(got, want) {
		t.Errorf("destination after the refused sync = %v, want v1", got)
	}
	if !slices.Equal(checked, []string{"v1", "v2"}) {
		t.Errorf("manifests checked %v, want v1 then v2", checked)
	}
}

// TestSync_ValidatorOutlivesTheSyncDeadline: the Validator's context
// has no deadline, so a sync whose deadline passes while the staged store
// is opened still swaps it in (the Validator bounds its own time), while
// cancelling the sync's context (shutdown) still reaches it.
func TestSync_ValidatorOutlivesTheSyncDeadline(t *testing.T) {
	t.Parallel()
	srv := s3test.Start(t)
	seedNative(t, srv, "vs/prod", "v1", v1Files)

	// The sync's deadline must not reach the Validator, whether it is far
	// off or passes while the staged store opens; the store swaps in.
	for _, tc := range []struct {
		name     string
		timeout  time.Duration
		validate func(syncCtx, vctx context.Context) error
	}{
		{"no deadline", time.Hour, func(_, vctx context.Context) error {
			if _, ok := vctx.Deadline(); ok {
				return errors.New("the Validator's context carries the sync's deadline")
			}
			return nil
		}},
		{"deadline passes during validation", 2 * time.Second, func(syncCtx, vctx context.Context) error {
			<-syncCtx.Done() // the sync's deadline passes while the store opens
			if err := vctx.Err(); err != nil {
				return fmt.Errorf("the Validator's context ended with the sync's deadline: %w", err)
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestSyncer(t, srv, srv.Endpoint, "vs/prod", 1)
			ctx, cancel := context.WithTimeout(t.Context(), tc.timeout)
			defer cancel()
			s.validator = validatorFunc(func(vctx context.Context, _ string) error { return tc.validate(ctx, vctx) })
			if res, err := s.Sync(ctx, filepath.Join(t.TempDir(), "vs")); err != nil || !res.Changed {
				t.Fatalf("Sync = %+v, %v; want the store swapped in", res, err)
			}
		})
	}

	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		s := newTestSyncer(t, srv, srv.Endpoint, "vs/prod", 1)
		ctx, cancel := context.WithCancel(t.Context())
		s.validator = validatorFunc(func(vctx context.Context, _ string) error {
			cancel()
			select {
			case <-vctx.Done():
				return vctx.Err()
			case <-time.After(30 * time.Second):
				return errors.New("the sync's cancellation did not reach the Validator")
			}
		})
		dst := filepath.Join(t.TempDir(), "vs")
		if _, err := s.Sync(ctx, dst); !errors.Is(err, context.Canceled) {
			t.Fatalf("Sync err %v, want context.Canceled", err)
		}
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Errorf("a cancelled sync created %s: %v", dst, err)
		}
	})
}
