package httpapi

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-chi/httprate"
)

// TestBoundedCounter_MatchesHTTPRate holds boundedCounter, under its bound,
// to httprate's own in-memory counter: the same increments across windows
// (the next one, one skipped, an old one asked about) give the same counts.
func TestBoundedCounter_MatchesHTTPRate(t *testing.T) {
	t.Parallel()
	const window = time.Minute
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 1))
			want := httprate.NewLocalLimitCounter(window)
			got := newBoundedCounter(window, 1000, func() { t.Error("dropped an increment under the bound") })
			start := time.Now().UTC().Truncate(window)
			want.Config(10, window)
			got.Config(10, window)
			cur := start
			for step := range 2000 {
				switch rng.IntN(20) {
				case 0:
					cur = cur.Add(window)
				case 1:
					cur = cur.Add(2 * window)
				}
				key := fmt.Sprintf("addr:10.0.0.%d", rng.IntN(50))
				if rng.IntN(2) == 0 {
					n := rng.IntN(3) + 1
					_ = want.IncrementBy(key, cur, n)
					_ = got.IncrementBy(key, cur, n)
					continue
				}
				asked := cur.Add(-time.Duration(rng.IntN(3)) * window)
				wc, wp, _ := want.Get(key, asked, asked.Add(-window))
				gc, gp, _ := got.Get(key, asked, asked.Add(-window))
				if wc != gc || wp != gp {
					t.Fatalf("step %d: Get(%s) = %d, %d; httprate's %d, %d", step, key, gc, gp, wc, wp)
				}
			}
		})
	}
}

// TestBoundedCounter_Bound: past maxKeys clients in a window a new one is
// not counted (and reported), the tracked ones still are, and the next
// window tracks new clients again.
func TestBoundedCounter_Bound(t *testing.T) {
	t.Parallel()
	const window = time.Minute
	dropped := 0
	c := newBoundedCounter(window, 3, func() { dropped++ })
	cur := time.Now().UTC().Truncate(window)
	for _, k := range []string{"a", "b", "c", "a"} {
		if !c.add(k, cur, 1) {
			t.Fatalf("%s not counted under the bound", k)
		}
	}
	if c.add("d", cur, 1) || dropped != 1 {
		t.Fatalf("a fourth client was counted (dropped %d)", dropped)
	}
	if n, _, _ := c.Get("d", cur, cur.Add(-window)); n != 0 {
		t.Errorf("untracked client has count %d", n)
	}
	_ = c.IncrementBy("a", cur, 1)
	if n, _, _ := c.Get("a", cur, cur.Add(-window)); n != 3 {
		t.Errorf("tracked client has count %d, want 3", n)
	}
	next := cur.Add(window)
	if !c.add("d", next, 1) {
		t.Error("the next window does not track a new client")
	}
	if n, p, _ := c.Get("a", next, cur); n != 0 || p != 3 {
		t.Errorf("a in the next window: %d, %d; want 0, 3", n, p)
	}
	if len(c.latestN)+len(c.previous) > 2*3 {
		t.Errorf("holds %d entries, bound 6", len(c.latestN)+len(c.previous))
	}
}
