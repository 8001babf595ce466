package rag

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// wordMatcher is a test SoftMatcher: a text scores 1 when it holds the
// word, else 0, and it records what it was asked.
type wordMatcher struct {
	word  string
	texts [][]string
	n     int // scores to return; 0 means one per text
}

func (m *wordMatcher) SoftMatch(query string, texts []string) []float64 {
	m.texts = append(m.texts, slices.Clone(texts))
	out := make([]float64, len(texts))
	if m.n > 0 {
		out = make([]float64, m.n)
	}
	for i, t := range texts {
		if i < len(out) && strings.Contains(t, m.word) {
			out[i] = 1
		}
	}
	return out
}

func TestSearch_SoftMatchReranks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// BM25 ranks h0 first for "brakes" (the word twice, in its heading
	// too); the matcher prefers h1's "ride". Scores are each ranking's
	// divided by its best, so h1 (BM25 s1/s0 + w) passes h0 (1) when w
	// exceeds 1 - s1/s0.
	tests := []struct {
		name    string
		w       float64
		mode    Mode
		matcher *wordMatcher
		first   string
	}{
		{"keyword, soft match off", -1, ModeKeyword, &wordMatcher{word: "ride"}, "h0"},
		{"keyword, a heavy soft match", 5, ModeKeyword, &wordMatcher{word: "ride"}, "h1"},
		{"hybrid, a heavy soft match", 5, ModeHybrid, &wordMatcher{word: "ride"}, "h1"},
		{"vector mode is not reranked", 5, ModeVector, &wordMatcher{word: "Lights"}, ""}, // first: as without
		{"a matcher returning too few scores is ignored", 5, ModeKeyword, &wordMatcher{word: "ride", n: 1}, "h0"},
	}
	search := func(t *testing.T, m SoftMatcher, w float64, mode Mode) []Hit {
		t.Helper()
		emb := newEmbedder()
		s, err := New(Config{SoftMatch: m, SoftMatchWeight: w, KeywordFeedback: keyword.Feedback{Docs: -1}}, emb, &fakeGen{failAfter: -1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Swap(context.Background(), newStore(emb, headedCorpus())); err != nil {
			t.Fatal(err)
		}
		hits, err := hitsOf(s.Search(ctx, SearchRequest{Query: "brakes", TopK: 5, Mode: mode}))
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hits := search(t, tt.matcher, tt.w, tt.mode)
			if tt.first == "" {
				tt.first = search(t, nil, 0, tt.mode)[0].ID
			}
			if len(hits) == 0 || hits[0].ID != tt.first {
				t.Fatalf("hits %v, want %s first", ids(hits), tt.first)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("scores not in order: %v", hits)
				}
			}
			if tt.w < 0 || tt.mode == ModeVector {
				if len(tt.matcher.texts) != 0 {
					t.Errorf("matcher called %d times, want none", len(tt.matcher.texts))
				}
				return
			}
			// The matcher reads each candidate's heading path and text, as
			// the rankings indexed them.
			if len(tt.matcher.texts) != 1 || !slices.Contains(tt.matcher.texts[0], headedCorpus()[0].IndexText()) {
				t.Errorf("matcher saw %q, want the candidates' heading paths and texts", tt.matcher.texts)
			}
		})
	}
}

func TestSoftRerank_Scores(t *testing.T) {
	t.Parallel()
	hits := []Hit{
		{ID: "a", Text: "alpha", Score: 4},
		{ID: "b", Text: "beta ride", Score: 2},
		{ID: "c", Text: "gamma ride", Score: 2},
		{ID: "d", Text: "delta", Score: 0},
	}
	got := softRerank(&wordMatcher{word: "ride"}, 0.5, "q", hits)
	want := []struct {
		id    string
		score float64
	}{{"a", 1}, {"b", 1}, {"c", 1}, {"d", 0}} // b and c: 2/4 + 0.5 x 1/1
	for i, w := range want {
		if got[i].ID != w.id || math.Abs(got[i].Score-w.score) > 1e-12 {
			t.Errorf("hit %d = %s %v, want %s %v (ties keep their order)", i, got[i].ID, got[i].Score, w.id, w.score)
		}
	}
	one := []Hit{{ID: "x", Text: "ride", Score: 3}}
	if got := softRerank(&wordMatcher{word: "ride"}, 0.5, "q", one); got[0].Score != 3 {
		t.Errorf("a single hit was rescored: %v", got[0].Score)
	}
	meta := []Hit{
		{ID: "m", Text: "body", Score: 1, Metadata: map[string]any{docmodel.MetaHeadingPath: "Guide > Ride"}},
		{ID: "n", Text: "body", Score: 1},
	}
	m := &wordMatcher{word: "Ride"}
	if got := softRerank(m, 0.5, "q", meta); got[0].ID != "m" || m.texts[0][0] != "Guide > Ride\n\nbody" {
		t.Errorf("heading path not read: order %v, texts %q", ids(got), m.texts)
	}
}
