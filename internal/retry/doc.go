// Package retry implements retries of upstream calls: exponential backoff
// with full jitter, Retry-After honoured, context-aware waits, plus the
// HTTP helpers the embedders and generators share (sending one attempt,
// classifying statuses, and turning an error body into a short reason
// with secrets scrubbed).
//
// # Model
//
// [Do] runs an attempt function until it succeeds, returns an error not
// marked [Transient], the attempts run out, or ctx is done. Attempt n (from
// 1) that fails transiently is followed by a wait drawn uniformly from
// (0, min(MaxDelay, BaseDelay·2^(n-1))] ("full jitter"), raised to the
// server's Retry-After when that is longer. A Retry-After longer than
// MaxRetryAfter (by default MaxDelay) ends the retries at once rather
// than parking the caller, and MaxElapsed, when set, bounds the time
// spent on one call's failures.
// MaxAttempts [Forever] retries until success, a final error or ctx; with
// NoJitter the waits are the ceilings themselves (a start-up load retried
// every 2s, 4s, ... up to a minute is Policy{MaxAttempts: Forever,
// BaseDelay: 2 * time.Second, MaxDelay: time.Minute, NoJitter: true}).
// [Policy.OnRetry], when set, hears of each retry before its wait (for
// logging).
//
// The zero policy suits a request path, where someone waits: 4
// attempts, waits of at most 20 s. [Batch] suits a long batch job such as
// a store's build: it keeps trying for up to 15 minutes of consecutive
// failure and honours a Retry-After of up to 5 minutes, and its
// [Throttle] makes one caller's Retry-After hold back every caller
// sharing the policy, so concurrent workers stop spending a rate limit
// that one of them has been told is used up.
//
// [Send] performs one HTTP attempt and classifies the outcome: a transport
// error is transient unless the caller's ctx is done; 429 and 5xx (except
// 501) are transient; other non-2xx statuses are final. Either way a
// non-2xx answer becomes a [*HTTPError] whose Reason is at most 200 runes
// from the body's error message, with API keys and bearer tokens scrubbed.
//
// # Concurrency and ownership
//
// Everything here is safe for concurrent use and, but for a [Throttle]'s
// pause, stateless. [Send] closes
// the body of a non-2xx response; the caller owns and must close the body
// of a 2xx response.
package retry
