package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestRateKey_ClientAddress checks whom a request is counted against: the
// TCP peer unless the peer is a trusted proxy, then the right-most
// forwarded address outside the trusted ranges; an IPv6 client by its
// /64; with byKey, the bearer token's hash and never the token.
func TestRateKey_ClientAddress(t *testing.T) {
	t.Parallel()
	vpc := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		peer    string
		xff     []string
		auth    string
		byKey   bool
		want    string
	}{
		{"direct peer", nil, "203.0.113.7:5000", nil, "", false, "addr:203.0.113.7"},
		{"forwarded chain ignored without trusted proxies", nil, "203.0.113.7:5000", []string{"198.51.100.1"}, "", false, "addr:203.0.113.7"},
		{"ALB in the VPC: its appended address", vpc, "10.0.3.4:5000", []string{"198.51.100.1"}, "", false, "addr:198.51.100.1"},
		{"spoofed left entries not believed", vpc, "10.0.3.4:5000", []string{"1.2.3.4, 5.6.7.8, 198.51.100.1"}, "", false, "addr:198.51.100.1"},
		{"trusted hops skipped", vpc, "10.0.3.4:5000", []string{"198.51.100.1, 10.0.9.9"}, "", false, "addr:198.51.100.1"},
		{"headers merged in order", vpc, "10.0.3.4:5000", []string{"1.2.3.4", "198.51.100.1"}, "", false, "addr:198.51.100.1"},
		{"untrusted peer's chain ignored", vpc, "203.0.113.7:5000", []string{"198.51.100.1"}, "", false, "addr:203.0.113.7"},
		{"trusted peer without a chain", vpc, "10.0.3.4:5000", nil, "", false, "addr:10.0.3.4"},
		{"garbage chain: the peer", vpc, "10.0.3.4:5000", []string{"not-an-ip"}, "", false, "addr:10.0.3.4"},
		{"IPv6 client by its /64", nil, "[2001:db8:1:2:aaaa::1]:5000", nil, "", false, "addr:2001:db8:1:2::"},
		{"IPv6 neighbour shares it", nil, "[2001:db8:1:2:bbbb::9]:5000", nil, "", false, "addr:2001:db8:1:2::"},
		{"bearer token hashed", nil, "203.0.113.7:5000", nil, "Bearer sekrit-key", true, "key:fac3a39a2c8fa9e705ec0484728a3764"},
		{"no token: the address", nil, "203.0.113.7:5000", nil, "", true, "addr:203.0.113.7"},
		{"token ignored by address", nil, "203.0.113.7:5000", nil, "Bearer sekrit-key", false, "addr:203.0.113.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, "/search", nil)
			req.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			var got string
			clientIPMiddleware(tt.trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = rateKey(r, tt.byKey)
			})).ServeHTTP(httptest.NewRecorder(), req)
			if got != tt.want {
				t.Errorf("key = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "sekrit") {
				t.Errorf("the key %q holds the token", got)
			}
		})
	}
}

