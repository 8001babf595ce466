package startbench

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestChunks_DeterministicAndSized(t *testing.T) {
	t.Parallel()
	a, b := Chunks(300, 1), Chunks(300, 1)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different chunks")
	}
	if reflect.DeepEqual(a, Chunks(300, 2)) {
		t.Fatal("different seeds, same chunks")
	}
	var total int
	ids := map[string]bool{}
	for _, c := range a {
		total += len(c.Text)
		if c.ID == "" || ids[c.ID] || c.Metadata["heading_path"] == "" {
			t.Fatalf("chunk %+v", c)
		}
		ids[c.ID] = true
	}
	if avg := total / len(a); avg < 390 || avg > 470 {
		t.Fatalf("average text %d bytes, want about 430", avg)
	}
}

func TestFlags_Validate(t *testing.T) {
	t.Parallel()
	ok := Flags{Work: "w", Sizes: "200000,1000000", Binary: "bin/api", Runs: 3}
	tests := []struct {
		name string
		edit func(*Flags)
		bad  bool
	}{
		{"defaults", func(*Flags) {}, false},
		{"no sizes", func(f *Flags) { f.Sizes = "" }, true},
		{"zero size", func(f *Flags) { f.Sizes = "0" }, true},
		{"too large", func(f *Flags) { f.Sizes = "100000000" }, true},
		{"no runs", func(f *Flags) { f.Runs = 0 }, true},
		{"no binary", func(f *Flags) { f.Binary = "" }, true},
	}
	for _, tc := range tests {
		f := ok
		tc.edit(&f)
		if err := f.Validate(); (err != nil) != tc.bad {
			t.Errorf("%s: Validate = %v", tc.name, err)
		}
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	// 200k x 384: 307.2 MB of vectors and 110 MB of text.
	if got, want := Budget(307_200_000, 110_000_000), int64(417_200_000*13/10+80<<20); got != want {
		t.Fatalf("Budget = %d, want %d", got, want)
	}
}

// TestMeasure_ServerThatExitsSaysWhy: a server that exits before ready is
// an error that ends with what it printed last (a crash's stack).
func TestMeasure_ServerThatExitsSaysWhy(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "server")
	script := "#!/bin/sh\nhead -c 20000 /dev/zero | tr '\\0' x\necho\necho 'fatal error: fault' >&2\nexit 2\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil { //nolint:gosec // G306: an executable test script
		t.Fatal(err)
	}
	_, err := Measure(context.Background(), MeasureConfig{Binary: bin})
	if err == nil || !strings.Contains(err.Error(), "exited before ready") || !strings.HasSuffix(strings.TrimSpace(err.Error()), "fatal error: fault") {
		t.Fatalf("Measure: %v", err)
	}
	if len(err.Error()) > 9<<10 {
		t.Fatalf("error of %d bytes: the output's tail is not bounded", len(err.Error()))
	}
}
