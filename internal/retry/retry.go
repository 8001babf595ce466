package retry

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Forever, as Policy.MaxAttempts, retries until an attempt succeeds or
// returns a final error, or ctx is done: a service that cannot start without
// a resource keeps trying, its waits capped by MaxDelay.
const Forever = math.MaxInt

// Policy says how often and how long to retry. The zero value is usable.
type Policy struct {
	// MaxAttempts is the total number of attempts, the first included.
	// Zero means 4; 1 disables retries; [Forever] never gives up.
	MaxAttempts int
	// BaseDelay is the backoff ceiling after the first failure; it doubles
	// with each further failure. Zero means 250ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff wait. Zero means 20s.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After honoured: a server that
	// asks for a longer wait stops the retries at once rather than
	// parking the caller. Zero means MaxDelay, which suits a caller with
	// a user waiting; a batch job whose provider's limits reset each
	// minute can afford minutes.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds the time from the first attempt until the next
	// one would start, less any wait behind the Throttle (another
	// caller's pause is no failure of this one's): a wait that would end
	// past it is not taken, and the last error is returned. It bounds MaxAttempts [Forever] by
	// time, so a long batch job rides out an outage of a few minutes
	// but not a provider that stays down. Zero means no bound.
	MaxElapsed time.Duration
	// Throttle, if set, is a pause shared by every Do that holds it, e.g.
	// a build's concurrent workers calling one provider: a transient
	// failure with a Retry-After pauses them all until it has passed,
	// instead of letting the others keep spending the rate limit. Nil
	// means each call waits for itself only.
	Throttle *Throttle
	// NoJitter makes each wait the full ceiling min(MaxDelay,
	// BaseDelay·2^(n-1)) instead of a uniform draw below it: for a single
	// caller retrying its own resource (a start-up load), where there is
	// no herd of clients to spread out and a predictable schedule reads
	// better in the logs. False means full jitter.
	NoJitter bool
	// OnRetry, if set, is called by Do before each wait with the failed
	// attempt's number (from 1), the wait, and its error (transient mark
	// removed), e.g. to log the retry. It runs on Do's goroutine and
	// should not block. Nil means no call.
	OnRetry func(n int, wait time.Duration, err error)
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 250 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 20 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = p.MaxDelay
	}
	return p
}

// Validate reports a negative field.
func (p Policy) Validate() error {
	if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 || p.MaxElapsed < 0 {
		return errors.New("retry: negative policy field")
	}
	return nil
}

type transientError struct {
	err   error
	after time.Duration
}

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// Transient marks err as worth retrying, after at least the given delay
// (zero: backoff only). It returns nil for a nil err.
func Transient(err error, after time.Duration) error {
	if err == nil {
		return nil
	}
	return &transientError{err: err, after: after}
}

// IsTransient reports whether err (or an error it wraps) was marked by
// [Transient], and the Retry-After it carries.
func IsTransient(err error) (time.Duration, bool) {
	var t *transientError
	if errors.As(err, &t) {
		return t.after, true
	}
	return 0, false
}

type maxAttemptsKey struct{}

// WithMaxAttempts returns a context under which Do makes at most n
// attempts (n at least 1), whatever its policy allows: for a best-effort
// call whose caller has a fallback, such as a question's rewrite, where
// waiting out retries costs more than falling back. The policy belongs to
// the client deep below the caller, so the cap travels with the call.
func WithMaxAttempts(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, maxAttemptsKey{}, max(n, 1))
}

