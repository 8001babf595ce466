package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
)

// apiCSP is the Content-Security-Policy of every response but the /docs
// page: API answers are data, never documents to render or frame.
const apiCSP = "default-src 'none'; frame-ancestors 'none'"

// securityHeaders sets headers that hold for every response: no MIME
// sniffing (a JSON body echoing user text must never be run as HTML), no
// Referer leaking the API's URLs, and no framing. API answers also get
// Cache-Control: no-store (they carry answers to a user's questions and
// may depend on the key) and a CSP that allows nothing. The /docs page
// sets its own CSP (docsCSP); Swagger UI's assets under /docs/ may be
// cached, and get the CSP that allows nothing, which a script or style
// sheet loaded by the page ignores, and which keeps a page among them
// (its index.html opened directly) from running anything.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		switch p := r.URL.Path; {
		case p == "/docs" || p == "/docs/":
		case strings.HasPrefix(p, "/docs/"):
			h.Set("Content-Security-Policy", apiCSP)
		default:
			h.Set("Cache-Control", "no-store")
			h.Set("Content-Security-Policy", apiCSP)
		}
		next.ServeHTTP(w, r)
	})
}

// inlineScript matches the page's inline <script> blocks (those without
// src), whose hashes docsCSP allows.
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// docsCSP is the Content-Security-Policy of the Swagger UI page: scripts
// only from this origin plus the page's own inline start-up script (by
// hash, so no injected script runs), styles from this origin and inline
// (Swagger UI sets style attributes), images from this origin and data:
// URLs (its icons), fetches only to this origin (the spec and "Try it
// out"), and no framing.
func docsCSP(page []byte) string {
	script := "script-src 'self'"
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		script += " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; " + script + "; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
		"font-src 'self' data:; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'"
}
