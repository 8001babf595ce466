package httpapi

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// StoreStatus describes the served vector store. Status is called on every
// /vectorstore and /ready request: it must be safe for concurrent use and
// cheap, and return nil while nothing is loaded. The Server does not keep
// or modify the result.
type StoreStatus interface {
	Status() *StoreInfo
}

// Reloader re-syncs the vector store and swaps it in for POST
// /admin/reload. Reload may outlive ctx's cancellation (a client giving up
// must not stop a sync half-way); it returns the store then served, or an
// error when nothing new could be served (the previous store stays).
// The error's text may name paths and buckets: it is logged, never sent.
// The 503 says only what an error implementing PublicDetailer says.
type Reloader interface {
	Reload(ctx context.Context) (*StoreInfo, error)
}

// PublicDetailer is implemented by an error that can say what went wrong in
// words fit for a client: the kind of failure, no path, URI or bucket.
type PublicDetailer interface {
	PublicDetail() string
}

// StoreInfo describes the served store and the last load attempt: the body
// of GET /vectorstore and POST /admin/reload, and "vectorstore" in /ready.
type StoreInfo struct {
	Format    string        `json:"format" example:"native"` // native, langchain-faiss or weaviate
	Count     int           `json:"count" example:"1200"`    // chunks
	Dims      int           `json:"dims" example:"384"`
	Metric    string        `json:"metric" example:"cosine"`
	Embedding EmbeddingInfo `json:"embedding"`
	Version   string        `json:"version" example:"202509250200"`
	Source    string        `json:"source" example:"s3://bucket/vectorstore/prod"` // an s3:// URI, local:DIR, or weaviate:ALIAS
	Dir       string        `json:"dir" example:"/app/vectorstore"`
	Index     string        `json:"index" example:"hnsw"` // hnsw, or flat (exact search)
	LoadedAt  time.Time     `json:"loaded_at" format:"date-time"`
	// When the last sync succeeded; absent without S3.
	LastSyncAt *time.Time `json:"last_sync_at,omitempty" format:"date-time"`
	// The last failed sync or load, in words fit for anyone who can read
	// this route; absent once a later load succeeds.
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty" format:"date-time"`
	// True while a verified local copy is served because the sync failed.
	ServingLocal bool `json:"serving_local_copy,omitempty"`
	Reloads      int  `json:"reloads"` // successful loads after the first
}

// EmbeddingInfo names the embedding model a store was built with.
type EmbeddingInfo struct {
	Provider string `json:"provider" example:"minilm"`
	Model    string `json:"model" example:"all-MiniLM-L6-v2"`
	Dims     int    `json:"dims" example:"384"`
}

// vectorstore answers GET /vectorstore.
//
//	@Summary	Describe the loaded vector store
//	@Description	Format, count, dims, metric, embedding model, version, source, loaded_at, and the last sync's outcome.
//	@ID			getVectorStore
//	@Tags		rag
//	@Produce	json
//	@Success	200	{object}	StoreInfo
//	@Failure	503	{object}	errorBody	"No vector store is loaded yet, or the service is shutting down"
//	@Security	BearerAuth
//	@Router		/vectorstore [get]
func (s *Server) vectorstore(_ http.ResponseWriter, _ *http.Request) (any, error) {
	if s.opts.StoreStatus == nil {
		return nil, errNotLoaded
	}
	info := s.opts.StoreStatus.Status()
	if info == nil {
		return nil, errNotLoaded
	}
	return info, nil
}

// reload answers POST /admin/reload.
//
//	@Summary	Re-sync the vector store and swap it in
//	@Description	Mirrors the S3 prefix again and atomically swaps the new index in; in-flight requests finish on the old one.
//	@ID			reloadVectorStore
//	@Tags		admin
//	@Produce	json
//	@Success	200	{object}	StoreInfo
//	@Failure	403	{object}	errorBody	"The admin API is disabled (no ADMIN_TOKEN) or the token is wrong"
//	@Failure	503	{object}	errorBody	"Reloading is unavailable or failed (the previous store is still served), or the service is shutting down"
//	@Security	AdminAuth
//	@Router		/admin/reload [post]
func (s *Server) reload(w http.ResponseWriter, r *http.Request) (any, error) {
	if s.opts.Reloader == nil {
		return nil, errStatus(http.StatusServiceUnavailable, "Reload is not available")
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.ReloadTimeout))
	res, err := s.opts.Reloader.Reload(r.Context())
	if err != nil {
		// The full error (paths, URIs) goes to the log through Err.
		detail := "Reload failed; the previous vector store is still served"
		var pd PublicDetailer
		if errors.As(err, &pd) {
			detail += ": " + pd.PublicDetail()
		}
		return nil, &Error{Status: http.StatusServiceUnavailable, Detail: detail, Err: err}
	}
	return res, nil
}
