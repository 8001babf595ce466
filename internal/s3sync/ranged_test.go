package s3sync

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vendor0919/api/internal/s3test"
)

// newRangedSyncer is newTestSyncer with a small part size, so a few KB
// object is fetched as many ranges.
func newRangedSyncer(t *testing.T, srv *s3test.Server, endpoint, prefix string, attempts int, partSize int64, partConc int) *Syncer {
	t.Helper()
	s, err := New(context.Background(), Config{
		URI:             "s3://" + srv.Bucket + "/" + prefix,
		Client:          s3test.NewClient(endpoint, srv.AccessKey, srv.SecretKey),
		MaxAttempts:     attempts,
		RetryBase:       10 * time.Millisecond,
		RetryMax:        50 * time.Millisecond,
		Concurrency:     3,
		PartSize:        partSize,
		PartConcurrency: partConc,
		Logger:          slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// noise returns n bytes that never repeat with a short period, so a part
// written at the wrong offset cannot go unnoticed.
func noise(seed uint64, n int) string {
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return string(b)
}

// rangeLog records the Range header of every GET of one key.
type rangeLog struct {
	mu     sync.Mutex
	ranges []string
}

func (l *rangeLog) add(r string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ranges = append(l.ranges, r)
}

func (l *rangeLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ranges)
}

func TestSync_RangedDownloadByteIdentical(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		size      int
		partSize  int64
		wantParts int // GETs of vectors.f32
	}{
		{"not a multiple of the part", 10_500, 1000, 11},
		{"exact multiple", 8000, 1000, 8},
		{"one byte over a part", 1001, 1000, 2},
		{"fits one part: a single GET", 1000, 1000, 1},
		{"one part in flight at a time", 5_555, 700, 8},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := maps.Clone(v1Files)
			files["vectors.f32"] = noise(uint64(i+1), tt.size)
			srv := s3test.Start(t)
			seedNative(t, srv, "p", "v1", files)
			px := newProxy(t, srv.Endpoint)
			var log rangeLog
			px.set(func(r *http.Request) int {
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/p/vectors.f32") {
					log.add(r.Header.Get("Range"))
				}
				return 0
			}, nil)
			conc := 4
			if strings.Contains(tt.name, "one part in flight") {
				conc = 1
			}
			s := newRangedSyncer(t, srv, px.URL, "p", 1, tt.partSize, conc)
			parent := t.TempDir()
			dst := filepath.Join(parent, "vs")
			res, err := s.Sync(context.Background(), dst)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := readTree(t, dst), withManifest(t, "v1", files); !maps.Equal(got, want) {
				t.Fatal("synced folder differs from the objects")
			}
			if res.Bytes != int64(len(files["vectors.f32"])+len(files["chunks.jsonl"])+len(files["graph.hnsw"])) {
				t.Errorf("Bytes = %d", res.Bytes)
			}
			ranges := log.get()
			if len(ranges) != tt.wantParts {
				t.Fatalf("%d GETs of vectors.f32 (%v), want %d", len(ranges), ranges, tt.wantParts)
			}
			if tt.wantParts == 1 && ranges[0] != "" {
				t.Errorf("single GET sent Range %q", ranges[0])
			}
			if tt.wantParts > 1 && !slices.Contains(ranges, "bytes=1000-1000") && tt.size == 1001 {
				t.Errorf("last part not asked for: %v", ranges)
			}
			assertOnly(t, parent, "vs")
		})
	}
}

