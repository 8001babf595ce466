package httpapi

import (
	"bytes"
	"cmp"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/rag"
)

// Options configures a Server. Zero fields take the defaults noted.
type Options struct {
	Logger  *slog.Logger // nil: discard
	Version string       // reported by /health

	CORSAllowOrigins     []string
	CORSAllowOriginRegex *regexp.Regexp

	MaxBodyBytes int64         // 0: 1 MiB
	QueryTimeout time.Duration // 0: 2 minutes; bounds an answer, streaming included, and /v1/embeddings
	// SearchTimeout bounds /search, the query's embedding included (0: 30 s).
	SearchTimeout time.Duration
	DefaultTopK   int      // 0: 5
	SearchMode    rag.Mode // used when a request names no mode; "": hybrid
	// Limits bounds questions and conversations; zero fields take
	// their defaults (see Limits).
	Limits Limits

	// APIKeys, when non-empty, are the bearer tokens /search, /query and
	// /vectorstore accept. AdminToken guards /admin/reload; empty disables it.
	APIKeys    []string
	AdminToken string
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// JWT, when set, also admits bearer tokens it verifies (JWT_* in
	// config); /ready is then 503 until its keys are loaded.
	JWT TokenVerifier

	// Readiness is flipped by the process as it loads and shuts down; nil
	// means always ready.
	Readiness Readiness
	// RAG answers /search and /query; nil answers 503.
	RAG RAG
	// Reloader re-syncs and swaps the vector store for /admin/reload; nil
	// answers 503.
	Reloader Reloader
	// ReloadTimeout bounds one reload's response (0: 5 minutes); it
	// extends the server's WriteTimeout for that route.
	ReloadTimeout time.Duration
	// Embedder answers /v1/embeddings; nil answers 503 there.
	Embedder Embedder
	// GeneratorModel is the generator's model id, listed by /v1/models and
	// accepted by /v1/chat/completions beside RAGModelID; "" lists only
	// RAGModelID.
	GeneratorModel string
	// StoreStatus describes the loaded store for /vectorstore and /ready;
	// nil, or a nil Status, means nothing is loaded.
	StoreStatus StoreStatus
	// Collectors are extra Prometheus collectors for /metrics (for example
	// the vector store's gauges).
	Collectors []prometheus.Collector
	// Overload bound each route class's concurrent work and each client's
	// request rate; the zero value limits nothing.
	Overload Overload
}

// Server is the HTTP API. Create it with New; it is an http.Handler and
// safe for concurrent use.
type Server struct {
	opts    Options
	log     *slog.Logger
	router  chi.Router
	openapi []byte
	metrics *metrics
	started time.Time // /v1/models' created
	// authFails counts refused bearer tokens per client address, for
	// every token check (authlimit.go).
	authFails *authFailures
	// untracked counts increments the rate counters did not record, past
	// maxRateKeys clients in a window, by limit.
	untracked *prometheus.CounterVec
	// bodies bounds the request bodies held in memory at once
	// (bufferBody).
	bodies *bodyBudget
}

