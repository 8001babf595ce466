package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

func TestCORS_StarletteSemantics(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) {
		o.CORSAllowOrigins = []string{"http://localhost:3000", "https://main.example.amplifyapp.com"}
	})
	tests := []struct {
		name      string
		method    string
		hdr       map[string]string
		status    int
		acao      string
		creds     bool
		varyOrig  bool
		allowMeth bool
	}{
		{"allowed simple", "GET", map[string]string{"Origin": "http://localhost:3000"}, 200, "http://localhost:3000", true, true, false},
		{"allowed amplify", "GET", map[string]string{"Origin": "https://main.example.amplifyapp.com"}, 200, "https://main.example.amplifyapp.com", true, true, false},
		{"disallowed simple", "GET", map[string]string{"Origin": "https://evil.example"}, 200, "", false, true, false},
		{"allowed origin, unrouted method still readable", "DELETE", map[string]string{"Origin": "http://localhost:3000"}, 405, "http://localhost:3000", true, true, false},
		{"no origin untouched", "GET", nil, 200, "", false, false, false},
		{"preflight allowed", "OPTIONS", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization"}, 200, "http://localhost:3000", true, true, true},
		{"preflight bad origin", "OPTIONS", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, 400, "", false, true, false},
		{"preflight bad method", "OPTIONS", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "DELETE"}, 400, "", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do(tt.method, "/health", "", tt.hdr)
			h := rec.Header()
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d (%s)", rec.Code, tt.status, rec.Body)
			}
			if h.Get("Access-Control-Allow-Origin") != tt.acao {
				t.Errorf("ACAO %q, want %q", h.Get("Access-Control-Allow-Origin"), tt.acao)
			}
			if (h.Get("Access-Control-Allow-Credentials") == "true") != tt.creds {
				t.Errorf("credentials header %q", h.Get("Access-Control-Allow-Credentials"))
			}
			if strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") != tt.varyOrig {
				t.Errorf("Vary %q", h.Values("Vary"))
			}
			if (h.Get("Access-Control-Allow-Methods") != "") != tt.allowMeth {
				t.Errorf("Allow-Methods %q", h.Get("Access-Control-Allow-Methods"))
			}
		})
	}
	rec := ts.do("OPTIONS", "/health", "", map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"})
	if rec.Body.String() != "Disallowed CORS origin, method" {
		t.Errorf("Starlette's 400 text: %q", rec.Body)
	}
	rec = ts.do("OPTIONS", "/search", "", map[string]string{"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
	if rec.Code != http.StatusOK || rec.Body.String() != "OK" || rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("Starlette's preflight answer is 200 OK as text: %d %q %q", rec.Code, rec.Body, rec.Header().Get("Content-Type"))
	}
}

func TestCORS_WildcardEchoesOrigin(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.CORSAllowOrigins = []string{"*"} })
	rec := ts.do("GET", "/health", "", map[string]string{"Origin": "https://anything.example"})
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://anything.example" {
		t.Errorf("with credentials the origin must be echoed, not *: %q", rec.Header().Get("Access-Control-Allow-Origin"))
	}
}
