package weaviatestore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/alias"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/store"
)

// Push defaults and bounds.
const (
	DefaultBatchSize = 200
	MaxBatchSize     = 10000
	DefaultKeep      = 2
	MaxReplication   = 9
)

// Index types a pushed collection may use.
const (
	IndexHNSW = "hnsw"
	IndexFlat = "flat" // exact search: for small collections and the conformance tests
)

// PushOptions say what to push where.
type PushOptions struct {
	Conn
	// Alias is the collection alias readers search; the pushed collection
	// is named Alias_v<checksum>.
	Alias string
	// Index is IndexHNSW ("" too) or IndexFlat.
	Index string
	// Replication is the collection's replication factor; 0 means 1.
	Replication int
	// Consistency is the write consistency level; "" means QUORUM.
	Consistency string
	// BatchSize is the objects per batch request; 0 means DefaultBatchSize.
	BatchSize int
	// Keep is how many previous collections of the alias are kept for
	// rollback; the rest are deleted after the alias moved, except those
	// another alias points to (PushResult.Pinned). Negative keeps all.
	Keep int
	// Analyzers picks the analyzer of the keyword tokens from the store's
	// chunks, as the server's picks it (give the server's setting); nil
	// means keyword.Standard.
	Analyzers keyword.Chooser
	// Progress receives a line every twentieth of the chunks; nil discards.
	Progress io.Writer
	// AfterBatch, if set, is called after each stored batch with the
	// chunks stored so far (tests interrupt a push with it).
	AfterBatch func(done int)
}

// PushResult reports a push.
type PushResult struct {
	Alias, Class, Previous string
	Count                  int
	Resumed                bool     // the collection existed (an earlier, maybe interrupted, push of the same store)
	Deleted                []string // older collections removed (beyond Keep)
	Pinned                 []string // older collections beyond Keep kept because another alias points to them, as "CLASS (ALIAS)"
	Unfilterable           []string // metadata keys a filter is refused on, as "KEY: why", sorted
	URL                    string
	Analyzer               string // Version of the keyword tokens' analyzer
}

// WriteText prints r, with how to roll back.
func (r PushResult) WriteText(w io.Writer) {
	fmt.Fprintf(w, "collection %s: %d objects%s\n", r.Class, r.Count, map[bool]string{true: " (resumed)"}[r.Resumed])
	fmt.Fprintf(w, "alias      %s -> %s\n", r.Alias, r.Class)
	fmt.Fprintf(w, "keywords   %s\n", r.Analyzer)
	for _, d := range r.Deleted {
		fmt.Fprintf(w, "deleted    %s (beyond --keep)\n", d)
	}
	for _, p := range r.Pinned {
		fmt.Fprintf(w, "kept       %s: beyond --keep, but that alias points to it\n", p)
	}
	for i, u := range r.Unfilterable {
		if i == maxListedUnfilterable {
			fmt.Fprintf(w, "no filter  ... and %d more keys\n", len(r.Unfilterable)-i)
			break
		}
		fmt.Fprintf(w, "no filter  %s\n", u)
	}
	if r.Previous != "" && r.Previous != r.Class && !slices.Contains(r.Deleted, r.Previous) {
		fmt.Fprintf(w, "roll back: curl -X PUT %s/v1/aliases/%s -H 'Content-Type: application/json' -d '{\"class\":\"%s\"}'\n",
			r.URL, r.Alias, r.Previous)
	}
}

var aliasName = regexp.MustCompile(`^[A-Z][_0-9A-Za-z]{0,99}$`)

// ParseTarget reads weaviate://HOST:PORT/ALIAS (weaviates:// for TLS)
// into the REST URL and the alias.
func ParseTarget(s string) (restURL, alias string, err error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "weaviate" && u.Scheme != "weaviates") || u.Host == "" {
		return "", "", fmt.Errorf("weaviatestore: target %q: want weaviate://HOST:PORT/COLLECTION", s)
	}
	alias = strings.Trim(u.Path, "/")
	if !aliasName.MatchString(alias) {
		return "", "", fmt.Errorf("weaviatestore: target %q: collection %q must start with a capital letter and hold only letters, digits and _ (at most 100)", s, alias)
	}
	scheme := "http"
	if u.Scheme == "weaviates" {
		scheme = "https"
	}
	return scheme + "://" + u.Host, alias, nil
}