// TestSync_FailingRangeRetried fails one range twice (a 503, then a body
// cut short) and checks that only that range is fetched again, within one
// sync attempt, and that the result is byte-identical.
func TestSync_FailingRangeRetried(t *testing.T) {
	t.Parallel()
	files := maps.Clone(v1Files)
	files["vectors.f32"] = noise(42, 6000)
	srv := s3test.Start(t)
	seedNative(t, srv, "p", "v1", files)
	px := newProxy(t, srv.Endpoint)
	var log rangeLog
	var fails atomic.Int32
	px.set(func(r *http.Request) int {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/p/vectors.f32") {
			return 0
		}
		log.add(r.Header.Get("Range"))
		if r.Header.Get("Range") == "bytes=2000-2999" && fails.Add(1) == 1 {
			return http.StatusServiceUnavailable
		}
		return 0
	}, func(r *http.Request, resp *http.Response) {
		if r.Header.Get("Range") == "bytes=2000-2999" && fails.Load() == 2 && resp.StatusCode/100 == 2 {
			fails.Add(1)
			// The body ends early: the server has sent the headers and
			// closes the connection 10 bytes into the body.
			resp.Body = struct {
				io.Reader
				io.Closer
			}{io.LimitReader(resp.Body, 10), resp.Body}
		}
	})
	s := newRangedSyncer(t, srv, px.URL, "p", 1, 1000, 3) // MaxAttempts 1: no whole-sync retry
	dst := filepath.Join(t.TempDir(), "vs")
	res, err := s.Sync(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 1 {
		t.Errorf("Attempts = %d, want 1 (the part retried, not the sync)", res.Attempts)
	}
	if got, want := readTree(t, dst), withManifest(t, "v1", files); !maps.Equal(got, want) {
		t.Fatal("synced folder differs from the objects")
	}
	t.Logf("ranges: %v", log.get())
	count := map[string]int{}
	for _, r := range log.get() {
		count[r]++
	}
	for r, n := range count {
		want := 1
		if r == "bytes=2000-2999" {
			want = 3
		}
		if n != want {
			t.Errorf("range %q fetched %d times, want %d (all: %v)", r, n, want, count)
		}
	}
}

// TestSync_ObjectChangedMidDownload replaces the object while its ranges
// are being fetched: the next range's If-Match fails, the attempt fails
// with ErrChanged without retrying the part, and nothing half-written is
// left. With a second attempt allowed, the sync restarts from a fresh
// listing and lands the new version, byte-identical.
func TestSync_ObjectChangedMidDownload(t *testing.T) {
	t.Parallel()
	v2 := maps.Clone(v1Files)
	v2["vectors.f32"] = noise(2, 9000)
	v3 := maps.Clone(v1Files)
	v3["vectors.f32"] = noise(3, 9000) // same size: only the ETag tells
	for _, attempts := range []int{1, 3} {
		t.Run("attempts "+string(rune('0'+attempts)), func(t *testing.T) {
			t.Parallel()
			srv, px, parent, dst := syncedV1(t)
			seedNative(t, srv, "p", "v2", v2)
			var once atomic.Bool
			var changedGETs atomic.Int32
			px.set(func(r *http.Request) int {
				if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/p/vectors.f32") {
					return 0
				}
				if r.Header.Get("Range") == "bytes=3000-3999" && once.CompareAndSwap(false, true) {
					seedNative(t, srv, "p", "v3", v3)
					changedGETs.Add(1)
				}
				return 0
			}, nil)
			s := newRangedSyncer(t, srv, px.URL, "p", attempts, 1000, 2)
			res, err := s.Sync(context.Background(), dst)
			if attempts == 1 {
				if !errors.Is(err, ErrChanged) {
					t.Fatalf("err = %v, want ErrChanged", err)
				}
				if !res.UsedLocal || res.Version != "v1" {
					t.Fatalf("result = %+v, want the local v1", res)
				}
				assertV1Kept(t, parent, dst)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Usually two attempts; three when the second lists the prefix
			// while the hook is still uploading v3's manifest (its GET then
			// fails If-Match too).
			if res.Version != "v3" || res.Attempts < 2 {
				t.Fatalf("result = %+v, want v3 after 2 or 3 attempts", res)
			}
			if got, want := readTree(t, dst), withManifest(t, "v3", v3); !maps.Equal(got, want) {
				t.Fatal("synced folder is not v3")
			}
			assertOnly(t, parent, "vs")
			if changedGETs.Load() != 1 {
				t.Fatal("the object was never changed mid-download")
			}
		})
	}
}
