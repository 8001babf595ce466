package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
)

// TokenVerifier verifies a bearer token that is not one of API_KEYS: a
// JWT (internal/jwtauth implements it). Both methods must be safe for
// concurrent use.
type TokenVerifier interface {
	// Identify names the caller of token when it is valid now: a string
	// the same for every token of that caller, however encoded (the
	// per-client limits key on it). Its error names why a token is not
	// valid in words safe to log: never the token or its claims.
	Identify(ctx context.Context, token string) (string, error)
	// Ready reports, without I/O, whether Identify can check tokens yet
	// (the issuer's keys have been fetched).
	Ready() bool
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// tokenIn compares SHA-256 digests in constant time against every key, so
// timing reveals neither which key matched nor any key's length.
func tokenIn(token string, keys []string) bool {
	t := sha256.Sum256([]byte(token))
	found := 0
	for _, k := range keys {
		d := sha256.Sum256([]byte(k))
		found |= subtle.ConstantTimeCompare(t[:], d[:])
	}
	return found == 1
}

func unauthorized(detail string) *Error {
	e := errStatus(http.StatusUnauthorized, detail)
	e.Header = http.Header{"Www-Authenticate": {"Bearer"}}
	return e
}

// requireAPIKey admits requests with a configured bearer token: one of
// API_KEYS, or a JWT the TokenVerifier accepts; with neither configured
// the routes are open. Browsers send no cookies to the ALB's domain, so
// bearer tokens are the only credential that works cross-site. A client
// address with too many tokens refused gets 429 before its token is read
// (limitAuthFailures).
func (s *Server) requireAPIKey(next http.Handler) http.Handler {
	if !s.authOn() {
		return next
	}
	return s.limitAuthFailures(checkAPIKey, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		switch {
		case !ok:
			s.writeError(w, r, unauthorized("Not authenticated"))
		case tokenIn(token, s.opts.APIKeys):
			next.ServeHTTP(w, r)
		case s.opts.JWT == nil:
			s.authFailed(r, checkAPIKey)
			s.writeError(w, r, unauthorized("Invalid authentication credentials"))
		default:
			s.checkJWT(w, r, next, token)
		}
	}))
}

// authOn reports whether the API-key routes need a bearer token.
func (s *Server) authOn() bool { return len(s.opts.APIKeys) > 0 || s.opts.JWT != nil }

// checkJWT serves a request whose bearer token is not an API key when the
// TokenVerifier accepts it. A JWT that arrives before the issuer's keys
// are loaded gets 503 with Retry-After: the token may be fine, and a 401
// would send the client back to sign in.
func (s *Server) checkJWT(w http.ResponseWriter, r *http.Request, next http.Handler, token string) {
	if strings.Count(token, ".") == 2 && !s.opts.JWT.Ready() {
		e := errStatus(http.StatusServiceUnavailable, "Authentication is not available yet; retry shortly")
		e.Header = http.Header{"Retry-After": {"5"}}
		s.writeError(w, r, e)
		return
	}
	caller, err := s.opts.JWT.Identify(r.Context(), token)
	if err != nil {
		// The class only (expired, bad_signature...): the token stays out.
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "bearer token refused", slog.Any("error", err))
		s.authFailed(r, checkAPIKey)
		e := unauthorized("Invalid authentication credentials")
		e.Header.Set("Www-Authenticate", `Bearer error="invalid_token"`)
		e.Err = err
		s.writeError(w, r, e)
		return
	}
	next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, caller)))
}

// callerKey holds a verified JWT's caller (TokenVerifier.Identify) in a
// request's context, for rateKey.
type callerKey struct{}

// requireAdmin guards admin routes with ADMIN_TOKEN; without one they are
// disabled.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	if s.opts.AdminToken == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, errStatus(http.StatusForbidden, "Admin API is disabled: set ADMIN_TOKEN"))
		})
	}
	return s.requireToken(s.opts.AdminToken, checkAdmin, "Invalid admin token", next)
}

// requireMetricsToken asks for METRICS_TOKEN on /metrics when it is set.
func (s *Server) requireMetricsToken(next http.Handler) http.Handler {
	if s.opts.MetricsToken == "" {
		return next
	}
	return s.requireToken(s.opts.MetricsToken, checkMetrics, "Invalid metrics token", next)
}

// requireToken admits requests whose bearer token is want: 401 without a
// token, 403 with another (invalid says whose; check names the check for
// limitAuthFailures and the metrics).
func (s *Server) requireToken(want, check, invalid string, next http.Handler) http.Handler {
	return s.limitAuthFailures(check, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		switch {
		case !ok:
			s.writeError(w, r, unauthorized("Not authenticated"))
		case !tokenIn(token, []string{want}):
			s.authFailed(r, check)
			s.writeError(w, r, errStatus(http.StatusForbidden, invalid))
		default:
			next.ServeHTTP(w, r)
		}
	}))
}
