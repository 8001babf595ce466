package rag

import (
	"context"
	"fmt"
	"slices"

	"github.com/vendor0919/api/internal/docmodel"
)

// EvalK is the depth of the ranking Evaluate asks for and scores: hit@5
// and MRR@5, the measures of issue 10's table. It is also the server's
// default top_k, so a hybrid evaluation fuses the same candidate lists a
// default search does.
const EvalK = 5

// EvalQuestion is one labelled question.
//
// A question with Sections is scored at section level: a hit is relevant
// when its "url" metadata (source#anchor) is one of Sections, exactly. A
// chunk's anchor is that of the innermost section it lies in (or, for a
// section without an id, of its nearest enclosing one), and a label names
// a section's own text, not the sections nested in it: a chunk of a
// subsection with an anchor of its own is relevant only when that anchor
// is labelled too. The labels list every section that answers, so the
// rule needs no notion of "under".
//
// A question without Sections is scored at document level: a hit is
// relevant when its "source" metadata is one of Documents. At either
// level a hit whose chunk id is in Chunks is relevant.
type EvalQuestion struct {
	ID        string   `json:"id"`
	Question  string   `json:"question"`
	Lang      string   `json:"lang,omitempty"`
	Documents []string `json:"documents,omitempty"`
	Sections  []string `json:"sections,omitempty"`
	Chunks    []string `json:"chunks,omitempty"`
}

// Level returns "section" when q is scored by its Sections, else
// "document".
func (q EvalQuestion) Level() string {
	if len(q.Sections) > 0 {
		return "section"
	}
	return "document"
}

// EvalMetrics summarises retrieval quality over a question set.
type EvalMetrics struct {
	Mode      Mode    `json:"mode"`
	Questions int     `json:"questions"`
	HitAt1    float64 `json:"hit_at_1"` // share of questions with a relevant first hit
	HitAt5    float64 `json:"hit_at_5"` // share with a relevant hit in the top 5
	MRR       float64 `json:"mrr"`      // MRR@5: mean of 1/rank of the first relevant hit, 0 if none in the top EvalK
}

// FirstRelevant returns the 1-based rank of the first hit relevant to q
// (see EvalQuestion), or 0 when none is.
func FirstRelevant(hits []Hit, q EvalQuestion) int {
	for i, h := range hits {
		if slices.Contains(q.Chunks, h.ID) {
			return i + 1
		}
		if len(q.Sections) > 0 {
			if url, ok := h.Metadata[docmodel.MetaURL].(string); ok && slices.Contains(q.Sections, url) {
				return i + 1
			}
			continue
		}
		if src, ok := h.Metadata[docmodel.MetaSource].(string); ok && slices.Contains(q.Documents, src) {
			return i + 1
		}
	}
	return 0
}

// Summarize computes metrics from first-relevant ranks (0 = not found).
func Summarize(mode Mode, ranks []int) EvalMetrics {
	m := EvalMetrics{Mode: mode, Questions: len(ranks)}
	if len(ranks) == 0 {
		return m
	}
	for _, r := range ranks {
		if r == 1 {
			m.HitAt1++
		}
		if r >= 1 && r <= 5 {
			m.HitAt5++
		}
		if r >= 1 && r <= EvalK {
			m.MRR += 1 / float64(r)
		}
	}
	n := float64(len(ranks))
	m.HitAt1 /= n
	m.HitAt5 /= n
	m.MRR /= n
	return m
}

// Evaluate searches every question in mode with top_k EvalK and returns
// the metrics, plus each question's first-relevant rank in input order.
func Evaluate(ctx context.Context, s *Service, qs []EvalQuestion, mode Mode) (EvalMetrics, []int, error) {
	ranks := make([]int, len(qs))
	for i, q := range qs {
		if len(q.Documents) == 0 && len(q.Sections) == 0 && len(q.Chunks) == 0 {
			return EvalMetrics{}, nil, fmt.Errorf("rag: evaluate: question %q has no expected documents, sections or chunks", q.ID)
		}
		res, err := s.Search(ctx, SearchRequest{Query: q.Question, TopK: min(EvalK, s.cfg.MaxTopK), Mode: mode})
		if err != nil {
			return EvalMetrics{}, nil, fmt.Errorf("rag: evaluate %q: %w", q.ID, err)
		}
		ranks[i] = FirstRelevant(res.Hits, q)
	}
	return Summarize(mode, ranks), ranks, nil
}