// Push writes the store in dir (native or LangChain, see store.Open) to a
// new collection Alias_v<checksum> and then points the alias at it:
// readers of the alias see the previous collection until every object is
// stored and counted. A push interrupted before that leaves the alias
// where it was; running it again resumes into the same collection (the
// checksum names it, object ids come from chunk ids, upserts overwrite).
func Push(ctx context.Context, dir string, open store.OpenOptions, o PushOptions) (PushResult, error) {
	o.Index = cmp.Or(o.Index, IndexHNSW)
	o.Consistency = cmp.Or(o.Consistency, "QUORUM")
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Replication == 0 {
		o.Replication = 1
	}
	switch {
	case !aliasName.MatchString(o.Alias):
		return PushResult{}, fmt.Errorf("weaviatestore: push: alias %q must start with a capital letter and hold only letters, digits and _", o.Alias)
	case o.Index != IndexHNSW && o.Index != IndexFlat:
		return PushResult{}, fmt.Errorf("weaviatestore: push: index %q: want hnsw or flat", o.Index)
	case o.BatchSize < 1 || o.BatchSize > MaxBatchSize:
		return PushResult{}, fmt.Errorf("weaviatestore: push: batch size %d: want 1..%d", o.BatchSize, MaxBatchSize)
	case o.Replication < 1 || o.Replication > MaxReplication:
		return PushResult{}, fmt.Errorf("weaviatestore: push: replication %d: want 1..%d", o.Replication, MaxReplication)
	}
	open.Exact, open.DeferGraph = true, true
	st, err := store.Open(ctx, dir, open)
	if err != nil {
		return PushResult{}, fmt.Errorf("weaviatestore: push: %w", err)
	}
	// vecs are the store's mapped rows: st must stay reachable while they
	// are read (see store's mapping).
	defer runtime.KeepAlive(st)
	vecs, dims, err := vectorsOf(st)
	if err != nil {
		return PushResult{}, err
	}
	dist, err := distanceOf(st.Index.Metric())
	if err != nil {
		return PushResult{}, err
	}
	n := st.ChunkCount()
	an, err := keyword.Choose(o.Analyzers, n, func(i int) string { return st.Chunk(i).KeywordText() })
	if err != nil {
		return PushResult{}, fmt.Errorf("weaviatestore: push: keyword analyzer: %w", err)
	}
	meta := Meta{Format: MetaFormat, Embedding: st.Manifest.Embedding, Metric: st.Index.Metric().String(), Count: n,
		Version: st.Manifest.Version, Analyzer: an.Version(), Index: o.Index, Fields: fieldsOf(n, st.ChunkMetadata)}
	meta.Embedding.Dims = dims
	// Rows that share an id (a LangChain folder's rows sharing one
	// document, each served as a chunk) would be one object: each keeps
	// its row under the id import-faiss gives it.
	chunks := renamed{st, store.UniqueIDs(n, func(i int) string { return st.Chunk(i).ID })}
	meta.Checksum = checksum(meta, o.Replication, chunks, vecs)
	class := o.Alias + "_v" + meta.Checksum[:16]
	cl, err := o.client()
	if err != nil {
		return PushResult{}, err
	}
	res := PushResult{Alias: o.Alias, Class: class, Count: n, URL: o.URL, Analyzer: meta.Analyzer, Unfilterable: unfilterable(meta.Fields)}
	if res.Previous, err = currentTarget(ctx, o.Conn, cl, o.Alias); err != nil {
		return res, err
	}
	if res.Resumed, err = ensureClass(ctx, o, cl, class, dist, meta); err != nil {
		return res, err
	}
	if err := upsert(ctx, o, cl, class, meta.Fields, chunks, vecs, dims, an); err != nil {
		return res, err
	}
	if got, err := count(ctx, o.Conn, cl, class); err != nil {
		return res, err
	} else if got != n {
		return res, fmt.Errorf("weaviatestore: push: collection %s holds %d objects after the upserts, want %d; alias %s not moved", class, got, n, o.Alias)
	}
	if err := moveAlias(ctx, o.Conn, cl, o.Alias, class, res.Previous != "" || aliasExists(ctx, o.Conn, cl, o.Alias)); err != nil {
		return res, err
	}
	res.Deleted, res.Pinned, err = prune(ctx, o, cl, class)
	return res, err
}

// chunkSource is what a push reads of a store: chunks one at a time by
// row, as *store.Store serves them (a native store opened from disk
// decodes each chunk when asked; its Chunks field is nil).
type chunkSource interface {
	ChunkCount() int
	Chunk(i int) docmodel.Chunk
}

