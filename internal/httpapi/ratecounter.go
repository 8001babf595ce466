package httpapi

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/go-chi/httprate"
)

// maxRateKeys is the most clients (keys) a rate counter tracks in one
// window. httprate's in-memory counter holds an entry for every key seen
// in the current and the last window, so its memory grew with the
// distinct addresses, forwarded-for values or tokens a flood could send;
// at this bound a counter's two windows hold at most some 10 MB (9.4 MB
// measured with both full), whatever arrives.
const maxRateKeys = 1 << 17

// boundedCounter is httprate's in-memory LimitCounter (the current and the
// last window's counts per key, windows aligned to the wall clock) with a
// bound: a window tracks at most maxKeys keys. Past it, a key not yet
// tracked in the window is not counted and dropped is called: such a
// client is let through rather than refused, as refusing every client
// not yet seen would turn a flood of new addresses into a denial of
// service for everyone, and a flood spread over that many addresses is
// beyond any per-client limit anyway. Clients already tracked keep their
// counts and limits.
//
// Keys are hashed with a seed chosen per process, so that no client can
// craft keys that collide with another's count.
type boundedCounter struct {
	maxKeys int
	dropped func()
	seed    maphash.Seed

	mu       sync.RWMutex
	window   time.Duration
	latest   time.Time // the window latestN counts
	latestN  map[uint64]int
	previous map[uint64]int
}

var _ httprate.LimitCounter = (*boundedCounter)(nil)

// newBoundedCounter returns a counter of windows of length window that
// tracks at most maxKeys keys in each and calls dropped (if not nil) for
// each increment it does not record.
func newBoundedCounter(window time.Duration, maxKeys int, dropped func()) *boundedCounter {
	return &boundedCounter{
		maxKeys: maxKeys, dropped: dropped, seed: maphash.MakeSeed(),
		window: window, latest: time.Now().UTC().Truncate(window),
		latestN: map[uint64]int{}, previous: map[uint64]int{},
	}
}

func (c *boundedCounter) hash(key string) uint64 { return maphash.String(c.seed, key) }

// Config is called by httprate.NewRateLimiter with its window.
func (c *boundedCounter) Config(_ int, window time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.window = window
	c.latest = time.Now().UTC().Truncate(window)
}

func (c *boundedCounter) Increment(key string, currentWindow time.Time) error {
	return c.IncrementBy(key, currentWindow, 1)
}

func (c *boundedCounter) IncrementBy(key string, currentWindow time.Time, amount int) error {
	c.add(key, currentWindow, amount)
	return nil
}

// add counts amount for key in currentWindow and reports whether it was
// counted: false past the bound, for a key not tracked in the window.
func (c *boundedCounter) add(key string, currentWindow time.Time, amount int) bool {
	h := c.hash(key)
	c.mu.Lock()
	c.shift(currentWindow)
	n, tracked := c.latestN[h]
	counted := tracked || len(c.latestN) < c.maxKeys
	if counted {
		c.latestN[h] = n + amount
	}
	c.mu.Unlock()
	if !counted && c.dropped != nil {
		c.dropped()
	}
	return counted
}

func (c *boundedCounter) Get(key string, currentWindow, previousWindow time.Time) (int, int, error) {
	h := c.hash(key)
	c.mu.RLock()
	defer c.mu.RUnlock()
	switch {
	case c.latest.Equal(currentWindow):
		return c.latestN[h], c.previous[h], nil
	case c.latest.Equal(previousWindow):
		return 0, c.latestN[h], nil
	}
	return 0, 0, nil
}

// shift moves the counts to currentWindow: the latest window's become the
// previous one's if it is the window before, else both are dropped. The
// maps are reused, their size bounded by maxKeys. Callers hold mu.
func (c *boundedCounter) shift(currentWindow time.Time) {
	if c.latest.Equal(currentWindow) {
		return
	}
	clear(c.previous)
	if c.latest.Equal(currentWindow.Add(-c.window)) {
		c.latestN, c.previous = c.previous, c.latestN
	} else {
		clear(c.latestN)
	}
	c.latest = currentWindow
}
