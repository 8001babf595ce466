package weaviatestore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/weaviate/weaviate/entities/models"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/lcfixture"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

func TestPush_IdempotentAndInterrupted(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	alias := newAlias(t)
	dirA := writeStore(t, emb, corpus(250))
	dirB := writeStore(t, emb, corpus(300))

	var out bytes.Buffer
	o := pushOpts(srv, alias)
	o.Progress = &out
	first, err := Push(ctx, dirA, store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if first.Resumed || first.Previous != "" || !strings.Contains(out.String(), "upserted  250/250 chunks") {
		t.Fatalf("first push %+v\n%s", first, out.String())
	}
	again, err := Push(ctx, dirA, store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Resumed || again.Class != first.Class || again.Previous != first.Class {
		t.Fatalf("second push of the same store %+v, first %+v", again, first)
	}
	s := openStore(t, srv, alias, emb.Info(), "")
	info, err := s.Check(ctx)
	if err != nil || info.Class != first.Class || info.Meta.Count != 250 {
		t.Fatalf("check %+v %v", info, err)
	}
	if n, err := count(ctx, o.Conn, s.client, first.Class); err != nil || n != 250 {
		t.Fatalf("objects after two pushes: %d %v, want 250", n, err)
	}

	// Interrupted after the first batch: the alias stays on A.
	ictx, cancel := context.WithCancel(ctx)
	io := o
	io.AfterBatch = func(int) { cancel() }
	if _, err := Push(ictx, dirB, store.OpenOptions{}, io); err == nil {
		t.Fatal("an interrupted push succeeded")
	}
	if info, err := s.Check(ctx); err != nil || info.Class != first.Class {
		t.Fatalf("after an interrupted push the alias points to %+v (%v), want %s", info, err, first.Class)
	}
	// Run again: it resumes into the same collection and moves the alias.
	out.Reset()
	b, err := Push(ctx, dirB, store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Resumed || b.Previous != first.Class {
		t.Errorf("resumed push %+v", b)
	}
	b.WriteText(&out)
	if !strings.Contains(out.String(), "roll back: curl -X PUT "+srv.URL+"/v1/aliases/"+alias) || !strings.Contains(out.String(), first.Class) {
		t.Errorf("no rollback instructions:\n%s", out.String())
	}
	if info, err := s.Check(ctx); err != nil || info.Class != b.Class || info.Meta.Count != 300 {
		t.Fatalf("after the push the alias points to %+v (%v), want %s", info, err, b.Class)
	}
	// A third store with Keep 1: A is deleted, B kept for rollback.
	c, err := Push(ctx, writeStore(t, emb, corpus(120)), store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Deleted) != 1 || c.Deleted[0] != first.Class {
		t.Errorf("deleted %v, want [%s]", c.Deleted, first.Class)
	}
}

func TestCheck_Incompatible(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	alias := newAlias(t)
	if _, err := Push(ctx, writeStore(t, emb, corpus(30)), store.OpenOptions{}, pushOpts(srv, alias)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		emb  docmodel.EmbeddingModel
		want error
	}{
		{"dimensions", docmodel.EmbeddingModel{Provider: "hash", Model: emb.Info().Model, Dims: 128}, store.ErrDimensionMismatch},
		{"model", docmodel.EmbeddingModel{Provider: "openai", Model: "text-embedding-3-small", Dims: testDims}, store.ErrModelMismatch},
	}
	for _, tt := range tests {
		s, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Collection: alias, Embedding: tt.emb})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Check(ctx)
		if !errors.Is(err, ErrIncompatible) || !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want ErrIncompatible and %v", tt.name, err, tt.want)
		}
	}
	// A collection whose distance is not the one its description needs.
	s := openStore(t, srv, alias, emb.Info(), "")
	cls, err := s.client.Schema().ClassGetter().WithClassName(s.cur.Load().class).Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cls.VectorIndexConfig = map[string]any{"distance": "l2-squared"}
	if _, err := s.validate(cls); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "distance") {
		t.Errorf("wrong distance: %v", err)
	}
	// The description is Push's, but the collection lacks a property
	// every search reads (made by hand, or changed since): every search
	// was a 500.
	pushed, err := s.client.Schema().ClassGetter().WithClassName(s.cur.Load().class).Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	noText := *pushed
	noText.Properties = slices.DeleteFunc(slices.Clone(pushed.Properties), func(p *models.Property) bool { return p.Name == PropText })
	if _, err := s.validate(&noText); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), `"text"`) {
		t.Errorf("no text property: %v", err)
	}

	// Vectors of other dimensions than the description's, in a
	// collection that is otherwise Push's.
	forged := *pushed
	forged.Class = alias + "Forged"
	if err := s.client.Schema().ClassCreator().WithClass(&forged).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Data().Creator().WithClassName(forged.Class).
		WithProperties(map[string]any{PropChunkID: "x", PropText: "x", PropKeywords: "x", PropMetadata: "{}"}).
		WithVector(make([]float32, testDims+1)).Do(ctx); err != nil {
		t.Fatal(err)
	}
	fs, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Collection: forged.Class, Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Check(ctx); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "dimensions") {
		t.Errorf("vectors of other dimensions: %v", err)
	}

	// REST answers but gRPC, which every search uses, does not: /ready
	// stayed 200 while every search was a 503.
	nogrpc, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: "127.0.0.1:1", Timeout: 500 * time.Millisecond}, Collection: alias, Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nogrpc.Check(ctx); !errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("gRPC unreachable: %v, want ErrUnavailable", err)
	}

	cls.Description = "not ours"
	if _, err := s.validate(cls); !errors.Is(err, ErrIncompatible) {
		t.Errorf("a collection push did not write: %v", err)
	}
	missing, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Collection: "Nosuch", Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := missing.Check(ctx); !errors.Is(err, ErrIncompatible) {
		t.Errorf("missing collection: %v", err)
	}
}