// maxListedUnfilterable bounds the keys WriteText lists as unfilterable.
const maxListedUnfilterable = 20

// unfilterable lists the keys of fields that have no property, as
// "KEY: why", sorted: a filter on them will be refused, which the
// operator should know before the clients do.
func unfilterable(fields map[string]Field) []string {
	var out []string
	for k, f := range fields {
		if f.Type == "" {
			out = append(out, fmt.Sprintf("%q: %s", k, f.reason()))
		}
	}
	slices.Sort(out)
	return out
}

// renamed is a chunkSource whose rows in ids have those ids.
type renamed struct {
	chunkSource
	ids map[int]string
}

func (r renamed) Chunk(i int) docmodel.Chunk {
	c := r.chunkSource.Chunk(i)
	if id, ok := r.ids[i]; ok {
		c.ID = id
	}
	return c
}

// vectorsOf returns the store's rows (as the index holds them: unit
// length for cosine stores) and their dimensions.
func vectorsOf(st *store.Store) ([]float32, int, error) {
	v, ok := st.Index.(interface{ Vectors() []float32 })
	if !ok {
		return nil, 0, fmt.Errorf("weaviatestore: push: index %T does not expose its vectors", st.Index)
	}
	return v.Vectors(), st.Index.Dim(), nil
}

