package embed

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

func TestEach(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, workers int }{{0, 4}, {1, 4}, {5, 1}, {5, 0}, {100, 3}, {3, 8}} {
		counts := make([]atomic.Int32, tc.n)
		if err := Each(context.Background(), tc.n, tc.workers, func(i int) { counts[i].Add(1) }); err != nil {
			t.Fatalf("n %d workers %d: %v", tc.n, tc.workers, err)
		}
		for i := range counts {
			if c := counts[i].Load(); c != 1 {
				t.Errorf("n %d workers %d: index %d called %d times", tc.n, tc.workers, i, c)
			}
		}
	}
}

// TestEach_Cancelled: a context cancelled part-way stops new calls and is
// reported; one cancelled before the start makes none.
func TestEach_Cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int32
	if err := Each(ctx, 10, 2, func(int) { calls.Add(1) }); !errors.Is(err, context.Canceled) || calls.Load() != 0 {
		t.Errorf("cancelled before: err %v, %d calls", err, calls.Load())
	}
	for _, workers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		calls.Store(0)
		err := Each(ctx, 1000, workers, func(i int) {
			if calls.Add(1) == 3 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) || calls.Load() < 3 || calls.Load() > int32(2+workers) {
			t.Errorf("workers %d, cancelled on the third call: err %v, %d calls", workers, err, calls.Load())
		}
	}
}

// TestEach_PanicReachesTheCaller: a panic in fn is raised in the caller's
// goroutine, where the HTTP recoverer answers 500; raised in a worker it
// would end the process (this test's binary would crash instead of fail).
func TestEach_PanicReachesTheCaller(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{1, 4} {
		var calls atomic.Int32
		got := func() (v any) {
			defer func() { v = recover() }()
			_ = Each(context.Background(), 1000, workers, func(i int) {
				calls.Add(1)
				if i == 3 {
					panic(errors.New("bad input"))
				}
			})
			return nil
		}()
		if got == nil {
			t.Fatalf("workers %d: no panic reached the caller", workers)
		}
		if err, ok := got.(error); !ok || !strings.Contains(err.Error(), "bad input") {
			t.Errorf("workers %d: panic value %v", workers, got)
		}
		if c := calls.Load(); c >= 1000 {
			t.Errorf("workers %d: %d calls: the others did not stop", workers, c)
		}
	}
}
