package httpapi

import (
	"strings"
	"testing"
)

func TestRequestID_HonouredOrGenerated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("GET", "/health", "", map[string]string{"X-Request-ID": "abc-123"})
	if rec.Header().Get("X-Request-ID") != "abc-123" {
		t.Errorf("not honoured: %q", rec.Header().Get("X-Request-ID"))
	}
	for _, bad := range []string{"", "has space", strings.Repeat("x", 200), "new\nline"} {
		rec := ts.do("GET", "/health", "", map[string]string{"X-Request-ID": bad})
		if got := rec.Header().Get("X-Request-ID"); len(got) != 32 || got == bad {
			t.Errorf("for %q got %q, want a fresh 32-hex id", bad, got)
		}
	}
}
