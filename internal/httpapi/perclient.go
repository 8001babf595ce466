package httpapi

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// limitPerClient lets one client (keyed as rateKey keys it) hold at most
// max requests of a class at once and answers 429 with Retry-After beyond
// that; max 0 disables it. The rate limit bounds how often a client
// starts requests, not how long it holds them: without this, a few slow
// stream readers from one address could keep every slot of a class for
// QUERY_TIMEOUT while staying under their rate. It runs before the class's
// gate, so the excess never takes a queue place from other clients. The
// map holds only clients with a request in flight.
func (s *Server) limitPerClient(max int, byKey bool, limited prometheus.Counter) func(http.Handler) http.Handler {
	if max <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	var (
		mu   sync.Mutex
		held = map[string]int{}
	)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := rateKey(r, byKey)
			mu.Lock()
			if held[key] >= max {
				mu.Unlock()
				limited.Inc()
				e := errStatus(http.StatusTooManyRequests, "Too many requests in progress from this client; retry later")
				e.Header = http.Header{"Retry-After": {"1"}}
				s.writeError(w, r, e)
				return
			}
			held[key]++
			mu.Unlock()
			defer func() {
				mu.Lock()
				if held[key]--; held[key] == 0 {
					delete(held, key)
				}
				mu.Unlock()
			}()
			next.ServeHTTP(w, r)
		})
	}
}