func TestStore_Unreachable(t *testing.T) {
	t.Parallel()
	// A port nothing listens on: every call fails fast and says unavailable.
	s, err := New(Config{Conn: Conn{URL: "http://127.0.0.1:1", GRPCAddr: "127.0.0.1:1", Timeout: 500 * time.Millisecond},
		Collection: "Docs", Embedding: docmodel.EmbeddingModel{Dims: 4}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Check(ctx); !errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("check: %v, want ErrUnavailable", err)
	}
	if _, err := s.SearchVector(ctx, []float32{1, 0, 0, 0}, 3, nil); !errors.Is(err, rag.ErrUnavailable) {
		t.Errorf("search before a successful check: %v, want ErrUnavailable", err)
	}
}

// TestHNSW_Recall wants recall@10 >= 0.95 of Weaviate's HNSW against exact
// search over the same vectors.
func TestHNSW_Recall(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	chunks := corpus(3000)
	dir := writeStore(t, emb, chunks)
	alias := newAlias(t)
	if _, err := Push(ctx, dir, store.OpenOptions{}, PushOptions{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr, Timeout: time.Minute},
		Alias: alias, BatchSize: 500}); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, srv, alias, emb.Info(), "")
	st, err := store.Open(ctx, dir, store.OpenOptions{Embedding: emb.Info(), Exact: true})
	if err != nil {
		t.Fatal(err)
	}
	queries := make([]string, 100)
	for i := range queries {
		queries[i] = vocab[i%len(vocab)] + " " + vocab[(i*7+3)%len(vocab)] + " " + vocab[(i*13+5)%len(vocab)]
	}
	vs, err := emb.Embed(ctx, queries)
	if err != nil {
		t.Fatal(err)
	}
	found, total := 0, 0
	for _, v := range vs {
		exact, err := st.Index.Search(v, 10, ann.SearchOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, n := range exact {
			want[st.Chunk(int(n.ID)).ID] = true
		}
		got, err := s.SearchVector(ctx, v, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range got {
			if want[h.ID] {
				found++
			}
		}
		total += len(want)
	}
	recall := float64(found) / float64(total)
	t.Logf("Weaviate HNSW recall@10 = %.3f over %d queries, %d chunks", recall, len(queries), len(chunks))
	if recall < 0.95 {
		t.Errorf("recall@10 = %.3f, want >= 0.95", recall)
	}
}

// TestPush_PrunesOnlyItsOwnCompleteCollections: pruning alias X used to
// delete alias X_v2's live collections (a prefix test), and a collection
// a killed push left half-filled counted as the version kept for rollback.
// A server searching the collection a push just pruned searched a class
// that was gone (500s until its next health check); it checks the alias
// again and searches the new one.
func TestPush_PrunesOnlyItsOwnCompleteCollections(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	alias := newAlias(t)
	other := alias + "_v2" // a valid alias that shares X's prefix

	o := pushOpts(srv, alias)
	a, err := Push(ctx, writeStore(t, emb, corpus(120)), store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	oo := pushOpts(srv, other)
	b, err := Push(ctx, writeStore(t, emb, corpus(90)), store.OpenOptions{}, oo)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, srv, alias, emb.Info(), "")

	// A push to X killed after its first batch leaves a half-filled
	// collection, newer than A.
	ictx, cancel := context.WithCancel(ctx)
	io := o
	io.AfterBatch = func(int) { cancel() }
	if _, err := Push(ictx, writeStore(t, emb, corpus(300)), store.OpenOptions{}, io); err == nil {
		t.Fatal("an interrupted push succeeded")
	}

	// Keep 1: A is the version kept for rollback, not the half-filled
	// one; nothing of X_v2's is touched.
	c, err := Push(ctx, writeStore(t, emb, corpus(150)), store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Deleted) != 0 {
		t.Fatalf("deleted %v, want nothing (A kept for rollback, the half-filled one left alone)", c.Deleted)
	}
	// Keep 0: A goes, X_v2's collection stays.
	o0 := o
	o0.Keep = 0
	d, err := Push(ctx, writeStore(t, emb, corpus(160)), store.OpenOptions{}, o0)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(d.Deleted, b.Class) || !slices.Contains(d.Deleted, a.Class) {
		t.Fatalf("deleted %v: want %s among them and not %s", d.Deleted, a.Class, b.Class)
	}
	if info, err := openStore(t, srv, other, emb.Info(), "").Check(ctx); err != nil || info.Class != b.Class {
		t.Fatalf("alias %s after pruning %s: %+v, %v", other, alias, info, err)
	}
	var out bytes.Buffer
	d.WriteText(&out)
	if strings.Contains(out.String(), "roll back") {
		t.Errorf("rollback to a deleted collection offered:\n%s", out.String())
	}

	// s still searches A, which is gone: it finds the alias's new target.
	hits, err := s.SearchKeyword(ctx, vocab[0], 5, nil)
	if err != nil {
		t.Fatalf("search after the prune: %v", err)
	}
	if info, _ := s.Check(ctx); info.Class != d.Class || len(hits) == 0 {
		t.Fatalf("searching %s with %d hits, want %s", info.Class, len(hits), d.Class)
	}
}

// wordsAnalyzer stands for Kagome's: another Version, and tokens the
// standard analyzer would not make (each word whole, prefixed).
type wordsAnalyzer struct{}

func (wordsAnalyzer) Analyze(text string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(text)) {
		out = append(out, "w:"+strings.Trim(w, "."))
	}
	return out
}
func (wordsAnalyzer) Version() string { return "words/1" }

