package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/rag"
)

func TestSearch_Cases(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	rec := ts.do("POST", "/search", `{"query":"refund","top_k":3,"filter":{"lang":{"$in":["en"]}},"mode":"vector"}`, nil)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got searchResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != 1 || got.Results[0].ID != "c1" || got.Results[0].Metadata["source"] != "refund.md" {
		t.Errorf("results %+v", got.Results)
	}
	req := ts.rag.searches[0]
	if req.Query != "refund" || req.TopK != 3 || req.Mode != "vector" || req.Filter["lang"] == nil {
		t.Errorf("request passed on as %+v", req)
	}
	// Numbers in filters reach rag as chunk metadata holds them: float64,
	// and integers beyond float64 precision exactly, as json.Number.
	ts.do("POST", "/search", `{"query":"q","filter":{"page":3,"year":{"$in":[2024,2025.5]},"id":9007199254740993}}`, nil)
	f := ts.rag.searches[1].Filter
	in, _ := f["year"].(map[string]any)["$in"].([]any)
	if f["page"] != float64(3) || len(in) != 2 || in[0] != float64(2024) || in[1] != 2025.5 || f["id"] != json.Number("9007199254740993") {
		t.Errorf("filter numbers %#v", f)
	}

	rec = ts.do("POST", "/search", `{"vector":[0.1,"x",true]}`, nil)
	var v struct{ Detail []ValidationItem }
	_ = json.Unmarshal(rec.Body.Bytes(), &v)
	if rec.Code != 422 || len(v.Detail) != 2 || v.Detail[0].Type != "float_parsing" || !equalLoc(v.Detail[1].Loc, []any{"body", "vector", float64(2)}) {
		t.Errorf("vector items: %d %s", rec.Code, rec.Body)
	}
	for _, f := range []string{`{"source":1e999999}`, `{"a":{"$in":[1e400]}}`, `{"id":12345678901234567890123456789012345678901}`} {
		rec = ts.do("POST", "/search", `{"query":"q","filter":`+f+`}`, nil)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"finite_number"`) {
			t.Errorf("filter %s: %d %s, want 422 finite_number", f, rec.Code, rec.Body)
		}
	}
	rec = ts.do("POST", "/search", `{"vector":[1e300, 1]}`, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"type":"finite_number"`) || !strings.Contains(rec.Body.String(), "float32") {
		t.Errorf("float32 overflow: %d %s, want finite_number naming float32's range", rec.Code, rec.Body)
	}
	rec = ts.do("POST", "/search", `{"top_k":2}`, nil)
	if rec.Code != 422 || !strings.Contains(rec.Body.String(), `"loc":["body","query"]`) {
		t.Errorf("missing query and vector: %d %s", rec.Code, rec.Body)
	}
}

func TestSearch_RAGErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		detail string
	}{
		{"not ready", rag.ErrNotReady, 503, `"Vector store is not loaded yet"`},
		{"backend down", fmt.Errorf("weaviatestore: search at /secret/path: %w", rag.ErrUnavailable), 503, `"Vector store is unavailable"`},
		{"bad filter", &rag.RequestError{Field: "filter.lang", Msg: "unknown operator $regex"}, 422, `"loc":["body","filter","lang"]`},
		{"internal", errors.New("disk on fire at /secret/path"), 500, `"Internal Server Error"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.err = tt.err
			rec := ts.do("POST", "/search", `{"query":"q"}`, nil)
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.detail) {
				t.Errorf("got %d %s, want %d with %s", rec.Code, rec.Body, tt.status, tt.detail)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("internal error text leaked: %s", rec.Body)
			}
		})
	}
}

// TestFilter_DottedKeyLocations: a filter key may hold dots; the 422
// names it whole, as pydantic's loc would, not split at its dots.
func TestFilter_DottedKeyLocations(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	tests := []struct {
		name, path, body string
		loc              []any
	}{
		{"search, unknown operator", "/search", `{"query":"q","filter":{"meta.lang":{"$bad":1}}}`, []any{"body", "filter", "meta.lang"}},
		{"query, operand not a list", "/query", `{"question":"q","filter":{"a.b":{"$in":"x"}}}`, []any{"body", "filter", "a.b", "$in"}},
		{"query, list item", "/query", `{"question":"q","filter":{"a.b":{"$in":["x",[1]]}}}`, []any{"body", "filter", "a.b", "$in", 1.0}},
		{"chat, key like an index", "/chat", `{"messages":[{"role":"user","parts":[{"type":"text","text":"q"}]}],"filter":{"x.0":{"$eq":[1]}}}`, []any{"body", "filter", "x.0", "$eq"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := ts.do("POST", tt.path, tt.body, nil)
			if rec.Code != 422 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if items := details(t, rec.Body.Bytes()); len(items) != 1 || !equalLoc(items[0].Loc, tt.loc) {
				t.Errorf("items %+v, want one at %v", items, tt.loc)
			}
		})
	}
}

func TestSearch_NoRAGIs503(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.RAG = nil })
	rec := ts.do("POST", "/search", `{"query":"q"}`, nil)
	if rec.Code != 503 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Vector store is not loaded yet"}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
	// Validation still comes first.
	if rec := ts.do("POST", "/search", `{"top_k":0,"query":"q"}`, nil); rec.Code != 422 {
		t.Errorf("validation before 503: got %d", rec.Code)
	}
}

func TestSearch_ReportsModeUsed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		ran        rag.Mode // what the fake reports running; "": what it was asked
		asked      rag.Mode // what the handler must ask for
		want       string
	}{
		{"default mode asked and reported", `{"query":"q"}`, "", rag.ModeHybrid, "hybrid"},
		{"named mode asked and reported", `{"query":"q","mode":"keyword"}`, "", rag.ModeKeyword, "keyword"},
		{"a bare vector runs by vector alone", `{"vector":[0.1,0.2]}`, rag.ModeVector, rag.ModeHybrid, "vector"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, nil)
			ts.rag.ranMode = tt.ran
			rec := ts.do("POST", "/search", tt.body, nil)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := decode(t, rec)["mode"]; got != tt.want {
				t.Errorf("reported mode %v, want %s", got, tt.want)
			}
			if got := ts.rag.searches[0].Mode; got != tt.asked {
				t.Errorf("asked rag for %q, want %q", got, tt.asked)
			}
		})
	}
}

func TestSearch_ConfiguredModeIsTheDefault(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, func(o *Options) { o.SearchMode = rag.ModeVector })
	rec := ts.do("POST", "/search", `{"query":"q"}`, nil)
	if got := decode(t, rec)["mode"]; got != "vector" || ts.rag.searches[0].Mode != rag.ModeVector {
		t.Errorf("reported %v, asked %q; want vector", got, ts.rag.searches[0].Mode)
	}
	ts.do("POST", "/query", `{"question":"q"}`, nil)
	if got := ts.rag.queries[0].Mode; got != rag.ModeVector {
		t.Errorf("query asked for %q, want vector", got)
	}
}
