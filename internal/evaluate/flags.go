package evaluate

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/cliflag"
	"github.com/vendor0919/api/internal/keyword"
	"github.com/vendor0919/api/internal/rag"
	"github.com/vendor0919/api/internal/store"
)

// Flags is the command line of "vectorstore eval"; the embedder's flags
// belong to its package (providers.EmbedderFlags).
type Flags struct {
	Dir, Questions              string
	VectorWeight, KeywordWeight float64
	// Sweep lists vector weights to evaluate hybrid search at as well
	// (--sweep 0.3,0.6,1), so an operator can choose HYBRID_VECTOR_WEIGHT
	// for a store and embedder by measurement.
	Sweep weights
	// NoFeedback evaluates keyword and hybrid search without the keyword
	// ranking's pseudo-relevance feedback (rag.Config.KeywordFeedback),
	// to measure what it does on one's own questions.
	NoFeedback bool
	// FeedbackMinDocuments is rag.Config.FeedbackMinDocuments as the
	// server's KEYWORD_FEEDBACK_MIN_DOCUMENTS sets it: 0 applies feedback
	// in every store.
	FeedbackMinDocuments int
	// HeadingWeight is rag.Config.HeadingWeight; 0 leaves the heading
	// field out.
	HeadingWeight float64
	// SectionWeight is rag.Config.SectionWeight as the server's
	// KEYWORD_SECTION_WEIGHT sets it: 0 leaves the section field out.
	SectionWeight float64
	// SoftMatchWeight is rag.Config.SoftMatchWeight as the server's
	// SOFT_MATCH_WEIGHT sets it: 0 turns soft match off.
	SoftMatchWeight float64
	// Baseline adds the plain-BM25 reference row (Baseline).
	Baseline bool
	// Misses lists, after the table, the questions some mode did not
	// answer at rank 1.
	Misses bool
	JSON   bool
}

// weights is a comma-separated list of positive numbers as a flag.Value.
type weights []float64

func (w *weights) String() string {
	parts := make([]string, len(*w))
	for i, v := range *w {
		parts[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}

func (w *weights) Set(s string) error {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) { // !(v > 0): NaN too
			return fmt.Errorf("%q is not a positive number", p)
		}
		out = append(out, v)
	}
	*w = out
	return nil
}

// RegisterFlags binds f to fs with the command's defaults and help.
func (f *Flags) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.Dir, "dir", "", "store folder (required)")
	fs.StringVar(&f.Questions, "questions", "", "questions JSON file: [{id, question, lang, documents, sections, chunks}] (required)")
	fs.BoolVar(&f.JSON, "json", false, "print the report as JSON, with every question's rank per mode")
	fs.BoolVar(&f.Baseline, "baseline", false, "also score a plain BM25 over one document per section, without stemming: the reference the keyword mode must beat")
	fs.BoolVar(&f.Misses, "misses", false, "after the table, list the questions some mode did not answer at rank 1, with their ranks")
	fs.Float64Var(&f.VectorWeight, "vector-weight", 0, "hybrid fusion weight of the vector ranking (the server's HYBRID_VECTOR_WEIGHT); 0: the server's default for the store's embedder (2.5 for minilm, 0.15 for the rest)")
	fs.Float64Var(&f.KeywordWeight, "keyword-weight", 1, "hybrid fusion weight of the keyword ranking")
	fs.BoolVar(&f.NoFeedback, "no-feedback", false, "rank keywords by plain BM25, without pseudo-relevance feedback, to measure what feedback does")
	fs.IntVar(&f.FeedbackMinDocuments, "feedback-min-documents", rag.DefaultFeedbackMinDocuments, "fewest documents a store must record for keyword feedback to apply, as the server's KEYWORD_FEEDBACK_MIN_DOCUMENTS; 0: every store")
	fs.Float64Var(&f.HeadingWeight, "heading-weight", rag.DefaultHeadingWeight, "weight of the heading path's own BM25 score in keyword search; 0 leaves it out (the server uses the default)")
	fs.Float64Var(&f.SectionWeight, "section-weight", rag.DefaultSectionWeight, "weight of the BM25 score of each chunk's whole section in keyword search, as the server's KEYWORD_SECTION_WEIGHT; 0 leaves it out (docs/BENCHMARKS.md, rounds twenty-three and thirty-six)")
	fs.Float64Var(&f.SoftMatchWeight, "soft-match-weight", rag.DefaultSoftMatchWeight, "weight of the word-vector soft match that reranks keyword and hybrid candidates, as the server's SOFT_MATCH_WEIGHT; 0 turns it off")
	fs.Var(&f.Sweep, "sweep", "also evaluate hybrid at each of these vector weights (comma-separated, e.g. 0.3,0.6,1,2), to choose HYBRID_VECTOR_WEIGHT")
}

