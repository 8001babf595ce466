package soak

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// maxFailures caps the failure messages a Report keeps (all are counted).
const maxFailures = 20

// Stats counts one kind of request.
type Stats struct {
	OK, Failed int
	Latencies  []time.Duration // of every request, answered or not
}

// Quantile returns the q-quantile (0..1) of the latencies, or 0.
func (s Stats) Quantile(q float64) time.Duration {
	if len(s.Latencies) == 0 {
		return 0
	}
	l := slices.Clone(s.Latencies)
	slices.Sort(l)
	return l[min(len(l)-1, int(q*float64(len(l))))]
}

// Report is what Run measured.
type Report struct {
	Started time.Time
	Took    time.Duration
	Opts    Options
	// Skipped counts ticks that found every worker busy.
	Skipped int
	// Kinds holds the stats per kind of request, "reload" and "metrics"
	// (the sampler's scrapes) included.
	Kinds map[string]*Stats
	// Failures holds the first failure messages, "kind: error".
	Failures []string
	// Samples are the goroutine and RSS readings in time order.
	Samples []Sample
	// Drain is DrainUnderLoad's result, once it ran.
	Drain *DrainResult

	mu sync.Mutex
}

func newReport(opts Options) *Report {
	return &Report{Opts: opts, Kinds: map[string]*Stats{}}
}

func (r *Report) record(kind string, took time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.Kinds[kind]
	if s == nil {
		s = &Stats{}
		r.Kinds[kind] = s
	}
	s.Latencies = append(s.Latencies, took)
	if err == nil {
		s.OK++
		return
	}
	s.Failed++
	r.addFailure(kind, err)
}

// fail records a failure that is not a request (a sample that could not be
// read).
func (r *Report) fail(kind string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addFailure(kind, err)
}

func (r *Report) addFailure(kind string, err error) {
	if len(r.Failures) < maxFailures {
		r.Failures = append(r.Failures, kind+": "+err.Error())
	}
}

func (r *Report) skip() {
	r.mu.Lock()
	r.Skipped++
	r.mu.Unlock()
}

func (r *Report) addSample(s Sample) {
	r.mu.Lock()
	r.Samples = append(r.Samples, s)
	r.mu.Unlock()
}

// progress is one line for the log: totals so far and the last sample.
func (r *Report) progress() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ok, failed := 0, 0
	for _, s := range r.Kinds {
		ok += s.OK
		failed += s.Failed
	}
	last := ""
	if n := len(r.Samples); n > 0 {
		s := r.Samples[n-1]
		last = fmt.Sprintf(", %d goroutines, RSS %.1f MiB", s.Goroutines, mib(s.RSS))
	}
	return fmt.Sprintf("%d ok, %d failed, %d skipped%s", ok, failed, r.Skipped, last)
}

// Flatness compares the first and the last third of the samples taken
// after the warm-up. Goroutines are compared by their floor (the
// minimum): a sample taken while many requests are in flight counts
// their goroutines too, and a busy machine makes that common, while a
// leak raises the floor. RSS is compared by its mean, as the GC's sawtooth
// has no floor worth the name.
type Flatness struct {
	Samples                         int     // samples after the warm-up
	FirstGoroutines, LastGoroutines float64 // means
	FirstFloor, LastFloor           int     // minimums of go_goroutines
	FirstRSS, LastRSS               float64 // means, bytes
	MaxGoroutines                   int
	MaxRSS                          int64
}

// ErrTooFewSamples is returned by Report.Flatness with fewer than three
// samples after the warm-up.
var ErrTooFewSamples = errors.New("soak: fewer than 3 samples after the warm-up")

// Flatness computes the means of the first and last third of the samples
// taken after the warm-up.
func (r *Report) Flatness() (Flatness, error) {
	var after []Sample
	for _, s := range r.Samples {
		if s.At >= r.Opts.Warmup {
			after = append(after, s)
		}
	}
	f := Flatness{Samples: len(after)}
	if len(after) < 3 {
		return f, ErrTooFewSamples
	}
	third := len(after) / 3
	mean := func(ss []Sample) (g, rss float64) {
		for _, s := range ss {
			g += float64(s.Goroutines)
			rss += float64(s.RSS)
		}
		return g / float64(len(ss)), rss / float64(len(ss))
	}
	f.FirstGoroutines, f.FirstRSS = mean(after[:third])
	f.LastGoroutines, f.LastRSS = mean(after[len(after)-third:])
	f.FirstFloor, f.LastFloor = after[0].Goroutines, after[len(after)-1].Goroutines
	for i, s := range after {
		if i < third {
			f.FirstFloor = min(f.FirstFloor, s.Goroutines)
		}
		if i >= len(after)-third {
			f.LastFloor = min(f.LastFloor, s.Goroutines)
		}
		f.MaxGoroutines = max(f.MaxGoroutines, s.Goroutines)
		f.MaxRSS = max(f.MaxRSS, s.RSS)
	}
	return f, nil
}

