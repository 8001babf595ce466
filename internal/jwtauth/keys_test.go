package jwtauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The synctest tests below run the verifier in a bubble (its clock and
// timers are fake) against a JWKS server over loopback started outside
// it. time.Sleep in a bubble only moves the fake clock, once every
// goroutine in it is blocked.

// TestKeys_RotationOnUnknownKID: the issuer starts signing with a new key
// and publishes it; the first token naming it triggers one refresh that
// picks it up. A second unknown kid within MinRefreshGap fetches nothing,
// and after the gap it does.
func TestKeys_RotationOnUnknownKID(t *testing.T) {
	t.Parallel()
	k := keys()
	js, srv := newJWKS(t, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey)))
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		v := startSettled(t, ctx, testConfig(srv.URL))
		if n := js.count(); n != 1 {
			t.Fatalf("%d fetches at start, want 1", n)
		}

		js.set(http.StatusOK, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey), rsaJWK("rsa-b", "RS256", &k.rsaB.PublicKey)))
		tokB := mint(t, jwt.SigningMethodRS256, k.rsaB, "rsa-b", claimsNow())
		if err := v.Verify(ctx, tokB); err != nil {
			t.Fatalf("token of the rotated-in key: %v", err)
		}
		if n := js.count(); n != 2 {
			t.Errorf("%d fetches after the unknown kid, want 2", n)
		}

		js.set(http.StatusOK, jwksBody(rsaJWK("rsa-b", "RS256", &k.rsaB.PublicKey), ecJWK("ec-b", "ES256", &k.ecB.PublicKey)))
		tokC := mint(t, jwt.SigningMethodES256, k.ecB, "ec-b", claimsNow())
		if got := classOf(t, v.Verify(ctx, tokC)); got != ClassUnknownKID {
			t.Errorf("within the gap: class %q, want %q", got, ClassUnknownKID)
		}
		if n := js.count(); n != 2 {
			t.Errorf("%d fetches within the gap, want 2", n)
		}

		time.Sleep(DefaultMinRefreshGap)
		if err := v.Verify(ctx, tokC); err != nil {
			t.Errorf("after the gap: %v", err)
		}
		if n := js.count(); n != 3 {
			t.Errorf("%d fetches after the gap, want 3", n)
		}
		// rsa-a was revoked by that fetch.
		if got := classOf(t, v.Verify(ctx, mint(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsNow()))); got != ClassUnknownKID {
			t.Errorf("revoked key: class %q, want %q", got, ClassUnknownKID)
		}
	})
}

// TestKeys_FloodOfUnknownKIDs: many requests with made-up kids at once
// cost the issuer one fetch, and every one of them is refused.
func TestKeys_FloodOfUnknownKIDs(t *testing.T) {
	t.Parallel()
	k := keys()
	js, srv := newJWKS(t, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey)))
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		v := startSettled(t, ctx, testConfig(srv.URL))
		var wg sync.WaitGroup
		classes := make([]string, 200)
		for i := range classes {
			tok := mint(t, jwt.SigningMethodRS256, k.rsaA, fmt.Sprintf("random-%d", i), claimsNow())
			wg.Go(func() {
				var f *Failure
				if errors.As(v.Verify(ctx, tok), &f) {
					classes[i] = f.Class
				}
			})
		}
		wg.Wait()
		for i, c := range classes {
			if c != ClassUnknownKID {
				t.Fatalf("token %d: class %q, want %q", i, c, ClassUnknownKID)
			}
		}
		if n := js.count(); n != 2 {
			t.Errorf("%d fetches, want 2 (start-up and one refresh)", n)
		}
	})
}

// TestKeys_DownAtStartThenRecovers: with the JWKS endpoint failing,
// Start returns at once, the verifier is not ready and refuses tokens;
// the retries pick the keys up once the endpoint answers, without any
// request asking.
func TestKeys_DownAtStartThenRecovers(t *testing.T) {
	t.Parallel()
	k := keys()
	js, srv := newJWKS(t, nil)
	js.set(http.StatusServiceUnavailable, []byte("down"))
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		v, err := Start(ctx, testConfig(srv.URL), nil)
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the first fetch failed; the loop waits to retry
		if v.Ready() {
			t.Fatal("ready with the JWKS down")
		}
		tok := mint(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsNow())
		if got := classOf(t, v.Verify(ctx, tok)); got != ClassKeysUnavailable {
			t.Errorf("class %q, want %q", got, ClassKeysUnavailable)
		}

		time.Sleep(10 * time.Second) // retries at 1, 2 and 4 s (then 8)
		down := js.count()
		if down < 3 || down > 5 {
			t.Errorf("%d fetches in the first 10 s down, want 3 to 5 (backoff)", down)
		}

		js.set(http.StatusOK, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey)))
		time.Sleep(retryMax)
		synctest.Wait()
		if !v.Ready() {
			t.Fatal("not ready a minute after the JWKS came back")
		}
		if err := v.Verify(ctx, tok); err != nil {
			t.Errorf("after recovery: %v", err)
		}
	})
}

