package soak

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Defaults used when the matching Options field is zero.
const (
	DefaultDuration    = 10 * time.Minute
	DefaultRate        = 20.0
	DefaultWorkers     = 8
	DefaultReloadEvery = 30 * time.Second
	DefaultSampleEvery = 5 * time.Second
	// DefaultGoroutineGrowth is Bounds.Goroutines' default: the last third's
	// floor (minimum) may exceed the first third's by this many goroutines
	// (connection churn moves the floor by a few; a leak of one per reload,
	// per stream or per hundred requests does not stay within it).
	DefaultGoroutineGrowth = 10
	// DefaultRSSGrowth and DefaultRSSSlack are Bounds' RSS defaults: the
	// last third's mean may exceed the first third's by 20 % plus 16 MiB
	// (GC pacing and a reload's second store for a moment move RSS by a few
	// MiB; a leak of a store per reload or a buffer per request exceeds it).
	DefaultRSSGrowth = 0.20
	DefaultRSSSlack  = 16 << 20
)

// requestTimeout bounds every request the soak sends.
const requestTimeout = 30 * time.Second

// maxBody caps how much of a response body is read.
const maxBody = 4 << 20

// Target is the server under soak.
type Target struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// PID is the server's process id, for /proc/PID/status.
	PID int
	// AdminToken is the server's ADMIN_TOKEN, for /admin/reload.
	AdminToken string
}

// Bounds are the allowed growths between the first and the last third of
// the samples taken after the warm-up.
type Bounds struct {
	// Goroutines is the allowed growth of the floor of go_goroutines.
	// Zero means DefaultGoroutineGrowth.
	Goroutines float64
	// RSSGrowth is the allowed relative growth of the mean VmRSS. Zero
	// means DefaultRSSGrowth.
	RSSGrowth float64
	// RSSSlack is added to the allowed RSS growth, in bytes. Zero means
	// DefaultRSSSlack.
	RSSSlack int64
}

// Options configures Run. Only Publish is required.
type Options struct {
	// Duration is how long traffic runs. Zero means DefaultDuration.
	Duration time.Duration
	// Rate is the number of requests per second, all kinds together.
	// Zero means DefaultRate.
	Rate float64
	// Workers is the number of concurrent clients. Zero means
	// DefaultWorkers.
	Workers int
	// ReloadEvery is the period of publish + /admin/reload. Zero means
	// DefaultReloadEvery.
	ReloadEvery time.Duration
	// SampleEvery is the period of the goroutine and RSS samples. Zero
	// means DefaultSampleEvery.
	SampleEvery time.Duration
	// Warmup is how long samples are ignored for the flatness checks.
	// Zero means a tenth of Duration, at most a minute.
	Warmup time.Duration
	// Bounds are the flatness limits.
	Bounds Bounds
	// Publish publishes edition n (1, 2, ...) of the store where the
	// server syncs from and returns its version label.
	Publish func(ctx context.Context, n int) (version string, err error)
	// Logf, if set, receives progress lines.
	Logf func(format string, args ...any)
}

func (o *Options) setDefaults() {
	if o.Duration <= 0 {
		o.Duration = DefaultDuration
	}
	if o.Rate <= 0 {
		o.Rate = DefaultRate
	}
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.ReloadEvery <= 0 {
		o.ReloadEvery = DefaultReloadEvery
	}
	if o.SampleEvery <= 0 {
		o.SampleEvery = DefaultSampleEvery
	}
	if o.Warmup <= 0 {
		o.Warmup = min(o.Duration/10, time.Minute)
	}
	if o.Bounds.Goroutines <= 0 {
		o.Bounds.Goroutines = DefaultGoroutineGrowth
	}
	if o.Bounds.RSSGrowth <= 0 {
		o.Bounds.RSSGrowth = DefaultRSSGrowth
	}
	if o.Bounds.RSSSlack <= 0 {
		o.Bounds.RSSSlack = DefaultRSSSlack
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Run sends mixed traffic to tgt for opts.Duration while publishing and
// reloading the store every opts.ReloadEvery and sampling goroutines and
// RSS. It returns the Report; an error means the soak could not run (bad
// options, ctx cancelled), not that a check failed: see Report.Check.
func Run(ctx context.Context, tgt Target, opts Options) (*Report, error) {
	if opts.Publish == nil {
		return nil, errors.New("soak: run: Options.Publish is required")
	}
	opts.setDefaults()
	rep := newReport(opts)
	client := &http.Client{
		Timeout:   requestTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: opts.Workers, MaxConnsPerHost: opts.Workers + 2},
	}
	defer client.CloseIdleConnections()

	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	start := time.Now()
	rep.Started = start

	jobs := make(chan int)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Go(func() {
			for n := range jobs {
				k := mix[n%len(mix)]
				t0 := time.Now()
				err := k.do(ctx, client, tgt.URL, n)
				if ctx.Err() != nil && err != nil {
					continue // cut by the end of the soak, not by the server
				}
				rep.record(k.name, time.Since(t0), err)
			}
		})
	}
	wg.Go(func() { reloadLoop(ctx, client, tgt, opts, rep) })
	wg.Go(func() { sampleLoop(ctx, client, tgt, opts, rep, start) })

	tick := time.NewTicker(time.Duration(float64(time.Second) / opts.Rate))
	defer tick.Stop()
	progress := time.NewTicker(time.Minute)
	defer progress.Stop()
	n := 0
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-progress.C:
			opts.Logf("soak: %s: %s", time.Since(start).Round(time.Second), rep.progress())
		case <-tick.C:
			select {
			case jobs <- n:
				n++
			default:
				rep.skip() // every worker busy: the server is slower than the rate
			}
		}
	}
	close(jobs)
	wg.Wait()
	rep.Took = time.Since(start)
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return rep, fmt.Errorf("soak: run: %w", err)
	}
	return rep, nil
}
