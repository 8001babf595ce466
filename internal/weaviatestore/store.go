package weaviatestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// Hybrid fusions.
const (
	// FusionWeaviate asks Weaviate's hybrid search (relativeScoreFusion,
	// alpha = vector weight / (vector + keyword weight)): the default. On
	// the evaluation sets it measured as well as ours (mean MRR@5 0.690
	// vs 0.686) in one search instead of two to four (23 vs 16 hybrid
	// searches a second at 200k chunks on a loaded machine;
	// docs/SCALING.md).
	FusionWeaviate = "weaviate"
	// FusionService fuses with the service's own rule (rag.FuseHybrid),
	// the embedded store's: the same scores on either backend.
	FusionService = "service"
)

// Config wires a Store.
type Config struct {
	Conn
	// Collection is the alias (or collection) searched; Push moves the
	// alias, Check follows it.
	Collection string
	// Embedding is the query embedder's identity, checked against the
	// collection's (store.CheckEmbedding's rules).
	Embedding docmodel.EmbeddingModel
	// Analyzers finds the analyzer that makes the keyword tokens of
	// queries: the one Push indexed the collection with, by the Version
	// it recorded (providers.KeywordChoice: KEYWORD_JAPANESE's). Nil
	// accepts keyword.Standard only.
	Analyzers AnalyzerByVersion
	// Consistency is the read consistency level: ONE, QUORUM or ALL; ""
	// means QUORUM.
	Consistency string
	// Fusion is FusionWeaviate ("" too) or FusionService.
	Fusion string
	// Logger receives info records (the collection followed); nil
	// discards them.
	Logger *slog.Logger
}

// AnalyzerByVersion returns the keyword analyzer whose Version is v, or an
// error when the service does not use it.
type AnalyzerByVersion interface {
	ByVersion(v string) (keyword.Analyzer, error)
}

// Store searches a Weaviate collection written by Push; it implements
// rag.Backend and rag.ScoringBackend. Create it with New; it searches
// once Check has succeeded. It is safe for concurrent use.
type Store struct {
	cfg    Config
	client *weaviate.Client
	log    *slog.Logger
	cur    atomic.Pointer[target]
}

// target is the collection the alias pointed to at the last Check.
type target struct {
	class  string
	meta   Meta
	metric ann.Metric
	an     keyword.Analyzer // made the collection's keyword tokens
}

var (
	_ rag.AnalyzerBackend = (*Store)(nil)
	_ rag.ScoringBackend  = (*Store)(nil)
)

// New returns a Store for cfg; it checks the settings, not the server.
func New(cfg Config) (*Store, error) {
	if cfg.Collection == "" {
		return nil, errors.New("weaviatestore: a collection (alias) name is required")
	}
	if cfg.Consistency == "" {
		cfg.Consistency = "QUORUM"
	}
	switch cfg.Consistency {
	case "ONE", "QUORUM", "ALL":
	default:
		return nil, fmt.Errorf("weaviatestore: consistency %q: want ONE, QUORUM or ALL", cfg.Consistency)
	}
	switch cfg.Fusion {
	case "":
		cfg.Fusion = FusionWeaviate
	case FusionService, FusionWeaviate:
	default:
		return nil, fmt.Errorf("weaviatestore: fusion %q: want %s or %s", cfg.Fusion, FusionService, FusionWeaviate)
	}
	cl, err := cfg.client()
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{cfg: cfg, client: cl, log: log}, nil
}

// Info describes the collection served.
type Info struct {
	Alias, Class string
	Meta         Meta
}

