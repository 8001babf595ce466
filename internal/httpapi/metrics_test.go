package httpapi

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetrics_CountsByRoutePattern(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	ts.do("GET", "/health", "", nil)
	ts.do("GET", "/no/such/path/123", "", nil)
	ts.do("POST", "/query", `{}`, nil)
	rec := ts.do("GET", "/metrics", "", nil)
	body := rec.Body.String()
	for _, want := range []string{
		`http_requests_total{method="GET",route="/health",status="200"} 1`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_requests_total{method="POST",route="/query",status="422"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/no/such/path") {
		t.Errorf("raw paths must not become labels")
	}
}

// TestMetrics_OpenMetricsWhenAsked: the route's documentation promises
// OpenMetrics to a scraper that asks for it, and the text format else.
func TestMetrics_OpenMetricsWhenAsked(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	for accept, want := range map[string]string{
		"application/openmetrics-text;version=1.0.0": "application/openmetrics-text",
		"":           "text/plain",
		"text/plain": "text/plain",
	} {
		rec := ts.do("GET", "/metrics", "", map[string]string{"Accept": accept})
		if got := rec.Header().Get("Content-Type"); rec.Code != http.StatusOK || !strings.HasPrefix(got, want) {
			t.Errorf("Accept %q: %d, Content-Type %q, want %s", accept, rec.Code, got, want)
		}
	}
}

// TestMetrics_UnknownMethodsBounded replays the label-cardinality attack:
// every request with a new method used to add series for good (2,000
// requests with 16 KB methods made each scrape 611 MB). Unknown methods
// now share the label "other", so the series count and the scrape size
// stay where a handful of ordinary requests put them.
func TestMetrics_UnknownMethodsBounded(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	paths := []string{"/health", "/search", "/no/such/path"}
	send := func(method string, i int) {
		req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
		req.Method = method
		ts.ServeHTTP(httptest.NewRecorder(), req)
	}
	// One request per path with an unknown method makes every "other"
	// series exist; the attack must add none after that.
	for i := range paths {
		send("BREW", i)
	}
	before := httpSeries(t, ts)
	rng := rand.New(rand.NewPCG(1, 2))
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	method := make([]byte, 16<<10)
	for i := range 2000 {
		for j := range method {
			method[j] = letters[rng.IntN(len(letters))]
		}
		send(string(method), i)
	}
	after := httpSeries(t, ts)
	if after != before {
		t.Errorf("2,000 requests with random 16 KB methods: %d http series, want %d as before", after, before)
	}
	rec := ts.do("GET", "/metrics", "", nil)
	if n := rec.Body.Len(); n > 64<<10 {
		t.Errorf("/metrics is %d bytes after the attack, want at most 64 KiB", n)
	}
	if want := `http_requests_total{method="other",route="unmatched",status="405"} 2003`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("metrics lack %q:\n%s", want, rec.Body)
	}
}

// httpSeries counts the series of the HTTP collectors in the registry.
func httpSeries(t *testing.T, ts testServer) int {
	t.Helper()
	families, err := ts.metrics.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "http_") {
			n += len(f.GetMetric())
		}
	}
	return n
}

// TestMetrics_Token: with MetricsToken set, /metrics asks for it (behind a
// public ALB the runtime and overload figures are the scraper's only);
// without, it is open, as a scraper inside the VPC expects.
func TestMetrics_Token(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, token, auth string
		want              int
	}{
		{"open without a token", "", "", http.StatusOK},
		{"no bearer", "scrape-secret", "", http.StatusUnauthorized},
		{"another token", "scrape-secret", "Bearer guess", http.StatusForbidden},
		{"the token", "scrape-secret", "Bearer scrape-secret", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, func(o *Options) { o.MetricsToken = tt.token })
			hdr := map[string]string{}
			if tt.auth != "" {
				hdr["Authorization"] = tt.auth
			}
			rec := ts.do("GET", "/metrics", "", hdr)
			if rec.Code != tt.want || (tt.want == http.StatusOK) != strings.Contains(rec.Body.String(), "go_goroutines") {
				t.Errorf("%d, want %d: %.200s", rec.Code, tt.want, rec.Body)
			}
			if strings.Contains(ts.logs.String(), "scrape-secret") {
				t.Error("the token was logged")
			}
		})
	}
}
