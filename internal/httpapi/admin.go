package httpapi

import (
	"net/http"
	"time"
)

// vectorstore answers GET /vectorstore.
//
//	@Summary	Describe the loaded vector store
//	@Description	Format, count, dims, metric, embedding model, version, source, loaded_at, and the last sync's outcome.
//	@Tags		rag
//	@Produce	json
//	@Success	200	{object}	map[string]any
//	@Failure	503	{object}	errorBody
//	@Security	BearerAuth
//	@Router		/vectorstore [get]
func (s *Server) vectorstore(_ http.ResponseWriter, _ *http.Request) (any, error) {
	if s.opts.StoreInfo == nil {
		return nil, errNotLoaded
	}
	info := s.opts.StoreInfo()
	if info == nil {
		return nil, errNotLoaded
	}
	return info, nil
}

// reload answers POST /admin/reload.
//
//	@Summary	Re-sync the vector store and swap it in
//	@Description	Mirrors the S3 prefix again and atomically swaps the new index in; in-flight requests finish on the old one.
//	@Tags		admin
//	@Produce	json
//	@Success	200	{object}	map[string]any
//	@Failure	401	{object}	errorBody
//	@Failure	403	{object}	errorBody
//	@Failure	503	{object}	errorBody
//	@Security	BearerAuth
//	@Router		/admin/reload [post]
func (s *Server) reload(w http.ResponseWriter, r *http.Request) (any, error) {
	if s.opts.Reload == nil {
		return nil, errStatus(http.StatusServiceUnavailable, "Reload is not available")
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.ReloadTimeout))
	res, err := s.opts.Reload(r.Context())
	if err != nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Detail: "Reload failed; the previous vector store is still served: " + err.Error(), Err: err}
	}
	return res, nil
}