// TestKeys_PeriodicRefresh: keys are fetched again every RefreshInterval
// without any request, and a key the issuer dropped stops verifying.
func TestKeys_PeriodicRefresh(t *testing.T) {
	t.Parallel()
	k := keys()
	js, srv := newJWKS(t, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey)))
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cfg := testConfig(srv.URL)
		cfg.RefreshInterval = 10 * time.Minute
		v := startSettled(t, ctx, cfg)
		js.set(http.StatusOK, jwksBody(ecJWK("ec-b", "ES256", &k.ecB.PublicKey)))

		time.Sleep(cfg.RefreshInterval - time.Second)
		synctest.Wait()
		if n := js.count(); n != 1 {
			t.Fatalf("%d fetches before the interval, want 1", n)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if n := js.count(); n != 2 {
			t.Fatalf("%d fetches after the interval, want 2", n)
		}
		// The new key verifies without a fetch of its own; the dropped
		// one is refused after one on-demand fetch that lacks it too.
		if err := v.Verify(ctx, mint(t, jwt.SigningMethodES256, k.ecB, "ec-b", claimsNow())); err != nil {
			t.Errorf("new key: %v", err)
		}
		if n := js.count(); n != 2 {
			t.Errorf("%d fetches, want 2", n)
		}
		if got := classOf(t, v.Verify(ctx, mint(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", claimsNow()))); got != ClassUnknownKID {
			t.Errorf("dropped key: class %q, want %q", got, ClassUnknownKID)
		}
		if n := js.count(); n != 3 {
			t.Errorf("%d fetches, want 3", n)
		}

		// A failed refresh keeps the keys in use.
		js.set(http.StatusInternalServerError, nil)
		time.Sleep(cfg.RefreshInterval + time.Second)
		synctest.Wait()
		if !v.Ready() {
			t.Error("not ready after a failed refresh")
		}
		if err := v.Verify(ctx, mint(t, jwt.SigningMethodES256, k.ecB, "ec-b", claimsNow())); err != nil {
			t.Errorf("after a failed refresh: %v", err)
		}
	})
}

// TestKeys_ExpiryFollowsTheClock: a token valid now is refused once its
// exp plus the skew has passed, and not a second before.
func TestKeys_ExpiryFollowsTheClock(t *testing.T) {
	t.Parallel()
	k := keys()
	_, srv := newJWKS(t, jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey)))
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cfg := testConfig(srv.URL)
		v := startSettled(t, ctx, cfg)
		tok := mint(t, jwt.SigningMethodRS256, k.rsaA, "rsa-a", with(claimsNow(), "exp", time.Now().Add(time.Minute).Unix()))
		time.Sleep(time.Minute + cfg.ClockSkew - time.Second)
		if err := v.Verify(ctx, tok); err != nil {
			t.Errorf("within the skew: %v", err)
		}
		time.Sleep(2 * time.Second)
		if got := classOf(t, v.Verify(ctx, tok)); got != ClassExpired {
			t.Errorf("past the skew: class %q, want %q", got, ClassExpired)
		}
	})
}

// TestKeys_Bounds: a JWKS body over MaxJWKSBytes, an endpoint that never
// answers and a set without a usable key leave the verifier not ready,
// and Start never waits for them.
func TestKeys_Bounds(t *testing.T) {
	t.Parallel()
	k := keys()
	big := jwksBody(rsaJWK("rsa-a", "RS256", &k.rsaA.PublicKey), map[string]any{"kty": "oct", "kid": "pad", "k": strings.Repeat("A", DefaultMaxJWKSBytes)})
	tests := []struct {
		name  string
		setup func(*jwksServer)
		want  string
	}{
		{"too large", func(s *jwksServer) { s.set(http.StatusOK, big) }, "larger than"},
		{"hangs", func(s *jwksServer) { s.hang = true }, "deadline exceeded"},
		{"not JSON", func(s *jwksServer) { s.set(http.StatusOK, []byte("<html>")) }, "decode jwks"},
		{"no usable key", func(s *jwksServer) { s.set(http.StatusOK, jwksBody(rsaJWK("small", "", &k.rsaSmall.PublicKey))) }, "no usable key"},
		{"redirect", func(s *jwksServer) { s.set(http.StatusFound, nil) }, "status 302"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			js, srv := newJWKS(t, nil)
			tt.setup(js)
			cfg := testConfig(srv.URL)
			if js.hang {
				cfg.FetchTimeout = 200 * time.Millisecond // real time: the hang ends here
			}
			v, err := Start(t.Context(), cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := v.fetch(false)
			<-c.done
			if c.err == nil || !strings.Contains(c.err.Error(), tt.want) {
				t.Errorf("fetch error %v, want %q", c.err, tt.want)
			}
			if v.Ready() {
				t.Error("ready")
			}
		})
	}
}
