package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestE2E_JWTAuth: the binary with JWT_* and API_KEYS set starts while
// the issuer's JWKS endpoint is down: /ready says why, API keys work and
// a JWT gets 503. Once the endpoint answers, the background retries load
// the keys without a restart; a valid JWT then passes, an expired one is
// a 401 whose log line names the reason but not the token.
func TestE2E_JWTAuth(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := key.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	jwks, _ := json.Marshal(map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig", "x": enc(pt[1:33]), "y": enc(pt[33:]),
	}}})
	var up atomic.Bool
	issuer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(jwks)
	}))
	t.Cleanup(issuer.Close)
	token := func(ttl time.Duration) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
			"iss": issuer.URL, "client_id": "web-client", "token_use": "access", "exp": time.Now().Add(ttl).Unix(),
		})
		tok.Header["kid"] = "k1"
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	dir := filepath.Join(t.TempDir(), "vectorstore")
	if err := writeFixtureStore(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	env := baseEnv(dir)
	env["API_KEYS"] = "key-one"
	env["JWT_JWKS_URL"] = issuer.URL + "/.well-known/jwks.json"
	env["JWT_ISSUER"] = issuer.URL
	env["JWT_AUDIENCE"] = "web-client"
	p := startServer(t, env)

	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := p.getJSON("/ready")
		if status == http.StatusServiceUnavailable && body["detail"] == "Authentication keys not loaded" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/ready %d %v, want 503 Authentication keys not loaded", status, body)
		}
		time.Sleep(25 * time.Millisecond) // polling interval
	}
	search := `{"query": "battery", "top_k": 2}`
	hdr := func(tok string) http.Header {
		return http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + tok}}
	}
	if resp, b := p.do("POST", "/search", hdr("key-one"), search); resp.StatusCode != 200 {
		t.Errorf("API key while the JWKS is down: %d %s", resp.StatusCode, b)
	}
	if resp, b := p.do("POST", "/search", hdr(token(time.Hour)), search); resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("JWT while the JWKS is down: %d %s", resp.StatusCode, b)
	}

	up.Store(true)
	p.waitReady(90 * time.Second) // retries back off to at most a minute
	if resp, b := p.do("POST", "/search", hdr(token(time.Hour)), search); resp.StatusCode != 200 {
		t.Errorf("valid JWT: %d %s", resp.StatusCode, b)
	}
	expired := token(-time.Hour)
	resp, b := p.do("POST", "/search", hdr(expired), search)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Errorf("expired JWT: %d %s (WWW-Authenticate %q)", resp.StatusCode, b, resp.Header.Get("WWW-Authenticate"))
	}
	assertJSONEqual(t, b, `{"detail":"Invalid authentication credentials"}`)
	if _, ok := p.Stdout.wait(10*time.Second, func(l string) bool { return strings.Contains(l, "jwtauth: expired") }); !ok {
		t.Errorf("no log line naming the reason:\n%s", p.Stdout)
	}
	if strings.Contains(p.Stdout.String(), expired) || strings.Contains(p.Stderr.String(), expired) {
		t.Error("the token is in the log")
	}

	// The document asks for the bearer token, and `api openapi` with the
	// same environment prints the same one; with JWT_* alone too.
	_, doc := p.do("GET", "/openapi.json", nil, "")
	for _, drop := range []string{"", "API_KEYS"} {
		cmd := exec.Command(apiBinary(t), "openapi")
		cmd.Env = raceEnv()
		for k, v := range p.Env {
			if k != drop {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
		}
		out, err := cmd.Output()
		if err != nil || string(out) != string(doc) || !strings.Contains(string(out), `"BearerAuth"`) {
			t.Errorf("api openapi without %q: %v; same as /openapi.json: %v", drop, err, string(out) == string(doc))
		}
	}
}
