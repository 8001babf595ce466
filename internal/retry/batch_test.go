package retry

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// A build's rate limits reset each minute: the Batch policy must ride out
// a run of 429s and a Retry-After of minutes that the request path's
// default policy gives up on.
func TestDo_BatchPolicy(t *testing.T) {
	t.Parallel()
	limited := errors.New("openai: status 429: rate limit")
	tests := []struct {
		name      string
		fails     int           // transient failures before success; -1: never succeeds
		after     time.Duration // Retry-After of each failure
		wantCalls int           // 0: fails+1
		wantErr   bool
		minTook   time.Duration
		maxTook   time.Duration
	}{
		{name: "16 429s in a row", fails: 16, minTook: time.Second, maxTook: 15 * time.Minute},
		{name: "Retry-After 30s", fails: 1, after: 30 * time.Second, minTook: 30 * time.Second, maxTook: 31 * time.Second},
		{name: "Retry-After 5m", fails: 1, after: 5 * time.Minute, minTook: 5 * time.Minute, maxTook: 5*time.Minute + time.Second},
		{name: "Retry-After beyond 5m stops at once", fails: -1, after: 6 * time.Minute, wantCalls: 1, wantErr: true, maxTook: 0},
		{name: "a provider that stays down stops within 15m", fails: -1, wantErr: true, minTook: 14 * time.Minute, maxTook: 15 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				start := time.Now()
				calls := 0
				err := Do(context.Background(), Batch(), func(context.Context, int) error {
					calls++
					if tc.fails < 0 || calls <= tc.fails {
						return Transient(limited, tc.after)
					}
					return nil
				})
				took := time.Since(start)
				if (err != nil) != tc.wantErr {
					t.Fatalf("err = %v, want error %v", err, tc.wantErr)
				}
				if err != nil && !errors.Is(err, limited) {
					t.Errorf("err = %v, want the provider's error", err)
				}
				want := tc.wantCalls
				if want == 0 && tc.fails >= 0 {
					want = tc.fails + 1
				}
				if want > 0 && calls != want {
					t.Errorf("calls = %d, want %d", calls, want)
				}
				if took < tc.minTook || took > tc.maxTook {
					t.Errorf("took %v, want %v..%v", took, tc.minTook, tc.maxTook)
				}
			})
		})
	}
}

// One worker's 429 with Retry-After pauses the others sharing the
// policy's Throttle: they would only spend the limit again before it
// resets.
func TestDo_ThrottleSharedAcrossCallers(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := Batch()
		start := time.Now()
		var mu sync.Mutex
		var attempts []time.Duration // start of each attempt of the other callers
		// The first caller is told to wait 30 s.
		var wg sync.WaitGroup
		wg.Go(func() {
			first := true
			if err := Do(context.Background(), p, func(context.Context, int) error {
				if first {
					first = false
					return Transient(errors.New("429"), 30*time.Second)
				}
				return nil
			}); err != nil {
				t.Errorf("throttled caller: %v", err)
			}
		})
		synctest.Wait() // it is now waiting out its Retry-After
		for range 3 {
			wg.Go(func() {
				if err := Do(context.Background(), p, func(context.Context, int) error {
					mu.Lock()
					attempts = append(attempts, time.Since(start))
					mu.Unlock()
					return nil
				}); err != nil {
					t.Errorf("other caller: %v", err)
				}
			})
		}
		wg.Wait()
		for _, at := range attempts {
			if at < 30*time.Second {
				t.Errorf("another caller's attempt at %v, inside the 30 s pause", at)
			}
		}
		// Callers with their own policy (no throttle) are not held back.
		before := time.Now()
		if err := Do(context.Background(), Policy{}, func(context.Context, int) error { return nil }); err != nil || time.Since(before) != 0 {
			t.Errorf("unthrottled call: err %v, waited %v", err, time.Since(before))
		}
	})
}

// A pause ends early when the caller's context does.
func TestDo_ThrottleHonoursContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := Batch()
		p.Throttle.pause(time.Minute)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		calls := 0
		err := Do(ctx, p, func(context.Context, int) error { calls++; return nil })
		if !errors.Is(err, context.DeadlineExceeded) || calls != 0 {
			t.Fatalf("err %v after %d calls, want the deadline before any call", err, calls)
		}
	})
}

// TestDo_MaxElapsedExcludesThrottle: MaxElapsed counts this call's own
// failures, not the time it waited behind a pause another caller's
// Retry-After set (the second diff review: five minutes behind the
// throttle used up a third of a build's fifteen).
func TestDo_MaxElapsedExcludesThrottle(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		p := Policy{MaxAttempts: Forever, BaseDelay: time.Second, MaxDelay: time.Second, NoJitter: true,
			MaxElapsed: time.Minute, MaxRetryAfter: 10 * time.Minute, Throttle: &Throttle{}}
		p.Throttle.pause(5 * time.Minute)
		failures := 3
		err := Do(context.Background(), p, func(context.Context, int) error {
			if failures > 0 {
				failures--
				return Transient(errors.New("503"), 0)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("three failures a second apart after a 5-minute pause: %v", err)
		}
	})
}
