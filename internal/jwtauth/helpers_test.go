package jwtauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_TEST"
	testAudience = "app-client-1"
)

// testKeys are generated once: RSA key generation is slow on a busy
// machine, and the keys are never written.
type testKeys struct {
	rsaA, rsaB, rsaSmall *rsa.PrivateKey
	ecA, ecB, ecP384     *ecdsa.PrivateKey
}

var keys = sync.OnceValue(func() testKeys {
	must := func(k any, err error) any {
		if err != nil {
			panic(err)
		}
		return k
	}
	return testKeys{
		rsaA:     must(rsa.GenerateKey(rand.Reader, 2048)).(*rsa.PrivateKey),
		rsaB:     must(rsa.GenerateKey(rand.Reader, 2048)).(*rsa.PrivateKey),
		rsaSmall: must(rsa.GenerateKey(rand.Reader, 1024)).(*rsa.PrivateKey),
		ecA:      must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)).(*ecdsa.PrivateKey),
		ecB:      must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)).(*ecdsa.PrivateKey),
		ecP384:   must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)).(*ecdsa.PrivateKey),
	}
})

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK and ecJWK write public keys as an issuer publishes them; alg ""
// leaves the member out, as some issuers do.
func rsaJWK(kid, alg string, k *rsa.PublicKey) map[string]any {
	m := map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func ecJWK(kid, alg string, k *ecdsa.PublicKey) map[string]any {
	pt, err := k.Bytes() // 0x04 || X || Y
	if err != nil {
		panic(err)
	}
	size := (len(pt) - 1) / 2
	crv := map[int]string{32: "P-256", 48: "P-384"}[size]
	m := map[string]any{"kty": "EC", "kid": kid, "use": "sig", "crv": crv, "x": b64(pt[1 : 1+size]), "y": b64(pt[1+size:])}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func jwksBody(keys ...map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err)
	}
	return b
}

// jwksServer is the issuer's JWKS endpoint: it serves what the test set
// and counts the requests.
type jwksServer struct {
	mu     sync.Mutex
	body   []byte
	status int
	hits   int
	hang   bool // wait for the client to give up
}

func (s *jwksServer) set(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}

func (s *jwksServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits++
	status, body, hang := s.status, s.body, s.hang
	s.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// newJWKS starts a JWKS server over loopback serving body.
func newJWKS(t *testing.T, body []byte) (*jwksServer, *httptest.Server) {
	t.Helper()
	s := &jwksServer{status: http.StatusOK, body: body}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// testConfig is a Config for url; its client keeps no idle connection,
// so no goroutine waits on a socket once a fetch is done (synctest needs
// that to advance its clock).
func testConfig(url string) Config {
	return Config{
		JWKSURL: url, Issuer: testIssuer, Audiences: []string{testAudience, "app-client-2"},
		ClockSkew: 30 * time.Second,
		Client:    &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	}
}

// startSettled starts a Verifier inside a synctest bubble and waits until
// its refresh loop has made its start-up fetch and sleeps: a test that
// counts fetches must not race that loop's first one (under load the loop
// started after a test's own on-demand fetch, and its start-up fetch then
// loaded keys the test expected refused).
func startSettled(t *testing.T, ctx context.Context, cfg Config) *Verifier {
	t.Helper()
	v, err := Start(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	if !v.Ready() {
		t.Fatal("keys not loaded")
	}
	return v
}

// startLoaded starts a Verifier and waits for its first fetch.
func startLoaded(t *testing.T, ctx context.Context, cfg Config) *Verifier {
	t.Helper()
	v, err := Start(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	<-v.fetch(false).done // the start-up fetch, or one after it
	if !v.Ready() {
		t.Fatal("keys not loaded")
	}
	return v
}

// claimsNow are valid claims for the test issuer and audience.
func claimsNow() jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{"iss": testIssuer, "aud": testAudience, "sub": "user-1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// mint signs c with key under method; kid "" leaves the header out.
func mint(t testing.TB, method jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// with returns c with the given claims set (a nil value deletes one).
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(c, k)
			continue
		}
		c[k] = kv[i+1]
	}
	return c
}

// classOf returns err's failure class, "" for nil.
func classOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var f *Failure
	if !errors.As(err, &f) {
		t.Fatalf("error %T %v is not a *Failure", err, err)
	}
	return f.Class
}
