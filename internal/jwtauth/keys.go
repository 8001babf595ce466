package jwtauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/MicahParks/jwkset"
)

// RSA modulus sizes accepted: below the minimum is forgeable in
// practice, above the maximum makes every verification slow.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// keySet is one fetched JWK Set, immutable once built.
type keySet struct {
	keys map[keyID]crypto.PublicKey
	kids map[string]bool // every kid present, whatever its alg
}

// keyID selects a key by the token's kid and alg together, so a token
// can only ever be checked with a key of its own algorithm.
type keyID struct{ kid, alg string }

func (ks *keySet) lookup(kid, alg string) (crypto.PublicKey, bool) {
	if ks == nil {
		return nil, false
	}
	k, ok := ks.keys[keyID{kid, alg}]
	return k, ok
}

// parseJWKS keeps the signature keys of body that can verify one of the
// allowed algorithms; it fails when none can.
func parseJWKS(body []byte, allowed map[string]bool) (*keySet, error) {
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("jwtauth: decode jwks: %w", err)
	}
	ks := &keySet{keys: map[keyID]crypto.PublicKey{}, kids: map[string]bool{}}
	for _, m := range set.Keys {
		if m.KID == "" || (m.USE != "" && m.USE != jwkset.UseSig) {
			continue // unselectable, or not for signatures
		}
		if m.KTY != jwkset.KtyRSA && m.KTY != jwkset.KtyEC {
			continue // symmetric and other keys are never used
		}
		// Private parts, if an issuer ever published them, are dropped,
		// and so are certificates: the key itself is what is trusted, and
		// nothing named by the set (x5u) is ever fetched.
		m.D, m.P, m.Q, m.DP, m.DQ, m.QI, m.OTH = "", "", "", "", "", "", nil
		m.X5U, m.X5C, m.X5T, m.X5TS256 = "", nil, "", ""
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			continue // one malformed key does not hide the others
		}
		alg, pub := algOf(jwk.Key())
		if alg == "" || (m.ALG != "" && m.ALG.String() != alg) || !allowed[alg] {
			continue
		}
		ks.keys[keyID{m.KID, alg}] = pub
		ks.kids[m.KID] = true
	}
	if len(ks.keys) == 0 {
		return nil, errors.New("jwtauth: jwks holds no usable key")
	}
	return ks, nil
}

// algOf names the one algorithm key may verify ("" for none we accept).
func algOf(key any) (string, crypto.PublicKey) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n >= minRSABits && n <= maxRSABits {
			return RS256, k
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return ES256, k
		}
	}
	return "", nil
}

// download fetches and parses the key set within ctx.
func (v *Verifier) download(ctx context.Context) (*keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return nil, fmt.Errorf("jwtauth: jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.cfg.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("jwtauth: fetch jwks: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("jwtauth: fetch jwks: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, v.cfg.MaxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("jwtauth: read jwks: %w", err)
	}
	if int64(len(body)) > v.cfg.MaxJWKSBytes {
		return nil, fmt.Errorf("jwtauth: jwks larger than %d bytes", v.cfg.MaxJWKSBytes)
	}
	return parseJWKS(body, v.allowed)
}

// fetchCall is one fetch of the key set, shared by everyone who waits for
// it; err is set before done is closed.
type fetchCall struct {
	done chan struct{}
	err  error
}

// fetch starts a fetch, or returns the one running. With onDemand it
// starts none, and returns nil, while the last on-demand fetch started
// less than MinRefreshGap ago: the periodic ones do not count, so the
// first token of a freshly rotated key is not refused for their sake. The fetch runs under the Verifier's context, not
// a request's: a client that leaves does not cancel it for the others.
func (v *Verifier) fetch(onDemand bool) *fetchCall {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.inflight != nil {
		return v.inflight
	}
	if onDemand {
		now := time.Now()
		if !v.lastOnDemand.IsZero() && now.Sub(v.lastOnDemand) < v.cfg.MinRefreshGap {
			return nil
		}
		v.lastOnDemand = now
	}
	c := &fetchCall{done: make(chan struct{})}
	v.inflight = c
	go func() {
		c.err = v.load(onDemand)
		v.mu.Lock()
		v.inflight = nil
		v.mu.Unlock()
		close(c.done)
	}()
	return c
}

// load downloads the set and swaps it in; on failure the keys in use
// stay.
func (v *Verifier) load(onDemand bool) error {
	ctx, cancel := context.WithTimeout(v.ctx, v.cfg.FetchTimeout)
	defer cancel()
	ks, err := v.download(ctx)
	if err != nil {
		v.log.LogAttrs(v.ctx, slog.LevelWarn, "jwks fetch failed", slog.String("url", v.cfg.JWKSURL),
			slog.Bool("keys_loaded", v.Ready()), slog.Any("error", err))
		return err
	}
	first := v.keys.Swap(ks) == nil
	level := slog.LevelDebug
	if first || onDemand {
		level = slog.LevelInfo
	}
	v.log.LogAttrs(v.ctx, level, "jwks loaded", slog.String("url", v.cfg.JWKSURL),
		slog.Int("keys", len(ks.keys)), slog.Bool("on_demand", onDemand))
	return nil
}

// run refreshes the set until the context ends: every RefreshInterval
// after a success, sooner (retryMin doubling to retryMax) after a
// failure.
func (v *Verifier) run() {
	backoff := retryMin
	for {
		c := v.fetch(false)
		select {
		case <-v.ctx.Done():
			return
		case <-c.done:
		}
		wait := v.cfg.RefreshInterval
		if c.err != nil {
			wait = min(backoff, wait)
			backoff = min(2*backoff, retryMax)
		} else {
			backoff = retryMin
		}
		t := time.NewTimer(wait)
		select {
		case <-v.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
