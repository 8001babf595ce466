package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/vendor0919/api/internal/jwtauth"
)

// oneJWTVerifier accepts the JWT good and refuses every other token as a
// bad signature.
type oneJWTVerifier struct{ good string }

func (oneJWTVerifier) Ready() bool { return true }
func (v oneJWTVerifier) Identify(_ context.Context, token string) (string, error) {
	if token != v.good {
		return "", &jwtauth.Failure{Class: jwtauth.ClassBadSignature}
	}
	return "issuer\x00user-1", nil
}

// authReply is what a client read from one request.
type authReply struct {
	status int
	header http.Header
	body   map[string]any
}

// authCall sends one request over c: token as a bearer token when not
// empty, and as X-Forwarded-For when not empty (as an ALB would append
// it).
func authCall(t *testing.T, c *http.Client, method, path, body, token, xff string) authReply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://api.test"+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", "http://localhost:3000")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := authReply{status: resp.StatusCode, header: resp.Header}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, path, b, err)
		}
	}
	return r
}

// tokenCheck is a route behind one of the token checks, with a token it
// accepts and the status it answers a wrong one.
type tokenCheck struct {
	name               string
	opts               func(*Options)
	method, path, body string
	good               string
	refused            int
	check              string // the metrics' label
}

var tokenChecksUnderTest = []tokenCheck{
	{"API key", func(o *Options) { o.APIKeys = []string{"key-1"} },
		http.MethodPost, "/search", `{"query":"q"}`, "key-1", http.StatusUnauthorized, checkAPIKey},
	{"JWT", func(o *Options) { o.JWT = oneJWTVerifier{"eyJ.good.sig"} },
		http.MethodPost, "/query", `{"question":"q"}`, "eyJ.good.sig", http.StatusUnauthorized, checkAPIKey},
	{"API key on an OpenAI route", func(o *Options) { o.APIKeys = []string{"key-1"} },
		http.MethodPost, "/v1/chat/completions", `{"model":"vendor0919-rag","messages":[{"role":"user","content":"q"}]}`, "key-1", http.StatusUnauthorized, checkAPIKey},
	{"API key on a route of no class", func(o *Options) { o.APIKeys = []string{"key-1"} },
		http.MethodGet, "/v1/models", "", "key-1", http.StatusUnauthorized, checkAPIKey},
	{"metrics token", func(o *Options) { o.MetricsToken = "scrape" },
		http.MethodGet, "/metrics", "", "scrape", http.StatusForbidden, checkMetrics},
	{"admin token", func(o *Options) {
		o.AdminToken, o.Reloader = "admin", reloaderFunc(func(context.Context) (*StoreInfo, error) { return &StoreInfo{Version: "v2"}, nil })
	}, http.MethodPost, "/admin/reload", "", "admin", http.StatusForbidden, checkAdmin},
}

