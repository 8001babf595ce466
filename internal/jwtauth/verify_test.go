package jwtauth

import (
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TestVerify_Tokens checks one token per rule against a JWKS server over
// loopback holding an RSA and an ECDSA key.
func TestVerify_Tokens(t *testing.T) {
	t.Parallel()
	k := keys()
	_, srv := newJWKS(t, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey), ecJWK("ec-a", "", &k.ecA.PublicKey)))
	v := startLoaded(t, t.Context(), testConfig(srv.URL))

	now := time.Now()
	rs := func(c jwt.MapClaims) string { return mint(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", c) }
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsaA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	valid := rs(claimsNow())
	parts := strings.Split(valid, ".")
	other := strings.Split(rs(with(claimsNow(), "sub", "admin")), ".")

	tests := []struct {
		name  string
		token string
		want  string // failure class, "" for valid
	}{
		{"valid RS256", valid, ""},
		{"valid ES256", mint(t, jwt.SigningMethodES256, k.ecA, "ec-a", claimsNow()), ""},
		{"aud list with ours", rs(with(claimsNow(), "aud", []string{"someone-else", "app-client-2"})), ""},
		{"cognito access token: client_id, no aud", rs(with(claimsNow(), "aud", nil, "client_id", testAudience, "token_use", "access")), ""},
		{"expired", rs(with(claimsNow(), "exp", now.Add(-2*time.Minute).Unix())), ClassExpired},
		{"expired within skew", rs(with(claimsNow(), "exp", now.Add(-10*time.Second).Unix())), ""},
		{"not yet valid", rs(with(claimsNow(), "nbf", now.Add(2*time.Minute).Unix())), ClassNotYetValid},
		{"nbf within skew", rs(with(claimsNow(), "nbf", now.Add(10*time.Second).Unix())), ""},
		{"no exp", rs(with(claimsNow(), "exp", nil)), ClassMissingClaim},
		{"wrong iss", rs(with(claimsNow(), "iss", "https://evil.example")), ClassWrongIssuer},
		{"no iss", rs(with(claimsNow(), "iss", nil)), ClassMissingClaim},
		{"wrong aud", rs(with(claimsNow(), "aud", "other-client")), ClassWrongAudience},
		{"aud wins over client_id", rs(with(claimsNow(), "aud", "other-client", "client_id", testAudience)), ClassWrongAudience},
		{"wrong client_id", rs(with(claimsNow(), "aud", nil, "client_id", "other-client")), ClassWrongAudience},
		{"neither aud nor client_id", rs(with(claimsNow(), "aud", nil)), ClassWrongAudience},
		{"exp of the wrong type", rs(with(claimsNow(), "exp", "tomorrow")), ClassMalformed},
		{"alg none", mint(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "rsa-a", claimsNow()), ClassAlgorithm},
		{"HS256 with the public key as secret", mint(t, jwt.SigningMethodHS256, pubPEM, "rsa-a", claimsNow()), ClassAlgorithm},
		{"RS384 is not allowed", mint(t, jwt.SigningMethodRS384, k.rsaA, "rsa-a", claimsNow()), ClassAlgorithm},
		{"unknown alg", b64([]byte(`{"alg":"XY9","kid":"rsa-a"}`)) + "." + parts[1] + "." + parts[2], ClassAlgorithm},
		{"tampered payload", parts[0] + "." + other[1] + "." + parts[2], ClassBadSignature},
		{"signed by another key under our kid", mint(t, jwt.SigningMethodRS256, k.rsaB, "rsa-a", claimsNow()), ClassBadSignature},
		{"truncated signature", parts[0] + "." + parts[1] + "." + parts[2][:10], ClassBadSignature},
		{"ES256 token naming the RSA key", mint(t, jwt.SigningMethodES256, k.ecA, "rsa-a", claimsNow()), ClassKeyMismatch},
		{"RS256 token naming the EC key", mint(t, jwt.SigningMethodRS256, k.rsaA, "ec-a", claimsNow()), ClassKeyMismatch},
		{"no kid", mint(t, jwt.SigningMethodRS256, k.rsaA, "", claimsNow()), ClassNoKID},
		{"crit header", critToken(t, k.rsaA), ClassMalformed},
		{"kid not a string", b64([]byte(`{"alg":"RS256","kid":7}`)) + "." + parts[1] + "." + parts[2], ClassNoKID},
		{"oversized token", rs(with(claimsNow(), "pad", strings.Repeat("x", DefaultMaxTokenBytes))), ClassTooLarge},
		{"not a JWT", "opaque-api-key", ClassMalformed},
		{"three empty parts", "..", ClassMalformed},
		{"payload not base64", parts[0] + ".!!!." + parts[2], ClassMalformed},
		{"header not JSON", b64([]byte("nope")) + "." + parts[1] + "." + parts[2], ClassMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := v.Verify(t.Context(), tt.token)
			if got := classOf(t, err); got != tt.want {
				t.Errorf("class %q, want %q", got, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error %q quotes the token", err)
			}
		})
	}
}

// TestVerify_Algorithms: a verifier limited to ES256 refuses RS256 tokens
// signed by a published key, and never loads the RSA key.
func TestVerify_Algorithms(t *testing.T) {
	t.Parallel()
	k := keys()
	_, srv := newJWKS(t, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey), ecJWK("ec-a", "ES256", &k.ecA.PublicKey)))
	cfg := testConfig(srv.URL)
	cfg.Algorithms = []string{ES256}
	v := startLoaded(t, t.Context(), cfg)
	if got := classOf(t, v.Verify(t.Context(), mint(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsNow()))); got != ClassAlgorithm {
		t.Errorf("RS256: class %q, want %q", got, ClassAlgorithm)
	}
	if err := v.Verify(t.Context(), mint(t, jwt.SigningMethodES256, k.ecA, "ec-a", claimsNow())); err != nil {
		t.Errorf("ES256: %v", err)
	}
}

