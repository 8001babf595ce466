package rag

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/vendor0919/api/internal/docmodel"
	"github.com/vendor0919/api/internal/keyword"
)

// smallFeedback expands queries even in the six chunks of corpus(), where
// the default's 5% document fraction leaves no term to add.
var smallFeedback = keyword.Feedback{Docs: 2, Terms: 5, QueryWeight: 0.5, MaxDocFraction: 0.5}

func TestSearch_KeywordFeedback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		fb   keyword.Feedback
		want []string
	}{
		// "receipt" is in c0 only; c0's "days" brings c1 (shipping days).
		{"default: too few chunks to expand", keyword.Feedback{}, []string{"c0"}},
		{"off", keyword.Feedback{Docs: -1}, []string{"c0"}},
		{"on", smallFeedback, []string{"c0", "c1", "c3"}}, // and c3's "30"
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newService(t, Config{KeywordFeedback: tc.fb}, nil)
			hits, err := hitsOf(s.Search(ctx, SearchRequest{Query: "receipt", TopK: 5, Mode: ModeKeyword}))
			if err != nil {
				t.Fatal(err)
			}
			got := ids(hits)
			slices.Sort(got[1:]) // the order of the feedback-only hits is not the point
			if !slices.Equal(got, tc.want) {
				t.Errorf("keyword hits %v, want %v", got, tc.want)
			}
			// The query's own terms keep their BM25 score; feedback
			// terms only add to it.
			plain := s.snap.Load().kw.Search("receipt", 1, nil)
			if len(hits) == 0 || len(plain) == 0 {
				t.Fatalf("hits %v, plain BM25 %v", hits, plain)
			}
			if d := hits[0].Score - plain[0].Score; d < -1e-9 || len(tc.want) == 1 && d > 1e-9 {
				t.Errorf("best hit scores %v, plain BM25 %v", hits[0].Score, plain[0].Score)
			}
		})
	}
}

// headedCorpus: two chunks mention brakes, h0 in its heading path too.
func headedCorpus() []docmodel.Chunk {
	mk := func(id, path, text string) docmodel.Chunk {
		return docmodel.Chunk{ID: id, Text: text, Metadata: map[string]any{"source": id + ".md", docmodel.MetaHeadingPath: path}}
	}
	return []docmodel.Chunk{
		mk("h0", "Manual > Brakes", "Check the pads monthly. Worn pads squeal; replace them and test the brakes before riding."),
		mk("h1", "Manual > Maintenance schedule for every part of the bike > Monthly", "Monthly: tyres, chain, lights and brakes, then a short test ride."),
		mk("h2", "Manual > Lights", "The front light turns on when the bike moves."),
	}
}

func TestSearch_HeadingWeight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		w    float64
		want float64 // the heading field's share of the best hit's score
	}{
		{"default", 0, DefaultHeadingWeight},
		{"off", -1, 0},
		{"one", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emb := newEmbedder()
			s, err := New(Config{HeadingWeight: tc.w, KeywordFeedback: keyword.Feedback{Docs: -1}}, emb, &fakeGen{failAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			st := newStore(emb, headedCorpus())
			if err := s.Swap(context.Background(), st); err != nil {
				t.Fatal(err)
			}
			hits, err := hitsOf(s.Search(ctx, SearchRequest{Query: "brakes", TopK: 5, Mode: ModeKeyword}))
			if err != nil {
				t.Fatal(err)
			}
			texts := make([]string, len(headedCorpus()))
			heads := make([]string, len(texts))
			for i, c := range headedCorpus() {
				texts[i], heads[i] = c.KeywordText(), c.Metadata[docmodel.MetaHeadingPath].(string)
			}
			body, head := keyword.New(texts).Search("brakes", 5, nil), keyword.New(heads).Search("brakes", 5, nil)
			if len(hits) != 2 || len(body) != 2 || len(head) != 1 {
				t.Fatalf("hits %v, body %v, heading %v", ids(hits), body, head)
			}
			want := map[string]float64{}
			for _, r := range body {
				want[st.Chunk(int(r.ID)).ID] += r.Score
			}
			for _, r := range head {
				want[st.Chunk(int(r.ID)).ID] += tc.want * r.Score
			}
			for _, h := range hits {
				if math.Abs(h.Score-want[h.ID]) > 1e-9 {
					t.Errorf("%s scores %v, want %v", h.ID, h.Score, want[h.ID])
				}
			}
		})
	}
}

// TestSettings_OffMeansOff: the server's on/off and 0 settings map to the
// Config values that turn feedback and the heading field off, and their
// defaults to the defaults.
func TestSettings_OffMeansOff(t *testing.T) {
	t.Parallel()
	if got := FeedbackSetting(true); got != keyword.DefaultFeedback {
		t.Errorf("FeedbackSetting(true) = %+v", got)
	}
	if got := FeedbackSetting(false); got.Docs > 0 || got == (keyword.Feedback{}) {
		t.Errorf("FeedbackSetting(false) = %+v: not off (zero means the default)", got)
	}
	if got := HeadingWeightSetting(0); got >= 0 {
		t.Errorf("HeadingWeightSetting(0) = %g: not off (zero means the default)", got)
	}
	if got := HeadingWeightSetting(0.2); got != 0.2 {
		t.Errorf("HeadingWeightSetting(0.2) = %g", got)
	}
	if got := SectionWeightSetting(0); got >= 0 {
		t.Errorf("SectionWeightSetting(0) = %g: not off (zero means the default)", got)
	}
	if got := SectionWeightSetting(0.5); got != 0.5 {
		t.Errorf("SectionWeightSetting(0.5) = %g", got)
	}
}

// TestSearch_SectionWeight: with a section weight (the default), a chunk
// sharing no word with the query is found through its section (the
// chunks sharing its url), and it ranks under the chunk that holds the
// word; with the field left out it is not found.
func TestSearch_SectionWeight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mk := func(id, url, text string) docmodel.Chunk {
		return docmodel.Chunk{ID: id, Text: text, Metadata: map[string]any{"source": "m.html", "url": url}}
	}
	chunks := []docmodel.Chunk{
		mk("s0", "m.html#brakes", "Check the pads monthly; worn ones squeal."),
		mk("s1", "m.html#brakes", "Adjust the cable tension until the lever stops short of the bar."),
		mk("s2", "m.html#lights", "The front light turns on when the bike moves."),
	}
	for _, tc := range []struct {
		name string
		w    float64
		want []string
	}{
		{"left out", -1, []string{"s0"}},
		{"on by default", 0, []string{"s0", "s1"}},
		{"on", 0.3, []string{"s0", "s1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			emb := newEmbedder()
			// SameSection: one chunk per section would hide s1 behind s0.
			s, err := New(Config{SectionWeight: tc.w, SameSection: true, KeywordFeedback: keyword.Feedback{Docs: -1}}, emb, &fakeGen{failAfter: -1})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Swap(context.Background(), newStore(emb, chunks)); err != nil {
				t.Fatal(err)
			}
			hits, err := hitsOf(s.Search(ctx, SearchRequest{Query: "squeal", TopK: 5, Mode: ModeKeyword}))
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(hits); !slices.Equal(got, tc.want) {
				t.Errorf("hits %v, want %v", got, tc.want)
			}
		})
	}
}
