package httpapi

import (
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
