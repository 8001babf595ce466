package rag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/llm"
)

// bigStore is a store of n chunks whose metadata carries a float page,
// a string lang and, for every tenth chunk, a json.Number id beyond
// float64 precision.
func bigStore(n int) []docmodel.Chunk {
	chunks := make([]docmodel.Chunk, n)
	for i := range chunks {
		md := map[string]any{"page": float64(i), "lang": []string{"en", "ja"}[i%2]}
		if i%10 == 0 {
			md["id"] = json.Number(fmt.Sprintf("9007199254740%03d%d", i%1000, i))
		}
		chunks[i] = docmodel.Chunk{ID: fmt.Sprintf("c%d", i), Text: fmt.Sprintf("chunk %d about returns", i), Metadata: md}
	}
	return chunks
}

// fortyDigits returns n distinct 40-digit integers, the numbers the attack
// on row 2 of issue 12 sent.
func fortyDigits(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = json.Number(fmt.Sprintf("1%039d", i))
	}
	return out
}

// TestFilter_DottedKeys: a filter key may hold dots ("meta.lang"), so an
// error's Loc keeps the key whole where Field's dotted path cannot.
func TestFilter_DottedKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		filter map[string]any
		loc    []any
	}{
		{"unknown operator", map[string]any{"meta.lang": map[string]any{"$bad": 1}}, []any{"filter", "meta.lang"}},
		{"operand not a list", map[string]any{"a.b": map[string]any{"$in": "x"}}, []any{"filter", "a.b", "$in"}},
		{"list item not a scalar", map[string]any{"a.b": map[string]any{"$nin": []any{1, map[string]any{}}}}, []any{"filter", "a.b", "$nin", 1}},
		{"value not a scalar", map[string]any{"a.1": []any{1}}, []any{"filter", "a.1"}},
		{"key too long", map[string]any{strings.Repeat("k.", MaxFilterKeyChars): "v"}, []any{"filter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var re *RequestError
			if err := CheckFilter(tt.filter); !errors.As(err, &re) || !reflect.DeepEqual(re.Loc, tt.loc) {
				t.Fatalf("err %#v, want a RequestError with Loc %v", err, tt.loc)
			}
		})
	}
}

func TestFilter_Limits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("あ", MaxFilterStringChars+1)
	many := map[string]any{}
	for i := 0; i <= MaxFilterFields; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	tests := []struct {
		name   string
		filter map[string]any
		field  string // "" means valid
		typ    string
	}{
		{"at the list limit", map[string]any{"id": map[string]any{"$in": fortyDigits(MaxFilterListItems)}}, "", ""},
		{"list over the limit", map[string]any{"id": map[string]any{"$in": fortyDigits(MaxFilterListItems + 1)}}, "filter.id.$in", "too_long"},
		{"$nin over the limit", map[string]any{"id": map[string]any{"$nin": make([]any, MaxFilterListItems+1)}}, "filter.id.$nin", "too_long"},
		{"too many keys", many, "filter", "too_long"},
		{"long key", map[string]any{strings.Repeat("k", MaxFilterKeyChars+1): "v"}, "filter", "string_too_long"},
		{"long string value", map[string]any{"lang": long}, "filter.lang", "string_too_long"},
		{"long string in a list", map[string]any{"lang": map[string]any{"$in": []any{"en", long}}}, "filter.lang.$in.1", "string_too_long"},
		{"long number", map[string]any{"id": json.Number(strings.Repeat("9", MaxFilterNumberChars+1))}, "filter.id", ""},
		{"huge exponent", map[string]any{"id": json.Number("1e999999")}, "filter.id", ""},
		{"nested operator", map[string]any{"id": map[string]any{"$in": []any{map[string]any{"$in": []any{1.0}}}}}, "filter.id.$in.0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckFilter(tt.filter)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("err %v, want valid", err)
				}
				return
			}
			var re *RequestError
			if !errors.As(err, &re) || re.Field != tt.field || re.Type != tt.typ {
				t.Fatalf("err %#v, want a RequestError at %s of type %q", err, tt.field, tt.typ)
			}
			if s, ok := re.Input.(string); ok && len(s) > 80 {
				t.Errorf("input echoed at %d bytes", len(s))
			}
		})
	}
}

