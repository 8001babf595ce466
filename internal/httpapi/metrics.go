package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds the HTTP collectors, registered on a registry of the
// server's own (no global default registry).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
	feedback *prometheus.CounterVec
}

func newMetrics(extra ...prometheus.Collector) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"route", "method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight", Help: "HTTP requests being served.",
		}),
		feedback: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "feedback_total", Help: "Answer ratings received on POST /feedback, by rating.",
		}, []string{"rating"}),
	}
	// Both series exist from the start, so a rate over them is defined.
	m.feedback.WithLabelValues("up")
	m.feedback.WithLabelValues("down")
	m.registry.MustRegister(m.requests, m.duration, m.inflight, m.feedback,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registry.MustRegister(extra...)
	return m
}

// instrument counts and times each request by its route pattern, so label
// cardinality stays bounded whatever paths clients send.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inflight.Inc()
		defer m.inflight.Dec()
		ww, ok := w.(middleware.WrapResponseWriter)
		if !ok {
			ww = middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		}
		r = withOutcome(r)
		// Counted in a defer, as the access log is: a stream aborted after
		// a recovered panic (http.ErrAbortHandler) passes through here
		// panicking, and is one request too.
		defer func() {
			route, status, method := routeOf(r), responseStatus(ww, r), methodLabel(r.Method)
			m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
			m.duration.WithLabelValues(route, method).Observe(time.Since(start).Seconds())
		}()
		next.ServeHTTP(ww, r)
	})
}

// routeOf is the route pattern r matched, the label the access log and
// the metrics use (never the raw path, which may carry user text), or
// "unmatched".
func routeOf(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil && rc.RoutePattern() != "" {
		return rc.RoutePattern()
	}
	return "unmatched"
}

// knownMethods are the methods that keep their name as a label value.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// methodLabel maps a request method to a label value from a fixed set:
// clients may send any token as a method (net/http accepts one up to the
// header size), and each distinct label value would add series for good.
func methodLabel(method string) string {
	if knownMethods[method] {
		return method
	}
	return "other"
}

// handler serves the registry in Prometheus' text format.
//
//	@Summary	Prometheus metrics
//	@Description	HTTP requests by route pattern, method and status; latency; requests in flight; answer ratings (feedback_total); the vector store's gauges; Go runtime and process metrics. Text exposition format (OpenMetrics when the scraper asks for it). Open unless METRICS_TOKEN is set; then it asks for that token as a bearer token (401 without one, 403 with another), and a client address that had RATE_LIMIT_AUTH_FAILURES tokens refused gets 429 until Retry-After.
//	@ID			metrics
//	@Tags		ops
//	@Produce	plain,application/openmetrics-text,json
//	@Success	200	{string}	string	"Metrics in Prometheus' text exposition format, or OpenMetrics"
//	@Failure	401	{object}	errorBody	"METRICS_TOKEN is set and no bearer token was sent"
//	@Failure	403	{object}	errorBody	"METRICS_TOKEN is set and another token was sent"
//	@Router		/metrics [get]
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{EnableOpenMetrics: true})
}
