package ingest

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progressBar draws "label [####------] done/total rate ETA" on one line,
// redrawn at most every 100ms; plain, for a log rather than a terminal,
// it prints "label: done/total chunks, rate, ETA" lines at most every
// plainEvery instead. Rate and ETA count only the work done since Start
// (chunks found in the cache are not embedding speed).
type progressBar struct {
	w     io.Writer
	label string
	total int
	plain bool
	now   func() time.Time

	mu    sync.Mutex
	done  int
	base  int // done at Start
	start time.Time
	last  time.Time
	shown int           // done as the last plain line gave it
	stop  chan struct{} // ends the plain ticker (Done)
}

// plainEvery spaces plain progress lines: a CI log of a build of hours
// shows it alive without a line per batch.
const plainEvery = 30 * time.Second

func newProgressBar(w io.Writer, label string, total int, plain bool) *progressBar {
	return &progressBar{w: w, label: label, total: total, plain: plain, now: time.Now}
}

// Start marks the work done so far as done before timing began; a plain
// bar then also prints a line whenever plainEvery passes without one, until
// Done: a batch slower than that (Ollama on a CPU, a call retried after a
// wait) would leave the log silent, which looks like a hang.
func (p *progressBar) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.base, p.start = p.done, p.now()
	if p.plain && p.stop == nil {
		p.stop = make(chan struct{})
		go p.tick(p.stop)
	}
}

func (p *progressBar) tick(stop <-chan struct{}) {
	t := time.NewTicker(plainEvery / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		p.mu.Lock()
		select {
		case <-stop: // Done ran while this waited for the lock
			p.mu.Unlock()
			return
		default:
		}
		p.lineIfDue(p.now(), cmp.Or(p.last, p.start))
		p.mu.Unlock()
	}
}

// lineIfDue prints a plain line at now when plainEvery has passed since
// since (the last line, or the start before any).
func (p *progressBar) lineIfDue(now, since time.Time) {
	if now.Sub(since) >= plainEvery {
		p.line(now)
		p.last = now
	}
}

// Add records n more items done; safe for concurrent use.
func (p *progressBar) Add(n int) {
	if n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	t := p.now()
	if p.plain {
		if p.last.IsZero() {
			p.last = t // the first line after plainEvery, not at once
		}
		p.lineIfDue(t, p.last)
		return
	}
	if t.Sub(p.last) >= 100*time.Millisecond || p.done == p.total {
		p.draw(t)
		p.last = t
	}
}

// Done draws the final state and ends the line.
func (p *progressBar) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	if p.plain {
		if p.shown != p.done || p.last.IsZero() {
			p.line(p.now()) // unless the last line already said it all
		}
		return
	}
	p.draw(p.now())
	fmt.Fprintln(p.w)
}

// line prints one plain progress line.
func (p *progressBar) line(now time.Time) {
	p.shown = p.done
	fmt.Fprintf(p.w, "%s: %d/%d chunks%s\n", p.label, p.done, p.total, p.speed(now))
}

func (p *progressBar) draw(now time.Time) {
	const width = 30
	filled := 0
	if p.total > 0 {
		filled = p.done * width / p.total
	}
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '-'
		if i < filled {
			bar[i] = '#'
		}
	}
	// \x1b[K clears what a longer previous line left (the bar is only
	// drawn on terminals).
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s] %d/%d%s", p.label, bar, p.done, p.total, p.speed(now))
}

// speed returns " 12.5/s ETA 1m4s" once there is a rate to report.
func (p *progressBar) speed(now time.Time) string {
	el := now.Sub(p.start)
	n := p.done - p.base
	if p.start.IsZero() || n <= 0 || el <= 0 {
		return ""
	}
	rate := float64(n) / el.Seconds()
	if p.done >= p.total {
		return fmt.Sprintf(" %.1f/s", rate)
	}
	left := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
	return fmt.Sprintf(" %.1f/s ETA %s", rate, left.Round(time.Second))
}

// IsTerminal reports whether w is a character device such as a terminal,
// where a redrawn progress line makes sense; a pipe, file or buffer is
// not, and gets no progress bar.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ForMessages returns w for lines printed while a progress bar may be
// drawn on it: on a terminal each write first clears the bar's line
// ("\r\x1b[K"), so a warning or a retry's wait is not written into the
// middle of the bar and half overwritten by its next redraw, which starts
// on the line below; elsewhere w itself.
func ForMessages(w io.Writer) io.Writer {
	if !IsTerminal(w) {
		return w
	}
	return clearLine{w}
}

type clearLine struct{ w io.Writer }

func (c clearLine) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, "\r\x1b[K"); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
