package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5/middleware"
)

func TestAccessLog_OneLinePerRequest(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.APIKeys = []string{"sekret-key"} })
	ts.do("POST", "/search", `{"query":"my private question"}`, map[string]string{"X-Request-ID": "rid-1", "Authorization": "Bearer sekret-key"})
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(ts.logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			if line != nil {
				t.Fatalf("more than one request line: %s", ts.logs)
			}
			line = m
		}
	}
	if line == nil {
		t.Fatalf("no request line: %s", ts.logs)
	}
	for k, want := range map[string]any{"req_id": "rid-1", "method": "POST", "route": "/search", "status": float64(200)} {
		if line[k] != want {
			t.Errorf("%s = %v, want %v", k, line[k], want)
		}
	}
	for _, k := range []string{"bytes", "took_ms"} {
		if _, ok := line[k]; !ok {
			t.Errorf("missing %s", k)
		}
	}
	for _, secret := range []string{"sekret-key", "my private question"} {
		if strings.Contains(ts.logs.String(), secret) {
			t.Errorf("log leaks %q", secret)
		}
	}
}

// TestAccessLog_ClientAndLevel: behind the ALB every peer is an ALB node,
// so the line names the client the rate limits key on (the right-most
// forwarded address outside TRUSTED_PROXIES); load shed (503) and rate
// limited (429) requests, which any client can cause, are WARN, not ERROR.
func TestAccessLog_ClientAndLevel(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) {
		o.Overload = Overload{SearchRate: 1, RateWindow: time.Minute, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
		o.RAG = nil // /search answers 503 "not loaded"
	})
	send := func(xff string) {
		req := httptest.NewRequest(http.MethodPost, "/search", strings.NewReader(`{"query":"q"}`))
		req.RemoteAddr = "10.0.3.4:5000"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", xff)
		ts.ServeHTTP(httptest.NewRecorder(), req)
	}
	send("1.2.3.4, 203.0.113.7")
	send("203.0.113.7")
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(ts.logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			got = append(got, fmt.Sprintf("%v %v %v", m["status"], m["level"], m["client"]))
		}
	}
	want := []string{"503 WARN 203.0.113.7", "429 WARN 203.0.113.7"}
	if !slices.Equal(got, want) {
		t.Errorf("request lines %q, want %q\n%s", got, want, ts.logs)
	}
}

// TestAccessLog_HeaderValuesBounded: a 60 KB X-Amzn-Trace-Id made 60 KB
// log lines. Every client-chosen value (trace id, request id, user agent,
// method) is now cut, so the request's lines stay small whatever it sends.
func TestAccessLog_HeaderValuesBounded(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	big := strings.Repeat("é", 30<<10) // 60 KB, multi-byte so cuts must respect UTF-8
	req := httptest.NewRequest("GET", "/health", nil)
	req.Method = strings.Repeat("M", 16<<10)
	req.Header.Set("X-Amzn-Trace-Id", "Root="+big)
	req.Header.Set("X-Request-ID", big)
	req.Header.Set("User-Agent", big)
	ts.ServeHTTP(httptest.NewRecorder(), req)
	lines := strings.Split(strings.TrimSpace(ts.logs.String()), "\n")
	if len(lines) == 0 {
		t.Fatal("nothing logged")
	}
	for _, l := range lines {
		if len(l) > 2048 {
			t.Errorf("a %d-byte log line, want at most 2 KiB: %.200s...", len(l), l)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line is not JSON: %v", err)
		}
		for _, k := range []string{"trace_id", "req_id", "user_agent", "method"} {
			if v, ok := m[k].(string); ok && (len(v) > 256 || !utf8.ValidString(v)) {
				t.Errorf("%s is %d bytes (valid UTF-8: %v), want at most 256", k, len(v), utf8.ValidString(v))
			}
		}
		if m["msg"] == "request" && (len(m["user_agent"].(string)) != 256 || len(m["trace_id"].(string)) < 200) {
			t.Errorf("user_agent %d bytes, trace_id %d: want them cut, not dropped", len(m["user_agent"].(string)), len(m["trace_id"].(string)))
		}
	}
}

// TestOutcome_OneHolderWhateverTheOrder: the access log and the metrics
// each add the outcome holder only when the request has none, so a mark
// made inside either reaches both, whichever wraps the other.
func TestOutcome_OneHolderWhateverTheOrder(t *testing.T) {
	t.Parallel()
	outer := withOutcome(httptest.NewRequest(http.MethodPost, "/query", nil))
	inner := withOutcome(outer)
	markClientClosed(inner.Context())
	ww := middleware.NewWrapResponseWriter(httptest.NewRecorder(), 1)
	ww.WriteHeader(http.StatusOK)
	if got := responseStatus(ww, outer); got != statusClientClosed {
		t.Errorf("outer status %d, want 499", got)
	}
	if got := responseStatus(ww, withOutcome(httptest.NewRequest(http.MethodGet, "/health", nil))); got != http.StatusOK {
		t.Errorf("unmarked status %d, want 200", got)
	}
}
