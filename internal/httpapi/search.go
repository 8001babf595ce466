package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/vendor0919/api/internal/rag"
)

// RAG is what the retrieval routes need; *rag.Service implements it.
type RAG interface {
	Search(ctx context.Context, req rag.SearchRequest) ([]rag.Hit, error)
	Query(ctx context.Context, req rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error)
}

// searchRequest documents POST /search's body (validated by readBody).
//
//nolint:unused // referenced by swag annotations only
type searchRequest struct {
	Query  string         `json:"query" example:"How do I rotate the API keys?"`
	Vector []float32      `json:"vector,omitempty"`
	TopK   int            `json:"top_k,omitempty" minimum:"1" maximum:"50" default:"5"`
	Filter map[string]any `json:"filter,omitempty"`
	Mode   string         `json:"mode,omitempty" enums:"hybrid,vector,keyword"`
}

// hit is one retrieved chunk.
type hit struct {
	ID       string         `json:"id"`
	Text     string         `json:"text"`
	Score    float64        `json:"score"`
	Metadata map[string]any `json:"metadata"`
}

// searchResponse is POST /search's answer.
type searchResponse struct {
	Results []hit  `json:"results"`
	Query   string `json:"query,omitempty"`
	TopK    int    `json:"top_k"`
	Mode    string `json:"mode"`
}

var (
	topKField   = field{name: "top_k", kind: kindInt, ge: bound(1), le: bound(50)}
	filterField = field{name: "filter", kind: kindObject}
	modeField   = field{name: "mode", kind: kindString, literal: []string{"hybrid", "vector", "keyword"}}
	searchBody  = []field{{name: "query", kind: kindString, minLen: 1}, {name: "vector", kind: kindFloatList}, topKField, filterField, modeField}
)

// search answers POST /search.
//
//	@Summary	Search the vector store
//	@Description	Ranks chunks for a text query (or a vector, for clients that embed themselves). Filters match metadata by equality or {"$in": [...]}.
//	@Tags		rag
//	@Accept		json
//	@Produce	json
//	@Param		body	body		searchRequest	true	"query or vector"
//	@Success	200		{object}	searchResponse
//	@Failure	401		{object}	errorBody
//	@Failure	422		{object}	validationBody
//	@Failure	503		{object}	errorBody
//	@Security	BearerAuth
//	@Router		/search [post]
func (s *Server) search(w http.ResponseWriter, r *http.Request) (any, error) {
	body, err := s.readBody(w, r, searchBody)
	if err != nil {
		return nil, err
	}
	req := rag.SearchRequest{TopK: s.opts.DefaultTopK}
	req.Query, _ = body["query"].(string)
	req.Vector, _ = body["vector"].([]float32)
	if n, ok := body["top_k"].(int); ok {
		req.TopK = n
	}
	req.Filter, _ = body["filter"].(map[string]any)
	req.Mode, _ = body["mode"].(string)
	if req.Query == "" && req.Vector == nil {
		return nil, errValidation(ValidationItem{Type: "missing", Loc: []any{"body", "query"}, Msg: "Field required", Input: body})
	}
	if s.opts.RAG == nil {
		return nil, errNotLoaded
	}
	hits, err := s.opts.RAG.Search(r.Context(), req)
	if err != nil {
		return nil, ragError(err)
	}
	mode := req.Mode
	if mode == "" {
		mode = s.opts.SearchMode
	}
	return searchResponse{Results: toHits(hits), Query: req.Query, TopK: req.TopK, Mode: mode}, nil
}

var errNotLoaded = errStatus(http.StatusServiceUnavailable, "Vector store is not loaded yet")

// ragError maps rag's errors to statuses; anything else is a 500 whose
// text is logged, not sent.
func ragError(err error) error {
	var re *rag.RequestError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusGatewayTimeout, Detail: "The request timed out", Err: err}
	case errors.Is(err, rag.ErrNotReady):
		return &Error{Status: http.StatusServiceUnavailable, Detail: "Vector store is not loaded yet", Err: err}
	case errors.As(err, &re):
		loc := []any{"body"}
		for _, p := range strings.Split(re.Field, ".") {
			loc = append(loc, p)
		}
		return errValidation(ValidationItem{Type: "value_error", Loc: loc, Msg: "Value error, " + re.Msg, Input: nil})
	}
	return err
}

func toHits(in []rag.Hit) []hit {
	out := make([]hit, len(in))
	for i, h := range in {
		md := h.Metadata
		if md == nil {
			md = map[string]any{}
		}
		out[i] = hit{ID: h.ID, Text: h.Text, Score: h.Score, Metadata: md}
	}
	return out
}
