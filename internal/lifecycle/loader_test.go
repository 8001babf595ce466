package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/s3sync"
	"github.com/vendor0919/api/internal/store"
)

// fakeOpener adapts functions to Opener; a nil upgrade returns the store
// as it is.
type fakeOpener struct {
	open    func(ctx context.Context, dir string) (*store.Store, error)
	upgrade func(ctx context.Context, st *store.Store) (*store.Store, error)
}

func (o fakeOpener) Open(ctx context.Context, dir string) (*store.Store, error) {
	return o.open(ctx, dir)
}

func (o fakeOpener) Upgrade(ctx context.Context, st *store.Store) (*store.Store, error) {
	if o.upgrade == nil {
		return st, nil
	}
	return o.upgrade(ctx, st)
}

// swapFunc adapts a function to Swapper.
type swapFunc func(*store.Store) error

func (f swapFunc) Swap(_ context.Context, st *store.Store) error { return f(st) }

// syncFunc adapts a function to Syncer.
type syncFunc func(ctx context.Context, dir string) (s3sync.Result, error)

func (f syncFunc) Sync(ctx context.Context, dir string) (s3sync.Result, error) { return f(ctx, dir) }

// harness drives a Loader with scripted sync and open outcomes.
type harness struct {
	syncErr   error
	usedLocal bool
	unchanged bool // the syncer reports Changed=false
	openErr   error
	version   string
	swapped   []*store.Store
	syncs     atomic.Int32
}

func (h *harness) loader(t *testing.T, withSync bool) *Loader {
	t.Helper()
	cfg := Config{
		Dir:    t.TempDir(),
		Source: "s3://bucket/prefix",
		Opener: fakeOpener{open: func(_ context.Context, dir string) (*store.Store, error) {
			if h.openErr != nil {
				return nil, h.openErr
			}
			return &store.Store{
				Dir: dir, Format: store.FormatNative, Chunks: make([]docmodel.Chunk, 3), LoadedAt: time.Now(),
				Manifest: store.Manifest{Version: h.version, Metric: "cosine", Embedding: docmodel.EmbeddingModel{Provider: "hash", Model: "hash-v1", Dims: 8}},
			}, nil
		}},
		Swapper: swapFunc(func(st *store.Store) error { h.swapped = append(h.swapped, st); return nil }),
	}
	if withSync {
		cfg.Syncer = syncFunc(func(ctx context.Context, dir string) (s3sync.Result, error) {
			h.syncs.Add(1)
			return s3sync.Result{Version: h.version, Changed: !h.unchanged, UsedLocal: h.usedLocal}, h.syncErr
		})
	}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLoad_Scenarios(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		prior      bool // a store was loaded before this load
		syncErr    error
		usedLocal  bool
		openErr    error
		wantErr    bool
		wantNote   string
		wantSwaps  int
		wantLocal  bool
		wantErrMsg string
	}{
		{name: "first load", wantSwaps: 1},
		// /vectorstore shows the public reason, not the S3 error itself.
		{name: "sync fails, verified local copy served", syncErr: fmt.Errorf("dial tcp 10.0.0.7: refused: %w", s3sync.ErrUnreachable), usedLocal: true, wantSwaps: 1, wantNote: "Serving the local copy", wantLocal: true, wantErrMsg: "sync: S3 unreachable"},
		{name: "sync fails, unverified local copy not served", syncErr: errors.New("dial tcp: refused"), wantErr: true, wantErrMsg: "no verified local copy"},
		{name: "S3 unreachable reported by syncer", usedLocal: true, wantSwaps: 1, wantNote: "Serving the local copy", wantLocal: true},
		{name: "sync fails, verified copy will not open", syncErr: errors.New("refused"), usedLocal: true, openErr: errors.New("no vector store"), wantErr: true, wantErrMsg: "no vector store"},
		{name: "sync fails after a good load keeps it", prior: true, syncErr: errors.New("checksum mismatch"), wantErr: true, wantSwaps: 1, wantErrMsg: "checksum mismatch"},
		{name: "open fails after a good load keeps it", prior: true, openErr: errors.New("dims 384, embedder 512"), wantErr: true, wantSwaps: 1, wantErrMsg: "dims 384"},
		{name: "reload", prior: true, wantSwaps: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := &harness{version: "v1"}
			l := h.loader(t, true)
			ctx := context.Background()
			if tt.prior {
				if _, _, err := l.Load(ctx); err != nil {
					t.Fatal(err)
				}
			}
			h.syncErr, h.usedLocal, h.openErr, h.version = tt.syncErr, tt.usedLocal, tt.openErr, "v2"
			st, note, err := l.Load(ctx)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !strings.Contains(note, tt.wantNote) || (tt.wantNote == "" && note != "") {
				t.Errorf("note %q, want %q", note, tt.wantNote)
			}
			if len(h.swapped) != tt.wantSwaps {
				t.Errorf("swaps %d, want %d", len(h.swapped), tt.wantSwaps)
			}
			if st.ServingLocal != tt.wantLocal {
				t.Errorf("ServingLocal %v", st.ServingLocal)
			}
			msg := st.LastError
			if err != nil {
				msg += " " + err.Error()
			}
			if tt.wantErrMsg != "" && !strings.Contains(msg, tt.wantErrMsg) {
				t.Errorf("error/status %q lacks %q", msg, tt.wantErrMsg)
			}
			status := l.Status()
			if tt.wantSwaps == 0 && status != nil {
				t.Errorf("status %+v before any successful load", status)
			}
			if tt.wantSwaps > 0 {
				if status == nil || status.Count != 3 || status.Source != "s3://bucket/prefix" {
					t.Fatalf("status %+v", status)
				}
				wantVersion := "v2"
				if tt.prior && tt.wantErr {
					wantVersion = "v1" // the old store is still the one served
				}
				if status.Version != wantVersion {
					t.Errorf("version %q, want %q", status.Version, wantVersion)
				}
			}
		})
	}
}