// Check returns nil if no request failed, every reload succeeded,
// goroutines and RSS stayed within Bounds and, if DrainUnderLoad ran, no
// connection was reset; otherwise an error naming every violation.
func (r *Report) Check() error {
	var errs []error
	total := 0
	for _, name := range r.kindOrder() {
		s := r.Kinds[name]
		total += s.OK
		if s.Failed > 0 {
			errs = append(errs, fmt.Errorf("%d %s requests failed", s.Failed, name))
		}
	}
	if total == 0 {
		errs = append(errs, errors.New("no request answered"))
	}
	if len(r.Failures) > 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%d failures outside requests", len(r.Failures)))
	}
	if s := r.Kinds["reload"]; r.Took >= r.Opts.ReloadEvery && (s == nil || s.OK == 0) {
		errs = append(errs, errors.New("no reload succeeded"))
	}
	f, err := r.Flatness()
	if err != nil {
		errs = append(errs, err)
	} else {
		b := r.Opts.Bounds
		if g := float64(f.LastFloor - f.FirstFloor); g > b.Goroutines {
			errs = append(errs, fmt.Errorf("goroutines grew: floor %d -> %d (means %.1f -> %.1f), bound +%.0f",
				f.FirstFloor, f.LastFloor, f.FirstGoroutines, f.LastGoroutines, b.Goroutines))
		}
		if limit := f.FirstRSS*(1+b.RSSGrowth) + float64(b.RSSSlack); f.LastRSS > limit {
			errs = append(errs, fmt.Errorf("RSS grew from %.1f to %.1f MiB, bound %.1f MiB",
				mib(int64(f.FirstRSS)), mib(int64(f.LastRSS)), mib(int64(limit))))
		}
	}
	if d := r.Drain; d != nil {
		if d.Resets > 0 {
			errs = append(errs, fmt.Errorf("%d requests reset or cut during the drain", d.Resets))
		}
		if d.ExitCode != 0 {
			errs = append(errs, fmt.Errorf("exit code %d after SIGTERM", d.ExitCode))
		}
		if d.Answered == 0 {
			errs = append(errs, errors.New("no request answered during the drain"))
		}
	}
	return errors.Join(errs...)
}

// kindOrder lists the kinds present, known ones first.
func (r *Report) kindOrder() []string {
	var out []string
	for _, k := range append(slices.Clone(kindNames), "reload") {
		if r.Kinds[k] != nil {
			out = append(out, k)
		}
	}
	for k := range r.Kinds {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// WriteTable writes the summary: one row per kind of request, then the
// flatness figures, the drain and any failures.
func (r *Report) WriteTable(w io.Writer) {
	o := r.Opts
	fmt.Fprintf(w, "soak: %s at %.0f req/s, %d workers, reload every %s, sample every %s, warm-up %s; %d ticks skipped (all workers busy)\n",
		r.Took.Round(time.Second), o.Rate, o.Workers, o.ReloadEvery, o.SampleEvery, o.Warmup, r.Skipped)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tok\tfailed\tp50 ms\tp99 ms\tmax ms\t")
	for _, name := range r.kindOrder() {
		s := r.Kinds[name]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.1f\t\n", name, s.OK, s.Failed,
			ms(s.Quantile(0.5)), ms(s.Quantile(0.99)), ms(s.Quantile(1)))
	}
	_ = tw.Flush()
	total := 0
	for _, name := range kindNames[:len(kindNames)-1] { // requests of the mix, not the sampler's
		if s := r.Kinds[name]; s != nil {
			total += s.OK + s.Failed
		}
	}
	if r.Took > 0 {
		fmt.Fprintf(w, "traffic: %d requests, %.1f req/s achieved\n", total, float64(total)/r.Took.Seconds())
	}
	if f, err := r.Flatness(); err != nil {
		fmt.Fprintf(w, "flatness: %v\n", err)
	} else {
		b := o.Bounds
		fmt.Fprintf(w, "goroutines (%d samples after warm-up): floor first third %d, last third %d (means %.1f, %.1f), max %d; bound +%.0f on the floor\n",
			f.Samples, f.FirstFloor, f.LastFloor, f.FirstGoroutines, f.LastGoroutines, f.MaxGoroutines, b.Goroutines)
		fmt.Fprintf(w, "RSS: first third %.1f MiB, last third %.1f MiB, max %.1f MiB; bound +%.0f%% +%.0f MiB\n",
			mib(int64(f.FirstRSS)), mib(int64(f.LastRSS)), mib(f.MaxRSS), 100*b.RSSGrowth, mib(b.RSSSlack))
	}
	if d := r.Drain; d != nil {
		fmt.Fprintf(w, "drain: %d answered (%d 503), %d clients told to close, %d refused after close, %d reset or cut; exit %d in %s\n",
			d.Answered, d.Unavailable, d.Told, d.Refused, d.Resets, d.ExitCode, d.Took.Round(time.Millisecond))
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(w, "first failures:\n  %s\n", strings.Join(r.Failures, "\n  "))
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mib(b int64) float64        { return float64(b) / (1 << 20) }
