package rag

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/embed"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/llm"
	"github.com/vendor0919/api/internal/logctx"
	"github.com/vendor0919/api/internal/store"
)

// Config defaults, used for zero fields.
const (
	DefaultTopK    = 5
	DefaultMaxTopK = 50
	// DefaultVectorWeight is the vector ranking's weight in hybrid fusion
	// when Config gives none (the keyword ranking's is 1) and the embedder
	// has no measured weight of its own (DefaultVectorWeightFor), chosen
	// for use-lite-glove by round seven's rule: the middle of the weights
	// that made hybrid at least as good as keyword and vector alone on
	// hit@1, hit@5 and MRR@5 on the most evaluation sets (0.1 to 0.175: 13
	// or 14 of the fifteen, 0.25 11; docs/BENCHMARKS.md, round eleven).
	DefaultVectorWeight = 0.15
	// DefaultMiniLMVectorWeight is minilm's: its vectors rank nearly as
	// well as BM25, and hybrid's summed MRR@5 over the 41 evaluation sets
	// peaks on a plateau from 2 to 3 (33.43 at 2, 33.43 at 2.5, 33.39 at
	// 3, 33.04 at 1, 32.90 at 10; 31.61 at 0.15) whose middle this is
	// (docs/BENCHMARKS.md, round thirty-three).
	DefaultMiniLMVectorWeight = 2.5
	// DefaultHeadingWeight is Config.HeadingWeight's default: the middle
	// of the weights that raised keyword and hybrid MRR@5 on every
	// evaluation set (docs/BENCHMARKS.md).
	DefaultHeadingWeight = 0.2
	// DefaultSectionWeight is Config.SectionWeight's default: on 46
	// evaluation sets it raised summed keyword MRR@5 by 0.44 and hybrid's
	// by 0.15 (0.3 and 1 less), and, decided on before two blind sets
	// were measured, it raised hybrid on both (docs/BENCHMARKS.md, round
	// thirty-six).
	DefaultSectionWeight = 0.5
	DefaultContextTokens = 3000
	// DefaultFeedbackMinDocuments is Config.FeedbackMinDocuments' default:
	// feedback raised hybrid hit@5 on the evaluation sets of ten and
	// sixteen pages and lowered it on seven of the nine of two pages
	// (docs/BENCHMARKS.md, round nine).
	DefaultFeedbackMinDocuments = 3
	// DefaultSoftMatchWeight is Config.SoftMatchWeight's default: the
	// middle of the plateau (0.3 to 1) where soft match raised keyword
	// and hybrid MRR@5 summed over the thirteen evaluation sets
	// (docs/BENCHMARKS.md, round ten).
	DefaultSoftMatchWeight = 0.5
)

var (
	// ErrNotReady is returned before the first successful Swap.
	ErrNotReady = errors.New("rag: vector store not loaded")
	// ErrIncompatible is returned by Swap for a store the embedder cannot
	// query: other dimensions or another embedding model.
	ErrIncompatible = errors.New("rag: store does not match the embedder")
	// ErrGenerate wraps a failure of the answer generator.
	ErrGenerate = errors.New("rag: answer generation failed")
)

