package ingest

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestProgressBar_RateAndETA(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := newProgressBar(&buf, "embedding", 100)
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