// Check asks Weaviate whether it is ready, resolves the alias and checks
// the collection against the embedder and analyzer; on success the Store
// searches that collection. It returns an error wrapping ErrIncompatible
// (dimensions, model, distance or analyzer differ: a configuration
// error) or rag.ErrUnavailable (Weaviate did not answer).
func (s *Store) Check(ctx context.Context) (Info, error) {
	var ready bool
	err := s.cfg.call(ctx, "ready", func(ctx context.Context) error {
		var err error
		ready, err = s.client.Misc().ReadyChecker().Do(ctx)
		return err
	})
	if err != nil {
		return Info{}, err
	}
	if !ready {
		return Info{}, &unavailableError{op: "ready", err: errors.New("not ready")}
	}
	class, err := resolve(ctx, s.cfg.Conn, s.client, s.cfg.Collection)
	var cls *models.Class
	if err == nil {
		err = s.cfg.call(ctx, "get collection", func(ctx context.Context) error {
			var err error
			cls, err = s.client.Schema().ClassGetter().WithClassName(class).Do(ctx)
			return err
		})
		if statusOf(err) == http.StatusNotFound {
			return Info{}, fmt.Errorf("%w: collection %s (alias %s) does not exist", ErrIncompatible, class, s.cfg.Collection)
		}
	}
	if err != nil {
		// Weaviate answers ready but its schema did not (a cluster electing
		// a new leader, measured: a few seconds after a node dies, while
		// searches keep working): keep searching the collection last
		// checked rather than turn /ready 503 for it.
		return s.lastChecked(err, "", "could not re-read the collection")
	}
	t, err := s.validate(cls)
	if err != nil {
		return Info{}, err
	}
	if err := s.probe(ctx, t); err != nil {
		// As above: a probe that fails for a moment while a cluster
		// recovers does not turn /ready 503 for the collection searches
		// keep using. A first check, or another collection, has no such
		// grace: a gRPC address that never answers fails at start-up.
		return s.lastChecked(err, t.class, "the gRPC probe failed")
	}
	if old := s.cur.Swap(t); old == nil || old.class != t.class {
		s.log.Info("weaviatestore: searching collection", slog.String("alias", s.cfg.Collection), slog.String("class", t.class),
			slog.Int("count", t.meta.Count), slog.String("version", t.meta.Version))
	}
	return Info{Alias: s.cfg.Collection, Class: t.class, Meta: t.meta}, nil
}

// lastChecked answers a check that failed with err: when err means
// Weaviate could not answer and a collection was checked before (class,
// when not "", is it), the check keeps that collection and logs what
// failed; else the check fails with err.
func (s *Store) lastChecked(err error, class, what string) (Info, error) {
	if old := s.cur.Load(); old != nil && (class == "" || old.class == class) && errors.Is(err, rag.ErrUnavailable) {
		s.log.Warn("weaviatestore: "+what+"; searching the collection last checked",
			slog.String("class", old.class), slog.Any("error", err))
		return Info{Alias: s.cfg.Collection, Class: old.class, Meta: old.meta}, nil
	}
	return Info{}, err
}