// TestLimitAuthFailures_LocksOutTheAddress: for every token check, over
// real HTTP, a client address whose tokens were refused
// RATE_LIMIT_AUTH_FAILURES times gets 429 (Retry-After, X-RateLimit-*,
// readable cross-origin, the route's error body) for any token, a valid
// one or none, until Retry-After has passed; another address, even behind
// the same ALB, is untouched. The metrics count the refusals and the
// 429s, and one WARN line names the address, never a token.
func TestLimitAuthFailures_LocksOutTheAddress(t *testing.T) {
	t.Parallel()
	type where struct {
		name    string
		trusted []netip.Prefix
		a, b    [2]string // peer and X-Forwarded-For of clients a and b
		addrA   string    // a's address as logged
	}
	places := []where{
		{"direct", nil, [2]string{"198.51.100.7:40000", ""}, [2]string{"198.51.100.8:40000", ""}, "198.51.100.7"},
		// Both through one ALB node: the forwarded address is the client.
		{"behind the ALB", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")},
			[2]string{"10.0.3.4:5000", "203.0.113.9, 198.51.100.7"}, [2]string{"10.0.3.4:5000", "198.51.100.8"}, "198.51.100.7"},
	}
	for _, tc := range tokenChecksUnderTest {
		for _, at := range places {
			t.Run(tc.name+"/"+at.name, func(t *testing.T) {
				t.Parallel()
				// The bubble's clock starts on a window's first instant.
				synctest.Test(t, func(t *testing.T) {
					ts := newTestServer(t, func(o *Options) {
						tc.opts(o)
						o.Overload = Overload{AuthFailures: 3, RateWindow: time.Minute, TrustedProxies: at.trusted}
					})
					ps := newPipeServer(t, ts.Server)
					ca, cb := ps.client(t, at.a[0]), ps.client(t, at.b[0])
					a := func(token string) authReply { return authCall(t, ca, tc.method, tc.path, tc.body, token, at.a[1]) }
					b := func(token string) authReply { return authCall(t, cb, tc.method, tc.path, tc.body, token, at.b[1]) }

					for i := range 3 {
						if r := a("guess-" + strconv.Itoa(i)); r.status != tc.refused {
							t.Fatalf("refusal %d: %d %v, want %d", i+1, r.status, r.body, tc.refused)
						}
					}
					r := a("guess-3")
					if r.status != http.StatusTooManyRequests {
						t.Fatalf("after 3 refusals: %d %v, want 429", r.status, r.body)
					}
					// 3 refusals weigh under 2.5 a sixth into the next window.
					h := r.header
					if h.Get("Retry-After") != "71" || h.Get("X-RateLimit-Limit") != "3" || h.Get("X-RateLimit-Remaining") != "0" ||
						h.Get("X-RateLimit-Reset") != strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10) {
						t.Errorf("429 headers: %v", h)
					}
					if h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "Retry-After") {
						t.Errorf("the browser could not read the 429: %v", h)
					}
					if strings.HasPrefix(tc.path, "/v1/") {
						if e, _ := r.body["error"].(map[string]any); e["code"] != "rate_limit_exceeded" {
							t.Errorf("body %v, want OpenAI's rate_limit_exceeded", r.body)
						}
					} else if r.body["detail"] != "Too many failed authentication attempts; retry later" {
						t.Errorf("body %v", r.body)
					}
					// Locked whatever it sends: its token is not read.
					if r := a(tc.good); r.status != http.StatusTooManyRequests {
						t.Errorf("valid token from the locked address: %d, want 429", r.status)
					}
					if r := a(""); r.status != http.StatusTooManyRequests {
						t.Errorf("no token from the locked address: %d, want 429", r.status)
					}
					// Another address has its own count.
					if r := b(tc.good); r.status != http.StatusOK {
						t.Errorf("valid token from another address: %d %v, want 200", r.status, r.body)
					}
					if r := b("guess-b"); r.status != tc.refused {
						t.Errorf("wrong token from another address: %d, want %d", r.status, tc.refused)
					}

					mhdr := map[string]string{}
					if tc.check == checkMetrics {
						mhdr["Authorization"] = "Bearer " + tc.good
					}
					m := ts.do(http.MethodGet, "/metrics", "", mhdr).Body.String()
					for _, c := range tokenChecks {
						refused, limited := 0, 0
						if c == tc.check {
							refused, limited = 4, 3
						}
						for _, want := range []string{
							`http_auth_failures_total{check="` + c + `"} ` + itoa(refused),
							`http_auth_limited_total{check="` + c + `"} ` + itoa(limited),
						} {
							if !strings.Contains(m, want) {
								t.Errorf("metrics lack %q", want)
							}
						}
					}

					var lines []map[string]any
					for l := range strings.Lines(ts.logs.String()) {
						var rec map[string]any
						if err := json.Unmarshal([]byte(l), &rec); err == nil && rec["msg"] == "client address over the failed authentication limit" {
							lines = append(lines, rec)
						}
					}
					if len(lines) != 1 || lines[0]["level"] != "WARN" || lines[0]["client"] != at.addrA || lines[0]["check"] != tc.check ||
						lines[0]["limit"] != 3.0 || lines[0]["window"] != "1m0s" || lines[0]["route"] != tc.path {
						t.Errorf("lockout log lines %v, want one WARN naming %s", lines, at.addrA)
					}
					if strings.Contains(ts.logs.String(), "guess") {
						t.Errorf("a refused token reached the log")
					}

					// Retry-After is enough, and a second less is not.
					time.Sleep(70 * time.Second)
					if r := a(tc.good); r.status != http.StatusTooManyRequests {
						t.Errorf("a second before Retry-After: %d, want 429", r.status)
					}
					time.Sleep(time.Second)
					if r := a(tc.good); r.status != http.StatusOK {
						t.Errorf("after Retry-After: %d %v, want 200", r.status, r.body)
					}
				})
			})
		}
	}
}

