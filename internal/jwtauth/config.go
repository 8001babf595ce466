package jwtauth

import (
	"errors"
	"net/http"
	"slices"
	"time"
)

// Algorithms the package can verify; Config.Algorithms picks among them.
const (
	RS256 = "RS256"
	ES256 = "ES256"
)

// Defaults of the Config fields left zero.
const (
	DefaultRefreshInterval = time.Hour
	DefaultFetchTimeout    = 5 * time.Second
	DefaultMinRefreshGap   = 30 * time.Second
	DefaultMaxJWKSBytes    = 256 << 10
	DefaultMaxTokenBytes   = 8 << 10
)

// Retry spacing of a failed fetch: retryMin, doubling to retryMax.
const (
	retryMin = time.Second
	retryMax = time.Minute
)

// Config configures a Verifier. JWKSURL, Issuer and Audiences are
// required; every other zero field takes the default noted.
type Config struct {
	// JWKSURL is where the issuer publishes its signing keys, e.g.
	// https://cognito-idp.REGION.amazonaws.com/POOL_ID/.well-known/jwks.json.
	JWKSURL string
	// Issuer must equal the token's iss claim exactly, e.g.
	// https://cognito-idp.REGION.amazonaws.com/POOL_ID.
	Issuer string
	// Audiences are the accepted values of the token's aud claim or, for
	// a token without aud (a Cognito access token), of its client_id.
	Audiences []string
	// Algorithms are the accepted alg values, a subset of RS256 and ES256
	// (nil: both).
	Algorithms []string
	// ClockSkew is the tolerance on exp and nbf (0: none).
	ClockSkew time.Duration
	// RefreshInterval is how often the key set is fetched again
	// (0: DefaultRefreshInterval).
	RefreshInterval time.Duration
	// FetchTimeout bounds one fetch of the key set, connection to last
	// byte (0: DefaultFetchTimeout).
	FetchTimeout time.Duration
	// MinRefreshGap is the least time between two fetches asked for by
	// tokens with an unknown kid (0: DefaultMinRefreshGap).
	MinRefreshGap time.Duration
	// MaxJWKSBytes bounds the key set's response body; a larger one is
	// refused (0: DefaultMaxJWKSBytes, 256 KiB).
	MaxJWKSBytes int64
	// MaxTokenBytes bounds a token's length; a longer one is refused
	// before it is decoded (0: DefaultMaxTokenBytes, 8 KiB).
	MaxTokenBytes int
	// Client fetches the key set (nil: a client of its own that follows
	// no redirect).
	Client *http.Client
}

// Enabled reports whether JWT verification is configured at all.
func (c Config) Enabled() bool { return c.JWKSURL != "" }

// Check reports what makes c unusable, one error per field.
func (c Config) Check() error {
	var errs []error
	if c.JWKSURL == "" {
		errs = append(errs, errors.New("jwtauth: no JWKS URL"))
	}
	if c.Issuer == "" {
		errs = append(errs, errors.New("jwtauth: no issuer"))
	}
	if len(c.Audiences) == 0 || slices.Contains(c.Audiences, "") {
		errs = append(errs, errors.New("jwtauth: no audience"))
	}
	for _, a := range c.Algorithms {
		if a != RS256 && a != ES256 {
			errs = append(errs, errors.New("jwtauth: algorithm "+a+" not supported (RS256, ES256)"))
		}
	}
	if c.ClockSkew < 0 || c.RefreshInterval < 0 || c.FetchTimeout < 0 || c.MinRefreshGap < 0 || c.MaxJWKSBytes < 0 || c.MaxTokenBytes < 0 {
		errs = append(errs, errors.New("jwtauth: negative duration or size"))
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	if len(c.Algorithms) == 0 {
		c.Algorithms = []string{RS256, ES256}
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = DefaultRefreshInterval
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = DefaultFetchTimeout
	}
	if c.MinRefreshGap == 0 {
		c.MinRefreshGap = DefaultMinRefreshGap
	}
	if c.MaxJWKSBytes == 0 {
		c.MaxJWKSBytes = DefaultMaxJWKSBytes
	}
	if c.MaxTokenBytes == 0 {
		c.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if c.Client == nil {
		// The set's URL is configured, not discovered: a redirect is
		// refused rather than followed somewhere unchecked.
		c.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return c
}
