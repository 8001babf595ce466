package ingest

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progressBar draws "label [#####-----] n/total" on one terminal line,
// redrawn at most every 100 ms. It is safe for concurrent use.
type progressBar struct {
	w     io.Writer
	label string
	total int
	done  atomic.Int64
	mu    sync.Mutex
	last  time.Time
}

func newProgressBar(w io.Writer, label string, total int) *progressBar {
	return &progressBar{w: w, label: label, total: total}
}

// Add records n more finished items.
func (p *progressBar) Add(n int) {
	d := p.done.Add(int64(n))
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) >= 100*time.Millisecond || int(d) == p.total {
		p.draw(int(d))
		p.last = time.Now()
	}
}

// Done draws the final state and ends the line.
func (p *progressBar) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.draw(int(p.done.Load()))
	fmt.Fprintln(p.w)
}

func (p *progressBar) draw(done int) {
	const width = 30
	filled := 0
	if p.total > 0 {
		filled = done * width / p.total
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '-'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d", p.label, bar, done, p.total)
}
