package lcpickle

import (
	"context"
	"fmt"
	"math"
)

// ErrBudget marks a pickle that would cost more memory or work than
// Options.MaxBytes allows. It also wraps ErrFormat: no real LangChain
// docstore comes near the budget.
var ErrBudget = fmt.Errorf("lcpickle: over the load budget: %w", ErrFormat)

// DefaultMaxBytes is the budget when Options.MaxBytes is zero.
const DefaultMaxBytes = 1 << 30

// Options bounds a decode. The zero value uses DefaultMaxBytes and a text
// cost of 1.
type Options struct {
	// MaxBytes bounds what the docstore may cost, in bytes: the file
	// itself, every value, container and memo entry the decoder builds
	// at its size in Go (sim.go's byte costs), every value the decoder
	// touches (a string or container counted again at each reference
	// through the memo and at each operation that walks it), each
	// document's page_content times TextCost, and the metadata as it
	// would be encoded in JSON (shared values counted at every
	// reference). Zero is DefaultMaxBytes.
	MaxBytes int64
	// TextCost is what one byte of page_content costs once loaded (the
	// chunk text and what indexes it); 0 or 1 counts the bytes once.
	TextCost int64

	// onCheck, for tests, is called at every cancellation check.
	onCheck func()
}

// checkEvery is how many units of work (opcodes, converted values) pass
// between two cancellation checks.
const checkEvery = 1024

// meter charges work and memory against the budget and checks for
// cancellation every checkEvery ticks.
type meter struct {
	ctx     context.Context
	used    int64
	limit   int64
	ticks   int
	onCheck func()
}

func newMeter(ctx context.Context, o Options) *meter {
	limit := o.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	return &meter{ctx: ctx, limit: limit, onCheck: o.onCheck}
}

// charge adds n (saturating) and fails past the limit.
func (m *meter) charge(n int64) error {
	if n > math.MaxInt64-m.used {
		m.used = math.MaxInt64
	} else {
		m.used += n
	}
	if m.used > m.limit {
		return fmt.Errorf("the docstore would cost more than %d bytes (the load budget; STORE_LOAD_MAX_BYTES raises it): %w", m.limit, ErrBudget)
	}
	return nil
}

// tick counts one unit of work and, every checkEvery, reports the
// context's error.
func (m *meter) tick() error {
	m.ticks++
	if m.ticks%checkEvery != 0 {
		return nil
	}
	return m.check()
}

// check reports the context's error now.
func (m *meter) check() error {
	if m.onCheck != nil {
		m.onCheck()
	}
	if m.ctx == nil {
		return nil
	}
	if err := m.ctx.Err(); err != nil {
		return fmt.Errorf("lcpickle: %w", err)
	}
	return nil
}

// sat adds without overflowing.
func sat(a, b int64) int64 {
	if b > math.MaxInt64-a {
		return math.MaxInt64
	}
	return a + b
}

// satMul multiplies non-negative a and b without overflowing.
func satMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}