// Config tunes a Service. The zero value of each field picks its default.
type Config struct {
	// DefaultTopK is the number of hits when a request gives none; 0 means 5.
	DefaultTopK int
	// MaxTopK is the largest top_k a request may ask for; 0 means 50.
	MaxTopK int
	// Mode is the search mode when a request gives none: ModeHybrid,
	// ModeVector or ModeKeyword; "" means ModeHybrid.
	Mode Mode
	// VectorWeight and KeywordWeight scale each ranking's normalised
	// scores in hybrid fusion (see the package documentation); 0 means
	// DefaultVectorWeight and 1. Raise VectorWeight for an embedder that
	// ranks better than BM25 on the corpus (measure with vectorstore eval).
	VectorWeight  float64
	KeywordWeight float64
	// SameSection, when true, lets several chunks of one section (the
	// same docmodel.SectionKey) into one result. By default a
	// result holds the best chunk of each section only: a citation list
	// that repeats a section says nothing new, and the freed ranks go to
	// other sections (measured on the evaluation sets in
	// docs/BENCHMARKS.md). Chunks without a url are never merged.
	SameSection bool
	// Candidates is how many hits each ranking contributes to a hybrid
	// fusion (and how many a filtered vector search fetches); 0 means
	// 4*top_k, and it is never below top_k.
	Candidates int
	// KeywordAnalyzer makes the tokens of the keyword (BM25) index and its
	// queries; nil means keyword.Standard (character bigrams for Japanese).
	KeywordAnalyzer keyword.Analyzer
	// KeywordAnalyzers, when set, picks the keyword analyzer of each store
	// swapped in from its chunks' keyword texts, in place of
	// KeywordAnalyzer (KEYWORD_JAPANESE=auto: Kagome's for a store with
	// Japanese text).
	KeywordAnalyzers keyword.Chooser
	// KeywordFeedback is the pseudo-relevance feedback (RM3) of keyword
	// search in the embedded store (keyword.Index.Expand): the zero value
	// means keyword.DefaultFeedback, Docs < 0 turns it off. A remote
	// backend (Weaviate) ranks by its own BM25, without it.
	KeywordFeedback keyword.Feedback
	// FeedbackMinDocuments is the fewest documents a store must hold
	// (store.Manifest.Documents) for KeywordFeedback to apply: in a store
	// of one or two long documents a query's best chunks come from all
	// over them, and the terms feedback adds pull the query off its
	// topic. 0 means DefaultFeedbackMinDocuments; negative applies
	// feedback in every store. A store that does not record its
	// documents (written before the count, a LangChain folder) gets
	// feedback.
	FeedbackMinDocuments int
	// HeadingWeight scales the BM25 score of a chunk's heading path, as a
	// field of its own, added to the keyword score of the chunk's whole
	// text (keyword.Field): 0 means DefaultHeadingWeight, a negative
	// weight leaves it out. Chunks without a heading path (LangChain
	// folders) score 0 in it.
	HeadingWeight float64
	// SectionWeight scales the BM25 score of the whole section a chunk
	// belongs to (the chunks sharing metadata url, scored as one text:
	// store's Sections), added to each of its chunks like HeadingWeight's
	// field: 0 means DefaultSectionWeight, a negative weight leaves it out
	// (the server's KEYWORD_SECTION_WEIGHT; docs/BENCHMARKS.md, rounds
	// six, twenty-three and thirty-six). The grouping is the store's
	// (store.Store.Sections), made at each swap.
	SectionWeight float64
	// SoftMatch, when set, reranks the candidates of keyword and hybrid
	// search (what the backend returns: Candidates hits, or top_k with
	// SameSection) by how well each covers the query's words by meaning,
	// added to their scores as a third ranking (softRerank): a question
	// worded unlike its answer ("run only once the user has paused
	// typing" for debounce) moves up among the chunks BM25 and the vector
	// ranking found. Any
	// backend's hits, the embedded store's and Weaviate's alike.
	SoftMatch SoftMatcher
	// SoftMatchWeight is the soft match's weight, each ranking's scores
	// divided by their best as in hybrid fusion: 0 means
	// DefaultSoftMatchWeight, a negative weight turns it off.
	SoftMatchWeight float64
	// ContextTokens is the prompt's passage budget in estimated tokens (see
	// the package documentation); 0 means 3000.
	ContextTokens int
	// HistoryTokens is the budget, in estimated tokens, of the earlier
	// conversation turns sent to the generator with the prompt (oldest
	// exchanges dropped first; long assistant turns and a long newest
	// user turn cut, see recentHistory). 0 means 1500.
	HistoryTokens int
	// RewriteTimeout bounds the model call that turns a follow-up into a
	// standalone question, made once without retries: it is best effort,
	// and the carried-terms rule answers when it fails, so it never holds
	// a query up for long. 0 means DefaultRewriteTimeout.
	RewriteTimeout time.Duration
	// MaxMessages is how many of a conversation's newest turns are used,
	// the latest question included; older ones are dropped
	// (windowHistory). 0 means 50.
	MaxMessages int
	// MaxQuestionChars bounds the question (Search's query too), in
	// characters; longer is a *RequestError. 0 means
	// DefaultMaxQuestionChars.
	MaxQuestionChars int
	// MaxConversationChars is how many characters of a conversation's
	// newest turns are used, the question included; older turns are
	// dropped (windowHistory). 0 means DefaultMaxConversationChars.
	MaxConversationChars int
	// PromptTemplate is a text/template defining "system" and "user"
	// templates over PromptData; "" means DefaultPromptTemplate.
	PromptTemplate string
	// MaxAnswerTokens and Temperature are passed to the generator; 0 means
	// the provider's default.
	MaxAnswerTokens int
	Temperature     float64
	// Logger receives debug and info records; nil discards them.
	Logger *slog.Logger
}