// TestRateLimit_TooManyRequests sends more requests than a class allows
// and checks the 429 (status, Retry-After, X-RateLimit-*, CORS, body,
// metric), which clients share a budget, and that the other classes and
// a limit of 0 are unaffected.
func TestRateLimit_TooManyRequests(t *testing.T) {
	t.Parallel()
	search := func(peer, key string) func(testServer) *httptest.ResponseRecorder {
		return func(ts testServer) *httptest.ResponseRecorder {
			return ts.send(http.MethodPost, "/search", `{"query":"q"}`, peer, key)
		}
	}
	embed := func(ts testServer) *httptest.ResponseRecorder {
		return ts.send(http.MethodPost, "/v1/embeddings", `{"model":"universal-sentence-encoder-lite","input":"a"}`, "192.0.2.1:1", "")
	}
	query := func(ts testServer) *httptest.ResponseRecorder {
		return ts.send(http.MethodPost, "/query", `{"question":"q"}`, "192.0.2.1:1", "")
	}
	type step struct {
		req  func(testServer) *httptest.ResponseRecorder
		want int
	}
	tests := []struct {
		name    string
		opts    func(*Options)
		steps   []step
		class   string // whose http_rate_limited_total must be limited at the end; the others' 0
		limited int
	}{
		{"by address", nil, []step{
			{search("192.0.2.1:1", ""), 200}, {search("192.0.2.1:2", ""), 200}, {search("192.0.2.1:3", ""), 429},
			{embed, 429},                     // the same class's budget
			{search("192.0.2.2:1", ""), 200}, // another client
			{query, 200},                     // another class
		}, classSearch, 2},
		{"by key", func(o *Options) { o.APIKeys = []string{"k1", "k2"} }, []step{
			{search("192.0.2.1:1", "k1"), 200}, {search("192.0.2.9:1", "k1"), 200}, {search("192.0.2.8:1", "k1"), 429},
			{search("192.0.2.1:1", "k2"), 200},
		}, classSearch, 1},
		{"by token with JWT auth alone", func(o *Options) {
			fv := &fakeVerifier{}
			fv.ready.Store(true)
			o.JWT = fv
		}, []step{
			{search("192.0.2.1:1", "jwt-a"), 200}, {search("192.0.2.9:1", "jwt-a"), 200}, {search("192.0.2.8:1", "jwt-a"), 429},
			{search("192.0.2.1:1", "jwt-b"), 200},
		}, classSearch, 1},
		// One user's tokens (new logins, or one token written another way)
		// are one caller: the verifier names it.
		{"by JWT caller", func(o *Options) { o.JWT = callerVerifier{} }, []step{
			{search("192.0.2.1:1", "jwt-a1"), 200}, {search("192.0.2.2:1", "jwt-a2"), 200}, {search("192.0.2.3:1", "jwt-a3"), 429},
			{search("192.0.2.1:1", "jwt-b1"), 200},
		}, classSearch, 1},
		{"by address with keys", func(o *Options) { o.APIKeys, o.Overload.RateByAddress = []string{"k1", "k2"}, true }, []step{
			{search("192.0.2.1:1", "k1"), 200}, {search("192.0.2.1:1", "k2"), 200}, {search("192.0.2.1:1", "k1"), 429},
			{search("192.0.2.5:1", "k1"), 200},
		}, classSearch, 1},
		{"generation", nil, []step{{query, 200}, {query, 200}, {query, 429}, {search("192.0.2.1:1", ""), 200}}, classGeneration, 1},
		{"admin before its token check", func(o *Options) { o.AdminToken = "admin" }, []step{
			{func(ts testServer) *httptest.ResponseRecorder {
				return ts.send(http.MethodPost, "/admin/reload", "", "192.0.2.1:1", "guess")
			}, 403},
			{func(ts testServer) *httptest.ResponseRecorder {
				return ts.send(http.MethodPost, "/admin/reload", "", "192.0.2.1:1", "guess2")
			}, 429},
		}, classAdmin, 1},
		{"zero disables", func(o *Options) { o.Overload.SearchRate = 0 }, []step{
			{search("192.0.2.1:1", ""), 200}, {search("192.0.2.1:1", ""), 200}, {search("192.0.2.1:1", ""), 200}, {search("192.0.2.1:1", ""), 200},
		}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The bubble's clock stands still, so no window ends mid-test.
			synctest.Test(t, func(t *testing.T) {
				ts := newTestServer(t, func(o *Options) {
					o.Overload = Overload{SearchRate: 2, GenerationRate: 2, AdminRate: 1, RateWindow: time.Minute}
					if tt.opts != nil {
						tt.opts(o)
					}
				})
				for i, st := range tt.steps {
					rec := st.req(ts)
					if rec.Code != st.want {
						t.Fatalf("step %d: %d %s, want %d", i, rec.Code, rec.Body, st.want)
					}
					if rec.Code != http.StatusTooManyRequests {
						continue
					}
					// The bubble's clock starts on a window's first instant:
					// a full count of 2 weighs under 1.5 a quarter into the
					// next window (75 s), one of 1 under 0.5 halfway (90 s).
					h := rec.Header()
					wantAfter := "76"
					if tt.class == classAdmin {
						wantAfter = "91"
					}
					if h.Get("Retry-After") != wantAfter || h.Get("X-RateLimit-Remaining") != "0" || h.Get("X-RateLimit-Limit") == "" || h.Get("X-RateLimit-Reset") == "" {
						t.Errorf("step %d: Retry-After %q, want %s; headers %v", i, h.Get("Retry-After"), wantAfter, h)
					}
					if got := h.Get("Access-Control-Allow-Origin"); got != "http://localhost:3000" {
						t.Errorf("step %d: Access-Control-Allow-Origin = %q: the browser could not read the 429", i, got)
					}
					if !strings.Contains(h.Get("Access-Control-Expose-Headers"), "Retry-After") {
						t.Errorf("step %d: Retry-After not exposed to the page: %q", i, h.Get("Access-Control-Expose-Headers"))
					}
					body := decode(t, rec)
					if e, ok := body["error"].(map[string]any); ok {
						if e["code"] != "rate_limit_exceeded" {
							t.Errorf("step %d: OpenAI body %v", i, body)
						}
					} else if body["detail"] != "Rate limit exceeded; retry later" {
						t.Errorf("step %d: body %v", i, body)
					}
				}
				m := ts.do(http.MethodGet, "/metrics", "", nil).Body.String()
				for _, c := range routeClasses {
					n := 0
					if c == tt.class {
						n = tt.limited
					}
					if want := `http_rate_limited_total{class="` + c + `"} ` + itoa(n); !strings.Contains(m, want) {
						t.Errorf("metrics lack %q", want)
					}
				}
				for range 5 {
					if rec := ts.do(http.MethodGet, "/health", "", nil); rec.Code != http.StatusOK {
						t.Fatalf("/health limited: %d", rec.Code)
					}
				}
			})
		})
	}
}

