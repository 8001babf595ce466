package evaluate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/rag"
)

// Modes are the retrieval modes Run measures, in report order.
var Modes = []rag.Mode{rag.ModeVector, rag.ModeKeyword, rag.ModeHybrid}

// Report is the outcome of Run; "vectorstore eval --json" prints it.
type Report struct {
	Store     string            `json:"store"`
	Embedder  string            `json:"embedder"`
	Chunks    int               `json:"chunks"`
	Questions int               `json:"-"`
	Level     string            `json:"level"`   // "section", "document" or "mixed" (see rag.EvalQuestion)
	Results   []rag.EvalMetrics `json:"results"` // one per mode
	// Baseline is the plain-BM25 reference row (Baseline, Flags.Baseline),
	// when asked for.
	Baseline *rag.EvalMetrics `json:"baseline,omitempty"`
	ByLang   []LangMetrics    `json:"by_lang,omitempty"` // per mode and language
	Sweep    []SweepRow       `json:"sweep,omitempty"`   // hybrid per vector weight (Flags.Sweep)
	// PerQuestion is each question's first-relevant rank in every mode,
	// in input order: what an operator reads to see which questions a
	// store fails and where the modes disagree.
	PerQuestion []QuestionRanks `json:"per_question"`
	// Unanswerable lists the questions none of whose labels names anything
	// in the store (Unanswerable): a typo, or questions meant for another
	// store, which would otherwise read as plain misses. A label that
	// names nothing beside one that does is fine (labels may list a
	// section's other anchors).
	Unanswerable []string `json:"unanswerable,omitempty"`
	// misses makes WriteText list the questions some mode did not answer
	// at rank 1 (Flags.Misses).
	misses bool
}

// QuestionRanks is one question's 1-based first-relevant rank per mode
// (0 when no relevant hit is in the top rag.EvalK).
type QuestionRanks struct {
	ID       string           `json:"id"`
	Question string           `json:"question"`
	Ranks    map[rag.Mode]int `json:"ranks"`
}

// SweepRow holds the hybrid metrics at one vector weight.
type SweepRow struct {
	VectorWeight float64 `json:"vector_weight"`
	rag.EvalMetrics
}

// AtLeastBoth reports whether hybrid at this weight is at least as good as
// the better of vector and keyword alone (results of r) on hit@1, hit@5
// and MRR@5: the rule the default weight was chosen by
// (docs/BENCHMARKS.md).
func (r Report) AtLeastBoth(row SweepRow) bool {
	const eps = 1e-9
	for _, m := range r.Results {
		if m.Mode == rag.ModeHybrid {
			continue
		}
		if row.HitAt1+eps < m.HitAt1 || row.HitAt5+eps < m.HitAt5 || row.MRR+eps < m.MRR {
			return false
		}
	}
	return true
}

// LangMetrics are the metrics of one mode over the questions of one
// language.
type LangMetrics struct {
	Lang string `json:"lang"`
	rag.EvalMetrics
}

