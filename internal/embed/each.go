package embed

import (
	"context"
	"sync"
	"sync/atomic"
)

// Each calls fn(i) for every i in [0, n), spread over up to workers
// goroutines (1 or less: the calling one), for the in-process models that
// embed texts one by one. ctx is checked before each call; once it is
// done no new call starts and Each returns ctx.Err() after the running
// ones finish. fn must be safe for concurrent use.
func Each(ctx context.Context, n, workers int, fn func(i int)) error {
	var next atomic.Int64
	var stop atomic.Bool
	work := func() {
		for !stop.Load() {
			i := int(next.Add(1)) - 1
			if i >= n {
				return
			}
			if ctx.Err() != nil {
				stop.Store(true)
				return
			}
			fn(i)
		}
	}
	if workers = min(workers, n); workers <= 1 {
		work()
	} else {
		var wg sync.WaitGroup
		for range workers {
			wg.Go(work)
		}
		wg.Wait()
	}
	if stop.Load() {
		return ctx.Err()
	}
	return nil
}