// TestFilter_CompiledOnce is row 2 of issue 12: a filter with the largest
// $in list of 40-digit numbers, matched against ordinary metadata, costs
// no allocation per candidate (numbers are parsed when the filter is
// compiled, not per row), and matches what the old per-pair comparison
// matched. Not parallel: AllocsPerRun counts the whole process.
func TestFilter_CompiledOnce(t *testing.T) {
	vals := append(fortyDigits(MaxFilterListItems-3), float64(7), "ja", json.Number("9007199254740993"))
	m, err := ParseFilter(map[string]any{"page": map[string]any{"$in": vals}, "lang": map[string]any{"$nin": vals}})
	if err != nil {
		t.Fatal(err)
	}
	md := map[string]any{"page": float64(7), "lang": "en"}
	if allocs := testing.AllocsPerRun(200, func() { m.Match(md) }); allocs != 0 {
		t.Errorf("%v allocations per candidate, want 0", allocs)
	}
	tests := []struct {
		md   map[string]any
		want bool
	}{
		{map[string]any{"page": float64(7), "lang": "en"}, true},
		{map[string]any{"page": 7, "lang": "en"}, true},
		{map[string]any{"page": int64(7), "lang": "ja"}, false},
		{map[string]any{"page": json.Number("1" + strings.Repeat("0", 39)), "lang": "en"}, true},
		{map[string]any{"page": json.Number("1" + strings.Repeat("0", 38) + "7"), "lang": "en"}, true},
		{map[string]any{"page": json.Number("9007199254740993")}, true},
		{map[string]any{"page": float64(9007199254740992)}, false},
		{map[string]any{"page": math.NaN()}, false},
		{map[string]any{"page": []any{7.0}}, false},
		{map[string]any{"lang": "en"}, false},
	}
	for _, tt := range tests {
		if got := m.Match(tt.md); got != tt.want {
			t.Errorf("match %v = %v, want %v", tt.md, got, tt.want)
		}
	}
}

// countingIndex calls the filter on every row, as an exact scan does, and
// counts the rows it admitted; after onCall calls it runs then (a cancel).
type countingIndex struct {
	flatIndex
	calls, admitted atomic.Int64
	at              int64
	then            func()
}

func (c *countingIndex) Search(q []float32, k int, opts ann.SearchOptions) ([]ann.Neighbor, error) {
	wrapped := opts
	wrapped.Filter = func(id uint32) bool {
		if c.calls.Add(1) == c.at && c.then != nil {
			c.then()
		}
		ok := opts.Filter(id)
		if ok {
			c.admitted.Add(1)
		}
		return ok
	}
	return c.flatIndex.Search(q, k, wrapped)
}

