package rag

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vendor0919/api/internal/ann"
	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/store"
)

// testDims is the test embedder's dimension count.
const testDims = 64

// bowEmbedder is a test-local bag-of-tokens embedder: each keyword token
// adds 1 to a hashed dimension; vectors are unit length.
type bowEmbedder struct {
	info docmodel.EmbeddingModel
	fail error
}

func newEmbedder() *bowEmbedder {
	return &bowEmbedder{info: docmodel.EmbeddingModel{Provider: "test", Model: "bow", Dims: testDims}}
}

func (e *bowEmbedder) Info() docmodel.EmbeddingModel { return e.info }

func (e *bowEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if e.fail != nil {
		return nil, e.fail
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, e.info.Dims)
		for _, tok := range keyword.Tokenize(t) {
			h := fnv.New32a()
			h.Write([]byte(tok))
			v[h.Sum32()%uint32(e.info.Dims)]++
		}
		out[i] = normalize(v)
	}
	return out, ctx.Err()
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// flatIndex is a test-local exact cosine index (distance 1-dot).
type flatIndex struct {
	dim  int
	vecs [][]float32
}

func (f *flatIndex) Len() int           { return len(f.vecs) }
func (f *flatIndex) Dim() int           { return f.dim }
func (f *flatIndex) Metric() ann.Metric { return ann.Cosine }

func (f *flatIndex) Search(q []float32, k int, opts ann.SearchOptions) ([]ann.Neighbor, error) {
	if len(q) != f.dim {
		return nil, ann.ErrDimension
	}
	var ns []ann.Neighbor
	for i, v := range f.vecs {
		if opts.Filter != nil && !opts.Filter(uint32(i)) {
			continue
		}
		var dot float32
		for j := range v {
			dot += v[j] * q[j]
		}
		ns = append(ns, ann.Neighbor{ID: uint32(i), Distance: 1 - dot})
	}
	sort.SliceStable(ns, func(a, b int) bool { return ns[a].Distance < ns[b].Distance })
	if len(ns) > k {
		ns = ns[:k]
	}
	return ns, nil
}

// newStore embeds chunks with emb and returns an in-memory store.
func newStore(emb embed.Embedder, chunks []docmodel.Chunk) *store.Store {
	texts := make([]string, len(chunks))
	for i, c := range chunks {
		texts[i] = c.Text
	}
	vecs, err := emb.Embed(context.Background(), texts)
	if err != nil {
		panic(err)
	}
	return storeWithVectors(emb.Info(), chunks, vecs)
}

func storeWithVectors(info docmodel.EmbeddingModel, chunks []docmodel.Chunk, vecs [][]float32) *store.Store {
	return &store.Store{
		Dir: "mem", Format: store.FormatNative,
		Manifest: store.Manifest{Embedding: info, Metric: "cosine", Count: len(chunks)},
		Chunks:   chunks, Index: &flatIndex{dim: info.Dims, vecs: vecs}, LoadedAt: time.Now(),
	}
}

// fakeGen is a test Generator. It emits one delta per passage ("[n] ")
// and then "done.", unless failAfter >= 0, in which case it fails after
// that many deltas. It records the last request.
type fakeGen struct {
	failAfter int
	mu        sync.Mutex
	last      llm.Request
}

var errFake = errors.New("fake generator broke")

func (g *fakeGen) Model() string { return "fake-1" }

func (g *fakeGen) Generate(ctx context.Context, req llm.Request, emit func(string) error) (llm.Answer, error) {
	g.mu.Lock()
	g.last = req
	g.mu.Unlock()
	var deltas []string
	for _, p := range req.Passages {
		deltas = append(deltas, "["+strconv.Itoa(p.N)+"] ")
	}
	deltas = append(deltas, "done.")
	var b strings.Builder
	for i, d := range deltas {
		if g.failAfter >= 0 && i == g.failAfter {
			return llm.Answer{}, errFake
		}
		if emit != nil {
			if err := emit(d); err != nil {
				return llm.Answer{}, err
			}
		}
		b.WriteString(d)
	}
	return llm.Answer{Text: b.String()}, ctx.Err()
}

func (g *fakeGen) request() llm.Request {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.last
}

// corpus is a small mixed-language store.
func corpus() []docmodel.Chunk {
	docs := []struct{ id, src, lang, text string }{
		{"c0", "en/returns.md", "en", "Returns are accepted within 30 days of delivery with the receipt."},
		{"c1", "en/shipping.md", "en", "Standard shipping takes three to five business days."},
		{"c2", "en/password.md", "en", "Reset your password from the login screen using the email link."},
		{"c3", "ja/returns.md", "ja", "返品は商品到着後30日以内に受け付けます。レシートが必要です。"},
		{"c4", "ja/password.md", "ja", "パスワードを忘れた場合は、ログイン画面から再設定してください。"},
		{"c5", "en/warranty.md", "en", "The warranty covers manufacturing defects for two years."},
	}
	out := make([]docmodel.Chunk, len(docs))
	for i, d := range docs {
		out[i] = docmodel.Chunk{ID: d.id, Text: d.text, Metadata: map[string]any{"source": d.src, "lang": d.lang, "chunk": i, "title": d.src}}
	}
	return out
}

// hitsOf unpacks a Search result for tests that look at the hits only.
func hitsOf(r SearchResult, err error) ([]Hit, error) { return r.Hits, err }