// Service answers searches and questions over the current store.
type Service struct {
	cfg    Config
	emb    embed.Embedder
	gen    llm.Generator
	prompt *template.Template
	log    *slog.Logger
	snap   atomic.Pointer[snapshot]
	remote atomic.Pointer[remote] // set by UseBackend: searched instead of snap
}

// snapshot is one loaded store with its keyword index; immutable.
type snapshot struct {
	st   *store.Store
	an   keyword.Analyzer // made kw, head and sec
	kw   *keyword.Index
	fb   keyword.Feedback // Config.KeywordFeedback
	head keyword.Field    // the chunks' heading paths (store.Store.HeadingIndex), Config.HeadingWeight
	sec  keyword.Field    // the chunks' sections (store.Store.Sections), Config.SectionWeight
}

// fields are the keyword fields searched beside the chunks' text.
func (s *snapshot) fields() []keyword.Field {
	return []keyword.Field{s.head, s.sec}
}

// FeedbackSetting is Config.KeywordFeedback for an on/off setting: the
// default feedback, or none.
func FeedbackSetting(on bool) keyword.Feedback {
	if on {
		return keyword.DefaultFeedback
	}
	return keyword.Feedback{Docs: -1}
}

// FeedbackMinDocumentsSetting is Config.FeedbackMinDocuments for a
// setting where 0 applies feedback in every store (Config's own zero
// means the default).
func FeedbackMinDocumentsSetting(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// HeadingWeightSetting is Config.HeadingWeight for a setting where 0
// leaves the heading field out (Config's own zero means the default).
func HeadingWeightSetting(w float64) float64 {
	if w == 0 {
		return -1
	}
	return w
}

// SectionWeightSetting is Config.SectionWeight for a setting where 0
// leaves the section field out (Config's own zero means the default).
func SectionWeightSetting(w float64) float64 {
	if w == 0 {
		return -1
	}
	return w
}

// SoftMatchWeightSetting is Config.SoftMatchWeight for a setting where 0
// turns soft match off (Config's own zero means the default).
func SoftMatchWeightSetting(w float64) float64 {
	if w == 0 {
		return -1
	}
	return w
}

// New returns a Service with no store loaded; Search and Query answer
// ErrNotReady until Swap succeeds. It fails on an invalid config or prompt
// template, or a nil embedder or generator.
func New(cfg Config, emb embed.Embedder, gen llm.Generator) (*Service, error) {
	if emb == nil || gen == nil {
		return nil, errors.New("rag: new: embedder and generator are required")
	}
	if cfg.DefaultTopK == 0 {
		cfg.DefaultTopK = DefaultTopK
	}
	if cfg.MaxTopK == 0 {
		cfg.MaxTopK = DefaultMaxTopK
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeHybrid
	}
	if cfg.VectorWeight == 0 {
		cfg.VectorWeight = DefaultVectorWeightFor(emb.Info())
	}
	if cfg.KeywordWeight == 0 {
		cfg.KeywordWeight = 1
	}
	if cfg.ContextTokens == 0 {
		cfg.ContextTokens = DefaultContextTokens
	}
	if cfg.HistoryTokens == 0 {
		cfg.HistoryTokens = DefaultHistoryTokens
	}
	if cfg.RewriteTimeout == 0 {
		cfg.RewriteTimeout = DefaultRewriteTimeout
	}
	if cfg.MaxMessages == 0 {
		cfg.MaxMessages = DefaultMaxMessages
	}
	if cfg.MaxQuestionChars == 0 {
		cfg.MaxQuestionChars = DefaultMaxQuestionChars
	}
	if cfg.MaxConversationChars == 0 {
		cfg.MaxConversationChars = DefaultMaxConversationChars
	}
	if cfg.KeywordAnalyzer == nil {
		cfg.KeywordAnalyzer = keyword.Standard
	}
	if cfg.HeadingWeight == 0 {
		cfg.HeadingWeight = DefaultHeadingWeight
	}
	if cfg.SectionWeight == 0 {
		cfg.SectionWeight = DefaultSectionWeight
	}
	if cfg.KeywordFeedback == (keyword.Feedback{}) {
		cfg.KeywordFeedback = keyword.DefaultFeedback
	}
	if cfg.FeedbackMinDocuments == 0 {
		cfg.FeedbackMinDocuments = DefaultFeedbackMinDocuments
	}
	if cfg.SoftMatchWeight == 0 {
		cfg.SoftMatchWeight = DefaultSoftMatchWeight
	}
	if cfg.PromptTemplate == "" {
		cfg.PromptTemplate = DefaultPromptTemplate
	}
	switch {
	case cfg.DefaultTopK < 1 || cfg.MaxTopK < cfg.DefaultTopK:
		return nil, fmt.Errorf("rag: new: top_k default %d / max %d invalid", cfg.DefaultTopK, cfg.MaxTopK)
	case !cfg.Mode.Valid():
		return nil, fmt.Errorf("rag: new: unknown mode %q", cfg.Mode)
	case cfg.Candidates < 0 || cfg.ContextTokens < 0 || cfg.VectorWeight < 0 || cfg.KeywordWeight < 0 ||
		cfg.HistoryTokens < 0 || cfg.RewriteTimeout < 0 || cfg.MaxMessages < 0 || cfg.MaxQuestionChars < 0 || cfg.MaxConversationChars < 0:
		return nil, errors.New("rag: new: Candidates, ContextTokens, weights, HistoryTokens, RewriteTimeout and the request limits must not be negative")
	}
	tmpl, err := parsePrompt(cfg.PromptTemplate)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, emb: emb, gen: gen, prompt: tmpl, log: log}, nil
}

