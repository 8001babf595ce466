package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
	"github.com/vendor0919/api/internal/testproc"
)

// flakySyncer fails with err until it is cleared, counting calls; safe
// for concurrent use.
type flakySyncer struct {
	mu    sync.Mutex
	err   error
	calls int
	block chan struct{} // if set, Sync waits for it or ctx
}

func (f *flakySyncer) Sync(ctx context.Context, _ string) (s3sync.Result, error) {
	f.mu.Lock()
	f.calls++
	err, block := f.err, f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return s3sync.Result{}, ctx.Err()
		}
	}
	return s3sync.Result{Version: "v1", Changed: true}, err
}

func (f *flakySyncer) set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *flakySyncer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func newFlakyLoader(t *testing.T, s *flakySyncer, logs *testproc.Output) *Loader {
	t.Helper()
	l, err := New(Config{
		Dir: t.TempDir(), Syncer: s, Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		Opener: fakeOpener{open: func(context.Context, string) (*store.Store, error) {
			return &store.Store{Format: store.FormatNative, Chunks: make([]docmodel.Chunk, 2), LoadedAt: time.Now()}, nil
		}},
		Swapper: swapFunc(func(*store.Store) error { return nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLoadUntilReady_RetriesWithBackoff: while S3 is down /ready says why
// and the loop retries after 2s, 4s, 8s, ... up to a minute, logging each
// wait; it ends with the first load that succeeds.
func TestLoadUntilReady_RetriesWithBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &flakySyncer{err: fmt.Errorf("dial tcp 10.0.0.7:443: refused: %w", s3sync.ErrUnreachable)}
		logs := &testproc.Output{}
		l := newFlakyLoader(t, s, logs)
		done := make(chan struct{})
		go func() { l.LoadUntilReady(t.Context()); close(done) }()
		synctest.Wait()
		if s.count() != 1 {
			t.Fatalf("%d attempts before any wait", s.count())
		}
		if ok, detail := l.Readiness().Check(); ok || detail != "Vector store not loaded: S3 unreachable; details in the logs" {
			t.Errorf("while failing: ready=%v %q", ok, detail)
		}
		// Attempt n+1 comes exactly after the n-th wait.
		waits := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
		for i, w := range waits {
			time.Sleep(w - time.Millisecond)
			synctest.Wait()
			if s.count() != i+1 {
				t.Fatalf("attempt %d came before its %s wait", i+2, w)
			}
			time.Sleep(time.Millisecond)
			synctest.Wait()
			if s.count() != i+2 {
				t.Fatalf("no attempt %d after a %s wait", i+2, w)
			}
		}
		for _, w := range []string{`"retry_in":"2s"`, `"retry_in":"4s"`, `"retry_in":"32s"`, `"retry_in":"1m0s"`} {
			if !strings.Contains(logs.String(), `"msg":"vector store load failed; retrying"`) || !strings.Contains(logs.String(), w) {
				t.Errorf("no retry log line with %s", w)
			}
		}
		s.set(nil)
		n := s.count()
		time.Sleep(time.Minute)
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("still retrying after a successful load")
		}
		if s.count() != n+1 {
			t.Errorf("%d attempts after the one that succeeded", s.count()-n-1)
		}
		if ok, detail := l.Readiness().Check(); !ok || detail != "" {
			t.Errorf("after the load: ready=%v %q", ok, detail)
		}
	})
}

// TestLoadUntilReady_EndsOnReloadOrStop: a reload that succeeds while the
// loop waits ends it; so do Stop and a cancelled ctx.
func TestLoadUntilReady_EndsOnReloadOrStop(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"reload", "stop", "cancel"} {
		t.Run(how, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := &flakySyncer{err: s3sync.ErrUnreachable}
				l := newFlakyLoader(t, s, &testproc.Output{})
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				done := make(chan struct{})
				go func() { l.LoadUntilReady(ctx); close(done) }()
				synctest.Wait()
				switch how {
				case "reload":
					s.set(nil)
					if _, err := l.Reload(t.Context()); err != nil {
						t.Fatal(err)
					}
					time.Sleep(2 * time.Second)
				case "stop":
					l.Stop()
				case "cancel":
					cancel()
				}
				<-done
				want := 1
				if how == "reload" {
					want = 3 // the reload's sync, then the loop's next load, which succeeds and ends it
				}
				if s.count() != want {
					t.Errorf("%d syncs, want %d", s.count(), want)
				}
			})
		})
	}
}

// TestReload_OutlivesRequestNotStop: a reload is not cancelled with its
// request, but Stop (shutdown) cancels it.
func TestReload_OutlivesRequestNotStop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &flakySyncer{block: make(chan struct{})}
		l := newFlakyLoader(t, s, &testproc.Output{})
		reqCtx, cancelReq := context.WithCancel(t.Context())
		type result struct {
			st  *Status
			err error
		}
		res := make(chan result, 1)
		go func() { st, err := l.Reload(reqCtx); res <- result{st, err} }()
		synctest.Wait()
		cancelReq()
		synctest.Wait()
		select {
		case r := <-res:
			t.Fatalf("the request's end cancelled the reload: %v", r.err)
		default:
		}
		close(s.block)
		if r := <-res; r.err != nil || r.st == nil || r.st.Count != 2 {
			t.Fatalf("reload: %+v %v", r.st, r.err)
		}

		s.mu.Lock()
		s.block = make(chan struct{})
		s.mu.Unlock()
		go func() { st, err := l.Reload(t.Context()); res <- result{st, err} }()
		synctest.Wait()
		l.Stop()
		if r := <-res; !errors.Is(r.err, context.Canceled) || r.st != nil {
			t.Fatalf("reload after Stop: %+v %v", r.st, r.err)
		}
	})
}
