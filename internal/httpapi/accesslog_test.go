package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
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