// Swap checks st against the embedder, builds its keyword index and makes
// it the store new requests use. Requests already running finish on the
// previous store. A store store.CheckEmbedding rejects for the embedder
// (other dimensions or another model) gives an error wrapping both
// ErrIncompatible and store's reason, and leaves the current store in
// place. ctx carries the request id of the load (an admin reload's) into
// the log line.
func (s *Service) Swap(ctx context.Context, st *store.Store) error {
	if st == nil || st.Index == nil {
		return errors.New("rag: swap: store has no index")
	}
	if n := st.Index.Len(); n != st.ChunkCount() {
		return fmt.Errorf("rag: swap: index has %d vectors but store has %d chunks", n, st.ChunkCount())
	}
	info := s.emb.Info()
	if d := st.Index.Dim(); d != info.Dims {
		return fmt.Errorf("%w: index dims %d, embedder %s/%s dims %d", ErrIncompatible, d, info.Provider, info.Model, info.Dims)
	}
	// The same rule store.Open applies, for a store that did not come
	// through Open with this embedder.
	if err := store.CheckEmbedding(st.Dir, st.Manifest.Embedding, info); err != nil {
		return fmt.Errorf("%w: %w", ErrIncompatible, err)
	}
	if p := st.Manifest.Embedding.Provider; p != "" && info.Provider != "" && p != info.Provider {
		// Allowed (the same model behind another wire format, such as
		// Ollama's OpenAI-compatible /v1), but worth a look when it is not
		// what the operator meant.
		s.log.WarnContext(ctx, "rag: store built with another embedding provider, same model",
			slog.String("dir", st.Dir), slog.String("store_provider", p), slog.String("provider", info.Provider),
			slog.String("model", info.Model))
	}
	start := time.Now()
	var kw, head *keyword.Index
	var sec keyword.Field
	an := s.cfg.KeywordAnalyzer
	how := "reused"
	if cur := s.snap.Load(); cur != nil && cur.st.SameChunks(st) {
		// The same chunks behind a new index (a graph built in the
		// background): the keyword indexes still fit.
		an, kw, head, sec = cur.an, cur.kw, cur.head.Index, cur.sec
	} else {
		if s.cfg.KeywordAnalyzers != nil {
			var err error
			if an, err = s.cfg.KeywordAnalyzers.Choose(st.ChunkCount(), func(i int) string { return st.Chunk(i).KeywordText() }); err != nil {
				return fmt.Errorf("rag: swap: keyword analyzer: %w", err)
			}
		}
		// The store's persisted index when its analyzer matches, else one
		// built from the chunks.
		var loaded bool
		kw, loaded = st.KeywordIndex(an)
		how = map[bool]string{true: "loaded", false: "built"}[loaded]
		if s.cfg.HeadingWeight > 0 {
			head, _ = st.HeadingIndex(an)
		}
		if s.cfg.SectionWeight > 0 {
			sec = keyword.Field{Sections: st.Sections(kw), Weight: s.cfg.SectionWeight}
		}
	}
	fb := s.feedbackFor(st)
	s.snap.Store(&snapshot{st: st, an: an, kw: kw, fb: fb,
		head: keyword.Field{Index: head, Weight: s.cfg.HeadingWeight}, sec: sec})
	s.log.InfoContext(ctx, "rag: store swapped in",
		slog.String("dir", st.Dir), slog.String("format", st.Format), slog.Int("count", st.ChunkCount()),
		slog.Int("documents", st.Manifest.Documents), slog.Bool("keyword_feedback", fb.Docs > 0),
		slog.Int("dims", info.Dims), slog.String("version", st.Manifest.Version),
		slog.String("keyword_index", how), slog.String("keyword_analyzer", an.Version()),
		slog.Float64("keyword_index_ms", logctx.Millis(time.Since(start))))
	return nil
}