// probe fetches one object of the collection with its vector over gRPC,
// which every search uses (the checks before it use REST): a gRPC address
// that does not answer is unavailable, and stored vectors of other
// dimensions than the description's are incompatible, before any search
// fails on them.
func (s *Store) probe(ctx context.Context, t *target) error {
	var res []graphql.SearchResult
	err := s.cfg.call(ctx, "probe", func(ctx context.Context) error {
		var err error
		res, err = s.client.Experimental().Search().WithCollection(t.class).WithLimit(1).
			WithConsistencyLevel(s.cfg.Consistency).WithMetadata(&graphql.Metadata{Vector: true}).Do(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if len(res) > 0 && len(res[0].Vector) != t.meta.Embedding.Dims {
		return fmt.Errorf("%w: collection %s holds vectors of %d dimensions, its description says %d",
			ErrIncompatible, t.class, len(res[0].Vector), t.meta.Embedding.Dims)
	}
	return nil
}

// validate checks a collection's description, properties and vector
// index against the service.
func (s *Store) validate(cls *models.Class) (*target, error) {
	meta, err := parseMeta(cls.Class, cls.Description)
	if err != nil {
		return nil, err
	}
	// The description says what Push wrote, not what the collection
	// holds now: a property searches read or filter on that is missing
	// or of another type would fail every search.
	have := make(map[string]string, len(cls.Properties))
	for _, p := range cls.Properties {
		if p != nil && len(p.DataType) == 1 {
			have[p.Name] = p.DataType[0]
		}
	}
	for _, p := range properties(meta) {
		if typ := p.DataType[0]; have[p.Name] != typ {
			return nil, fmt.Errorf("%w: collection %s has no %s property %q, which its description needs", ErrIncompatible, cls.Class, typ, p.Name)
		}
	}
	if err := store.CheckEmbedding("collection "+cls.Class, meta.Embedding, s.cfg.Embedding); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIncompatible, err)
	}
	metric, err := ann.ParseMetric(meta.Metric)
	if err != nil {
		return nil, fmt.Errorf("%w: collection %s: %w", ErrIncompatible, cls.Class, err)
	}
	want, err := distanceOf(metric)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIncompatible, err)
	}
	got := ""
	if vic, ok := cls.VectorIndexConfig.(map[string]any); ok {
		got, _ = vic["distance"].(string)
	}
	if got != want {
		return nil, fmt.Errorf("%w: collection %s has distance %q, its store's metric %s needs %q", ErrIncompatible, cls.Class, got, meta.Metric, want)
	}
	an, err := s.analyzerOf(meta.Analyzer)
	if err != nil {
		return nil, fmt.Errorf("%w: collection %s was indexed with keyword analyzer %q: %w (KEYWORD_JAPANESE)",
			ErrIncompatible, cls.Class, meta.Analyzer, err)
	}
	if cls.InvertedIndexConfig != nil && cls.InvertedIndexConfig.UsingBlockMaxWAND && s.cur.Load() == nil {
		s.log.Warn("weaviatestore: the collection uses BlockMax WAND, whose BM25 top-k missed the best hits in our tests; "+
			"start Weaviate with USE_INVERTED_SEARCHABLE=false before pushing (docs/SCALING.md)", slog.String("class", cls.Class))
	}
	return &target{class: cls.Class, meta: meta, metric: metric, an: an}, nil
}

// analyzerOf is the configured analyzer of Version v.
func (s *Store) analyzerOf(v string) (keyword.Analyzer, error) {
	if s.cfg.Analyzers != nil {
		return s.cfg.Analyzers.ByVersion(v)
	}
	if v != keyword.Standard.Version() {
		return nil, fmt.Errorf("the service uses %q", keyword.Standard.Version())
	}
	return keyword.Standard, nil
}

// resolve returns the collection name behind alias, or alias itself when
// no such alias exists (a plain collection name).
func resolve(ctx context.Context, c Conn, cl *weaviate.Client, name string) (string, error) {
	class := name
	err := c.call(ctx, "get alias", func(ctx context.Context) error {
		a, err := cl.Alias().AliasGetter().WithAliasName(name).Do(ctx)
		if err != nil {
			return err
		}
		if a != nil && a.Class != "" {
			class = a.Class
		}
		return nil
	})
	if err != nil && statusOf(err) != http.StatusNotFound {
		return "", err
	}
	return class, nil
}

func statusOf(err error) int {
	var we *fault.WeaviateClientError
	if errors.As(err, &we) && we.IsUnexpectedStatusCode {
		return we.StatusCode
	}
	return 0
}

func (s *Store) target() (*target, error) {
	t := s.cur.Load()
	if t == nil {
		return nil, &unavailableError{op: "search", err: errors.New("collection not checked yet")}
	}
	return t, nil
}