// ReadQuestions reads a JSON array of rag.EvalQuestion from path; an
// empty array is an error.
func ReadQuestions(path string) ([]rag.EvalQuestion, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var qs []rag.EvalQuestion
	if err := json.Unmarshal(b, &qs); err != nil {
		return nil, fmt.Errorf("eval: parse %s: %w", path, err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("eval: %s has no questions", path)
	}
	return qs, nil
}

// Run evaluates qs on svc in every mode of Modes. When the questions span
// more than one language, each mode's metrics are also given per language
// (sorted by language). Questions with section labels are scored at
// section level, the others at document level (rag.EvalQuestion); qs must
// not be empty. Store, Embedder and Chunks are left for the caller to
// fill.
func Run(ctx context.Context, svc *rag.Service, qs []rag.EvalQuestion) (Report, error) {
	rep := Report{Questions: len(qs), Level: level(qs), PerQuestion: make([]QuestionRanks, len(qs))}
	langs := map[string][]int{}
	for i, q := range qs {
		langs[q.Lang] = append(langs[q.Lang], i)
		rep.PerQuestion[i] = QuestionRanks{ID: q.ID, Question: q.Question, Ranks: make(map[rag.Mode]int, len(Modes))}
	}
	langNames := make([]string, 0, len(langs))
	for l := range langs {
		langNames = append(langNames, l)
	}
	sort.Strings(langNames)
	for _, mode := range Modes {
		m, ranks, err := rag.Evaluate(ctx, svc, qs, mode)
		if err != nil {
			return Report{}, err
		}
		rep.Results = append(rep.Results, m)
		for i, r := range ranks {
			rep.PerQuestion[i].Ranks[mode] = r
		}
		if len(langNames) > 1 {
			for _, l := range langNames {
				sub := make([]int, 0, len(langs[l]))
				for _, i := range langs[l] {
					sub = append(sub, ranks[i])
				}
				rep.ByLang = append(rep.ByLang, LangMetrics{Lang: l, EvalMetrics: rag.Summarize(mode, sub)})
			}
		}
	}
	return rep, nil
}

// level names the level qs are scored at: "section" or "document" when
// all questions agree, else "mixed".
func level(qs []rag.EvalQuestion) string {
	l := ""
	for _, q := range qs {
		switch {
		case l == "":
			l = q.Level()
		case q.Level() != l:
			return "mixed"
		}
	}
	return l
}

// maxListedLabels bounds the unanswerable questions WriteText names.
const maxListedLabels = 10

// Unanswerable returns, as "id: kind label, ...", each question of qs
// whose labels (its chunks, and its sections or, at document level, its
// documents) all name nothing in st: no chunk has the id, the url or the
// source.
func Unanswerable(st Chunks, qs []rag.EvalQuestion) []string {
	ids, sources, urls := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range st.ChunkCount() {
		c := st.Chunk(i)
		ids[c.ID] = true
		if v, ok := c.Metadata[docmodel.MetaSource].(string); ok {
			sources[v] = true
		}
		if v, ok := c.Metadata[docmodel.MetaURL].(string); ok {
			urls[v] = true
		}
	}
	var out []string
	for _, q := range qs {
		kind, labels, known := "document", q.Documents, sources
		if len(q.Sections) > 0 {
			kind, labels, known = "section", q.Sections, urls
		}
		var named []string
		found := slices.ContainsFunc(q.Chunks, func(v string) bool { return ids[v] }) || slices.ContainsFunc(labels, func(v string) bool { return known[v] })
		if found {
			continue
		}
		for _, v := range q.Chunks {
			named = append(named, fmt.Sprintf("chunk %q", v))
		}
		for _, v := range labels {
			named = append(named, fmt.Sprintf("%s %q", kind, v))
		}
		out = append(out, q.ID+": "+strings.Join(named, ", "))
	}
	return out
}

// WriteText writes r as a table: one row per mode over all questions,
// followed by its per-language rows.
func (r Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "store %s (%d chunks), embedder %s, %d questions, scored at %s level\n\n", r.Store, r.Chunks, r.Embedder, r.Questions, r.Level)
	if n := len(r.Unanswerable); n > 0 {
		more := ""
		if n > maxListedLabels {
			more = "; ..."
		}
		fmt.Fprintf(w, "warning: %d questions have no label that names anything in the store, so they can only miss: %s%s\n\n",
			n, strings.Join(r.Unanswerable[:min(n, maxListedLabels)], "; "), more)
	}
	fmt.Fprintf(w, "%-8s %-5s %5s %7s %7s %7s\n", "mode", "lang", "n", "hit@1", "hit@5", "MRR@5")
	row := func(mode, lang string, m rag.EvalMetrics) {
		fmt.Fprintf(w, "%-8s %-5s %5d %7.3f %7.3f %7.3f\n", mode, lang, m.Questions, m.HitAt1, m.HitAt5, m.MRR)
	}
	for _, m := range r.Results {
		row(string(m.Mode), "all", m)
		for _, lm := range r.ByLang {
			if lm.Mode == m.Mode {
				row("", lm.Lang, lm.EvalMetrics)
			}
		}
	}
	if r.Baseline != nil {
		fmt.Fprintf(w, "reference: plain BM25, one document per section, no stemming (not a mode of the service)\n")
		row(string(r.Baseline.Mode), "all", *r.Baseline)
	}
	if r.misses {
		r.writeMisses(w)
	}
	r.writeSweep(w)
}

// writeMisses writes, one line each, the questions that some mode did
// not answer at rank 1: their ranks per mode ("-" for none in the top
// rag.EvalK), id and text.
func (r Report) writeMisses(w io.Writer) {
	fmt.Fprintf(w, "\nquestions not at rank 1 in every mode (rank per mode, - = not in the top %d)\n", rag.EvalK)
	for _, q := range r.PerQuestion {
		all1 := true
		cols := make([]string, len(Modes))
		for i, m := range Modes {
			rk := q.Ranks[m]
			all1 = all1 && rk == 1
			cols[i] = fmt.Sprintf("%s %s", m, rankText(rk))
		}
		if !all1 {
			fmt.Fprintf(w, "%s  %s: %s\n", strings.Join(cols, "  "), q.ID, q.Question)
		}
	}
}

// rankText is a rank as WriteMisses prints it.
func rankText(rk int) string {
	if rk == 0 {
		return "-"
	}
	return strconv.Itoa(rk)
}

// writeSweep writes the sweep table, if any.
func (r Report) writeSweep(w io.Writer) {
	if len(r.Sweep) == 0 {
		return
	}
	fmt.Fprintf(w, "\nhybrid by vector weight (* = hit@1, hit@5 and MRR@5 at least those of vector and keyword alone)\n")
	fmt.Fprintf(w, "%-8s %5s %7s %7s %7s\n", "weight", "n", "hit@1", "hit@5", "MRR@5")
	for _, s := range r.Sweep {
		mark := ""
		if r.AtLeastBoth(s) {
			mark = " *"
		}
		fmt.Fprintf(w, "%-8g %5d %7.3f %7.3f %7.3f%s\n", s.VectorWeight, s.Questions, s.HitAt1, s.HitAt5, s.MRR, mark)
	}
}