// TestLimitAuthFailures_CountsOnlyRefusedTokens: which requests count
// towards the limit (3 per minute here) and which never do, over real
// HTTP from one address.
func TestLimitAuthFailures_CountsOnlyRefusedTokens(t *testing.T) {
	t.Parallel()
	type step struct {
		token string
		want  int
		times int           // 0: once
		wait  time.Duration // before it
		xff   string        // X-Forwarded-For, as a proxy in front adds it
	}
	keys := func(o *Options) { o.APIKeys = []string{"key-1"} }
	tests := []struct {
		name  string
		opts  func(*Options)
		limit int
		steps []step
	}{
		{"successes never count", keys, 3, []step{
			{token: "key-1", want: 200, times: 50}, {token: "bad", want: 401, times: 2}, {token: "key-1", want: 200, times: 5},
		}},
		// Else a holder of the public key could guess between searches.
		{"a success does not reset the count", keys, 3, []step{
			{token: "bad", want: 401, times: 2}, {token: "key-1", want: 200}, {token: "bad", want: 401}, {token: "key-1", want: 429},
		}},
		{"no token guesses nothing", keys, 3, []step{{token: "", want: 401, times: 20}, {token: "key-1", want: 200}}},
		{"a JWT before the issuer's keys is not refused", func(o *Options) { o.APIKeys, o.JWT = []string{"key-1"}, &fakeVerifier{} }, 3, []step{
			{token: "a.b.c", want: 503, times: 10}, {token: "key-1", want: 200},
		}},
		{"refusals fade with the window", keys, 3, []step{
			{token: "bad", want: 401, times: 3}, {token: "key-1", want: 429},
			{token: "bad", want: 401, times: 2, wait: 2 * time.Minute}, {token: "key-1", want: 200},
		}},
		{"0 disables", keys, 0, []step{{token: "bad", want: 401, times: 50}, {token: "key-1", want: 200}}},
		// Without TRUSTED_PROXIES every client behind the ALB has its
		// address: keyed on it, one client's refusals would lock them all
		// out. A proxied request counts by the address the proxy saw.
		{"behind a proxy not trusted, each forwarded client has its count", keys, 3, []step{
			{token: "bad", want: 401, times: 3, xff: "198.51.100.9"}, {token: "key-1", want: 429, xff: "198.51.100.9"},
			{token: "key-1", want: 200, xff: "203.0.113.5"}, {token: "key-1", want: 200},
			// What a client writes stands left of what the proxy adds.
			{token: "key-1", want: 429, xff: "203.0.113.5, 198.51.100.9"},
		}},
		{"direct refusals do not count against forwarded ones", keys, 3, []step{
			{token: "bad", want: 401, times: 3}, {token: "key-1", want: 429}, {token: "key-1", want: 200, xff: "198.51.100.9"},
		}},
		{"open server", nil, 3, []step{{token: "bad", want: 200, times: 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts := newTestServer(t, func(o *Options) {
					if tt.opts != nil {
						tt.opts(o)
					}
					o.Overload = Overload{AuthFailures: tt.limit, RateWindow: time.Minute}
				})
				c := newPipeServer(t, ts.Server).client(t, "198.51.100.7:40000")
				for i, st := range tt.steps {
					time.Sleep(st.wait)
					for n := range max(st.times, 1) {
						if r := authCall(t, c, http.MethodPost, "/search", `{"query":"q"}`, st.token, st.xff); r.status != st.want {
							t.Fatalf("step %d, request %d (token %q): %d %v, want %d", i, n+1, st.token, r.status, r.body, st.want)
						}
					}
				}
			})
		})
	}
}