func TestLoad_ReloadCountAndClearedError(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1"}
	l := h.loader(t, true)
	ctx := context.Background()
	l.Load(ctx)
	h.syncErr, h.usedLocal = errors.New("boom"), true
	l.Load(ctx)
	if st := l.Status(); st.LastError == "" || st.LastErrorAt == nil {
		t.Fatalf("failure not recorded: %+v", st)
	}
	h.syncErr, h.usedLocal = nil, false
	l.Load(ctx)
	st := l.Status()
	if st.LastError != "" || st.Reloads != 1 || st.LastSyncAt == nil {
		t.Errorf("after recovery: %+v", st)
	}
}

func TestLoad_NoSyncUsesFolder(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1"}
	l := h.loader(t, false)
	if _, note, err := l.Load(context.Background()); err != nil || note != "" {
		t.Fatalf("%q %v", note, err)
	}
	if l.Status().LastSyncAt != nil {
		t.Errorf("no sync configured, yet a sync time was recorded")
	}
}

func TestPoll_ReloadsUntilCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := &harness{version: "v1"}
		l := h.loader(t, true)
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { l.Poll(ctx, time.Minute); close(done) }()
		time.Sleep(3*time.Minute + time.Second)
		synctest.Wait()
		if got := h.syncs.Load(); got != 3 {
			t.Errorf("polled %d times in 3 intervals, want 3", got)
		}
		cancel()
		<-done
	})
}

func TestPoll_StopEndsIt(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := &harness{version: "v1"}
		l := h.loader(t, true)
		done := make(chan struct{})
		go func() { l.Poll(t.Context(), time.Minute); close(done) }()
		time.Sleep(time.Minute + time.Second)
		l.Stop()
		<-done
		if got := h.syncs.Load(); got != 1 {
			t.Errorf("polled %d times, want 1", got)
		}
	})
}

func TestNew_RequiresWiring(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); err == nil {
		t.Fatal("want error")
	}
}