// TestRateLimit_RetryAfterIsEnough: a client that waits what Retry-After
// says is admitted, and one second less is not, wherever in the window it
// was refused (httprate's own header, the whole window, refused the
// sequential client of the browser review twice).
func TestRateLimit_RetryAfterIsEnough(t *testing.T) {
	t.Parallel()
	for _, into := range []time.Duration{0, 5 * time.Second, 30 * time.Second, 59 * time.Second} {
		t.Run(into.String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ts := newTestServer(t, func(o *Options) {
					o.Overload = Overload{SearchRate: 3, RateWindow: time.Minute}
				})
				search := func() *httptest.ResponseRecorder {
					return ts.send(http.MethodPost, "/search", `{"query":"q"}`, "192.0.2.1:1", "")
				}
				time.Sleep(into)
				for range 3 {
					if rec := search(); rec.Code != http.StatusOK {
						t.Fatalf("under the limit: %d", rec.Code)
					}
				}
				rec := search()
				after, err := strconv.Atoi(rec.Header().Get("Retry-After"))
				if rec.Code != http.StatusTooManyRequests || err != nil || after < 1 {
					t.Fatalf("over the limit: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
				}
				time.Sleep(time.Duration(after-1) * time.Second)
				if rec := search(); rec.Code != http.StatusTooManyRequests {
					t.Errorf("admitted a second before Retry-After (%d s): %d", after, rec.Code)
				}
				time.Sleep(time.Second)
				if rec := search(); rec.Code != http.StatusOK {
					t.Errorf("refused after waiting Retry-After (%d s): %d %s", after, rec.Code, rec.Header().Get("Retry-After"))
				}
			})
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	const w = time.Minute
	tests := []struct {
		name              string
		prev, curr, limit int
		elapsed, want     time.Duration
	}{
		{"full window at its start: a quarter into the next", 0, 2, 2, 0, 75 * time.Second},
		{"full window near its end", 0, 2, 2, 50 * time.Second, 25 * time.Second},
		{"limit 1: halfway into the next", 0, 1, 1, 0, 90 * time.Second},
		{"the last window's count fades in this one", 4, 0, 2, 0, 37500 * time.Millisecond},
		{"fading already far enough", 4, 0, 2, 40 * time.Second, 0},
		{"both windows count", 2, 1, 2, 0, 45 * time.Second},
		{"a heavy last window fades late", 10, 1, 2, 0, 57 * time.Second},
		{"this window full, the last one too", 10, 2, 2, 30 * time.Second, 45 * time.Second},
	}
	for _, tt := range tests {
		// Within a millisecond: the instants are float products.
		if got := retryAfter(tt.prev, tt.curr, tt.limit, w, tt.elapsed); got < tt.want-time.Millisecond || got > tt.want+time.Millisecond {
			t.Errorf("%s: retryAfter(%d, %d, %d, %v) = %v, want %v", tt.name, tt.prev, tt.curr, tt.limit, tt.elapsed, got, tt.want)
		}
	}
}

// send makes a request from peer (host:port) with an allowed Origin and,
// when key is not empty, a bearer token.
func (ts testServer) send(method, path, body, peer, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = peer
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "http://localhost:3000")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	rec := httptest.NewRecorder()
	ts.ServeHTTP(rec, req)
	return rec
}

