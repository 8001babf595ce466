package httpapi

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"github.com/vendor0919/api/internal/rag"
)

// RAG is what the retrieval routes need; *rag.Service implements it.
type RAG interface {
	Search(ctx context.Context, req rag.SearchRequest) (rag.SearchResult, error)
	Query(ctx context.Context, req rag.QueryRequest, emit func(rag.Event) error) (rag.QueryResult, error)
}

// searchRequest is POST /search's body, as decoded and as documented.
// Zero fields were absent: TopK and Mode then take the server's defaults.
type searchRequest struct {
	Query  string         `json:"query,omitempty" maxLength:"4000" example:"How long is the warranty?"` // the text to search for (at most MAX_QUESTION_CHARS characters); send this, vector, or both
	Vector []float32      `json:"vector,omitempty"`                                                     // a query embedding of the store's dimensions, for clients that embed themselves
	TopK   int            `json:"top_k,omitempty" minimum:"1" maximum:"50"`                             // how many results (the server's DEFAULT_TOP_K when absent)
	Filter map[string]any `json:"filter,omitempty"`                                                     // metadata equality, or an operator ($eq, $ne, $in, $nin), per key; all must match (at most 32 keys, 256 list items, 1024-character strings)
	Mode   rag.Mode       `json:"mode,omitempty" enums:"hybrid,vector,keyword" swaggertype:"string"`    // the server's SEARCH_MODE when absent
}

// The fields the retrieval bodies share, validated alike. The top_k bounds
// are the ones documented in the struct tags (docs_test checks they agree).
var (
	topKField   = field{name: "top_k", kind: kindInt, ge: bound(minTopK), le: bound(maxTopK)}
	filterField = field{name: "filter", kind: kindFilter}
	modeField   = field{name: "mode", kind: kindMode}
)

// maxTopK is rag's own limit, so the API and rag agree.
const minTopK, maxTopK = 1, rag.DefaultMaxTopK

func (q *searchRequest) decode(v *validator) {
	q.Query = v.str(field{name: "query", kind: kindString, minLen: 1, maxLen: v.lim.QuestionChars})
	q.Vector = v.floats(field{name: "vector", kind: kindFloatList})
	q.TopK = v.integer(topKField)
	q.Filter = v.object(filterField)
	q.Mode = v.mode(modeField)
	if v.ok() && q.Query == "" && q.Vector == nil {
		v.missing("query") // one of query and vector is required
	}
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
	// Mode is the mode the search ran in, which may differ from the one
	// asked for (a bare vector is searched by vector alone; with an
	// English-only offline embedder, hybrid search for a question not
	// mostly in Latin letters is keyword search).
	Mode rag.Mode `json:"mode" swaggertype:"string"`
}

// search answers POST /search.
//
//	@Summary	Search the vector store
//	@Description	Ranks chunks for a text query (or a vector, for clients that embed themselves). Filters match metadata by equality or {"$in": [...]}.
//	@ID			search
//	@Tags		rag
//	@Accept		json
//	@Produce	json
//	@Param		body	body		searchRequest	true	"A query text or vector, and how many results of which kind"
//	@Success	200		{object}	searchResponse
//	@Failure	422		{object}	validationBody	"The body is not valid JSON or a field is invalid (the problems as pydantic v2 reports them: at most 20 items, then one of type too_many_errors counting the rest)"
//	@Failure	503		{object}	errorBody	"The vector store is not loaded yet, or the service is shutting down"
//	@Failure	504		{object}	errorBody	"The embedder did not answer in time"
//	@Security	BearerAuth
//	@Router		/search [post]
func (s *Server) search(w http.ResponseWriter, r *http.Request) (any, error) {
	var body searchRequest
	if err := s.decodeBody(w, r, &body); err != nil {
		return nil, err
	}
	if s.opts.RAG == nil {
		return nil, errNotLoaded
	}
	req := rag.SearchRequest{
		Query: body.Query, Vector: body.Vector, Filter: body.Filter,
		TopK: cmp.Or(body.TopK, s.opts.DefaultTopK), Mode: cmp.Or(body.Mode, s.opts.SearchMode),
	}
	// A hosted embedder that hangs would otherwise hold the search past
	// the server's WriteTimeout, whose answer then never reaches the
	// client (and a browser re-sends the POST).
	ctx, cancel := deadline(w, r, s.opts.SearchTimeout)
	defer cancel()
	res, err := s.opts.RAG.Search(ctx, req)
	if err != nil {
		return nil, ragError(err)
	}
	return searchResponse{Results: toHits(res.Hits), Query: req.Query, TopK: req.TopK, Mode: res.Mode}, nil
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
	case errors.Is(err, rag.ErrUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Detail: "Vector store is unavailable", Err: err}
	case errors.As(err, &re):
		return errValidation(requestErrorItem(re))
	}
	return err
}

// requestErrorItem is a rag.RequestError as a 422 item, at its Loc when
// it has one (a filter key may hold dots), else at its Field's path.
func requestErrorItem(re *rag.RequestError) ValidationItem {
	loc := ragLoc(re.Field)
	if re.Loc != nil {
		loc = append([]any{"body"}, re.Loc...)
	}
	if re.Type != "" {
		return ValidationItem{Type: re.Type, Loc: loc, Msg: re.Msg, Input: re.Input, Ctx: re.Ctx}
	}
	return ValidationItem{Type: "value_error", Loc: loc, Msg: "Value error, " + re.Msg, Input: re.Input}
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