// search runs one gRPC search on the current collection with filter f
// and converts the results; with shapes the query for the collection it
// goes to (its keyword tokens are the collection's analyzer's), score
// picks a result's score.
func (s *Store) search(ctx context.Context, op string, f *rag.Filter, extra *filters.WhereBuilder, k int,
	with func(*graphql.Search, *target) *graphql.Search, score func(graphql.MetadataResult, ann.Metric) float64,
) ([]rag.Hit, error) {
	hits, err := s.searchOnce(ctx, op, f, extra, k, with, score, fullProps)
	if ue := (*unavailableError)(nil); errors.As(err, &ue) && classGone(ue.err) {
		// A push moved the alias and pruned the collection this task
		// searched, before the next health check: check the alias now
		// and search again, once.
		if _, cerr := s.Check(ctx); cerr == nil {
			hits, err = s.searchOnce(ctx, op, f, extra, k, with, score, fullProps)
		}
	}
	if tooLarge(err) {
		s.log.LogAttrs(ctx, slog.LevelInfo, "weaviate answer past gRPC's message limit: ranking by id, fetching texts in pages",
			slog.String("op", op), slog.Int("k", k))
		return s.searchThenFetch(ctx, op, f, extra, k, with, score)
	}
	return hits, err
}

// fullProps are the properties a hit needs; a ranking alone needs only
// the chunk id.
var fullProps = []string{PropChunkID, PropText, PropMetadata}

// fetchPage is how many hits' texts searchThenFetch asks for at once:
// 512 KiB each within gRPC's 4 MiB; a page still too large is halved.
const fetchPage = 8

// tooLarge reports whether err, a call's, is a result past gRPC's
// message limit (pastMessageLimit): long chunks times the candidates a
// search asks for.
func tooLarge(err error) bool {
	ue := (*unavailableError)(nil)
	return errors.As(err, &ue) && pastMessageLimit(ue.err)
}

// searchThenFetch is search for results too large for one gRPC answer:
// the ranking with chunk ids and scores only, then the hits' texts and
// metadata by id, fetchPage at a time (fewer when a page is still too
// large). A single chunk past the limit stays an error.
func (s *Store) searchThenFetch(ctx context.Context, op string, f *rag.Filter, extra *filters.WhereBuilder, k int,
	with func(*graphql.Search, *target) *graphql.Search, score func(graphql.MetadataResult, ann.Metric) float64,
) ([]rag.Hit, error) {
	// One collection for the ranking and every page, though a health
	// check may move the alias meanwhile.
	t, err := s.target()
	if err != nil {
		return nil, err
	}
	hits, err := s.searchIn(ctx, t, op, f, extra, k, with, score, []string{PropChunkID})
	if err != nil {
		return nil, err
	}
	page := fetchPage
	for start := 0; start < len(hits); {
		n := min(page, len(hits)-start)
		err := s.fill(ctx, t, op, hits[start:start+n])
		switch {
		case tooLarge(err) && n > 1:
			page = n / 2
			continue
		case err != nil:
			return nil, err
		}
		start += n
	}
	return hits, nil
}

// fill sets the text and metadata of hits (which have their chunk ids)
// from t's collection, the one searched.
func (s *Store) fill(ctx context.Context, t *target, op string, hits []rag.Hit) error {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	found, err := s.searchIn(ctx, t, op+" texts", nil, idsWhere(ids), len(ids),
		func(q *graphql.Search, _ *target) *graphql.Search { return q }, relevance, fullProps)
	if err != nil {
		return err
	}
	byID := make(map[string]rag.Hit, len(found))
	for _, h := range found {
		byID[h.ID] = h
	}
	for i := range hits {
		h, ok := byID[hits[i].ID]
		if !ok {
			// The collection was pruned or changed under the search.
			return &unavailableError{op: op, err: fmt.Errorf("chunk %q left collection %s during the search", hits[i].ID, t.class)}
		}
		hits[i].Text, hits[i].Metadata = h.Text, h.Metadata
	}
	return nil
}