// Do calls attempt until it returns nil or a non-transient error, the
// policy's attempts or MaxElapsed are used up, or ctx is done. It returns
// nil, the final error with its transient mark removed (prefixed with the
// attempt count when more than one attempt ran), or ctx.Err() when ctx
// ended the wait or the attempt. attempt receives ctx and the attempt
// number, from 1. With a Throttle, each attempt first waits out its
// pause.
func Do(ctx context.Context, p Policy, attempt func(ctx context.Context, n int) error) error {
	p = p.withDefaults()
	if n, ok := ctx.Value(maxAttemptsKey{}).(int); ok {
		p.MaxAttempts = min(p.MaxAttempts, n)
	}
	start := time.Now()
	var paused time.Duration // behind the Throttle: no failure of this call's
	for n := 1; ; n++ {
		waited, err := p.Throttle.wait(ctx)
		if err != nil {
			return err
		}
		paused += waited
		err = attempt(ctx, n)
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		after, ok := IsTransient(err)
		if !ok {
			return err
		}
		err = unmark(err)
		wait := max(Backoff(p, n), after)
		if n >= p.MaxAttempts || after > p.MaxRetryAfter ||
			(p.MaxElapsed > 0 && time.Since(start)-paused+wait > p.MaxElapsed) {
			if n == 1 {
				return err
			}
			return fmt.Errorf("after %d attempts: %w", n, err)
		}
		if after > 0 {
			// The server named its limit's reset: the other callers
			// sharing the throttle would only draw more refusals before it.
			p.Throttle.pause(after)
		}
		if p.OnRetry != nil {
			p.OnRetry(n, wait, err)
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx is done, returning ctx.Err() then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Throttle is a pause shared by the calls of [Do] whose Policy holds it
// (Policy.Throttle): a Retry-After one of them hears holds back the
// next attempt of every one. The zero value is ready; it is safe for
// concurrent use. A nil *Throttle never pauses.
type Throttle struct {
	mu    sync.Mutex
	until time.Time
}

// pause holds attempts back until d from now, unless a longer pause is
// already set.
func (t *Throttle) pause(d time.Duration) {
	if t == nil {
		return
	}
	until := time.Now().Add(d)
	t.mu.Lock()
	defer t.mu.Unlock()
	if until.After(t.until) {
		t.until = until
	}
}

// wait returns how long it waited once the pause has passed (at once
// without one), or ctx.Err() when ctx is done first. A pause set while it
// waits is waited out too.
func (t *Throttle) wait(ctx context.Context) (time.Duration, error) {
	if t == nil {
		return 0, nil
	}
	start := time.Now()
	for {
		t.mu.Lock()
		d := time.Until(t.until)
		t.mu.Unlock()
		if d <= 0 {
			return time.Since(start), nil
		}
		if err := sleep(ctx, d); err != nil {
			return time.Since(start), err
		}
	}
}

// Backoff returns the full-jitter wait after failed attempt n (from 1):
// uniform in (0, min(MaxDelay, BaseDelay·2^(n-1))], never zero; with
// NoJitter, that ceiling itself.
func Backoff(p Policy, n int) time.Duration {
	p = p.withDefaults()
	ceil := p.BaseDelay
	for i := 1; i < n && ceil < p.MaxDelay; i++ {
		ceil *= 2
	}
	ceil = min(ceil, p.MaxDelay)
	if p.NoJitter {
		return ceil
	}
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

// unmark strips transient marks from the top of err's chain. A mark
// buried under a wrapper is left in place; it is harmless there.
func unmark(err error) error {
	for {
		t, ok := err.(*transientError) //nolint:errorlint // only marks at the top of the chain are stripped
		if !ok {
			return err
		}
		err = t.err
	}
}

// Batch returns the policy of a batch job that calls a rate-limited
// provider for a long time, such as a store's build: its provider's limits
// reset each minute, and nobody waits on one call. It retries transient
// failures for up to 15 minutes of consecutive failure (backoff from 1s,
// doubling to a minute), honours a Retry-After of up to 5 minutes, and
// shares one new Throttle among every call that uses the returned
// policy. A request path keeps the zero policy: latency beats patience
// there.
func Batch() Policy {
	return Policy{
		MaxAttempts:   Forever,
		BaseDelay:     time.Second,
		MaxDelay:      time.Minute,
		MaxRetryAfter: 5 * time.Minute,
		MaxElapsed:    15 * time.Minute,
		Throttle:      &Throttle{},
	}
}