// FuzzRateKey feeds arbitrary peers, X-Forwarded-For chains and
// Authorization headers to the client-address and key logic: it never
// panics, the key is short (the limiter's memory per client is bounded
// whatever the headers' size), a token is never part of it, and a
// forwarded address is believed only from a trusted peer.
func FuzzRateKey(f *testing.F) {
	for _, s := range [][3]string{
		{"10.0.3.4:5000", "198.51.100.1", "Bearer k"},
		{"203.0.113.7:5000", "1.2.3.4, 10.0.0.1", ""},
		{"[2001:db8::1]:1", "::ffff:10.0.0.1, 2001:db8::2%eth0", "bearer  x "},
		{"garbage", ",,, ,", "Basic abc"},
		{"10.0.0.1:1", strings.Repeat("1.2.3.4,", 200), "Bearer " + strings.Repeat("t", 300)},
		{"", "", "Bearer"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	trusted := netip.MustParsePrefix("10.0.0.0/8")
	mw := clientIPMiddleware([]netip.Prefix{trusted})
	f.Fuzz(func(t *testing.T, peer, xff, auth string) {
		req := httptest.NewRequest(http.MethodPost, "/search", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("Authorization", auth)
		for _, byKey := range []bool{false, true} {
			var key string
			mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { key = rateKey(r, byKey) })).ServeHTTP(httptest.NewRecorder(), req)
			// A bad peer address is used as it came; net/http always sets
			// a host:port, so only a fuzzed one is long.
			if len(key) > 64+len(peer) {
				t.Fatalf("key %d bytes long: %q", len(key), key)
			}
			if tok, ok := bearer(req); ok && byKey {
				// (A short token may turn up among the hash's hex digits by chance.)
				if len(key) != len("key:")+32 || !strings.HasPrefix(key, "key:") || (len(tok) >= 8 && strings.Contains(key[4:], tok)) {
					t.Fatalf("token %q: key %q, want key: and 32 hex digits of its hash", tok, key)
				}
			}
			// From a peer outside the trusted range the chain changes nothing.
			host, _, err := net.SplitHostPort(peer)
			if err != nil {
				host = peer // a bare address, which chi accepts too
			}
			if p, err := netip.ParseAddr(host); err != nil || !trusted.Contains(p.Unmap()) {
				bare := req.Clone(req.Context())
				bare.Header.Del("X-Forwarded-For")
				var want string
				mw(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { want = rateKey(r, byKey) })).ServeHTTP(httptest.NewRecorder(), bare)
				if key != want {
					t.Fatalf("peer %q, X-Forwarded-For %q: key %q, want %q as without the header", peer, xff, key, want)
				}
			}
		}
	})
}

// callerVerifier accepts every token and names its caller by the token
// without its trailing digits: "jwt-a1" and "jwt-a2" are one user's.
type callerVerifier struct{}

func (callerVerifier) Ready() bool { return true }
func (callerVerifier) Identify(_ context.Context, token string) (string, error) {
	return strings.TrimRight(token, "0123456789"), nil
}
