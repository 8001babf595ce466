package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

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

// requireAPIKey admits requests with a configured bearer token; with no
// API_KEYS configured the routes are open. Browsers send no cookies to the
// ALB's domain, so bearer tokens are the only credential that works
// cross-site.
func (s *Server) requireAPIKey(next http.Handler) http.Handler {
	if len(s.opts.APIKeys) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		switch {
		case !ok:
			s.writeError(w, r, unauthorized("Not authenticated"))
		case !tokenIn(token, s.opts.APIKeys):
			s.writeError(w, r, unauthorized("Invalid authentication credentials"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// requireAdmin guards admin routes with ADMIN_TOKEN; without one they are
// disabled.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		switch {
		case s.opts.AdminToken == "":
			s.writeError(w, r, errStatus(http.StatusForbidden, "Admin API is disabled: set ADMIN_TOKEN"))
		case !ok:
			s.writeError(w, r, unauthorized("Not authenticated"))
		case !tokenIn(token, []string{s.opts.AdminToken}):
			s.writeError(w, r, errStatus(http.StatusForbidden, "Invalid admin token"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}
