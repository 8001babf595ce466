package httpapi

import (
	"strings"
	"testing"
)

// TestSecurityHeaders_EveryResponse: nosniff, Referrer-Policy and no
// framing on every response, errors included; Cache-Control: no-store and
// a CSP that allows nothing on API answers; the /docs page's own CSP, with
// its inline script allowed by hash only.
func TestSecurityHeaders_EveryResponse(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.APIKeys = []string{"k1"} })
	for _, tt := range []struct {
		method, path, body string
		status             int
		api                bool
	}{
		{"GET", "/health", "", 200, true},
		{"GET", "/ready", "", 200, true},
		{"POST", "/search", `{"query":"x"}`, 401, true},
		{"GET", "/no/such", "", 404, true},
		{"DELETE", "/health", "", 405, true},
		{"GET", "/openapi.json", "", 200, true},
		{"GET", "/metrics", "", 200, true},
		{"GET", "/docs", "", 200, false},
		{"GET", "/docs/swagger-ui.css", "", 200, false},
		{"GET", "/docs/no-such-asset", "", 404, true},
	} {
		rec := ts.do(tt.method, tt.path, tt.body, nil)
		h := rec.Header()
		if rec.Code != tt.status {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, rec.Code, tt.status)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v, want nosniff, no-referrer, DENY", tt.method, tt.path, h)
		}
		if tt.api && (h.Get("Cache-Control") != "no-store" || h.Get("Content-Security-Policy") != apiCSP) {
			t.Errorf("%s %s: Cache-Control %q CSP %q, want no-store and %q", tt.method, tt.path, h.Get("Cache-Control"), h.Get("Content-Security-Policy"), apiCSP)
		}
	}
	// Swagger UI's page opened under its file name, not as /docs, runs
	// nothing: its assets get the CSP that allows nothing.
	for _, p := range []string{"/docs/index.html", "/docs/oauth2-redirect.html", "/docs/swagger-ui-bundle.js"} {
		if got := ts.do("GET", p, "", nil).Header().Get("Content-Security-Policy"); got != apiCSP {
			t.Errorf("GET %s: CSP %q, want %q", p, got, apiCSP)
		}
	}
	csp := ts.do("GET", "/docs", "", nil).Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("/docs CSP %q lacks %q", csp, want)
		}
	}
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") && (strings.Contains(d, "unsafe-inline") || strings.Contains(d, "unsafe-eval")) {
			t.Errorf("/docs CSP %q allows arbitrary scripts", csp)
		}
	}
	// An SSE stream keeps its own no-cache.
	rec := ts.do("POST", "/query", `{"question":"q","stream":true}`, map[string]string{"Authorization": "Bearer k1"})
	if rec.Header().Get("Cache-Control") != "no-cache" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("stream headers %v", rec.Header())
	}
}
