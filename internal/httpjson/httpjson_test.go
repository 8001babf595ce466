package httpjson

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/retry"
)

var (
	errConfig   = errors.New("config")
	errUpstream = errors.New("upstream")
	errBad      = errors.New("bad")
	testErrors  = Errors{Config: errConfig, Upstream: errUpstream, BadResponse: errBad}
)

func TestNew_BadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no url", Config{}},
		{"relative url", Config{URL: "/v1/x"}},
		{"negative timeout", Config{URL: "http://h/x", Timeout: -1}},
		{"negative policy", Config{URL: "http://h/x", Retry: retry.Policy{MaxAttempts: -1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Errors = testErrors
			if _, err := New(tc.cfg); !errors.Is(err, errConfig) {
				t.Fatalf("err = %v, want config error", err)
			}
		})
	}
}

func TestPostJSON_AuthAndErrors(t *testing.T) {
	for _, tc := range []struct {
		name       string
		authHeader string
		status     int
		body       string
		wantHeader string // header name that must carry the key
		wantErr    error
	}{
		{name: "bearer", status: 200, body: `{"ok":true}`, wantHeader: "Authorization"},
		{name: "azure api-key", authHeader: "api-key", status: 200, body: `{"ok":true}`, wantHeader: "Api-Key"},
		{name: "bad json", status: 200, body: `{`, wantErr: errBad},
		{name: "too large", status: 200, body: `{"ok":true,"pad":"` + strings.Repeat("x", 64) + `"}`, wantErr: errBad},
		{name: "4xx", status: 401, body: `{"error":{"message":"bad key sk-secretkey"}}`, wantErr: errUpstream},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got http.Header
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Clone()
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c, err := New(Config{Provider: "test", BaseURL: srv.URL + "/", Path: "/x", APIKey: "sk-secretkey",
				AuthHeader: tc.authHeader, MaxResponse: 32, Retry: retry.Policy{MaxAttempts: 1}, Errors: testErrors})
			if err != nil {
				t.Fatal(err)
			}
			var out struct{ OK bool }
			err = c.PostJSON(context.Background(), map[string]int{"a": 1}, &out)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || strings.Contains(err.Error(), "secretkey") {
					t.Fatalf("err = %v, want %v without the key", err, tc.wantErr)
				}
				return
			}
			if err != nil || !out.OK {
				t.Fatalf("err = %v, out = %+v", err, out)
			}
			want := "sk-secretkey"
			if tc.wantHeader == "Authorization" {
				want = "Bearer " + want
			}
			if got.Get(tc.wantHeader) != want || got.Get("Content-Type") != "application/json" {
				t.Fatalf("headers = %v", got)
			}
		})
	}
}