// feedbackFor is the keyword feedback searches of st use: the
// configured one, off for a store of fewer than FeedbackMinDocuments
// documents that records how many it holds.
func (s *Service) feedbackFor(st *store.Store) keyword.Feedback {
	if n := st.Manifest.Documents; n > 0 && n < s.cfg.FeedbackMinDocuments {
		return FeedbackSetting(false)
	}
	return s.cfg.KeywordFeedback
}

// analyzer is the keyword analyzer of the store searched: the external
// backend's when it says (AnalyzerBackend), the snapshot's, else the
// configured one (for a store not yet seen: KeywordAnalyzers' choice for
// no text).
func (s *Service) analyzer() keyword.Analyzer {
	if r := s.remote.Load(); r != nil {
		if ab, ok := r.b.(AnalyzerBackend); ok {
			return ab.KeywordAnalyzer()
		}
	} else if sn := s.snap.Load(); sn != nil {
		return sn.an
	}
	if s.cfg.KeywordAnalyzers != nil {
		if an, err := s.cfg.KeywordAnalyzers.Choose(0, func(int) string { return "" }); err == nil {
			return an
		}
	}
	return s.cfg.KeywordAnalyzer
}

// Snapshot returns the store in use, or nil before the first Swap.
func (s *Service) Snapshot() *store.Store {
	if sn := s.snap.Load(); sn != nil {
		return sn.st
	}
	return nil
}

// DefaultVectorWeightFor returns the hybrid fusion weight measured for
// m's embedder: DefaultMiniLMVectorWeight for minilm, DefaultVectorWeight
// for the rest (measured for use-lite-glove; hosted embedders, which rank
// better, usually want more: measure with vectorstore eval --sweep).
func DefaultVectorWeightFor(m docmodel.EmbeddingModel) float64 {
	if m.Provider == docmodel.ProviderMiniLM {
		return DefaultMiniLMVectorWeight
	}
	return DefaultVectorWeight
}
