package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/httprate"
	"github.com/prometheus/client_golang/prometheus"
)

// rateLimitHeaders are the headers httprate sets, which a browser may read
// (cors.go exposes them).
var rateLimitHeaders = []string{"Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}

// rateLimit allows each client limit requests per window (a sliding
// window, in memory, per process) and answers 429 with Retry-After and
// X-RateLimit-* beyond that; limit 0 disables it. With byKey a request
// carrying a bearer token is keyed by the token's hash, else by its client
// address. Like limitInFlight it runs after CORS, so a browser can read
// the answer.
func (s *Server) rateLimit(limit int, window time.Duration, byKey bool, limited, untracked prometheus.Counter) func(http.Handler) http.Handler {
	if limit <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	// Our own counter, so the limit handler can read it; windows are then
	// aligned to the wall clock rather than to the limiter's start, and it
	// tracks at most maxRateKeys clients.
	counter := newBoundedCounter(window, maxRateKeys, untracked.Inc)
	rl := httprate.NewRateLimiter(limit, window,
		httprate.WithLimitCounter(counter),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			limited.Inc()
			// httprate says the whole window, which is wrong both ways for
			// its sliding estimate: a client that waits that long may still
			// be refused (the last window still counts), and one refused
			// late in a window waits longer than it needs.
			if after, ok := retryAfterHeader(counter, rateKey(r, byKey), limit, window, time.Now().UTC()); ok {
				w.Header().Set("Retry-After", after)
			}
			s.writeError(w, r, errStatus(http.StatusTooManyRequests, "Rate limit exceeded; retry later"))
		}),
		// The in-memory counter and our key function never fail; should
		// either ever, the cause is logged, not sent.
		httprate.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) { s.writeError(w, r, err) }),
	)
	// The key is passed as it is (rl.Handler would join key functions'
	// results with a ':'), so the limit handler reads the same count.
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !rl.RespondOnLimit(w, r, rateKey(r, byKey)) {
				next.ServeHTTP(w, r)
			}
		})
	}
}

// retryAfterHeader is the Retry-After of a client refused at now whose
// counts under key counter holds for a limit per window (counted in
// windows aligned to the wall clock): the whole seconds past the first
// instant the sliding estimate admits one more, as that instant itself is
// still refused; the millisecond absorbs float error at an instant that
// falls on a second. ok is false if the counter fails (the in-memory one
// never does).
func retryAfterHeader(counter httprate.LimitCounter, key string, limit int, window time.Duration, now time.Time) (after string, ok bool) {
	cur := now.Truncate(window)
	c, p, err := counter.Get(key, cur, cur.Add(-window))
	if err != nil {
		return "", false
	}
	d := retryAfter(p, c, limit, window, now.Sub(cur))
	return strconv.Itoa(int((d+time.Millisecond)/time.Second) + 1), true
}

// retryAfter is how long a client with curr requests counted in this
// window and prev in the last one, elapsed into this window, must wait
// before httprate admits one more: it estimates the rate as prev weighted
// by the part of the window still to run, plus curr, and admits a request
// while that rate, rounded, is under limit (the rate below limit - 0.5).
func retryAfter(prev, curr, limit int, window, elapsed time.Duration) time.Duration {
	room := float64(limit) - 0.5
	w := float64(window)
	if float64(curr) < room {
		if prev == 0 {
			return 0
		}
		// In this window, as prev's weight falls.
		if at := w * (1 - (room-float64(curr))/float64(prev)); at < w {
			return max(time.Duration(at)-elapsed, 0)
		}
	}
	// In the next window, where curr is the last window's count.
	at := max(w*(1-room/float64(curr)), 0)
	return window - elapsed + time.Duration(at)
}

// rateKey is a request's rate-limit key: with byKey, the SHA-256 of the
// caller a verified JWT names (checkJWT; one budget per user, however
// many tokens or encodings of one they send), else of its bearer token
// (an API key; read as requireAPIKey reads it, so the token itself is
// never held in the limiter's memory); otherwise its client address.
func rateKey(r *http.Request, byKey bool) string {
	if byKey {
		if caller, ok := r.Context().Value(callerKey{}).(string); ok {
			sum := sha256.Sum256([]byte(caller))
			return "jwt:" + hex.EncodeToString(sum[:16])
		}
		if token, ok := bearer(r); ok {
			sum := sha256.Sum256([]byte(token))
			return "key:" + hex.EncodeToString(sum[:16])
		}
	}
	return "addr:" + clientAddr(r)
}

// clientIPMiddleware finds the client address, once for every route (the
// access log, the rate limits and the per-client bound read it): without trusted proxies
// the TCP peer; with them the right-most X-Forwarded-For entry outside
// them when the peer is inside them (an ALB appends the address it saw, so
// what a client wrote to the left is never believed).
func clientIPMiddleware(trusted []netip.Prefix) func(http.Handler) http.Handler {
	if len(trusted) == 0 {
		return middleware.ClientIPFromRemoteAddr
	}
	cidrs := make([]string, len(trusted))
	for i, p := range trusted {
		cidrs[i] = p.String()
	}
	return middleware.ClientIPFromXFF(cidrs...)
}

// clientIP is the address clientIPMiddleware found, or the TCP peer's when
// it found none (a malformed forwarded chain).
func clientIP(r *http.Request) string {
	if ip := middleware.GetClientIP(r.Context()); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientAddr is the address clientIPMiddleware found, an IPv6 client's
// /64 standing for it (one client holds the whole /64), or the TCP peer
// when none was found (a malformed forwarded chain).
func clientAddr(r *http.Request) string {
	return httprate.CanonicalizeIP(clientIP(r))
}
