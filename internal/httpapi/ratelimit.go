package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
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
func (s *Server) rateLimit(limit int, window time.Duration, byKey bool, trusted []netip.Prefix, limited prometheus.Counter) func(http.Handler) http.Handler {
	if limit <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	rl := httprate.NewRateLimiter(limit, window,
		httprate.WithKeyFuncs(func(r *http.Request) (string, error) { return rateKey(r, byKey), nil }),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			limited.Inc()
			s.writeError(w, r, errStatus(http.StatusTooManyRequests, "Rate limit exceeded; retry later"))
		}),
		// The in-memory counter and our key function never fail; should
		// either ever, the cause is logged, not sent.
		httprate.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) { s.writeError(w, r, err) }),
	)
	clientIP := clientIPMiddleware(trusted)
	return func(next http.Handler) http.Handler { return clientIP(rl.Handler(next)) }
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

// clientIPMiddleware finds the client address: without trusted proxies
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

// clientAddr is the address clientIPMiddleware found, an IPv6 client's
// /64 standing for it (one client holds the whole /64), or the TCP peer
// when none was found (a malformed forwarded chain).
func clientAddr(r *http.Request) string {
	ip := middleware.GetClientIP(r.Context())
	if ip == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		ip = host
	}
	return httprate.CanonicalizeIP(ip)
}