// New builds the router. It fails only on a broken build (the embedded
// API spec cannot be converted), which is a start-up error.
func New(opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Request lines carry req_id whether or not the caller wrapped its
	// logger already.
	opts.Logger = logctx.Wrap(opts.Logger)
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.QueryTimeout <= 0 {
		opts.QueryTimeout = 2 * time.Minute
	}
	if opts.SearchTimeout <= 0 {
		opts.SearchTimeout = 30 * time.Second
	}
	if opts.ReloadTimeout <= 0 {
		opts.ReloadTimeout = 5 * time.Minute
	}
	if opts.DefaultTopK <= 0 {
		opts.DefaultTopK = 5
	}
	opts.Limits = opts.Limits.withDefaults()
	if opts.SearchMode == "" {
		opts.SearchMode = rag.ModeHybrid
	}
	if opts.Readiness == nil {
		opts.Readiness = alwaysReady{}
	}
	if opts.JWT != nil {
		opts.Readiness = jwtReadiness{opts.Readiness, opts.JWT}
	}
	spec, err := OpenAPI3For(opts)
	if err != nil {
		return nil, fmt.Errorf("httpapi: %w", err)
	}
	s := &Server{opts: opts, log: opts.Logger, openapi: spec, metrics: newMetrics(opts.Collectors...), started: time.Now()}
	s.untracked = newUntrackedMetric(s.metrics.registry)
	s.bodies = newBodyBudget(opts.MaxBodyBytes, s.metrics.registry)
	s.authFails = newAuthFailures(opts.Overload.AuthFailures, cmp.Or(opts.Overload.RateWindow, time.Minute), len(opts.Overload.TrustedProxies) > 0,
		s.log, s.metrics.registry, s.untracked.WithLabelValues(untrackedAuth))
	s.router = s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	// GetHead answers HEAD on GET routes, as Starlette does.
	r.Use(requestID, clientIPMiddleware(s.opts.Overload.TrustedProxies), securityHeaders, s.accessLog, s.metrics.instrument, s.recoverer, corsMiddleware(s.opts.CORSAllowOrigins, s.opts.CORSAllowOriginRegex), middleware.GetHead)
	r.NotFound(s.notFound)
	r.MethodNotAllowed(s.methodNotAllowed)

	r.Get("/", s.wrap(s.root))
	r.Get("/health", s.wrap(s.health))
	r.Get("/ready", s.wrap(s.ready))
	r.Get("/openapi.json", s.serveOpenAPI)
	r.Get("/docs", s.serveDocs)
	r.Get("/docs/*", s.serveDocs)
	r.With(s.requireMetricsToken).Method(http.MethodGet, "/metrics", s.metrics.handler())

	// Each class: the client's own in-flight bound first (a burst it
	// refuses spends none of the client's rate), then the client's rate
	// (a request over it takes no slot), then its body is read
	// (bufferBody), then a slot. Search and
	// generation check the key first, so their rate is keyed by a valid
	// key; admin checks the rate first. Every token check (requireAPIKey,
	// requireAdmin, requireMetricsToken) first refuses an address that had
	// RATE_LIMIT_AUTH_FAILURES tokens refused (limitAuthFailures), so token
	// guesses are limited on every route.
	l, om := s.opts.Overload, newOverloadMetrics(s.metrics.registry)
	wait, window := cmp.Or(l.QueueWait, 2*time.Second), cmp.Or(l.RateWindow, time.Minute)
	// A verified token names its caller, so it keys the rate (a JWT is
	// one user; a shared browser key is everyone: RATE_LIMIT_BY=address).
	byKey := (len(s.opts.APIKeys) > 0 || s.opts.JWT != nil) && !l.RateByAddress
	classes := map[string]chi.Middlewares{}
	// clientPre is what a search or generation request passes before its
	// class's gate: its client's in-flight bound, rate and body.
	clientPre := func(class string, rate int) chi.Middlewares {
		return chi.Chain(s.limitPerClient(l.PerClientInFlight, byKey, om.rateLimited.WithLabelValues(class)),
			s.rateLimit(rate, window, byKey, om.rateLimited.WithLabelValues(class), s.untracked.WithLabelValues(class)),
			s.bufferBody)
	}
	searchPre := clientPre(classSearch, l.SearchRate)
	searchGate := s.limitInFlight(om.newGate(classSearch, l.SearchInFlight, l.SearchQueue, wait))
	classes[classSearch] = append(slices.Clone(searchPre), searchGate)
	// One /v1/embeddings request may take an in-process embedder about 8
	// CPU-seconds (maxEmbedTokens) where a search takes milliseconds. Such requests first
	// pass a gate of their own, a quarter of the search slots, so they can
	// never hold them all (the slot of the class is taken only once theirs
	// is, so none waits holding one).
	classes[classEmbeddings] = append(slices.Clone(searchPre),
		s.limitInFlight(om.newGate(classEmbeddings, embeddingSlots(l.SearchInFlight), l.SearchQueue, wait)), searchGate)
	classes[classGeneration] = append(clientPre(classGeneration, l.GenerationRate),
		s.limitInFlight(om.newGate(classGeneration, l.GenerationInFlight, l.GenerationQueue, wait)))
	classes[classAdmin] = chi.Chain(s.rateLimit(l.AdminRate, window, false, om.rateLimited.WithLabelValues(classAdmin), s.untracked.WithLabelValues(classAdmin)),
		s.requireAdmin, s.bufferBody, s.limitInFlight(om.newGate(classAdmin, l.AdminInFlight, l.AdminQueue, wait)))
	limited := func(path string) chi.Middlewares { return classes[routeClassOf[path]] }

	r.Group(func(r chi.Router) {
		r.Use(s.requireAPIKey)
		r.With(limited("/search")...).Post("/search", s.wrap(s.search))
		r.With(limited("/query")...).Post("/query", s.wrap(s.query))
		r.With(limited("/feedback")...).Post("/feedback", s.wrap(s.feedback))
		r.Get("/vectorstore", s.wrap(s.vectorstore))
		r.With(limited("/chat")...).Post("/chat", s.wrap(s.chat))
		r.With(limited("/v1/chat/completions")...).Post("/v1/chat/completions", s.wrap(s.chatCompletions))
		r.Get("/v1/models", s.wrap(s.models))
		r.Get("/v1/models/*", s.wrap(s.model))
		// The search class's rate and slots (routeClassOf), behind its own gate.
		r.With(classes[classEmbeddings]...).Post("/v1/embeddings", s.wrap(s.embeddings))
	})
	r.With(limited("/admin/reload")...).Post("/admin/reload", s.wrap(s.reload))
	return r
}

