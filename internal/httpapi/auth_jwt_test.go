package httpapi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/vendor0919/api/internal/jwtauth"
)

// jwtIssuer is an issuer with one ES256 key, its JWKS served over
// loopback, and a jwtauth.Verifier for it.
type jwtIssuer struct {
	key *ecdsa.PrivateKey
	v   *jwtauth.Verifier
}

func newJWTIssuer(t *testing.T) jwtIssuer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := key.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	body, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig", "x": enc(pt[1:33]), "y": enc(pt[33:]),
	}}})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(body) }))
	t.Cleanup(srv.Close)
	v, err := jwtauth.Start(t.Context(), jwtauth.Config{JWKSURL: srv.URL, Issuer: "https://issuer.test", Audiences: []string{"client-1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The first verification waits for the start-up fetch if need be.
	iss := jwtIssuer{key: key, v: v}
	if err := v.Verify(t.Context(), iss.token(t, time.Hour)); err != nil {
		t.Fatalf("issuer not ready: %v", err)
	}
	return iss
}

// token signs a token for the issuer that expires in ttl (negative:
// expired that long ago, beyond the default skew of none).
func (i jwtIssuer) token(t *testing.T, ttl time.Duration) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": "https://issuer.test", "client_id": "client-1", "token_use": "access", "exp": time.Now().Add(ttl).Unix(),
	})
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(i.key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAuth_JWT: with a JWT issuer configured, alone or beside API_KEYS,
// a valid JWT or key passes; anything else is a 401 whose header says
// invalid_token and whose log line names the failure class, not the
// token.
func TestAuth_JWT(t *testing.T) {
	t.Parallel()
	iss := newJWTIssuer(t)
	jwtOnly := newTestServer(t, func(o *Options) { o.JWT = iss.v })
	both := newTestServer(t, func(o *Options) { o.JWT, o.APIKeys = iss.v, []string{"k1"} })
	valid, expired := iss.token(t, time.Hour), iss.token(t, -time.Hour)
	tests := []struct {
		name      string
		ts        testServer
		auth      string
		status    int
		detail    string
		challenge string // WWW-Authenticate on a 401
		logged    string // in the log on a 401
	}{
		{"no header", jwtOnly, "", 401, "Not authenticated", "Bearer", ""},
		{"valid JWT", jwtOnly, "Bearer " + valid, 200, "", "", ""},
		{"expired JWT", jwtOnly, "Bearer " + expired, 401, "Invalid authentication credentials", `Bearer error="invalid_token"`, `jwtauth: expired`},
		{"tampered JWT", jwtOnly, "Bearer " + valid[:len(valid)-4] + "AAAA", 401, "Invalid authentication credentials", `Bearer error="invalid_token"`, `jwtauth: bad_signature`},
		{"opaque token", jwtOnly, "Bearer nope", 401, "Invalid authentication credentials", `Bearer error="invalid_token"`, `jwtauth: malformed`},
		{"API key beside JWT", both, "Bearer k1", 200, "", "", ""},
		{"JWT beside API key", both, "Bearer " + valid, 200, "", "", ""},
		{"neither", both, "Bearer k2", 401, "Invalid authentication credentials", `Bearer error="invalid_token"`, `jwtauth: malformed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rid := strings.ReplaceAll(tt.name, " ", "-")
			rec := tt.ts.do("POST", "/search", `{"query":"q"}`, map[string]string{"Authorization": tt.auth, "X-Request-ID": rid})
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.detail) {
				t.Fatalf("got %d %s, want %d %q", rec.Code, rec.Body, tt.status, tt.detail)
			}
			if rec.Code != 401 {
				return
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			logs := tt.ts.logs.String()
			token := strings.TrimPrefix(tt.auth, "Bearer ")
			if token != "" && strings.Contains(logs, token) {
				t.Errorf("the token is in the log")
			}
			if tt.logged != "" && (!strings.Contains(logs, `"req_id":"`+rid+`"`) || !strings.Contains(logs, tt.logged)) {
				t.Errorf("no %q line with req_id %s in the log", tt.logged, rid)
			}
		})
	}
}

// fakeVerifier is a TokenVerifier whose readiness the test flips.
type fakeVerifier struct{ ready atomic.Bool }

func (f *fakeVerifier) Ready() bool { return f.ready.Load() }
func (f *fakeVerifier) Identify(_ context.Context, token string) (string, error) {
	if !f.ready.Load() {
		return "", &jwtauth.Failure{Class: jwtauth.ClassKeysUnavailable}
	}
	return "fake\x00" + token, nil
}

// TestAuth_JWTKeysNotLoaded: until the issuer's keys are loaded a JWT
// gets 503 with Retry-After (it may be valid), an opaque token still a
// 401, and /ready says why in a few words.
func TestAuth_JWTKeysNotLoaded(t *testing.T) {
	t.Parallel()
	fv := &fakeVerifier{}
	for _, apiKeys := range [][]string{nil, {"k1"}} {
		ts := newTestServer(t, func(o *Options) { o.JWT, o.APIKeys = fv, apiKeys })
		jwtLike := map[string]string{"Authorization": "Bearer aaa.bbb.ccc"}
		if rec := ts.do("POST", "/search", `{"query":"q"}`, jwtLike); rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
			t.Errorf("keys %v: JWT before keys: %d %s (Retry-After %q)", apiKeys, rec.Code, rec.Body, rec.Header().Get("Retry-After"))
		}
		if rec := ts.do("POST", "/search", `{"query":"q"}`, map[string]string{"Authorization": "Bearer opaque"}); rec.Code != 401 {
			t.Errorf("keys %v: opaque token before keys: %d", apiKeys, rec.Code)
		}
		if rec := ts.do("GET", "/ready", "", nil); rec.Code != 503 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Authentication keys not loaded"}` {
			t.Errorf("keys %v: /ready before keys: %d %s", apiKeys, rec.Code, rec.Body)
		}
	}
	fv.ready.Store(true)
	ts := newTestServer(t, func(o *Options) { o.JWT = fv })
	if rec := ts.do("POST", "/search", `{"query":"q"}`, map[string]string{"Authorization": "Bearer aaa.bbb.ccc"}); rec.Code != 200 {
		t.Errorf("JWT once loaded: %d %s", rec.Code, rec.Body)
	}
	// Auth is on, so /ready stays brief and the served document asks
	// for the bearer token.
	if rec := ts.do("GET", "/ready", "", nil); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != `{"status":"ready"}` {
		t.Errorf("/ready once loaded: %d %s", rec.Code, rec.Body)
	}
	if rec := ts.do("GET", "/openapi.json", "", nil); !strings.Contains(rec.Body.String(), `"BearerAuth"`) {
		t.Error("/openapi.json marks the routes open with JWT auth on")
	}
}
