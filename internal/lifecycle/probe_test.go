package lifecycle

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			_, _ = w.Write([]byte(`{"status":"ok"}`))
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	defer close(release)
	tests := []struct {
		path string
		want string // "" for healthy
	}{
		{"/health", ""},
		{"/nope", "healthcheck: " + srv.URL + "/nope answered 404"},
		{"/slow", "healthcheck: "},
	}
	for _, tt := range tests {
		err := Probe(context.Background(), srv.URL+tt.path, 200*time.Millisecond)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.HasPrefix(err.Error(), tt.want)) {
			t.Errorf("Probe(%s) = %v, want %q", tt.path, err, tt.want)
		}
	}
	if err := Probe(context.Background(), "http://127.0.0.1:1/health", time.Second); err == nil || !strings.HasPrefix(err.Error(), "healthcheck: ") {
		t.Errorf("closed port: %v", err)
	}
}