// notFound answers FastAPI's 404, or, like Starlette's redirect_slashes,
// a 307 to the same path with its trailing slashes removed (or one added)
// when that path is a route for any method: the method is the next
// request's concern (a 405 there, with Allow).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p != "/" {
		alt := p + "/"
		if strings.HasSuffix(p, "/") {
			alt = strings.TrimRight(p, "/")
		}
		if alt != "" && s.routed(alt) {
			// The path and query only: a request target in absolute form
			// (POST http://evil.example/search/) carries a scheme and host
			// that must not reach Location.
			u := url.URL{Path: alt, RawQuery: r.URL.RawQuery}
			http.Redirect(w, r, u.String(), http.StatusTemporaryRedirect) //nolint:gosec // G710: a path this router serves, on this host
			return
		}
	}
	s.writeError(w, r, errStatus(http.StatusNotFound, "Not Found"))
}

// routedMethods are the methods routes may have.
var routedMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// routed reports whether path is a route for any method.
func (s *Server) routed(path string) bool {
	return slices.ContainsFunc(routedMethods, func(m string) bool { return s.router.Match(chi.NewRouteContext(), m, path) })
}

// methodNotAllowed answers FastAPI's 405 with an Allow header listing the
// methods the path does accept.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	e := errStatus(http.StatusMethodNotAllowed, "Method Not Allowed")
	e.Header = http.Header{}
	for _, m := range routedMethods {
		if s.router.Match(chi.NewRouteContext(), m, r.URL.Path) {
			e.Header.Add("Allow", m)
		}
	}
	s.writeError(w, r, e)
}

// healthResponse is the body of GET /health.
type healthResponse struct {
	Status  string `json:"status" example:"ok"`
	Version string `json:"version,omitempty" example:"202509250200"`
}

// health is the ALB's liveness check: no I/O, no auth.
//
//	@Summary	Liveness check
//	@Description	Answers 200 while the process serves HTTP. Does no I/O; the ALB target group checks it.
//	@ID			health
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	healthResponse
//	@Router		/health [get]
func (s *Server) health(_ http.ResponseWriter, _ *http.Request) (any, error) {
	return healthResponse{Status: "ok", Version: s.opts.Version}, nil
}

