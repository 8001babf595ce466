package lifecycle

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/store"
)

// TestLoad_Timeout: an open that outlives LoadTimeout fails with
// ErrLoadTimeout; the store already served stays, and /ready says so in
// a few words. In a synctest bubble the clock moves only when every
// goroutine is blocked, so nothing here depends on real time.
func TestLoad_Timeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		hang := false
		var swapped []*store.Store
		opens := 0
		cfg := Config{
			Dir:         t.TempDir(),
			LoadTimeout: time.Minute,
			Opener: fakeOpener{open: func(ctx context.Context, dir string) (*store.Store, error) {
				opens++
				if hang {
					<-ctx.Done() // a decoder that checks its context
					return nil, ctx.Err()
				}
				return &store.Store{Dir: dir, Format: store.FormatNative, Chunks: make([]docmodel.Chunk, 2), LoadedAt: time.Now(),
					Manifest: store.Manifest{Version: "v1", Metric: "cosine", Embedding: docmodel.EmbeddingModel{Dims: 8}}}, nil
			}},
			Swapper: swapFunc(func(st *store.Store) error { swapped = append(swapped, st); return nil }),
		}
		l, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()

		// Nothing served yet: the timed-out load is an error that /ready
		// shows as the reason.
		hang = true
		start := time.Now()
		_, _, err = l.Load(context.Background())
		if !errors.Is(err, ErrLoadTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want ErrLoadTimeout", err)
		}
		if waited := time.Since(start); waited != time.Minute {
			t.Fatalf("gave up after %v (fake clock), want LoadTimeout", waited)
		}
		if got := PublicReason(err); !strings.Contains(got, "timed out") || strings.Contains(got, cfg.Dir) {
			t.Fatalf("PublicReason = %q", got)
		}
		if ok, _ := l.Readiness().Check(); ok {
			t.Fatal("ready with nothing loaded")
		}

		// A store is served; a reload that times out leaves it serving.
		hang = false
		if _, _, err := l.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		hang = true
		if _, _, err := l.Load(context.Background()); !errors.Is(err, ErrLoadTimeout) {
			t.Fatalf("reload: err %v, want ErrLoadTimeout", err)
		}
		if len(swapped) != 1 {
			t.Fatalf("%d swaps, want the first store only", len(swapped))
		}
		ok, detail := l.Readiness().Check()
		if !ok || detail != noteTimedOut {
			t.Fatalf("/ready: %v %q, want ready with %q", ok, detail, noteTimedOut)
		}
		if st := l.Status(); st == nil || st.Version != "v1" || !strings.Contains(st.LastError, "timed out") {
			t.Fatalf("status %+v", st)
		}
		// A cancelled load (shutdown) is not reported as a timeout.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, _, err := l.Load(ctx); errors.Is(err, ErrLoadTimeout) || !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled: err %v", err)
		}
		if opens != 3 {
			t.Fatalf("%d opens", opens)
		}
	})
}
