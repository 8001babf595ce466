package httpapi

import (
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/httprate"
	"github.com/prometheus/client_golang/prometheus"
)

// untrackedAuth is the untracked metric's limit label for the count of
// refused tokens (the route classes name the rate limits').
const untrackedAuth = "auth_failures"

// The token checks, the only values of the auth metrics' check label.
const (
	checkAPIKey  = "api_key" // requireAPIKey: API_KEYS or a JWT
	checkAdmin   = "admin"   // requireAdmin: ADMIN_TOKEN
	checkMetrics = "metrics" // requireMetricsToken: METRICS_TOKEN
)

var tokenChecks = []string{checkAPIKey, checkAdmin, checkMetrics}

// authFailures limits refused bearer tokens per client address. Every
// token check counts the tokens it refuses (authFailed) against the
// client's address, as rateKey keys it without a key: behind the ALB the
// right-most X-Forwarded-For entry outside TRUSTED_PROXIES, an IPv6
// client by its /64. Past limit refusals in the sliding window, limit
// answers that address's requests to every token check with 429 before
// the token is read, so a guesser learns nothing more until the window
// has passed.
//
// Only refusals count: a request without a token guesses nothing, and a
// valid token never adds to the count nor takes one away (a success that
// reset it would let a holder of the public API key guess METRICS_TOKEN
// between its searches). Clients that share an address share the count:
// a locked address is refused whatever token it sends, as sparing valid
// tokens would mean checking them, and a refusal that came only for wrong
// tokens would tell a guesser when it found a right one.
//
// The counts are the rate limits' in-memory counter (boundedCounter): a
// small entry per address that was refused a token in the current or the
// last window, dropped as windows pass, at most maxRateKeys addresses a
// window. It is safe for concurrent use.
type authFailures struct {
	limit  int // 0: counts for the metrics only
	window time.Duration
	log    *slog.Logger
	// trustsProxies is whether TRUSTED_PROXIES is set (key).
	trustsProxies bool
	// rl estimates an address's refusals as the rate limits estimate
	// requests (Status); counter holds them, in windows aligned to the
	// wall clock.
	rl      *httprate.RateLimiter
	counter *boundedCounter
	// mu orders a refusal's count with the check whether it took its
	// address over the limit; logged holds the addresses whose lockout
	// was logged in this window or the last, so an address refused
	// without pause is logged once per window or two, not per request.
	mu     sync.Mutex
	logged *boundedCounter

	refused, limited *prometheus.CounterVec
}

func newAuthFailures(limit int, window time.Duration, trustsProxies bool, log *slog.Logger, reg prometheus.Registerer, untracked prometheus.Counter) *authFailures {
	a := &authFailures{
		limit: max(limit, 0), window: window, log: log, trustsProxies: trustsProxies,
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_auth_failures_total", Help: "Bearer tokens refused (401 or 403) by the API-key and JWT, admin-token or metrics-token check, by check; RATE_LIMIT_AUTH_FAILURES counts them per client address.",
		}, []string{"check"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_auth_limited_total", Help: "Requests answered 429 before their bearer token was checked, their client address having had RATE_LIMIT_AUTH_FAILURES tokens refused in RATE_LIMIT_WINDOW, by check.",
		}, []string{"check"}),
	}
	// Every series exists from the start, so rates over them are defined.
	for _, c := range tokenChecks {
		a.refused.WithLabelValues(c)
		a.limited.WithLabelValues(c)
	}
	reg.MustRegister(a.refused, a.limited)
	if a.limit > 0 {
		a.counter = newBoundedCounter(window, maxRateKeys, untracked.Inc)
		a.rl = httprate.NewRateLimiter(a.limit, window, httprate.WithLimitCounter(a.counter))
		a.logged = newBoundedCounter(window, maxRateKeys, nil)
	}
	return a
}

