package jwtauth

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Failure classes: why Verify refused a token.
const (
	ClassTooLarge        = "too_large"        // longer than MaxTokenBytes
	ClassMalformed       = "malformed"        // not three base64url JSON parts
	ClassAlgorithm       = "alg_not_allowed"  // none, HS*, or not in Algorithms
	ClassNoKID           = "no_kid"           // no kid header
	ClassUnknownKID      = "unknown_kid"      // kid not in the set, even after a refresh
	ClassKeyMismatch     = "key_mismatch"     // kid names a key of another type or alg
	ClassBadSignature    = "bad_signature"    // signature does not verify
	ClassExpired         = "expired"          // exp past, beyond the skew
	ClassNotYetValid     = "not_yet_valid"    // nbf future, beyond the skew
	ClassMissingClaim    = "missing_claim"    // no exp (or another required claim)
	ClassWrongIssuer     = "wrong_issuer"     // iss is not Issuer
	ClassWrongAudience   = "wrong_audience"   // neither aud nor client_id in Audiences
	ClassInvalidClaims   = "invalid_claims"   // a claim of the wrong type
	ClassKeysUnavailable = "keys_unavailable" // the set was never fetched
)

// Failure is why a token was refused. It holds only the class, never the
// token or its claims, so it may be logged.
type Failure struct {
	Class string
}

func (f *Failure) Error() string { return "jwtauth: " + f.Class }

func fail(class string) *Failure { return &Failure{Class: class} }

// Verifier checks JWTs against an issuer's key set. Create it with
// Start; it is safe for concurrent use.
type Verifier struct {
	cfg     Config
	log     *slog.Logger
	ctx     context.Context // ends the refresh loop and any fetch
	parser  *jwt.Parser
	allowed map[string]bool
	keys    atomic.Pointer[keySet] // nil until the first fetch succeeds

	mu           sync.Mutex
	inflight     *fetchCall // the fetch running, if any
	lastOnDemand time.Time  // when the latest fetch for an unknown kid started
}

// Start checks cfg and returns a Verifier whose key set is fetched in the
// background (Start does no I/O) and refreshed until ctx is done. log nil
// discards.
func Start(ctx context.Context, cfg Config, log *slog.Logger) (*Verifier, error) {
	v, err := newVerifier(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	go v.run()
	return v, nil
}

func newVerifier(ctx context.Context, cfg Config, log *slog.Logger) (*Verifier, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	v := &Verifier{cfg: cfg, log: log, ctx: ctx, allowed: map[string]bool{}}
	for _, a := range cfg.Algorithms {
		v.allowed[a] = true
	}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods(cfg.Algorithms),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithLeeway(cfg.ClockSkew),
		jwt.WithExpirationRequired(),
	)
	return v, nil
}

// Ready reports whether a key set has been fetched. It does no I/O.
func (v *Verifier) Ready() bool { return v.keys.Load() != nil }

// claims are the claims Verify reads; Cognito access tokens name their
// app client in client_id instead of aud.
type claims struct {
	jwt.RegisteredClaims
	ClientID string `json:"client_id,omitempty"`
}

// Verify returns nil when token is a valid JWT for this issuer and
// audience now, or a *Failure. A token with an unknown kid may wait for
// one shared refresh of the key set (at most FetchTimeout, or until ctx
// ends).
func (v *Verifier) Verify(ctx context.Context, token string) error {
	_, err := v.Identify(ctx, token)
	return err
}

// Identify is Verify that also names the caller of a valid token, for
// per-client limits: its issuer and subject ("iss\x00sub"; client_id
// when a client-credentials token has no sub), else its signed part
// (header and claims). Never the token's bytes: the signature has spare
// bits in its last base64 character, and an ECDSA signature has a twin,
// so one token can be written many ways that all verify, and each would
// be a caller of its own.
func (v *Verifier) Identify(ctx context.Context, token string) (string, error) {
	if len(token) > v.cfg.MaxTokenBytes {
		return "", fail(ClassTooLarge)
	}
	if strings.Count(token, ".") != 2 {
		return "", fail(ClassMalformed)
	}
	var c claims
	tok, err := v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return v.key(ctx, t) })
	if err != nil {
		return "", v.classify(tok, err)
	}
	if !v.audienceOK(&c) {
		return "", fail(ClassWrongAudience)
	}
	if who := cmp.Or(c.Subject, c.ClientID); who != "" {
		return c.Issuer + "\x00" + who, nil
	}
	return "token\x00" + token[:strings.LastIndexByte(token, '.')], nil
}

// key finds the key for t's kid and alg, refreshing the set once if the
// kid is unknown.
func (v *Verifier) key(ctx context.Context, t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if !v.allowed[alg] {
		return nil, fail(ClassAlgorithm) // WithValidMethods already refused it
	}
	if _, ok := t.Header["crit"]; ok {
		return nil, fail(ClassMalformed) // RFC 7515: unknown critical extensions must be refused, and we know none
	}
	kid, _ := t.Header["kid"].(string)
	if kid == "" {
		return nil, fail(ClassNoKID)
	}
	ks := v.keys.Load()
	if k, ok := ks.lookup(kid, alg); ok {
		return k, nil
	}
	if ks != nil && ks.kids[kid] {
		return nil, fail(ClassKeyMismatch)
	}
	if c := v.fetch(true); c != nil {
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, fail(ClassUnknownKID)
		}
		ks = v.keys.Load()
		if k, ok := ks.lookup(kid, alg); ok {
			return k, nil
		}
		if ks != nil && ks.kids[kid] {
			return nil, fail(ClassKeyMismatch)
		}
	}
	if ks == nil {
		return nil, fail(ClassKeysUnavailable)
	}
	return nil, fail(ClassUnknownKID)
}

// audienceOK applies the audience rule: aud when the token has one, else
// client_id (Cognito access tokens).
func (v *Verifier) audienceOK(c *claims) bool {
	if len(c.Audience) > 0 {
		return slices.ContainsFunc(c.Audience, func(a string) bool { return slices.Contains(v.cfg.Audiences, a) })
	}
	return c.ClientID != "" && slices.Contains(v.cfg.Audiences, c.ClientID)
}

// classify maps the library's error to a Failure, dropping its text.
func (v *Verifier) classify(tok *jwt.Token, err error) error {
	var f *Failure
	switch {
	case errors.As(err, &f):
		return f
	case tok != nil && tok.Method != nil && !v.allowed[tok.Method.Alg()]:
		return fail(ClassAlgorithm)
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fail(ClassMalformed)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return fail(ClassAlgorithm) // an alg the library does not know
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return fail(ClassBadSignature)
	case errors.Is(err, jwt.ErrTokenExpired):
		return fail(ClassExpired)
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return fail(ClassNotYetValid)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return fail(ClassWrongIssuer)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fail(ClassMissingClaim)
	case errors.Is(err, jwt.ErrTokenInvalidClaims), errors.Is(err, jwt.ErrInvalidType):
		return fail(ClassInvalidClaims)
	}
	return fail(ClassMalformed)
}