// TestSearch_FilterStopsWhenCancelled is the other half of row 2: the
// client leaves (its context is cancelled) in the middle of a filtered
// scan of 2,000 rows; the filter admits no more than filterCheckEvery rows
// after that and Search returns the cancellation, not results.
func TestSearch_FilterStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	emb := newEmbedder()
	s, err := New(Config{}, emb, &fakeGen{failAfter: -1})
	if err != nil {
		t.Fatal(err)
	}
	st := newStore(emb, bigStore(2000))
	ctx, cancel := context.WithCancel(context.Background())
	idx := &countingIndex{flatIndex: *st.Index.(*flatIndex), at: 500, then: cancel}
	st.Index = idx
	if err := s.Swap(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	q := make([]float32, testDims)
	q[0] = 1
	_, err = s.Search(ctx, SearchRequest{Vector: q, Mode: ModeVector, TopK: 5,
		Filter: map[string]any{"page": map[string]any{"$nin": fortyDigits(MaxFilterListItems)}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if got := idx.admitted.Load(); got > idx.at+filterCheckEvery {
		t.Errorf("filter admitted %d rows, want at most %d (cancelled at %d)", got, idx.at+filterCheckEvery, idx.at)
	}
	if idx.calls.Load() != 2000 {
		t.Errorf("%d filter calls, want one per row", idx.calls.Load())
	}
}

// countingGen counts Generate calls.
type countingGen struct{ calls atomic.Int64 }

func (g *countingGen) Model() string { return "counting" }
func (g *countingGen) Generate(context.Context, llm.Request, func(string) error) (llm.Answer, error) {
	g.calls.Add(1)
	return llm.Answer{Text: "ok"}, nil
}

// countingEmbedder counts Embed calls.
type countingEmbedder struct {
	*bowEmbedder
	calls atomic.Int64
}

func (e *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	e.calls.Add(1)
	return e.bowEmbedder.Embed(ctx, texts)
}

// TestQuery_LimitsBeforeAnyCall is row 7 of issue 12 for callers other
// than the HTTP layer: a question, a turn, a messages list or a filter
// over its limit is a RequestError before the embedder or the model is
// called (also the rewrite of a follow-up). A long conversation within
// MaxListedMessages is windowed, not refused (TestQuery_HistoryWindow).
func TestQuery_LimitsBeforeAnyCall(t *testing.T) {
	t.Parallel()
	user := func(s string) Message { return Message{Role: RoleUser, Content: s} }
	tests := []struct {
		name  string
		req   QueryRequest
		field string
	}{
		{"long question", QueryRequest{Question: strings.Repeat("q", 101)}, "question"},
		{"more messages than a request may list", QueryRequest{Question: "and?", History: turns(MaxListedMessages)}, "messages"},
		{"big filter", QueryRequest{Question: "and?", History: []Message{user("hi")}, Filter: map[string]any{"id": map[string]any{"$in": fortyDigits(MaxFilterListItems + 1)}}}, "filter.id.$in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emb := &countingEmbedder{bowEmbedder: newEmbedder()}
			gen := &countingGen{}
			s, err := New(Config{MaxQuestionChars: 100, MaxConversationChars: 150}, emb, gen)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(context.Background(), newStore(emb.bowEmbedder, corpus())); err != nil {
				t.Fatal(err)
			}
			_, err = s.Query(context.Background(), tt.req, nil)
			var re *RequestError
			if !errors.As(err, &re) || re.Field != tt.field {
				t.Fatalf("err %v, want a RequestError at %s", err, tt.field)
			}
			if e, g := emb.calls.Load(), gen.calls.Load(); e != 0 || g != 0 {
				t.Errorf("%d embedder and %d model calls, want none", e, g)
			}
		})
	}
	s, _ := newService(t, Config{MaxQuestionChars: 10}, nil)
	_, err := s.Search(context.Background(), SearchRequest{Query: strings.Repeat("x", 11)})
	var re *RequestError
	if !errors.As(err, &re) || re.Field != "query" || re.Type != "string_too_long" {
		t.Errorf("search with a long query: err %v, want string_too_long at query", err)
	}
}

// TestFilter_KeyMessages: an empty key and a logical operator are told
// apart (the probe's {"": 1} was called a logical operator).
func TestFilter_KeyMessages(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{"": "a filter key must not be empty", "$or": "logical operators are not supported"} {
		var re *RequestError
		if err := CheckFilter(map[string]any{key: 1}); !errors.As(err, &re) || !strings.Contains(re.Msg, want) {
			t.Errorf("key %q: %v, want %q", key, err, want)
		}
	}
}

// TestEmptyQuestion_EchoesInput: a question or query of white space is a
// RequestError echoing it, as pydantic echoes the value it refuses.
func TestEmptyQuestion_EchoesInput(t *testing.T) {
	t.Parallel()
	s, _ := newService(t, Config{}, nil)
	var re *RequestError
	if _, err := s.Search(context.Background(), SearchRequest{Query: "   "}); !errors.As(err, &re) || re.Field != "query" || re.Input != "   " {
		t.Errorf("search: %#v, want an error at query echoing %q", err, "   ")
	}
	if _, err := s.Query(context.Background(), QueryRequest{Question: " \t"}, nil); !errors.As(err, &re) || re.Field != "question" || re.Input != " \t" {
		t.Errorf("query: %#v, want an error at question echoing it", err)
	}
}