// Validate checks f without reading the questions; its errors are
// cliflag.UsageErrors.
func (f Flags) Validate() error {
	if f.Dir == "" || f.Questions == "" {
		return cliflag.Usagef("--dir and --questions are required")
	}
	if !(f.VectorWeight >= 0) || math.IsInf(f.VectorWeight, 0) || !(f.KeywordWeight > 0) || math.IsInf(f.KeywordWeight, 0) { // NaN fails both comparisons
		return cliflag.Usagef("--vector-weight must be 0 (the default) or positive, --keyword-weight positive")
	}
	if f.SectionWeight < 0 || math.IsInf(f.SectionWeight, 0) || math.IsNaN(f.SectionWeight) {
		return cliflag.Usagef("--section-weight must be 0 or positive")
	}
	if f.HeadingWeight < 0 || math.IsInf(f.HeadingWeight, 0) || math.IsNaN(f.HeadingWeight) {
		return cliflag.Usagef("--heading-weight must be 0 or positive")
	}
	if f.SoftMatchWeight < 0 || math.IsInf(f.SoftMatchWeight, 0) || math.IsNaN(f.SoftMatchWeight) {
		return cliflag.Usagef("--soft-match-weight must be 0 or positive")
	}
	if f.FeedbackMinDocuments < 0 {
		return cliflag.Usagef("--feedback-min-documents must be 0 or positive")
	}
	return nil
}

// RAGConfig returns the rag.Config the evaluated service is built with.
func (f Flags) RAGConfig() rag.Config {
	cfg := rag.Config{VectorWeight: f.VectorWeight, KeywordWeight: f.KeywordWeight,
		HeadingWeight: rag.HeadingWeightSetting(f.HeadingWeight), SectionWeight: rag.SectionWeightSetting(f.SectionWeight),
		FeedbackMinDocuments: rag.FeedbackMinDocumentsSetting(f.FeedbackMinDocuments), SoftMatchWeight: rag.SoftMatchWeightSetting(f.SoftMatchWeight)}
	if f.NoFeedback {
		cfg.KeywordFeedback = keyword.Feedback{Docs: -1}
	}
	return cfg
}

// Opener opens the store in dir for search with cfg, as localsearch.Open
// does once the embedder is chosen.
type Opener func(ctx context.Context, dir string, cfg rag.Config) (*rag.Service, *store.Store, error)

// Run validates f, reads the questions, opens f.Dir with open and
// evaluates it with Run; the report names the store, its embedder and its
// size. Each weight of f.Sweep opens the store again with that vector
// weight and adds a row of hybrid metrics.
func (f Flags) Run(ctx context.Context, open Opener) (Report, error) {
	if err := f.Validate(); err != nil {
		return Report{}, err
	}
	qs, err := ReadQuestions(f.Questions)
	if err != nil {
		return Report{}, err
	}
	svc, st, err := open(ctx, f.Dir, f.RAGConfig())
	if err != nil {
		return Report{}, err
	}
	rep, err := Run(ctx, svc, qs)
	if err != nil {
		return Report{}, err
	}
	rep.misses = f.Misses
	rep.Unanswerable = Unanswerable(st, qs)
	if f.Baseline {
		m, ranks, err := Baseline(ctx, st, qs)
		if err != nil {
			return Report{}, err
		}
		rep.Baseline = &m
		for i, r := range ranks {
			rep.PerQuestion[i].Ranks[BaselineMode] = r
		}
	}
	for _, w := range f.Sweep {
		cfg := f.RAGConfig()
		cfg.VectorWeight = w
		wsvc, _, err := open(ctx, f.Dir, cfg)
		if err != nil {
			return Report{}, err
		}
		m, _, err := rag.Evaluate(ctx, wsvc, qs, rag.ModeHybrid)
		if err != nil {
			return Report{}, err
		}
		rep.Sweep = append(rep.Sweep, SweepRow{VectorWeight: w, EvalMetrics: m})
	}
	info := st.Manifest.Embedding
	rep.Store, rep.Embedder, rep.Chunks = f.Dir, info.Provider+"/"+info.Model, st.ChunkCount()
	return rep, nil
}

// WriteJSON writes r as one indented JSON object.
func (r Report) WriteJSON(w io.Writer) error { return cliflag.WriteJSON(w, r) }