// root answers GET / as /health does. The Python app's target group was
// checked at /, so the new tasks pass that check during the roll-out that
// replaces it, and the check moves to /health only once no old task is
// left (scripts/deploy_ecr_to_ecs.sh --health-path).
//
//	@Summary	Liveness check at the root
//	@Description	The same answer as /health: the ALB's check at `/`, which the Python app answered, passes on the new tasks while a roll-out replaces the old ones.
//	@ID			root
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	healthResponse
//	@Router		/ [get]
func (s *Server) root(w http.ResponseWriter, r *http.Request) (any, error) {
	return s.health(w, r)
}

// ready reports whether the vector store is loaded and the service is not
// shutting down.
//
//	@Summary	Readiness check
//	@Description	503 until the vector store is synced and loaded, 200 after, 503 again once shutdown begins. Needs no key. With JWT auth on (JWT_JWKS_URL) it is also 503 until the issuer's keys are fetched (`Authentication keys not loaded`). With API_KEYS or JWT auth set it says only ready or not and why in a few words (`{"status":"ready"}`; 503 `Service is starting`, `Vector store not loaded`, `Vector store unavailable` (a Weaviate backend that stopped answering), `Authentication keys not loaded` or `Service is shutting down`); the store's details are on /vectorstore. Without either the 200 carries a note and the store's description, the 503 the reason in full. With `scope=task` it asks only whether this task is sound (its store was served once and it is not shutting down), leaving out the systems it depends on (the issuer's keys, a Weaviate backend that stopped answering): the container health check's question, so an outage of those does not have ECS replace every task in a loop.
//	@ID			ready
//	@Tags		ops
//	@Produce	json
//	@Param		scope	query		string	false	"task: this task's own state only (the container health check)"	Enums(task)
//	@Success	200		{object}	readyResponse
//	@Failure	422		{object}	validationBody	"scope is not task"
//	@Failure	503		{object}	errorBody	"Not ready: the store is still loading (detail says why) or the service is shutting down"
//	@Router		/ready [get]
func (s *Server) ready(_ http.ResponseWriter, r *http.Request) (any, error) {
	switch scope := r.URL.Query().Get("scope"); scope {
	case "":
	case "task":
		if taskReady(s.opts.Readiness) {
			return readyResponse{Status: "ready"}, nil
		}
		// Not sound: the usual answer says why.
	default:
		return nil, errValidation(ValidationItem{Type: "literal_error", Loc: []any{"query", "scope"},
			Msg: "Input should be 'task'", Input: scope, Ctx: map[string]any{"expected": "'task'"}})
	}
	if s.authOn() {
		// /ready needs no key, so with keys it tells anyone only what a
		// load balancer needs: the S3 URI, folder, model and sync state
		// stay behind the key on /vectorstore.
		ok, reason := briefReadiness(s.opts.Readiness)
		if !ok {
			return nil, errStatus(http.StatusServiceUnavailable, reason)
		}
		return readyResponse{Status: "ready"}, nil
	}
	ok, detail := s.opts.Readiness.Check()
	if !ok {
		return nil, errStatus(http.StatusServiceUnavailable, detail)
	}
	resp := readyResponse{Status: "ready", Detail: detail}
	if s.opts.StoreStatus != nil {
		resp.VectorStore = s.opts.StoreStatus.Status()
	}
	return resp, nil
}

// serveOpenAPI serves the OpenAPI 3 document, as FastAPI does.
//
//	@Summary	This OpenAPI 3 document
//	@Description	The document as this server serves it: info.version is the build's version, and without API_KEYS the retrieval operations are marked open.
//	@ID			openapi
//	@Tags		ops
//	@Produce	json
//	@Success	200	{object}	map[string]any	"An OpenAPI 3.0 document"
//	@Router		/openapi.json [get]
func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
}

// bufferedWriter collects a response so it can be edited before sending.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header         { return b.header }
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedWriter) WriteHeader(status int)      { b.status = status }
