package soak

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseGauge_Cases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       int
		wantErr    bool
	}{
		{"Plain", "# HELP go_goroutines n\n# TYPE go_goroutines gauge\ngo_goroutines 12\n", 12, false},
		{"Float", "go_goroutines 1.2e+01\n", 12, false},
		{"PrefixNotTaken", "go_goroutines_total 99\ngo_goroutines 7\n", 7, false},
		{"Missing", "go_threads 9\n", 0, true},
		{"Garbage", "go_goroutines many\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseGauge(strings.NewReader(tt.text), "go_goroutines")
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseGauge = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseVmRSS_Cases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, status string
		want         int64
		wantErr      bool
	}{
		{"Real", "Name:\tapi\nVmPeak:\t  900 kB\nVmRSS:\t   51200 kB\nThreads:\t9\n", 51200 << 10, false},
		{"NoLine", "Name:\tapi\n", 0, true},
		{"OtherUnit", "VmRSS:\t 50 MB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseVmRSS([]byte(tt.status))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseVmRSS = %d, %v; want %d, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// TestReportCheck_Bounds feeds Check sample series that stay flat, leak
// goroutines or grow RSS, and requests that failed, and expects exactly
// the violations named.
func TestReportCheck_Bounds(t *testing.T) {
	t.Parallel()
	const mb = 1 << 20
	series := func(g func(i int) int, rss func(i int) int64) []Sample {
		var out []Sample
		for i := range 30 {
			out = append(out, Sample{At: time.Duration(i) * time.Second, Goroutines: g(i), RSS: rss(i)})
		}
		return out
	}
	flatG := func(i int) int { return 10 + i%3 }
	flatRSS := func(i int) int64 { return int64(50+i%4) * mb }
	tests := []struct {
		name    string
		samples []Sample
		failed  int
		drain   *DrainResult
		want    []string // substrings of the error; none: nil
	}{
		{"Flat", series(flatG, flatRSS), 0, &DrainResult{Answered: 10}, nil},
		{"WarmupIgnored", series(func(i int) int {
			if i < 5 {
				return 200
			}
			return 10
		}, flatRSS), 0, nil, nil},
		// A busy last third: most samples catch requests in flight, the
		// floor stays.
		{"InFlightSpikes", series(func(i int) int {
			if i >= 20 && i%3 != 0 {
				return 30
			}
			return 10
		}, flatRSS), 0, nil, nil},
		{"GoroutineLeak", series(func(i int) int { return 10 + i }, flatRSS), 0, nil, []string{"goroutines grew"}},
		{"RSSGrowth", series(flatG, func(i int) int64 { return int64(50+3*i) * mb }), 0, nil, []string{"RSS grew"}},
		{"FailedRequests", series(flatG, flatRSS), 2, nil, []string{"2 search requests failed"}},
		{"TooFewSamples", series(flatG, flatRSS)[:6], 0, nil, []string{"fewer than 3 samples"}},
		{"DrainResets", series(flatG, flatRSS), 0, &DrainResult{Answered: 5, Resets: 1, ExitCode: 1},
			[]string{"1 requests reset", "exit code 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Duration: 30 * time.Second, Warmup: 5 * time.Second, Publish: nil}
			opts.setDefaults()
			rep := newReport(opts)
			rep.Took = opts.Duration
			rep.Samples = tt.samples
			rep.Drain = tt.drain
			for range 5 {
				rep.record("search", time.Millisecond, nil)
			}
			for range tt.failed {
				rep.record("search", time.Millisecond, errors.New("500 Internal Server Error"))
			}
			rep.record("reload", time.Millisecond, nil)
			err := rep.Check()
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("Check = %v, want nil", err)
				}
			} else {
				for _, w := range tt.want {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("Check = %v, want it to say %q", err, w)
					}
				}
			}
			var buf bytes.Buffer
			rep.WriteTable(&buf)
			if !strings.Contains(buf.String(), "search") {
				t.Errorf("table lacks the search row:\n%s", buf.String())
			}
		})
	}
}

// FuzzParsers feeds arbitrary text to both parsers of server output (the
// metrics exposition and /proc/PID/status): a value or an error, never a
// panic, and a value only from a line that carries it.
func FuzzParsers(f *testing.F) {
	f.Add("# TYPE go_goroutines gauge\ngo_goroutines 12\n")
	f.Add("Name:\tapi\nVmRSS:\t   51200 kB\n")
	f.Add("go_goroutines 1e400\nVmRSS: -1 kB\n")
	f.Fuzz(func(t *testing.T, s string) {
		if g, err := parseGauge(strings.NewReader(s), "go_goroutines"); err == nil && !strings.Contains(s, "go_goroutines ") {
			t.Fatalf("parseGauge = %d from text without the metric", g)
		}
		if rss, err := parseVmRSS([]byte(s)); err == nil && (!strings.Contains(s, "VmRSS:") || rss%1024 != 0) {
			t.Fatalf("parseVmRSS = %d from %q", rss, s)
		}
	})
}
