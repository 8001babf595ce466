package httpapi

import (
	"context"
	"strings"
	"testing"
)

func TestAuth_APIKeysAndAdmin(t *testing.T) {
	t.Parallel()
	reloads := 0
	ts := newTestServer(t, func(o *Options) {
		o.APIKeys = []string{"k1", "k2"}
		o.AdminToken = "adm"
		o.Reloader = reloaderFunc(func(context.Context) (*StoreInfo, error) { reloads++; return &StoreInfo{Version: "v2"}, nil })
	})
	noAdmin := newTestServer(t, nil)
	tests := []struct {
		name   string
		ts     testServer
		path   string
		auth   string
		status int
		detail string
	}{
		{"search without token", ts, "/search", "", 401, "Not authenticated"},
		{"search wrong token", ts, "/search", "Bearer nope", 401, "Invalid authentication credentials"},
		{"search basic scheme", ts, "/search", "Basic azE=", 401, "Not authenticated"},
		{"search good token", ts, "/search", "Bearer k2", 200, ""},
		{"admin disabled", noAdmin, "/admin/reload", "Bearer x", 403, "ADMIN_TOKEN"},
		{"admin without token", ts, "/admin/reload", "", 401, "Not authenticated"},
		{"admin wrong token", ts, "/admin/reload", "Bearer k1", 403, "Invalid admin token"},
		{"admin ok", ts, "/admin/reload", "Bearer adm", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"query":"q"}`
			if tt.path == "/admin/reload" {
				body = ""
			}
			rec := tt.ts.do("POST", tt.path, body, map[string]string{"Authorization": tt.auth})
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.detail) {
				t.Errorf("got %d %s, want %d %q", rec.Code, rec.Body, tt.status, tt.detail)
			}
			if rec.Code == 401 && rec.Header().Get("WWW-Authenticate") != "Bearer" {
				t.Errorf("401 without WWW-Authenticate")
			}
		})
	}
	if reloads != 1 {
		t.Errorf("reloads = %d, want 1", reloads)
	}
	// Health stays open.
	if rec := ts.do("GET", "/health", "", nil); rec.Code != 200 {
		t.Errorf("health behind auth: %d", rec.Code)
	}
}
