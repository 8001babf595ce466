package httpapi

import (
	"context"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Overload bound each route class's work: requests served at once, a short
// queue for a slot, and requests per client per window. Class search is
// /search and /v1/embeddings; generation is /query, /chat and
// /v1/chat/completions, streams included; admin is /admin/*. /health,
// /ready, /metrics, /docs and /openapi.json are never limited, so the load
// balancer's checks and the scrape stay answered under load. The zero
// value limits nothing. The fields match config.Overload one for one.
type Overload struct {
	// Requests served at once per class; 0: unbounded.
	SearchInFlight     int
	GenerationInFlight int
	AdminInFlight      int
	// Requests that may wait for a slot per class; beyond them, 503.
	SearchQueue     int
	GenerationQueue int
	AdminQueue      int
	// QueueWait is the longest wait for a slot (0: 2s); then 503.
	QueueWait time.Duration
	// PerClientInFlight bounds the search or generation requests one
	// client (keyed as the rate limits are) holds at once per class;
	// beyond it, 429. 0: no bound.
	PerClientInFlight int

	// Requests per RateWindow one client may make per class; 0: no limit.
	SearchRate     int
	GenerationRate int
	AdminRate      int
	// AuthFailures is how many refused bearer tokens one client address
	// may send per RateWindow; beyond them its requests to a route that
	// checks a token get 429 before the token is checked (authlimit.go).
	// 0: no limit.
	AuthFailures int
	// RateWindow is the rate limits' sliding window (0: 1 minute).
	RateWindow time.Duration
	// RateByAddress keys the search and generation limits by client
	// address even with API_KEYS (by default they are keyed by the API
	// key's hash, or the verified JWT's user, when auth is on).
	RateByAddress bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed; see
	// clientAddr.
	TrustedProxies []netip.Prefix
}

// Route classes, the only values of the overload metrics' class label.
const (
	classSearch     = "search"
	classGeneration = "generation"
	classAdmin      = "admin"
)

// classEmbeddings labels the gate /v1/embeddings passes before the search
// class's (embeddingSlots); its rate and queue are the search class's.
const classEmbeddings = "embeddings"

var routeClasses = []string{classSearch, classGeneration, classAdmin, classEmbeddings}

// embeddingSlots is how many /v1/embeddings requests may run at once when
// searchSlots searches may: a quarter of them, at least one; 0
// (unbounded) when searches are.
func embeddingSlots(searchSlots int) int {
	if searchSlots <= 0 {
		return 0
	}
	return max(1, searchSlots/4)
}

// routeClassOf names each limited route's class, for the router and for
// the OpenAPI document (which documents the 429 and the 503 it sends).
var routeClassOf = map[string]string{
	"/search":        classSearch,
	"/v1/embeddings": classSearch,
	// Cheap, but its body is decoded like any other (up to MAX_BODY_BYTES,
	// about 16x that while decoding): unbounded, many at once would add up.
	"/feedback":            classSearch,
	"/query":               classGeneration,
	"/chat":                classGeneration,
	"/v1/chat/completions": classGeneration,
	"/admin/reload":        classAdmin,
}

// gate bounds one class's requests in flight. A request that finds every
// slot taken waits, FIFO as the runtime queues channel senders, if fewer
// than queue others are waiting, for at most wait.
type gate struct {
	slots   chan struct{} // nil: unbounded
	queue   int64
	wait    time.Duration
	waiting atomic.Int64

	inFlight, queued prometheus.Gauge
	rejected         prometheus.Counter
}

// admission is how a request fared at a gate.
type admission int

const (
	admitted  admission = iota
	queueFull           // too many already waiting
	timedOut            // waited QueueWait for a slot
	gone                // the request's context ended while it waited
)

// enter takes a slot, waiting if allowed; on admitted the caller must
// call leave.
func (g *gate) enter(ctx context.Context) admission {
	select {
	case g.slots <- struct{}{}:
		g.inFlight.Inc()
		return admitted
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return queueFull
	}
	g.queued.Inc()
	defer func() { g.waiting.Add(-1); g.queued.Dec() }()
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		g.inFlight.Inc()
		return admitted
	case <-t.C:
		return timedOut
	case <-ctx.Done():
		return gone
	}
}

func (g *gate) leave() {
	<-g.slots
	g.inFlight.Dec()
}

// overloadMetrics are the gates' and rate limits' series, labelled by
// route class only.
type overloadMetrics struct {
	inFlight, queued      *prometheus.GaugeVec
	rejected, rateLimited *prometheus.CounterVec
}

func newOverloadMetrics(reg prometheus.Registerer) *overloadMetrics {
	m := &overloadMetrics{
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "http_class_requests_in_flight", Help: "Requests holding a slot, by route class.",
		}, []string{"class"}),
		queued: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "http_class_requests_queued", Help: "Requests waiting for a slot, by route class.",
		}, []string{"class"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_overload_rejections_total", Help: "Requests answered 503 because the route class's slots and queue were full or the wait ran out, by route class.",
		}, []string{"class"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_rate_limited_total", Help: "Requests answered 429 by the per-client rate limit, by route class.",
		}, []string{"class"}),
	}
	// Every series exists from the start, so rates over them are defined.
	for _, c := range routeClasses {
		m.inFlight.WithLabelValues(c)
		m.queued.WithLabelValues(c)
		m.rejected.WithLabelValues(c)
		m.rateLimited.WithLabelValues(c)
	}
	reg.MustRegister(m.inFlight, m.queued, m.rejected, m.rateLimited)
	return m
}

// newGate returns the gate of a class with inFlight slots (0: nil,
// unbounded) and room for queue waiters.
func (m *overloadMetrics) newGate(class string, inFlight, queue int, wait time.Duration) *gate {
	if inFlight <= 0 {
		return nil
	}
	return &gate{
		slots: make(chan struct{}, inFlight), queue: int64(queue), wait: wait,
		inFlight: m.inFlight.WithLabelValues(class), queued: m.queued.WithLabelValues(class),
		rejected: m.rejected.WithLabelValues(class),
	}
}

// limitInFlight admits a request through g or answers 503 with
// Retry-After. It runs after CORS, so a browser can read the answer.
func (s *Server) limitInFlight(g *gate) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if g == nil {
			return next
		}
		// A client may retry once the queue had time to move.
		retry := strconv.Itoa(int(math.Max(1, math.Ceil(g.wait.Seconds()))))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch g.enter(r.Context()) {
			case admitted:
				defer g.leave()
				next.ServeHTTP(w, r)
				return
			case gone:
				// Nobody is listening; the access log still records 503.
			default:
				g.rejected.Inc()
			}
			s.writeError(w, r, busy(retry, nil))
		})
	}
}
