package lifecycle

import "github.com/prometheus/client_golang/prometheus"

// Collectors returns Prometheus collectors for the served store and the
// readiness, for httpapi.Options.Collectors. They read the Loader's status
// on each scrape; before the first load the store gauges are 0.
func (l *Loader) Collectors() []prometheus.Collector {
	status := func(f func(*Status) float64) func() float64 {
		return func() float64 {
			if st := l.Status(); st != nil {
				return f(st)
			}
			return 0
		}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vectorstore_chunks", Help: "Chunks in the served vector store."},
			status(func(st *Status) float64 { return float64(st.Count) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vectorstore_loaded_timestamp_seconds", Help: "When the served vector store was loaded (Unix time)."},
			status(func(st *Status) float64 { return float64(st.LoadedAt.Unix()) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "vectorstore_reloads_total", Help: "Successful reloads since start-up."},
			status(func(st *Status) float64 { return float64(st.Reloads) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vectorstore_last_load_failed", Help: "1 when the last sync or load failed (the previous store is served)."},
			status(func(st *Status) float64 {
				if st.LastError != "" {
					return 1
				}
				return 0
			})),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "service_ready", Help: "1 when /ready answers 200."},
			func() float64 {
				if ok, _ := l.ready.Check(); ok {
					return 1
				}
				return 0
			}),
	}
}
