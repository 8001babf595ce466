package jwtauth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestParseJWKS_KeepsOnlyUsableKeys: what an issuer may publish beside
// its signing keys never becomes a verification key.
func TestParseJWKS_KeepsOnlyUsableKeys(t *testing.T) {
	t.Parallel()
	k := keys()
	both := map[string]bool{RS256: true, ES256: true}
	good := rsaJWK("good", "RS256", &k.rsaA.PublicKey)
	tests := []struct {
		name string
		key  map[string]any
		keep bool
	}{
		{"RSA with alg", rsaJWK("k", "RS256", &k.rsaA.PublicKey), true},
		{"RSA without alg", rsaJWK("k", "", &k.rsaA.PublicKey), true},
		{"EC P-256 without alg", ecJWK("k", "", &k.ecA.PublicKey), true},
		{"RSA labelled ES256", rsaJWK("k", "ES256", &k.rsaA.PublicKey), false},
		{"RSA labelled RS512", rsaJWK("k", "RS512", &k.rsaA.PublicKey), false},
		{"EC labelled RS256", ecJWK("k", "RS256", &k.ecA.PublicKey), false},
		{"EC P-384", ecJWK("k", "", &k.ecP384.PublicKey), false},
		{"RSA 1024 bits", rsaJWK("k", "RS256", &k.rsaSmall.PublicKey), false},
		{"symmetric", map[string]any{"kty": "oct", "kid": "k", "k": b64([]byte("secret"))}, false},
		{"encryption key", with(rsaJWK("k", "", &k.rsaA.PublicKey), "use", "enc"), false},
		{"no kid", with(rsaJWK("k", "", &k.rsaA.PublicKey), "kid", nil), false},
		{"EC point off the curve", with(ecJWK("k", "", &k.ecA.PublicKey), "y", b64(make([]byte, 32))), false},
		{"RSA modulus not base64", with(rsaJWK("k", "", &k.rsaA.PublicKey), "n", "!!"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ks, err := parseJWKS(jwksBody(good, tt.key), both)
			if err != nil {
				t.Fatal(err)
			}
			if kept := len(ks.keys) == 2; kept != tt.keep {
				t.Errorf("kept %v, want %v", kept, tt.keep)
			}
		})
	}
	if _, err := parseJWKS(jwksBody(ecJWK("ec", "", &k.ecA.PublicKey)), map[string]bool{RS256: true}); err == nil {
		t.Error("a set with no key of an allowed alg parsed")
	}
	for _, body := range []string{"", "null", `{"keys":{}}`, `{"keys":[]}`, `[`} {
		if _, err := parseJWKS([]byte(body), both); err == nil {
			t.Errorf("%q parsed", body)
		}
	}
}

// FuzzParseJWKS: any body parses or fails without panicking, and every
// key kept is one the verifier may use.
func FuzzParseJWKS(f *testing.F) {
	k := keys()
	f.Add(jwksBody(rsaJWK("a", "RS256", &k.rsaA.PublicKey), ecJWK("b", "", &k.ecA.PublicKey)))
	f.Add(jwksBody(map[string]any{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}))
	f.Add(jwksBody(ecJWK("c", "", &k.ecP384.PublicKey)))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"x","n":"AQAB","e":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","kid":"x","x":"","y":""}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ks, err := parseJWKS(body, map[string]bool{RS256: true, ES256: true})
		if err != nil {
			return
		}
		for id, pub := range ks.keys {
			if alg, _ := algOf(pub); alg != id.alg || id.kid == "" || !ks.kids[id.kid] {
				t.Fatalf("kept %+v as %T (alg %q)", id, pub, alg)
			}
		}
	})
}

// FuzzVerify: no input panics or passes unless it carries, byte for
// byte once decoded, the header and claims of a token the test signed
// (base64url lets a final character vary without changing the bytes).
func FuzzVerify(f *testing.F) {
	k := keys()
	v, err := newVerifier(f.Context(), testConfig("http://127.0.0.1:1/unused"), nil)
	if err != nil {
		f.Fatal(err)
	}
	ks, err := parseJWKS(jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey), ecJWK("ec-a", "ES256", &k.ecA.PublicKey)), v.allowed)
	if err != nil {
		f.Fatal(err)
	}
	v.keys.Store(ks)
	v.lastOnDemand = time.Now().Add(24 * time.Hour) // an unknown kid fetches nothing
	claims := with(claimsNow(), "exp", time.Now().Add(24*time.Hour).Unix())
	signed := []string{
		mint(f, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claims),
		mint(f, jwt.SigningMethodES256, k.ecA, "ec-a", claims),
	}
	for _, s := range signed {
		f.Add(s)
		f.Add(s[:len(s)-3])
		f.Add(strings.Replace(s, ".", "..", 1))
	}
	f.Add(mint(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-a", claims))
	f.Add(mint(f, jwt.SigningMethodHS256, []byte("k"), "rsa-a", claims))
	f.Add(b64([]byte(`{"alg":"RS256","kid":"rsa-a","crit":["x"]}`)) + ".e30.")
	f.Add("..")
	f.Add(strings.Repeat("A", DefaultMaxTokenBytes+1))
	heads := map[string]bool{}
	for _, s := range signed {
		heads[decodedParts(s)] = true
	}
	f.Fuzz(func(t *testing.T, token string) {
		if err := v.Verify(t.Context(), token); err == nil && !heads[decodedParts(token)] {
			t.Fatalf("accepted a token the test did not sign: %q", token)
		}
	})
}

// decodedParts is a token's decoded header and claims.
func decodedParts(token string) string {
	p := strings.Split(token, ".")
	if len(p) != 3 {
		return ""
	}
	h, err1 := jwt.NewParser().DecodeSegment(p[0])
	c, err2 := jwt.NewParser().DecodeSegment(p[1])
	if err1 != nil || err2 != nil {
		return ""
	}
	return string(h) + "\x00" + string(c)
}

// TestParseJWKS_IgnoresCertificates: x5c, x5t and x5u members (as some
// OIDC issuers publish) neither break a key nor make anything fetched.
func TestParseJWKS_IgnoresCertificates(t *testing.T) {
	t.Parallel()
	k := keys()
	m := with(rsaJWK("k", "RS256", &k.rsaA.PublicKey), "x5c", []string{"bm90IGEgY2VydA"}, "x5t", "abc", "x5u", "http://127.0.0.1:1/never")
	ks, err := parseJWKS(jwksBody(m), map[string]bool{RS256: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks.lookup("k", RS256); !ok {
		t.Error("key with certificate members dropped")
	}
}
