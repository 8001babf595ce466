package httpapi

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/go-chi/cors"
)

// corsMethods are the methods a cross-origin caller may use.
var corsMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodOptions}

// corsPolicy decides which origins may call with credentials.
type corsPolicy struct {
	origins []string
	any     bool
	re      *regexp.Regexp
}

func (p corsPolicy) allowed(origin string) bool {
	if origin == "" {
		return false
	}
	return p.any || slices.Contains(p.origins, origin) || (p.re != nil && p.re.MatchString(origin))
}

// corsMiddleware gives Starlette CORSMiddleware semantics with
// allow_credentials=True: an allowed Origin is echoed (never "*") with
// Access-Control-Allow-Credentials and Vary: Origin; a preflight from a
// disallowed origin or for a disallowed method answers 400 as Starlette
// does (go-chi/cors would answer 200 without headers); requests without
// Origin pass untouched.
func corsMiddleware(origins []string, re *regexp.Regexp) func(http.Handler) http.Handler {
	p := corsPolicy{origins: origins, any: slices.Contains(origins, "*"), re: re}
	c := cors.New(cors.Options{
		AllowOriginFunc: func(_ *http.Request, origin string) bool { return p.allowed(origin) },
		// Actual requests of any method get the CORS headers, as with
		// Starlette, so the frontend can read even a 405; preflights are
		// limited to corsMethods above.
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
			http.MethodPatch, http.MethodDelete, http.MethodOptions},
		AllowedHeaders: []string{"*"},
		// The rate limits' and overload answers' headers, and whether to
		// retry at all, so the frontend can back off as told.
		ExposedHeaders:   append([]string{RequestIDHeader, shouldRetryHeader}, rateLimitHeaders...),
		AllowCredentials: true,
		MaxAge:           600,
	})
	return func(next http.Handler) http.Handler {
		h := c.Handler(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			origin := r.Header.Get("Origin")
			if origin == "" {
				next.ServeHTTP(w, r)
				return
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				var failures []string
				if !p.allowed(origin) {
					failures = append(failures, "origin")
				}
				if !slices.Contains(corsMethods, strings.ToUpper(r.Header.Get("Access-Control-Request-Method"))) {
					failures = append(failures, "method")
				}
				if len(failures) > 0 {
					w.Header().Add("Vary", "Origin")
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(http.StatusBadRequest)
					_, _ = w.Write([]byte("Disallowed CORS " + strings.Join(failures, ", ")))
					return
				}
				// Starlette answers an allowed preflight 200 "OK" as text;
				// go-chi/cors writes the status and headers only.
				pw := &preflightWriter{ResponseWriter: w}
				h.ServeHTTP(pw, r)
				if pw.status == http.StatusOK {
					_, _ = w.Write([]byte("OK"))
				}
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// preflightWriter notes the status of a preflight's answer and, for a 200,
// types the "OK" body written after it.
type preflightWriter struct {
	http.ResponseWriter
	status int
}

func (p *preflightWriter) WriteHeader(code int) {
	p.status = code
	if code == http.StatusOK {
		p.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	p.ResponseWriter.WriteHeader(code)
}
