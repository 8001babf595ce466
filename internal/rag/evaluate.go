package rag

import (
	"context"
	"fmt"
	"slices"
)

// EvalK is the depth of the ranking Evaluate inspects: MRR is MRR@10.
const EvalK = 10

// EvalQuestion is one labelled question. A hit is relevant when its chunk
// id is in Chunks or its "source" metadata is in Documents.
type EvalQuestion struct {
	ID        string   `json:"id"`
	Question  string   `json:"question"`
	Lang      string   `json:"lang,omitempty"`
	Documents []string `json:"documents,omitempty"`
	Chunks    []string `json:"chunks,omitempty"`
}

// EvalMetrics summarises retrieval quality over a question set.
type EvalMetrics struct {
	Mode      Mode    `json:"mode"`
	Questions int     `json:"questions"`
	HitAt1    float64 `json:"hit_at_1"` // share of questions with a relevant first hit
	HitAt5    float64 `json:"hit_at_5"` // share with a relevant hit in the top 5
	MRR       float64 `json:"mrr"`      // mean of 1/rank of the first relevant hit, 0 if none in the top EvalK
}

// FirstRelevant returns the 1-based rank of the first hit relevant to q, or
// 0 when none is.
func FirstRelevant(hits []Hit, q EvalQuestion) int {
	for i, h := range hits {
		if slices.Contains(q.Chunks, h.ID) {
			return i + 1
		}
		if src, ok := h.Metadata["source"].(string); ok && slices.Contains(q.Documents, src) {
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
		if len(q.Documents) == 0 && len(q.Chunks) == 0 {
			return EvalMetrics{}, nil, fmt.Errorf("rag: evaluate: question %q has no expected documents or chunks", q.ID)
		}
		res, err := s.Search(ctx, SearchRequest{Query: q.Question, TopK: min(EvalK, s.cfg.MaxTopK), Mode: mode})
		if err != nil {
			return EvalMetrics{}, nil, fmt.Errorf("rag: evaluate %q: %w", q.ID, err)
		}
		ranks[i] = FirstRelevant(res.Hits, q)
	}
	return Summarize(mode, ranks), ranks, nil
}
