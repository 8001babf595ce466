package httpapi

import (
	"bytes"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	swaggerFiles "github.com/swaggo/files/v2"
	httpSwagger "github.com/swaggo/http-swagger/v2"
)

// serveDocs serves Swagger UI from http-swagger's built-in assets (nothing
// from a CDN), pointed at /openapi.json as FastAPI's /docs is. The page is
// served at /docs itself, like FastAPI; a <base> tag makes its relative
// asset links resolve under /docs/.
//
//	@Summary	Swagger UI
//	@Description	An interactive view of /openapi.json with "Try it out"; its scripts and styles are served under /docs/ by this binary (no CDN).
//	@ID			docs
//	@Tags		ops
//	@Produce	html
//	@Success	200	{string}	string	"The Swagger UI page"
//	@Router		/docs [get]
func (s *Server) serveDocs(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// http-swagger answers only GET; net/http drops the body of a
		// HEAD answer, so HEAD gets GET's headers, as on Starlette
		// (uptime monitors probe /docs so).
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	ui := httpSwagger.Handler(httpSwagger.URL("/openapi.json"))
	if r.URL.Path != "/docs" && r.URL.Path != "/docs/" {
		// Only the UI's own assets; anything else is FastAPI's 404, not
		// the file server's text one.
		name := strings.TrimPrefix(r.URL.Path, "/docs/")
		if _, err := fs.Stat(swaggerFiles.FS, name); err != nil || name == "" || strings.Contains(name, "/") {
			w.Header().Set("Cache-Control", "no-store")
			s.writeError(w, r, errStatus(http.StatusNotFound, "Not Found"))
			return
		}
		ui.ServeHTTP(w, r)
		return
	}
	r2 := r.Clone(r.Context())
	r2.RequestURI = "/docs/index.html"
	buf := &bufferedWriter{header: http.Header{}, status: http.StatusOK}
	ui.ServeHTTP(buf, r2)
	body := bytes.Replace(buf.body.Bytes(), []byte("<head>"), []byte(`<head><base href="/docs/">`), 1)
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	w.Header().Set("Content-Security-Policy", docsCSP(body))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.status)
	_, _ = w.Write(body)
}
