package soak

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sample is one reading of the server's goroutines and resident memory.
type Sample struct {
	At         time.Duration // since Run started
	Goroutines int           // go_goroutines from /metrics
	RSS        int64         // VmRSS in bytes
}

// sampleLoop samples at opts.SampleEvery until ctx ends; a failed sample
// counts as a failed "metrics" request.
func sampleLoop(ctx context.Context, c *http.Client, tgt Target, opts Options, rep *Report, start time.Time) {
	tick := time.NewTicker(opts.SampleEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		t0 := time.Now()
		g, err := scrapeGoroutines(ctx, c, tgt.URL)
		if ctx.Err() != nil {
			return
		}
		rep.record("metrics", time.Since(t0), err)
		if err != nil {
			continue
		}
		rss, err := readRSS(tgt.PID)
		if err != nil {
			rep.fail("rss", err)
			continue
		}
		rep.addSample(Sample{At: time.Since(start), Goroutines: g, RSS: rss})
	}
}

// scrapeGoroutines reads go_goroutines from base's /metrics.
func scrapeGoroutines(ctx context.Context, c *http.Client, base string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("/metrics: %s", resp.Status)
	}
	return parseGauge(io.LimitReader(resp.Body, maxBody), "go_goroutines")
}

// parseGauge returns the value of the unlabelled metric name in a
// Prometheus text exposition.
func parseGauge(r io.Reader, name string) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		rest, ok := bytes.CutPrefix(line, []byte(name))
		if !ok || len(rest) == 0 || rest[0] != ' ' {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(string(rest)), 64)
		if err != nil {
			return 0, fmt.Errorf("metric %s: %w", name, err)
		}
		return int(f), nil
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("read metrics: %w", err)
	}
	return 0, fmt.Errorf("metric %s not found", name)
}

// readRSS returns the VmRSS of process pid in bytes.
func readRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("soak: rss: %w", err)
	}
	return parseVmRSS(b)
}

// parseVmRSS reads the "VmRSS:   1234 kB" line of /proc/PID/status.
func parseVmRSS(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmRSS:"))
		if !ok {
			continue
		}
		f := strings.Fields(string(rest))
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("soak: rss: unexpected VmRSS line %q", bytes.TrimSpace(line))
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("soak: rss: %w", err)
		}
		return kb << 10, nil
	}
	return 0, errors.New("soak: rss: no VmRSS line")
}