// TestLoad_ReadinessFollowsEveryLoad: every successful load marks the
// service ready with its note; a failed one leaves readiness alone.
func TestLoad_ReadinessFollowsEveryLoad(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1", syncErr: errors.New("refused"), usedLocal: true}
	l := h.loader(t, true)
	check := func(step string, wantOK bool, wantDetail string) {
		t.Helper()
		ok, detail := l.Readiness().Check()
		if ok != wantOK || !strings.Contains(detail, wantDetail) || (wantDetail == "" && detail != "") {
			t.Errorf("%s: ready=%v detail=%q, want %v %q", step, ok, detail, wantOK, wantDetail)
		}
	}
	check("before any load", false, "Loading the vector store")
	ctx := context.Background()
	l.Load(ctx) // local copy
	check("local copy", true, "local copy")
	h.syncErr, h.usedLocal, h.openErr = nil, false, errors.New("bad")
	l.Load(ctx) // failure: readiness and its note stay
	check("failed load", true, "local copy")
	h.openErr = nil
	l.Load(ctx) // clean reload clears the note
	check("clean reload", true, "")
}

// graphlessStore is a LangChain store opened with an exact index, large
// enough that it NeedsGraph.
func graphlessStore(t *testing.T, version string) *store.Store {
	t.Helper()
	n, dims := store.ExactThreshold+1, 4
	idx, err := ann.NewFlat(dims, ann.L2, make([]float32, n*dims))
	if err != nil {
		t.Fatal(err)
	}
	return &store.Store{Format: store.FormatLangChain, Chunks: make([]docmodel.Chunk, n), Index: idx, LoadedAt: time.Now(),
		Manifest: store.Manifest{Version: version, Index: &store.IndexInfo{Type: "flat"}}}
}

func TestLoad_BackgroundUpgrade(t *testing.T) {
	t.Parallel()
	for _, superseded := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) { checkBackgroundUpgrade(t, superseded) })
	}
}