// analyzers is KEYWORD_JAPANESE=auto in small: wordsAnalyzer for a corpus
// whose first text says "kana", the standard one for the rest, and either
// by version.
type analyzers struct{}

func (analyzers) Choose(n int, text func(int) string) (keyword.Analyzer, error) {
	if n > 0 && strings.Contains(text(0), "kana") {
		return wordsAnalyzer{}, nil
	}
	return keyword.Standard, nil
}

func (analyzers) ByVersion(v string) (keyword.Analyzer, error) {
	for _, an := range []keyword.Analyzer{keyword.Standard, wordsAnalyzer{}} {
		if an.Version() == v {
			return an, nil
		}
	}
	return nil, fmt.Errorf("analyzer %q unknown", v)
}

// TestPush_KeywordAnalyzerChosenFromTheStore: push indexes a collection's
// keyword tokens with the analyzer chosen from the store's chunks and
// records it; a service whose setting has that analyzer searches with it,
// one without refuses the collection.
func TestPush_KeywordAnalyzerChosenFromTheStore(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	chunks := corpus(30)
	chunks[0].Text = "kana " + chunks[0].Text
	chunks[7].Text = "zebra crossing " + chunks[7].Text
	alias := newAlias(t)
	o := pushOpts(srv, alias)
	o.Analyzers = analyzers{}
	res, err := Push(ctx, writeStore(t, emb, chunks), store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res.WriteText(&out)
	if res.Analyzer != "words/1" || !strings.Contains(out.String(), "keywords   words/1") {
		t.Errorf("push result names analyzer %q:\n%s", res.Analyzer, out.String())
	}
	s, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Collection: alias, Embedding: emb.Info(), Analyzers: analyzers{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if got := s.cur.Load().meta.Analyzer; got != "words/1" {
		t.Fatalf("collection recorded analyzer %q, want words/1", got)
	}
	hits, err := s.SearchKeyword(ctx, "Zebra", 3, nil)
	if err != nil || len(hits) == 0 || hits[0].ID != chunks[7].ID {
		t.Fatalf("keyword search with the collection's analyzer: %v, %v", hits, err)
	}
	plain, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Collection: alias, Embedding: emb.Info()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Check(ctx); !errors.Is(err, ErrIncompatible) || !strings.Contains(err.Error(), "words/1") {
		t.Errorf("a service without the analyzer: %v, want ErrIncompatible naming it", err)
	}

	// A push of a store of the standard analyzer moves the alias and
	// deletes the collection s searched: its next search finds the new
	// collection and must send it the standard analyzer's tokens, not
	// words/1's (it answered 0 hits, 200, before).
	next := corpus(30)
	next[4].Text = "zebra crossing " + next[4].Text
	o.Keep = 0
	if _, err := Push(ctx, writeStore(t, emb, next), store.OpenOptions{}, o); err != nil {
		t.Fatal(err)
	}
	for _, search := range []struct {
		name string
		run  func() ([]rag.Hit, error)
	}{
		{"keyword", func() ([]rag.Hit, error) { return s.SearchKeyword(ctx, "Zebra", 3, nil) }},
		{"hybrid", func() ([]rag.Hit, error) {
			vec, err := emb.Embed(ctx, []string{"zebra"})
			if err != nil {
				return nil, err
			}
			return s.SearchHybrid(ctx, rag.HybridQuery{Query: "Zebra", Vector: vec[0], K: 3, VectorWeight: 0.01, KeywordWeight: 1})
		}},
	} {
		hits, err := search.run()
		if err != nil || len(hits) == 0 || hits[0].ID != next[4].ID {
			t.Errorf("%s search after the alias moved to another analyzer's collection: %v, %v", search.name, hits, err)
		}
	}
}

// TestPush_PruneSparesCollectionsOtherAliasesUse: a collection beyond
// --keep that another alias points to (a canary, a rollback made by hand)
// is kept and reported, not deleted under that alias.
func TestPush_PruneSparesCollectionsOtherAliasesUse(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	name := newAlias(t)
	canary := name + "Canary"
	o := pushOpts(srv, name)
	o.Keep = 0
	a, err := Push(ctx, writeStore(t, emb, corpus(120)), store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, srv, name, emb.Info(), "")
	if err := moveAlias(ctx, o.Conn, s.client, canary, a.Class, false); err != nil {
		t.Fatal(err)
	}
	b, err := Push(ctx, writeStore(t, emb, corpus(130)), store.OpenOptions{}, o)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(b.Deleted, a.Class) || !slices.Equal(b.Pinned, []string{a.Class + " (" + canary + ")"}) {
		t.Fatalf("deleted %v, pinned %v: want %s kept for %s", b.Deleted, b.Pinned, a.Class, canary)
	}
	if info, err := openStore(t, srv, canary, emb.Info(), "").Check(ctx); err != nil || info.Class != a.Class {
		t.Fatalf("alias %s after the push: %+v, %v", canary, info, err)
	}
	var out bytes.Buffer
	b.WriteText(&out)
	if !strings.Contains(out.String(), "kept       "+a.Class+" ("+canary+")") {
		t.Errorf("the push does not say what it kept:\n%s", out.String())
	}
}

// TestPush_NewVersionNewCollection: the same chunks published again under
// a new store version land in a new collection, so the version readers
// see (/ready, /vectorstore) is the one pushed, not the first one's.
func TestPush_NewVersionNewCollection(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	name := newAlias(t)
	o := pushOpts(srv, name)
	var classes []string
	for _, v := range []string{"t1", "t2"} {
		r, err := Push(ctx, writeStoreVersion(t, emb, corpus(50), v), store.OpenOptions{}, o)
		if err != nil || r.Resumed {
			t.Fatalf("push of %s: %+v, %v; want a new collection", v, r, err)
		}
		classes = append(classes, r.Class)
	}
	info, err := openStore(t, srv, name, emb.Info(), "").Check(ctx)
	if err != nil || classes[0] == classes[1] || info.Class != classes[1] || info.Meta.Version != "t2" {
		t.Fatalf("after pushing t1 then t2 (%v): %+v, %v; want t2's collection", classes, info, err)
	}
}

// TestPush_RowsSharingADocument: a LangChain folder whose rows share a
// document (verify passes it, the server serves each row) is published
// whole: each row an object, the later ones under import-faiss's
// "ID#ROW", instead of failing every push on the object count.
func TestPush_RowsSharingADocument(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	const dims = 4
	vecs := []float32{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}
	dir := filepath.Join(t.TempDir(), "lc")
	if err := lcfixture.WriteMapped(dir, dims, false, vecs, []string{"alpha", "bravo", "charlie"}, []int{0, 0, 2}); err != nil {
		t.Fatal(err)
	}
	name := newAlias(t)
	o := pushOpts(srv, name)
	r, err := Push(ctx, dir, store.OpenOptions{}, o)
	if err != nil || r.Count != 3 {
		t.Fatalf("push = %+v, %v; want 3 objects", r, err)
	}
	emb := docmodel.EmbeddingModel{Provider: docmodel.ProviderHash, Model: "hash", Dims: dims}
	s := openStore(t, srv, name, emb, "")
	var ids []string
	for _, v := range [][]float32{{1, 0, 0, 0}, {0, 1, 0, 0}} {
		hits, err := s.SearchVector(ctx, v, 1, nil)
		if err != nil || len(hits) != 1 {
			t.Fatalf("search %v: %v, %v", v, hits, err)
		}
		ids = append(ids, hits[0].ID)
	}
	if !slices.Equal(ids, []string{"id-0", "id-0#1"}) {
		t.Fatalf("nearest ids %v, want id-0 and id-0#1 (row 1, sharing row 0's document)", ids)
	}
}

// TestPush_FieldsWeaviateCannotCompare: metadata whose values Weaviate
// would compare otherwise than the embedded store (keys equal but for
// case, which Weaviate's property names ignore and which failed the push;
// integers past 2^53, which it rounds) is published, and a filter on such
// a field is a 422 saying why; strings with white space at either end,
// which it trims, are compared whole (Field.Wrap). Never a wrong answer.
func TestPush_FieldsWeaviateCannotCompare(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	chunks := corpus(40)
	for i := range chunks {
		md := chunks[i].Metadata
		md["Key"], md["key"] = "x", "y"
		md["padded"] = []string{"a", " a"}[i%2]
		md["big"] = json.Number(fmt.Sprint(uint64(1)<<60 + uint64(i)))
		md["plain"] = []string{"a", "b"}[i%2]
	}
	name := newAlias(t)
	r, err := Push(ctx, writeStore(t, emb, chunks), store.OpenOptions{}, pushOpts(srv, name))
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	var out bytes.Buffer
	r.WriteText(&out)
	for _, want := range []string{`no filter  "Key": ` + whyCase, `no filter  "big": ` + whyInexact, `no filter  "tags": ` + whyMixed} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("push output lacks %q:\n%s", want, out.String())
		}
	}
	s := openStore(t, srv, name, emb.Info(), "")
	for key, why := range map[string]string{"key": whyCase, "Key": whyCase, "big": whyInexact} {
		f, err := rag.ParseFilter(map[string]any{key: "a"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SearchKeyword(ctx, vocab[0], 5, f)
		var re *rag.RequestError
		if !errors.As(err, &re) || !strings.Contains(re.Msg, why) {
			t.Errorf("filter on %q: %v, want a request error saying %q", key, err, why)
		}
	}
	// White space at either end counts, in stored values and filter
	// values alike, as in the embedded store (Weaviate trims both).
	for _, tc := range []struct {
		filter map[string]any
		want   int
	}{
		{map[string]any{"plain": "b"}, 20},
		{map[string]any{"plain": " b"}, 0},
		{map[string]any{"plain": "b\n"}, 0},
		{map[string]any{"plain": map[string]any{"$ne": " b"}}, 40},
		{map[string]any{"padded": "a"}, 20},
		{map[string]any{"padded": " a"}, 20},
		{map[string]any{"padded": map[string]any{"$in": []any{"a", " a"}}}, 40},
	} {
		f, err := rag.ParseFilter(tc.filter)
		if err != nil {
			t.Fatal(err)
		}
		if hits, err := s.SearchVector(ctx, make([]float32, testDims), 40, f); err != nil || len(hits) != tc.want {
			t.Errorf("filter %v: %d hits, %v; want %d", tc.filter, len(hits), err, tc.want)
		}
	}
}

// TestSearch_ResultsPastTheGRPCLimit: long chunks times the candidates a
// search asks for can pass gRPC's 4 MiB answer limit (the official client
// sets no other). That is no outage: the search ranks by id, then fetches
// the texts a few at a time, and answers as a smaller result would.
func TestSearch_ResultsPastTheGRPCLimit(t *testing.T) {
	t.Parallel()
	srv := server(t)
	ctx := context.Background()
	emb := testEmbedder(t)
	chunks := corpus(60)
	byID := map[string]docmodel.Chunk{}
	for i := range chunks {
		chunks[i].Text += " " + strings.Repeat(fmt.Sprintf("fillerword filler%02d ", i), 80<<10/20) // about 80 KiB each, 4.8 MiB in all
		byID[chunks[i].ID] = chunks[i]
	}
	name := newAlias(t)
	if _, err := Push(ctx, writeStore(t, emb, chunks), store.OpenOptions{}, pushOpts(srv, name)); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{b: &bytes.Buffer{}}
	s, err := New(Config{Conn: Conn{URL: srv.URL, GRPCAddr: srv.GRPCAddr}, Collection: name, Embedding: emb.Info(),
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	vec, err := emb.Embed(ctx, []string{vocab[0]})
	if err != nil {
		t.Fatal(err)
	}
	for mode, search := range map[string]func() ([]rag.Hit, error){
		"vector":  func() ([]rag.Hit, error) { return s.SearchVector(ctx, vec[0], 60, nil) },
		"keyword": func() ([]rag.Hit, error) { return s.SearchKeyword(ctx, "fillerword", 60, nil) },
	} {
		before := strings.Count(logs.String(), "fetching texts in pages")
		hits, err := search()
		if err != nil || len(hits) != 60 {
			t.Fatalf("%s search: %d hits, %v; want all 60", mode, len(hits), err)
		}
		if strings.Count(logs.String(), "fetching texts in pages") != before+1 {
			t.Fatalf("%s search did not go past the limit (the test's chunks are too small):\n%s", mode, logs.String())
		}
		for i, h := range hits {
			c, ok := byID[h.ID]
			if !ok || h.Text != c.Text || h.Metadata["odd-key"] != c.Metadata["odd-key"] {
				t.Fatalf("%s hit %d (%s): text of %d bytes, metadata %v; want the chunk's", mode, i, h.ID, len(h.Text), h.Metadata)
			}
			if i > 0 && h.Score > hits[i-1].Score {
				t.Fatalf("%s hits out of order at %d: %v after %v", mode, i, h.Score, hits[i-1].Score)
			}
		}
	}
}
