package embed

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Each calls fn(i) for every i in [0, n), spread over up to workers
// goroutines (1 or less: the calling one), for the in-process models that
// embed texts one by one. ctx is checked before each call; once it is
// done no new call starts and Each returns ctx.Err() after the running
// ones finish. fn must be safe for concurrent use. A panic in fn stops the
// other workers and is raised again in the caller's goroutine once they
// have finished, where the HTTP server's recoverer answers it: raised in
// a worker it would end the process.
func Each(ctx context.Context, n, workers int, fn func(i int)) error {
	var next atomic.Int64
	var stop atomic.Bool
	var panicked atomic.Pointer[workerPanic]
	work := func() {
		defer func() {
			if v := recover(); v != nil {
				stop.Store(true)
				panicked.CompareAndSwap(nil, &workerPanic{value: v, stack: debug.Stack()})
			}
		}()
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
	if p := panicked.Load(); p != nil {
		panic(p)
	}
	if stop.Load() {
		return ctx.Err()
	}
	return nil
}

// workerPanic is a panic of one of Each's workers, with the worker's stack
// (the caller's, where it is raised again, does not show fn).
type workerPanic struct {
	value any
	stack []byte
}

func (p *workerPanic) Error() string {
	return fmt.Sprintf("embed: panic in a worker: %v\n%s", p.value, p.stack)
}

// Unwrap gives the panic's value when it was an error.
func (p *workerPanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}