// checksum hashes everything that decides the collection's content and
// layout, and what its description tells readers (the store's version and
// embedder, which /ready and the embedder check read), so one store pushed
// twice lands in one collection and a store published again under a new
// version lands in a new one.
func checksum(m Meta, replication int, chunks chunkSource, vecs []float32) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%d\x00", m.Format, m.Analyzer, m.Metric, m.Index, replication, m.Embedding.Dims, chunks.ChunkCount())
	fmt.Fprintf(h, "%d:%s%d:%s%d:%s", len(m.Version), m.Version, len(m.Embedding.Provider), m.Embedding.Provider, len(m.Embedding.Model), m.Embedding.Model)
	for i := range chunks.ChunkCount() {
		c := chunks.Chunk(i)
		md, _ := json.Marshal(c.Metadata)
		fmt.Fprintf(h, "%d:%s%d:%s%d:%s", len(c.ID), c.ID, len(c.Text), c.Text, len(md), md)
	}
	var b [4]byte
	for _, x := range vecs {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// currentTarget returns the collection alias points to, "" if none.
func currentTarget(ctx context.Context, c Conn, cl *weaviate.Client, name string) (string, error) {
	var class string
	err := c.call(ctx, "get alias", func(ctx context.Context) error {
		a, err := cl.Alias().AliasGetter().WithAliasName(name).Do(ctx)
		if err == nil && a != nil {
			class = a.Class
		}
		return err
	})
	if err != nil && statusOf(err) != http.StatusNotFound {
		return "", err
	}
	return class, nil
}

func aliasExists(ctx context.Context, c Conn, cl *weaviate.Client, name string) bool {
	cur, err := currentTarget(ctx, c, cl, name)
	return err == nil && cur != ""
}

// ensureClass creates the collection, or reports that it exists already
// (resumed) after checking it was made for the same content.
func ensureClass(ctx context.Context, o PushOptions, cl *weaviate.Client, class, dist string, meta Meta) (bool, error) {
	var existing *models.Class
	err := o.call(ctx, "get collection", func(ctx context.Context) error {
		var err error
		existing, err = cl.Schema().ClassGetter().WithClassName(class).Do(ctx)
		return err
	})
	switch {
	case err == nil && existing != nil:
		m, perr := parseMeta(class, existing.Description)
		if perr != nil || m.Checksum != meta.Checksum {
			return false, fmt.Errorf("weaviatestore: push: collection %s exists but holds something else", class)
		}
		return true, nil
	case err != nil && statusOf(err) != http.StatusNotFound:
		return false, err
	}
	meta.PushedAt = time.Now().UTC().Format(time.RFC3339Nano)
	desc, err := json.Marshal(meta)
	if err != nil {
		return false, fmt.Errorf("weaviatestore: push: %w", err)
	}
	c := &models.Class{
		Class: class, Description: string(desc), Vectorizer: "none",
		VectorIndexType:   o.Index,
		VectorIndexConfig: map[string]any{"distance": dist},
		InvertedIndexConfig: &models.InvertedIndexConfig{
			// The embedded store's BM25 parameters; the analyzer already
			// dropped stop words.
			Bm25:           &models.BM25Config{K1: float32(keyword.K1), B: float32(keyword.B)},
			Stopwords:      &models.StopwordConfig{Preset: "none"},
			IndexNullState: true,
		},
		ReplicationConfig: &models.ReplicationConfig{Factor: int64(o.Replication)},
		Properties:        properties(meta),
	}
	return false, o.call(ctx, "create collection", func(ctx context.Context) error {
		return cl.Schema().ClassCreator().WithClass(c).Do(ctx)
	})
}

// properties are the properties of a collection Push makes for meta: the
// chunk's id, text, keyword tokens and metadata, and one filterable
// property per metadata field with a type. Store.validate requires them.
func properties(meta Meta) []*models.Property {
	yes, no := true, false
	props := []*models.Property{
		{Name: PropChunkID, DataType: []string{"text"}, Tokenization: models.PropertyTokenizationField, IndexFilterable: &yes, IndexSearchable: &no},
		{Name: PropText, DataType: []string{"text"}, IndexFilterable: &no, IndexSearchable: &no},
		{Name: PropKeywords, DataType: []string{"text"}, Tokenization: models.PropertyTokenizationWhitespace, IndexFilterable: &no, IndexSearchable: &yes},
		{Name: PropMetadata, DataType: []string{"text"}, IndexFilterable: &no, IndexSearchable: &no},
	}
	keys := make([]string, 0, len(meta.Fields))
	for k, f := range meta.Fields {
		if f.Type != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := meta.Fields[k]
		p := &models.Property{Name: f.Prop, DataType: []string{f.Type}, IndexFilterable: &yes, IndexSearchable: &no}
		if f.Type == TypeText {
			p.Tokenization = models.PropertyTokenizationField
		}
		props = append(props, p)
	}
	return props
}

// upsert stores the chunks in batches, their keyword tokens made by an; a
// batch that fails on the way is retried (the same ids overwrite), an
// object Weaviate refuses fails the push.
func upsert(ctx context.Context, o PushOptions, cl *weaviate.Client, class string, fields map[string]Field, chunks chunkSource, vecs []float32, dims int, an keyword.Analyzer) error {
	total := chunks.ChunkCount()
	every := max(1, total/20)
	next := every
	for start := 0; start < total; start += o.BatchSize {
		end := min(start+o.BatchSize, total)
		objs := make([]*models.Object, 0, end-start)
		for i := start; i < end; i++ {
			c := chunks.Chunk(i)
			md, err := json.Marshal(c.Metadata)
			if err != nil {
				return fmt.Errorf("weaviatestore: push: chunk %s metadata: %w", c.ID, err)
			}
			props := map[string]any{
				PropChunkID: c.ID, PropText: c.Text, PropMetadata: string(md),
				PropKeywords: strings.Join(an.Analyze(c.KeywordText()), " "),
			}
			for k, v := range c.Metadata {
				if f := fields[k]; f.Type != "" && v != nil {
					props[f.Prop] = propValue(f, v)
				}
			}
			objs = append(objs, &models.Object{Class: class, ID: strfmt.UUID(objectID(c.ID)), Properties: props,
				Vector: models.C11yVector(vecs[i*dims : (i+1)*dims])})
		}
		err := o.call(ctx, "batch upsert", func(ctx context.Context) error {
			out, err := cl.Batch().ObjectsBatcher().WithObjects(objs...).WithConsistencyLevel(o.Consistency).Do(ctx)
			if err != nil {
				return err
			}
			for _, r := range out {
				if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
					return fmt.Errorf("object %s: %s", r.ID, r.Result.Errors.Error[0].Message)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("weaviatestore: push: chunks %d-%d: %w", start, end-1, err)
		}
		if o.Progress != nil && (end >= next || end == total) {
			fmt.Fprintf(o.Progress, "upserted  %d/%d chunks\n", end, total)
			next = end + every
		}
		if o.AfterBatch != nil {
			o.AfterBatch(end)
		}
	}
	return nil
}

// propValue is v as Weaviate stores it in f's property: numbers as
// float64, text wrapped when f says so.
func propValue(f Field, v any) any {
	if x, ok := toFloat(v); ok {
		return x
	}
	if str, ok := v.(string); ok && f.Wrap {
		return wrapped(str)
	}
	return v
}

// count asks Weaviate how many objects class holds.
func count(ctx context.Context, c Conn, cl *weaviate.Client, class string) (int, error) {
	var n int
	err := c.call(ctx, "count", func(ctx context.Context) error {
		resp, err := cl.GraphQL().Aggregate().WithClassName(class).
			WithFields(graphql.Field{Name: "meta", Fields: []graphql.Field{{Name: "count"}}}).Do(ctx)
		if err != nil {
			return err
		}
		if len(resp.Errors) > 0 {
			return fmt.Errorf("aggregate: %s", resp.Errors[0].Message)
		}
		agg, _ := resp.Data["Aggregate"].(map[string]any)
		rows, _ := agg[class].([]any)
		if len(rows) != 1 {
			return fmt.Errorf("aggregate %s: unexpected answer", class)
		}
		row, _ := rows[0].(map[string]any)
		m, _ := row["meta"].(map[string]any)
		f, ok := m["count"].(float64)
		if !ok {
			return fmt.Errorf("aggregate %s: no count", class)
		}
		n = int(f)
		return nil
	})
	return n, err
}

func moveAlias(ctx context.Context, c Conn, cl *weaviate.Client, name, class string, exists bool) error {
	a := &alias.Alias{Alias: name, Class: class}
	return c.call(ctx, "move alias", func(ctx context.Context) error {
		if exists {
			return cl.Alias().AliasUpdater().WithAlias(a).Do(ctx)
		}
		return cl.Alias().AliasCreator().WithAlias(a).Do(ctx)
	})
}

// pushedFor reports whether class is a collection Push made for alias:
// the alias, "_v" and 16 hex digits of the checksum. A prefix test alone
// took alias X_v2's collections for X's, and pruning X deleted them.
func pushedFor(alias, class string) bool {
	rest, ok := strings.CutPrefix(class, alias+"_v")
	if !ok || len(rest) != 16 {
		return false
	}
	_, err := hex.DecodeString(rest)
	return err == nil && strings.ToLower(rest) == rest
}

// prune deletes the alias's complete collections beyond the current one
// and the Keep newest before it, except those another alias points to;
// it returns the names deleted, and those spared as "CLASS (ALIAS)".
func prune(ctx context.Context, o PushOptions, cl *weaviate.Client, current string) (deleted, pinned []string, err error) {
	if o.Keep < 0 {
		return nil, nil, nil
	}
	var classes []*models.Class
	if err := o.call(ctx, "list collections", func(ctx context.Context) error {
		d, err := cl.Schema().Getter().Do(ctx)
		if err == nil {
			classes = d.Classes
		}
		return err
	}); err != nil {
		return nil, nil, err
	}
	// A collection another alias points to (a canary, a rollback made by
	// hand, a reader configured with another name) is someone's live
	// data: Weaviate would delete it and leave that alias dangling.
	var aliases []alias.Alias
	if err := o.call(ctx, "list aliases", func(ctx context.Context) error {
		var err error
		aliases, err = cl.Alias().Getter().Do(ctx)
		return err
	}); err != nil {
		return nil, nil, err
	}
	aliasOf := map[string]string{}
	for _, a := range aliases {
		if a.Alias != o.Alias {
			aliasOf[a.Class] = a.Alias
		}
	}
	type old struct {
		class string
		at    time.Time
	}
	var olds []old
	for _, c := range classes {
		if c.Class == current || !pushedFor(o.Alias, c.Class) {
			continue
		}
		m, err := parseMeta(c.Class, c.Description)
		if err != nil {
			continue // not ours
		}
		// A collection a push has not completed (one killed mid-way, or
		// one running now) is neither kept for rollback nor deleted: it
		// is no version to roll back to, and a running push owns it.
		if n, err := count(ctx, o.Conn, cl, c.Class); err != nil {
			return nil, nil, err
		} else if n != m.Count {
			continue
		}
		// RFC 3339 with its fraction's trailing zeros cut does not sort
		// as text ("05.1Z" > "05.12Z"); a time that does not parse sorts
		// oldest.
		at, _ := time.Parse(time.RFC3339Nano, m.PushedAt)
		olds = append(olds, old{c.Class, at})
	}
	sort.SliceStable(olds, func(i, j int) bool { return olds[i].at.After(olds[j].at) })
	for i, c := range olds {
		if i < o.Keep {
			continue
		}
		if a, ok := aliasOf[c.class]; ok {
			pinned = append(pinned, c.class+" ("+a+")")
			continue
		}
		err := o.call(ctx, "delete collection", func(ctx context.Context) error {
			return cl.Schema().ClassDeleter().WithClassName(c.class).Do(ctx)
		})
		if err != nil {
			return deleted, pinned, err
		}
		deleted = append(deleted, c.class)
	}
	return deleted, pinned, nil
}