func checkBackgroundUpgrade(t *testing.T, superseded bool) {
	flatStore := func(version string) *store.Store { return graphlessStore(t, version) }
	var swapped []*store.Store
	release := make(chan struct{})
	version := "v1"
	l, err := New(Config{
		Dir: t.TempDir(),
		Opener: fakeOpener{
			open: func(context.Context, string) (*store.Store, error) { return flatStore(version), nil },
			upgrade: func(_ context.Context, st *store.Store) (*store.Store, error) {
				<-release
				c := *st
				c.Manifest.Index = &store.IndexInfo{Type: "hnsw"}
				return &c, nil
			},
		},
		Swapper: swapFunc(func(st *store.Store) error { swapped = append(swapped, st); return nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := l.Status(); st.Index != "flat" {
		t.Fatalf("served before the graph: %q", st.Index)
	}
	if superseded {
		version = "v2"
		// The graph of v1 finishes after v2 (another flat store) is loaded:
		// v1's graph must not replace v2.
		// The v1 graph is released only once everything else in the
		// bubble, the v2 load included, has run as far as it can.
		go func() { synctest.Wait(); close(release) }()
		if _, _, err := l.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
	} else {
		close(release)
	}
	l.Wait()
	var versions []string
	for _, st := range swapped {
		versions = append(versions, st.Manifest.Version+"/"+st.Manifest.Index.Type)
	}
	want := "v1/flat v1/hnsw"
	if superseded {
		want = "v1/flat v2/flat v2/hnsw"
	}
	if got := strings.Join(versions, " "); got != want {
		t.Errorf("superseded=%v: swaps %q, want %q", superseded, got, want)
	}
	if st := l.Status(); st.Index != "hnsw" {
		t.Errorf("status index %q after upgrade", st.Index)
	}
}

func TestLoad_UnchangedStoreIsNotReopened(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1"}
	l := h.loader(t, true)
	ctx := context.Background()
	if _, _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	h.unchanged = true
	for i := 0; i < 3; i++ {
		if _, _, err := l.Load(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.swapped) != 1 || l.Status().Reloads != 0 || l.Status().LastSyncAt == nil {
		t.Fatalf("unchanged polls reopened the store: %d swaps, status %+v", len(h.swapped), l.Status())
	}
	// Same "unchanged" answer but another version (the folder was replaced
	// by a sync whose load then failed): it must be loaded.
	h.version = "v2"
	if _, _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.swapped) != 2 || l.Status().Version != "v2" {
		t.Fatalf("new version not loaded: %d swaps, version %q", len(h.swapped), l.Status().Version)
	}
}

func TestClose_CancelsBackgroundUpgrade(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		started := make(chan struct{})
		var sawCancel atomic.Bool
		l, err := New(Config{
			Dir: t.TempDir(),
			Opener: fakeOpener{
				open: func(context.Context, string) (*store.Store, error) { return graphlessStore(t, "v1"), nil },
				upgrade: func(ctx context.Context, st *store.Store) (*store.Store, error) {
					close(started)
					<-ctx.Done()
					sawCancel.Store(true)
					return nil, ctx.Err()
				},
			},
			Swapper: swapFunc(func(*store.Store) error { return nil }),
		})
		if err != nil {
			t.Fatal(err)
		}
		reqCtx, cancelReq := context.WithCancel(context.Background())
		if _, _, err := l.Load(reqCtx); err != nil {
			t.Fatal(err)
		}
		cancelReq() // the request that triggered the load ends: the build goes on
		<-started
		synctest.Wait() // the build has run as far as it can without a cancel
		if sawCancel.Load() {
			t.Fatal("the build was tied to the request's context")
		}
		l.Close()
		if !sawCancel.Load() {
			t.Fatal("Close did not cancel the build")
		}
	})
}

func TestLoad_FailedOpenAfterSyncIsRetried(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1"}
	l := h.loader(t, true)
	ctx := context.Background()
	if _, _, err := l.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// v2 is synced (changed) but will not open; the next poll says
	// "unchanged, v2": it must try to open it again, not call it served.
	h.version, h.openErr = "v2", errors.New("dims 384, embedder 512")
	if _, _, err := l.Load(ctx); err == nil {
		t.Fatal("want the open error")
	}
	h.unchanged = true
	if _, _, err := l.Load(ctx); err == nil {
		t.Fatal("an unchanged but unloadable version was taken as served")
	}
	if st := l.Status(); st.Version != "v1" || st.LastError == "" {
		t.Errorf("status %+v, want v1 still served with the error recorded", st)
	}
	h.openErr = nil
	if _, _, err := l.Load(ctx); err != nil || l.Status().Version != "v2" {
		t.Fatalf("fixed store not loaded: %v, %+v", err, l.Status())
	}
}

func TestClose_DoesNotWaitForALoadAndStopsNewUpgrades(t *testing.T) {
	t.Parallel()
	syncing := make(chan struct{})
	var upgrades atomic.Int32
	l, err := New(Config{
		Dir: t.TempDir(),
		Syncer: syncFunc(func(ctx context.Context, _ string) (s3sync.Result, error) {
			close(syncing)
			<-ctx.Done() // a sync that only ends when cancelled
			return s3sync.Result{}, ctx.Err()
		}),
		Opener: fakeOpener{
			open:    func(context.Context, string) (*store.Store, error) { return graphlessStore(t, "v1"), nil },
			upgrade: func(ctx context.Context, st *store.Store) (*store.Store, error) { upgrades.Add(1); return st, nil },
		},
		Swapper: swapFunc(func(*store.Store) error { return nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := l.Load(ctx); done <- err }()
	<-syncing
	closed := make(chan struct{})
	go func() { l.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the load in progress")
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled load reported success")
	}
	if upgrades.Load() != 0 {
		t.Errorf("an upgrade started after Close")
	}
}

// ctxSwapper records the request id of the context each Swap gets.
type ctxSwapper struct{ ids []string }

func (c *ctxSwapper) Swap(ctx context.Context, _ *store.Store) error {
	c.ids = append(c.ids, logctx.RequestID(ctx))
	return nil
}

// TestLoad_SwapsWithTheLoadsContext: Swap gets the load's context, so
// the swap's log line carries an admin reload's request id.
func TestLoad_SwapsWithTheLoadsContext(t *testing.T) {
	t.Parallel()
	h := &harness{version: "v1"}
	l := h.loader(t, false)
	sw := &ctxSwapper{}
	l.cfg.Swapper = sw
	if _, _, err := l.Load(logctx.WithRequest(t.Context(), "rid-reload", "")); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sw.ids, []string{"rid-reload"}) {
		t.Errorf("Swap saw request ids %q, want the load's", sw.ids)
	}
}