func (s *Store) searchOnce(ctx context.Context, op string, f *rag.Filter, extra *filters.WhereBuilder, k int,
	with func(*graphql.Search, *target) *graphql.Search, score func(graphql.MetadataResult, ann.Metric) float64, props []string,
) ([]rag.Hit, error) {
	t, err := s.target()
	if err != nil {
		return nil, err
	}
	return s.searchIn(ctx, t, op, f, extra, k, with, score, props)
}

// searchIn is searchOnce on t's collection.
func (s *Store) searchIn(ctx context.Context, t *target, op string, f *rag.Filter, extra *filters.WhereBuilder, k int,
	with func(*graphql.Search, *target) *graphql.Search, score func(graphql.MetadataResult, ann.Metric) float64, props []string,
) ([]rag.Hit, error) {
	w, none, err := where(f, t.meta.Fields)
	if err != nil || none || k <= 0 {
		return nil, err
	}
	w = and(w, extra)
	var res []graphql.SearchResult
	err = s.cfg.call(ctx, op, func(ctx context.Context) error {
		q := s.client.Experimental().Search().WithCollection(t.class).WithLimit(k).
			WithConsistencyLevel(s.cfg.Consistency).
			WithProperties(props...).
			WithMetadata(&graphql.Metadata{Distance: true, Score: true})
		if w != nil {
			q = q.WithWhere(w)
		}
		var err error
		res, err = with(q, t).Do(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	hits := make([]rag.Hit, 0, len(res))
	for _, r := range res {
		h, err := toHit(r)
		if err != nil {
			return nil, fmt.Errorf("weaviatestore: %s: %w", op, err)
		}
		h.Score = score(r.Metadata, t.metric)
		hits = append(hits, h)
	}
	return hits, nil
}

func toHit(r graphql.SearchResult) (rag.Hit, error) {
	id, _ := r.Properties[PropChunkID].(string)
	text, _ := r.Properties[PropText].(string)
	h := rag.Hit{ID: id, Text: text}
	if js, _ := r.Properties[PropMetadata].(string); js != "" && js != "null" {
		d := json.NewDecoder(strings.NewReader(js))
		d.UseNumber()
		var md map[string]any
		if err := d.Decode(&md); err != nil {
			return rag.Hit{}, fmt.Errorf("object %s: metadata: %w", r.ID, err)
		}
		h.Metadata, _ = store.NormalizeNumbers(md).(map[string]any)
	}
	return h, nil
}

func relevance(m graphql.MetadataResult, metric ann.Metric) float64 {
	return float64(store.Relevance(metric, m.Distance))
}

// bm25Score is Weaviate's BM25 score times k1+1: Weaviate leaves that
// constant factor out of the term frequency part, the embedded index
// (and the Okapi formula) keep it, so the scores the API reports agree.
func bm25Score(m graphql.MetadataResult, _ ann.Metric) float64 {
	return float64(m.Score) * (keyword.K1 + 1)
}

func fusedScore(m graphql.MetadataResult, _ ann.Metric) float64 { return float64(m.Score) }

func nearVector(vec []float32) *graphql.NearVectorArgumentBuilder {
	return (&graphql.NearVectorArgumentBuilder{}).WithVector(vec)
}

// keywordQuery is a query as a collection's keyword index saw texts: the
// tokens of the analyzer that indexed it, space-separated (PropKeywords
// has whitespace tokenization). A search sends the tokens of the
// collection it reaches: after a push moved the alias, a retry may reach
// one of another analyzer. They are made once per analyzer, not once per
// attempt (a long Japanese query takes Kagome milliseconds).
type keywordQuery struct {
	text    string
	version string // the Version of the analyzer that made toks
	toks    string
}

// keywordQuery returns query's keyword tokens for the collection last
// checked (none yet: the standard analyzer's).
func (s *Store) keywordQuery(query string) *keywordQuery {
	k := &keywordQuery{text: query}
	k.tokensFor(s.KeywordAnalyzer())
	return k
}

// tokensFor returns the tokens an makes of the query.
func (k *keywordQuery) tokensFor(an keyword.Analyzer) string {
	if v := an.Version(); v != k.version {
		k.version, k.toks = v, strings.Join(an.Analyze(k.text), " ")
	}
	return k.toks
}

// KeywordAnalyzer implements rag.AnalyzerBackend: the analyzer of the
// collection last checked (none yet: the standard one).
func (s *Store) KeywordAnalyzer() keyword.Analyzer {
	if t := s.cur.Load(); t != nil {
		return t.an
	}
	return keyword.Standard
}

// SearchVector implements rag.Backend.
func (s *Store) SearchVector(ctx context.Context, vec []float32, k int, f *rag.Filter) ([]rag.Hit, error) {
	if err := checkVector(vec); err != nil {
		return nil, err
	}
	return s.search(ctx, "vector search", f, nil, k, func(q *graphql.Search, _ *target) *graphql.Search {
		return q.WithNearVector(nearVector(vec))
	}, relevance)
}

// SearchKeyword implements rag.Backend: BM25 over the analyzer's tokens,
// as the embedded store ranks.
func (s *Store) SearchKeyword(ctx context.Context, query string, k int, f *rag.Filter) ([]rag.Hit, error) {
	kq := s.keywordQuery(query)
	if kq.toks == "" {
		return nil, nil
	}
	return s.search(ctx, "keyword search", f, nil, k, func(q *graphql.Search, t *target) *graphql.Search {
		return q.WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery(kq.tokensFor(t.an)).WithProperties(PropKeywords))
	}, bm25Score)
}

// SearchHybrid implements rag.Backend with the configured fusion.
func (s *Store) SearchHybrid(ctx context.Context, q rag.HybridQuery) ([]rag.Hit, error) {
	if err := checkVector(q.Vector); err != nil {
		return nil, err
	}
	if s.cfg.Fusion == FusionService {
		return rag.FuseHybrid(ctx, s, q)
	}
	kq := s.keywordQuery(q.Query)
	if kq.toks == "" {
		return rag.FuseHybrid(ctx, s, q)
	}
	alpha := float32(q.VectorWeight / (q.VectorWeight + q.KeywordWeight))
	return s.search(ctx, "hybrid search", q.Filter, nil, q.K, func(sq *graphql.Search, t *target) *graphql.Search {
		return sq.WithHybrid((&graphql.HybridArgumentBuilder{}).WithQuery(kq.tokensFor(t.an)).WithVector(q.Vector).
			WithAlpha(alpha).WithFusionType(graphql.RelativeScore).WithProperties([]string{PropKeywords}))
	}, fusedScore)
}

// VectorScores implements rag.ScoringBackend.
func (s *Store) VectorScores(ctx context.Context, vec []float32, ids []string) ([]rag.Hit, error) {
	return s.search(ctx, "vector scores", nil, idsWhere(ids), len(ids), func(q *graphql.Search, _ *target) *graphql.Search {
		return q.WithNearVector(nearVector(vec))
	}, relevance)
}

// KeywordScores implements rag.ScoringBackend.
func (s *Store) KeywordScores(ctx context.Context, query string, ids []string) ([]rag.Hit, error) {
	kq := s.keywordQuery(query)
	if kq.toks == "" {
		return nil, nil
	}
	return s.search(ctx, "keyword scores", nil, idsWhere(ids), len(ids), func(q *graphql.Search, t *target) *graphql.Search {
		return q.WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery(kq.tokensFor(t.an)).WithProperties(PropKeywords))
	}, bm25Score)
}

// checkVector refuses what the embedded index refuses, with its error.
func checkVector(vec []float32) error {
	var n float32 // as the embedded index sums: float32 overflow counts
	for _, x := range vec {
		n += x * x
	}
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return fmt.Errorf("weaviatestore: %w", ann.ErrNonFinite)
	}
	return nil
}