func TestConfig_Check(t *testing.T) {
	t.Parallel()
	ok := Config{JWKSURL: "https://issuer/jwks.json", Issuer: "https://issuer", Audiences: []string{"a"}}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // part of the error, "" for none
	}{
		{"complete", func(*Config) {}, ""},
		{"no url", func(c *Config) { c.JWKSURL = "" }, "no JWKS URL"},
		{"no issuer", func(c *Config) { c.Issuer = "" }, "no issuer"},
		{"no audience", func(c *Config) { c.Audiences = nil }, "no audience"},
		{"empty audience", func(c *Config) { c.Audiences = []string{""} }, "no audience"},
		{"HS256", func(c *Config) { c.Algorithms = []string{"HS256"} }, "HS256 not supported"},
		{"none", func(c *Config) { c.Algorithms = []string{"none"} }, "none not supported"},
		{"negative skew", func(c *Config) { c.ClockSkew = -time.Second }, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ok
			tt.mutate(&c)
			err := c.Check()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Check() = %v, want %q", err, tt.want)
			}
			// newVerifier is Start without the fetching goroutine.
			if _, serr := newVerifier(t.Context(), c, nil); (serr == nil) != (tt.want == "") {
				t.Errorf("newVerifier() = %v, want error %v", serr, tt.want != "")
			}
		})
	}
}

// critToken is a validly signed token with a critical header extension.
func critToken(t *testing.T, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claimsNow())
	tok.Header["kid"], tok.Header["crit"], tok.Header["exp-ext"] = "rsa-a", []string{"exp-ext"}, true
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestIdentify_OneCallerPerUser: the caller Identify names is the same for
// every token of one user and every encoding of one token (the spare bits
// of the signature's last base64 character, an ECDSA signature's (r, n-s)
// twin), which all verify; a per-client limit keyed on the token's bytes
// gave each its own budget.
func TestIdentify_OneCallerPerUser(t *testing.T) {
	t.Parallel()
	k := keys()
	_, srv := newJWKS(t, jwksBody(ecJWK("ec-a", "", &k.ecA.PublicKey)))
	v := startLoaded(t, t.Context(), testConfig(srv.URL))
	es := func(c jwt.MapClaims) string { return mint(t, jwt.SigningMethodES256, k.ecA, "ec-a", c) }

	variants := func(token string) []string {
		i := strings.LastIndexByte(token, '.')
		sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
		if err != nil || len(sig) != 64 {
			t.Fatalf("signature %q: %v", token[i+1:], err)
		}
		s := new(big.Int).SetBytes(sig[32:])
		twin := append(append([]byte{}, sig[:32]...), new(big.Int).Sub(elliptic.P256().Params().N, s).FillBytes(make([]byte, 32))...)
		out := []string{token[:i+1] + base64.RawURLEncoding.EncodeToString(twin)}
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		last := strings.IndexByte(alphabet, token[len(token)-1])
		for spare := 1; spare < 16; spare++ {
			out = append(out, token[:len(token)-1]+string(alphabet[last^spare]))
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		claims jwt.MapClaims
	}{
		{"with a subject", claimsNow()},
		{"without subject or client_id", with(claimsNow(), "sub", nil)},
	} {
		token := es(tc.claims)
		want, err := v.Identify(t.Context(), token)
		if err != nil {
			t.Fatal(err)
		}
		verified := 0
		for _, alt := range variants(token) {
			got, err := v.Identify(t.Context(), alt)
			if err != nil {
				continue // an encoding the parser refuses is no second caller
			}
			verified++
			if got != want {
				t.Errorf("%s: a variant of one token is caller %q, the token %q", tc.name, got, want)
			}
		}
		if verified == 0 {
			t.Errorf("%s: no variant verified; the test shows nothing", tc.name)
		}
	}
	a1, err := v.Identify(t.Context(), es(claimsNow()))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := v.Identify(t.Context(), es(with(claimsNow(), "iat", time.Now().Add(-time.Minute).Unix())))
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.Identify(t.Context(), es(with(claimsNow(), "sub", "user-2")))
	if err != nil {
		t.Fatal(err)
	}
	if a1 != a2 || a1 == b {
		t.Errorf("callers %q, %q (one user, two tokens) and %q (another): want the first two equal, the third not", a1, a2, b)
	}
}
