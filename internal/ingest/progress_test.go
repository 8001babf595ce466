package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

func TestProgressBar_RateAndETA(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgressBar(&buf, "embedding", 100, false)
	p.now = func() time.Time { return now }
	p.Add(20) // from the cache: not counted in the rate
	p.Start()
	now = now.Add(10 * time.Second)
	p.Add(40) // 4/s, 40 left: 10s
	if got := buf.String(); !strings.HasSuffix(got, "embedding [##################------------] 60/100 4.0/s ETA 10s") {
		t.Fatalf("progress %q", got)
	}
	now = now.Add(50 * time.Millisecond)
	buf.Reset()
	p.Add(1)
	if buf.Len() != 0 {
		t.Fatalf("redrew within 100ms: %q", buf.String())
	}
	p.Done()
	if got := buf.String(); !strings.Contains(got, "61/100") || !strings.HasSuffix(got, "\n") {
		t.Fatalf("final line %q", got)
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) || IsTerminal(&bytes.Buffer{}) {
		t.Fatal("a file or a buffer taken for a terminal")
	}
}

// TestProgressBar_Plain: off a terminal (a CI log) progress is a plain
// line at most every 30 s, and a last one at the end, never a redrawn bar.
func TestProgressBar_Plain(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgressBar(&buf, "embedding", 100, true)
	p.now = func() time.Time { return now }
	p.Add(20) // from the cache
	p.Start()
	steps := []struct {
		after time.Duration
		add   int
		want  string // "" for no line
	}{
		{10 * time.Second, 10, ""},
		{21 * time.Second, 30, "embedding: 60/100 chunks 1.3/s ETA 31s\n"}, // 31 s after the first Add
		{29 * time.Second, 10, ""},
		{2 * time.Second, 10, "embedding: 80/100 chunks 1.0/s ETA 21s\n"},
	}
	for i, s := range steps {
		buf.Reset()
		now = now.Add(s.after)
		p.Add(s.add)
		if got := buf.String(); got != s.want {
			t.Fatalf("step %d: printed %q, want %q", i, got, s.want)
		}
	}
	// Done adds a last line for what came after the last one, and does
	// not repeat one that already said it all.
	now = now.Add(time.Second)
	buf.Reset()
	p.Add(20)
	p.Done()
	if got := buf.String(); got != "embedding: 100/100 chunks 1.3/s\n" {
		t.Fatalf("last line %q", got)
	}
	buf.Reset()
	p.Done()
	if buf.Len() != 0 {
		t.Fatalf("Done repeated the last line: %q", buf.String())
	}
}

// TestProgressBar_PlainTicks: a plain bar prints a line every plainEvery
// even while no batch finishes (a slow embedder, a retried call), and
// nothing after Done.
func TestProgressBar_PlainTicks(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		p := newProgressBar(&buf, "embedding", 10, true)
		p.Start()
		time.Sleep(2*plainEvery + plainEvery/2)
		synctest.Wait()
		p.Done()
		time.Sleep(2 * plainEvery)
		synctest.Wait()
		if got, want := buf.String(), strings.Repeat("embedding: 0/10 chunks\n", 2); got != want {
			t.Errorf("printed %q, want %q", got, want)
		}
	})
}

// TestForMessages: a message printed over a terminal's bar first clears
// the bar's line; off a terminal it is written as it is.
func TestForMessages(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if w := ForMessages(&buf); w != io.Writer(&buf) {
		t.Errorf("off a terminal: %T, want the writer itself", w)
	}
	fmt.Fprintf(clearLine{&buf}, "warning: %s\n", "x")
	if got := buf.String(); got != "\r\x1b[Kwarning: x\n" {
		t.Errorf("on a terminal: %q", got)
	}
}