// key is the count r's refusals go to: rateKey's client address, as the
// rate limits key it. Without TRUSTED_PROXIES a request that came through
// a proxy (it carries X-Forwarded-For: an ALB's, as every request behind
// one does) has the proxy's address, which every client behind it
// shares: keyed on it, one client's refused tokens, an attacker's or a
// browser's expired JWT, would lock all of them out. Such a request is
// counted by its peer and the last X-Forwarded-For entry, the address
// that peer says it saw: behind an ALB the client's own (what a client
// writes goes to the left of it), so the limit holds per client without
// the setting; where no proxy stands, a client can write a new entry
// each time and go uncounted, as it could before there was a limit,
// but never count against another client (its peer is in the key).
func (a *authFailures) key(r *http.Request) string {
	xff := r.Header.Values("X-Forwarded-For")
	if a.trustsProxies || len(xff) == 0 {
		return rateKey(r, false)
	}
	entries := strings.Split(xff[len(xff)-1], ",")
	last := strings.TrimSpace(entries[len(entries)-1])
	if len(last) > 64 {
		last = last[:64]
	}
	// Without trusted proxies, clientIP is the TCP peer.
	return "fwd:" + clientIP(r) + "|" + last
}

// over reports whether key's refusals reach the limit: httprate's rule, a
// request is admitted while the sliding estimate, rounded, is under it.
func (a *authFailures) over(key string) bool {
	_, rate, err := a.rl.Status(key)
	return err == nil && int(math.Round(rate)) >= a.limit
}

// limitAuthFailures answers 429 to a request whose client address is over
// the limit of refused tokens, before next (a token check, named by check)
// sees its token; with the limit 0 it is next. The 429 carries what the
// rate limits' does: Retry-After (the first second the address is
// admitted again) and X-RateLimit-*. It runs after CORS, so a browser can
// read it.
func (s *Server) limitAuthFailures(check string, next http.Handler) http.Handler {
	a := s.authFails
	if a.limit == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := a.key(r)
		if !a.over(key) {
			next.ServeHTTP(w, r)
			return
		}
		a.limited.WithLabelValues(check).Inc()
		now := time.Now().UTC()
		h := w.Header()
		h.Set("X-RateLimit-Limit", strconv.Itoa(a.limit))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Truncate(a.window).Add(a.window).Unix(), 10))
		if after, ok := retryAfterHeader(a.counter, key, a.limit, a.window, now); ok {
			h.Set("Retry-After", after)
		}
		s.writeError(w, r, errStatus(http.StatusTooManyRequests, "Too many failed authentication attempts; retry later"))
	})
}

// authFailed counts a bearer token that check refused against r's client
// address, and logs the refusal that takes the address over the limit
// (once per window or two while it stays over). The line names the
// address, never the token.
func (s *Server) authFailed(r *http.Request, check string) {
	a := s.authFails
	a.refused.WithLabelValues(check).Inc()
	if a.limit == 0 {
		return
	}
	key := a.key(r)
	cur := time.Now().UTC().Truncate(a.window)
	a.mu.Lock()
	_ = a.counter.IncrementBy(key, cur, 1) // the in-memory counter never fails
	first := false
	if a.over(key) {
		if c, p, _ := a.logged.Get(key, cur, cur.Add(-a.window)); c+p == 0 {
			// Past the bound nothing is logged: a line per request of
			// a flood of addresses would be the flood again.
			first = a.logged.add(key, cur, 1)
		}
	}
	a.mu.Unlock()
	if first {
		client := clientAddr(r)
		if fwd, ok := strings.CutPrefix(key, "fwd:"); ok {
			_, client, _ = strings.Cut(fwd, "|") // the address the proxy saw
		}
		s.log.LogAttrs(r.Context(), slog.LevelWarn, "client address over the failed authentication limit",
			slog.String("client", client),
			slog.String("route", routeOf(r)),
			slog.String("check", check),
			slog.Int("limit", a.limit),
			slog.String("window", a.window.String()),
		)
	}
}

// newUntrackedMetric registers http_rate_untracked_total, the increments
// the rate counters did not record because a window already tracked
// maxRateKeys clients, by limit: a route class's rate limit or the
// failed-authentication count.
func newUntrackedMetric(reg prometheus.Registerer) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_rate_untracked_total",
		Help: "Requests not counted by a per-client limit because its window already tracked its most clients (131072): such a client is let through, by limit (a route class, or auth_failures).",
	}, []string{"limit"})
	for _, l := range []string{classSearch, classGeneration, classAdmin, untrackedAuth} {
		v.WithLabelValues(l)
	}
	reg.MustRegister(v)
	return v
}
