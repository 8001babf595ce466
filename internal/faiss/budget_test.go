package faiss

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestReadContext_Budget(t *testing.T) {
	t.Parallel()
	const d, n = 64, 1000 // 256,000 bytes of vectors
	b := flatL2(d, n, d*n, make([]float32, d*n))
	tests := []struct {
		name   string
		budget int64
		want   error
	}{
		{"no bound", 0, nil},
		{"room", 300_000, nil},
		{"too small", 200_000, ErrBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			idx, err := ReadContext(context.Background(), bytes.NewReader(b), int64(len(b)), tt.budget)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if err == nil && len(idx.Vectors) != d*n {
				t.Fatalf("%d values", len(idx.Vectors))
			}
		})
	}
}

// TestReadContext_Cancel: a cancelled read stops at the check where it
// sees the cancellation, counted through the hook, not timed.
func TestReadContext_Cancel(t *testing.T) {
	t.Parallel()
	const d, n = 64, 4096 // 1 MiB of vectors: 16 chunks
	b := flatL2(d, n, d*n, make([]float32, d*n))
	total := 0
	if _, err := read(context.Background(), bytes.NewReader(b), int64(len(b)), 0, func() { total++ }); err != nil {
		t.Fatal(err)
	}
	if total < 2 {
		t.Fatalf("%d checks while reading 1 MiB", total)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	checks := 0
	_, err := read(ctx, bytes.NewReader(b), int64(len(b)), 0, func() {
		checks++
		cancel()
	})
	if !errors.Is(err, context.Canceled) || checks != 1 {
		t.Fatalf("err %v after %d checks, want context.Canceled at the first", err, checks)
	}
}
